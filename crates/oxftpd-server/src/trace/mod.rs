//! ProFTPD's trace logging (`Trace`, `TraceLog`, `TraceOptions`): messages on named channels,
//! each with a level, written to one file when the channel's configured range takes the level.
//!
//! A session holds a [`Trace`]: nothing at all when tracing is off (so a trace point costs one
//! `None` test), else the shared file, the session's channel levels and its line options. Write
//! with [`trace_msg!`](crate::trace_msg), which formats nothing unless the level is taken.
//! Channels written: `command`, `response`, `data`, `auth`, `tls`, `fsio`, `xfer`.

pub mod file;
pub mod levels;

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;

use oxftpd_config::trace::TraceOptions;

pub use file::TraceFile;
pub use levels::Levels;

/// What one session's trace points write to, if anything.
#[derive(Clone, Default)]
pub struct Trace(Option<Arc<Tracer>>);

/// An active trace: the file, the channel levels, the line options and the connection.
pub struct Tracer {
    file: Arc<TraceFile>,
    levels: Levels,
    options: TraceOptions,
    /// The client's and our address (`TraceOptions +ConnIPs`).
    conn: Option<(SocketAddr, SocketAddr)>,
}

impl Trace {
    /// No tracing.
    pub const OFF: Trace = Trace(None);

    /// A trace writing to `file`, for the channels `levels` takes, in the form `options` says;
    /// off when no channel has a level.
    pub fn new(
        file: Arc<TraceFile>,
        levels: Levels,
        options: TraceOptions,
        conn: Option<(SocketAddr, SocketAddr)>,
    ) -> Trace {
        if levels.is_empty() {
            return Trace::OFF;
        }
        Trace(Some(Arc::new(Tracer {
            file,
            levels,
            options,
            conn,
        })))
    }

    /// Whether anything is traced at all.
    #[inline]
    pub fn is_on(&self) -> bool {
        self.0.is_some()
    }

    /// Whether a message of `level` on `channel` would be written.
    #[inline]
    pub fn takes(&self, channel: &str, level: u32) -> bool {
        match &self.0 {
            None => false,
            Some(t) => t.levels.takes(channel, level),
        }
    }

    /// Writes one message (callers test [`Trace::takes`] first; [`crate::trace_msg!`] does).
    pub fn write(&self, channel: &str, level: u32, msg: fmt::Arguments<'_>) {
        if let Some(t) = &self.0 {
            t.file.write_line(&t.options, t.conn, channel, level, msg);
        }
    }
}

/// Writes a trace message when the session's trace takes its channel and level:
/// `trace_msg!(ctx.trace, "data", 8, "lingering {} secs", n)`. Formats nothing otherwise.
#[macro_export]
macro_rules! trace_msg {
    ($trace:expr, $channel:expr, $level:expr, $($arg:tt)+) => {{
        let t: &$crate::trace::Trace = &$trace;
        if t.takes($channel, $level) {
            t.write($channel, $level, format_args!($($arg)+));
        }
    }};
}
