//! AUTH, PBSZ, PROT and CCC: RFC 4217 (Securing FTP with TLS), with ProFTPD's mod_tls replies.
//!
//! RFC 4217 section 4: "the client issues the AUTH command … the server must respond with 234
//! … and then the TLS negotiation … begins"; section 9: "PBSZ 0 … PROT P" makes the data
//! connections private; section 6: "CCC" returns the control connection to clear text.

use crate::module::Connected;
use std::sync::Arc;

use oxftpd_proto::reply::codes;

use crate::context::ServerCtx;
use crate::module::{CommandError, HandlerFuture, TlsRefusal};
use crate::modules::mod_tls::log::event;
use crate::session::{Ctx, LoggedIn, SessionError, State};

/// Starts TLS on the control connection with the session's own configuration. Before
/// login, an SNI name of another FTPS `<VirtualHost>` on this address and port moves the
/// session there (its certificate, its settings), as `HOST` does.
pub async fn start_control_tls(ctx: &mut Ctx, may_switch: bool) -> Result<(), SessionError> {
    let Some(own) = crate::modules::mod_tls::server_tls(&ctx.server).cloned() else {
        return Err(SessionError::Closed);
    };
    let limit = own.handshake_timeout;
    let mut chosen: Option<Arc<ServerCtx>> = None;
    let (generation, local, current) = (ctx.generation.clone(), ctx.local, ctx.server.clone());
    let mut config = None;
    let mut refused_name = None;
    let choose = |sni: Option<&str>| {
        let sni = sni.filter(|_| may_switch && !own.ignore_sni);
        let Some(server) = crate::modules::mod_tls::sni::choose(&generation, local, &current, sni)
        else {
            refused_name = sni.map(str::to_string);
            return None;
        };
        let c = crate::modules::mod_tls::server_tls(&server)
            .map_or_else(|| own.session_config(), |t| t.session_config());
        config = Some(c.clone());
        chosen = Some(server);
        Some(c)
    };
    let result = ctx.control.upgrade_to_tls(limit, choose).await;
    if let Some(server) = chosen
        && !Arc::ptr_eq(&server, &ctx.server)
    {
        tracing::info!(peer = %ctx.peer, server = %server.settings.name, "SNI chose a virtual host");
        ctx.server = server;
        crate::module::log::moved_to(ctx.server.index);
    }
    let settings = crate::modules::mod_tls::server_tls(&ctx.server)
        .cloned()
        .unwrap_or(own);
    if let Some(name) = refused_name {
        event(
            settings.log.as_ref(),
            &format!(
                "no matching server found for client-sent SNI '{name}', rejecting SSL/TLS connection"
            ),
        );
    }
    if let Err(e) = result {
        crate::trace_msg!(
            ctx.trace,
            "tls",
            3,
            "TLS/TLS-C negotiation failed on control channel: {e}"
        );
        event(
            settings.log.as_ref(),
            &format!(
                "{}: TLS/TLS-C negotiation failed on control channel: {e}",
                ctx.peer
            ),
        );
        return Err(SessionError::Closed);
    }
    let Some(config) = config else {
        return Err(SessionError::Closed);
    };
    if let Some(conn) = ctx.control.tls_connection() {
        let version = conn
            .protocol_version()
            .map(|v| format!("{v:?}"))
            .unwrap_or_default();
        let suite = conn
            .negotiated_cipher_suite()
            .map(|s| format!("{:?}", s.suite()))
            .unwrap_or_default();
        crate::trace_msg!(
            ctx.trace,
            "tls",
            9,
            "{version} control connection accepted, using cipher {suite}"
        );
        event(
            settings.log.as_ref(),
            &format!(
                "{}: {version} connection accepted, using cipher {suite}",
                ctx.peer
            ),
        );
        if settings.diags {
            crate::modules::mod_tls::diags::control(settings.log.as_ref(), ctx.peer, conn);
        }
        super::tls_state_mut(ctx).client_cert = conn
            .peer_certificates()
            .and_then(|c| c.first())
            .map(|c| c.clone().into_owned());
    }
    // As mod_tls, only with `TLSVerifyClient on` (not `optional`).
    if let Some(cert) = &super::tls_state(ctx).client_cert
        && settings.verify_client == crate::modules::mod_tls::VerifyClient::On
        && crate::modules::mod_tls::cert_checks::any(settings.cert_checks)
    {
        let reverse_dns = ctx.server.cfg.core.use_reverse_dns;
        let verdict = crate::modules::mod_tls::cert_checks::check(
            settings.cert_checks,
            cert.as_ref(),
            ctx.peer.ip(),
            ctx.remote_name.as_deref(),
            reverse_dns,
        );
        for line in &verdict.log {
            event(settings.log.as_ref(), line);
        }
        if !verdict.ok {
            event(
                settings.log.as_ref(),
                "TLS/TLS-C negotiation failed on control channel",
            );
            return Err(SessionError::Closed);
        }
    }
    super::tls_state_mut(ctx).control = true;
    // Data connections share the session cache and ticket key. Upload connections issue no
    // tickets: a client that never reads them would make its close a reset (curl after an
    // upload does). Download connections issue one, which the client reads with the data.
    let mut data = (*config).clone();
    data.send_tls13_tickets = 0;
    super::tls_state_mut(ctx).data_config = Some(Arc::new(data));
    let mut send = (*config).clone();
    send.send_tls13_tickets = 1;
    super::tls_state_mut(ctx).send_config = Some(Arc::new(send));
    Ok(())
}

/// `AUTH TLS` / `AUTH SSL` (`AUTH TLS-C`, `AUTH TLS-P` too).
pub fn auth<'a>(ctx: &'a mut Ctx, state: &'a mut State, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        let Some(arg) = arg else {
            return Err(CommandError::bad_argument(
                codes::NOT_IMPLEMENTED_FOR_PARAMETER,
                "AUTH requires at least one argument",
            ));
        };
        let mechanism = arg.trim().to_ascii_uppercase();
        if crate::modules::mod_tls::server_tls(&ctx.server).is_none()
            || !matches!(mechanism.as_str(), "TLS" | "TLS-C" | "SSL" | "TLS-P")
        {
            return Err(CommandError::bad_argument(
                codes::SYNTAX_ERROR,
                "AUTH not understood",
            ));
        }
        if super::tls_state(ctx).control {
            return Err(CommandError::BadSequence(
                "Unwilling to accept second AUTH".into(),
            ));
        }
        let per_user =
            crate::modules::mod_tls::server_tls(&ctx.server).is_some_and(|t| t.allow_per_user);
        if matches!(state, State::LoggedIn(_)) && !per_user {
            if let Some(t) = crate::modules::mod_tls::server_tls(&ctx.server) {
                event(
                    t.log.as_ref(),
                    "Unwilling to accept AUTH after USER/PASS authentication for this session unless AllowPerUser TLSOption is used",
                );
            }
            return Err(CommandError::Tls(TlsRefusal::Unwilling));
        }
        ctx.control.queue(&oxftpd_proto::reply::Reply::new(
            codes::SECURITY_EXCHANGE_COMPLETE,
            format!("AUTH {} successful", arg.trim()),
        ));
        let may_switch = !matches!(state, State::LoggedIn(_));
        start_control_tls(ctx, may_switch).await?;
        // AUTH SSL (and TLS-P) imply protected data connections, as in mod_tls.
        if matches!(mechanism.as_str(), "SSL" | "TLS-P") {
            super::tls_state_mut(ctx).pbsz = true;
            super::tls_state_mut(ctx).protect_data = true;
        }
        Ok(())
    })
}

/// `PBSZ 0`: the only buffer size for a stream protocol like TLS.
pub fn pbsz<'a>(ctx: &'a mut Ctx, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        if !super::tls_state(ctx).control {
            return Err(CommandError::bad_argument(
                codes::SYNTAX_ERROR,
                "PBSZ not understood",
            ));
        }
        let Some(arg) = arg else {
            return Err(CommandError::MissingArgument);
        };
        super::tls_state_mut(ctx).pbsz = true;
        if arg.trim() == "0" {
            Ok(ctx.reply(codes::COMMAND_OK, "PBSZ 0 successful").await?)
        } else {
            Ok(ctx.reply(codes::COMMAND_OK, "PBSZ=0 successful").await?)
        }
    })
}

/// `PROT C` / `PROT P` (`S` and `E` are not possible with TLS).
pub fn prot<'a>(ctx: &'a mut Ctx, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        if !super::tls_state(ctx).control {
            return Err(CommandError::bad_argument(
                codes::SYNTAX_ERROR,
                "PROT not understood",
            ));
        }
        let Some(arg) = arg else {
            return Err(CommandError::MissingArgument);
        };
        let level = arg.trim().to_ascii_uppercase();
        let log = crate::modules::mod_tls::server_tls(&ctx.server).cloned();
        let log = log.as_ref().and_then(|t| t.log.as_ref());
        if let Some(lines) = crate::modules::mod_tls::policy::prot_refusal(ctx, &level) {
            for line in &lines {
                event(log, line);
            }
            return Err(CommandError::Tls(TlsRefusal::Unwilling));
        }
        match level.as_str() {
            "C" => {
                super::tls_state_mut(ctx).protect_data = false;
                event(log, "Protection set to Clear");
                Ok(ctx
                    .reply(codes::COMMAND_OK, "Protection set to Clear")
                    .await?)
            }
            "P" => {
                super::tls_state_mut(ctx).protect_data = true;
                event(log, "Protection set to Private");
                Ok(ctx
                    .reply(codes::COMMAND_OK, "Protection set to Private")
                    .await?)
            }
            "S" | "E" => Err(CommandError::bad_argument(
                codes::PROT_LEVEL_NOT_SUPPORTED,
                format!("PROT {level} unsupported"),
            )),
            _ => Err(CommandError::bad_argument(
                codes::NOT_IMPLEMENTED_FOR_PARAMETER,
                format!("PROT {} unsupported", arg.trim()),
            )),
        }
    })
}

/// `CCC`: clear the control channel (data protection stays as `PROT` set it).
pub fn ccc<'a>(
    ctx: &'a mut Ctx,
    _user: &'a mut LoggedIn,
    _arg: Option<&'a str>,
) -> HandlerFuture<'a> {
    Box::pin(async move {
        if !super::tls_state(ctx).control {
            return Err(CommandError::refused(
                codes::PROTECTION_DENIED,
                "CCC not allowed on insecure control connection",
            ));
        }
        let log = crate::modules::mod_tls::server_tls(&ctx.server).cloned();
        let log = log.as_ref().and_then(|t| t.log.as_ref());
        if crate::modules::mod_tls::policy::ccc_refused(ctx) {
            event(
                log,
                "CCC: unwilling to accept security parameters: TLSRequired setting does not allow for unprotected control channel",
            );
            return Err(CommandError::Tls(TlsRefusal::Unwilling));
        }
        event(log, "received CCC, clearing control channel protection");
        ctx.control.queue(&oxftpd_proto::reply::Reply::new(
            codes::COMMAND_OK,
            "Clearing control channel protection",
        ));
        ctx.control.downgrade().await.map_err(SessionError::from)?;
        super::tls_state_mut(ctx).control = false;
        Ok(())
    })
}

/// `SSCN [ON|OFF]` (site-to-site, mod_tls): with `ON` this server is the TLS client on
/// protected data connections, so two servers can transfer between each other (FXP).
pub fn sscn<'a>(
    ctx: &'a mut Ctx,
    _user: &'a mut LoggedIn,
    arg: Option<&'a str>,
) -> HandlerFuture<'a> {
    Box::pin(async move {
        if !super::tls_state(ctx).control {
            return Err(CommandError::bad_argument(
                codes::SYNTAX_ERROR,
                "SSCN not understood",
            ));
        }
        let words: Vec<&str> = arg
            .map(|a| a.split_whitespace().collect())
            .unwrap_or_default();
        let log = crate::modules::mod_tls::server_tls(&ctx.server).cloned();
        let log = log.as_ref().and_then(|t| t.log.as_ref());
        match words.as_slice() {
            [] => {}
            ["ON"] => super::tls_state_mut(ctx).sscn_client = true,
            ["OFF"] => super::tls_state_mut(ctx).sscn_client = false,
            [_] => {
                event(
                    log,
                    &format!("denying unsupported SSCN command: 'SSCN {}'", words[0]),
                );
                return Err(CommandError::bad_argument(
                    codes::SYNTAX_ERROR_ARGUMENTS,
                    "SSCN: Invalid argument",
                ));
            }
            _ => {
                event(
                    log,
                    &format!(
                        "denying malformed SSCN command: 'SSCN {}'",
                        arg.unwrap_or("").trim()
                    ),
                );
                return Err(CommandError::bad_argument(
                    codes::NOT_IMPLEMENTED_FOR_PARAMETER,
                    "SSCN: Invalid argument",
                ));
            }
        }
        let mode = if super::tls_state(ctx).sscn_client {
            "CLIENT"
        } else {
            "SERVER"
        };
        Ok(ctx
            .reply(codes::COMMAND_OK, format!("SSCN:{mode} METHOD"))
            .await?)
    })
}

/// The connect phase: the implicit FTPS handshake (`TLSOptions UseImplicitSSL`), after which
/// data connections are protected from the start.
pub fn on_connect(ctx: &mut Ctx) -> crate::module::connect::ConnectFuture<'_> {
    Box::pin(async move {
        if !crate::modules::mod_tls::server_tls(&ctx.server).is_some_and(|t| t.implicit) {
            return Connected::Continue;
        }
        if start_control_tls(ctx, true).await.is_err() {
            return Connected::Close;
        }
        super::tls_state_mut(ctx).pbsz = true;
        super::tls_state_mut(ctx).protect_data = true;
        Connected::Continue
    })
}
