//! Reading the header at accept, before FTP, implicit TLS or SSH read a byte: exactly the
//! header's bytes are taken from the socket, the client's own stay where they are.

use std::time::Duration;

use oxftpd_config::modules::mod_proxy_protocol::{Version, View};
use oxftpd_proto::proxy_header::{self, Header, Parsed, ProxyError, V1_MAX, V2_MAX};
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
use tracing::{debug, warn};

use crate::access::address::AddrPattern;
use crate::context::ServerCtx;
use crate::module::accept::{AcceptFuture, Conn};

/// Why no header was read.
#[derive(Debug, thiserror::Error)]
enum HeaderError {
    /// The bytes are not a header of the configured version.
    #[error(transparent)]
    Bad(#[from] ProxyError),
    /// The connection ended or failed first.
    #[error("connection: {0}")]
    Io(#[from] std::io::Error),
    /// `ProxyProtocolTimeout` passed first.
    #[error("no complete header within {0} s")]
    Timeout(u64),
}

/// The accept hook: with `ProxyProtocolEngine on`, a trusted source's header decides the
/// addresses; a connection whose header is missing, malformed or late is closed.
pub fn on_accept<'a>(
    stream: &'a mut TcpStream,
    server: &'a ServerCtx,
    conn: Conn,
) -> AcceptFuture<'a> {
    Box::pin(async move {
        let cfg = &server.cfg.proxy_protocol;
        if !cfg.engine || !trusted(cfg, conn) {
            return Some(conn);
        }
        let secs = cfg.timeout_secs.max(1);
        let read = read_header(stream, cfg.version);
        let header = match tokio::time::timeout(Duration::from_secs(secs), read).await {
            Ok(Ok(h)) => h,
            Ok(Err(e)) => return refuse(conn, e),
            Err(_) => return refuse(conn, HeaderError::Timeout(secs)),
        };
        match header {
            Header::Local => Some(conn),
            Header::Proxied {
                source,
                destination,
            } => {
                debug!(proxy = %conn.peer, client = %source, "PROXY protocol: proxied client");
                Some(Conn {
                    peer: source,
                    local: if cfg.use_proxied_server_address {
                        destination
                    } else {
                        conn.local
                    },
                    via: Some(conn.peer),
                })
            }
        }
    })
}

fn refuse(conn: Conn, e: HeaderError) -> Option<Conn> {
    warn!(peer = %conn.peer, "PROXY protocol: {e}; connection closed");
    None
}

/// Whether the connection comes from a source whose header is believed (every source when
/// `ProxyProtocolTrustedSources` is not set, as ProFTPD's module).
fn trusted(cfg: &View, conn: Conn) -> bool {
    cfg.trusted_sources.is_empty()
        || cfg
            .trusted_sources
            .iter()
            .filter_map(|p| AddrPattern::parse(p))
            .any(|p| p.matches(conn.peer.ip()))
}

/// Reads one header of `version`, taking no byte past it: bytes are peeked, and taken only
/// when they are the header's.
async fn read_header(stream: &mut TcpStream, version: Version) -> Result<Header, HeaderError> {
    let (version, max) = match version {
        Version::HaproxyV1 => (proxy_header::Version::V1, V1_MAX),
        Version::HaproxyV2 => (proxy_header::Version::V2, V2_MAX),
    };
    let mut taken: Vec<u8> = Vec::with_capacity(128);
    let mut peeked = vec![0u8; max];
    loop {
        let want = max - taken.len();
        let n = stream.peek(&mut peeked[..want]).await?;
        if n == 0 {
            return Err(std::io::Error::from(std::io::ErrorKind::UnexpectedEof).into());
        }
        let mut candidate = taken.clone();
        candidate.extend_from_slice(&peeked[..n]);
        match proxy_header::parse(version, &candidate)? {
            Parsed::Complete { header, len } => {
                let mut rest = vec![0u8; len - taken.len()];
                stream.read_exact(&mut rest).await?;
                return Ok(header);
            }
            Parsed::Incomplete(_) => {
                // Every byte seen so far belongs to the header: take them, wait for more.
                let mut chunk = vec![0u8; n];
                stream.read_exact(&mut chunk).await?;
                taken.extend_from_slice(&chunk);
                if taken.len() >= max {
                    return Err(ProxyError::Malformed("header too long").into());
                }
            }
        }
    }
}
