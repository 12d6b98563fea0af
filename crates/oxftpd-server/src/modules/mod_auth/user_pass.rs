//! USER and PASS: RFC 959 section 4.1.1, with ProFTPD's replies.

use tracing::info;

use crate::messages::{Vars, display_file};
use crate::module::HandlerFuture;
use crate::modules::mod_delay::delay::Step;
use crate::session::login::{needs_password, target};
use crate::session::{Ctx, SessionError, State, login};

/// `USER name`: `331 Password required for name` (anonymous: asks for an e-mail address).
pub fn user<'a>(ctx: &'a mut Ctx, state: &'a mut State, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        let started = std::time::Instant::now();
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
            return finish(ctx, state, name, result, 232, started).await;
        }
        crate::modules::mod_delay::delay::pace(ctx, Step::User, started).await;
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
        let started = std::time::Instant::now();
        let name = match state {
            State::LoggedIn(_) => return ctx.reply(503, "You are already logged in").await,
            State::Connected { user: None } => {
                return ctx.reply(503, "Login with USER first").await;
            }
            State::Connected { user: Some(name) } => name.clone(),
        };
        let password = arg.unwrap_or("");
        let result = login(ctx, &name, password).await;
        finish(ctx, state, &name, result, 230, started).await
    })
}

/// Answers a login attempt: on success the session's checks, `DisplayLogin` and the `code`
/// reply (`230`, or `232` for a certificate login); on failure `530` and the failure count.
async fn finish(
    ctx: &mut Ctx,
    state: &mut State,
    name: &str,
    result: Result<Box<crate::session::LoggedIn>, crate::session::LoginError>,
    code: u16,
    started: std::time::Instant,
) -> crate::session::SessionResult {
    let name = name.to_string();
    {
        match result {
            Ok(mut session) => {
                let refusal = {
                    let cfg = crate::modules::mod_ifsession::ifsession::user_cfg(ctx, &session);
                    let home = session.identity.home.to_string_lossy();
                    if crate::modules::mod_wrap::wrap::refused(
                        &cfg.wrap,
                        &session.login_name,
                        &session.identity.group_names,
                        &home,
                        ctx.peer.ip(),
                    ) {
                        Some(crate::modules::mod_wrap::wrap::REFUSAL.to_string())
                    } else {
                        match crate::modules::mod_auth::client_limits::admit(
                            ctx,
                            &cfg,
                            &session.login_name,
                        ) {
                            Ok(guard) => {
                                session.counted = Some(guard);
                                None
                            }
                            Err(text) => Some(text),
                        }
                    }
                };
                if let Some(text) = refusal {
                    info!(peer = %ctx.peer, user = %name, "login refused: {text}");
                    crate::modules::mod_delay::delay::pace(
                        ctx,
                        Step::Pass { failed: true },
                        started,
                    )
                    .await;
                    ctx.reply(530, text).await?;
                    return Err(SessionError::Closed);
                }
                if !crate::modules::mod_tls::per_user::admit(ctx, &session) {
                    ctx.reply(530, "Login incorrect.").await?;
                    return Err(SessionError::Closed);
                }
                let vars = Vars {
                    user: Some(&name),
                    cwd: Some(&session.cwd),
                    free_kb: 0,
                };
                // <IfUser>/<IfGroup>/<IfClass> blocks apply from here on (mod_ifsession).
                let cfg = crate::modules::mod_ifsession::ifsession::user_cfg(ctx, &session);
                let display = cfg.auth.display_login.as_deref().map(|p| {
                    let p = std::path::Path::new(p);
                    if p.is_absolute() {
                        p.to_path_buf()
                    } else {
                        std::path::PathBuf::from(
                            session.real_path(&session.resolve(&p.to_string_lossy())),
                        )
                    }
                });
                let mut lines = display_file(ctx, display.as_deref(), &vars);
                let grant = cfg
                    .auth
                    .access_grant_msg
                    .as_deref()
                    .map(|t| crate::messages::expand_user(t, &name));
                lines.push(grant.unwrap_or_else(|| {
                    if session.anon.is_some() || session.anonymous_group {
                        "Anonymous access granted, restrictions apply".to_string()
                    } else {
                        format!("User {name} logged in")
                    }
                }));
                session.wtmp = crate::modules::mod_auth::wtmp::login(ctx, &session).await;
                *state = State::LoggedIn(session);
                crate::modules::mod_delay::delay::pace(ctx, Step::Pass { failed: false }, started)
                    .await;
                ctx.send(&crate::messages::multi(code, lines)).await
            }
            Err(e) => {
                info!(peer = %ctx.peer, user = %name, "login failed: {e}");
                *state = State::Connected { user: None };
                ctx.failed_logins += 1;
                let deny = ctx
                    .server
                    .cfg
                    .auth
                    .access_deny_msg
                    .as_deref()
                    .map(|t| crate::messages::expand_user(t, &name))
                    .unwrap_or_else(|| "Login incorrect.".to_string());
                crate::modules::mod_delay::delay::pace(ctx, Step::Pass { failed: true }, started)
                    .await;
                ctx.reply(530, deny).await?;
                let max = ctx.server.settings.max_login_attempts;
                if max > 0 && ctx.failed_logins >= max {
                    info!(peer = %ctx.peer, "Maximum login attempts ({max}) exceeded, connection refused");
                    return Err(SessionError::Closed);
                }
                Ok(())
            }
        }
    }
}
