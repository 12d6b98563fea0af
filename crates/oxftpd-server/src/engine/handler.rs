//! What the engine does for a handler through its [`Session`] handle: opening the prepared
//! data connection and serving the control connection while a transfer runs. These need the
//! whole session (the watch answers `STAT` and tells the modules of the transfer's progress),
//! so they are the engine's, and a handler reaches them only through the handle.

use std::future::Future;

use tokio::net::TcpStream;

use crate::data::channel as data_channel;
use crate::engine::watch::{self, Progress, Watched};
use crate::module::{CommandError, DataFailure, Session};
use crate::session::Ctx;

impl Session<'_> {
    /// Opens the data connection PASV/EPSV/PORT/EPRT prepared.
    pub async fn open_data(&mut self) -> Result<TcpStream, CommandError> {
        open_data(self.engine_ctx()).await
    }

    /// Runs `transfer` to its end, answering NOOP, STAT and the data commands meanwhile
    /// ([`watch::watch_transfer`]).
    pub async fn watch_transfer<T>(
        &mut self,
        progress: &Progress,
        transfer: impl Future<Output = T>,
    ) -> Watched<T> {
        watch::watch_transfer(self.engine_ctx(), progress, transfer).await
    }

    /// Runs a `sendfile(2)` download to its end ([`watch::watch_sendfile`]).
    pub async fn watch_sendfile<T>(
        &mut self,
        progress: &Progress,
        transfer: impl Future<Output = T>,
    ) -> Watched<T> {
        watch::watch_sendfile(self.engine_ctx(), progress, transfer).await
    }
}

/// The client's end of a data connection.
pub fn peer_of(stream: &TcpStream) -> std::net::SocketAddr {
    stream
        .peer_addr()
        .unwrap_or_else(|_| std::net::SocketAddr::from(([0, 0, 0, 0], 0)))
}

/// Opens the prepared data connection of `ctx`.
pub async fn open_data(ctx: &mut Ctx) -> Result<TcpStream, CommandError> {
    let setup = std::mem::take(&mut ctx.data);
    ctx.last_transfer = tokio::time::Instant::now();
    match data_channel::open(
        setup,
        ctx.local,
        ctx.peer,
        ctx.via,
        &ctx.shared,
        ctx.server.settings.root_revoke,
    )
    .await
    {
        Ok(stream) => {
            let _ = crate::engine::socket_options::apply(
                &stream,
                &ctx.server.cfg.core.socket_options,
                false,
            );
            crate::trace_msg!(
                ctx.trace,
                "data",
                8,
                "opened data connection with {}",
                peer_of(&stream)
            );
            Ok(stream)
        }
        Err(e) => {
            crate::trace_msg!(ctx.trace, "data", 3, "unable to open data connection: {e}");
            Err(DataFailure::Open(e).into())
        }
    }
}
