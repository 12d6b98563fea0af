//! A TCP connection that is either plain or TLS (rustls server side), for the control and
//! data connections alike.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

/// The fatal `unrecognized_name` alert (RFC 6066 section 3), as a plaintext TLS record.
pub const UNRECOGNIZED_NAME_ALERT: [u8; 7] = [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x70];

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::server::TlsStream;

/// A plain or TLS-protected TCP connection.
pub enum MaybeTls {
    /// Clear text.
    Plain(TcpStream),
    /// TLS over TCP.
    Tls(Box<TlsStream<TcpStream>>),
    /// TLS over TCP with this side as the client (data connections after `SSCN ON`).
    Client(Box<tokio_rustls::client::TlsStream<TcpStream>>),
}

impl MaybeTls {
    /// The TCP socket underneath (addresses, readiness, `sendfile`).
    pub fn tcp(&self) -> &TcpStream {
        match self {
            MaybeTls::Plain(s) => s,
            MaybeTls::Tls(s) => s.get_ref().0,
            MaybeTls::Client(s) => s.get_ref().0,
        }
    }

    /// Whether the connection is TLS.
    pub fn is_tls(&self) -> bool {
        matches!(self, MaybeTls::Tls(_) | MaybeTls::Client(_))
    }
}

impl AsyncRead for MaybeTls {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            MaybeTls::Plain(s) => Pin::new(s).poll_read(cx, buf),
            MaybeTls::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
            MaybeTls::Client(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for MaybeTls {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            MaybeTls::Plain(s) => Pin::new(s).poll_write(cx, buf),
            MaybeTls::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
            MaybeTls::Client(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            MaybeTls::Plain(s) => Pin::new(s).poll_flush(cx),
            MaybeTls::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
            MaybeTls::Client(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            MaybeTls::Plain(s) => Pin::new(s).poll_shutdown(cx),
            MaybeTls::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
            MaybeTls::Client(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// Runs a client-side TLS handshake on `tcp` with `name` within `limit` (`SSCN ON`).
pub async fn connect(
    tcp: TcpStream,
    config: std::sync::Arc<rustls::ClientConfig>,
    name: rustls::pki_types::ServerName<'static>,
    limit: std::time::Duration,
) -> io::Result<tokio_rustls::client::TlsStream<TcpStream>> {
    let connector = tokio_rustls::TlsConnector::from(config);
    match tokio::time::timeout(limit, connector.connect(name, tcp)).await {
        Ok(r) => r,
        Err(_) => Err(io::Error::new(
            io::ErrorKind::TimedOut,
            "TLS handshake timed out",
        )),
    }
}

/// Runs a server-side TLS handshake on `tcp` within `limit`.
pub async fn accept(
    tcp: TcpStream,
    config: std::sync::Arc<rustls::ServerConfig>,
    limit: std::time::Duration,
) -> io::Result<TlsStream<TcpStream>> {
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    match tokio::time::timeout(limit, acceptor.accept(tcp)).await {
        Ok(r) => r,
        Err(_) => Err(io::Error::new(
            io::ErrorKind::TimedOut,
            "TLS handshake timed out",
        )),
    }
}

/// Runs a server-side TLS handshake on `tcp` within `limit`, with the configuration `choose`
/// returns for the SNI name of the client's hello (if any); `None` refuses the name with an
/// `unrecognized_name` alert.
pub async fn accept_choosing<F>(
    tcp: TcpStream,
    limit: std::time::Duration,
    choose: F,
) -> io::Result<TlsStream<TcpStream>>
where
    F: FnOnce(Option<&str>) -> Option<std::sync::Arc<rustls::ServerConfig>>,
{
    let handshake = async move {
        let acceptor = rustls::server::Acceptor::default();
        let mut start = tokio_rustls::LazyConfigAcceptor::new(acceptor, tcp).await?;
        match choose(start.client_hello().server_name()) {
            Some(config) => start.into_stream(config).await,
            None => {
                use tokio::io::AsyncWriteExt;
                let _ = start.io.write_all(&UNRECOGNIZED_NAME_ALERT).await;
                Err(io::Error::new(
                    io::ErrorKind::PermissionDenied,
                    "no matching server for the client-sent SNI",
                ))
            }
        }
    };
    match tokio::time::timeout(limit, handshake).await {
        Ok(r) => r,
        Err(_) => Err(io::Error::new(
            io::ErrorKind::TimedOut,
            "TLS handshake timed out",
        )),
    }
}

/// Ends TLS on a connection but keeps TCP open (`CCC`): sends close_notify, returns the socket.
pub async fn downgrade(tls: TlsStream<TcpStream>) -> io::Result<TcpStream> {
    use tokio::io::AsyncWriteExt;
    let (mut tcp, mut conn) = tls.into_inner();
    conn.send_close_notify();
    let mut out = Vec::new();
    while conn.wants_write() {
        conn.write_tls(&mut out)?;
    }
    tcp.write_all(&out).await?;
    Ok(tcp)
}
