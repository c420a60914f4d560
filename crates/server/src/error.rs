//! The one error type of the server. Every failure a handler can meet becomes an [`ApiError`],
//! which renders as the shared JSON error body with a fitting status.

use std::any::Any;
use std::borrow::Cow;

use axum::Json;
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use hallpass_api::{ErrorBody, ErrorCode, ErrorDetail, FieldErrors, SignedOutDetails};

use crate::request_id;

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: ErrorCode,
    message: Cow<'static, str>,
    fields: Option<FieldErrors>,
    // Boxed: rare, and it would double the size of every `Result<_, ApiError>`.
    details: Option<Box<SignedOutDetails>>,
    /// Seconds, for 429 and 503 answers.
    retry_after: Option<i64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            fields: None,
            details: None,
            retry_after: None,
        }
    }

    pub fn with_field(mut self, field: &str, message: impl Into<String>) -> Self {
        self.fields
            .get_or_insert_with(FieldErrors::new)
            .insert(field.to_owned(), message.into());
        self
    }

    /// The same answer with another message for people.
    pub fn with_message(mut self, message: &'static str) -> Self {
        self.message = message.into();
        self
    }

    pub fn with_details(mut self, details: SignedOutDetails) -> Self {
        self.details = Some(Box::new(details));
        self
    }

    pub fn unauthorized(code: ErrorCode, message: &'static str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, message)
    }

    pub fn forbidden(code: ErrorCode, message: &'static str) -> Self {
        Self::new(StatusCode::FORBIDDEN, code, message)
    }

    /// 429 `too_many_attempts`, with `Retry-After` in seconds (at least 1).
    pub fn too_many_attempts(retry_after: i64) -> Self {
        Self {
            retry_after: Some(retry_after.max(1)),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::TooManyAttempts,
                "Too many attempts. Please wait a while and try again.",
            )
        }
    }

    /// 503 `unavailable`, with `Retry-After` in seconds (at least 1): the server could not
    /// take the request on now (busy, or its database out of reach) and changed nothing.
    pub fn unavailable(retry_after: i64, message: &'static str) -> Self {
        Self {
            retry_after: Some(retry_after.max(1)),
            ..Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::Unavailable,
                message,
            )
        }
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "There is nothing at this address.",
        )
    }

    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::MethodNotAllowed,
            "This address does not accept that method.",
        )
    }

    /// 422 `invalid_fields` with what is wrong with each field.
    pub fn invalid_fields(fields: FieldErrors) -> Self {
        Self {
            fields: Some(fields),
            ..Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::InvalidFields,
                "Some fields need another look.",
            )
        }
    }

    /// For failures that are ours, not the client's. The cause goes to the log, tagged with
    /// the request id; the answer says only that something went wrong, and which request.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::InternalError,
            "Something went wrong on our side. Please try again.",
        )
    }

    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// Seconds until a retry may succeed, for 429 and 503 answers.
    pub fn retry_after(&self) -> Option<i64> {
        self.retry_after
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let request_id = self
            .status
            .is_server_error()
            .then(request_id::current)
            .flatten();
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.message.into_owned(),
                fields: self.fields,
                request_id,
                details: self.details.map(|d| *d),
            },
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> Self {
        if storage_unavailable(&err) {
            // Our fault, but passing: logged like any internal error, answered as "try again
            // soon" because nothing was written (the transaction rolled back).
            tracing::error!(cause = %err, "database can't serve this request now");
            return Self::unavailable(
                5,
                "We can't save changes right now. Nothing was changed; please try again in a moment.",
            );
        }
        Self::internal(format_args!("database: {err}"))
    }
}

/// Failures of the database's storage or reach rather than of the request: a full disk, a
/// read-only or failing file, a lock held too long, no connection free in time, PostgreSQL
/// unreachable, restarting or refusing connections.
fn storage_unavailable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => true,
        sqlx::Error::Database(db) => {
            let Some(code) = db.code() else {
                return false;
            };
            // Through `Any` the native error is inside: SQLite's codes are numbers,
            // PostgreSQL's five-character SQLSTATEs, and some of each look alike.
            if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
                // SQLite's extended result code; the primary code is its low byte.
                // SQLITE_BUSY 5, SQLITE_READONLY 8, SQLITE_IOERR 10, SQLITE_FULL 13,
                // SQLITE_CANTOPEN 14.
                let primary = code.parse::<i32>().ok().map(|code| code & 0xff);
                matches!(primary, Some(5 | 8 | 10 | 13 | 14))
            } else {
                postgres_unavailable(&code)
            }
        }
        _ => false,
    }
}

/// PostgreSQL's SQLSTATEs that say "not now" rather than "not this": class 08 (connection
/// exception), 57P01/02/03 (shut down by an administrator or a crash, starting up), 53300
/// (too many connections), 53100 (disk full), 25006 (read-only: a standby).
fn postgres_unavailable(code: &str) -> bool {
    code.starts_with("08")
        || matches!(
            code,
            "57P01" | "57P02" | "57P03" | "53300" | "53100" | "25006"
        )
}

/// [`tower_http::catch_panic`] calls this when a handler panics.
pub fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let detail = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned());
    ApiError::internal(format_args!("handler panicked: {detail}")).into_response()
}

#[cfg(test)]
mod tests {
    use super::postgres_unavailable;

    #[test]
    fn postgresql_says_not_now_with_connection_shutdown_and_capacity_codes_only() {
        for code in [
            "08000", "08006", "57P01", "57P02", "57P03", "53300", "53100", "25006",
        ] {
            assert!(postgres_unavailable(code), "{code}");
        }
        // A unique violation, a failed CHECK, a serialization failure, a missing table: the
        // request's (or the server's) fault, not the database's absence.
        for code in ["23505", "23514", "40001", "42P01"] {
            assert!(!postgres_unavailable(code), "{code}");
        }
    }
}
