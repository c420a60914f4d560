//! `GET /api/events`: what the server pushes to an open page, as Server-Sent Events. Each event
//! has one of the `event:` names below, and its `data:` is the JSON of the type named.

use serde::{Deserialize, Serialize};

use crate::{DeviceRef, Location, SignedOutBy, Timestamp};

/// `event: session_ended`, with [`SessionEnded`]; the stream ends after it.
pub const SESSION_ENDED: &str = "session_ended";
/// `event: devices_changed`, with [`DevicesChanged`].
pub const DEVICES_CHANGED: &str = "devices_changed";
/// `event: new_sign_in`, with [`NewSignIn`].
pub const NEW_SIGN_IN: &str = "new_sign_in";

/// This session is over: what the next request of this browser would be told in its 401.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionEnded {
    pub reason: EndedReason,
    /// The device that ended it (for a password reset, the device the reset came from);
    /// `null` when it ran out.
    pub by: Option<SignedOutBy>,
    pub at: Timestamp,
}

/// Why a session ended, in the spelling of the 401 codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EndedReason {
    /// Another device signed it out: one device, "sign out of all devices", a password
    /// change or reset, or a deleted profile.
    SignedOutRemotely,
    /// 30 days unused, or 400 days since sign-in.
    SessionExpired,
    /// A reason this build of the app does not know yet.
    #[serde(other)]
    Unknown,
}

/// A device of this account signed in or out (not this one, and not by this one).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DevicesChanged {
    pub change: DeviceChange,
    /// The devices' names (nickname, or readable default), for saying what happened. Empty
    /// when the server doesn't know them (a password reset signs out every device at once).
    pub devices: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeviceChange {
    SignedIn,
    SignedOut,
    #[serde(other)]
    Unknown,
}

/// A device this account has not signed in from before just did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewSignIn {
    pub device: DeviceRef,
    pub location: Option<Location>,
    pub at: Timestamp,
    /// The `signed_in` event's id in `GET /api/activity`.
    pub activity_id: String,
}
