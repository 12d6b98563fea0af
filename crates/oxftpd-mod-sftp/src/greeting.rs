//! The SSH version exchange, done before russh sees the connection: the server's version line
//! goes out, the client's is read and checked as mod_sftp checks it (`SSH-2.0-` and a
//! software name, at most 255 bytes; anything else gets `Protocol mismatch.` and the
//! connection ends), and only then does russh run, on a [`Replay`] of the stream that hands
//! it the client's line again and drops the copy of the server's line it writes.
//!
//! Knowing the client's version before the key exchange is what `SFTPClientMatch` needs, and
//! russh never sends its `KEXINIT` before the client's version has arrived (the behaviour
//! mod_sftp's `SFTPOptions PessimisticKexinit` asks for).

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};

/// The longest version line RFC 4253 allows (CR LF included).
const MAX_LINE: usize = 255;

/// What mod_sftp sends a client whose version line is not SSH 2.
pub const MISMATCH: &[u8] = b"Protocol mismatch.\n";

/// Why the exchange failed.
#[derive(Debug, thiserror::Error)]
pub enum GreetingError {
    /// The socket failed or closed.
    #[error(transparent)]
    Io(#[from] io::Error),
    /// No version line within the time allowed.
    #[error("no SSH version from the client in time")]
    Timeout,
    /// The client's line is not an SSH 2 version (it was told `Protocol mismatch.`).
    #[error("bad protocol version '{0}'")]
    Mismatch(String),
}

/// The client's version line and the bytes it sent after it.
pub struct ClientVersion {
    /// The line without its CR LF (`SSH-2.0-OpenSSH_9.2p1 Debian-2`).
    pub line: String,
    /// What came after the line in the same reads (the start of its `KEXINIT`).
    pub rest: Vec<u8>,
}

impl ClientVersion {
    /// The software name and comments after `SSH-2.0-` (mod_sftp's `SFTP_CLIENT_BANNER`).
    pub fn banner(&self) -> &str {
        self.line.strip_prefix("SSH-2.0-").unwrap_or(&self.line)
    }
}

/// Whether a client's software name (after `SSH-2.0-`) is a known probe or scanner, which
/// mod_sftp hangs up on: `probe` (`Probe-…`) or `scan` (`…SSH_Version_Mapper…`).
pub fn unwanted(banner: &str) -> Option<&'static str> {
    if banner.starts_with("Probe-") {
        Some("probe")
    } else if banner.contains("SSH_Version_Mapper") {
        Some("scan")
    } else {
        None
    }
}

/// Whether `line` (without CR LF) is a version line mod_sftp accepts.
pub fn acceptable(line: &[u8]) -> bool {
    line.starts_with(b"SSH-2.0-") && line.len() > 8
}

/// Sends `server_id` (`SSH-2.0-…`) and reads the client's version line, within `limit`.
pub async fn exchange<S>(
    stream: &mut S,
    server_id: &str,
    limit: Duration,
) -> Result<ClientVersion, GreetingError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    stream
        .write_all(format!("{server_id}\r\n").as_bytes())
        .await?;
    let read = async {
        let mut buf = Vec::with_capacity(MAX_LINE + 64);
        let mut chunk = [0u8; 512];
        loop {
            if let Some(end) = buf.iter().position(|b| *b == b'\n') {
                let mut line = buf[..end].to_vec();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                let rest = buf[end + 1..].to_vec();
                return Ok((line, rest, end < MAX_LINE));
            }
            if buf.len() >= MAX_LINE {
                return Ok((buf, Vec::new(), false));
            }
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Err(GreetingError::Io(io::ErrorKind::UnexpectedEof.into()));
            }
            buf.extend_from_slice(&chunk[..n]);
        }
    };
    let (line, rest, short_enough) = tokio::time::timeout(limit, read)
        .await
        .map_err(|_| GreetingError::Timeout)??;
    if !short_enough || !acceptable(&line) {
        let _ = stream.write_all(MISMATCH).await;
        let _ = stream.flush().await;
        let shown: String = String::from_utf8_lossy(&line).chars().take(100).collect();
        return Err(GreetingError::Mismatch(shown));
    }
    Ok(ClientVersion {
        line: String::from_utf8_lossy(&line).into_owned(),
        rest,
    })
}

/// The stream russh runs on after [`exchange`]: reads give the client's version line (and
/// what followed it) before the socket's bytes; the first `skip` bytes written (russh's own
/// copy of the server's version line, already sent) are dropped.
pub struct Replay<S> {
    inner: S,
    replay: Vec<u8>,
    at: usize,
    skip: usize,
}

impl<S> Replay<S> {
    /// Wraps `inner` after an exchange that sent `server_id` and read `client`.
    pub fn new(inner: S, server_id: &str, client: &ClientVersion) -> Replay<S> {
        let mut replay = Vec::with_capacity(client.line.len() + 2 + client.rest.len());
        replay.extend_from_slice(client.line.as_bytes());
        replay.extend_from_slice(b"\r\n");
        replay.extend_from_slice(&client.rest);
        Replay {
            inner,
            replay,
            at: 0,
            skip: server_id.len() + 2,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Replay<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.at < this.replay.len() {
            let n = (this.replay.len() - this.at).min(buf.remaining());
            buf.put_slice(&this.replay[this.at..this.at + n]);
            this.at += n;
            if this.at == this.replay.len() {
                this.replay = Vec::new();
                this.at = 0;
            }
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut this.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Replay<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.skip > 0 {
            let n = this.skip.min(buf.len());
            this.skip -= n;
            return Poll::Ready(Ok(n));
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn client_says(line: &[u8]) -> (Result<ClientVersion, GreetingError>, Vec<u8>) {
        let (mut ours, mut theirs) = tokio::io::duplex(16 * 1024);
        let line = line.to_vec();
        let peer = tokio::spawn(async move {
            let _ = theirs.write_all(&line).await;
            let mut got = Vec::new();
            let _ =
                tokio::time::timeout(Duration::from_secs(5), theirs.read_to_end(&mut got)).await;
            got
        });
        let r = exchange(&mut ours, "SSH-2.0-mod_sftp", Duration::from_secs(5)).await;
        drop(ours);
        (r, peer.await.unwrap_or_default())
    }

    #[tokio::test]
    async fn bad_versions_are_told_protocol_mismatch() {
        let long = format!("SSH-2.0-{}\r\n", "AAAA".repeat(1024));
        for bad in [
            &b"AAAA\r\n"[..],
            b"SSH-6.6-FOO\r\n",
            b"SSH-2.0-\r\n",
            long.as_bytes(),
        ] {
            let (r, seen) = client_says(bad).await;
            assert!(matches!(r, Err(GreetingError::Mismatch(_))), "{bad:?}");
            assert_eq!(seen, b"SSH-2.0-mod_sftp\r\nProtocol mismatch.\n");
        }
    }

    #[tokio::test]
    async fn a_good_version_is_replayed_with_what_followed() {
        let (r, _) = client_says(b"SSH-2.0-Test_1.0 with comments\r\nKEXINIT").await;
        let v = r.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(v.banner(), "Test_1.0 with comments");
        let (a, mut b) = tokio::io::duplex(1024);
        let mut replay = Replay::new(a, "SSH-2.0-mod_sftp", &v);
        replay
            .write_all(b"SSH-2.0-mod_sftp\r\nPACKET")
            .await
            .unwrap_or_default();
        let mut got = [0u8; 6];
        b.read_exact(&mut got).await.unwrap_or_default();
        assert_eq!(&got, b"PACKET");
        let mut first = vec![0u8; v.line.len() + 2 + 7];
        replay.read_exact(&mut first).await.unwrap_or_default();
        assert_eq!(first, b"SSH-2.0-Test_1.0 with comments\r\nKEXINIT");
    }
}
