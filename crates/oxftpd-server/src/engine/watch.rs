//! Watching the control connection while a transfer runs (RFC 959 section 4.1.3, ABOR:
//! "the server … closes the data connection … and then … sends a 226 reply").
//!
//! An `ABOR` (plain, or after a Telnet SYNCH `IAC IP IAC DM`) stops the transfer. While a
//! transfer that reports its [`Progress`] runs, the control connection is served as
//! ProFTPD's data loop serves it, by each verb's row ([`DuringTransfer`]): a refused one (it
//! would need the data connection, or change it) answers `450 VERB: data transfer in
//! progress`; of the answered ones, `NOOP` answers `200 NOOP: data transfer in progress` and
//! `STAT` shows the transfer's progress. Any other line, and every line during a
//! `sendfile(2)` download (where ProFTPD reads nothing), is queued and served after the
//! transfer's final reply. The queue is bounded: when full, the control connection is left
//! unread until the transfer ends.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::messages::multi;
use crate::module::DuringTransfer;
use crate::module::events::Event;
use crate::session::{Ctx, Incoming, TransferType};

/// Most command lines queued during one transfer before reading stops.
const QUEUE_MAX: usize = 16;

/// How a watched transfer ended.
pub enum Watched<T> {
    /// The transfer ran to its end (successfully or not).
    Done(T),
    /// The client sent `ABOR`.
    Aborted,
    /// The control connection closed or failed.
    ControlClosed,
}

/// What `STAT` shows about a running transfer.
pub struct Progress {
    /// The transfer's command and virtual path (`STOR /dir/name`).
    pub what: String,
    /// The name the session logged in with.
    pub login_name: String,
    /// The client's end of the data connection.
    pub data_peer: SocketAddr,
    /// Whether the data connection was passive (PASV/EPSV).
    pub passive: bool,
    /// Bytes moved so far.
    pub bytes: std::sync::Arc<AtomicU64>,
    /// Bytes a download will move (from its offset to the end), 0 for an upload.
    pub size: u64,
    /// When the data began to flow.
    pub started: Instant,
}

pub use crate::data::transfer_io::Counted;

/// How often a running transfer's progress is announced ([`Event::TransferProgress`]):
/// the scoreboard and the control socket's `who` see it no staler than this, and no write
/// happens per byte.
pub const PROGRESS_EVERY: Duration = Duration::from_secs(1);

fn is_abor(line: &[u8]) -> bool {
    line.trim_ascii().eq_ignore_ascii_case(b"ABOR")
}

/// The verb of a command line (upper case) and whether an argument follows.
fn verb_of(line: &[u8]) -> (String, bool) {
    let line = line.trim_ascii();
    let end = line.iter().position(|b| *b == b' ').unwrap_or(line.len());
    let verb = String::from_utf8_lossy(&line[..end]).to_ascii_uppercase();
    (verb, !line[end..].trim_ascii().is_empty())
}

/// Runs `transfer` to its end while serving the control connection (every line but ABOR
/// queued).
pub async fn watch<T>(ctx: &mut Ctx, transfer: impl Future<Output = T>) -> Watched<T> {
    watch_inner(ctx, None, false, transfer).await
}

/// Runs `transfer` to its end, answering NOOP, STAT and the data commands meanwhile, and
/// announcing its progress every [`PROGRESS_EVERY`].
pub async fn watch_transfer<T>(
    ctx: &mut Ctx,
    progress: &Progress,
    transfer: impl Future<Output = T>,
) -> Watched<T> {
    watch_inner(ctx, Some(progress), true, transfer).await
}

/// Runs a `sendfile(2)` download to its end, announcing its progress as
/// [`watch_transfer`] does, but queueing every line but ABOR (ProFTPD reads nothing else
/// meanwhile).
pub async fn watch_sendfile<T>(
    ctx: &mut Ctx,
    progress: &Progress,
    transfer: impl Future<Output = T>,
) -> Watched<T> {
    watch_inner(ctx, Some(progress), false, transfer).await
}

/// Tells the modules how far the transfer is ([`Event::TransferProgress`]).
async fn announce(ctx: &mut Ctx, p: &Progress) {
    let event = Event::TransferProgress {
        size: p.size,
        done: p.bytes.load(Ordering::Relaxed),
        elapsed_ms: u64::try_from(p.started.elapsed().as_millis()).unwrap_or(u64::MAX),
    };
    crate::module::events::emit(ctx, &event).await;
}

/// The `211` reply to `STAT` during a transfer.
fn status(ctx: &Ctx, p: &Progress) -> oxftpd_proto::reply::Reply {
    let ip = ctx.peer.ip();
    let kind = match ctx.transfer_type {
        TransferType::Ascii => "ASCII",
        TransferType::Binary => "BINARY",
    };
    let bytes = p.bytes.load(Ordering::Relaxed);
    let (dip, dport) = (p.data_peer.ip(), p.data_peer.port());
    // ProFTPD's own wording, its doubled "from" included (observed).
    let direction = if p.passive {
        format!("Passive data transfer from from {dip} port {dport}")
    } else {
        format!("Active data transfer to {dip} port {dport}")
    };
    multi(
        oxftpd_proto::reply::codes::SYSTEM_STATUS,
        vec![
            format!("Status of '{}'", ctx.server.settings.name),
            format!("Connected from {ip} ({ip})"),
            format!("Logged in as {}", p.login_name),
            format!("TYPE: {kind}, STRUcture: File, Mode: Stream"),
            format!(
                "Total bytes transferred for session: {}",
                ctx.transferred + bytes
            ),
            direction,
            format!("{} ({bytes})", p.what),
            "End of status".to_string(),
        ],
    )
}

async fn watch_inner<T>(
    ctx: &mut Ctx,
    progress: Option<&Progress>,
    answer: bool,
    transfer: impl Future<Output = T>,
) -> Watched<T> {
    tokio::pin!(transfer);
    if let Some(p) = progress {
        announce(ctx, p).await;
    }
    let mut ticks =
        tokio::time::interval_at(tokio::time::Instant::now() + PROGRESS_EVERY, PROGRESS_EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let answered = progress.filter(|_| answer);
    loop {
        let reading = ctx.pending.len() < QUEUE_MAX;
        tokio::select! {
            biased;
            result = &mut transfer => return Watched::Done(result),
            _ = ticks.tick(), if progress.is_some() => {
                if let Some(p) = progress {
                    announce(ctx, p).await;
                }
            }
            incoming = ctx.control.next(), if reading => match incoming {
                Ok(Incoming::Line(line, interrupt)) => {
                    if is_abor(&line) {
                        tracing::debug!(peer = %ctx.peer, interrupt, "ABOR during a transfer");
                        return Watched::Aborted;
                    }
                    let Some(p) = answered.filter(|_| ctx.pending.is_empty()) else {
                        ctx.pending.push_back(Incoming::Line(line, interrupt));
                        continue;
                    };
                    let (verb, has_arg) = verb_of(&line);
                    let during = crate::module::registry::registry().command(&verb).map(|c| c.during_transfer);
                    let reply = match (during, verb.as_str()) {
                        (Some(DuringTransfer::Refused), v) => oxftpd_proto::reply::Reply::new(
                            oxftpd_proto::reply::codes::FILE_ACTION_NOT_TAKEN,
                            format!("{v}: data transfer in progress"),
                        ),
                        (Some(DuringTransfer::Answered), "NOOP") => oxftpd_proto::reply::Reply::new(
                            oxftpd_proto::reply::codes::COMMAND_OK,
                            "NOOP: data transfer in progress",
                        ),
                        (Some(DuringTransfer::Answered), "STAT") if !has_arg => status(ctx, p),
                        _ => {
                            ctx.pending.push_back(Incoming::Line(line, interrupt));
                            continue;
                        }
                    };
                    if ctx.control.send(&reply).await.is_err() {
                        return Watched::ControlClosed;
                    }
                }
                Ok(Incoming::TooLong) => ctx.pending.push_back(Incoming::TooLong),
                Ok(Incoming::Closed) | Err(_) => return Watched::ControlClosed,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{is_abor, verb_of};

    #[test]
    fn verbs() {
        assert_eq!(verb_of(b"stat"), ("STAT".to_string(), false));
        assert_eq!(verb_of(b"STAT /x "), ("STAT".to_string(), true));
        assert_eq!(verb_of(b" noop "), ("NOOP".to_string(), false));
    }

    #[test]
    fn abor_lines() {
        assert!(is_abor(b"ABOR"));
        assert!(is_abor(b"abor "));
        assert!(!is_abor(b"ABORT"));
        assert!(!is_abor(b"NOOP"));
    }
}
