//! Identifiers and names, parsed once at the edge and valid for ever after.

use std::fmt;

/// Why a value was refused: a stable code and a message for a person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Invalid {
    pub code: &'static str,
    pub message: String,
}

impl Invalid {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

macro_rules! text_newtype {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }
    };
}
pub(crate) use text_newtype;

text_newtype!(
    /// A partner's account ID: `PART` and a suffix of 1–16 letters or digits, upper-case.
    PartnerId
);
text_newtype!(
    /// A customer's account ID and login prefix: 1–10 letters, upper-case; never starting with
    /// `PART` (the partners' prefix) and never the platform's own ID, so that an account ID
    /// typed at login names one kind of account only.
    CustomerId
);
text_newtype!(
    /// An email address, trimmed; its domain is lower-cased.
    Email
);
text_newtype!(
    /// A user's logon name (the "user logon"; defaults to the email address). Compared without
    /// regard to case: the canonical form is lower-case.
    Logon
);
text_newtype!(
    /// A person's or an organisation's display name: 1–200 characters, no control characters.
    DisplayName
);

pub const PARTNER_PREFIX: &str = "PART";
/// The platform operator's own account ID.
pub const PLATFORM_ACCOUNT_ID: &str = "PLATFORM";

impl PartnerId {
    pub fn parse(input: &str) -> Result<PartnerId, Invalid> {
        let id = input.trim().to_ascii_uppercase();
        let suffix = id.strip_prefix(PARTNER_PREFIX).unwrap_or("");
        let valid = id.starts_with(PARTNER_PREFIX)
            && (1..=16).contains(&suffix.len())
            && suffix.bytes().all(|b| b.is_ascii_alphanumeric());
        if valid {
            Ok(PartnerId(id))
        } else {
            Err(Invalid::new(
                "partner_id",
                "must be PART followed by 1 to 16 letters or digits, e.g. PARTACME",
            ))
        }
    }
}

impl CustomerId {
    pub fn parse(input: &str) -> Result<CustomerId, Invalid> {
        let id = input.trim().to_ascii_uppercase();
        if !(1..=10).contains(&id.len()) || !id.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(Invalid::new(
                "customer_id",
                "must be 1 to 10 letters, e.g. ACME",
            ));
        }
        if id.starts_with(PARTNER_PREFIX) || id == PLATFORM_ACCOUNT_ID {
            return Err(Invalid::new(
                "customer_id_reserved",
                format!(
                    "may not start with {PARTNER_PREFIX} nor be {PLATFORM_ACCOUNT_ID}: those name partners and the platform"
                ),
            ));
        }
        Ok(CustomerId(id))
    }
}

/// The account a user belongs to and logs in with.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AccountId {
    Platform,
    Partner(PartnerId),
    Customer(CustomerId),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccountKind {
    Platform,
    Partner,
    Customer,
}

impl AccountKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::Platform => "platform",
            AccountKind::Partner => "partner",
            AccountKind::Customer => "customer",
        }
    }

    pub fn parse(input: &str) -> Option<AccountKind> {
        [
            AccountKind::Platform,
            AccountKind::Partner,
            AccountKind::Customer,
        ]
        .into_iter()
        .find(|k| k.as_str() == input)
    }

    /// Whether a user of an account of this kind may log in or keep a session, given the
    /// `active` flag of its partner or customer (`None`: no such account). The platform is
    /// always open; an inactive or missing partner or customer shuts out all of its users.
    pub fn lets_users_in(self, account_active: Option<bool>) -> bool {
        match self {
            AccountKind::Platform => true,
            AccountKind::Partner | AccountKind::Customer => account_active == Some(true),
        }
    }
}

impl AccountId {
    /// Reads an account ID as typed at login: the kind follows from its form.
    pub fn parse(input: &str) -> Result<AccountId, Invalid> {
        let id = input.trim().to_ascii_uppercase();
        if id == PLATFORM_ACCOUNT_ID {
            Ok(AccountId::Platform)
        } else if id.starts_with(PARTNER_PREFIX) {
            PartnerId::parse(&id).map(AccountId::Partner)
        } else {
            CustomerId::parse(&id)
                .map(AccountId::Customer)
                .map_err(|_| {
                    Invalid::new(
                        "account_id",
                        "is not a platform, partner or customer account ID",
                    )
                })
        }
    }

    pub fn kind(&self) -> AccountKind {
        match self {
            AccountId::Platform => AccountKind::Platform,
            AccountId::Partner(_) => AccountKind::Partner,
            AccountId::Customer(_) => AccountKind::Customer,
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            AccountId::Platform => PLATFORM_ACCOUNT_ID,
            AccountId::Partner(id) => id.as_str(),
            AccountId::Customer(id) => id.as_str(),
        }
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Email {
    pub fn parse(input: &str) -> Result<Email, Invalid> {
        let invalid = || Invalid::new("email", "must be an email address, e.g. ana@example.com");
        let email = input.trim();
        let (local, domain) = email.rsplit_once('@').ok_or_else(invalid)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
        let domain = domain.to_ascii_lowercase();
        if !local_ok || email.len() > 254 || !is_host_name(&domain) || !domain.contains('.') {
            return Err(invalid());
        }
        Ok(Email(format!("{local}@{domain}")))
    }
}

/// An RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens.
pub fn is_host_name(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

impl Logon {
    pub fn parse(input: &str) -> Result<Logon, Invalid> {
        let logon = input.trim().to_lowercase();
        let valid = (1..=254).contains(&logon.chars().count())
            && !logon.chars().any(|c| c.is_whitespace() || c.is_control());
        if valid {
            Ok(Logon(logon))
        } else {
            Err(Invalid::new(
                "logon",
                "must be 1 to 254 characters without spaces",
            ))
        }
    }
}

impl From<&Email> for Logon {
    /// The default logon is the email address.
    fn from(email: &Email) -> Logon {
        Logon(email.as_str().to_lowercase())
    }
}

impl DisplayName {
    pub fn parse(input: &str) -> Result<DisplayName, Invalid> {
        let name = input.trim();
        let valid =
            (1..=200).contains(&name.chars().count()) && !name.chars().any(char::is_control);
        if valid {
            Ok(DisplayName(name.to_owned()))
        } else {
            Err(Invalid::new(
                "name",
                "must be 1 to 200 characters without control characters",
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_existing_active_account_lets_its_users_in() {
        for kind in [AccountKind::Partner, AccountKind::Customer] {
            assert!(kind.lets_users_in(Some(true)));
            assert!(!kind.lets_users_in(Some(false)));
            assert!(!kind.lets_users_in(None));
        }
        assert!(AccountKind::Platform.lets_users_in(None));
    }

    #[test]
    fn partner_ids() {
        assert_eq!(PartnerId::parse(" partacme ").unwrap().as_str(), "PARTACME");
        assert_eq!(PartnerId::parse("PART1").unwrap().as_str(), "PART1");
        assert!(PartnerId::parse(&format!("PART{}", "A".repeat(16))).is_ok());
        for bad in [
            "PART",
            "ACME",
            "PART-ACME",
            "PART ACME",
            &format!("PART{}", "A".repeat(17)),
        ] {
            assert!(PartnerId::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn customer_ids() {
        assert_eq!(CustomerId::parse("acme").unwrap().as_str(), "ACME");
        assert!(CustomerId::parse("ABCDEFGHIJ").is_ok());
        for bad in ["", "ABCDEFGHIJK", "AC1", "AC-ME", "ÄCME"] {
            assert_eq!(
                CustomerId::parse(bad).unwrap_err().code,
                "customer_id",
                "{bad}"
            );
        }
        for reserved in ["PARTY", "part", "PLATFORM"] {
            assert_eq!(
                CustomerId::parse(reserved).unwrap_err().code,
                "customer_id_reserved"
            );
        }
    }

    #[test]
    fn account_ids_name_one_kind() {
        assert_eq!(AccountId::parse("platform").unwrap(), AccountId::Platform);
        assert_eq!(
            AccountId::parse("partacme").unwrap().kind(),
            AccountKind::Partner
        );
        assert_eq!(
            AccountId::parse("acme").unwrap().kind(),
            AccountKind::Customer
        );
        assert!(AccountId::parse("PART").is_err());
        assert!(AccountId::parse("A1").is_err());
        for kind in [
            AccountKind::Platform,
            AccountKind::Partner,
            AccountKind::Customer,
        ] {
            assert_eq!(AccountKind::parse(kind.as_str()), Some(kind));
        }
    }

    #[test]
    fn emails() {
        assert_eq!(
            Email::parse(" Ana.B+hub@Example.COM ").unwrap().as_str(),
            "Ana.B+hub@example.com"
        );
        for bad in [
            "",
            "ana",
            "ana@",
            "@example.com",
            "ana@example",
            "a..b@example.com",
            "ana@exa mple.com",
            "ana@-x.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn logons_are_case_insensitive_and_default_to_the_email() {
        assert_eq!(Logon::parse(" Ana.B ").unwrap().as_str(), "ana.b");
        assert!(Logon::parse("ana b").is_err());
        assert!(Logon::parse("").is_err());
        let email = Email::parse("Ana@Example.com").unwrap();
        assert_eq!(Logon::from(&email).as_str(), "ana@example.com");
    }

    #[test]
    fn display_names() {
        assert_eq!(
            DisplayName::parse("  Ana Byrne ").unwrap().as_str(),
            "Ana Byrne"
        );
        assert!(DisplayName::parse(" ").is_err());
        assert!(DisplayName::parse("a\u{7}b").is_err());
        assert!(DisplayName::parse(&"x".repeat(201)).is_err());
    }

    #[test]
    fn host_names() {
        assert!(is_host_name("app.example.com"));
        assert!(is_host_name("localhost"));
        for bad in ["", "-a.com", "a-.com", "a..com", "a_b.com", &"a".repeat(64)] {
            assert!(!is_host_name(bad), "{bad}");
        }
    }
}
