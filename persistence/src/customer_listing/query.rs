// The listing's query, written once for any backend: `customer_listing` includes this file once
// for SQLite and once for PostgreSQL (with their `Dialect` and `Conn`), so that the query runs on
// the concrete connection. Through diesel's `MultiConnection` the boxed query's SQL text was
// written anew in each of its passes over it (binds, cacheability, the cache key): the listing
// took 6 % more instructions per request on SQLite and 8 % more on PostgreSQL that way.

use chrono::NaiveDateTime;
use diesel::dsl::sql;
use diesel::expression::BoxableExpression;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Date, Integer, Nullable, Text, Timestamp};

use super::{After, Column, Filter, Scope, Sort, SortKey, Value, Viewer, like_pattern};
use crate::customers::CustomerRow;
use crate::schema::{customer_assignments, customers};

type Expr<ST> = Box<dyn BoxableExpression<customers::table, Dialect, SqlType = ST>>;
type Condition = Expr<Nullable<Bool>>;

pub(super) enum Typed {
    Text(Expr<Nullable<Text>>),
    Int(Expr<Nullable<Integer>>),
    Bool(Expr<Nullable<Bool>>),
    Date(Expr<Nullable<Date>>),
    Time(Expr<Nullable<Timestamp>>),
}

/// The column as an expression of its SQL type.
pub(super) fn typed(column: Column) -> Typed {
    use customers as c;
    match column {
        Column::Id => Typed::Text(Box::new(in_byte_order(c::id.nullable()))),
        Column::Name => Typed::Text(Box::new(c::name.nullable())),
        Column::Ref => Typed::Text(Box::new(c::reference.nullable())),
        Column::Active => Typed::Bool(Box::new(c::active.nullable())),
        Column::Status => Typed::Int(Box::new(c::status.nullable())),
        Column::ProductPlan => Typed::Text(Box::new(c::product_plan)),
        Column::Sector => Typed::Text(Box::new(c::sector)),
        Column::Termset => Typed::Text(Box::new(c::termset.nullable())),
        Column::Website => Typed::Text(Box::new(c::website)),
        Column::ContactName => Typed::Text(Box::new(c::contact_name)),
        Column::ContactEmail => Typed::Text(Box::new(c::contact_email)),
        Column::RequiresAccessPermission => {
            Typed::Bool(Box::new(c::requires_access_permission.nullable()))
        }
        Column::IframeEmbedding => Typed::Bool(Box::new(c::iframe_embedding.nullable())),
        Column::MembershipEndDate => Typed::Date(Box::new(c::membership_end_date)),
        Column::Locations => Typed::Int(Box::new(c::locations)),
        Column::AccountType => Typed::Text(Box::new(c::account_type.nullable())),
        Column::BillingRecipient => Typed::Text(Box::new(c::billing_recipient)),
        Column::CompliancePercent => Typed::Int(Box::new(c::compliance_percent)),
        Column::Workers => Typed::Int(Box::new(c::workers)),
        Column::NextRenewalDate => Typed::Date(Box::new(c::next_renewal_date)),
        Column::AccountState => Typed::Text(Box::new(c::account_state.nullable())),
        Column::LastLoginAt => Typed::Time(Box::new(c::last_login_at)),
        Column::CreatedAt => Typed::Time(Box::new(c::created_at.nullable())),
        Column::UpdatedAt => Typed::Time(Box::new(c::updated_at.nullable())),
        Column::Entities => Typed::Int(Box::new(c::entity_count.nullable())),
        Column::Users => Typed::Int(Box::new(c::user_count.nullable())),
    }
}

fn mismatch(column: Column) -> diesel::result::Error {
    diesel::result::Error::QueryBuilderError(
        format!("a value of the wrong type for column {column:?}").into(),
    )
}

#[derive(Clone, Copy)]
enum Cmp {
    Eq,
    Gt,
    Lt,
    Ge,
    Le,
}

/// `column <cmp> value`, typed by the column.
fn compare(column: Column, cmp: Cmp, value: &Value) -> QueryResult<Condition> {
    macro_rules! apply {
        ($expr:expr, $v:expr) => {
            match cmp {
                Cmp::Eq => Box::new($expr.eq($v)) as Condition,
                Cmp::Gt => Box::new($expr.gt($v)),
                Cmp::Lt => Box::new($expr.lt($v)),
                Cmp::Ge => Box::new($expr.ge($v)),
                Cmp::Le => Box::new($expr.le($v)),
            }
        };
    }
    Ok(match (typed(column), value) {
        (Typed::Text(e), Value::Text(v)) => apply!(e, v.clone()),
        (Typed::Int(e), Value::Int(v)) => apply!(e, *v),
        (Typed::Bool(e), Value::Bool(v)) => apply!(e, *v),
        (Typed::Date(e), Value::Date(v)) => apply!(e, *v),
        (Typed::Time(e), Value::Time(v)) => apply!(e, *v),
        _ => return Err(mismatch(column)),
    })
}

fn is_null(column: Column) -> Condition {
    match typed(column) {
        Typed::Text(e) => Box::new(e.is_null().nullable()),
        Typed::Int(e) => Box::new(e.is_null().nullable()),
        Typed::Bool(e) => Box::new(e.is_null().nullable()),
        Typed::Date(e) => Box::new(e.is_null().nullable()),
        Typed::Time(e) => Box::new(e.is_null().nullable()),
    }
}

fn any(conditions: Vec<Condition>) -> Condition {
    conditions
        .into_iter()
        .reduce(|a, b| Box::new(a.or(b)))
        .unwrap_or_else(|| Box::new(sql::<Bool>("1 = 0").nullable()))
}

/// The filter as a condition. With `seek`, a value compared on a column that may be empty also
/// says "not empty", which it implies: that is the second column of the column's index (see the
/// grid indexes' migration), so the index can seek to the value.
fn condition(filter: &Filter, seek: bool) -> QueryResult<Condition> {
    let compared = match filter {
        Filter::OneOf(column, _) | Filter::AtLeast(column, _) | Filter::AtMost(column, _) => {
            Some(*column)
        }
        _ => None,
    };
    let condition = value_condition(filter)?;
    Ok(match compared.filter(|c| seek && c.nullable()) {
        Some(column) => Box::new(is_null(column).eq(false).and(condition)),
        None => condition,
    })
}

fn value_condition(filter: &Filter) -> QueryResult<Condition> {
    Ok(match filter {
        Filter::OneOf(column, values) => any(values
            .iter()
            .map(|v| compare(*column, Cmp::Eq, v))
            .collect::<QueryResult<_>>()?),
        Filter::Contains(column, text) => Box::new(PlannedWithValues(contains(*column, text)?)),
        Filter::AtLeast(column, value) => compare(*column, Cmp::Ge, value)?,
        Filter::AtMost(column, value) => compare(*column, Cmp::Le, value)?,
        Filter::Empty(column, true) => is_null(*column),
        Filter::Empty(column, false) => Box::new(is_null(*column).eq(false)),
        Filter::LicensedProduct(codes) => any(codes
            .iter()
            .map(|code| {
                Box::new(
                    customers::licensed_products
                        .like(format!("% {code} %"))
                        .nullable(),
                ) as Condition
            })
            .collect()),
    })
}

/// `column` contains `text`, regardless of case. PostgreSQL compares the column's lower-cased
/// copy, which the name index carries (see the search copies' migration); SQLite's LIKE ignores
/// the case of ASCII letters itself, as its lower() folds no others, so there the column is
/// compared as it is. The ID is upper-case letters only, and compared as it is on both.
fn contains(column: Column, text: &str) -> QueryResult<Condition> {
    use customers as c;
    let pattern = like_pattern(text);
    let searched: Expr<Nullable<Text>> = match (column, typed(column)) {
        (Column::Id, Typed::Text(id)) => {
            return Ok(Box::new(id.like(pattern.to_ascii_uppercase()).escape('\\')));
        }
        (_, Typed::Text(e)) if LIKE_IGNORES_CASE => e,
        (Column::Name, _) => Box::new(c::name_lower),
        (Column::Ref, _) => Box::new(c::ref_lower),
        (Column::Website, _) => Box::new(c::website_lower),
        (Column::ContactName, _) => Box::new(c::contact_name_lower),
        (Column::ContactEmail, _) => Box::new(c::contact_email_lower),
        _ => return Err(mismatch(column)),
    };
    Ok(Box::new(searched.like(pattern).escape('\\')))
}

/// The rows after `after` in `sort` order: see the module's note on empty values.
fn after_condition(sort: Sort, after: &After) -> QueryResult<Condition> {
    if after.keys.len() != sort.keys().count() {
        return Err(diesel::result::Error::QueryBuilderError(
            "a cursor for another sort".into(),
        ));
    }
    match after.keys.as_slice() {
        [key] => after_one_key(sort, key.as_ref(), &after.id),
        keys => after_keys(sort, keys, &after.id),
    }
}

/// After one key. A page after a key is `column ≥ key AND (column > key OR (column = key AND
/// id > after))`: the first half is redundant, but it is what lets both databases seek the
/// sort index straight to the key instead of reading every earlier row of the listing (a page
/// 8 000 rows deep cost 5× the first one without it on PostgreSQL).
fn after_one_key(sort: Sort, key: Option<&Value>, after_id: &str) -> QueryResult<Condition> {
    let column = sort.column;
    let id = || Value::Text(after_id.to_owned());
    let (bound, further, id_further) = if sort.descending {
        (Cmp::Le, Cmp::Lt, compare(Column::Id, Cmp::Lt, &id())?)
    } else {
        (Cmp::Ge, Cmp::Gt, compare(Column::Id, Cmp::Gt, &id())?)
    };
    Ok(match (key, sort.descending) {
        (Some(key), descending) => {
            let mut either = vec![
                compare(column, further, key)?,
                Box::new(compare(column, Cmp::Eq, key)?.and(id_further)) as Condition,
            ];
            let mut seek = vec![compare(column, bound, key)?];
            if column.nullable() && !descending {
                either.push(is_null(column));
                seek.push(is_null(column));
            }
            Box::new(any(seek).and(any(either)))
        }
        (None, false) => Box::new(is_null(column).and(id_further)),
        (None, true) => any(vec![
            Box::new(is_null(column).and(id_further)),
            Box::new(is_null(column).eq(false)),
        ]),
    })
}

/// After several keys, lexicographically: the first key further on, or equal and the second
/// further on, …, or every key equal and the ID further on (in the last key's direction). The
/// first key's "further on or equal" goes in front, for the index seek as with one key.
fn after_keys(sort: Sort, keys: &[Option<Value>], after_id: &str) -> QueryResult<Condition> {
    let sorted: Vec<SortKey> = sort.keys().collect();
    let id = Value::Text(after_id.to_owned());
    let id_cmp = if sort.last_descending() {
        Cmp::Lt
    } else {
        Cmp::Gt
    };
    let mut alternatives = Vec::with_capacity(keys.len() + 1);
    for i in 0..=keys.len() {
        let mut all = Vec::with_capacity(i + 1);
        for (key, value) in sorted.iter().zip(keys).take(i) {
            all.push(key_equal(*key, value.as_ref())?);
        }
        match sorted.get(i).zip(keys.get(i)) {
            Some((key, value)) => match key_further(*key, value.as_ref())? {
                Some(further) => all.push(further),
                None => continue,
            },
            None => all.push(compare(Column::Id, id_cmp, &id)?),
        }
        alternatives.push(every(all));
    }
    let first = sorted[0];
    let mut seek = vec![key_equal(first, keys[0].as_ref())?];
    if let Some(further) = key_further(first, keys[0].as_ref())? {
        seek.push(further);
    }
    Ok(Box::new(any(seek).and(any(alternatives))))
}

/// The rows whose `key` equals `value` (empty when `value` is).
fn key_equal(key: SortKey, value: Option<&Value>) -> QueryResult<Condition> {
    match value {
        Some(value) => compare(key.column, Cmp::Eq, value),
        None => Ok(is_null(key.column)),
    }
}

/// The rows whose `key` comes after `value` in its direction, empty values last ascending and
/// first descending; `None` when none can (nothing follows an empty value ascending).
fn key_further(key: SortKey, value: Option<&Value>) -> QueryResult<Option<Condition>> {
    let column = key.column;
    Ok(match (value, key.descending) {
        (Some(value), false) if column.nullable() => Some(any(vec![
            compare(column, Cmp::Gt, value)?,
            is_null(column),
        ])),
        (Some(value), false) => Some(compare(column, Cmp::Gt, value)?),
        (Some(value), true) => Some(compare(column, Cmp::Lt, value)?),
        (None, false) => None,
        (None, true) => Some(Box::new(is_null(column).eq(false))),
    })
}

fn every(conditions: Vec<Condition>) -> Condition {
    conditions
        .into_iter()
        .reduce(|a, b| Box::new(a.and(b)))
        .unwrap_or_else(|| Box::new(sql::<Bool>("1 = 1").nullable()))
}

/// The matching rows, unordered; `walked_by` is the first sort key's column when the rows are
/// to be found by walking its index in order.
///
/// SQLite plans a statement without its values (the planner stability guarantee the bundled
/// build is made with), so a walk is spelled out for it:
/// - given a status and another column to sort by, it took the status index and sorted all the
///   status's customers, an eighth of the partner's (20-140 ms a page), where walking the sort
///   column's index, whose entries hold the status, stops after the page. There the status is
///   compared as `+status`, which no index serves; sorted by name or by status, the status's
///   own indexes serve both;
/// - a value compared on a column that may be empty is not said to be "not empty" (see
///   [`condition`]): with that term the column's index looked the better start for any value.
///
/// PostgreSQL weighs the plans with the values, and a generic plan (a statement's after five
/// runs) plans every partner as a big one (the grid indexes' migration says why).
fn filtered<'a>(
    scope: &Scope,
    filters: &[Filter],
    walked_by: Option<Column>,
) -> QueryResult<customers::BoxedQuery<'a, Dialect>> {
    let mut query = customers::table
        .filter(customers::partner_id.eq(scope.partner_id.clone()))
        .into_boxed();
    if let Some(user_id) = &scope.assigned_to {
        query = query.filter(
            customers::id.eq_any(
                customer_assignments::table
                    .filter(customer_assignments::user_id.eq(user_id.clone()))
                    .select(customer_assignments::customer_id),
            ),
        );
    }
    let walked = PLANS_WITHOUT_VALUES && walked_by.is_some();
    let beside_sort = walked && walked_by.is_some_and(|c| !matches!(c, Column::Name | Column::Status));
    for filter in filters {
        query = match filter {
            Filter::OneOf(Column::Status, values) if beside_sort => {
                query.filter(any(values
                    .iter()
                    .map(|value| match value {
                        Value::Int(rank) => Ok(Box::new(unindexed(customers::status).eq(*rank).nullable()) as Condition),
                        _ => Err(mismatch(Column::Status)),
                    })
                    .collect::<QueryResult<_>>()?))
            }
            _ => query.filter(condition(filter, !walked)?),
        };
    }
    Ok(query)
}

/// [`super::page`] on this backend.
pub(super) fn page(
    conn: &mut Conn,
    scope: &Scope,
    filters: &[Filter],
    sort: Sort,
    after: Option<&After>,
    limit: i64,
) -> QueryResult<Vec<CustomerRow>> {
    let walk = !few_match(conn, scope, filters, sort)?;
    let (query, limit) = paged(scope, filters, sort, after, limit, walk)?;
    Limited {
        query: query.select(CustomerRow::as_select()),
        limit,
    }
    .load(conn)
}

/// [`super::page_seen_by`] on this backend.
pub(super) fn page_seen_by(
    conn: &mut Conn,
    viewer: &Viewer,
    scope: &Scope,
    filters: &[Filter],
    sort: Sort,
    after: Option<&After>,
    limit: i64,
) -> QueryResult<Vec<(CustomerRow, bool)>> {
    let live_grant = LiveGrant {
        user_id: viewer.user_id.clone(),
        now: viewer.now,
    };
    let walk = !few_match(conn, scope, filters, sort)?;
    let (query, limit) = paged(scope, filters, sort, after, limit, walk)?;
    Limited {
        query: query.select((CustomerRow::as_select(), live_grant)),
        limit,
    }
    .load(conn)
}

/// Whether the user holds a grant into this row's customer, live at `now`, as a fragment of its
/// own rather than `sql()`: diesel never caches a statement holding raw SQL, and preparing the
/// listing's statement anew took a tenth of its CPU.
#[derive(Debug, Clone, diesel::query_builder::QueryId, diesel::expression::ValidGrouping)]
struct LiveGrant {
    user_id: String,
    now: NaiveDateTime,
}

impl diesel::Expression for LiveGrant {
    type SqlType = Bool;
}

impl diesel::AppearsOnTable<customers::table> for LiveGrant {}
impl diesel::SelectableExpression<customers::table> for LiveGrant {}

impl diesel::query_builder::QueryFragment<Dialect> for LiveGrant {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, Dialect>,
    ) -> QueryResult<()> {
        // A scalar subquery, not EXISTS: PostgreSQL turns an EXISTS into a hashed subplan that
        // reads every grant the user holds (10 000 for the demo's admin, 9 ms) instead of
        // probing the grants' customer index once per row of the page (0.3 ms).
        out.push_sql(
            "(SELECT 1 FROM access_grants g WHERE g.customer_id = customers.id AND g.user_id = ",
        );
        out.push_bind_param::<Text, _>(&self.user_id)?;
        out.push_sql(" AND (g.expires_at IS NULL OR g.expires_at > ");
        out.push_bind_param::<Timestamp, _>(&self.now)?;
        out.push_sql(") LIMIT 1) IS NOT NULL");
        Ok(())
    }
}

/// A condition that PostgreSQL must plan with its values. A "contains" pattern matches anywhere
/// from none to all of a partner's customers; from its sixth execution a cached statement ran
/// a generic plan that guessed a few matches, read all 9 800 through the trigram index and
/// sorted them (40 ms), where walking the partner's name index stops after a page (~6 ms).
/// Uncacheable, the statement goes out unnamed and is planned every time with its pattern.
struct PlannedWithValues(Condition);

impl diesel::Expression for PlannedWithValues {
    type SqlType = Nullable<Bool>;
}

impl diesel::AppearsOnTable<customers::table> for PlannedWithValues {}
impl diesel::SelectableExpression<customers::table> for PlannedWithValues {}

impl diesel::expression::ValidGrouping<()> for PlannedWithValues {
    type IsAggregate = diesel::expression::is_aggregate::Never;
}

impl diesel::query_builder::QueryId for PlannedWithValues {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl diesel::query_builder::QueryFragment<Dialect> for PlannedWithValues {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, Dialect>,
    ) -> QueryResult<()> {
        out.unsafe_to_cache_prepared();
        self.0.walk_ast(out)
    }
}

/// The matching rows after `after`, in `sort` order.
fn ordered<'a>(
    scope: &Scope,
    filters: &[Filter],
    sort: Sort,
    after: Option<&After>,
    walk: bool,
) -> QueryResult<customers::BoxedQuery<'a, Dialect>> {
    let mut query = filtered(scope, filters, walk.then_some(sort.column))?;
    if let Some(after) = after {
        query = query.filter(after_condition(sort, after)?);
    }
    Ok(in_order(query, sort, walk))
}

/// `query` in `sort` order, the ID breaking ties; unless `walk`, in terms no index serves, so
/// that the rows are found through a filter's index and sorted (see [`few_match`]).
fn in_order<'a>(
    mut query: customers::BoxedQuery<'a, Dialect>,
    sort: Sort,
    walk: bool,
) -> customers::BoxedQuery<'a, Dialect> {
    let term = |typed: Typed| if walk { typed } else { typed.unindexed() };
    for key in sort.keys() {
        if key.column.nullable() {
            let empty = Typed::Bool(Box::new(is_null(key.column)));
            query = order_by(query, term(empty), key.descending);
        }
        query = order_by(query, term(typed(key.column)), key.descending);
    }
    order_by(query, term(typed(Column::Id)), sort.last_descending())
}

/// How many rows [`few_match`] looks for at most.
const FEW: i64 = 1000;

/// Whether a filter beside the status and the sort column narrows the partner's customers to
/// fewer than [`FEW`]: then, on SQLite, the page is found through that filter's index and
/// sorted. Planning without the values, SQLite walks the sort column's index whatever the
/// filter, past every row that fails it: all 100 000 for a filter nothing matches (160 ms),
/// where the filter's index finds none at once. The count stops at [`FEW`] rows of an index.
fn few_match(conn: &mut Conn, scope: &Scope, filters: &[Filter], sort: Sort) -> QueryResult<bool> {
    let narrows = |filter: &Filter| match filter {
        Filter::OneOf(column, _) | Filter::AtLeast(column, _) | Filter::AtMost(column, _) => {
            !matches!(column, Column::Status) && *column != sort.column
        }
        _ => false,
    };
    if !PLANS_WITHOUT_VALUES || !filters.iter().any(narrows) {
        return Ok(false);
    }
    let found: Vec<String> = filtered(scope, filters, None)?
        .select(customers::id)
        .limit(FEW)
        .load(conn)?;
    Ok(i64::try_from(found.len()).unwrap_or(FEW) < FEW)
}

impl Typed {
    /// The same value in an expression no index serves.
    fn unindexed(self) -> Typed {
        match self {
            Typed::Text(e) => Typed::Text(Box::new(unindexed(e))),
            Typed::Int(e) => Typed::Int(Box::new(unindexed(e))),
            Typed::Bool(e) => Typed::Bool(Box::new(unindexed(e))),
            Typed::Date(e) => Typed::Date(Box::new(unindexed(e))),
            Typed::Time(e) => Typed::Time(Box::new(unindexed(e))),
        }
    }
}

/// The same value as an expression, written with SQL before or after it that changes only how
/// the database may find or compare it: see [`unindexed`] and [`in_byte_order`].
struct Spelled<E> {
    before: &'static str,
    expr: E,
    after: &'static str,
}

/// `+expr` on SQLite: the same value, in an expression no index serves.
fn unindexed<E>(expr: E) -> Spelled<E> {
    Spelled {
        before: "+",
        expr,
        after: "",
    }
}

/// The customer's ID as the listing orders and compares it: in byte order on PostgreSQL
/// ([`ID_COLLATION`]), as every index the listing walks holds it there, so that the primary key
/// (in the database's collation) never serves a page: see the byte-order migration.
fn in_byte_order<E>(expr: E) -> Spelled<E> {
    Spelled {
        before: "",
        expr,
        after: ID_COLLATION,
    }
}

impl<E: diesel::Expression> diesel::Expression for Spelled<E> {
    type SqlType = E::SqlType;
}

impl<E: diesel::AppearsOnTable<customers::table>> diesel::AppearsOnTable<customers::table>
    for Spelled<E>
{
}
impl<E: diesel::SelectableExpression<customers::table>>
    diesel::SelectableExpression<customers::table> for Spelled<E>
{
}

impl<E> diesel::expression::ValidGrouping<()> for Spelled<E> {
    type IsAggregate = diesel::expression::is_aggregate::Never;
}

impl<E> diesel::query_builder::QueryId for Spelled<E> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<E: diesel::query_builder::QueryFragment<Dialect>> diesel::query_builder::QueryFragment<Dialect>
    for Spelled<E>
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, Dialect>,
    ) -> QueryResult<()> {
        out.push_sql(self.before);
        self.expr.walk_ast(out.reborrow())?;
        out.push_sql(self.after);
        Ok(())
    }
}

/// The page: `limit` matching rows after `after`, in `sort` order, and the LIMIT still to be
/// written after its select clause (see [`Limited`]).
///
/// With a "contains" filter, PostgreSQL walks the partner's name index as it should but checks
/// the pattern only once it has fetched each row from the table: a page of "dental" (a tenth of
/// the customers) fetched 3 507 rows, 5.4 ms, where a scan of the index alone checks the same
/// entries in 1.4 ms. There the page's IDs are found first by a query that reads nothing but
/// the index (which carries every searched column's lower-cased copy), and only its rows are
/// fetched. SQLite checks such a condition on the index entry already.
fn paged<'a>(
    scope: &Scope,
    filters: &[Filter],
    sort: Sort,
    after: Option<&After>,
    limit: i64,
    walk: bool,
) -> QueryResult<(customers::BoxedQuery<'a, Dialect>, Option<i64>)> {
    let matching = ordered(scope, filters, sort, after, walk)?;
    let contains = filters
        .iter()
        .any(|filter| matches!(filter, Filter::Contains(..)));
    if !(IDS_FIRST && contains) {
        return Ok(if PLANS_WITHOUT_VALUES {
            (matching.limit(limit), None)
        } else {
            (matching, Some(limit))
        });
    }
    let ids = matching.limit(limit).select(customers::id);
    let page = in_order(
        customers::table
            .filter(customers::id.eq_any(ids))
            .into_boxed(),
        sort,
        true,
    );
    Ok((page, None))
}

/// A page's statement with its LIMIT written into the SQL, on PostgreSQL. From a prepared
/// statement's sixth run PostgreSQL reuses its generic plan (made without the values) when that
/// costs no more than the plans made for each run's values; with the LIMIT a parameter it costs
/// the generic plan as fetching a tenth of the matches, so every run was planned anew, which
/// took more than running it with an index per grid column to weigh. With the LIMIT written,
/// the costs agree and the plan is kept. A statement is kept per limit, and limits are few.
struct Limited<Q> {
    query: Q,
    limit: Option<i64>,
}

impl<Q: diesel::query_builder::QueryFragment<Dialect>> diesel::query_builder::QueryFragment<Dialect>
    for Limited<Q>
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, Dialect>,
    ) -> QueryResult<()> {
        self.query.walk_ast(out.reborrow())?;
        if let Some(limit) = self.limit {
            out.push_sql(&format!(" LIMIT {limit}"));
        }
        Ok(())
    }
}

impl<Q: diesel::query_builder::Query> diesel::query_builder::Query for Limited<Q> {
    type SqlType = Q::SqlType;
}

impl<Q> diesel::query_builder::QueryId for Limited<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q> RunQueryDsl<Conn> for Limited<Q> {}



fn order_by<'a>(
    query: customers::BoxedQuery<'a, Dialect>,
    typed: Typed,
    descending: bool,
) -> customers::BoxedQuery<'a, Dialect> {
    macro_rules! by {
        ($e:expr) => {
            if descending {
                query.then_order_by($e.desc())
            } else {
                query.then_order_by($e.asc())
            }
        };
    }
    match typed {
        Typed::Text(e) => by!(e),
        Typed::Int(e) => by!(e),
        Typed::Bool(e) => by!(e),
        Typed::Date(e) => by!(e),
        Typed::Time(e) => by!(e),
    }
}

/// [`super::count`] on this backend.
pub(super) fn count(conn: &mut Conn, scope: &Scope, filters: &[Filter]) -> QueryResult<i64> {
    filtered(scope, filters, None)?.count().get_result(conn)
}
