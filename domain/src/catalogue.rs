//! The lists the platform keeps (seed 000: "AIQ will add to this list"): sectors, product plans,
//! add-ons, entity types and licensable products. Each item has a stable code that customers and
//! entities refer to and a label people read.

use crate::choice::choice;
use crate::ids::{Invalid, text_newtype};
use std::fmt;

choice!(
    /// Which list an item belongs to.
    CatalogueKind, "catalogue" {
        Sector = "sector",
        ProductPlan = "product_plan",
        AddOn = "add_on",
        EntityType = "entity_type",
        /// A product a customer can hold licences for.
        Product = "product",
    }
);

text_newtype!(
    /// An item's code: 1–40 lower-case letters, digits or underscores, starting with a letter.
    CatalogueCode
);

impl CatalogueCode {
    pub fn parse(input: &str) -> Result<CatalogueCode, Invalid> {
        let valid = (1..=40).contains(&input.len())
            && input.starts_with(|c: char| c.is_ascii_lowercase())
            && input
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if valid {
            Ok(CatalogueCode(input.to_owned()))
        } else {
            Err(Invalid::new(
                "code",
                "must be 1 to 40 lower-case letters, digits or underscores, starting with a letter",
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_and_unknown_ones_are_named() {
        for kind in CatalogueKind::ALL {
            assert_eq!(CatalogueKind::parse(kind.as_str()), Ok(*kind));
        }
        let refused = CatalogueKind::parse("Sector").unwrap_err();
        assert!(refused.message.contains("product_plan"), "{refused:?}");
    }

    #[test]
    fn codes() {
        assert!(CatalogueCode::parse("api_access").is_ok());
        assert!(CatalogueCode::parse("a1").is_ok());
        for bad in ["", "1a", "Api", "api-access", "_a", &"a".repeat(41)] {
            assert!(CatalogueCode::parse(bad).is_err(), "{bad}");
        }
    }
}
