//! USER and PASS: RFC 959 section 4.1.1, with ProFTPD's replies.

use oxftpd_proto::reply::codes;

use super::login::{self, needs_password, target};
use crate::module::{CommandError, HandlerFuture};
use crate::session::{Ctx, State};

/// `USER name`: `331 Password required for name` (anonymous: asks for an e-mail address).
pub fn user<'a>(ctx: &'a mut Ctx, state: &'a mut State, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        let Some(name) = arg else {
            return Err(CommandError::bad_argument(
                codes::SYNTAX_ERROR,
                "USER: command requires a parameter",
            ));
        };
        if let State::LoggedIn(user) = state {
            // The same name again is no reauthentication: ProFTPD answers 230 (its Bug#4217).
            if user.login_name == name {
                return Ok(ctx
                    .reply(codes::LOGGED_IN, format!("User {name} logged in"))
                    .await?);
            }
            return Err(CommandError::bad_argument(
                codes::SYNTAX_ERROR_ARGUMENTS,
                "Reauthentication not supported",
            ));
        }
        let anonymous = match target(&ctx.server, name) {
            Ok(t) => t.anon.is_some() && !needs_password(&ctx.server, &t),
            Err(_) => false,
        };
        *state = State::Connected {
            user: Some(name.to_string()),
        };
        if !anonymous && crate::modules::mod_tls::vouch::vouches_for(ctx, name).await {
            let result = login::login_vouched(ctx, name).await;
            return finish(ctx, state, name, result, codes::LOGGED_IN_AUTHORIZED).await;
        }
        if anonymous {
            Ok(ctx
                .reply(
                    codes::NEED_PASSWORD,
                    "Anonymous login ok, send your complete email address as your password",
                )
                .await?)
        } else {
            Ok(ctx
                .reply(
                    codes::NEED_PASSWORD,
                    format!("Password required for {name}"),
                )
                .await?)
        }
    })
}

/// `PASS password`: `230` on success, `530 Login incorrect.` otherwise; too many failures close.
pub fn pass<'a>(ctx: &'a mut Ctx, state: &'a mut State, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        let name = match state {
            State::LoggedIn(_) => {
                return Err(CommandError::BadSequence(
                    "You are already logged in".into(),
                ));
            }
            State::Connected { user: None } => {
                return Err(CommandError::BadSequence("Login with USER first".into()));
            }
            State::Connected { user: Some(name) } => name.clone(),
        };
        let password = arg.unwrap_or("");
        let result = login::login(ctx, &name, password).await;
        finish(ctx, state, &name, result, codes::LOGGED_IN).await
    })
}

/// Answers a login attempt through the one login path: [`login::enter`] when the auth chain
/// accepted it (the modules' login checks, then `code`), [`login::refuse`] otherwise.
async fn finish(
    ctx: &mut Ctx,
    state: &mut State,
    name: &str,
    result: Result<Box<crate::session::LoggedIn>, login::LoginError>,
    code: u16,
) -> crate::module::CommandResult {
    match result {
        Ok(session) => login::enter(ctx, state, session, code).await,
        Err(e) => login::refuse(ctx, state, name, &e).await,
    }
}
