//! The customer record's values and rules (DOMAIN.md §3): lifecycle statuses in order, and the
//! fields that must agree with each other (product plan or add-ons, paid accounts' billing
//! recipient, embedding and its domains).

use crate::choice::choice;
use crate::ids::{Invalid, is_host_name, text_newtype};
use std::fmt;

/// A customer's status. Customers log in whatever their status: only the Active flag stops
/// logins (Churned does not deactivate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CustomerStatus {
    PreSales,
    Demo,
    Onboarding,
    Handholding,
    Established,
    Advocate,
    ReadOnly,
    Churned,
}

impl CustomerStatus {
    /// Every status, in lifecycle order.
    pub const ALL: [CustomerStatus; 8] = [
        CustomerStatus::PreSales,
        CustomerStatus::Demo,
        CustomerStatus::Onboarding,
        CustomerStatus::Handholding,
        CustomerStatus::Established,
        CustomerStatus::Advocate,
        CustomerStatus::ReadOnly,
        CustomerStatus::Churned,
    ];

    /// The API's and the database's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            CustomerStatus::PreSales => "pre_sales",
            CustomerStatus::Demo => "demo",
            CustomerStatus::Onboarding => "onboarding",
            CustomerStatus::Handholding => "handholding",
            CustomerStatus::Established => "established",
            CustomerStatus::Advocate => "advocate",
            CustomerStatus::ReadOnly => "read_only",
            CustomerStatus::Churned => "churned",
        }
    }

    /// As the portal shows it.
    pub fn label(self) -> &'static str {
        match self {
            CustomerStatus::PreSales => "Pre-Sales",
            CustomerStatus::Demo => "Demo",
            CustomerStatus::Onboarding => "Onboarding",
            CustomerStatus::Handholding => "Handholding",
            CustomerStatus::Established => "Established",
            CustomerStatus::Advocate => "Advocate",
            CustomerStatus::ReadOnly => "Read Only",
            CustomerStatus::Churned => "Churned",
        }
    }

    /// Its place in the lifecycle, 0–7: how it is stored, so that it sorts in lifecycle order.
    pub fn rank(self) -> i32 {
        match self {
            CustomerStatus::PreSales => 0,
            CustomerStatus::Demo => 1,
            CustomerStatus::Onboarding => 2,
            CustomerStatus::Handholding => 3,
            CustomerStatus::Established => 4,
            CustomerStatus::Advocate => 5,
            CustomerStatus::ReadOnly => 6,
            CustomerStatus::Churned => 7,
        }
    }

    pub fn from_rank(rank: i32) -> Option<CustomerStatus> {
        CustomerStatus::ALL.into_iter().find(|s| s.rank() == rank)
    }

    pub fn parse(input: &str) -> Result<CustomerStatus, Invalid> {
        CustomerStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == input)
            .ok_or_else(|| {
                let all: Vec<&str> = CustomerStatus::ALL.iter().map(|s| s.as_str()).collect();
                Invalid::new("status", format!("must be one of {}", all.join(", ")))
            })
    }
}

choice!(
    /// The terminology the customer's account uses for its top layer.
    Termset, "termset" { Group = "group", Practice = "practice", Franchise = "franchise" }
);
choice!(
    /// Seed 003's account types.
    AccountType, "account_type" { Trial = "trial", Paid = "paid", Free = "free" }
);
choice!(
    /// Who is billed for a paid account.
    BillingRecipient, "billing_recipient" { Client = "client", Partner = "partner" }
);
choice!(
    /// Seed 001's account state, beside the Active flag: the partner suspends an account (an
    /// unpaid invoice, a dispute) and resumes it; the Active flag is its on/off switch for
    /// logins. Either one off keeps every user out.
    AccountState, "account_state" { Active = "active", Suspended = "suspended" }
);

impl AccountState {
    /// Whether the account's users (and partner users switching in) may enter it: the stored
    /// word, which a suspension or anything unknown makes `false`.
    pub fn lets_users_in(stored: &str) -> bool {
        AccountState::parse(stored) == Ok(AccountState::Active)
    }
}
choice!(
    LicenceType, "licence_type" { Subscription = "subscription", Perpetual = "perpetual", Trial = "trial" }
);

text_newtype!(
    /// The partner's own reference for a customer (e.g. from its accounting system): 1–50
    /// characters, unique within the partner.
    CustomerRef
);
text_newtype!(
    /// A customer's website: an absolute http(s) URL with a host name.
    Website
);

impl CustomerRef {
    pub fn parse(input: &str) -> Result<CustomerRef, Invalid> {
        let reference = input.trim();
        let valid = (1..=50).contains(&reference.chars().count())
            && !reference.chars().any(char::is_control);
        if valid {
            Ok(CustomerRef(reference.to_owned()))
        } else {
            Err(Invalid::new(
                "ref",
                "must be 1 to 50 characters without control characters",
            ))
        }
    }
}

impl Website {
    pub fn parse(input: &str) -> Result<Website, Invalid> {
        let invalid = || {
            Invalid::new(
                "url",
                "must be an http:// or https:// address with a host name",
            )
        };
        let url = url::Url::parse(input.trim()).map_err(|_| invalid())?;
        let host_ok = match url.host() {
            Some(url::Host::Domain(host)) => is_host_name(host),
            Some(_) => true,
            None => false,
        };
        if !matches!(url.scheme(), "http" | "https") || !host_ok || input.len() > 2048 {
            return Err(invalid());
        }
        Ok(Website(url.to_string()))
    }
}

/// A whole number of things (locations, workers, seats): 0 up to a billion.
pub fn count(value: i64) -> Result<i32, Invalid> {
    i32::try_from(value)
        .ok()
        .filter(|n| (0..=1_000_000_000).contains(n))
        .ok_or_else(|| Invalid::new("range", "must be a whole number from 0 to 1000000000"))
}

/// A percentage: a whole number from 0 to 100.
pub fn percentage(value: i64) -> Result<i32, Invalid> {
    i32::try_from(value)
        .ok()
        .filter(|n| (0..=100).contains(n))
        .ok_or_else(|| Invalid::new("range", "must be a whole number from 0 to 100"))
}

/// What a customer may use: a product plan when its partner is on price plan, add-ons otherwise
/// (seed 000). The codes are checked against the catalogues elsewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Offering<Code> {
    ProductPlan(Code),
    AddOns(Vec<Code>),
}

/// Which of the two a customer of a partner `on_price_plan` takes, and why the other is refused.
/// The error names the field that must not be there (or must be).
pub fn offering<Code: PartialEq>(
    on_price_plan: bool,
    product_plan: Option<Code>,
    add_ons: Vec<Code>,
) -> Result<Offering<Code>, (&'static str, Invalid)> {
    match (on_price_plan, product_plan) {
        (true, Some(plan)) if add_ons.is_empty() => Ok(Offering::ProductPlan(plan)),
        (true, Some(_)) => Err((
            "add_ons",
            Invalid::new(
                "not_on_price_plan",
                "must be empty: the partner is on price plan, so customers get a product plan instead of add-ons",
            ),
        )),
        (true, None) => Err((
            "product_plan",
            Invalid::new(
                "required",
                "is required: the partner is on price plan, so every customer has a product plan",
            ),
        )),
        (false, Some(_)) => Err((
            "product_plan",
            Invalid::new(
                "on_price_plan_only",
                "must be empty: the partner is not on price plan, so customers get add-ons instead of a product plan",
            ),
        )),
        (false, None) => {
            let mut unique: Vec<Code> = Vec::with_capacity(add_ons.len());
            for add_on in add_ons {
                if unique.contains(&add_on) {
                    return Err((
                        "add_ons",
                        Invalid::new("duplicate", "lists an add-on twice"),
                    ));
                }
                unique.push(add_on);
            }
            Ok(Offering::AddOns(unique))
        }
    }
}

/// Seed 003: a paid account says who is billed; trial and free accounts bill nobody.
pub fn billing(
    account_type: AccountType,
    recipient: Option<BillingRecipient>,
) -> Result<Option<BillingRecipient>, Invalid> {
    match (account_type, recipient) {
        (AccountType::Paid, Some(recipient)) => Ok(Some(recipient)),
        (AccountType::Paid, None) => Err(Invalid::new(
            "required",
            "is required for a paid account: client or partner",
        )),
        (_, None) => Ok(None),
        (_, Some(_)) => Err(Invalid::new(
            "paid_only",
            "only a paid account has a billing recipient",
        )),
    }
}

/// Embedding by iframe: allowed only into the listed domains, so the flag needs at least one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Embedding {
    pub enabled: bool,
    pub domains: Vec<String>,
}

impl Embedding {
    /// Every invalid domain is reported with its index; the flag without a domain under
    /// index `None`.
    pub fn parse(
        enabled: bool,
        domains: &[String],
    ) -> Result<Embedding, Vec<(Option<usize>, Invalid)>> {
        let mut errors = Vec::new();
        let mut valid: Vec<String> = Vec::with_capacity(domains.len());
        for (index, domain) in domains.iter().enumerate() {
            let domain = domain.trim().to_ascii_lowercase();
            if !is_host_name(&domain) {
                errors.push((
                    Some(index),
                    Invalid::new("host_name", "must be a host name such as app.example.com"),
                ));
            } else if valid.contains(&domain) {
                errors.push((Some(index), Invalid::new("duplicate", "is listed twice")));
            } else {
                valid.push(domain);
            }
        }
        if enabled && domains.is_empty() {
            errors.push((
                None,
                Invalid::new(
                    "required",
                    "embedding by iframe needs at least one allowed domain",
                ),
            ));
        }
        if errors.is_empty() {
            Ok(Embedding {
                enabled,
                domains: valid,
            })
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_follow_the_lifecycle() {
        for status in CustomerStatus::ALL {
            assert_eq!(CustomerStatus::from_rank(status.rank()), Some(status));
        }
        assert_eq!(CustomerStatus::from_rank(8), None);
    }

    #[test]
    fn choices_are_spelled_exactly() {
        assert_eq!(Termset::parse("franchise"), Ok(Termset::Franchise));
        assert_eq!(Termset::parse("Franchise").unwrap_err().code, "termset");
        assert_eq!(AccountType::parse("paid"), Ok(AccountType::Paid));
        assert!(AccountState::parse("suspended").is_ok());
        assert!(
            LicenceType::parse("lease")
                .unwrap_err()
                .message
                .contains("perpetual")
        );
    }

    #[test]
    fn references_and_websites() {
        assert_eq!(CustomerRef::parse(" INV-42 ").unwrap().as_str(), "INV-42");
        assert!(CustomerRef::parse(" ").is_err());
        assert!(CustomerRef::parse(&"x".repeat(51)).is_err());
        assert_eq!(
            Website::parse("https://Acme.example").unwrap().as_str(),
            "https://acme.example/"
        );
        for bad in [
            "acme.example",
            "ftp://acme.example",
            "https://",
            "javascript:alert(1)",
            "https://a_b.example",
        ] {
            assert!(Website::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn counts_and_percentages() {
        assert_eq!(count(0), Ok(0));
        assert!(count(-1).is_err());
        assert!(count(i64::MAX).is_err());
        assert_eq!(percentage(100), Ok(100));
        assert!(percentage(101).is_err());
        assert!(percentage(-1).is_err());
    }

    #[test]
    fn a_price_plan_partner_gives_plans_and_the_others_add_ons() {
        assert_eq!(
            offering(true, Some("pro"), vec![]),
            Ok(Offering::ProductPlan("pro"))
        );
        assert_eq!(
            offering(true, None::<&str>, vec![]).unwrap_err().0,
            "product_plan"
        );
        assert_eq!(
            offering(true, Some("pro"), vec!["sso"]).unwrap_err().0,
            "add_ons"
        );
        assert_eq!(
            offering(false, None, vec!["sso", "api"]),
            Ok(Offering::AddOns(vec!["sso", "api"]))
        );
        assert_eq!(
            offering(false, None::<&str>, vec![]),
            Ok(Offering::AddOns(vec![]))
        );
        let refused = offering(false, Some("pro"), vec![]).unwrap_err();
        assert_eq!(refused.0, "product_plan");
        assert!(refused.1.message.contains("add-ons"));
        assert_eq!(
            offering(false, None, vec!["sso", "sso"])
                .unwrap_err()
                .1
                .code,
            "duplicate"
        );
    }

    #[test]
    fn only_paid_accounts_name_who_is_billed() {
        assert_eq!(
            billing(AccountType::Paid, Some(BillingRecipient::Partner)),
            Ok(Some(BillingRecipient::Partner))
        );
        assert_eq!(
            billing(AccountType::Paid, None).unwrap_err().code,
            "required"
        );
        assert_eq!(billing(AccountType::Trial, None), Ok(None));
        assert_eq!(
            billing(AccountType::Free, Some(BillingRecipient::Client))
                .unwrap_err()
                .code,
            "paid_only"
        );
    }

    #[test]
    fn embedding_needs_valid_domains_and_at_least_one_when_on() {
        let domains = |d: &[&str]| d.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            Embedding::parse(true, &domains(&["App.Example.com"])),
            Ok(Embedding {
                enabled: true,
                domains: domains(&["app.example.com"])
            })
        );
        assert_eq!(Embedding::parse(true, &[]).unwrap_err()[0].0, None);
        let errors = Embedding::parse(false, &domains(&["ok.example", "bad domain", "ok.example"]))
            .unwrap_err();
        let indexes: Vec<_> = errors.iter().map(|(i, e)| (*i, e.code)).collect();
        assert_eq!(
            indexes,
            vec![(Some(1), "host_name"), (Some(2), "duplicate")]
        );
        assert!(Embedding::parse(false, &[]).is_ok());
    }

    #[test]
    fn statuses_round_trip_in_lifecycle_order() {
        for pair in CustomerStatus::ALL.windows(2) {
            assert!(pair[0] < pair[1]);
        }
        for status in CustomerStatus::ALL {
            assert_eq!(CustomerStatus::parse(status.as_str()), Ok(status));
        }
        assert_eq!(
            CustomerStatus::parse("Established").unwrap_err().code,
            "status"
        );
        assert_eq!(CustomerStatus::ReadOnly.label(), "Read Only");
    }
}
