//! `HOST`: RFC 7151, choosing a name-based virtual host before login, with ProFTPD's replies.
//!
//! RFC 7151 section 3: the client names the host it wants before USER; the server answers
//! 220 and acts as that host from then on. ProFTPD matches the name against the
//! `ServerAlias` names of the servers reachable on the connection's address and port, takes
//! an IPv4 literal equal to that address, and refuses HOST once logged in.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use crate::context::{Generation, ServerCtx};
use crate::module::HandlerFuture;
use crate::session::{Ctx, State};

/// What a `HOST` argument names.
#[derive(Debug, PartialEq, Eq)]
pub enum HostTarget {
    /// A server whose `ServerAlias` matches (index into the generation's servers).
    Server(usize),
    /// The connection's own IPv4 address.
    Address,
    /// Not a host name ProFTPD accepts (IPv6 literals, brackets).
    Invalid,
    /// No server here answers to that name.
    Unknown,
}

/// Where `name` leads for a connection that arrived on `local`.
pub fn lookup(generation: &Generation, local: std::net::SocketAddr, name: &str) -> HostTarget {
    if name.contains(':') || name.starts_with('[') {
        return HostTarget::Invalid;
    }
    let local_ip = match local.ip() {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    };
    if let Ok(ip) = name.parse::<Ipv4Addr>() {
        return if IpAddr::V4(ip) == local_ip {
            HostTarget::Address
        } else {
            HostTarget::Unknown
        };
    }
    let reachable = |s: &Arc<ServerCtx>| {
        s.settings.port == local.port()
            && (s.settings.addresses.contains(&local_ip)
                || (s.index == 0 && s.settings.addresses.is_empty()))
    };
    generation
        .servers
        .iter()
        .enumerate()
        .filter(|(_, s)| reachable(s))
        .find(|(_, s)| {
            s.cfg
                .core
                .server_alias
                .iter()
                .any(|alias| alias.eq_ignore_ascii_case(name))
        })
        .map_or(HostTarget::Unknown, |(i, _)| HostTarget::Server(i))
}

/// `HOST name`: `220` with the chosen server's greeting, `504` for an unknown name,
/// `503` once logged in.
pub fn host<'a>(ctx: &'a mut Ctx, state: &'a mut State, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        let Some(name) = arg.filter(|a| !a.contains(' ')) else {
            return ctx.reply(500, "'HOST' not understood").await;
        };
        if matches!(state, State::LoggedIn(_)) {
            return ctx.reply(503, "Bad sequence of commands").await;
        }
        match lookup(&ctx.generation, ctx.local, name) {
            HostTarget::Server(i) => {
                ctx.server = ctx.generation.servers[i].clone();
                let banner = crate::messages::banner_line(ctx);
                ctx.reply(220, banner).await
            }
            HostTarget::Address => {
                if let Some(server) = crate::listener::choose(&ctx.generation, ctx.local) {
                    ctx.server = server;
                }
                ctx.reply(220, "HOST command successful").await
            }
            HostTarget::Invalid => {
                ctx.reply(501, format!("{name}: Invalid hostname provided"))
                    .await
            }
            HostTarget::Unknown => {
                ctx.reply(504, format!("{name}: Unknown hostname provided"))
                    .await
            }
        }
    })
}
