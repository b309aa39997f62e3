//! Notification preferences (seed 004): a digest of outstanding tasks, daily or weekly (Monday
//! morning), covering the chosen categories; `none` sends nothing.

use crate::ids::Invalid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frequency {
    None,
    Daily,
    Weekly,
}

impl Frequency {
    pub const ALL: [Frequency; 3] = [Frequency::None, Frequency::Daily, Frequency::Weekly];

    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::None => "none",
            Frequency::Daily => "daily",
            Frequency::Weekly => "weekly",
        }
    }

    pub fn parse(input: &str) -> Result<Frequency, Invalid> {
        Frequency::ALL
            .into_iter()
            .find(|f| f.as_str() == input)
            .ok_or_else(|| Invalid::new("frequency", "must be none, daily or weekly"))
    }
}

/// The kinds of outstanding task a digest can cover.
pub const CATEGORIES: [&str; 4] = [
    "access_requests",
    "invitations",
    "customer_accounts",
    "platform_requests",
];

/// Checks a set of categories; returns them sorted and without repeats.
pub fn parse_categories(input: &[String]) -> Result<Vec<String>, Invalid> {
    let mut categories = Vec::new();
    for category in input {
        if !CATEGORIES.contains(&category.as_str()) {
            return Err(Invalid::new(
                "category",
                format!("`{category}` is not one of {}", CATEGORIES.join(", ")),
            ));
        }
        categories.push(category.clone());
    }
    categories.sort();
    categories.dedup();
    Ok(categories)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frequencies_and_categories() {
        for f in Frequency::ALL {
            assert_eq!(Frequency::parse(f.as_str()), Ok(f));
        }
        assert!(Frequency::parse("hourly").is_err());
        let parsed = parse_categories(&[
            "invitations".into(),
            "access_requests".into(),
            "invitations".into(),
        ]);
        assert_eq!(
            parsed,
            Ok(vec!["access_requests".to_owned(), "invitations".to_owned()])
        );
        assert!(parse_categories(&["gossip".into()]).is_err());
    }
}
