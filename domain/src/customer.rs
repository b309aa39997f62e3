//! Customer lifecycle statuses (DOMAIN.md §3), in lifecycle order.

use crate::ids::Invalid;

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

#[cfg(test)]
mod tests {
    use super::*;

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
