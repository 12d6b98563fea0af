//! SNI (RFC 6066 section 3): the name the client asks for in its TLS ClientHello picks the
//! `<VirtualHost>` on the connection's address and port whose `ServerAlias` it is, as `HOST`
//! would; the handshake then uses that server's certificates and settings.
//!
//! As ProFTPD 1.3.8 (observed): a `ServerName` is not a name SNI can choose; when name-based
//! vhosts share the address and port, a name none of them answers to is refused with an
//! `unrecognized_name` alert; without name-based vhosts any name is accepted.
//! `TLSOptions IgnoreSNI` turns all of this off.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use crate::context::{Generation, ServerCtx};

/// The server whose settings the handshake uses for SNI `name` (`None`: refuse the name).
pub fn choose(
    generation: &Generation,
    local: SocketAddr,
    current: &Arc<ServerCtx>,
    name: Option<&str>,
) -> Option<Arc<ServerCtx>> {
    let Some(name) = name else {
        return Some(current.clone());
    };
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
    let aliases = |s: &Arc<ServerCtx>| -> Vec<String> { s.cfg.core.server_alias.clone() };
    let mut name_based = false;
    for s in generation.servers.iter().filter(reachable) {
        let names = aliases(s);
        name_based |= !names.is_empty();
        if super::server_tls(s).is_some() && names.iter().any(|a| a.eq_ignore_ascii_case(name)) {
            return Some(s.clone());
        }
    }
    if name_based {
        None
    } else {
        Some(current.clone())
    }
}

pub use crate::data::tls_stream::UNRECOGNIZED_NAME_ALERT;
