//! The session timeouts: `TimeoutLogin`, `TimeoutIdle`, `TimeoutNoTransfer` and
//! `TimeoutSession` (mod_core.c, mod_xfer.c, mod_auth.c), each ending the session with
//! ProFTPD's `421` text. `TimeoutStalled` is the transfers' own (see `transfer_io`).

use std::time::Duration;

use tokio::time::Instant;

use crate::session::{Ctx, Incoming, SessionError, State};

/// Which timeout fired.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Login,
    Idle,
    NoTransfer,
    Session,
}

impl Kind {
    /// The directive that set it.
    fn directive(self) -> &'static str {
        match self {
            Kind::Login => "TimeoutLogin",
            Kind::Idle => "TimeoutIdle",
            Kind::NoTransfer => "TimeoutNoTransfer",
            Kind::Session => "TimeoutSession",
        }
    }

    fn text(self, secs: u64) -> String {
        match self {
            Kind::Login => {
                // ProFTPD says "1 second" here, and "1 seconds" in the others (observed).
                let unit = if secs == 1 { "second" } else { "seconds" };
                format!("Login timeout ({secs} {unit}): closing control connection")
            }
            Kind::Idle => format!("Idle timeout ({secs} seconds): closing control connection"),
            Kind::NoTransfer => {
                format!("No transfer timeout ({secs} seconds): closing control connection")
            }
            Kind::Session => {
                format!("Session Timeout ({secs} seconds): closing control connection")
            }
        }
    }
}

/// The earliest deadline among the timeouts in force, with its kind and length.
fn earliest(ctx: &Ctx, logged_in: bool, now: Instant) -> Option<(Instant, Kind, Duration)> {
    let t = &ctx.server.settings.timeouts;
    // A login's own limits (mod_radius's Idle-Timeout and Session-Timeout) replace the
    // configured ones for this session.
    let own = logged_in
        .then(|| ctx.ext.get::<oxftpd_auth::session_info::Notes>())
        .flatten();
    let idle = own.and_then(|n| n.idle_timeout).or(t.idle);
    let session = own.and_then(|n| n.session_timeout).or(t.session);
    let candidates = [
        (!logged_in).then_some(t.login.map(|d| (now + d, Kind::Login, d))),
        logged_in.then_some(idle.map(|d| (now + d, Kind::Idle, d))),
        logged_in.then_some(
            t.no_transfer
                .map(|d| (ctx.last_transfer + d, Kind::NoTransfer, d)),
        ),
        Some(session.map(|d| (ctx.started + d, Kind::Session, d))),
    ];
    candidates
        .into_iter()
        .flatten()
        .flatten()
        .min_by_key(|(at, _, _)| *at)
}

/// Reads the next command line, or sends the `421` of the first timeout that expires (or of
/// the shutdown message file's disconnect time) and returns `None` (the session then ends).
pub(super) async fn next_command(
    ctx: &mut Ctx,
    state: &State,
) -> Result<Option<Incoming>, SessionError> {
    let local = ctx.local.ip().to_string();
    let remote = ctx
        .remote_name
        .clone()
        .unwrap_or_else(|| ctx.peer.ip().to_string());
    let server_name = ctx.server.settings.name.clone();
    let (user, cwd) = match state {
        State::LoggedIn(u) => (Some(u.login_name.as_str()), Some(u.cwd.as_str())),
        _ => (None, None),
    };
    let vars = crate::shutmsg::Vars {
        local: &local,
        remote: &remote,
        server_name: &server_name,
        user,
        cwd,
    };
    tokio::select! {
        biased;
        text = crate::shutmsg::disconnect(vars) => {
            ctx.ext.insert(crate::module::events::EndReason(
                "Server shutting down".to_string(),
            ));
            ctx.reply(oxftpd_proto::reply::codes::SERVICE_NOT_AVAILABLE, text).await?;
            Ok(None)
        }
        next = next_command_or_timeout(ctx, state) => next,
    }
}

async fn next_command_or_timeout(
    ctx: &mut Ctx,
    state: &State,
) -> Result<Option<Incoming>, SessionError> {
    let logged_in = matches!(state, State::LoggedIn(_));
    match earliest(ctx, logged_in, Instant::now()) {
        None => Ok(Some(ctx.control.next().await?)),
        Some((at, kind, length)) => match tokio::time::timeout_at(at, ctx.control.next()).await {
            Ok(r) => Ok(Some(r?)),
            Err(_) => {
                tracing::info!(peer = %ctx.peer, "{kind:?} timeout: closing control connection");
                ctx.ext.insert(crate::module::events::EndReason(format!(
                    "Timeout exceeded: {}",
                    kind.directive()
                )));
                ctx.reply(
                    oxftpd_proto::reply::codes::SERVICE_NOT_AVAILABLE,
                    kind.text(length.as_secs()),
                )
                .await?;
                Ok(None)
            }
        },
    }
}
