//! Errors of the harness.

use std::path::PathBuf;

/// What went wrong preparing, starting or talking to the subject daemon.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HarnessError {
    /// A file or process operation failed.
    #[error("{context}: {source}")]
    Io {
        /// What the harness was doing.
        context: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A helper program (openssl) failed.
    #[error("{program} failed: {detail}")]
    Tool {
        /// The program run.
        program: String,
        /// Its stderr or exit status.
        detail: String,
    },
    /// The daemon did not greet with 220 before the deadline.
    #[error("{bin} not ready on port {port} within {secs}s\n--- daemon output ---\n{log}")]
    NotReady {
        /// The daemon binary.
        bin: PathBuf,
        /// The port it was told to use.
        port: u16,
        /// The deadline in seconds.
        secs: u64,
        /// The daemon's stdout and stderr.
        log: String,
    },
    /// The daemon exited before it was ready.
    #[error("{bin} exited early ({status})\n--- daemon output ---\n{log}")]
    Exited {
        /// The daemon binary.
        bin: PathBuf,
        /// Its exit status.
        status: String,
        /// The daemon's stdout and stderr.
        log: String,
    },
    /// The FTP client failed.
    #[error("FTP client: {0}")]
    Client(#[from] oxftpd_client::Error),
}

/// Attaches a context to an I/O error.
pub(crate) fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> HarnessError {
    let context = context.into();
    move |source| HarnessError::Io { context, source }
}
