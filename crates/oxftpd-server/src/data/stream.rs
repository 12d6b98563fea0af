//! What a data connection is once opened: plain TCP, or TLS after `PROT P` (mod_tls protects
//! it, `modules/mod_tls/data.rs`), and which way its bytes go.

pub use crate::data::tls_stream::MaybeTls as DataStream;

/// Which way a data connection's bytes go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// The server sends: downloads and listings.
    Send,
    /// The server receives: uploads.
    Receive,
}
