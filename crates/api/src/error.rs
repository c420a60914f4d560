use serde::{Deserialize, Serialize};

use crate::{FieldErrors, SignedOutDetails};

/// The body of every error answer: `{"error": {"code", "message", "fields"?}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    /// Stable and machine-readable: the app branches on it.
    pub code: ErrorCode,
    /// For people; may change wording at any time.
    pub message: String,
    /// Present only for validation errors: field name → what is wrong with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<std::collections::BTreeMap<String, String>>))]
    pub fields: Option<FieldErrors>,
    /// Present on 5xx answers so a person can quote it and an operator find it in the log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Present on 401 `signed_out_remotely`: when, and from which device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<SignedOutDetails>,
}

impl ErrorBody {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            error: ErrorDetail {
                code,
                message: message.into(),
                fields: None,
                request_id: None,
                details: None,
            },
        }
    }
}

/// Every error code of `docs/API.md`. The app matches on these, so a code, once published,
/// keeps its spelling; [`ErrorCode::Unknown`] absorbs codes from a newer server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    // Request shape
    MalformedJson,
    InvalidFields,
    BodyTooLarge,
    NotFound,
    MethodNotAllowed,
    CrossSiteRequest,
    TooManyAttempts,
    InternalError,
    /// 503: the server is busy or a resource it needs (the database) is out of reach for now;
    /// `Retry-After` says when to try again. Nothing was changed.
    Unavailable,
    // Session
    NotSignedIn,
    SessionExpired,
    SignedOutRemotely,
    InvalidCredentials,
    InvalidCode,
    CodeExpired,
    ReauthenticationRequired,
    /// 403 from step-up: two-step verification is on, so a code from the authenticator app
    /// (or a recovery code) must come with the password; said against `fields.code`.
    CodeRequired,
    KidsProfile,
    // Profiles
    PinRequired,
    WrongPin,
    ProfileLimit,
    LastProfile,
    // Account
    WrongPassword,
    WeakPassword,
    SamePassword,
    // Devices
    DeviceNotFound,
    /// A code this build of the app does not know yet.
    #[serde(other)]
    Unknown,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_uses_the_wire_shape_of_api_md() -> Result<(), serde_json::Error> {
        let body = ErrorBody::new(ErrorCode::NotFound, "Nothing here.");
        assert_eq!(
            serde_json::to_string(&body)?,
            r#"{"error":{"code":"not_found","message":"Nothing here."}}"#
        );
        Ok(())
    }

    #[test]
    fn fields_round_trip_for_validation_errors() -> Result<(), serde_json::Error> {
        let text = r#"{"error":{"code":"wrong_password","message":"That password is not right.","fields":{"current_password":"Try again."}}}"#;
        let body: ErrorBody = serde_json::from_str(text)?;
        assert_eq!(body.error.code, ErrorCode::WrongPassword);
        let fields = body.error.fields.unwrap_or_default();
        assert_eq!(
            fields.get("current_password").map(String::as_str),
            Some("Try again.")
        );
        Ok(())
    }

    #[test]
    fn an_unknown_code_from_a_newer_server_still_parses() -> Result<(), serde_json::Error> {
        let body: ErrorBody =
            serde_json::from_str(r#"{"error":{"code":"brand_new","message":"New."}}"#)?;
        assert_eq!(body.error.code, ErrorCode::Unknown);
        Ok(())
    }

    #[test]
    fn codes_are_spelled_as_in_api_md() -> Result<(), serde_json::Error> {
        for (code, wire) in [
            (ErrorCode::SignedOutRemotely, "\"signed_out_remotely\""),
            (
                ErrorCode::ReauthenticationRequired,
                "\"reauthentication_required\"",
            ),
            (ErrorCode::TooManyAttempts, "\"too_many_attempts\""),
            (ErrorCode::CodeRequired, "\"code_required\""),
            (ErrorCode::Unavailable, "\"unavailable\""),
            (ErrorCode::InternalError, "\"internal_error\""),
        ] {
            assert_eq!(serde_json::to_string(&code)?, wire);
        }
        Ok(())
    }
}
