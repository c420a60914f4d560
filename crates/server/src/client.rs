//! Who is on the other end of a request: address and user agent, for the Devices page,
//! account activity and the per-network rate limits. This is the one place that decides the
//! client's address, including whether to believe a proxy's `X-Forwarded-For`.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::header::USER_AGENT;
use axum::http::request::Parts;
use ipnet::{IpNet, Ipv4Net};

use crate::AppState;

/// User agents longer than this are cut: nothing a person needs is beyond it, and it keeps
/// the database and the parser safe from huge headers.
const MAX_USER_AGENT_BYTES: usize = 512;

#[derive(Clone, Debug, Default)]
pub struct Client {
    /// The peer address of the connection, or, when the peer is a `--trusted-proxy`, the
    /// address that proxy forwarded (see [`TrustedProxies::client_address`]).
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

    /// The address with its last part hidden, as docs/API.md shows it: `203.0.113.x`, or for IPv6
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

impl FromRequestParts<AppState> for Client {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| {
                state
                    .trusted_proxies
                    .client_address(addr.ip(), &parts.headers)
            });
        let user_agent = parts
            .headers
            .get(USER_AGENT)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .unwrap_or_default();
        Ok(Self::new(ip, &user_agent))
    }
}

/// The proxies whose `X-Forwarded-For` is believed (`--trusted-proxy`). Empty by default:
/// then the header is ignored and the client is the TCP peer, since anyone can write it.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Arc<[ProxyRange]>);

impl TrustedProxies {
    pub fn new(ranges: impl IntoIterator<Item = ProxyRange>) -> Self {
        Self(ranges.into_iter().collect())
    }

    fn trust(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|range| range.0.contains(&ip))
    }

    /// The client of a connection from `peer`. Only a trusted peer is asked: then
    /// `X-Forwarded-For` (all its lines, in order) is read from the right, where each proxy
    /// appended the address it saw, and the first address that is not a trusted proxy is the
    /// client; everything left of it was written by that client and may be made up. If every
    /// hop is trusted, the left-most is the client. An entry that is not a bare address
    /// stops the walk at the last good one: nginx, HAProxy, Caddy, Traefik and Envoy write
    /// bare addresses, so a port, brackets, `unknown` or an empty entry means the chain can't
    /// be read further with confidence.
    pub fn client_address(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = peer.to_canonical();
        if !self.trust(client) {
            return client;
        }
        for line in headers.get_all(X_FORWARDED_FOR).iter().rev() {
            let Ok(line) = line.to_str() else {
                return client;
            };
            for entry in line.rsplit(',') {
                let Ok(hop) = entry.trim_matches([' ', '\t']).parse::<IpAddr>() else {
                    return client;
                };
                client = hop.to_canonical();
                if !self.trust(client) {
                    return client;
                }
            }
        }
        client
    }
}

const X_FORWARDED_FOR: &str = "x-forwarded-for";

/// One `--trusted-proxy` value: a network in CIDR notation (`10.0.0.0/8`, `fd00::/8`) or a
/// single address (`127.0.0.1`, as `/32`; `::1`, as `/128`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProxyRange(IpNet);

impl FromStr for ProxyRange {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let net = match text.parse::<IpAddr>() {
            Ok(ip) => IpNet::from(ip),
            Err(_) => text.parse::<IpNet>().map_err(|_| {
                format!(
                    "{text:?} is not an IP address or a network in CIDR notation \
                     (such as 10.0.0.0/8 or fd00::/8)"
                )
            })?,
        };
        // "10.0.0.1/8" trusts all of 10.0.0.0/8; more likely a typo for one address than
        // meant, and trusting too much lets anyone in that range choose their address.
        if net.trunc() != net {
            return Err(format!(
                "{text} sets bits past its /{} prefix (did you mean {}?)",
                net.prefix_len(),
                net.trunc()
            ));
        }
        Ok(Self(ipv4_if_mapped(net)))
    }
}

/// A range written in IPv4-mapped IPv6 form (`::ffff:10.0.0.0/104`) as its IPv4 range,
/// because peers and hops are compared in their canonical form (`10.0.0.1`).
fn ipv4_if_mapped(net: IpNet) -> IpNet {
    match net {
        IpNet::V6(v6) if v6.prefix_len() >= 96 => match v6.addr().to_ipv4_mapped() {
            Some(v4) => Ipv4Net::new(v4, v6.prefix_len() - 96).map_or(net, IpNet::V4),
            None => net,
        },
        _ => net,
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;
    use clap::Parser;

    use super::*;
    use crate::Cli;

    fn trusting(ranges: &[&str]) -> TrustedProxies {
        TrustedProxies::new(ranges.iter().map(|r| r.parse().expect("a range")))
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("an address")
    }

    /// The client of a connection from `peer` that carries these `X-Forwarded-For` lines.
    fn client(proxies: &TrustedProxies, peer: &str, lines: &[&[u8]]) -> IpAddr {
        let mut headers = HeaderMap::new();
        for line in lines {
            let value = HeaderValue::from_bytes(line).expect("a header value");
            headers.append(X_FORWARDED_FOR, value);
        }
        proxies.client_address(ip(peer), &headers)
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        let none = TrustedProxies::default();
        assert_eq!(
            client(&none, "10.0.0.2", &[b"198.51.100.9"]),
            ip("10.0.0.2")
        );
        let other = trusting(&["10.0.0.0/8"]);
        assert_eq!(
            client(&other, "192.0.2.1", &[b"198.51.100.9"]),
            ip("192.0.2.1")
        );
    }

    #[test]
    fn the_right_most_untrusted_hop_is_the_client() {
        let proxies = trusting(&["10.0.0.0/8", "192.0.2.10"]);
        // The client wrote the first two entries itself; the proxies appended the rest.
        let header: &[u8] = b"1.1.1.1, 203.0.113.5,198.51.100.9 ,\t10.0.0.3, 192.0.2.10";
        assert_eq!(client(&proxies, "10.0.0.2", &[header]), ip("198.51.100.9"));
        // A trusted peer that forwarded nothing is itself the client.
        assert_eq!(client(&proxies, "10.0.0.2", &[]), ip("10.0.0.2"));
    }

    #[test]
    fn header_lines_are_one_list_in_order() {
        let proxies = trusting(&["10.0.0.0/8"]);
        let lines: &[&[u8]] = &[b"203.0.113.5", b"198.51.100.9, 10.0.0.4", b"10.0.0.3"];
        assert_eq!(client(&proxies, "10.0.0.2", lines), ip("198.51.100.9"));
    }

    #[test]
    fn when_every_hop_is_trusted_the_left_most_is_the_client() {
        let proxies = trusting(&["10.0.0.0/8"]);
        let lines: &[&[u8]] = &[b"10.0.0.9, 10.0.0.8", b"10.0.0.7"];
        assert_eq!(client(&proxies, "10.0.0.2", lines), ip("10.0.0.9"));
    }

    #[test]
    fn a_malformed_entry_stops_at_the_last_good_address() {
        let proxies = trusting(&["10.0.0.0/8"]);
        for bad in [
            "unknown",
            "198.51.100.9:443",
            "[2001:db8::1]",
            "[2001:db8::1]:443",
            "",
            "fe80::1%eth0",
            "198.51.100.9 203.0.113.5",
        ] {
            let header = format!("203.0.113.5, {bad}, 10.0.0.3");
            let found = client(&proxies, "10.0.0.2", &[header.as_bytes()]);
            assert_eq!(found, ip("10.0.0.3"), "{header}");
        }
        // Right at the end: nothing good was found, so the peer it is.
        let found = client(&proxies, "10.0.0.2", &[b"203.0.113.5, unknown"]);
        assert_eq!(found, ip("10.0.0.2"));
        // Not text at all.
        let found = client(&proxies, "10.0.0.2", &[b"203.0.113.5", b"\xff"]);
        assert_eq!(found, ip("10.0.0.2"));
    }

    #[test]
    fn ipv6_hops_and_ranges() {
        let proxies = trusting(&["fd00::/8", "::1"]);
        let header: &[u8] = b"2001:db8::7, 2001:db8:85a3::8a2e:370:7334, fd00::2";
        let found = client(&proxies, "::1", &[header]);
        assert_eq!(found, ip("2001:db8:85a3::8a2e:370:7334"));
    }

    #[test]
    fn ipv4_mapped_addresses_are_their_ipv4_selves() {
        // A dual-stack socket sees IPv4 peers as ::ffff:a.b.c.d.
        let proxies = trusting(&["10.0.0.0/8"]);
        let found = client(
            &proxies,
            "::ffff:10.0.0.2",
            &[b"::ffff:10.0.0.3, 198.51.100.9"],
        );
        assert_eq!(found, ip("198.51.100.9"));
        let found = client(
            &proxies,
            "::ffff:10.0.0.2",
            &[b"198.51.100.9, ::ffff:10.0.0.3"],
        );
        assert_eq!(found, ip("198.51.100.9"));
        let found = client(&proxies, "10.0.0.2", &[b"::ffff:198.51.100.9"]);
        assert_eq!(found, ip("198.51.100.9"));
        // A range written in mapped form covers the IPv4 peers it names.
        let mapped = trusting(&["::ffff:10.0.0.0/104"]);
        assert_eq!(
            client(&mapped, "10.0.0.2", &[b"198.51.100.9"]),
            ip("198.51.100.9")
        );
        assert_eq!(
            client(&mapped, "11.0.0.2", &[b"198.51.100.9"]),
            ip("11.0.0.2")
        );
    }

    #[test]
    fn the_option_takes_networks_and_single_addresses() {
        let cli = Cli::try_parse_from([
            "hallpass-server",
            "--trusted-proxy",
            "10.0.0.0/8",
            "--trusted-proxy",
            "127.0.0.1",
            "--trusted-proxy",
            "::1",
        ])
        .expect("valid options");
        let proxies = TrustedProxies::new(cli.trusted_proxy.iter().copied());
        assert!(proxies.trust(ip("10.255.0.1")));
        assert!(proxies.trust(ip("127.0.0.1")));
        assert!(!proxies.trust(ip("127.0.0.2")));
        assert!(proxies.trust(ip("::1")));
        assert!(!proxies.trust(ip("::2")));
        let none = Cli::try_parse_from(["hallpass-server"]).expect("no options");
        assert!(none.trusted_proxy.is_empty());
    }

    #[test]
    fn a_bad_range_is_a_start_up_error() {
        for (bad, says) in [
            ("10.0.0.0/33", "not an IP address or a network"),
            ("proxy.internal", "not an IP address or a network"),
            ("10.0.0.0/", "not an IP address or a network"),
            ("10.0.0.1/8", "did you mean 10.0.0.0/8?"),
            ("fd00::1/8", "did you mean fd00::/8?"),
        ] {
            let err = Cli::try_parse_from(["hallpass-server", "--trusted-proxy", bad])
                .expect_err(bad)
                .to_string();
            assert!(
                err.contains("--trusted-proxy") && err.contains(says),
                "{err}"
            );
        }
    }

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
