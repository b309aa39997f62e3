//! `partner-hub demo`: a realistic dataset, fast — one large partner holding most customers and
//! many small ones, customers spread over every status, sector, plan and account type, with
//! entities and users whose counts sit on the customer rows as the API keeps them, and access
//! grants and requests (pending, expired, approved) spread over every partner. Written with
//! multi-row inserts in large transactions; the drawn values are deterministic for a given
//! seed so benchmarks compare like with like.

use chrono::{DateTime, Duration, Utc};
use domain::access::{GrantOrigin, GrantPath, grant_path};
use domain::customer::{AccountType, CustomerStatus};
use domain::entity::{GROUP_TYPE, entity_id};
use domain::ids::{AccountId, CustomerId, DisplayName, Email, Logon, PartnerId};
use domain::request::Decision;
use domain::role::Role;
use persistence::Db;
use persistence::access::{self, GrantRow, RequestRow};
use persistence::customers::{self, CustomerRow};
use persistence::entities::{self, EntityRow};
use persistence::partners::{self, PartnerRow};
use persistence::time::to_db;
use persistence::users::{self, UserRow};

use crate::error::ApiError;
use crate::state::Settings;
use services::RequestMeta;
use services::audit::{self, By, Change};
use services::customers::record::{Licence, to_json};
use services::identity::keyring::Keys;
use services::users::onboarding::{self, Invitee};

#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// Customers of the large partner, PARTDEMO.
    pub customers: u32,
    /// Partners in all, the large one included; each other one gets `small_customers`.
    pub partners: u32,
    pub small_customers: u32,
    /// Entities per customer, the group layer included.
    pub entities: u32,
    /// Users per customer: one admin, the rest users.
    pub users: u32,
    pub seed: u64,
}

/// What was made, and the link that lets a person in as PARTDEMO's admin.
#[derive(Debug)]
pub struct DemoReport {
    pub partners: u32,
    pub customers: u32,
    pub admin_link: String,
}

const BATCH: u32 = 2000;
const SECTORS: [&str; 10] = [
    "accounting",
    "construction",
    "education",
    "healthcare",
    "hospitality",
    "manufacturing",
    "professional_services",
    "retail",
    "technology",
    "other",
];
const ADD_ONS: [&str; 5] = [
    "advanced_reporting",
    "api_access",
    "single_sign_on",
    "payroll",
    "inventory",
];
const PRODUCTS: [&str; 4] = ["core", "analytics", "forms", "training"];
const ENTITY_TYPES: [&str; 5] = ["site", "office", "store", "clinic", "warehouse"];
const FIRST: [&str; 12] = [
    "Acme", "Blue", "Cedar", "Delta", "Emerald", "Falcon", "Granite", "Harbour", "Iris", "Juniper",
    "Kestrel", "Lumen",
];
const SECOND: [&str; 10] = [
    "Dental",
    "Logistics",
    "Bakery",
    "Clinics",
    "Builders",
    "Foods",
    "Legal",
    "Motors",
    "Studios",
    "Care",
];
const THIRD: [&str; 5] = ["Group", "Ltd", "Partners", "Holdings", "& Co"];

/// `n` as letters after `prefix`: a valid customer ID (letters only), unique per `n`.
fn letters(prefix: char, mut n: u32) -> String {
    let mut tail = Vec::new();
    for _ in 0..6 {
        tail.push(char::from(b'A' + u8::try_from(n % 26).unwrap_or(0)));
        n /= 26;
    }
    tail.reverse();
    std::iter::once(prefix).chain(tail).collect()
}

fn pick<'a>(rng: &mut fastrand::Rng, items: &[&'a str]) -> &'a str {
    items[rng.usize(..items.len())]
}

pub fn generate(
    db: &Db,
    settings: &Settings,
    keys: &Keys,
    options: &DemoOptions,
    now: DateTime<Utc>,
) -> Result<DemoReport, ApiError> {
    let demo_partners: Vec<PartnerRow> = (0..options.partners.max(1))
        .map(|p| partner(p, now))
        .collect();
    let (admin_link, staff) =
        db.transaction(|conn| people(conn, settings, keys, &demo_partners, now))?;
    let mut number = 0u32;
    for (index, (owner, staff)) in demo_partners.iter().zip(&staff).enumerate() {
        let count = if index == 0 {
            options.customers
        } else {
            options.small_customers
        };
        number = customers_of(db, options, owner, staff, number, count, now)?;
    }
    db.analyze()?;
    Ok(DemoReport {
        partners: u32::try_from(demo_partners.len()).unwrap_or(u32::MAX),
        customers: number,
        admin_link,
    })
}

/// The partners, the large one's admin (invited: the link is the demo's way in) and each
/// partner's staff, in one transaction that refuses a database already holding the demo.
fn people(
    conn: &mut persistence::DbConnection,
    settings: &Settings,
    keys: &Keys,
    demo_partners: &[PartnerRow],
    now: DateTime<Utc>,
) -> Result<(String, Vec<Staff>), ApiError> {
    let meta = RequestMeta::default();
    let by = By::anonymous(&meta, now);
    if partners::find(conn, "PARTDEMO")?.is_some() {
        return Err(ApiError::Internal(
            "this database already holds the demo data (partner PARTDEMO)".into(),
        ));
    }
    for row in demo_partners {
        partners::insert(conn, row)?;
    }
    let invitee = Invitee {
        account: AccountId::Partner(parse(PartnerId::parse("PARTDEMO"))?),
        role: Role::PartnerAdmin,
        name: parse(DisplayName::parse("Demo Admin"))?,
        email: parse(Email::parse("admin@demo.example"))?,
        logon: parse(Logon::parse("admin@demo.example"))?,
    };
    let invited = onboarding::invite(conn, settings, keys, by, invitee)?;
    let mut staff = Vec::new();
    let mut people = Vec::new();
    for (p, row) in demo_partners.iter().enumerate() {
        let consultant = partner_user(row, "consultant", Role::PartnerUser, now)?;
        let admin = if p == 0 {
            invited.user.id.clone()
        } else {
            let admin = partner_user(row, "admin", Role::PartnerAdmin, now)?;
            let id = admin.id.clone();
            people.push(admin);
            id
        };
        staff.push(Staff {
            admin,
            consultant: consultant.id.clone(),
        });
        people.push(consultant);
    }
    users::insert_many(conn, &people)?;
    audit::record(
        conn,
        by,
        Change {
            action: "demo.generated",
            target_type: "partner",
            target_id: "PARTDEMO",
            partner_id: Some("PARTDEMO"),
            ..Change::default()
        },
    )?;
    Ok((invited.link, staff))
}

/// `count` customers of `owner`, numbered from `first`, a transaction per batch; returns the
/// number after the last.
fn customers_of(
    db: &Db,
    options: &DemoOptions,
    owner: &PartnerRow,
    staff: &Staff,
    first: u32,
    count: u32,
    now: DateTime<Utc>,
) -> Result<u32, ApiError> {
    let end = first + count;
    let mut number = first;
    while number < end {
        let batch = BATCH.min(end - number);
        let mut rows = Rows::default();
        for n in number..number + batch {
            customer(&mut rows, options, owner, staff, n, now)?;
        }
        db.transaction(|conn| {
            customers::insert_many(conn, &rows.customers)?;
            entities::insert_many(conn, &rows.entities)?;
            users::insert_many(conn, &rows.users)?;
            access::insert_requests(conn, &rows.requests)?;
            access::insert_grants(conn, &rows.grants)?;
            Ok::<_, ApiError>(())
        })?;
        number += batch;
    }
    Ok(number)
}

fn parse<T>(value: Result<T, domain::ids::Invalid>) -> Result<T, ApiError> {
    value.map_err(|e| ApiError::internal(e.message))
}

/// A demo partner's people: its admin, who asks for access, and a consultant, who holds it.
struct Staff {
    admin: String,
    consultant: String,
}

/// The rows of one batch of customers, inserted together.
#[derive(Default)]
struct Rows {
    customers: Vec<CustomerRow>,
    entities: Vec<EntityRow>,
    users: Vec<UserRow>,
    grants: Vec<GrantRow>,
    requests: Vec<RequestRow>,
}

fn partner_user(
    partner: &PartnerRow,
    who: &str,
    role: Role,
    now: DateTime<Utc>,
) -> Result<UserRow, ApiError> {
    let email = parse(Email::parse(&format!(
        "{who}@{}.example",
        partner.id.to_lowercase()
    )))?;
    Ok(onboarding::new_user(
        Invitee {
            account: AccountId::Partner(parse(PartnerId::parse(&partner.id))?),
            role,
            name: parse(DisplayName::parse(&format!("Demo {who}")))?,
            logon: Logon::from(&email),
            email,
        },
        now,
    ))
}

/// Partner `p`: PARTDEMO the large one, then PARTDEMO1, PARTDEMO2 …, every odd one on price plan.
fn partner(p: u32, now: DateTime<Utc>) -> PartnerRow {
    let id = if p == 0 {
        "PARTDEMO".to_owned()
    } else {
        format!("PARTDEMO{p}")
    };
    PartnerRow {
        name: if p == 0 {
            "Demo Partners Ltd".to_owned()
        } else {
            format!("Demo Reseller {p}")
        },
        email: format!("office@{}.example", id.to_lowercase()),
        id,
        active: true,
        created_at: to_db(now),
        updated_at: to_db(now),
        on_price_plan: p % 2 == 1,
        support_email: None,
        powered_by_url: None,
    }
}

/// The random draws for customer `n`: its own generator, seeded from the seed and `n`, so a
/// batch re-run after a serialization failure draws the same values.
struct Draw {
    status: CustomerStatus,
    sector: &'static str,
    account_type: AccountType,
    name: String,
    active: bool,
    locations: i32,
    workers: i32,
    compliance: i32,
    days: i64,
    products: Vec<&'static str>,
    add_ons: Vec<&'static str>,
    types: Vec<&'static str>,
}

fn draw(options: &DemoOptions, n: u32) -> Draw {
    let rng = &mut fastrand::Rng::with_seed(
        options.seed ^ u64::from(n).wrapping_mul(0x9E37_79B9_7F4A_7C15),
    );
    let status = CustomerStatus::ALL[rng.usize(..CustomerStatus::ALL.len())];
    let sector = pick(rng, &SECTORS);
    let account_type = [AccountType::Trial, AccountType::Paid, AccountType::Free][rng.usize(..3)];
    let name = format!(
        "{} {} {} {n}",
        pick(rng, &FIRST),
        pick(rng, &SECOND),
        pick(rng, &THIRD)
    );
    let active = rng.u8(..100) < 95;
    let locations = rng.i32(1..40);
    let workers = rng.i32(1..2000);
    let compliance = rng.i32(40..=100);
    let days = rng.i64(-200..800);
    let products: Vec<&str> = PRODUCTS.iter().copied().filter(|_| rng.bool()).collect();
    let add_ons: Vec<&str> = ADD_ONS
        .iter()
        .copied()
        .filter(|_| rng.u8(..4) == 0)
        .collect();
    let types = (1..options.entities)
        .map(|_| pick(rng, &ENTITY_TYPES))
        .collect();
    Draw {
        status,
        sector,
        account_type,
        name,
        active,
        locations,
        workers,
        compliance,
        days,
        products,
        add_ons,
        types,
    }
}

fn customer(
    rows: &mut Rows,
    options: &DemoOptions,
    owner: &PartnerRow,
    staff: &Staff,
    n: u32,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let d = draw(options, n);
    let id = parse(CustomerId::parse(&letters('D', n)))?;
    let at = to_db(now);
    let row = customer_row(options, owner, &d, &id, n, now);
    let kinds = std::iter::once(GROUP_TYPE).chain(d.types.iter().copied());
    for (number, kind) in (0u16..).zip(kinds) {
        rows.entities.push(EntityRow {
            id: entity_id(&id, number),
            customer_id: row.id.clone(),
            number: i32::from(number),
            name: if number == 0 {
                row.name.clone()
            } else {
                format!("{} {number}", row.name)
            },
            entity_type: kind.to_owned(),
            active: true,
            created_at: at,
            updated_at: at,
        });
    }
    let first_user = rows.users.len();
    for u in 0..options.users {
        let email = parse(Email::parse(&format!(
            "u{u}@{}.example",
            id.as_str().to_lowercase()
        )))?;
        let invitee = Invitee {
            account: AccountId::Customer(id.clone()),
            role: if u == 0 {
                Role::CustomerAdmin
            } else {
                Role::CustomerGuest
            },
            name: parse(DisplayName::parse(&format!("User {u} of {id}")))?,
            logon: Logon::from(&email),
            email,
        };
        rows.users.push(onboarding::new_user(invitee, now));
    }
    if row.active && n % 5 == 3 {
        let admin = rows.users.get(first_user).map(|u| u.id.clone());
        access_rows(rows, &row, d.status, staff, admin, n, now);
    }
    rows.customers.push(row);
    Ok(())
}

/// The customer row of draw `d`, its counts as the API keeps them.
fn customer_row(
    options: &DemoOptions,
    owner: &PartnerRow,
    d: &Draw,
    id: &CustomerId,
    n: u32,
    now: DateTime<Utc>,
) -> CustomerRow {
    let at = to_db(now);
    let today = now.date_naive();
    let renewal = today + Duration::days(d.days.rem_euclid(365));
    let on_price_plan = owner.on_price_plan;
    let (entity_counts, user_counts) = counts(options, d);
    CustomerRow {
        id: id.to_string(),
        partner_id: owner.id.clone(),
        reference: format!("REF-{n:07}"),
        name: d.name.clone(),
        active: d.active,
        website: Some(format!("https://{}.example/", id.as_str().to_lowercase())),
        contact_name: Some("Pat Contact".to_owned()),
        contact_email: Some(format!("contact@{}.example", id.as_str().to_lowercase())),
        termset: ["group", "practice", "franchise"][usize::try_from(n % 3).unwrap_or(0)].to_owned(),
        product_plan: on_price_plan.then(|| {
            ["essentials", "professional", "enterprise"][usize::try_from(n % 3).unwrap_or(0)]
                .to_owned()
        }),
        add_ons: if on_price_plan {
            "[]".to_owned()
        } else {
            to_json(&d.add_ons)
        },
        sector: Some(d.sector.to_owned()),
        status: d.status.rank(),
        requires_access_permission: n.is_multiple_of(7),
        iframe_embedding: false,
        iframe_domains: "[]".to_owned(),
        membership_end_date: (!n.is_multiple_of(5)).then(|| today + Duration::days(d.days)),
        locations: Some(d.locations),
        account_type: d.account_type.as_str().to_owned(),
        billing_recipient: (d.account_type == AccountType::Paid)
            .then(|| ["client", "partner"][usize::try_from(n % 2).unwrap_or(0)].to_owned()),
        compliance_percent: Some(d.compliance),
        workers: Some(d.workers),
        licensed_products: if d.products.is_empty() {
            String::new()
        } else {
            format!(" {} ", d.products.join(" "))
        },
        next_renewal_date: (!d.products.is_empty()).then_some(renewal),
        licences: to_json(&licences(d, renewal)),
        account_state: if n.is_multiple_of(50) {
            "suspended"
        } else {
            "active"
        }
        .to_owned(),
        last_login_at: (!n.is_multiple_of(3))
            .then(|| to_db(now - Duration::minutes(i64::from(n % 10_000)))),
        entity_count: i32::try_from(options.entities.max(1)).unwrap_or(1),
        entity_counts,
        user_count: i32::try_from(options.users).unwrap_or(0),
        user_counts,
        next_entity_number: i32::try_from(options.entities.max(1)).unwrap_or(1),
        version: 1,
        created_at: to_db(now - Duration::minutes(i64::from(n))),
        updated_at: at,
        access_permission_locked: false,
    }
}

/// The licences of draw `d`, written as the API writes them, so that answers can pass the
/// stored text through.
fn licences(d: &Draw, renewal: chrono::NaiveDate) -> Vec<Licence> {
    d.products
        .iter()
        .map(|p| Licence {
            product: (*p).to_owned(),
            licence_type: "subscription".to_owned(),
            // No seat is held: the demo assigns none.
            seats_used: 0,
            seats_available: d.workers / 3 + 1,
            contract_expiry: Some(renewal + Duration::days(30)),
            next_renewal: Some(renewal),
        })
        .collect()
}

/// The entities by type and the users by type, as JSON maps, the way the API counts them.
fn counts(options: &DemoOptions, d: &Draw) -> (String, String) {
    let mut entities = std::collections::BTreeMap::from([(GROUP_TYPE.to_owned(), 1i64)]);
    for kind in &d.types {
        *entities.entry((*kind).to_owned()).or_default() += 1;
    }
    let admins = i64::from(options.users.min(1));
    let guests = i64::from(options.users.saturating_sub(1));
    let mut users = std::collections::BTreeMap::new();
    if admins > 0 {
        users.insert(Role::CustomerAdmin.name().to_owned(), admins);
    }
    if guests > 0 {
        users.insert(Role::CustomerGuest.name().to_owned(), guests);
    }
    (to_json(&entities), to_json(&users))
}

/// A fifth of the active customers have partner access: a direct grant where the customer's
/// status and flag allow one, otherwise a request — half still pending (those asked more than
/// 24 hours ago have expired), half approved with the grant it made.
fn access_rows(
    rows: &mut Rows,
    customer: &CustomerRow,
    status: CustomerStatus,
    staff: &Staff,
    customer_admin: Option<String>,
    n: u32,
    now: DateTime<Utc>,
) {
    let user_id = if n.is_multiple_of(2) {
        &staff.admin
    } else {
        &staff.consultant
    };
    let at = to_db(now - Duration::hours(i64::from(n % 48)));
    let grant = |origin: GrantOrigin, request_id: Option<String>| GrantRow {
        id: uuid::Uuid::new_v4().to_string(),
        partner_id: customer.partner_id.clone(),
        customer_id: customer.id.clone(),
        user_id: user_id.clone(),
        profile: "Support".to_owned(),
        role: "admin".to_owned(),
        permissions: r#"["manage_entities","view_entities"]"#.to_owned(),
        expires_at: n.is_multiple_of(3).then(|| to_db(now + Duration::days(30))),
        origin,
        request_id,
        created_by: Some(staff.admin.clone()),
        created_at: at,
        updated_at: at,
        last_used_at: None,
    };
    if grant_path(status, customer.requires_access_permission) == GrantPath::Direct {
        rows.grants.push(grant(GrantOrigin::Direct, None));
        return;
    }
    let pending = n % 10 < 5;
    let mut request = RequestRow {
        id: uuid::Uuid::new_v4().to_string(),
        partner_id: customer.partner_id.clone(),
        customer_id: customer.id.clone(),
        user_id: user_id.clone(),
        addressed_to: None,
        profile: "Support".to_owned(),
        role: "admin".to_owned(),
        permissions: r#"["manage_entities","view_entities"]"#.to_owned(),
        duration_hours: Some(720),
        message: Some("For the quarterly review.".to_owned()),
        requested_by: staff.admin.clone(),
        requested_at: at,
        decision: Decision::Pending,
        decided_by: None,
        decided_at: None,
        decision_message: None,
        grant_id: None,
        pending_key: Some(access::pending_key(user_id, &customer.id)),
    };
    if !pending {
        let made = grant(GrantOrigin::Request, Some(request.id.clone()));
        request.decision = Decision::Approved;
        request.decided_by = customer_admin;
        request.decided_at = Some(at);
        request.grant_id = Some(made.id.clone());
        request.pending_key = None;
        rows.grants.push(made);
    }
    rows.requests.push(request);
}
