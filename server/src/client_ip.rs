//! The client's IP address, for rate limits and logs (issue #5, item 5).
//!
//! The socket's peer address, unless that peer is one of the `TRUSTED_PROXIES` (nginx in the
//! production shape). Then `X-Forwarded-For` is read from the right: each proxy appends the
//! address it received the request from, so the right-most entry that is not itself a trusted
//! proxy is the client; everything left of it was written by the client and is ignored
//! (OWASP "Forwarded headers"; MDN "X-Forwarded-For", "Selecting an IP address").
//!
//! Rate-limit keys group IPv6 clients by their /64 network: one host usually holds a whole
//! /64, so limits per single IPv6 address would be no limit at all.

use std::net::{IpAddr, SocketAddr};

use anyhow::Context;
use axum::extract::{ConnectInfo, FromRequestParts};
use http::HeaderMap;
use http::request::Parts;
use ipnet::IpNet;

use crate::error::ApiError;
use crate::state::AppState;

/// The networks whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<IpNet>);

/// Parses `TRUSTED_PROXIES`: comma-separated CIDRs (`10.0.0.0/8`, `::1/128`) or bare
/// addresses (taken as /32 or /128); blanks are skipped.
///
/// # Errors
/// Names the first entry that is neither.
pub fn parse_trusted_proxies(list: &str) -> anyhow::Result<TrustedProxies> {
    let mut nets = Vec::new();
    for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let net = match entry.parse::<IpNet>() {
            Ok(net) => net.trunc(),
            Err(_) => IpNet::from(
                entry
                    .parse::<IpAddr>()
                    .with_context(|| format!("{entry:?} is not an address or a CIDR"))?,
            ),
        };
        nets.push(net);
    }
    Ok(TrustedProxies(nets))
}

impl TrustedProxies {
    /// Whether `ip` lies in one of the trusted networks.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client address of a request that arrived from `peer` with `headers`.
    pub fn client_ip(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let mut current = peer.to_canonical();
        if !self.contains(current) {
            return current;
        }
        // Split the raw bytes: a client's garbage in the left part of a line must not hide
        // the entries our proxies appended to its right.
        let entries: Vec<&[u8]> = headers
            .get_all("x-forwarded-for")
            .iter()
            .flat_map(|v| v.as_bytes().split(|b| *b == b','))
            .collect();
        for entry in entries.into_iter().rev() {
            let entry = std::str::from_utf8(entry).unwrap_or("").trim();
            // A trusted proxy wrote this entry; an unreadable one means the chain is broken,
            // and the last proxy we trust is the best answer we have.
            let Some(ip) = parse_forwarded_entry(entry) else {
                return current;
            };
            current = ip;
            if !self.contains(ip) {
                return ip;
            }
        }
        current
    }
}

/// An `X-Forwarded-For` entry: an address, optionally `v4:port` or `[v6]:port`.
fn parse_forwarded_entry(entry: &str) -> Option<IpAddr> {
    if let Ok(ip) = entry.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    entry
        .parse::<SocketAddr>()
        .ok()
        .map(|s| s.ip().to_canonical())
}

/// The caller's address, as [`TrustedProxies::client_ip`] finds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl ClientIp {
    /// The key of this client in rate-limit counters: the IPv4 address, or the IPv6 /64.
    pub fn rate_key(&self) -> String {
        match self.0 {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        }
    }
}

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip())
            .ok_or_else(|| {
                ApiError::Internal(anyhow::anyhow!(
                    "no peer address: the router runs outside crate::serve"
                ))
            })?;
        Ok(Self(state.proxies.client_ip(peer, &parts.headers)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xff(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            let value = http::HeaderValue::from_bytes(v.as_bytes()).expect("header");
            h.append("x-forwarded-for", value);
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let trusted = parse_trusted_proxies("").expect("empty list");
        let got = trusted.client_ip(ip("203.0.113.9"), &xff(&["1.2.3.4"]));
        assert_eq!(got, ip("203.0.113.9"));
    }

    #[test]
    fn behind_trusted_proxies_the_right_most_untrusted_entry_wins() {
        let trusted = parse_trusted_proxies("10.0.0.0/8, 127.0.0.1").expect("list");
        let cases = [
            (vec!["198.51.100.7"], "198.51.100.7", "one proxy"),
            (
                vec!["6.6.6.6, 198.51.100.7"],
                "198.51.100.7",
                "a spoofed left entry is ignored",
            ),
            (
                vec!["6.6.6.6", "198.51.100.7, 10.1.2.3"],
                "198.51.100.7",
                "two proxies, two headers",
            ),
            (vec![], "127.0.0.1", "no header: the proxy itself"),
            (
                vec!["garbage, 10.0.0.5"],
                "10.0.0.5",
                "a broken chain stops at the last trusted hop",
            ),
            (
                vec!["[2001:db8::1]:4711"],
                "2001:db8::1",
                "bracketed IPv6 with a port",
            ),
            (vec!["::ffff:198.51.100.7"], "198.51.100.7", "IPv4-mapped"),
            (
                vec!["caf\u{e9}, 198.51.100.7"],
                "198.51.100.7",
                "non-ASCII client text does not hide the proxy's entry",
            ),
        ];
        for (headers, want, why) in cases {
            let got = trusted.client_ip(ip("127.0.0.1"), &xff(&headers));
            assert_eq!(got, ip(want), "{why}");
        }
    }

    #[test]
    fn malformed_proxy_lists_are_refused() {
        assert!(parse_trusted_proxies("10.0.0.0/8,nginx").is_err());
        assert!(parse_trusted_proxies("10.0.0.0/33").is_err());
        assert!(parse_trusted_proxies(" ::1 , 192.168.0.0/16 ").is_ok());
    }

    #[test]
    fn ipv6_clients_are_limited_per_64() {
        let a = ClientIp(ip("2001:db8:1:2:aaaa::1")).rate_key();
        let b = ClientIp(ip("2001:db8:1:2:bbbb::9")).rate_key();
        assert_eq!(a, b);
        assert_eq!(ClientIp(ip("192.0.2.1")).rate_key(), "192.0.2.1");
    }
}
