//! Watching the control connection while a transfer runs (RFC 959 section 4.1.3, ABOR:
//! "the server … closes the data connection … and then … sends a 226 reply").
//!
//! An `ABOR` (plain, or after a Telnet SYNCH `IAC IP IAC DM`) stops the transfer; any other
//! line is queued and served after the transfer's final reply. The queue is bounded: when
//! full, the control connection is left unread until the transfer ends.

use std::future::Future;

use super::{Ctx, Incoming};

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

/// Whether a command line is `ABOR` (any case, surrounding spaces ignored).
fn is_abor(line: &[u8]) -> bool {
    line.trim_ascii().eq_ignore_ascii_case(b"ABOR")
}

/// Runs `transfer` to its end while serving the control connection.
pub async fn watch<T>(ctx: &mut Ctx, transfer: impl Future<Output = T>) -> Watched<T> {
    tokio::pin!(transfer);
    loop {
        let reading = ctx.pending.len() < QUEUE_MAX;
        tokio::select! {
            biased;
            result = &mut transfer => return Watched::Done(result),
            incoming = ctx.control.next(), if reading => match incoming {
                Ok(Incoming::Line(line, interrupt)) => {
                    if is_abor(&line) {
                        tracing::debug!(peer = %ctx.peer, interrupt, "ABOR during a transfer");
                        return Watched::Aborted;
                    }
                    ctx.pending.push_back(Incoming::Line(line, interrupt));
                }
                Ok(Incoming::TooLong) => ctx.pending.push_back(Incoming::TooLong),
                Ok(Incoming::Closed) | Err(_) => return Watched::ControlClosed,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_abor;

    #[test]
    fn abor_lines() {
        assert!(is_abor(b"ABOR"));
        assert!(is_abor(b"abor "));
        assert!(!is_abor(b"ABORT"));
        assert!(!is_abor(b"NOOP"));
    }
}
