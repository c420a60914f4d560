//! `ApiJson<T>`: the request body as `T`, or the JSON error docs/API.md names for what is wrong
//! with it. Every handler that takes a body takes it through this, so no route answers a bad
//! body differently (or with axum's plain-text rejections).

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use hallpass_api::{ErrorCode, Validate};
use serde::de::DeserializeOwned;

use crate::ApiError;

/// A JSON body that parsed, has exactly the fields of `T`, and passed `T`'s input rules.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Validate,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        // JSON first, then the fields: a body that is cut short is malformed (400) even when
        // the part that did arrive already has a field the type doesn't know (422).
        let Json(json) = Json::<serde_json::Value>::from_request(req, state)
            .await
            .map_err(rejection)?;
        // serde's derived structs also accept a JSON array of the field values in order, so
        // `[null, null]` would pass as a PATCH that changes nothing: every body is an object.
        if !json.is_object() {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::InvalidFields,
                "The request body must be a JSON object.",
            ));
        }
        let value = T::deserialize(json).map_err(|err| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::InvalidFields,
                format!("The request has missing, unknown or mistyped fields: {err}"),
            )
        })?;
        value.validate().map_err(ApiError::invalid_fields)?;
        Ok(ApiJson(value))
    }
}

fn rejection(rejection: JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::MalformedJson,
            "Send the body as JSON, with Content-Type: application/json.",
        ),
        JsonRejection::BytesRejection(err) if err.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::BodyTooLarge,
                "The request body is larger than 64 KiB.",
            )
        }
        // Syntax errors, bodies that are not UTF-8, bodies cut short.
        _ => ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::MalformedJson,
            "The request body is not valid JSON.",
        ),
    }
}

/// A path parameter, or a JSON 404 when it can't be one (axum's own rejection is plain text,
/// for example for `%FF`, which is not UTF-8).
#[derive(Debug)]
pub struct ApiPath<T>(pub T);

impl<S, T> axum::extract::FromRequestParts<S> for ApiPath<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| Self(value))
            .map_err(|_| ApiError::not_found())
    }
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::body::Body;
    use axum::http::Request;
    use axum::routing::post;
    use hallpass_api::{ErrorBody, SignIn};
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    use super::*;

    async fn post_body(body: impl Into<Body>, content_type: &str) -> (StatusCode, ErrorBody) {
        let app = Router::new()
            .route(
                "/",
                post(|ApiJson(_): ApiJson<SignIn>| async { StatusCode::NO_CONTENT }),
            )
            .layer(axum::extract::DefaultBodyLimit::max(crate::MAX_BODY_BYTES));
        let request = Request::post("/")
            .header("content-type", content_type)
            .body(body.into())
            .expect("request");
        let response = app.oneshot(request).await.expect("infallible");
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        let body = serde_json::from_slice(&bytes).unwrap_or_else(|_| {
            ErrorBody::new(
                ErrorCode::Unknown,
                String::from_utf8_lossy(&bytes).into_owned(),
            )
        });
        (status, body)
    }

    #[tokio::test]
    async fn each_bad_body_gets_its_own_code() {
        let json = "application/json";
        let cases: Vec<(Body, &str, StatusCode, ErrorCode)> = vec![
            (
                "{".into(),
                json,
                StatusCode::BAD_REQUEST,
                ErrorCode::MalformedJson,
            ),
            (
                vec![0xff, 0xfe, b'{'].into(),
                json,
                StatusCode::BAD_REQUEST,
                ErrorCode::MalformedJson,
            ),
            (
                r#"{"email":"a@b.co"}"#.into(),
                json,
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::InvalidFields,
            ),
            (
                r#"{"email":"a@b.co","password":"x","admin":1}"#.into(),
                json,
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::InvalidFields,
            ),
            (
                r#"{"email":1,"password":"x"}"#.into(),
                json,
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::InvalidFields,
            ),
            (
                r#"{"email":"a@b.co","password":"x"}"#.into(),
                "text/plain",
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::MalformedJson,
            ),
            (
                vec![b' '; crate::MAX_BODY_BYTES + 1].into(),
                json,
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::BodyTooLarge,
            ),
        ];
        for (body, content_type, status, code) in cases {
            let (got_status, got) = post_body(body, content_type).await;
            assert_eq!(
                (got_status, got.error.code),
                (status, code),
                "{}",
                got.error.message
            );
        }
    }

    #[tokio::test]
    async fn input_rules_name_the_field() {
        let long = "a".repeat(200);
        let (status, body) = post_body(
            format!(r#"{{"email":"","password":"{long}"}}"#),
            "application/json",
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body.error.code, ErrorCode::InvalidFields);
        let fields = body.error.fields.unwrap_or_default();
        assert!(
            fields.contains_key("email") && fields.contains_key("password"),
            "{fields:?}"
        );
    }

    #[tokio::test]
    async fn an_unknown_field_is_named_in_the_message() {
        let (_, body) = post_body(
            r#"{"email":"a@b.co","password":"x","admin":1}"#,
            "application/json",
        )
        .await;
        assert!(
            body.error.message.contains("admin"),
            "{}",
            body.error.message
        );
    }
}
