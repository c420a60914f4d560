//! Every request gets an id (tower-http's `x-request-id`): it is on every log line of that
//! request and in the body of a 5xx answer, so a person's report can be matched to the log.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

tokio::task_local! {
    static REQUEST_ID: String;
}

const HEADER: &str = "x-request-id";

fn of(req: &Request<impl Sized>) -> &str {
    req.headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
}

/// Makes the id readable by code that has no access to the request (error rendering).
pub async fn scope(req: Request, next: Next) -> Response {
    let id = of(&req).to_owned();
    REQUEST_ID.scope(id, next.run(req)).await
}

/// The id of the request being handled, if any.
pub fn current() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// The tracing span of one request.
pub fn span<B>(req: &axum::http::Request<B>) -> tracing::Span {
    tracing::info_span!(
        "request",
        id = req
            .headers()
            .get(HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-"),
        method = %req.method(),
        path = %req.uri().path(),
    )
}
