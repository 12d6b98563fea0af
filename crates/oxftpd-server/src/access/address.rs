//! Address patterns of `Allow from`/`Deny from`: `all`, `none`, an address, CIDR, a `.domain`.

use std::net::IpAddr;

/// One pattern from an `Allow`/`Deny` list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AddrPattern {
    /// `all`.
    All,
    /// `none`.
    None,
    /// An address with a prefix length (a single address has the full length).
    Net(IpAddr, u8),
    /// A dotted address prefix like `10.1.` (ProFTPD's partial form).
    Prefix(String),
}

impl AddrPattern {
    /// Parses a pattern; `None` when it is neither an address form nor a keyword.
    pub fn parse(s: &str) -> Option<Self> {
        if s.eq_ignore_ascii_case("all") {
            return Some(AddrPattern::All);
        }
        if s.eq_ignore_ascii_case("none") {
            return Some(AddrPattern::None);
        }
        let s = s.trim_start_matches('[').trim_end_matches(']');
        if let Some((ip, len)) = s.split_once('/') {
            let ip: IpAddr = ip
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse()
                .ok()?;
            let len: u8 = len.parse().ok()?;
            let max = if ip.is_ipv4() { 32 } else { 128 };
            return (len <= max).then(|| Self::net(ip, len));
        }
        if let Ok(ip) = s.parse::<IpAddr>() {
            let len = if ip.is_ipv4() { 32 } else { 128 };
            return Some(Self::net(ip, len));
        }
        if s.ends_with('.') && s.chars().all(|c| c.is_ascii_digit() || c == '.') {
            return Some(AddrPattern::Prefix(s.to_string()));
        }
        None
    }

    /// A network; an IPv4-mapped IPv6 network becomes the IPv4 one (addresses are compared
    /// in that form too).
    fn net(ip: IpAddr, len: u8) -> Self {
        match ip {
            IpAddr::V6(v6) if len >= 96 => match v6.to_ipv4_mapped() {
                Some(v4) => AddrPattern::Net(IpAddr::V4(v4), len - 96),
                None => AddrPattern::Net(ip, len),
            },
            _ => AddrPattern::Net(ip, len),
        }
    }

    /// Whether `addr` matches.
    pub fn matches(&self, addr: IpAddr) -> bool {
        let addr = match addr {
            IpAddr::V6(v6) => v6
                .to_ipv4_mapped()
                .map(IpAddr::V4)
                .unwrap_or(IpAddr::V6(v6)),
            v4 => v4,
        };
        match self {
            AddrPattern::All => true,
            AddrPattern::None => false,
            AddrPattern::Net(net, len) => match (net, addr) {
                (IpAddr::V4(n), IpAddr::V4(a)) => {
                    let mask = if *len == 0 {
                        0
                    } else {
                        u32::MAX << (32 - u32::from(*len))
                    };
                    u32::from(*n) & mask == u32::from(a) & mask
                }
                (IpAddr::V6(n), IpAddr::V6(a)) => {
                    let mask = if *len == 0 {
                        0
                    } else {
                        u128::MAX << (128 - u32::from(*len))
                    };
                    u128::from(*n) & mask == u128::from(a) & mask
                }
                _ => false,
            },
            AddrPattern::Prefix(p) => addr.to_string().starts_with(p.as_str()),
        }
    }
}

/// A host-name pattern of `Allow from`/`Deny from` (needs `UseReverseDNS on`): `.example.com`
/// matches names under that domain, a glob matches as a glob, anything else exactly.
pub struct HostPattern<'a>(pub &'a str);

impl HostPattern<'_> {
    /// Whether the client's name `host` matches (case-insensitive).
    pub fn matches(&self, host: &str) -> bool {
        let pat = self.0.to_ascii_lowercase();
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        if pat.starts_with('.') {
            return host.ends_with(&pat);
        }
        if pat.contains(['*', '?', '[']) {
            return globset::Glob::new(&pat).is_ok_and(|g| g.compile_matcher().is_match(&host));
        }
        pat == host
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_and_forms() {
        let a: IpAddr = "10.1.2.3".parse().unwrap_or(IpAddr::from([0, 0, 0, 0]));
        assert!(AddrPattern::parse("10.0.0.0/8").is_some_and(|p| p.matches(a)));
        assert!(!AddrPattern::parse("10.0.0.0/16").is_some_and(|p| p.matches(a)));
        assert!(AddrPattern::parse("10.1.").is_some_and(|p| p.matches(a)));
        assert!(AddrPattern::parse("all").is_some_and(|p| p.matches(a)));
        assert!(!AddrPattern::parse("none").is_some_and(|p| p.matches(a)));
        let v6: IpAddr = "2001:db8::1".parse().unwrap_or(IpAddr::from([0u16; 8]));
        assert!(AddrPattern::parse("2001:db8::/32").is_some_and(|p| p.matches(v6)));
        assert!(AddrPattern::parse("[::ffff:10.1.2.3]").is_some_and(|p| p.matches(a)));
        assert_eq!(AddrPattern::parse("example.com"), None);
    }

    #[test]
    fn host_patterns() {
        assert!(HostPattern(".example.com").matches("ftp.Example.com"));
        assert!(!HostPattern(".example.com").matches("example.com"));
        assert!(HostPattern("*.example.com").matches("a.example.com"));
        assert!(HostPattern("host.example.com").matches("host.example.com."));
        assert!(!HostPattern("host.example.com").matches("other.example.com"));
    }
}
