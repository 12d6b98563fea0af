//! mod_proxy_protocol.c (TJ Saunders' third-party module, as sites behind HAProxy load it):
//! the PROXY protocol header of a load balancer names the real client.
//!
//! `ProxyProtocolTrustedSources` is oxftpd's own: ProFTPD's module trusts every connection
//! (its documentation says to scope it with `<IfClass>`); oxftpd reads a header only from the
//! sources listed there, when the list is given, and treats any other connection as a direct
//! client.

use super::d;
use crate::registry::{Args, Contexts as C, DirectiveSpec, ModuleSpec};

/// The mod_proxy_protocol.c module.
pub static MODULE: ModuleSpec = ModuleSpec {
    name: "mod_proxy_protocol.c",
    directives: DIRECTIVES,
};

static DIRECTIVES: &[DirectiveSpec] = &[
    d(
        "ProxyProtocolEngine",
        C::SERVERS,
        Args::flag(),
        false,
        "expect a PROXY protocol header before the client's first byte and take the client's address from it",
    ),
    d(
        "ProxyProtocolOptions",
        C::SERVERS,
        Args::at_least(1).checked(check_options),
        false,
        "UseProxiedServerAddress: choose the <VirtualHost> by the address the client connected to at the proxy",
    ),
    d(
        "ProxyProtocolTimeout",
        C::SERVERS,
        Args::duration(),
        false,
        "how long to wait for the whole header before closing the connection (3 s by default)",
    ),
    d(
        "ProxyProtocolTrustedSources",
        C::SERVERS,
        Args::at_least(1).checked(check_sources),
        true,
        "oxftpd: the proxies (addresses, CIDR networks) whose header is read; other connections are direct clients",
    ),
    d(
        "ProxyProtocolVersion",
        C::SERVERS,
        Args::exact(1).checked(check_version),
        false,
        "haproxyV1 (text, the default) or haproxyV2 (binary)",
    ),
];

/// The header version a server expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// `haproxyV1`.
    HaproxyV1,
    /// `haproxyV2`.
    HaproxyV2,
}

/// mod_proxy_protocol's settings in force for one scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    /// `ProxyProtocolEngine` (off by default).
    pub engine: bool,
    /// `ProxyProtocolVersion`.
    pub version: Version,
    /// `ProxyProtocolTimeout`, in seconds.
    pub timeout_secs: u64,
    /// `ProxyProtocolOptions UseProxiedServerAddress`.
    pub use_proxied_server_address: bool,
    /// `ProxyProtocolTrustedSources`, every pattern of every occurrence; empty: every source.
    pub trusted_sources: Vec<String>,
}

impl View {
    /// Reads mod_proxy_protocol's settings from a merged scope.
    pub fn read(m: &crate::Merged<'_>) -> View {
        View {
            engine: m.flag("ProxyProtocolEngine").unwrap_or(false),
            version: match m.arg("ProxyProtocolVersion", 0) {
                Some(v) if v.eq_ignore_ascii_case("haproxyV2") => Version::HaproxyV2,
                _ => Version::HaproxyV1,
            },
            timeout_secs: m.duration("ProxyProtocolTimeout").unwrap_or(3),
            use_proxied_server_address: m.args("ProxyProtocolOptions").is_some_and(|a| {
                a.iter()
                    .any(|o| o.eq_ignore_ascii_case("UseProxiedServerAddress"))
            }),
            trusted_sources: m
                .all_args("ProxyProtocolTrustedSources")
                .into_iter()
                .flatten()
                .collect(),
        }
    }
}

fn check_version(args: &[String]) -> Result<(), String> {
    match args.first() {
        Some(v) if v.eq_ignore_ascii_case("haproxyV1") || v.eq_ignore_ascii_case("haproxyV2") => {
            Ok(())
        }
        Some(v) => Err(format!(
            "unknown PROXY protocol version '{v}': use haproxyV1 or haproxyV2"
        )),
        None => Err("missing parameters".into()),
    }
}

fn check_options(args: &[String]) -> Result<(), String> {
    match args
        .iter()
        .find(|o| !o.eq_ignore_ascii_case("UseProxiedServerAddress"))
    {
        Some(o) => Err(format!(
            "unknown ProxyProtocolOptions option '{o}' (known: UseProxiedServerAddress)"
        )),
        None => Ok(()),
    }
}

/// An address, `address/prefix` network, or `all`: the forms of `Allow from` without names
/// (a proxy is trusted by its address, never by what its reverse DNS says).
fn check_sources(args: &[String]) -> Result<(), String> {
    for a in args {
        let bare = a.trim_start_matches('[').trim_end_matches(']');
        let ok = a.eq_ignore_ascii_case("all")
            || bare.parse::<std::net::IpAddr>().is_ok()
            || bare.split_once('/').is_some_and(|(ip, len)| {
                let ip = ip.trim_start_matches('[').trim_end_matches(']');
                match (ip.parse::<std::net::IpAddr>(), len.parse::<u8>()) {
                    (Ok(ip), Ok(len)) => len <= if ip.is_ipv4() { 32 } else { 128 },
                    _ => false,
                }
            });
        if !ok {
            return Err(format!(
                "'{a}' is not an address or an address/prefix network (names are not trusted)"
            ));
        }
    }
    Ok(())
}
