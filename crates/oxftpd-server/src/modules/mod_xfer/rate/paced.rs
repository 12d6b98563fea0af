//! A data stream under a [`Pace`]: writes are cut to what the pace grants, reads wait until
//! it grants something and are counted afterwards (a read larger than the grant is paid back
//! by the next wait). Without a pace it is the stream itself.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::pace::Pace;

/// `inner`, paced when a pace is given.
pub struct Paced<'p, S> {
    inner: S,
    pace: Option<&'p mut Pace>,
}

impl<'p, S> Paced<'p, S> {
    /// Wraps `inner`.
    pub fn new(inner: S, pace: Option<&'p mut Pace>) -> Self {
        Paced { inner, pace }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Paced<'_, S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let Some(pace) = this.pace.as_deref_mut() else {
            return Pin::new(&mut this.inner).poll_write(cx, buf);
        };
        if buf.is_empty() {
            return Pin::new(&mut this.inner).poll_write(cx, buf);
        }
        let n = ready!(pace.poll_grant(cx, buf.len())).min(buf.len());
        let written = ready!(Pin::new(&mut this.inner).poll_write(cx, &buf[..n]))?;
        pace.consume(written);
        Poll::Ready(Ok(written))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Paced<'_, S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let Some(pace) = this.pace.as_deref_mut() else {
            return Pin::new(&mut this.inner).poll_read(cx, buf);
        };
        ready!(pace.poll_grant(cx, buf.remaining()));
        let before = buf.filled().len();
        ready!(Pin::new(&mut this.inner).poll_read(cx, buf))?;
        pace.consume(buf.filled().len() - before);
        Poll::Ready(Ok(()))
    }
}
