//! The request timeout (`--request-timeout`): an `/api/` handler that has not started its
//! answer in time gets 503 `unavailable`, and the client may retry.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::ApiError;
use crate::security::is_api_path;

/// Seconds a client is told to wait before trying again.
const RETRY_AFTER: i64 = 5;

/// Times `/api/` requests up to their response *head* only: `next.run` completes when the
/// handler returns its response, before the body is sent. So a streaming answer (the
/// Server-Sent Events of a later issue) is not cut once it has started. The app's files are
/// not timed: they are read from disk, and a slow client downloading one is not a slow handler.
///
/// A handler cut here is dropped at an `.await`; its write transaction, if one was open and
/// not yet committing, rolls back.
pub async fn api_requests(State(limit): State<Duration>, req: Request, next: Next) -> Response {
    if !is_api_path(req.uri().path()) {
        return next.run(req).await;
    }
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(?limit, "request timed out");
            ApiError::unavailable(
                RETRY_AFTER,
                "The server took too long to answer. Please try again in a moment.",
            )
            .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use axum::Router;
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use axum::routing::get;
    use hallpass_api::{ErrorBody, ErrorCode};
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    use super::*;

    const LIMIT: Duration = Duration::from_millis(200);
    /// Far above the limit, and far above what a loaded machine adds to it.
    const GENEROUS: Duration = Duration::from_secs(10);

    async fn never() -> &'static str {
        std::future::pending().await
    }

    async fn late() -> &'static str {
        tokio::time::sleep(LIMIT * 3).await;
        "late"
    }

    /// The head at once, the body only after three times the limit.
    async fn slow_body() -> Body {
        let rest = futures_util::stream::once(async {
            tokio::time::sleep(LIMIT * 3).await;
            Ok::<_, Infallible>("the rest")
        });
        Body::from_stream(rest)
    }

    fn router() -> Router {
        Router::new()
            .route("/api/never", get(never))
            .route("/api/stream", get(slow_body))
            .route("/late", get(late))
            .layer(axum::middleware::from_fn_with_state(LIMIT, api_requests))
    }

    async fn get_path(path: &str) -> (StatusCode, Option<String>, Vec<u8>) {
        let request = Request::get(path).body(Body::empty()).expect("request");
        let answer = async {
            let response = router().oneshot(request).await.expect("infallible");
            let status = response.status();
            let retry = response
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().expect("ascii").to_owned());
            let body = response.into_body().collect().await.expect("body");
            (status, retry, body.to_bytes().to_vec())
        };
        tokio::time::timeout(GENEROUS, answer)
            .await
            .expect("an answer within 10 s")
    }

    #[tokio::test]
    async fn a_handler_that_never_answers_gets_503_unavailable() {
        let (status, retry, body) = get_path("/api/never").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(retry.as_deref(), Some("5"));
        let body: ErrorBody = serde_json::from_slice(&body).expect("the error body");
        assert_eq!(body.error.code, ErrorCode::Unavailable);
    }

    #[tokio::test]
    async fn a_started_response_is_not_cut() {
        let (status, _, body) = get_path("/api/stream").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, b"the rest");
    }

    #[tokio::test]
    async fn paths_outside_the_api_are_not_timed() {
        let (status, _, body) = get_path("/late").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, b"late");
    }
}
