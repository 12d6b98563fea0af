//! What a handler is given: the narrow context of one command, instead of the whole session.
//!
//! A [`Handler::Narrow`](crate::module::Handler::Narrow) handler gets the logged-in session
//! (identity, jailed filesystem, current directory), the effective configuration for the
//! command's target path (merged once: `.ftpaccess`, `<Directory>`, `<IfUser>`/`<IfGroup>`/
//! `<IfClass>`, `<Anonymous>`, server, `<Global>`) and a [`Session`] handle: the session to
//! read, changed only through the handle's methods — its reply sink, the data channel's state
//! (what PASV/PORT prepared, `TYPE`, `REST`, `EPSV ALL`), the data connection (opened and watched by the
//! engine: `engine/handler.rs`), its transfer counters, its module state and its events. What a
//! handler may change is the method list below, not every field of `Ctx`.

use std::sync::Arc;

use oxftpd_config::Effective;
use oxftpd_proto::reply::Reply;

use crate::counters::SessionTotals;
use crate::data::channel::DataSetup;
use crate::module::events::{self, Event, Transfer};
use crate::session::{Control, Ctx, LoggedIn, SessionResult, TransferType};
use crate::type_map::TypeMap;

/// The narrow context of one command of a logged-in session.
pub struct HandlerCtx<'a> {
    /// Who is logged in, the jailed filesystem and the current directory.
    pub user: &'a mut LoggedIn,
    /// The virtual path the command's argument names (its row's `PathArg`; the current
    /// directory when it names none).
    pub target: String,
    /// The effective configuration for `target`.
    pub cfg: Arc<Effective>,
    /// The session: read through `Deref`, changed through its methods.
    pub session: Session<'a>,
}

/// A handler's handle on its session: reads everything (`Deref<Target = Ctx>`), changes only
/// the replies, the data channel's state, the transfer counters, the module state and (from
/// the engine's side) the data connection; emits events.
pub struct Session<'a>(&'a mut Ctx);

impl<'a> Session<'a> {
    /// The handle on `ctx`, made by the engine for one command.
    pub(crate) fn new(ctx: &'a mut Ctx) -> Self {
        Session(ctx)
    }

    /// The whole session, for the engine's own operations on a handle (`engine/handler.rs`);
    /// no room calls it (`tests/module_graph.rs` checks).
    pub(crate) fn engine_ctx(&mut self) -> &mut Ctx {
        self.0
    }

    /// Replies with one line (queued; a `1xx` mark is written at once).
    pub async fn reply(&mut self, code: u16, text: impl AsRef<str>) -> SessionResult {
        self.0.reply(code, text).await
    }

    /// Replies with a prepared reply.
    pub async fn send(&mut self, reply: &Reply) -> SessionResult {
        self.0.send(reply).await
    }

    /// The data channel's state, to read or set.
    pub fn data(&mut self) -> DataChannel<'_> {
        DataChannel {
            setup: &mut self.0.data,
            transfer_type: &mut self.0.transfer_type,
            restart: &mut self.0.restart,
            epsv_all: &mut self.0.epsv_all,
        }
    }

    /// The control connection itself, for what changes its layers (mod_tls's `CCC`); replies
    /// go through [`Session::reply`].
    pub fn control(&mut self) -> &mut Control {
        &mut self.0.control
    }

    /// The session's module state (`ext`), to change.
    pub fn ext_mut(&mut self) -> &mut TypeMap {
        &mut self.0.ext
    }

    /// The session's transfer counters, to add to.
    pub fn counters(&mut self) -> Counters<'_> {
        Counters {
            transferred: &mut self.0.transferred,
            totals: &mut self.0.totals,
            last_transfer: &mut self.0.last_transfer,
        }
    }

    /// Tells every module of an event.
    pub async fn emit(&mut self, event: &Event<'_>) {
        events::emit(self.0, event).await;
    }

    /// Tells every module that `user`'s file transfer ended.
    pub async fn emit_transfer(&mut self, user: &LoggedIn, transfer: &Transfer<'_>) {
        self.emit(&Event::Transfer { user, transfer }).await;
    }
}

impl std::ops::Deref for Session<'_> {
    type Target = Ctx;

    fn deref(&self) -> &Ctx {
        self.0
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
    /// `EPSV ALL` was sent: PASV, PORT and EPRT are refused from now on.
    pub epsv_all: &'a mut bool,
}

/// The session's transfer counters.
pub struct Counters<'a> {
    /// Bytes moved by the session's transfers (`STAT`).
    pub transferred: &'a mut u64,
    /// Files and bytes of completed transfers (display-file variables, `%K`).
    pub totals: &'a mut SessionTotals,
    /// When the last transfer ended (`TimeoutNoTransfer`).
    pub last_transfer: &'a mut tokio::time::Instant,
}
