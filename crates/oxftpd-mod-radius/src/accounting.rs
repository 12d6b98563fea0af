//! RADIUS accounting (RFC 2866): an Accounting-Request Start when a login succeeds, and a Stop
//! with the session's time, its file bytes in and out (aborted transfers too) and why it ended
//! when the session closes. Sent only when `RadiusAcctServer` is set; the exchange runs on a
//! blocking thread and is bounded by the servers' timeouts.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use oxftpd_auth::session_info::Notes;
use oxftpd_server::module::events::{Direction, EndReason, Event, EventFuture};
use oxftpd_server::module::hooks::{Cmd, Hook, HookFuture, On, Outcome, Phase};
use oxftpd_server::session::{Ctx, State};

use crate::client::{self, Request};
use crate::packet::{self, Packet, attr, code};
use crate::provider::{NOTE_AUTHENTICATED, NOTE_CLASS};
use crate::request;
use crate::settings::RadiusSettings;

/// Acct-Status-Type Start.
const STATUS_START: u32 = 1;
/// Acct-Status-Type Stop.
const STATUS_STOP: u32 = 2;
/// Acct-Authentic RADIUS.
const AUTHENTIC_RADIUS: u32 = 1;
/// Acct-Authentic Local.
const AUTHENTIC_LOCAL: u32 = 2;

/// Acct-Terminate-Cause values (RFC 2866 §5.10).
mod cause {
    pub const USER_REQUEST: u32 = 1;
    pub const LOST_SERVICE: u32 = 3;
    pub const IDLE_TIMEOUT: u32 = 4;
    pub const SESSION_TIMEOUT: u32 = 5;
    pub const ADMIN_RESET: u32 = 6;
    pub const ADMIN_REBOOT: u32 = 7;
}

/// mod_radius's hooks: a `QUIT` is noted, for the Stop's terminate cause.
pub static HOOKS: &[Hook] = &[Hook::new(Phase::Log, On::Verb("QUIT"), quit)];

/// The session's accounting, from its Start to its Stop.
#[derive(Clone)]
struct Session {
    id: String,
    user: String,
    started: Instant,
    bytes_in: u64,
    bytes_out: u64,
    class: Option<Vec<u8>>,
    radius: bool,
}

/// Set when the client sent `QUIT`.
struct Quit;

fn quit<'a>(ctx: &'a mut Ctx, _state: &'a mut State, _cmd: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        ctx.ext.insert(Quit);
        Outcome::Continue
    })
}

fn settings(ctx: &Ctx) -> Option<Arc<RadiusSettings>> {
    let s = ctx.server.modules.get::<Arc<RadiusSettings>>()?;
    (!s.acct.is_empty()).then(|| s.clone())
}

/// mod_radius's event handler.
pub fn on_event<'a>(ctx: &'a mut Ctx, event: &'a Event<'a>) -> EventFuture<'a> {
    Box::pin(async move {
        match event {
            Event::LoginSucceeded { user } => {
                let Some(s) = settings(ctx) else {
                    return;
                };
                let notes = ctx.ext.get::<Notes>();
                let session = Session {
                    id: request::session_id(ctx.peer, ctx.local),
                    user: user.identity.name.clone(),
                    started: Instant::now(),
                    bytes_in: 0,
                    bytes_out: 0,
                    class: notes.and_then(|n| n.get(NOTE_CLASS)).map(<[u8]>::to_vec),
                    radius: notes.and_then(|n| n.get(NOTE_AUTHENTICATED)).is_some(),
                };
                send(s, &session, None, (ctx.peer, ctx.local)).await;
                ctx.ext.insert(session);
            }
            Event::Transfer { transfer, .. } => {
                if let Some(a) = ctx.ext.get_mut::<Session>() {
                    match transfer.direction {
                        Direction::Incoming => {
                            a.bytes_in = a.bytes_in.saturating_add(transfer.bytes)
                        }
                        Direction::Outgoing => {
                            a.bytes_out = a.bytes_out.saturating_add(transfer.bytes)
                        }
                    }
                }
            }
            Event::SessionClosed { .. } => {
                let Some(session) = ctx.ext.remove::<Session>() else {
                    return;
                };
                let Some(s) = settings(ctx) else {
                    return;
                };
                let why = terminate_cause(ctx);
                send(s, &session, Some(why), (ctx.peer, ctx.local)).await;
            }
            _ => {}
        }
    })
}

/// RFC 2866's terminate cause for how the session ended.
fn terminate_cause(ctx: &Ctx) -> u32 {
    if ctx.ext.get::<Quit>().is_some() {
        return cause::USER_REQUEST;
    }
    match ctx.ext.get::<EndReason>().map(|r| r.0.as_str()) {
        Some(r) if r.ends_with("TimeoutIdle") => cause::IDLE_TIMEOUT,
        Some(r) if r.ends_with("TimeoutSession") => cause::SESSION_TIMEOUT,
        Some(r) if r.contains("shutting down") => cause::ADMIN_REBOOT,
        Some(r) if r.starts_with("Timeout") => cause::LOST_SERVICE,
        Some(_) => cause::ADMIN_RESET,
        None => cause::LOST_SERVICE,
    }
}

fn now_secs() -> u32 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as u32)
        .unwrap_or_default()
}

fn build(
    s: &RadiusSettings,
    server: &crate::settings::RadiusServer,
    a: &Session,
    stop: Option<u32>,
    addrs: (SocketAddr, SocketAddr),
) -> Result<Request, packet::PacketError> {
    let id = request::random16()[0];
    let mut p = Packet::new(code::ACCOUNTING_REQUEST, id, [0; 16]);
    request::add_common(&mut p, s, &a.user, Some(addrs))?;
    p.add_u32(
        attr::ACCT_STATUS_TYPE,
        if stop.is_some() {
            STATUS_STOP
        } else {
            STATUS_START
        },
    );
    p.add(attr::ACCT_SESSION_ID, a.id.as_bytes())?;
    p.add_u32(
        attr::ACCT_AUTHENTIC,
        if a.radius {
            AUTHENTIC_RADIUS
        } else {
            AUTHENTIC_LOCAL
        },
    );
    if let Some(why) = stop {
        let secs = u32::try_from(a.started.elapsed().as_secs()).unwrap_or(u32::MAX);
        p.add_u32(attr::ACCT_SESSION_TIME, secs);
        // Octet counts are 32 bits (RFC 2866 §5.3); past 4 GiB they wrap, as ProFTPD's do.
        p.add_u32(attr::ACCT_INPUT_OCTETS, a.bytes_in as u32);
        p.add_u32(attr::ACCT_OUTPUT_OCTETS, a.bytes_out as u32);
        p.add_u32(attr::ACCT_TERMINATE_CAUSE, why);
    }
    p.add_u32(attr::EVENT_TIMESTAMP, now_secs());
    if let Some(class) = &a.class {
        p.add(attr::CLASS, class)?;
    }
    let bytes = packet::sign_accounting_request(&mut p, &server.secret)?;
    Ok(Request {
        bytes,
        authenticator: p.authenticator,
        id,
    })
}

/// Sends the Start (`stop` None) or the Stop and waits for the Accounting-Response.
async fn send(
    s: Arc<RadiusSettings>,
    a: &Session,
    stop: Option<u32>,
    addrs: (SocketAddr, SocketAddr),
) {
    let a = a.clone();
    let what = if stop.is_some() { "stop" } else { "start" };
    let done = tokio::task::spawn_blocking(move || {
        let log = |m: &str| crate::log::line(s.log.as_deref(), m);
        match client::exchange(
            &s.acct,
            "accounting",
            |server| build(&s, server, &a, stop, addrs),
            &log,
        ) {
            Ok(answer) if answer.packet.code == code::ACCOUNTING_RESPONSE => {
                log(&format!("accounting {what} response received"));
            }
            Ok(answer) => log(&format!(
                "notice: server returned unknown response code: {:02x}",
                answer.packet.code
            )),
            Err(e) => {
                log(&format!("error: unable to {what} accounting: {e}"));
                tracing::warn!(target: "mod_radius", "accounting {what}: {e}");
            }
        }
    })
    .await;
    if let Err(e) = done {
        tracing::warn!(target: "mod_radius", "accounting {what} did not run: {e}");
    }
}
