//! The customer listing (seeds 000–003): every column filtered and sorted, keyset pages, an
//! optional total. The same query drives the exports, so an export holds exactly what the
//! listing shows. The query language lives in [`query`].

mod query;

use actix_web::{HttpRequest, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::customer_record::{self, Customer};
use crate::error::ApiError;
use crate::paging;
use crate::rendered::Rendered;
use crate::routes::Registry;
use crate::state::AppState;
use services::customers::listing;

pub use query::{CustomerQuery, ListingPage};
use query::{cursor_after, split_query};

pub fn configure(cfg: &mut Registry) {
    cfg.service(list_customers);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerPage {
    pub items: Vec<Customer>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
    /// Matching customers over all pages, when `total=true` was asked.
    pub total: Option<i64>,
}

/// List customers: filter by any column, sort by any column, page by cursor.
#[utoipa::path(
    tag = "customers",
    security(("bearer" = [])),
    params(CustomerQuery, ListingPage),
    responses(
        (status = 200, description = "A page of customers", body = CustomerPage),
        (status = 400, description = "An unknown parameter, sort column or a bad filter value"),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "The caller's role sees no customers"),
    ),
)]
#[get("/customers")]
async fn list_customers(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<Rendered, ApiError> {
    listing::reader(&caller)?;
    let (query, page) = split_query(req.query_string())?;
    let filters = query.filters()?;
    let sort = query.sort()?;
    let after = page.after(sort)?;
    let limit = page.limit()?;
    let with_total = page.total == Some(true);
    let now = state.clock.now();
    web::block(move || {
        state.db.read(|conn| {
            let request = listing::PageRequest {
                filters: &filters,
                sort,
                after: after.as_ref(),
                take: limit + 1,
                with_total,
            };
            let (mut rows, total) = listing::page(conn, &caller, &request, now)?;
            let next =
                paging::last_of_page(&mut rows, limit).map(|(row, _)| cursor_after(sort, row));
            let items: Vec<Customer> = rows
                .into_iter()
                .map(|(row, live_grant)| customer_record::seen(row, live_grant))
                .collect();
            let size_hint = RENDERED_BYTES_PER_CUSTOMER * (items.len() + 1);
            Rendered::json(&CustomerPage { items, next, total }, size_hint)
        })
    })
    .await?
}

/// About what one customer takes in the listing's JSON (1.2 KB in the demo's data), so that a
/// page is written into one buffer.
const RENDERED_BYTES_PER_CUSTOMER: usize = 1536;
