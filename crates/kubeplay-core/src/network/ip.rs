//! IPv4 addresses as plain `u32`s.
//!
//! Every address in the simulated network (node IPs, pod IPs, ClusterIPs, the load balancer's
//! private address) is a `u32` so that lookups, sorting and the per-request hot path never touch
//! strings. Formatting and parsing happen only at the edges (kubectl output, `curl` URLs).

use std::fmt;

/// An IPv4 address in host byte order (`10.96.0.1` = `0x0A60_0001`).
pub type Ip = u32;

/// Builds an address from its four octets.
pub const fn ipv4(a: u8, b: u8, c: u8, d: u8) -> Ip {
    (a as u32) << 24 | (b as u32) << 16 | (c as u32) << 8 | d as u32
}

/// Dotted-quad rendering of an [`Ip`], usable in `format!` without allocating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DisplayIp(pub Ip);

impl fmt::Display for DisplayIp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d] = self.0.to_be_bytes();
        write!(f, "{a}.{b}.{c}.{d}")
    }
}

/// `10.96.0.1` style string of an address.
pub fn fmt_ip(ip: Ip) -> String {
    DisplayIp(ip).to_string()
}

/// Parses a dotted quad; `None` for anything else (hostnames, IPv6, junk).
pub fn parse_ip(s: &str) -> Option<Ip> {
    let mut out: u32 = 0;
    let mut parts = 0;
    for part in s.split('.') {
        if part.is_empty() || part.len() > 3 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let v: u32 = part.parse().ok()?;
        if v > 255 {
            return None;
        }
        out = out << 8 | v;
        parts += 1;
    }
    (parts == 4).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_dotted_quads() {
        assert_eq!(parse_ip("10.96.0.1"), Some(ipv4(10, 96, 0, 1)));
        assert_eq!(fmt_ip(ipv4(172, 20, 33, 7)), "172.20.33.7");
        assert_eq!(parse_ip("10.96.0"), None);
        assert_eq!(parse_ip("10.96.0.256"), None);
        assert_eq!(parse_ip("a.elb.amazonaws.com"), None);
    }
}
