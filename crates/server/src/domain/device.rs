//! The device a request comes from, described once at the edge of the request: its user
//! agent parsed and its address placed a single time, however many rows and events of the
//! request name it.

use std::net::IpAddr;

use hallpass_api::DeviceKind;

use crate::client::Client;
use crate::geo::{Geo, Place};
use crate::useragent::{self, DeviceInfo};

/// A device as sessions and activity record it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub user_agent: String,
    pub ip: Option<IpAddr>,
    /// A readable default such as "Chrome on Windows".
    pub name: String,
    pub kind: DeviceKind,
    pub browser: String,
    pub os: String,
    pub place: Option<Place>,
    pub ip_hint: Option<String>,
}

impl Seen {
    /// Parses the user agent and looks the address up: call once per request that needs it.
    pub fn describe(geo: &Geo, client: &Client) -> Self {
        let DeviceInfo {
            name,
            kind,
            browser,
            os,
        } = useragent::describe(&client.user_agent);
        Self {
            user_agent: client.user_agent.clone(),
            ip: client.ip,
            name,
            kind,
            browser,
            os,
            place: geo.locate(client.ip),
            ip_hint: client.ip_hint(),
        }
    }

    pub fn ip_text(&self) -> Option<String> {
        self.ip.map(|ip| ip.to_string())
    }
}

/// The database's word for a device kind (the `CHECK` of `sessions.device_kind` and
/// `activity.device_kind` lists the same words).
pub fn kind_str(kind: DeviceKind) -> &'static str {
    match kind {
        DeviceKind::Computer => "computer",
        DeviceKind::Phone => "phone",
        DeviceKind::Tablet => "tablet",
        DeviceKind::Tv => "tv",
        DeviceKind::Console => "console",
        DeviceKind::Unknown => "unknown",
    }
}

/// The device kind the database's word names; any other word is a broken row (the schema's
/// `CHECK` keeps them out), an internal error rather than a guess.
pub fn parse_kind(text: &str) -> Result<DeviceKind, crate::ApiError> {
    Ok(match text {
        "computer" => DeviceKind::Computer,
        "phone" => DeviceKind::Phone,
        "tablet" => DeviceKind::Tablet,
        "tv" => DeviceKind::Tv,
        "console" => DeviceKind::Console,
        "unknown" => DeviceKind::Unknown,
        other => return Err(crate::ApiError::internal(format!("device kind {other:?}"))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_device_kind_reads_back_as_itself() {
        for kind in [
            DeviceKind::Computer,
            DeviceKind::Phone,
            DeviceKind::Tablet,
            DeviceKind::Tv,
            DeviceKind::Console,
            DeviceKind::Unknown,
        ] {
            assert_eq!(parse_kind(kind_str(kind)).ok(), Some(kind));
        }
        assert!(parse_kind("toaster").is_err());
    }
}
