//! Session (this browser): sign-in, two-step verification, step-up.

use serde::{Deserialize, Serialize};

use crate::{Profile, Timestamp};

/// `POST /api/session`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    /// Any text: an address that is not an account's gets the wrong password's answer.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 254))]
    pub email: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 128))]
    pub password: String,
}

/// The answer to [`SignIn`]: signed in, or one more step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum SignInOutcome {
    TwoFactorRequired(TwoFactorChallenge),
    // Boxed: a session is much larger than a challenge.
    SignedIn(Box<SessionInfo>),
}

/// `{"two_factor_required": true, "challenge": "…"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TwoFactorChallenge {
    pub two_factor_required: bool,
    pub challenge: String,
}

/// `POST /api/session/two-factor`: exactly one of `code` and `recovery_code`. (Its OpenAPI
/// schema, a `oneOf`, is written by hand in `schema.rs`.)
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TwoFactorSignIn {
    pub challenge: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_code: Option<String>,
}

/// `POST /api/session/reauthenticate`. With two-step verification on, also one of `code`
/// and `recovery_code` (as in [`TwoFactorSignIn`]); without one the answer is 403
/// `code_required`. A recovery code used here is spent.
/// (Its OpenAPI schema, a `oneOf`, is written by hand in `schema.rs`.)
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reauthenticate {
    pub password: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_code: Option<String>,
}

/// Who is signed in here, and as which profile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionInfo {
    pub account: AccountRef,
    pub session: SessionMeta,
    pub profile: Option<Profile>,
}

/// `GET /api/session/status`: the session, or `null` when this browser has no session cookie.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionStatus {
    pub session: Option<SessionInfo>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountRef {
    pub id: String,
    pub email: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionMeta {
    pub id: String,
    pub signed_in_at: Timestamp,
    pub expires_at: Timestamp,
    /// End of the step-up window; `None` outside it.
    pub recently_authenticated_until: Option<Timestamp>,
}

/// `details` of a 401 `signed_out_remotely`: when, and from which device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignedOutDetails {
    pub signed_out_at: Timestamp,
    pub signed_out_by: SignedOutBy,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignedOutBy {
    pub device_name: String,
}
