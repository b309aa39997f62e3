//! The customer listing exported (seed 000 "EXPORT TO EXCEL"): the same filters and sort as
//! `GET /customers`, as an Excel workbook or CSV. Rows are read from the database a page at a
//! time and streamed out, so an export of 100 000 customers never holds them all in memory.

use actix_web::{HttpResponse, get, web};
use chrono::{NaiveDate, NaiveDateTime};
use domain::customer::CustomerStatus;
use persistence::Db;
use persistence::customer_listing::{Filter, Scope, Sort};
use persistence::customers::CustomerRow;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::listing::CustomerQuery;
use crate::auth::Caller;
use crate::customer_record::Customer;
use crate::error::ApiError;
use crate::routes::Registry;
use crate::state::AppState;
use crate::streaming::{BodyWriter, csv_text, streamed};
use services::customers::listing;
use services::lane::Pass;

pub fn configure(cfg: &mut Registry) {
    cfg.service(export_customers_xlsx)
        .service(export_customers_csv);
}

/// Rows read from the database per query.
const PAGE: i64 = 1000;

/// A typed cell: the workbook keeps numbers as numbers and dates as dates.
pub(super) enum Cell {
    Text(String),
    Number(f64),
    Flag(bool),
    Date(NaiveDate),
    Time(NaiveDateTime),
    Empty,
}

/// The columns, in order; [`cells`] gives a row's values in the same order.
pub(super) const HEADERS: [&str; 29] = [
    "Customer ID",
    "Name",
    "Customer Ref",
    "Active",
    "Status",
    "Product Plan",
    "Add-ons",
    "Sector",
    "Termset",
    "Website",
    "Contact Name",
    "Contact Email",
    "Requires Customer Access Permissions",
    "Embedding by iFrame",
    "iFrame Domains",
    "Membership End Date",
    "Locations",
    "Account Type",
    "Billing Recipient",
    "Compliance %",
    "Workers",
    "Licensed Products",
    "Next Renewal Date",
    "Account State",
    "Last Login",
    "Entities",
    "Entities by Type",
    "Users",
    "Users by Type",
];

pub(super) fn cells(row: CustomerRow) -> Vec<Cell> {
    let text = |s: Option<String>| s.map_or(Cell::Empty, Cell::Text);
    let number = |n: Option<i32>| n.map_or(Cell::Empty, |n| Cell::Number(f64::from(n)));
    let label = CustomerStatus::from_rank(row.status).map(|s| s.label().to_owned());
    let last_login = row.last_login_at;
    let c = Customer::from(row);
    let by_type = |counts: &crate::customer_record::Counts| {
        counts
            .by_type
            .typed()
            .iter()
            .map(|(kind, n)| format!("{kind}: {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let products = c
        .licences
        .typed()
        .iter()
        .map(|l| l.product.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    vec![
        Cell::Text(c.id),
        Cell::Text(c.name),
        Cell::Text(c.reference),
        Cell::Flag(c.active),
        text(label),
        text(c.product_plan),
        Cell::Text(c.add_ons.typed().join(", ")),
        text(c.sector),
        Cell::Text(c.termset),
        text(c.website),
        text(c.contact_name),
        text(c.contact_email),
        Cell::Flag(c.requires_access_permission),
        Cell::Flag(c.iframe_embedding),
        Cell::Text(c.iframe_domains.typed().join(", ")),
        c.membership_end_date.map_or(Cell::Empty, Cell::Date),
        number(c.locations),
        Cell::Text(c.account_type),
        text(c.billing_recipient),
        number(c.compliance_percent),
        number(c.workers),
        Cell::Text(products),
        c.next_renewal_date.map_or(Cell::Empty, Cell::Date),
        Cell::Text(c.account_state),
        last_login.map_or(Cell::Empty, Cell::Time),
        Cell::Number(f64::from(c.entities.total)),
        Cell::Text(by_type(&c.entities)),
        Cell::Number(f64::from(c.users.total)),
        Cell::Text(by_type(&c.users)),
    ]
}

impl Export {
    /// Calls `each` with every matching row, in order, reading `PAGE` rows at a time by keyset.
    fn each_row(
        &self,
        mut each: impl FnMut(CustomerRow) -> Result<(), ApiError>,
    ) -> Result<(), ApiError> {
        self.db.read(|conn| {
            listing::each_row(conn, &self.scope, &self.filters, self.sort, PAGE, &mut each)
        })
    }
}

/// Everything an export needs, checked before the first byte is sent.
struct Export {
    db: Db,
    scope: Scope,
    filters: Vec<Filter>,
    sort: Sort,
    filename: String,
    /// The export's place in the lane, given back when the export ends.
    _pass: Pass,
}

async fn prepare(
    state: web::Data<AppState>,
    caller: Caller,
    query: CustomerQuery,
    extension: &str,
) -> Result<Export, ApiError> {
    listing::exporter(&caller)?;
    let filters = query.filters()?;
    let sort = query.sort()?;
    let pass = state.exports.enter(caller.actor.account.as_str())?;
    let scope = state
        .read(move |_, conn| listing::export_scope(conn, &caller))
        .await?;
    let filename = format!(
        "customers-{}.{extension}",
        state.clock.now().format("%Y%m%d-%H%M%S")
    );
    Ok(Export {
        db: state.db.clone(),
        scope,
        filters,
        sort,
        filename,
        _pass: pass,
    })
}

fn csv_cell(cell: Cell) -> String {
    match cell {
        Cell::Text(text) => csv_text(text),
        Cell::Number(n) => n.to_string(),
        Cell::Flag(flag) => flag.to_string(),
        Cell::Date(date) => date.to_string(),
        Cell::Time(time) => time.format("%Y-%m-%d %H:%M:%S").to_string(),
        Cell::Empty => String::new(),
    }
}

/// Export the customer listing as CSV (RFC 4180, UTF-8), with the listing's filters and sort.
#[utoipa::path(
    tag = "customers",
    security(("bearer" = [])),
    params(CustomerQuery),
    responses(
        (status = 200, description = "The matching customers, one per line after the header",
         content_type = "text/csv", body = String),
        (status = 400, description = "An unknown parameter, sort column or a bad filter value"),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only partner admins export"),
        (status = 429, description = "Too many exports are running (in all, or of your account): retry after `Retry-After` seconds"),
    ),
)]
#[get("/customers/export.csv")]
async fn export_customers_csv(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<CustomerQuery>,
) -> Result<HttpResponse, ApiError> {
    let export = prepare(state, caller, query.into_inner(), "csv").await?;
    Ok(streamed(
        "text/csv; charset=utf-8",
        export.filename.clone(),
        move |body| {
            let mut out = csv::Writer::from_writer(body);
            out.write_record(HEADERS).map_err(ApiError::internal)?;
            export.each_row(|row| {
                let cells = cells(row).into_iter().map(csv_cell);
                out.write_record(cells).map_err(ApiError::internal)
            })?;
            out.flush().map_err(ApiError::internal)
        },
    ))
}

pub(super) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

pub(super) fn xlsx_error(error: XlsxError) -> ApiError {
    ApiError::internal(format!("workbook: {error}"))
}

/// Export the customer listing as an Excel workbook, with the listing's filters and sort:
/// typed cells (numbers, dates), a frozen header row with an autofilter.
#[utoipa::path(
    tag = "customers",
    security(("bearer" = [])),
    params(CustomerQuery),
    responses(
        (status = 200, description = "The matching customers as a workbook with one sheet",
         content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 400, description = "An unknown parameter, sort column or a bad filter value"),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Only partner admins export"),
        (status = 429, description = "Too many exports are running (in all, or of your account): retry after `Retry-After` seconds"),
    ),
)]
#[get("/customers/export.xlsx")]
async fn export_customers_xlsx(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<CustomerQuery>,
) -> Result<HttpResponse, ApiError> {
    let export = prepare(state, caller, query.into_inner(), "xlsx").await?;
    Ok(streamed(XLSX, export.filename.clone(), move |body| {
        write_workbook(&export, body)
    }))
}

/// The workbook's deflate level. The compression runs after the last row, on one core, so it
/// is most of what the export cannot overlap: level 3 takes a little more space than 6 for a
/// clearly shorter export (E1 in bench/RESULTS.md).
pub(super) const DEFLATE_LEVEL: u8 = 3;

/// Rows handed from the thread that reads them to the thread that writes the sheet at a time.
const ROWS_PER_BATCH: usize = 256;

/// Writes the workbook row by row in constant-memory mode (each row goes to a temporary file
/// as soon as the next one starts), then zips it straight into the response as it compresses.
/// The rows are read and turned into cells on a second thread meanwhile: on two cores the
/// database and the sheet's XML then take the time of the slower of the two, not their sum.
fn write_workbook(export: &Export, body: &mut BodyWriter<'_>) -> Result<(), ApiError> {
    let mut workbook = Workbook::new();
    let formats = Formats::new();
    let sheet = workbook
        .add_worksheet_with_constant_memory()
        .map_err(xlsx_error)?;
    header_row(sheet, "Customers", &HEADERS, &formats)?;
    let (batches, received) = std::sync::mpsc::sync_channel::<Vec<Vec<Cell>>>(4);
    let mut row_number: u32 = 0;
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || {
            let mut batch = Vec::with_capacity(ROWS_PER_BATCH);
            let writer_gone = || ApiError::internal("the workbook's writer stopped");
            export.each_row(|row| {
                batch.push(cells(row));
                if batch.len() == ROWS_PER_BATCH {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(ROWS_PER_BATCH));
                    batches.send(full).map_err(|_| writer_gone())?;
                }
                Ok(())
            })?;
            batches.send(batch).map_err(|_| writer_gone())
        });
        for row in received.into_iter().flatten() {
            row_number += 1;
            write_row(sheet, row_number, row, &formats)?;
        }
        reader
            .join()
            .map_err(|_| ApiError::internal("the export's reader panicked"))?
    })?;
    let last_col = u16::try_from(HEADERS.len() - 1).unwrap_or(0);
    sheet
        .autofilter(0, 0, row_number.max(1), last_col)
        .map_err(xlsx_error)?;
    workbook.set_zip_compression_level(DEFLATE_LEVEL);
    workbook.save_to_writer(body).map_err(xlsx_error)
}

/// The cell formats of a workbook: bold headers, dates, times.
pub(super) struct Formats {
    bold: Format,
    date: Format,
    time: Format,
}

impl Formats {
    pub(super) fn new() -> Formats {
        Formats {
            bold: Format::new().set_bold(),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            time: Format::new().set_num_format("yyyy-mm-dd hh:mm"),
        }
    }
}

/// Names the sheet and writes its bold, frozen header row.
pub(super) fn header_row(
    sheet: &mut Worksheet,
    name: &str,
    headers: &[&str],
    formats: &Formats,
) -> Result<(), ApiError> {
    sheet.set_name(name).map_err(xlsx_error)?;
    for (col, header) in (0u16..).zip(headers) {
        sheet
            .write_string_with_format(0, col, *header, &formats.bold)
            .map_err(xlsx_error)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(xlsx_error)?;
    Ok(())
}

/// Writes `cells` into row `row` of the sheet, each with its type.
pub(super) fn write_row(
    sheet: &mut Worksheet,
    row: u32,
    cells: Vec<Cell>,
    formats: &Formats,
) -> Result<(), ApiError> {
    for (col, cell) in (0u16..).zip(cells) {
        let written = match cell {
            Cell::Text(text) => sheet.write_string(row, col, text).map(drop),
            Cell::Number(n) => sheet.write_number(row, col, n).map(drop),
            Cell::Flag(flag) => sheet.write_boolean(row, col, flag).map(drop),
            Cell::Date(d) => sheet
                .write_datetime_with_format(row, col, d, &formats.date)
                .map(drop),
            Cell::Time(t) => sheet
                .write_datetime_with_format(row, col, t, &formats.time)
                .map(drop),
            Cell::Empty => Ok(()),
        };
        written.map_err(xlsx_error)?;
    }
    Ok(())
}
