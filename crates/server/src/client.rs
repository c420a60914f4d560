//! Who is on the other end of a request: address and user agent, for the Devices page and
//! account activity.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header::USER_AGENT;
use axum::http::request::Parts;

/// User agents longer than this are cut: nothing a person needs is beyond it, and it keeps
/// the database and the parser safe from huge headers.
const MAX_USER_AGENT_BYTES: usize = 512;

#[derive(Clone, Debug, Default)]
pub struct Client {
    /// The peer address of the connection. The server does not trust `X-Forwarded-For`:
    /// behind a proxy, every device would show the proxy's address (see ARCHITECTURE.md).
    pub ip: Option<IpAddr>,
    pub user_agent: String,
}

impl Client {
    pub fn new(ip: Option<IpAddr>, user_agent: &str) -> Self {
        let mut end = user_agent.len().min(MAX_USER_AGENT_BYTES);
        while !user_agent.is_char_boundary(end) {
            end -= 1;
        }
        Self {
            ip,
            user_agent: user_agent[..end].to_owned(),
        }
    }

    /// The address with its last part hidden, as API.md shows it: `203.0.113.x`, or for IPv6
    /// the first four groups (`2001:db8:85a3:8d3::x`).
    pub fn ip_hint(&self) -> Option<String> {
        self.ip.map(ip_hint)
    }
}

pub fn ip_hint(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            format!("{a}.{b}.{c}.x")
        }
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => ip_hint(IpAddr::V4(v4)),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::x", s[0], s[1], s[2], s[3])
            }
        },
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip().to_canonical());
        let user_agent = parts
            .headers
            .get(USER_AGENT)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .unwrap_or_default();
        Ok(Self::new(ip, &user_agent))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_hints_hide_the_last_part() {
        let hint = |s: &str| ip_hint(s.parse().unwrap_or(IpAddr::from([0, 0, 0, 0])));
        assert_eq!(hint("203.0.113.7"), "203.0.113.x");
        assert_eq!(
            hint("2001:db8:85a3:8d3:1319:8a2e:370:7348"),
            "2001:db8:85a3:8d3::x"
        );
        assert_eq!(hint("::ffff:198.51.100.20"), "198.51.100.x");
    }

    #[test]
    fn long_user_agents_are_cut_on_a_character_boundary() {
        let ua = "é".repeat(400);
        let client = Client::new(None, &ua);
        assert!(client.user_agent.len() <= MAX_USER_AGENT_BYTES);
        assert!(client.user_agent.chars().all(|c| c == 'é'));
    }
}
