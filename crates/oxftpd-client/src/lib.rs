//! A small async FTP client (RFC 959, RFC 2428) for oxftpd's tests and load generator.
//!
//! Every network wait is bounded by the client's timeout; nothing here panics on what a
//! server sends. The control and data streams are boxed [`Stream`]s: plain TCP, or TLS after
//! [`Client::auth_tls`] / [`Client::connect_implicit_tls`] (control) and [`Client::prot_p`]
//! (data connections, each resuming the control connection's TLS session).

mod client;
mod error;
mod parse;
mod reply;
mod stream;
mod tls;
mod transfer;

pub use client::{Client, DataMode};
pub use error::Error;
pub use parse::{parse_epsv, parse_pasv, parse_pwd};
pub use reply::Reply;
pub use stream::{BoxStream, Stream};
pub use tls::{TlsConfig, TlsSession, TlsVersions};
pub use transfer::Transfer;

/// Result type of this crate.
pub type Result<T> = std::result::Result<T, Error>;
