//! USER and PASS: RFC 959 section 4.1.1, with ProFTPD's replies.

use crate::module::HandlerFuture;
use crate::session::login::{self, needs_password, target};
use crate::session::{Ctx, State};

/// `USER name`: `331 Password required for name` (anonymous: asks for an e-mail address).
pub fn user<'a>(ctx: &'a mut Ctx, state: &'a mut State, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        let Some(name) = arg else {
            return crate::module::helpers::missing_argument(ctx).await;
        };
        if matches!(state, State::LoggedIn(_)) {
            return ctx.reply(501, "Reauthentication not supported").await;
        }
        let anonymous = match target(&ctx.server, name) {
            Ok(t) => t.anon.is_some() && !needs_password(&ctx.server, &t),
            Err(_) => false,
        };
        *state = State::Connected {
            user: Some(name.to_string()),
        };
        if !anonymous && crate::modules::mod_tls::vouch::vouches_for(ctx, name).await {
            let result = crate::session::login::login_vouched(ctx, name).await;
            return finish(ctx, state, name, result, 232).await;
        }
        if anonymous {
            ctx.reply(
                331,
                "Anonymous login ok, send your complete email address as your password",
            )
            .await
        } else {
            ctx.reply(331, format!("Password required for {name}"))
                .await
        }
    })
}

/// `PASS password`: `230` on success, `530 Login incorrect.` otherwise; too many failures close.
pub fn pass<'a>(ctx: &'a mut Ctx, state: &'a mut State, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        let name = match state {
            State::LoggedIn(_) => return ctx.reply(503, "You are already logged in").await,
            State::Connected { user: None } => {
                return ctx.reply(503, "Login with USER first").await;
            }
            State::Connected { user: Some(name) } => name.clone(),
        };
        let password = arg.unwrap_or("");
        let result = login::login(ctx, &name, password).await;
        finish(ctx, state, &name, result, 230).await
    })
}

/// Answers a login attempt through the one login path: [`login::enter`] when the auth chain
/// accepted it (the modules' login checks, then `code`), [`login::refuse`] otherwise.
async fn finish(
    ctx: &mut Ctx,
    state: &mut State,
    name: &str,
    result: Result<Box<crate::session::LoggedIn>, crate::session::LoginError>,
    code: u16,
) -> crate::session::SessionResult {
    match result {
        Ok(session) => login::enter(ctx, state, session, code).await,
        Err(e) => login::refuse(ctx, state, name, &e).await,
    }
}
