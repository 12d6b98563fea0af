//! `AllowEmptyPasswords off`: a `PASS` with an empty password is refused before the auth chain
//! sees it (`501 Login incorrect.`), as mod_auth's `PRE_CMD` handler on PASS does. The server's
//! setting (with `<Global>`) is looked at first, then the `<Anonymous>` block the name leads to.

use oxftpd_proto::reply::codes;
use tracing::info;

use super::login;
use crate::module::CommandError;
use crate::module::hooks::{Cmd, HookFuture, Outcome};
use crate::session::{Ctx, State};

/// Whether empty passwords are allowed for a login as `name` (default on).
fn allowed(ctx: &Ctx, name: &str) -> bool {
    ctx.server
        .cfg
        .auth
        .allow_empty_passwords
        .or_else(|| {
            let anon = login::target(&ctx.server, name).ok()?.anon?;
            ctx.server.anon_own.get(anon)?.auth.allow_empty_passwords
        })
        .unwrap_or(true)
}

/// mod_auth's `PRE_CMD` hook on PASS.
pub fn pre_pass<'a>(ctx: &'a mut Ctx, state: &'a mut State, cmd: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        let State::Connected { user: Some(name) } = state else {
            return Outcome::Continue;
        };
        if !cmd.arg.unwrap_or("").is_empty() || allowed(ctx, name) {
            return Outcome::Continue;
        }
        info!(peer = %ctx.peer, "Refusing empty password from user '{name}' (AllowEmptyPasswords off)");
        let name = name.clone();
        let event = crate::module::events::Event::LimitReached {
            limit: crate::module::events::Limit::EmptyPassword,
            user: Some(&name),
        };
        crate::module::events::emit(ctx, &event).await;
        if let Some(end) = crate::module::events::disconnect(ctx) {
            return Outcome::Refuse(end);
        }
        Outcome::Refuse(CommandError::refused(
            codes::SYNTAX_ERROR_ARGUMENTS,
            "Login incorrect.",
        ))
    })
}
