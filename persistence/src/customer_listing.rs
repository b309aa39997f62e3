//! The customer listing's query: any column filtered (one of, contains, at least / at most, is
//! empty) and sorted either way, a page at a time by keyset. One engine serves the listing, its
//! total and the exports.
//!
//! Sorting by a column that may be empty orders by (empty?, value, id): empty values come last
//! ascending and first descending, the same on both backends.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::QueryResult;
use diesel::sql_types::{Nullable, Text};

use crate::DbConnection;
use crate::customers::CustomerRow;

diesel::define_sql_function!(
    /// SQL `lower()`, for case-blind "contains" filters.
    #[sql_name = "lower"]
    fn lower(x: Nullable<Text>) -> Nullable<Text>
);

/// Every column the listing can filter and sort by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Id,
    Name,
    Ref,
    Active,
    Status,
    ProductPlan,
    Sector,
    Termset,
    Website,
    ContactName,
    ContactEmail,
    RequiresAccessPermission,
    IframeEmbedding,
    MembershipEndDate,
    Locations,
    AccountType,
    BillingRecipient,
    CompliancePercent,
    Workers,
    NextRenewalDate,
    AccountState,
    LastLoginAt,
    CreatedAt,
    UpdatedAt,
    Entities,
    Users,
}

/// How a column's values are typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Int,
    Bool,
    Date,
    Time,
}

/// A value of a column, for filters and cursors.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Value {
    Text(String),
    Int(i32),
    Bool(bool),
    Date(NaiveDate),
    Time(NaiveDateTime),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    /// Equal to one of the values.
    OneOf(Column, Vec<Value>),
    /// Text containing this, in any case.
    Contains(Column, String),
    AtLeast(Column, Value),
    AtMost(Column, Value),
    /// Empty (`true`) or not (`false`).
    Empty(Column, bool),
    /// Holds a licence for one of these products.
    LicensedProduct(Vec<String>),
}

/// Whose customers: a partner's, or only those assigned to one of its users.
#[derive(Debug, Clone)]
pub struct Scope {
    pub partner_id: String,
    pub assigned_to: Option<String>,
}

/// One key of a sort: a column, either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortKey {
    pub column: Column,
    pub descending: bool,
}

/// The most keys a sort takes.
pub const MAX_SORT_KEYS: usize = 3;

/// The listing's order: its first key, then up to two more, each either way; the ID breaks
/// the ties that remain, in the last key's direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub column: Column,
    pub descending: bool,
    pub then: [Option<SortKey>; MAX_SORT_KEYS - 1],
}

impl Sort {
    /// By one column.
    pub fn by(column: Column, descending: bool) -> Sort {
        Sort {
            column,
            descending,
            then: [None; MAX_SORT_KEYS - 1],
        }
    }

    /// Every key, the first one first.
    pub fn keys(&self) -> impl Iterator<Item = SortKey> + '_ {
        std::iter::once(SortKey {
            column: self.column,
            descending: self.descending,
        })
        .chain(self.then.iter().flatten().copied())
    }

    /// Whether the ID breaks ties descending.
    pub fn last_descending(&self) -> bool {
        self.keys().last().is_some_and(|k| k.descending)
    }

    /// The row's value of every key, as a cursor holds them.
    pub fn key_of(&self, row: &CustomerRow) -> Vec<Option<Value>> {
        self.keys().map(|k| k.column.value_of(row)).collect()
    }
}

/// Where a page starts: after the row with these sort keys (one per key of the sort) and ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct After {
    pub keys: Vec<Option<Value>>,
    pub id: String,
}

impl Column {
    pub fn kind(self) -> Kind {
        // Read off the column's SQL type; either backend's copy of the query has the same.
        use on_sqlite::Typed;
        match on_sqlite::typed(self) {
            Typed::Text(_) => Kind::Text,
            Typed::Int(_) => Kind::Int,
            Typed::Bool(_) => Kind::Bool,
            Typed::Date(_) => Kind::Date,
            Typed::Time(_) => Kind::Time,
        }
    }

    /// Whether the column may be empty.
    pub fn nullable(self) -> bool {
        matches!(
            self,
            Column::ProductPlan
                | Column::Sector
                | Column::Website
                | Column::ContactName
                | Column::ContactEmail
                | Column::MembershipEndDate
                | Column::Locations
                | Column::BillingRecipient
                | Column::CompliancePercent
                | Column::Workers
                | Column::NextRenewalDate
                | Column::LastLoginAt
        )
    }

    /// The row's value in this column, as a cursor holds it.
    pub fn value_of(self, row: &CustomerRow) -> Option<Value> {
        let text = |s: &String| Some(Value::Text(s.clone()));
        match self {
            Column::Id => text(&row.id),
            Column::Name => text(&row.name),
            Column::Ref => text(&row.reference),
            Column::Active => Some(Value::Bool(row.active)),
            Column::Status => Some(Value::Int(row.status)),
            Column::ProductPlan => row.product_plan.as_ref().and_then(text),
            Column::Sector => row.sector.as_ref().and_then(text),
            Column::Termset => text(&row.termset),
            Column::Website => row.website.as_ref().and_then(text),
            Column::ContactName => row.contact_name.as_ref().and_then(text),
            Column::ContactEmail => row.contact_email.as_ref().and_then(text),
            Column::RequiresAccessPermission => Some(Value::Bool(row.requires_access_permission)),
            Column::IframeEmbedding => Some(Value::Bool(row.iframe_embedding)),
            Column::MembershipEndDate => row.membership_end_date.map(Value::Date),
            Column::Locations => row.locations.map(Value::Int),
            Column::AccountType => text(&row.account_type),
            Column::BillingRecipient => row.billing_recipient.as_ref().and_then(text),
            Column::CompliancePercent => row.compliance_percent.map(Value::Int),
            Column::Workers => row.workers.map(Value::Int),
            Column::NextRenewalDate => row.next_renewal_date.map(Value::Date),
            Column::AccountState => text(&row.account_state),
            Column::LastLoginAt => row.last_login_at.map(Value::Time),
            Column::CreatedAt => Some(Value::Time(row.created_at)),
            Column::UpdatedAt => Some(Value::Time(row.updated_at)),
            Column::Entities => Some(Value::Int(row.entity_count)),
            Column::Users => Some(Value::Int(row.user_count)),
        }
    }
}

/// `%`, `_` and `\` match themselves in a LIKE pattern built from `text`.
pub fn like_pattern(text: &str) -> String {
    let escaped = text
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// Who looks at a page, for its `can_access` flags.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub user_id: String,
    pub now: NaiveDateTime,
}

// The query itself, compiled once per backend (see the note at the top of the file).
mod on_sqlite {
    type Dialect = diesel::sqlite::Sqlite;
    type Conn = diesel::SqliteConnection;
    /// See `paged`.
    const IDS_FIRST: bool = false;
    /// SQLite plans a statement without its values: see `filtered` and `few_match`.
    const PLANS_WITHOUT_VALUES: bool = true;
    /// SQLite compares text in byte order already: see `in_byte_order`.
    const ID_COLLATION: &str = "";
    /// See `contains`.
    const LIKE_IGNORES_CASE: bool = true;
    include!("customer_listing/query.rs");
}

mod on_postgres {
    type Dialect = diesel::pg::Pg;
    type Conn = diesel::PgConnection;
    /// See `paged`.
    const IDS_FIRST: bool = true;
    /// PostgreSQL plans with them.
    const PLANS_WITHOUT_VALUES: bool = false;
    /// See `in_byte_order`.
    const ID_COLLATION: &str = " COLLATE \"C\"";
    /// See `contains`.
    const LIKE_IGNORES_CASE: bool = false;
    include!("customer_listing/query.rs");
}

/// One page of the listing: `limit` rows after `after`, in `sort` order with the ID as the
/// tiebreak.
pub fn page(
    conn: &mut DbConnection,
    scope: &Scope,
    filters: &[Filter],
    sort: Sort,
    after: Option<&After>,
    limit: i64,
) -> QueryResult<Vec<CustomerRow>> {
    match conn {
        DbConnection::Sqlite(c) => on_sqlite::page(c, scope, filters, sort, after, limit),
        DbConnection::Postgres(c) => on_postgres::page(c, scope, filters, sort, after, limit),
    }
}

/// [`page`] with, for each row, whether the viewer holds a grant into the customer that is
/// live at `now` — in the same query (a correlated subquery on the grants' customer index),
/// not a second one with the page's IDs.
pub fn page_seen_by(
    conn: &mut DbConnection,
    viewer: &Viewer,
    scope: &Scope,
    filters: &[Filter],
    sort: Sort,
    after: Option<&After>,
    limit: i64,
) -> QueryResult<Vec<(CustomerRow, bool)>> {
    match conn {
        DbConnection::Sqlite(c) => {
            on_sqlite::page_seen_by(c, viewer, scope, filters, sort, after, limit)
        }
        DbConnection::Postgres(c) => {
            on_postgres::page_seen_by(c, viewer, scope, filters, sort, after, limit)
        }
    }
}

/// How many customers match, over all pages.
pub fn count(conn: &mut DbConnection, scope: &Scope, filters: &[Filter]) -> QueryResult<i64> {
    match conn {
        DbConnection::Sqlite(c) => on_sqlite::count(c, scope, filters),
        DbConnection::Postgres(c) => on_postgres::count(c, scope, filters),
    }
}
