//! Every parser of outside input, fed arbitrary text: it never panics, and what it accepts it
//! accepts again in its canonical form, unchanged (parsing is idempotent).

use domain::access::{GrantRole, Permission, Permissions, duration_hours};
use domain::catalogue::{CatalogueCode, CatalogueKind};
use domain::customer::{
    AccountState, AccountType, BillingRecipient, CustomerRef, CustomerStatus, LicenceType, Termset,
    Website,
};
use domain::entity::{entity_id, parse_entity_id};
use domain::ids::{AccountId, CustomerId, DisplayName, Email, Logon, PartnerId};
use domain::password::NewPassword;
use proptest::prelude::*;

macro_rules! idempotent {
    ($input:expr, $parse:path) => {
        if let Ok(parsed) = $parse($input) {
            let again = $parse(parsed.as_str()).expect("the canonical form parses");
            prop_assert_eq!(again.as_str(), parsed.as_str());
        }
    };
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn identifiers_and_names(input in "\\PC{0,40}") {
        idempotent!(&input, PartnerId::parse);
        idempotent!(&input, CustomerId::parse);
        idempotent!(&input, Email::parse);
        idempotent!(&input, Logon::parse);
        idempotent!(&input, DisplayName::parse);
        idempotent!(&input, CustomerRef::parse);
        idempotent!(&input, CatalogueCode::parse);
        idempotent!(&input, Website::parse);
        idempotent!(&input, AccountId::parse);
        let _ = NewPassword::parse(&input);
    }

    #[test]
    fn shaped_like_the_real_thing(
        customer in "[A-Za-z]{1,12}",
        partner in "(?i)part[a-z0-9]{0,18}",
        email in "[a-z0-9._%+-]{1,20}@[a-z0-9-]{1,20}(\\.[a-z]{2,6}){1,2}",
        url in "https?://[a-z0-9.-]{1,30}(/[a-z0-9/_-]{0,20})?",
    ) {
        idempotent!(&customer, CustomerId::parse);
        idempotent!(&partner, PartnerId::parse);
        idempotent!(&email, Email::parse);
        idempotent!(&url, Website::parse);
        if let Ok(id) = CustomerId::parse(&customer) {
            prop_assert_eq!(id.as_str(), customer.to_ascii_uppercase());
            prop_assert!(matches!(AccountId::parse(&customer), Ok(AccountId::Customer(_))));
        }
    }

    #[test]
    fn entity_ids_round_trip(customer in "[A-Z]{1,10}", number in 0u16..=9999) {
        if let Ok(id) = CustomerId::parse(&customer) {
            let text = entity_id(&id, number);
            prop_assert_eq!(parse_entity_id(&text), Ok((id, number)));
        }
    }

    #[test]
    fn entity_ids_from_anything(input in "\\PC{0,20}") {
        if let Ok((customer, number)) = parse_entity_id(&input) {
            prop_assert_eq!(entity_id(&customer, number), input.to_ascii_uppercase());
        }
    }

    #[test]
    fn choices_accept_exactly_their_words(input in "[a-zA-Z_]{0,16}") {
        macro_rules! exact {
            ($choice:ty) => {
                if let Ok(value) = <$choice>::parse(&input) {
                    prop_assert_eq!(value.as_str(), input.as_str());
                }
            };
        }
        exact!(Termset);
        exact!(AccountType);
        exact!(BillingRecipient);
        exact!(AccountState);
        exact!(LicenceType);
        exact!(CatalogueKind);
        exact!(CustomerStatus);
        exact!(GrantRole);
        exact!(Permission);
    }

    #[test]
    fn grant_permissions(
        codes in proptest::collection::vec(
            prop_oneof!["view_entities", "manage_entities", "\\PC{0,16}"], 0..5),
        admin in any::<bool>(),
    ) {
        let role = if admin { GrantRole::Admin } else { GrantRole::User };
        if let Ok(set) = Permissions::parse(role, &codes) {
            prop_assert!(!set.codes().is_empty());
            prop_assert!(admin || !set.allows(Permission::ManageEntities));
            let again = Permissions::parse(role, &set.codes()).expect("the canonical form parses");
            prop_assert_eq!(again, set);
        }
    }

    #[test]
    fn durations(hours in any::<i64>()) {
        let accepted = duration_hours(hours).is_ok();
        prop_assert_eq!(accepted, (1..=i64::from(domain::access::MAX_DURATION_HOURS)).contains(&hours));
    }
}
