//! `HOST`: RFC 7151, choosing a name-based virtual host before login, with ProFTPD's replies.
//!
//! RFC 7151 section 3: the client names the host it wants before USER; the server answers
//! 220 and acts as that host from then on. ProFTPD matches the name against the
//! `ServerAlias` names of the servers reachable on the connection's address and port, takes
//! an IPv4 literal equal to that address, and refuses HOST once logged in.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use oxftpd_proto::reply::codes;

use crate::context::{Generation, ServerCtx};
use crate::module::{CommandError, HandlerFuture};
use crate::session::{Ctx, State};

/// What a `HOST` argument names.
#[derive(Debug, PartialEq, Eq)]
pub enum HostTarget {
    /// A server whose `<VirtualHost>` name or `ServerAlias` matches (index into the
    /// generation's servers).
    Server(usize),
    /// The connection's own address.
    Address,
    /// Not a host name (brackets without IPv6 support, a colon in a name).
    Invalid,
    /// An IPv6 literal without its brackets, or a bracketed one that is no IPv6 address.
    InvalidIpv6,
    /// No server here answers to that name.
    Unknown,
}

/// The address as one family: IPv4-mapped IPv6 addresses as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

/// Where `name` leads for a connection that arrived on `local`, as mod_core's `HOST` decides:
/// an IPv6 literal needs brackets (and `UseIPv6 on`, `ipv6`); an address literal of the
/// connection's own family must be the connection's address, one of the other family is taken
/// as is (ProFTPD compares only like with like); anything else is a name of a server
/// reachable on that address and port.
pub fn lookup(
    generation: &Generation,
    local: std::net::SocketAddr,
    name: &str,
    ipv6: bool,
) -> HostTarget {
    let local_ip = canonical(local.ip());
    let local_v6 = match local.ip() {
        IpAddr::V6(v6) => Some(v6),
        IpAddr::V4(_) => None,
    };
    let literal_v6 = |v6: Ipv6Addr| match local_v6 {
        Some(own) if own != v6 => HostTarget::Unknown,
        _ => HostTarget::Address,
    };
    if let Some(inner) = name.strip_prefix('[') {
        if !ipv6 {
            return HostTarget::Invalid;
        }
        let Some(literal) = inner.strip_suffix(']') else {
            return HostTarget::InvalidIpv6;
        };
        return match literal.parse::<Ipv6Addr>() {
            Ok(v6) => literal_v6(v6),
            Err(_) => HostTarget::InvalidIpv6,
        };
    }
    if let Ok(ip) = name.parse::<Ipv4Addr>() {
        return match local.ip() {
            IpAddr::V4(own) if own != ip => HostTarget::Unknown,
            _ => HostTarget::Address,
        };
    }
    if name.parse::<Ipv6Addr>().is_ok() {
        return match local_v6 {
            Some(_) => HostTarget::InvalidIpv6,
            None => HostTarget::Address,
        };
    }
    if name.contains(':') {
        return HostTarget::Invalid;
    }
    let reachable = |s: &Arc<ServerCtx>| {
        s.settings.port == local.port()
            && (s.settings.addresses.contains(&local_ip)
                || (s.index == 0 && s.settings.addresses.is_empty()))
    };
    // A server answers to the names of its `<VirtualHost>` line that are no address
    // literals, and to its `ServerAlias` names; a name written exactly wins over a pattern
    // (`*.example.com`, `*`) that matches, as ProFTPD's namebinds look them up.
    let names = |s: &Arc<ServerCtx>| -> Vec<String> {
        let own = s
            .config()
            .addresses()
            .iter()
            .filter(|a| a.parse::<IpAddr>().is_err());
        own.chain(s.cfg.core.server_alias.iter())
            .map(|n| n.to_ascii_lowercase())
            .collect()
    };
    let wanted = name.to_ascii_lowercase();
    let candidates: Vec<(usize, Vec<String>)> = generation
        .servers
        .iter()
        .enumerate()
        .filter(|(_, s)| reachable(s))
        .map(|(i, s)| (i, names(s)))
        .collect();
    let exact = candidates.iter().find(|(_, names)| names.contains(&wanted));
    let pattern = || {
        candidates.iter().find(|(_, names)| {
            names
                .iter()
                .any(|n| oxftpd_proto::glob::has_glob(n) && oxftpd_proto::glob::matches(n, &wanted))
        })
    };
    exact
        .or_else(pattern)
        .map_or(HostTarget::Unknown, |(i, _)| HostTarget::Server(*i))
}

/// `HOST name`: `220` with the chosen server's greeting, `504` for an unknown name,
/// `503` once logged in.
pub fn host<'a>(ctx: &'a mut Ctx, state: &'a mut State, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        let Some(name) = arg.filter(|a| !a.contains(' ')) else {
            return Err(CommandError::bad_argument(
                codes::SYNTAX_ERROR,
                "'HOST' not understood",
            ));
        };
        if matches!(state, State::LoggedIn(_)) {
            return Err(CommandError::BadSequence("Bad sequence of commands".into()));
        }
        // `<Limit HOST>` is checked before login, as mod_core's dir_check on the cwd.
        if crate::access::limit::refused_here(ctx, None, "HOST") {
            return Err(CommandError::refused(
                codes::NOT_IMPLEMENTED_FOR_PARAMETER,
                format!("{name}: Permission denied"),
            ));
        }
        let ipv6 = ctx.server.settings.use_ipv6;
        match lookup(&ctx.generation, ctx.local, name, ipv6) {
            HostTarget::Server(i) => {
                ctx.server = ctx.generation.servers[i].clone();
                crate::module::log::moved_to(ctx.server.index);
                let banner = crate::messages::banner_line(ctx);
                Ok(ctx.reply(codes::SERVICE_READY, banner).await?)
            }
            HostTarget::Address => {
                if let Some(server) = crate::listener::choose(&ctx.generation, ctx.local) {
                    ctx.server = server;
                    crate::module::log::moved_to(ctx.server.index);
                }
                Ok(ctx
                    .reply(codes::SERVICE_READY, "HOST command successful")
                    .await?)
            }
            HostTarget::Invalid => Err(CommandError::bad_argument(
                codes::SYNTAX_ERROR_ARGUMENTS,
                format!("{name}: Invalid hostname provided"),
            )),
            HostTarget::InvalidIpv6 => Err(CommandError::bad_argument(
                codes::SYNTAX_ERROR_ARGUMENTS,
                format!("{name}: Invalid IPv6 address provided"),
            )),
            HostTarget::Unknown => Err(CommandError::bad_argument(
                codes::NOT_IMPLEMENTED_FOR_PARAMETER,
                format!("{name}: Unknown hostname provided"),
            )),
        }
    })
}
