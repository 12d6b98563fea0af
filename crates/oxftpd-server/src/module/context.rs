//! What a handler is given: the narrow context of one command, instead of the whole session.
//!
//! A [`Handler::Narrow`](crate::module::Handler::Narrow) handler gets the logged-in session
//! (identity, jailed filesystem, current directory), the effective configuration for the
//! command's target path (merged once: `.ftpaccess`, `<Directory>`, `<IfUser>`/`<IfGroup>`/
//! `<IfClass>`, `<Anonymous>`, server, `<Global>`), a sink for its replies and the data
//! channel's state — and nothing else, so what it can touch is visible in its signature.
//! Handlers that open data connections, emit events or keep module state still take the
//! session (`Handler::User`).

use std::sync::Arc;

use oxftpd_config::Effective;
use oxftpd_proto::reply::Reply;

use crate::data::channel::DataSetup;
use crate::session::{Control, LoggedIn, SessionResult, TransferType};

/// The narrow context of one command of a logged-in session.
pub struct HandlerCtx<'a> {
    /// Who is logged in, the jailed filesystem and the current directory.
    pub user: &'a mut LoggedIn,
    /// The virtual path the command's argument names (its row's `PathArg`; the current
    /// directory when it names none).
    pub target: String,
    /// The effective configuration for `target`.
    pub cfg: Arc<Effective>,
    /// Where the command's replies go.
    pub replies: Replies<'a>,
    /// The data channel's state: what PASV/PORT prepared, `TYPE`, the `REST` offset.
    pub data: DataChannel<'a>,
}

/// The reply sink of a command: replies are queued and written when the command ends (after
/// its `POST_CMD` hooks), a `1xx` mark at once.
pub struct Replies<'a>(&'a mut Control);

impl<'a> Replies<'a> {
    /// The sink writing to `control`.
    pub fn new(control: &'a mut Control) -> Self {
        Replies(control)
    }

    /// Replies with one line.
    pub async fn reply(&mut self, code: u16, text: impl AsRef<str>) -> SessionResult {
        self.send(&Reply::new(code, text.as_ref().to_owned())).await
    }

    /// Replies with a prepared reply.
    pub async fn send(&mut self, reply: &Reply) -> SessionResult {
        self.0.queue(reply);
        if reply.code() < 200 {
            self.0.flush().await?;
        }
        Ok(())
    }
}

/// The data channel's state a command may read or set.
pub struct DataChannel<'a> {
    /// The data connection prepared by PASV/EPSV/PORT/EPRT.
    pub setup: &'a mut DataSetup,
    /// `TYPE`.
    pub transfer_type: &'a mut TransferType,
    /// The `REST` offset for the next transfer.
    pub restart: &'a mut u64,
}
