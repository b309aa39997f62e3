//! The customer record as the API shows it: the fields a create or edit sends (parsed by
//! `services::customers::record`), and the answer, written straight from the stored row.

mod answer;
mod fields;

pub use answer::{Counts, Customer, Stored, seen, to_json};
pub use fields::{CustomerFields, Licence, LicenceFields};

use serde::{Deserialize, Deserializer};

/// A field of a partial update: absent (`None`), cleared with `null` (`Some(None)`) or set.
pub type Field<T> = Option<Option<T>>;

/// Tells an explicit `null` from an absent field.
pub(crate) fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Field<T>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}
