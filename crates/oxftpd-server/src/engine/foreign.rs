//! Requests that reach a session through another front door (mod_sftp's SSH) run as the FTP
//! command they map to: the same `Pre` hooks, `<Limit>` check, reply (recorded for the logs,
//! never written) and `Post`/`Log` hooks as a command read from a control connection.

use oxftpd_proto::reply::Reply;

use super::{Ctx, State};
use crate::access::limit::{self, Outcome};
use crate::module::hooks::{Cmd, On, Phase};
use crate::module::registry::registry;
use crate::module::{CommandError, CommandGroup, CommandResult};

/// Runs the `Pre` hooks of the FTP command `verb` (its table row) on `arg`, then checks
/// `<Limit>` for each of `names` (a name and its group, the first refusal decides) on the
/// virtual path `vpath`.
pub async fn begin(
    ctx: &mut Ctx,
    state: &mut State,
    verb: &'static str,
    arg: &str,
    names: &[(&str, Option<CommandGroup>)],
    vpath: &str,
) -> CommandResult {
    let spec = registry().command(verb);
    ctx.command = spec.map_or(verb, |s| s.name);
    ctx.control.take_last_code();
    if let Some(spec) = spec {
        let cmd = Cmd {
            verb,
            arg: Some(arg),
            spec: Some(spec),
            code: 0,
        };
        for hook in registry().hooks(Phase::Pre).filter(|h| h.on != On::AnyLine) {
            if !hook.on.matches(spec) {
                continue;
            }
            match (hook.run)(ctx, state, cmd).await {
                crate::module::hooks::Outcome::Refuse(err) => return Err(err),
                // Another protocol's request keeps its own path: a rewrite is for FTP lines.
                crate::module::hooks::Outcome::Rewrite(_)
                | crate::module::hooks::Outcome::Continue => {}
            }
        }
    }
    let State::LoggedIn(user) = state else {
        return Err(CommandError::LoginRequired);
    };
    match limit::allowed_as(ctx, user, names, vpath, Some(arg)).await {
        Outcome::Allowed => Ok(()),
        outcome => Err(CommandError::Limit {
            outcome,
            arg: Some(arg.to_string()),
        }),
    }
}

/// Records the outcome as the reply the FTP command `verb` would have had (`ok` on success,
/// else the error's reply from `module::replies`) and runs its `Post`/`Log` (or `PostErr`/
/// `LogErr`) hooks, which log it (`ExtendedLog`, SQL logs, metrics).
pub async fn end(
    ctx: &mut Ctx,
    state: &mut State,
    verb: &'static str,
    arg: &str,
    result: &CommandResult,
    ok: (u16, &str),
) {
    let Some(spec) = registry().command(verb) else {
        return;
    };
    match result {
        Ok(()) => ctx.control.queue(&Reply::new(ok.0, ok.1.to_string())),
        Err(err) => {
            for reply in crate::module::replies::replies(spec.name, err) {
                ctx.control.queue(&reply);
            }
        }
    }
    let code = ctx.control.take_last_code();
    let cmd = Cmd {
        verb,
        arg: Some(arg),
        spec: Some(spec),
        code,
    };
    let (post, log) = if crate::module::hooks::is_error(code) {
        (Phase::PostErr, Phase::LogErr)
    } else {
        (Phase::Post, Phase::Log)
    };
    for phase in [post, log] {
        for hook in registry().hooks(phase).filter(|h| h.on.matches(spec)) {
            let _ = (hook.run)(ctx, state, cmd).await;
        }
    }
    let _ = ctx.control.flush().await;
}
