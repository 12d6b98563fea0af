//! SNI (RFC 6066 section 3): the name the client asks for in its TLS ClientHello picks the
//! `<VirtualHost>` on the connection's address and port whose `ServerName` or `ServerAlias`
//! it is, as `HOST` would; the handshake then uses that server's certificates and settings.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use crate::context::{Generation, ServerCtx};

/// The FTPS server among those reachable on `local` that answers to `name`.
pub fn server_for(
    generation: &Generation,
    local: SocketAddr,
    name: &str,
) -> Option<Arc<ServerCtx>> {
    let ip = match local.ip() {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    };
    let reachable = |s: &&Arc<ServerCtx>| {
        s.settings.port == local.port()
            && (s.settings.addresses.contains(&ip)
                || (s.index == 0 && s.settings.addresses.is_empty()))
    };
    let named = |s: &&Arc<ServerCtx>| {
        let config = s.config();
        config
            .directive("ServerName")
            .and_then(|d| d.arg(0))
            .is_some_and(|n| n.eq_ignore_ascii_case(name))
            || config
                .directives("ServerAlias")
                .flat_map(|d| d.args.iter())
                .any(|a| a.eq_ignore_ascii_case(name))
    };
    generation
        .servers
        .iter()
        .filter(reachable)
        .filter(|s| s.tls.is_some())
        .find(named)
        .cloned()
}
