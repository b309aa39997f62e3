//! The OpenAPI document. Paths come from the services registered through [`crate::routes`]
//! (utoipa-actix-web collects them, so a route cannot be missing from the spec); this module
//! adds what is common to all of them: info, servers, tags, security schemes and the error
//! responses every operation can give, all pointing at the one problem schema.

use actix_web::App;
use utoipa::openapi::path::{Operation, Parameter};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{Schema, SchemaType, Type};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{Content, OpenApi, Ref, RefOr};
use utoipa::{Modify, OpenApi as _};
use utoipa_actix_web::AppExt;

use crate::error::{ErrorCodeSchema, FieldError, PROBLEM_JSON, Problem};
use crate::features;
use crate::routes::{Registry, Routes};

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Partner Hub API",
        description = "Partner organisations run their customers' accounts: customer accounts, \
            partner users, customer users and their licences, and delegated access into customers through access \
            grants.\n\nEvery error is an RFC 9457 problem document (`application/problem+json`) \
            with a stable `code`; `GET /problems` lists them all.",
        license(name = "MIT", identifier = "MIT"),
        contact(name = "Partner Hub engineering", url = "https://partner-hub.invalid/support"),
    ),
    servers((url = "/", description = "This server")),
    tags(
        (name = "health", description = "Liveness and readiness probes for orchestrators."),
        (name = "problems", description = "The catalogue of error codes that problem documents carry."),
        (name = "auth", description = "Log in with account ID, logon, password and authenticator code; refresh; log out."),
        (name = "invitations", description = "Accept an invitation: choose a password and enrol an authenticator app."),
        (name = "me", description = "The caller's own profile."),
        (name = "partners", description = "Partner organisations, as the platform manages them."),
        (name = "platform", description = "The platform's own staff: further platform admins, authenticator resets."),
        (name = "partner users", description = "A partner's own users: admins, users, marketing, notification recipients."),
        (name = "catalogues", description = "The lists the platform keeps: sectors, product plans, add-ons, entity types, licensable products."),
        (name = "customers", description = "A partner's customer accounts: the record, the listing with every filter and sort, assignments."),
        (name = "customer users", description = "A customer's own users, `admin` or `guest` (seed 002: an invited user starts as a guest; guests use the account but manage nothing), and the seats of its licences they hold. Managed by the partner's admins, the customer's own admins and partner users acting inside with `manage_users`; they log in with the customer ID. Not the partner users a customer lets in (`POST /account/guests`, tag access), which are access grants."),
        (name = "entities", description = "A customer's entities: the group layer <ID>0000 and the numbered ones under it. Partner admins, the customer's own users and partner users acting inside it with a grant that allows it."),
        (name = "access", description = "Delegated access: grants, 24-hour access requests, the customer's own controls (guests, the permission flag) and switching into a customer."),
        (name = "audit", description = "The audit trail: every change, who made it (and as whom), before and after."),
        (name = "partner kit", description = "Marketing material the platform publishes for partners."),
    ),
    components(schemas(Problem, FieldError, ErrorCodeSchema)),
    modifiers(&SecuritySchemes),
)]
struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(
                Http::builder()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("An access token from the login endpoint."))
                    .build(),
            ),
        );
    }
}

pub const BEARER: &str = "bearer";

/// The document of the real API.
pub fn document() -> OpenApi {
    document_for(features::configure)
}

/// The document of an app built from `routes` (the real one, or a test's).
pub fn document_for(routes: Routes) -> OpenApi {
    let mut base = ApiDoc::openapi();
    base.info.version = env!("CARGO_PKG_VERSION").to_owned();
    let (_, document) = App::new()
        .into_utoipa_app()
        .openapi(base)
        .configure(|document| routes(&mut Registry::Document(document)))
        .split_for_parts();
    finish(document)
}

pub fn to_yaml(document: &OpenApi) -> String {
    document
        .to_yaml()
        .unwrap_or_else(|e| format!("# the document could not be rendered: {e}\n"))
}

/// The error responses every operation shares, by status: (component name, description).
const SHARED_RESPONSES: &[(&str, &str, &str)] = &[
    (
        "400",
        "BadRequest",
        "Malformed JSON, or a query or path parameter that does not parse.",
    ),
    (
        "413",
        "PayloadTooLarge",
        "The body exceeds the server's limit.",
    ),
    (
        "415",
        "UnsupportedMediaType",
        "The body is not sent as application/json.",
    ),
    (
        "422",
        "UnprocessableEntity",
        "The body is well-formed but invalid; `errors` lists each field.",
    ),
    (
        "500",
        "InternalError",
        "An unexpected failure; quote the `request_id` when reporting it.",
    ),
];

fn finish(mut document: OpenApi) -> OpenApi {
    let components = document.components.get_or_insert_with(Default::default);
    for (_, name, description) in SHARED_RESPONSES {
        components
            .responses
            .insert((*name).to_owned(), RefOr::T(problem_response(description)));
    }
    // An error response declared without a body gets the problem schema: handlers only say
    // which statuses they answer and why.
    for (route, path) in document.paths.paths.iter_mut() {
        let has_path_params = path.parameters.as_ref().is_some_and(|p| !p.is_empty());
        let rate_limited = crate::rate_limit::is_limited(route);
        refuse_nul(path.parameters.as_mut());
        for operation in operations(path) {
            refuse_nul(operation.parameters.as_mut());
            add_shared_responses(operation, has_path_params, rate_limited);
            for (status, response) in operation.responses.responses.iter_mut() {
                let is_error = status.starts_with('4') || status.starts_with('5');
                if let RefOr::T(response) = response
                    && is_error
                    && response.content.is_empty()
                {
                    response
                        .content
                        .insert(PROBLEM_JSON.to_owned(), RefOr::T(problem_content()));
                }
            }
        }
    }
    document
}

fn operations(path: &mut utoipa::openapi::PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        path.get.as_mut(),
        path.put.as_mut(),
        path.post.as_mut(),
        path.delete.as_mut(),
        path.options.as_mut(),
        path.head.as_mut(),
        path.patch.as_mut(),
        path.trace.as_mut(),
    ]
    .into_iter()
    .flatten()
}

/// A path or query never holds the NUL character (`crate::nul` answers 400): said on every text
/// parameter that does not already say more by a format or a set of values.
fn refuse_nul(parameters: Option<&mut Vec<RefOr<Parameter>>>) {
    for parameter in parameters.into_iter().flatten() {
        if let RefOr::T(parameter) = parameter
            && let Some(RefOr::T(Schema::Object(schema))) = parameter.schema.as_mut()
            && schema.schema_type == SchemaType::Type(Type::String)
            && schema.format.is_none()
            && schema.enum_values.is_none()
            && schema.pattern.is_none()
        {
            schema.pattern = Some(WITHOUT_NUL.to_owned());
        }
    }
}

const WITHOUT_NUL: &str = "^[^\\u0000]*$";

/// Operations that never touch the database (so never answer 503).
const WITHOUT_DATABASE: &[&str] = &["get_liveness", "list_problem_types", "get_problem_type"];

fn add_shared_responses(operation: &mut Operation, has_path_params: bool, rate_limited: bool) {
    let has_body = operation.request_body.is_some();
    let has_params =
        has_path_params || operation.parameters.as_ref().is_some_and(|p| !p.is_empty());
    let authenticated = operation.security.as_ref().is_some_and(|s| !s.is_empty());
    let uses_database = !operation
        .operation_id
        .as_deref()
        .is_some_and(|id| WITHOUT_DATABASE.contains(&id));
    for (status, name, _) in SHARED_RESPONSES {
        let applies = match *status {
            "400" => has_body || has_params,
            "401" => authenticated,
            "413" | "415" | "422" => has_body,
            "429" => rate_limited,
            "503" => uses_database,
            _ => true,
        };
        if applies && !operation.responses.responses.contains_key(*status) {
            operation.responses.responses.insert(
                (*status).to_owned(),
                RefOr::Ref(Ref::from_response_name(*name)),
            );
        }
    }
}

fn problem_response(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(PROBLEM_JSON, problem_content())
        .build()
}

pub fn problem_content() -> Content {
    Content::new(Some(Ref::from_schema_name("Problem")))
}
