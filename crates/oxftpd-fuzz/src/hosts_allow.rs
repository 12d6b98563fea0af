//! The hosts.allow / hosts.deny language (mod_wrap).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use oxftpd_server::modules::mod_wrap::hosts_access::{Client, matches, parse};

/// Parses `data` as an access file and checks a few clients against it.
pub fn run(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let rules = parse(&text);
    let doc = IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1));
    for (addr, name, user) in [
        (
            IpAddr::V4(Ipv4Addr::LOCALHOST),
            Some("localhost"),
            Some("alice"),
        ),
        (IpAddr::V4(Ipv4Addr::new(192, 0, 2, 7)), None, None),
        (IpAddr::V6(Ipv6Addr::LOCALHOST), Some("a.example.org"), None),
        (doc, None, Some("bob")),
    ] {
        let _ = matches(&rules, "proftpd", &Client { addr, name, user });
    }
}
