//! Where the operations are registered. One list of registrations (`features::configure`)
//! builds both the app each HTTP worker serves and the OpenAPI document, so a route cannot be
//! missing from the spec. The document is built once, when first asked for (`app::Described`);
//! a worker's app registers the handlers alone (utoipa-actix-web's app would build the whole
//! document again in every worker and drop it, memory an idle worker keeps).

use actix_web::dev::HttpServiceFactory;
use actix_web::web;
use utoipa_actix_web::OpenApiFactory;

/// Registers a set of operations (the real API's, or a test's).
pub type Routes = fn(&mut Registry<'_, '_>);

/// What the operations are registered into.
pub enum Registry<'a, 'b> {
    /// A worker's app: the handlers.
    App(&'a mut web::ServiceConfig),
    /// The document's app: the handlers and their paths and schemas.
    Document(&'a mut utoipa_actix_web::service_config::ServiceConfig<'b>),
}

impl Registry<'_, '_> {
    pub fn service<F>(&mut self, factory: F) -> &mut Self
    where
        F: HttpServiceFactory + OpenApiFactory + 'static,
    {
        match self {
            Registry::App(app) => {
                app.service(factory);
            }
            Registry::Document(document) => {
                document.service(factory);
            }
        }
        self
    }
}
