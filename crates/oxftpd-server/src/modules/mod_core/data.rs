//! PASV and PORT (RFC 959 section 4.1.2), EPSV and EPRT (RFC 2428).
//!
//! RFC 2428 section 2: "EPRT<space><d><net-prt><d><net-addr><d><tcp-port><d>";
//! section 3: the EPSV reply is "229 Entering Extended Passive Mode (|||port|)".
//! A PORT/EPRT to another host than the client's is refused unless `AllowForeignAddress on`
//! (FXP, RFC 2577 section 3), and so is a privileged port.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use oxftpd_proto::reply::codes;

use crate::data::channel::{DataError, DataSetup, bind_passive, same_ip};
use crate::module::{CommandError, CommandResult, DataFailure, HandlerCtx, HandlerFuture, Session};
use crate::session::Ctx;

fn v4_of(ip: IpAddr) -> Option<Ipv4Addr> {
    match ip {
        IpAddr::V4(v4) => Some(v4),
        IpAddr::V6(v6) => v6.to_ipv4_mapped(),
    }
}

/// `500 Illegal VERB command, EPSV ALL in effect` once `EPSV ALL` was sent.
fn epsv_all_refusal(ctx: &Ctx, verb: &str) -> CommandResult {
    if !ctx.epsv_all {
        return Ok(());
    }
    Err(CommandError::refused(
        codes::SYNTAX_ERROR,
        format!("Illegal {verb} command, EPSV ALL in effect"),
    ))
}

/// Whether EPSV/EPRT take network protocol `proto`, as mod_core decides: `1` always, `2`
/// under `UseIPv6 on` (whatever the control connection's family); else the `522` text with
/// what is offered.
fn protocol_refusal(ctx: &Ctx, proto: Option<&str>) -> Option<CommandError> {
    let ipv6 = ctx.server.settings.use_ipv6;
    match proto {
        Some("1") => None,
        Some("2") if ipv6 => None,
        _ => Some(CommandError::bad_argument(
            codes::NETWORK_PROTOCOL_NOT_SUPPORTED,
            if ipv6 {
                "Network protocol not supported, use (1,2)"
            } else {
                "Network protocol not supported, use (1)"
            },
        )),
    }
}

fn listen(ctx: &mut Session<'_>) -> Result<u16, CommandError> {
    *ctx.data().setup = DataSetup::None;
    let ip = ctx.local.ip();
    let ip = v4_of(ip).map(IpAddr::V4).unwrap_or(ip);
    match bind_passive(ip, ctx.server.settings.passive_ports) {
        Ok(listener) => {
            let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
            *ctx.data().setup = DataSetup::Passive(listener);
            Ok(port)
        }
        Err(e) => Err(DataFailure::Open(DataError::Io(e)).into()),
    }
}

/// `PASV`: `227 Entering Passive Mode (h1,h2,h3,h4,p1,p2).`
pub fn pasv<'a>(hx: HandlerCtx<'a>, _arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        let HandlerCtx {
            user: _user,
            mut session,
            ..
        } = hx;
        let ctx = &mut session;
        epsv_all_refusal(ctx, "PASV")?;
        let shown = ctx.server.settings.masquerade.unwrap_or(ctx.local.ip());
        let Some(v4) = v4_of(shown) else {
            return Err(CommandError::refused(
                codes::SYNTAX_ERROR_ARGUMENTS,
                "PASV not supported on an IPv6 connection: use EPSV",
            ));
        };
        let port = listen(ctx)?;
        let [a, b, c, d] = v4.octets();
        Ok(ctx
            .reply(
                codes::PASSIVE_MODE,
                format!(
                    "Entering Passive Mode ({a},{b},{c},{d},{},{}).",
                    port >> 8,
                    port & 0xff
                ),
            )
            .await?)
    })
}

/// `EPSV [proto|ALL]`: `229 Entering Extended Passive Mode (|||port|)`.
pub fn epsv<'a>(hx: HandlerCtx<'a>, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        let HandlerCtx {
            user: _user,
            mut session,
            ..
        } = hx;
        let ctx = &mut session;
        if let Some(a) = arg {
            if a.eq_ignore_ascii_case("ALL") {
                *ctx.data().epsv_all = true;
                *ctx.data().setup = DataSetup::None;
                return Ok(ctx
                    .reply(codes::COMMAND_OK, "EPSV ALL command successful")
                    .await?);
            }
            if let Some(refusal) = protocol_refusal(ctx, Some(a)) {
                return Err(refusal);
            }
        }
        let port = listen(ctx)?;
        Ok(ctx
            .reply(
                codes::EXTENDED_PASSIVE_MODE,
                format!("Entering Extended Passive Mode (|||{port}|)"),
            )
            .await?)
    })
}

/// Checks an active-mode target; `None` when it must be refused.
fn allowed_target(ctx: &Ctx, addr: SocketAddr) -> bool {
    addr.port() >= 1024
        && (ctx.server.settings.allow_foreign_address || same_ip(addr.ip(), ctx.peer.ip()))
}

/// Refuses an active-mode command under EPSV ALL, or when RootRevoke leaves no low port to
/// connect from.
fn active_refusal(ctx: &Ctx, verb: &str) -> CommandResult {
    epsv_all_refusal(ctx, verb)?;
    if ctx
        .server
        .settings
        .root_revoke
        .refuses_active(ctx.local.port())
    {
        tracing::debug!(
            "RootRevoke in effect, unable to bind to local port {} for active transfer",
            ctx.local.port()
        );
        return Err(CommandError::refused(
            codes::SYNTAX_ERROR,
            format!("Unable to service {verb} commands"),
        ));
    }
    Ok(())
}

/// Makes `addr` the active-mode target of `verb`, unless it is a foreign address or a
/// privileged port.
async fn set_active(ctx: &mut Session<'_>, addr: SocketAddr, verb: &str) -> CommandResult {
    if !allowed_target(ctx, addr) {
        tracing::warn!(peer = %ctx.peer, target = %addr, "refused {verb} to a foreign address or privileged port");
        return Err(CommandError::refused(
            codes::SYNTAX_ERROR,
            format!("Illegal {verb} command"),
        ));
    }
    *ctx.data().setup = DataSetup::Active(addr);
    Ok(ctx
        .reply(codes::COMMAND_OK, format!("{verb} command successful"))
        .await?)
}

/// `PORT h1,h2,h3,h4,p1,p2`.
pub fn port<'a>(hx: HandlerCtx<'a>, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        let HandlerCtx {
            user: _user,
            mut session,
            ..
        } = hx;
        let ctx = &mut session;
        let Some(arg) = arg else {
            return Err(CommandError::MissingArgument);
        };
        active_refusal(ctx, "PORT")?;
        let Some(addr) = parse_port(arg) else {
            return Err(CommandError::bad_argument(
                codes::SYNTAX_ERROR_ARGUMENTS,
                "Illegal PORT command",
            ));
        };
        set_active(ctx, addr, "PORT").await
    })
}

/// Parses RFC 959's `h1,h2,h3,h4,p1,p2` (blanks around each number allowed).
pub fn parse_port(arg: &str) -> Option<SocketAddr> {
    let nums: Vec<u8> = arg
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .collect();
    let [a, b, c, d, p1, p2] = nums[..] else {
        return None;
    };
    if arg.split(',').count() != 6 {
        return None;
    }
    let ip = IpAddr::V4(Ipv4Addr::new(a, b, c, d));
    Some(SocketAddr::new(ip, u16::from(p1) << 8 | u16::from(p2)))
}

/// The network protocol field of an EPRT argument (`1` in `|1|addr|port|`).
pub fn eprt_protocol(arg: &str) -> Option<&str> {
    arg.chars()
        .next()
        .and_then(|d| arg[d.len_utf8()..].split(d).next())
}

/// Parses RFC 2428's `<d>proto<d>addr<d>port<d>`.
pub fn parse_eprt(arg: &str) -> Option<SocketAddr> {
    let delim = arg.chars().next()?;
    if !(33..=126).contains(&(delim as u32)) {
        return None;
    }
    let parts: Vec<&str> = arg.split(delim).collect();
    if parts.len() != 5 || !parts[0].is_empty() || !parts[4].is_empty() {
        return None;
    }
    let ip: IpAddr = parts[2].parse().ok()?;
    match (parts[1], ip) {
        ("1", IpAddr::V4(_)) | ("2", IpAddr::V6(_)) => {}
        _ => return None,
    }
    let port: u16 = parts[3].parse().ok()?;
    Some(SocketAddr::new(ip, port))
}

/// `EPRT |proto|addr|port|`.
pub fn eprt<'a>(hx: HandlerCtx<'a>, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        let HandlerCtx {
            user: _user,
            mut session,
            ..
        } = hx;
        let ctx = &mut session;
        let Some(arg) = arg else {
            return Err(CommandError::MissingArgument);
        };
        active_refusal(ctx, "EPRT")?;
        let proto = eprt_protocol(arg);
        if let Some(refusal) = protocol_refusal(ctx, proto) {
            return Err(refusal);
        }
        let Some(addr) = parse_eprt(arg) else {
            return Err(CommandError::bad_argument(
                codes::SYNTAX_ERROR_ARGUMENTS,
                "Illegal EPRT command",
            ));
        };
        set_active(ctx, addr, "EPRT").await
    })
}

#[cfg(test)]
mod tests {
    use super::parse_eprt;

    #[test]
    fn eprt_forms() {
        assert_eq!(
            parse_eprt("|1|127.0.0.1|7000|")
                .map(|a| a.to_string())
                .as_deref(),
            Some("127.0.0.1:7000")
        );
        assert_eq!(
            parse_eprt("|2|::1|7000|").map(|a| a.to_string()).as_deref(),
            Some("[::1]:7000")
        );
        assert!(parse_eprt("|2|127.0.0.1|7000|").is_none());
        assert!(parse_eprt("|1|127.0.0.1|70000|").is_none());
        assert!(parse_eprt("|1|127.0.0.1|").is_none());
    }
}
