//! The byte stream a control or data connection runs over.

use tokio::io::{AsyncRead, AsyncWrite};

/// Anything a control or data connection can run over (plain TCP or TLS).
pub trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}

impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// A boxed [`Stream`].
pub type BoxStream = Box<dyn Stream>;
