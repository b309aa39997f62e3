//! The HTTP server: the app every request goes through, shared by `main` and the tests.

use std::net::TcpListener;

use actix_web::dev::{ResourceDef, Server};
use actix_web::http::Method;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::{Config, SwaggerUi};

use crate::error::ApiError;
use crate::extract;
use crate::features::{self, Routes};
use crate::middleware::request_context;
use crate::openapi;
use crate::rate_limit::{AuthRateLimiter, limit_auth};
use crate::rendered::Rendered;
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
    let document = openapi::document_for(routes);
    let route_table = web::Data::new(RouteTable::new(&document));
    // Written once and shared: each worker holding the document (as Swagger UI's own route
    // does) and serializing it per request cost memory per worker.
    let spec = Rendered::json(&document, 256 * 1024).map_err(std::io::Error::other)?;
    drop(document);
    let body_limit = state.settings.body_limit;
    let blocking_per_worker = (state.settings.blocking_threads / workers.max(1)).max(1);
    let rate_limiter = web::Data::new(AuthRateLimiter::new(state.settings.auth_rate_per_minute));
    let state = web::Data::new(state);
    let server = HttpServer::new(move || {
        let (app, _) = App::new()
            .into_utoipa_app()
            .configure(routes)
            .split_for_parts();
        app.app_data(state.clone())
            .app_data(route_table.clone())
            .app_data(rate_limiter.clone())
            .app_data(web::PayloadConfig::new(body_limit))
            .app_data(extract::query_config())
            .app_data(extract::path_config())
            .route(OPENAPI_JSON, {
                let spec = spec.clone();
                web::get().to(move || std::future::ready(spec.clone()))
            })
            .service(SwaggerUi::new("/swagger-ui/{_:.*}").config(Config::from(OPENAPI_JSON)))
            .route("/", web::get().to(index))
            .default_service(web::to(fallback))
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

/// What no route matched: 405 with `Allow` when the path exists under other methods, else 404.
async fn fallback(
    req: HttpRequest,
    routes: web::Data<RouteTable>,
) -> Result<HttpResponse, ApiError> {
    let allow = routes.methods_for(req.path());
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
