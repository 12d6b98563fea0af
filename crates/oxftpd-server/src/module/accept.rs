//! The accept phase: what a module does with a new TCP connection before any protocol (FTP,
//! implicit FTPS, SSH) reads a byte of it — ProFTPD's modules that must be "the first module
//! called" (mod_proxy_protocol) do this.
//!
//! The listener chooses the server by the connection's own local address, runs every module's
//! [`AcceptFn`] in module order, and then serves the connection as the addresses they leave in
//! [`Conn`] say.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;

use tokio::net::TcpStream;

use crate::context::ServerCtx;

/// The addresses a connection is served under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Conn {
    /// The client: `<Limit>`, classes, bans, logs and the scoreboard see this address.
    pub peer: SocketAddr,
    /// Our address the client connected to (chooses the `<VirtualHost>`).
    pub local: SocketAddr,
    /// The proxy the connection came through, when a header named another client: a passive
    /// data connection may come from it too.
    pub via: Option<SocketAddr>,
}

impl Conn {
    /// A connection served as it came: no proxy.
    pub fn direct(peer: SocketAddr, local: SocketAddr) -> Conn {
        Conn {
            peer,
            local,
            via: None,
        }
    }
}

/// The future an accept hook returns: the addresses to serve the connection under, or `None`
/// to close it without a word.
pub type AcceptFuture<'a> = Pin<Box<dyn Future<Output = Option<Conn>> + Send + 'a>>;

/// One module's accept hook: it may read from the stream (only what is its own) and change the
/// addresses.
pub type AcceptFn = for<'a> fn(&'a mut TcpStream, &'a ServerCtx, Conn) -> AcceptFuture<'a>;
