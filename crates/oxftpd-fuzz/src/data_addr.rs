//! PORT and EPRT arguments (PASV and EPSV take none but `EPSV ALL`/a protocol number).

use oxftpd_server::modules::mod_core::data::{eprt_protocol, parse_eprt, parse_port};

/// Parses `data` as PORT and EPRT arguments; what parses must print and parse back the same.
pub fn run(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Some(addr) = parse_port(&text) {
        let [a, b, c, d] = match addr.ip() {
            std::net::IpAddr::V4(v4) => v4.octets(),
            std::net::IpAddr::V6(_) => panic!("PORT gave an IPv6 address"),
        };
        let again = format!(
            "{a},{b},{c},{d},{},{}",
            addr.port() >> 8,
            addr.port() & 0xff
        );
        assert_eq!(parse_port(&again), Some(addr));
    }
    let _ = eprt_protocol(&text);
    if let Some(addr) = parse_eprt(&text) {
        let proto = if addr.is_ipv4() { 1 } else { 2 };
        let again = format!("|{proto}|{}|{}|", addr.ip(), addr.port());
        assert_eq!(parse_eprt(&again), Some(addr));
    }
}
