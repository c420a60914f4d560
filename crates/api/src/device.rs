//! Security: devices, account activity, two-step verification.

use serde::{Deserialize, Serialize};

use crate::{ProfileRef, Timestamp};

/// The longest device nickname, in characters.
pub const MAX_NICKNAME_CHARS: usize = 40;
/// Activity events per page.
pub const ACTIVITY_PAGE_SIZE: usize = 50;

/// A signed-in device (one session).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Device {
    pub id: String,
    /// This is the device making the request.
    pub current: bool,
    pub nickname: Option<String>,
    /// A readable default such as "Chrome on Windows".
    pub name: String,
    pub kind: DeviceKind,
    pub browser: String,
    pub os: String,
    pub last_profile: Option<ProfileRef>,
    pub signed_in_at: Timestamp,
    pub last_active_at: Timestamp,
    pub location: Option<Location>,
    /// The address with its last part hidden: `203.0.113.x`.
    pub ip_hint: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeviceKind {
    Computer,
    Phone,
    Tablet,
    Tv,
    Console,
    #[serde(other)]
    Unknown,
}

/// Approximate, from the IP address; either part may be unknown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Location {
    pub city: Option<String>,
    pub country: Option<String>,
}

/// `PATCH /api/devices/{id}`. Empty clears the nickname.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RenameDevice {
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::nickname))]
    pub nickname: String,
}

/// `POST /api/devices/sign-out-all`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SignOutAll {
    pub keep_current: bool,
}

/// The answer to [`SignOutAll`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignedOutCount {
    pub signed_out: u32,
}

/// `GET /api/activity?before=CURSOR`: newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityPage {
    pub events: Vec<ActivityEvent>,
    /// The cursor for the next, older page; `None` on the last page.
    pub next: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityEvent {
    pub id: String,
    pub kind: ActivityKind,
    pub at: Timestamp,
    pub device: Option<DeviceRef>,
    pub location: Option<Location>,
    pub ip_hint: Option<String>,
    /// A `sign_in_failed` from a place this account has never signed in from successfully
    /// (the city and country; the address's hint when the place is unknown), so the app can
    /// offer "Wasn't you?" there and not on a typo at home. Always `false` for other kinds.
    /// Servers older than the field leave it out: absent means `false`.
    #[serde(default)]
    pub unusual: bool,
}

/// A device as an activity event names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceRef {
    /// The device's id in `GET /api/devices` while it is still signed in, so the app can sign
    /// it out from the event ("Wasn't you?"); `null` once it has signed out or expired, and for
    /// failed sign-ins, which never had a session. Servers older than the field leave it out.
    #[serde(default)]
    pub id: Option<String>,
    pub name: String,
    pub kind: DeviceKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    SignedIn,
    SignInFailed,
    SignedOut,
    DeviceSignedOut,
    SignedOutAll,
    PasswordChanged,
    /// The password was set anew through "Forgot password?".
    PasswordReset,
    EmailChanged,
    PhoneChanged,
    TwoFactorEnabled,
    TwoFactorDisabled,
    RecoveryCodesRegenerated,
    ProfilePinFailed,
    LinkedAccountRemoved,
    /// A kind this build of the app does not know yet.
    #[serde(other)]
    Unknown,
}

/// `POST /api/two-factor/totp`: not active until confirmed with a code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TotpSetup {
    /// Base32, for typing into an authenticator by hand.
    pub secret: String,
    pub otpauth_uri: String,
    /// The `otpauth_uri` as a QR code, an SVG document.
    pub qr_svg: String,
}

/// `POST /api/two-factor/totp/confirm`: the first code, and whether to sign out every other
/// device in the same change (left out: `false`, as before the field existed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ConfirmTotp {
    #[cfg_attr(feature = "openapi", schema(pattern = "^[0-9]{6}$"))]
    pub code: String,
    #[serde(default)]
    pub sign_out_other_devices: bool,
}

/// The query of `DELETE /api/two-factor`: `?sign_out_other_devices=true` signs out every
/// other device in the same change (left out: `false`). A query rather than a body, because
/// a DELETE body has no defined meaning in HTTP and some intermediaries drop it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TurnOffTwoFactor {
    #[serde(default)]
    pub sign_out_other_devices: bool,
}

/// Ten single-use recovery codes, shown once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecoveryCodes {
    pub recovery_codes: Vec<String>,
}

/// `GET /api/dev/outbox` (only with `--demo`): a message a mail or SMS sender would deliver.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutboxMessage {
    pub id: String,
    pub at: Timestamp,
    /// `email` or `sms`.
    pub channel: String,
    pub to: String,
    pub subject: String,
    pub body: String,
}
