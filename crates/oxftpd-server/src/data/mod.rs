//! Data connections: passive and active setup, TLS on them, and moving file bytes.

pub mod abort;
pub mod active_bind;
pub mod channel;
pub mod failure;
pub mod stream;
pub mod tls_stream;
pub mod transfer_io;
pub mod upload_thread;
