//! A cap on the bytes the next upload may write, set by a module's `Pre` hook (mod_quotatab:
//! what is left of the session's byte quota) in `ctx.ext`: the upload handler stops the
//! upload there, answers `552 Transfer aborted. Disk quota exceeded` (ProFTPD's words when a
//! quota refuses a write) and leaves the partial file for the module's `PostErr` hook.

/// Bytes the next upload may still write; taken by the upload that reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadCap(pub u64);

/// Set by the upload handler in `ctx.ext` when an upload stopped at its [`UploadCap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CapReached;
