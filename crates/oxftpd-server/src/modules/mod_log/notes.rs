//! What mod_log notes about a session and its current command, from its own hooks and events
//! (ProFTPD keeps these in `session.notes`/`cmd->notes`): kept in `ctx.ext`.

use std::time::{Instant, SystemTime};

use crate::module::events::Direction;

/// The transfer a command made, from the `Transfer` event.
#[derive(Clone, Debug)]
pub struct Xfer {
    /// When the data started to flow.
    pub started: Instant,
    /// When it ended.
    pub ended: Instant,
    /// Bytes moved.
    pub bytes: u64,
    /// The file, as a virtual path.
    pub vpath: String,
    /// `TYPE A`.
    pub ascii: bool,
    /// Which way.
    pub direction: Direction,
    /// Whether it completed.
    pub complete: bool,
}

/// mod_log's notes for one session.
#[derive(Default, Debug)]
pub struct Notes {
    /// When the current command line was read.
    pub started: Option<Instant>,
    /// The name sent with the last USER (`mod_auth.orig-user`).
    pub orig_user: Option<String>,
    /// The RNFR path of the current RNTO (`mod_core.rnfr-path`).
    pub rnfr: Option<String>,
    /// The current command's transfer.
    pub xfer: Option<Xfer>,
    /// The size of the file the current DELE removes.
    pub deleted_size: Option<u64>,
    /// The REST offset of the current transfer (`mod_xfer.file-offset`).
    pub file_offset: Option<u64>,
    /// Whether the current upload replaces a file (`mod_xfer.file-modified`).
    pub file_modified: bool,
    /// The size of the current transfer's file when it ended (`mod_xfer.file-size`).
    pub file_size: Option<u64>,
    /// The session's listing bytes before the current LIST/NLST/MLSD began.
    pub listed_before: Option<u64>,
    /// When the current LIST/NLST/MLSD began.
    pub listing_started: Option<Instant>,
    /// The port of the last data connection set up (ProFTPD's `session.data_port`).
    pub data_port: Option<u16>,
    /// Why the session ended (`%E`), once known.
    pub end_reason: Option<String>,
    /// When the session connected.
    pub connected: Option<SystemTime>,
}

impl Notes {
    /// Forgets what belonged to the command that was just logged.
    pub fn command_done(&mut self) {
        self.started = None;
        self.rnfr = None;
        self.xfer = None;
        self.deleted_size = None;
        self.file_offset = None;
        self.file_modified = false;
        self.file_size = None;
        self.listed_before = None;
        self.listing_started = None;
    }
}
