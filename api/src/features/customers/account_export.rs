//! One customer account as an Excel workbook (seed 001 "Export"): sheets for the account, its
//! users, its licences and its entities. Streamed out through the export lane like the
//! listing's exports; one account is read whole first (it is bounded).

use actix_web::{HttpResponse, get, web};
use rust_xlsxwriter::Workbook;

use super::exports::{
    Cell, DEFLATE_LEVEL, Formats, HEADERS, XLSX, cells, header_row, write_row, xlsx_error,
};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::routes::Registry;
use crate::state::AppState;
use crate::streaming::{BodyWriter, streamed};
use services::customers::account_export::{self, Account};

pub fn configure(cfg: &mut Registry) {
    cfg.service(export_account);
}

/// Export one customer account as an Excel workbook: its record (sheet Account), its users
/// with role, state, licences held and last login (Users), its licences with seats and who
/// holds them (Licences), and its entities (Entities).
#[utoipa::path(
    tag = "customer users",
    security(("bearer" = [])),
    params(("customer_id" = String, Path, example = "ACME")),
    responses(
        (status = 200, description = "The account as a workbook of four sheets",
         content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "The caller may not manage this customer's users"),
        (status = 404, description = "No such customer"),
        (status = 429, description = "Too many exports are running (in all, or of your account): retry after `Retry-After` seconds"),
    ),
)]
#[get("/customers/{customer_id}/export.xlsx")]
async fn export_account(
    state: web::Data<AppState>,
    caller: Caller,
    customer_id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let customer = account_export::exporter(&caller, &customer_id)?;
    let pass = state.exports.enter(caller.actor.account.as_str())?;
    let account = state
        .read(move |_, conn| account_export::read(conn, &caller, &customer))
        .await?;
    let filename = format!(
        "customer-{}-{}.xlsx",
        account.customer.id,
        state.clock.now().format("%Y%m%d-%H%M%S")
    );
    Ok(streamed(XLSX, filename, move |body| {
        let _pass = pass;
        write_account(account, body)
    }))
}

const USER_HEADERS: [&str; 9] = [
    "Name",
    "Email",
    "Logon",
    "Role",
    "Active",
    "Pending Invitation",
    "Licences",
    "Last Login",
    "Created",
];

const LICENCE_HEADERS: [&str; 7] = [
    "Product",
    "Licence Type",
    "Seats Used",
    "Seats Available",
    "Contract Expiry",
    "Next Renewal",
    "Seat Holders",
];

const ENTITY_HEADERS: [&str; 6] = ["Entity ID", "Number", "Name", "Type", "Active", "Created"];

fn write_account(account: Account, body: &mut BodyWriter<'_>) -> Result<(), ApiError> {
    let Account {
        customer,
        users,
        licences,
        entities,
    } = account;
    let formats = Formats::new();
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    header_row(sheet, "Account", &["Field", "Value"], &formats)?;
    for (row, (field, value)) in (1u32..).zip(HEADERS.into_iter().zip(cells(customer))) {
        write_row(
            sheet,
            row,
            vec![Cell::Text(field.to_owned()), value],
            &formats,
        )?;
    }
    let sheet = workbook.add_worksheet();
    header_row(sheet, "Users", &USER_HEADERS, &formats)?;
    for (row, user) in (1u32..).zip(users) {
        let cells = vec![
            Cell::Text(user.name),
            Cell::Text(user.email),
            Cell::Text(user.logon),
            Cell::Text(user.role),
            Cell::Flag(user.active),
            Cell::Flag(user.pending_invitation),
            Cell::Text(user.licences.join(", ")),
            user.last_login_at
                .map_or(Cell::Empty, |t| Cell::Time(t.naive_utc())),
            Cell::Time(user.created_at.naive_utc()),
        ];
        write_row(sheet, row, cells, &formats)?;
    }
    let sheet = workbook.add_worksheet();
    header_row(sheet, "Licences", &LICENCE_HEADERS, &formats)?;
    for (row, licence) in (1u32..).zip(licences) {
        let holders: Vec<String> = licence.holders.into_iter().map(|h| h.name).collect();
        let cells = vec![
            Cell::Text(licence.product),
            Cell::Text(licence.licence_type),
            Cell::Number(f64::from(licence.seats_used)),
            Cell::Number(f64::from(licence.seats_available)),
            licence.contract_expiry.map_or(Cell::Empty, Cell::Date),
            licence.next_renewal.map_or(Cell::Empty, Cell::Date),
            Cell::Text(holders.join(", ")),
        ];
        write_row(sheet, row, cells, &formats)?;
    }
    let sheet = workbook.add_worksheet();
    header_row(sheet, "Entities", &ENTITY_HEADERS, &formats)?;
    for (row, entity) in (1u32..).zip(entities) {
        let cells = vec![
            Cell::Text(entity.id),
            Cell::Number(f64::from(entity.number)),
            Cell::Text(entity.name),
            Cell::Text(entity.entity_type),
            Cell::Flag(entity.active),
            Cell::Time(entity.created_at.naive_utc()),
        ];
        write_row(sheet, row, cells, &formats)?;
    }
    workbook.set_zip_compression_level(DEFLATE_LEVEL);
    workbook.save_to_writer(body).map_err(xlsx_error)
}
