//! A small async FTP client (RFC 959, RFC 2428) for oxftpd's tests and load generator.
//!
//! Every network wait is bounded by the client's timeout; nothing here panics on what a
//! server sends. The control and data streams are boxed [`Stream`]s so that a TLS layer can
//! wrap them later without changing the API.

mod client;
mod error;
mod parse;
mod reply;
mod stream;
mod transfer;

pub use client::{Client, DataMode};
pub use error::Error;
pub use parse::{parse_epsv, parse_pasv, parse_pwd};
pub use reply::Reply;
pub use stream::{BoxStream, Stream};
pub use transfer::Transfer;

/// Result type of this crate.
pub type Result<T> = std::result::Result<T, Error>;
