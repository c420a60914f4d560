//! The JSON API. Each area of `docs/API.md` gets a module with its handlers.
//!
//! Routes are registered through utoipa-axum: each handler's `#[utoipa::path]` gives both its
//! route and its OpenAPI operation, so the router and `GET /api/openapi.json` are made from the
//! same declarations. (A test also checks them against `hallpass_api::paths`.)
//!
//! Each handler is an adapter: it extracts, calls `crate::domain`, and turns the answer into
//! a response. No module here knows SQL or calls another module here.

mod account;
mod dev;
mod devices;
mod events;
mod health;
mod profiles;
mod reset;
mod session;
mod step_up;
mod two_factor;

pub use dev::shared_clock;

use axum::Json;
use axum::Router;
use axum::routing::{any, get, post};
use hallpass_api::paths;
use utoipa::OpenApi;
use utoipa::openapi::OpenApi as Document;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::{ApiError, AppState};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Hallpass JSON API",
        description = "The contract between the Hallpass app and its backend (docs/API.md). \
            Authentication is the `__Host-hallpass_session` cookie. State-changing requests \
            must come from the same origin (`Sec-Fetch-Site: same-origin`, or a matching \
            `Origin`), or they get 403 `cross_site_request`. Every error has the body \
            `ErrorBody`."
    ),
    components(schemas(hallpass_api::ErrorCode)),
    tags(
        (name = "session", description = "This browser: sign in, two-step, step-up, sign out"),
        (name = "profiles", description = "Who's watching?"),
        (name = "account", description = "Membership, contact details, password, recovery"),
        (name = "security", description = "Devices and account activity"),
        (name = "two-factor", description = "Two-step verification"),
        (name = "health", description = "Liveness"),
    )
)]
struct ApiDoc;

/// The API's routes and its OpenAPI document, from the same declarations.
pub fn api() -> (Router<AppState>, Document) {
    let (router, mut document) = routes();
    document_common_errors(&mut document);
    document_session_cookie(&mut document);
    (router, document)
}

/// The security scheme's name in the document.
const SESSION_SCHEME: &str = "session_cookie";

/// Operations that answer without a session: signing in, the health check, signing out,
/// who is signed in if anyone (`get_session_status`, 200 with `session: null`),
/// which is idempotent (204 when already signed out), and the three steps of a forgotten
/// password. Every other operation needs the cookie.
const PUBLIC_OPERATIONS: &[&str] = &[
    "health",
    "sign_in",
    "sign_in_two_factor",
    "sign_out",
    "get_session_status",
    "request_password_reset",
    "verify_password_reset",
    "complete_password_reset",
];

/// Declares the session cookie and puts it on every operation but [`PUBLIC_OPERATIONS`]:
/// listed by exception, so a new route is documented as needing the session unless it is
/// named here (a test checks each against the server's answer without a cookie).
fn document_session_cookie(document: &mut Document) {
    use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityRequirement, SecurityScheme};

    document
        .components
        .get_or_insert_with(Default::default)
        .add_security_scheme(
            SESSION_SCHEME,
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::auth::COOKIE_NAME,
                "Set by signing in; `HttpOnly; Secure; SameSite=Strict; Path=/`",
            ))),
        );
    for item in document.paths.paths.values_mut() {
        for operation in [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        {
            let public = operation
                .operation_id
                .as_deref()
                .is_some_and(|id| PUBLIC_OPERATIONS.contains(&id));
            if !public {
                operation.security = Some(vec![SecurityRequirement::new(
                    SESSION_SCHEME,
                    Vec::<String>::new(),
                )]);
            }
        }
    }
}

/// Answers every operation can give for reasons of its kind rather than its own, added to the
/// document once instead of to each `#[utoipa::path]`: bodies that are malformed, too large
/// or not JSON (`ApiJson`), and the cross-site check on every unsafe method.
fn document_common_errors(document: &mut Document) {
    use utoipa::openapi::path::Operation;
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};

    let error = |description: &str| {
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build()
    };
    let add = |operation: &mut Operation, status: &str, description: &str| {
        operation
            .responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| error(description).into());
    };
    for item in document.paths.paths.values_mut() {
        for (operation, safe) in [
            (&mut item.get, true),
            (&mut item.post, false),
            (&mut item.put, false),
            (&mut item.patch, false),
            (&mut item.delete, false),
        ] {
            let Some(operation) = operation.as_mut() else {
                continue;
            };
            if operation.request_body.is_some() {
                add(operation, "400", "`malformed_json`: not JSON, or not UTF-8");
                add(operation, "413", "`body_too_large`: over 64 KiB");
                add(
                    operation,
                    "415",
                    "`malformed_json`: the body is not `application/json`",
                );
                add(operation, "422", "`invalid_fields`");
            }
            if !safe {
                add(operation, "403", "`cross_site_request`");
            }
        }
    }
}

fn routes() -> (Router<AppState>, Document) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::get))
        .routes(routes!(session::sign_in, session::get, session::delete))
        .routes(routes!(session::two_factor))
        .routes(routes!(session::status))
        .routes(routes!(step_up::reauthenticate))
        .routes(routes!(reset::request))
        .routes(routes!(reset::verify))
        .routes(routes!(reset::complete))
        .routes(routes!(profiles::list, profiles::create))
        .routes(routes!(profiles::update, profiles::delete))
        .routes(routes!(profiles::select))
        .routes(routes!(profiles::lock, profiles::unlock))
        .routes(routes!(account::get))
        .routes(routes!(step_up::change_password))
        .routes(routes!(account::change_email))
        .routes(routes!(account::verify_email))
        .routes(routes!(account::change_phone))
        .routes(routes!(account::verify_phone))
        .routes(routes!(account::change_recovery))
        .routes(routes!(account::unlink))
        .routes(routes!(devices::list))
        .routes(routes!(devices::rename, devices::delete))
        .routes(routes!(devices::sign_out_all))
        .routes(routes!(devices::activity))
        .routes(routes!(events::stream))
        .routes(routes!(two_factor::start))
        .routes(routes!(two_factor::confirm))
        .routes(routes!(two_factor::disable))
        .routes(routes!(two_factor::regenerate))
        .split_for_parts()
}

/// The OpenAPI document that `GET /api/openapi.json` serves.
pub fn openapi() -> Document {
    api().1
}

pub fn router(demo: bool) -> Router<AppState> {
    let (router, document) = api();
    let document = Json(document);
    let mut router = router.route(paths::OPENAPI, get(move || async move { document }));
    if demo {
        router = router
            .route(paths::DEV_OUTBOX, get(dev::outbox))
            .route(dev::CLOCK, post(dev::advance_clock))
            .route(paths::DEV_STREAMS, get(dev::streams));
    }
    router
        // Unknown API paths answer in JSON, never with the app's index.html.
        .route(paths::PREFIX, any(not_found))
        .route(&format!("{}/", paths::PREFIX), any(not_found))
        .route(&format!("{}/{{*rest}}", paths::PREFIX), any(not_found))
        .method_not_allowed_fallback(method_not_allowed)
}

async fn not_found() -> ApiError {
    ApiError::not_found()
}

async fn method_not_allowed() -> ApiError {
    ApiError::method_not_allowed()
}
