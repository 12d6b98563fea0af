//! Data connections: passive listeners (PASV, EPSV) and active connects (PORT, EPRT).

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::{TcpListener, TcpStream};
use tracing::warn;

/// How long a passive listener waits for the client, and an active connect may take.
const DATA_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// The data connection a session has prepared for its next transfer.
#[derive(Default)]
pub enum DataSetup {
    /// Nothing prepared.
    #[default]
    None,
    /// Listening for the client (PASV/EPSV).
    Passive(TcpListener),
    /// Connect to the client (PORT/EPRT).
    Active(SocketAddr),
}

/// Why a data connection could not be made.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// No PASV/EPSV/PORT/EPRT came before the transfer.
    #[error("no data connection prepared")]
    NotPrepared,
    /// The connection failed or timed out.
    #[error("{0}")]
    Io(#[from] io::Error),
}

/// Binds a passive listener on `ip`, in `range` when `PassivePorts` is set.
pub fn bind_passive(ip: IpAddr, range: Option<(u16, u16)>) -> io::Result<TcpListener> {
    let bind = |port: u16| -> io::Result<TcpListener> {
        let domain = if ip.is_ipv4() {
            Domain::IPV4
        } else {
            Domain::IPV6
        };
        let socket = Socket::new(domain, Type::STREAM, Some(Protocol::TCP))?;
        if ip.is_ipv6() {
            socket.set_only_v6(true)?;
        }
        socket.set_nonblocking(true)?;
        // A passive port whose last data connection we closed sits in TIME_WAIT for a
        // minute; without SO_REUSEADDR a busy server runs out of its PassivePorts range
        // (900 ports, 2 transfers a session: ~450 sessions a minute). ProFTPD sets it too.
        socket.set_reuse_address(true)?;
        socket.bind(&SocketAddr::new(ip, port).into())?;
        socket.listen(1)?;
        TcpListener::from_std(socket.into())
    };
    let Some((lo, hi)) = range else {
        return bind(0);
    };
    let span = u32::from(hi - lo) + 1;
    let start = (std::process::id().wrapping_mul(2654435761) ^ nanos()) % span;
    for i in 0..span {
        let port = lo + ((start + i) % span) as u16;
        match bind(port) {
            Ok(l) => return Ok(l),
            Err(e) if e.kind() == io::ErrorKind::AddrInUse => continue,
            Err(e) => return Err(e),
        }
    }
    warn!("PassivePorts {lo}-{hi}: every port is in use");
    Err(io::Error::new(
        io::ErrorKind::AddrInUse,
        "no passive port free in PassivePorts range",
    ))
}

fn nanos() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0)
}

/// Opens the prepared data connection; a passive one must come from `peer`'s address (or the
/// proxy `via` which the control connection came through), an
/// active one from the port `RootRevoke` decides ([`crate::data::active_bind`]).
pub async fn open(
    setup: DataSetup,
    local: SocketAddr,
    peer: SocketAddr,
    via: Option<SocketAddr>,
    shared: &crate::context::Shared,
    root_revoke: crate::data::active_bind::RootRevoke,
) -> Result<TcpStream, DataError> {
    let stream = match setup {
        DataSetup::None => return Err(DataError::NotPrepared),
        DataSetup::Passive(listener) => {
            let (stream, from) = tokio::time::timeout(DATA_CONNECT_TIMEOUT, listener.accept())
                .await
                .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "Connection timed out"))??;
            // The client's own address, or the proxy its control connection came through.
            let expected = |a: SocketAddr| same_ip(from.ip(), a.ip());
            if !expected(peer) && !via.is_some_and(expected) {
                warn!(%peer, %from, "refused passive data connection from foreign address");
                return Err(DataError::Io(io::Error::from_raw_os_error(libc::EPERM)));
            }
            stream
        }
        DataSetup::Active(addr) => {
            let local_ip = if local.is_ipv4() == addr.is_ipv4() {
                local.ip()
            } else if addr.is_ipv4() {
                IpAddr::from([0, 0, 0, 0])
            } else {
                IpAddr::from([0u16; 8])
            };
            let socket =
                crate::data::active_bind::socket(shared, root_revoke, local_ip, local.port(), addr)
                    .await?;
            tokio::time::timeout(DATA_CONNECT_TIMEOUT, socket.connect(addr))
                .await
                .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "Connection timed out"))??
        }
    };
    let _ = stream.set_nodelay(true);
    Ok(stream)
}

/// Compares addresses, treating IPv4-mapped IPv6 addresses as IPv4.
pub fn same_ip(a: IpAddr, b: IpAddr) -> bool {
    canonical(a) == canonical(b)
}

fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}
