//! RNFR and RNTO: RFC 959 section 4.1.3.
//!
//! RFC 959: "RENAME FROM (RNFR) … specifies the old pathname of the file which is to be
//! renamed. This command must be immediately followed by a 'rename to' command".

use oxftpd_proto::reply::codes;

use crate::module::{CommandError, HandlerCtx, HandlerFuture};
use crate::session::Ctx;

/// `RNFR path`: `350` when the path exists.
pub fn rnfr<'a>(hx: HandlerCtx<'a>, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        let HandlerCtx {
            user, mut session, ..
        } = hx;
        let ctx = &mut session;
        user.rename_from = None;
        let Some(arg) = arg else {
            return Err(CommandError::MissingArgument);
        };
        let source = user.resolve(arg);
        match user.fs.symlink_metadata(&source).await {
            Ok(_) => {
                user.rename_from = Some(source);
                Ok(ctx
                    .reply(
                        codes::PENDING_FURTHER_INFO,
                        "File or directory exists, ready for destination name",
                    )
                    .await?)
            }
            Err(e) => Err(CommandError::storage(arg, e)),
        }
    })
}

/// `RNTO path`: `250 Rename successful`; `503` without a preceding RNFR.
pub fn rnto<'a>(hx: HandlerCtx<'a>, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        let HandlerCtx {
            user, mut session, ..
        } = hx;
        let ctx = &mut session;
        let Some(arg) = arg else {
            return Err(CommandError::MissingArgument);
        };
        let target = user.resolve(arg);
        let Some(source) = user.rename_from.take() else {
            return Err(CommandError::BadSequence("Bad sequence of commands".into()));
        };
        if !crate::modules::mod_xfer::transfer::allow_overwrite(ctx, user, &target) {
            match crate::modules::mod_core::files::exists(user, &target).await {
                Ok(true) => {
                    return Err(CommandError::refused(
                        codes::FILE_UNAVAILABLE,
                        format!("{arg}: Rename permission denied"),
                    ));
                }
                Ok(false) => {}
                Err(e) => return Err(CommandError::storage(arg, e)),
            }
        }
        match user.fs.rename(&source, &target).await {
            Ok(()) => Ok(ctx
                .reply(codes::FILE_ACTION_OK, "Rename successful")
                .await?),
            Err(e) => Err(CommandError::storage(arg, e)),
        }
    })
}

/// Commands that may come between RNFR and RNTO (mod_core, Bug#3829).
const BETWEEN_RNFR_AND_RNTO: &[&str] = &["RNTO", "HELP", "NOOP", "QUIT", "STAT"];

/// RFC 2228 commands that may come between them once TLS protects the control connection.
const BETWEEN_WITH_TLS: &[&str] = &["CCC", "CONF", "ENC", "MIC", "PBSZ", "PROT"];

/// `PRE_CMD` on every command: after an accepted RNFR, any command but RNTO (and the few
/// above) is `501 Bad sequence of commands`, as mod_core refuses it; RNTO, which ends the
/// pending rename either way, is then the only way on.
pub fn pre_cmd<'a>(
    ctx: &'a mut Ctx,
    state: &'a mut crate::session::State,
    cmd: crate::module::hooks::Cmd<'a>,
) -> crate::module::hooks::HookFuture<'a> {
    use crate::module::hooks::Outcome;
    Box::pin(async move {
        let crate::session::State::LoggedIn(user) = state else {
            return Outcome::Continue;
        };
        if user.rename_from.is_none()
            || BETWEEN_RNFR_AND_RNTO.contains(&cmd.verb)
            || (BETWEEN_WITH_TLS.contains(&cmd.verb)
                && crate::modules::mod_tls::tls_state(ctx).control)
        {
            return Outcome::Continue;
        }
        tracing::debug!(
            "RNFR followed immediately by {} rather than RNTO, rejecting command",
            cmd.verb
        );
        Outcome::Refuse(CommandError::refused(
            codes::SYNTAX_ERROR_ARGUMENTS,
            "Bad sequence of commands",
        ))
    })
}

/// `POST_CMD`/`POST_CMD_ERR` on RNTO: the pending rename ends whatever RNTO answered (also
/// when a filter or `<Limit>` refused it before its handler ran), as mod_core's cleanup does.
pub fn post_rnto<'a>(
    _ctx: &'a mut Ctx,
    state: &'a mut crate::session::State,
    _cmd: crate::module::hooks::Cmd<'a>,
) -> crate::module::hooks::HookFuture<'a> {
    Box::pin(async move {
        if let crate::session::State::LoggedIn(user) = state {
            user.rename_from = None;
        }
        crate::module::hooks::Outcome::Continue
    })
}
