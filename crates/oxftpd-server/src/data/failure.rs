//! Why a data connection failed, as a value (`module::replies` words it for the verb).

use crate::data::channel::DataError;

/// A data connection that could not be made or did not finish.
#[derive(Debug, thiserror::Error)]
pub enum DataFailure {
    /// Connecting (or listening, for `PASV`/`EPSV`) failed: `425`.
    #[error("{0}")]
    Open(#[from] DataError),
    /// The TLS handshake on the data connection was refused or failed: `425 … Operation not
    /// permitted`.
    #[error("TLS on the data connection failed")]
    Protection,
    /// The transfer failed on its way: `Transfer aborted. reason` with the code
    /// `data::abort::reply_for` gives the error (`426` for a closed connection, `452` for a
    /// full disk, …).
    #[error("transfer aborted: {0}")]
    Broken(std::io::Error),
    /// The stream could not be decoded or written locally (a MODE Z stream that does not
    /// inflate): `451 Transfer aborted. reason`.
    #[error("transfer failed: {0}")]
    Local(std::io::Error),
    /// No data moved for `TimeoutStalled`: `421`, and the session ends.
    #[error("data transfer stalled for {secs} seconds")]
    Stalled {
        /// The `TimeoutStalled` length in seconds.
        secs: u64,
    },
    /// `MaxStoreFileSize` reached: `552 Transfer aborted. File too large`.
    #[error("file too large")]
    TooLarge,
    /// A quota's cap reached (`module::upload_cap`): `552 Transfer aborted. Disk quota
    /// exceeded`.
    #[error("disk quota exceeded")]
    QuotaExceeded,
    /// The transfer may not go on (`MaxRetrieveFileSize`): `426 … Operation not permitted`.
    #[error("transfer not permitted")]
    NotPermitted,
    /// `ABOR` stopped the transfer: `426` for it, then `226` for the `ABOR`.
    #[error("aborted by ABOR")]
    Aborted,
}
