//! Forgot password: a code by email, then a new password (`docs/API.md`, "Forgot password").
//! Three steps, one request each, none needing a session.

use serde::{Deserialize, Serialize};

/// `POST /api/password-reset`: send a code to this address, if it has an account. The
/// answer is the same 202 either way.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RequestPasswordReset {
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::email))]
    pub email: String,
}

/// `POST /api/password-reset/verify`: the address and the 6-digit code sent to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VerifyPasswordReset {
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::email))]
    pub email: String,
    #[cfg_attr(feature = "openapi", schema(pattern = "^[0-9]{6}$"))]
    pub code: String,
}

/// The answer to a right code: a token that lets one new password be set, for 15 minutes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordResetToken {
    pub reset_token: String,
    /// Two-step verification is on: the new password needs a code from the authenticator
    /// app, or a recovery code, with it.
    pub two_factor_required: bool,
}

/// `POST /api/password-reset/complete`: the token, the new password and, with two-step
/// verification on, one of `code` and `recovery_code`. (Its OpenAPI schema, a `oneOf`, is
/// written by hand in `schema.rs`.)
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompletePasswordReset {
    pub reset_token: String,
    pub new_password: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_code: Option<String>,
}
