//! Account: membership, contact details, password, recovery, linked accounts.

use serde::{Deserialize, Serialize};

use crate::Timestamp;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Account {
    pub email: String,
    pub email_verified: bool,
    pub phone: Option<String>,
    pub phone_verified: bool,
    pub recovery_email: Option<String>,
    #[cfg_attr(feature = "openapi", schema(pattern = r"^$|^\+[1-9][0-9]{6,14}$"))]
    pub recovery_phone: Option<String>,
    pub member_since: Timestamp,
    pub plan: Plan,
    pub two_factor: TwoFactorStatus,
    pub linked_accounts: Vec<LinkedAccount>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Plan {
    pub name: String,
    /// A decimal string such as `"15.49"`: money is never a float.
    pub price: String,
    /// ISO 4217, such as `USD`.
    pub currency: String,
    pub next_billing_date: Timestamp,
    /// How many devices may stream at once.
    pub streams: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TwoFactorStatus {
    pub enabled: bool,
    pub recovery_codes_left: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LinkedAccount {
    pub provider: String,
    pub display_name: String,
    pub linked_at: Timestamp,
}

/// `PUT /api/account/password`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 128))]
    pub current_password: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 8, max_length = 128))]
    pub new_password: String,
    pub sign_out_other_devices: bool,
}

/// `PUT /api/account/email`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangeEmail {
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::email))]
    pub email: String,
}

/// `PUT /api/account/phone`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangePhone {
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = r"^\+[1-9][0-9]{6,14}$", max_length = 16)
    )]
    pub phone: String,
}

/// `POST /api/account/email/verify`, `POST /api/account/phone/verify`,
/// `POST /api/two-factor/totp/confirm`: a 6-digit code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VerifyCode {
    #[cfg_attr(feature = "openapi", schema(pattern = "^[0-9]{6}$"))]
    pub code: String,
}

/// `PUT /api/account/recovery`. A field left out stays as it is; an empty string clears it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangeRecovery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::recovery_email))]
    pub recovery_email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::recovery_phone))]
    pub recovery_phone: Option<String>,
}
