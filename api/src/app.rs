//! The HTTP server: the app every request goes through, shared by `main` and the tests.

use std::net::TcpListener;
use std::sync::OnceLock;

use actix_web::dev::{ResourceDef, Server};
use actix_web::http::Method;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use utoipa_swagger_ui::{Config, SwaggerUi};

use crate::error::ApiError;
use crate::extract;
use crate::features;
use crate::middleware::request_context;
use crate::nul;
use crate::openapi;
use crate::rate_limit::{AuthRateLimiter, limit_auth};
use crate::rendered::Rendered;
use crate::routes::{Registry, Routes};
use crate::security_headers::{SWAGGER_UI_PREFIX, security_headers};
use crate::state::AppState;

pub const SWAGGER_UI: &str = SWAGGER_UI_PREFIX;
pub const OPENAPI_JSON: &str = "/openapi.json";

/// Starts serving the real API on `listener`.
pub fn start(state: AppState, listener: TcpListener, workers: usize) -> std::io::Result<Server> {
    start_with_routes(state, listener, workers, features::configure)
}

/// Starts serving `routes` (tests add their own probes to the real ones).
pub fn start_with_routes(
    state: AppState,
    listener: TcpListener,
    workers: usize,
    routes: Routes,
) -> std::io::Result<Server> {
    let described = web::Data::new(Described::new(routes));
    let body_limit = state.settings.body_limit;
    let blocking_per_worker = (state.settings.blocking_threads / workers.max(1)).max(1);
    let rate_limiter = web::Data::new(AuthRateLimiter::new(state.settings.auth_rate_per_minute));
    let state = web::Data::new(state);
    let server = HttpServer::new(move || {
        App::new()
            .configure(|app| routes(&mut Registry::App(app)))
            .app_data(state.clone())
            .app_data(described.clone())
            .app_data(rate_limiter.clone())
            .app_data(web::PayloadConfig::new(body_limit))
            .app_data(extract::query_config())
            .app_data(extract::path_config())
            .route(OPENAPI_JSON, web::get().to(spec))
            .service(SwaggerUi::new("/swagger-ui/{_:.*}").config(Config::from(OPENAPI_JSON)))
            .route("/", web::get().to(index))
            .default_service(web::to(fallback))
            .wrap(from_fn(nul::refuse_in_url))
            .wrap(from_fn(limit_auth))
            .wrap(from_fn(request_context))
            .wrap(from_fn(security_headers))
    })
    .workers(workers.max(1))
    .worker_max_blocking_threads(blocking_per_worker)
    .shutdown_timeout(10)
    .listen(listener)?
    .run();
    Ok(server)
}

/// `/` leads people to the documented API.
async fn index() -> HttpResponse {
    HttpResponse::TemporaryRedirect()
        .insert_header(("Location", SWAGGER_UI))
        .finish()
}

/// The OpenAPI document as JSON.
async fn spec(described: web::Data<Described>) -> Result<Rendered, ApiError> {
    described.get().spec.clone().map_err(ApiError::internal)
}

/// What no route matched: 405 with `Allow` when the path exists under other methods, else 404.
async fn fallback(
    req: HttpRequest,
    described: web::Data<Described>,
) -> Result<HttpResponse, ApiError> {
    let allow = described.get().routes.methods_for(req.path());
    let method = req.method().clone();
    Err(if allow.is_empty() {
        ApiError::RouteNotFound {
            method,
            path: req.path().to_owned(),
        }
    } else {
        ApiError::MethodNotAllowed { method, allow }
    })
}

/// The OpenAPI document of the app, built when first asked for (Swagger UI, a request no route
/// matched) rather than at start: building it allocates megabytes that are garbage once it is
/// written, and an idle server's allocator would keep them.
pub struct Described {
    registered: Routes,
    built: OnceLock<Built>,
}

struct Built {
    /// Written once and shared by every worker (cloning shares the bytes).
    spec: Result<Rendered, String>,
    routes: RouteTable,
}

impl Described {
    pub fn new(registered: Routes) -> Self {
        Described {
            registered,
            built: OnceLock::new(),
        }
    }

    fn get(&self) -> &Built {
        self.built.get_or_init(|| {
            let document = openapi::document_for(self.registered);
            Built {
                spec: Rendered::json(&document, 256 * 1024).map_err(|e| e.to_string()),
                routes: RouteTable::new(&document),
            }
        })
    }
}

/// Which methods each path accepts, read from the OpenAPI document: the same registrations
/// that build the app, so the two cannot disagree.
pub struct RouteTable(Vec<(ResourceDef, Vec<Method>)>);

impl RouteTable {
    pub fn new(document: &utoipa::openapi::OpenApi) -> Self {
        let mut table: Vec<(ResourceDef, Vec<Method>)> = document
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods = [
                    (item.get.is_some(), Method::GET),
                    (item.post.is_some(), Method::POST),
                    (item.put.is_some(), Method::PUT),
                    (item.patch.is_some(), Method::PATCH),
                    (item.delete.is_some(), Method::DELETE),
                ]
                .into_iter()
                .filter_map(|(present, method)| present.then_some(method))
                .collect();
                (ResourceDef::new(path.as_str()), methods)
            })
            .collect();
        // Served outside the documented API.
        for path in ["/", OPENAPI_JSON, "/swagger-ui/{_:.*}"] {
            table.push((ResourceDef::new(path), vec![Method::GET]));
        }
        RouteTable(table)
    }

    /// The methods `path` accepts. A path that is one of the documented paths word for word
    /// (`/customers/export.csv`) answers for that path alone, not for the templates it also
    /// fits (`/customers/{customer_id}`).
    pub fn methods_for(&self, path: &str) -> Vec<Method> {
        let matching: Vec<&(ResourceDef, Vec<Method>)> = self
            .0
            .iter()
            .filter(|(def, _)| def.is_match(path))
            .collect();
        let literal: Vec<&(ResourceDef, Vec<Method>)> = matching
            .iter()
            .copied()
            .filter(|(def, _)| !def.pattern().unwrap_or_default().contains('{'))
            .collect();
        let chosen = if literal.is_empty() {
            matching
        } else {
            literal
        };
        let mut methods: Vec<Method> = chosen
            .into_iter()
            .flat_map(|(_, methods)| methods.iter().cloned())
            .collect();
        methods.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        methods.dedup();
        methods
    }
}
