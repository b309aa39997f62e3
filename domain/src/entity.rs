//! Entities: the sites, offices or practices inside a customer. Their IDs are the customer ID
//! and a 4-digit number (ACME0001); number 0 is the group layer, created with the customer.

use crate::ids::{CustomerId, Invalid};

/// The group layer's number and its built-in type (not a catalogue entry).
pub const GROUP_LAYER: u16 = 0;
pub const GROUP_TYPE: &str = "group";
pub const MAX_NUMBER: u16 = 9999;

/// `ACME` and 7 → `ACME0007`.
pub fn entity_id(customer: &CustomerId, number: u16) -> String {
    format!("{customer}{number:04}")
}

/// The number a new entity gets when `next` is the customer's counter, or `None` when all 9 999
/// are used. Numbers are never reused, so that an entity ID names one entity for ever.
pub fn allocate(next: u16) -> Option<u16> {
    (1..=MAX_NUMBER).contains(&next).then_some(next)
}

/// Splits an entity ID into its customer ID and number, when it is one.
pub fn parse_entity_id(input: &str) -> Result<(CustomerId, u16), Invalid> {
    let invalid = || Invalid::new("entity_id", "must be a customer ID followed by 4 digits");
    let split = input.len().checked_sub(4).ok_or_else(invalid)?;
    let (prefix, digits) = (input.get(..split), input.get(split..));
    let (Some(prefix), Some(digits)) = (prefix, digits) else {
        return Err(invalid());
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) || prefix.trim() != prefix {
        return Err(invalid());
    }
    let customer = CustomerId::parse(prefix).map_err(|_| invalid())?;
    let number = digits.parse().map_err(|_| invalid())?;
    Ok((customer, number))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_the_customer_id_and_four_digits() {
        let acme = CustomerId::parse("ACME").unwrap();
        assert_eq!(entity_id(&acme, GROUP_LAYER), "ACME0000");
        assert_eq!(entity_id(&acme, 42), "ACME0042");
        assert_eq!(parse_entity_id("ACME0042"), Ok((acme.clone(), 42)));
        assert_eq!(parse_entity_id("acme9999"), Ok((acme, 9999)));
        for bad in [
            "",
            "0001",
            "ACME001",
            "ACME00001X",
            "AC1E0001",
            "ACME-001",
            "ACMEé001",
        ] {
            assert!(parse_entity_id(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn numbers_run_out_after_9999() {
        assert_eq!(allocate(1), Some(1));
        assert_eq!(allocate(9999), Some(9999));
        assert_eq!(allocate(10_000), None);
        assert_eq!(allocate(0), None);
    }
}
