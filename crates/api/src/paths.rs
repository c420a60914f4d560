//! Every path of the API, so that neither side spells one out by hand. Paths with a `{…}`
//! segment are axum route templates; the app fills them with [`with_param`].

/// Everything the API serves lives under this prefix.
pub const PREFIX: &str = "/api";

pub const HEALTH: &str = "/api/health";
pub const OPENAPI: &str = "/api/openapi.json";
/// Only with `--demo`.
pub const DEV_OUTBOX: &str = "/api/dev/outbox";
/// Only with `--demo`: how many event streams this instance holds.
pub const DEV_STREAMS: &str = "/api/dev/streams";
/// The live events of this session (Server-Sent Events).
pub const EVENTS: &str = "/api/events";

pub const SESSION: &str = "/api/session";
/// Who is signed in, if anyone: no cookie is an answer here, not an error.
pub const SESSION_STATUS: &str = "/api/session/status";
pub const SESSION_TWO_FACTOR: &str = "/api/session/two-factor";
pub const SESSION_REAUTHENTICATE: &str = "/api/session/reauthenticate";

pub const PROFILES: &str = "/api/profiles";
pub const PROFILE: &str = "/api/profiles/{id}";
pub const PROFILE_SELECT: &str = "/api/profiles/{id}/select";
pub const PROFILE_LOCK: &str = "/api/profiles/{id}/lock";

pub const ACCOUNT: &str = "/api/account";
pub const ACCOUNT_PASSWORD: &str = "/api/account/password";
pub const ACCOUNT_EMAIL: &str = "/api/account/email";
pub const ACCOUNT_EMAIL_VERIFY: &str = "/api/account/email/verify";
pub const ACCOUNT_PHONE: &str = "/api/account/phone";
pub const ACCOUNT_PHONE_VERIFY: &str = "/api/account/phone/verify";
pub const ACCOUNT_RECOVERY: &str = "/api/account/recovery";
pub const LINKED_ACCOUNT: &str = "/api/account/linked/{provider}";

/// Forgot password: no session; see `RequestPasswordReset` and what follows it.
pub const PASSWORD_RESET: &str = "/api/password-reset";
pub const PASSWORD_RESET_VERIFY: &str = "/api/password-reset/verify";
pub const PASSWORD_RESET_COMPLETE: &str = "/api/password-reset/complete";

pub const DEVICES: &str = "/api/devices";
pub const DEVICE: &str = "/api/devices/{id}";
pub const DEVICES_SIGN_OUT_ALL: &str = "/api/devices/sign-out-all";
/// `?before=CURSOR` for older pages; cursors are URL-safe as the server makes them.
pub const ACTIVITY: &str = "/api/activity";

pub const TWO_FACTOR: &str = "/api/two-factor";
pub const TWO_FACTOR_TOTP: &str = "/api/two-factor/totp";
pub const TWO_FACTOR_TOTP_CONFIRM: &str = "/api/two-factor/totp/confirm";
pub const TWO_FACTOR_RECOVERY_CODES: &str = "/api/two-factor/recovery-codes";

/// Fills the one `{…}` segment of `template` with `value`, percent-encoding anything that
/// could end the segment (`/`, `?`, `#`, …). The server's ids are URL-safe and never `.` or
/// `..`, which no encoding could keep from being read as a dot segment.
pub fn with_param(template: &str, value: &str) -> String {
    let (Some(open), Some(close)) = (template.find('{'), template.find('}')) else {
        return template.to_owned();
    };
    let mut path = String::with_capacity(template.len() + value.len());
    path.push_str(&template[..open]);
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            path.push(char::from(byte));
        } else {
            path.push_str(&format!("%{byte:02X}"));
        }
    }
    path.push_str(&template[close + 1..]);
    path
}
