//! A domain choice (`domain::choice::Choice`) in a text column, stored as its word: a row holds
//! `GrantOrigin`, not a `String` that every reader must parse and every writer must spell.
//! Used as `#[diesel(deserialize_as = Word<…>, serialize_as = Word<…>)]` on a row's field and
//! as `column.eq(Word(value))` in a filter.

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::pg::Pg;
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Text;
use diesel::sqlite::Sqlite;
use domain::choice::Choice;

type Multi = <crate::DbConnection as diesel::Connection>::Backend;

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    diesel::expression::AsExpression,
    diesel::deserialize::FromSqlRow,
)]
#[diesel(sql_type = Text)]
pub struct Word<T>(pub T);

impl<T> From<T> for Word<T> {
    fn from(value: T) -> Self {
        Word(value)
    }
}

/// A word the domain does not know is a damaged row (or a migration that forgot a value): an
/// error, never a silent default.
fn read<T: Choice>(text: &str) -> deserialize::Result<Word<T>> {
    T::parse(text)
        .map(Word)
        .map_err(|invalid| format!("stored word {text:?}: {invalid}").into())
}

impl<T: Choice> FromSql<Text, Sqlite> for Word<T> {
    fn from_sql(value: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        read(&<String as FromSql<Text, Sqlite>>::from_sql(value)?)
    }
}

impl<T: Choice> FromSql<Text, Pg> for Word<T> {
    fn from_sql(value: <Pg as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        read(std::str::from_utf8(value.as_bytes())?)
    }
}

impl<T: Choice> FromSql<Text, Multi> for Word<T> {
    fn from_sql(value: <Multi as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        value.from_sql::<Self, Text>()
    }
}

impl<T: Choice + std::fmt::Debug> ToSql<Text, Sqlite> for Word<T> {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        <str as ToSql<Text, Sqlite>>::to_sql(self.0.as_str(), out)
    }
}

impl<T: Choice + std::fmt::Debug> ToSql<Text, Pg> for Word<T> {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        <str as ToSql<Text, Pg>>::to_sql(self.0.as_str(), out)
    }
}

impl<T: Choice + std::fmt::Debug + Send + Sync> ToSql<Text, Multi> for Word<T> {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Multi>) -> serialize::Result {
        out.set_value((Text, self));
        Ok(serialize::IsNull::No)
    }
}

/// `From<Word<X>> for X`, which `deserialize_as` needs, for each choice a row holds (a generic
/// impl is not allowed for a type of another crate).
macro_rules! words {
    ($($choice:ty),+ $(,)?) => {
        $(impl From<Word<$choice>> for $choice {
            fn from(Word(value): Word<$choice>) -> $choice {
                value
            }
        })+
    };
}

words!(domain::access::GrantOrigin, domain::request::Decision);
