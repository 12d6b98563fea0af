//! The source port of active-mode (PORT/EPRT) data connections, as ProFTPD 1.3.8's
//! `data_active_open` chooses it from `RootRevoke`:
//!
//! - unset, or `UseNonCompliantActiveTransfer`: a port the kernel picks (ProFTPD's default
//!   since 1.3.7, observed);
//! - `off`: the control port minus one, RFC 959 section 3.2's "L-1" (port 20 for 21);
//! - `on`: the control port minus one, and PORT/EPRT are refused when that would be below
//!   1024 (ProFTPD's sessions have no root left to bind it).
//!
//! Port 20 needs `CAP_NET_BIND_SERVICE`: the runtime threads gave up root, so a privileged
//! bind runs on the filesystem pool, whose threads keep that one capability. Sockets are
//! created with `SO_REUSEADDR`, so that every active connection of every session can share
//! the port (each has its own peer). When the port cannot be had (someone listens on it, or
//! the daemon is not root), the connection comes from a port the kernel picks and a warning
//! says why (ProFTPD answers 425 after ten seconds of retries).

use std::io;
use std::net::SocketAddr;

use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::TcpSocket;
use tracing::{debug, warn};

use crate::context::Shared;

/// Ports below this need `CAP_NET_BIND_SERVICE`.
const PRIVILEGED: u16 = 1024;

pub use crate::settings::RootRevoke;

/// A socket for an active data connection to `peer` from `local_ip`, bound to the control
/// port minus one when `mode` says so and that port can be had.
pub async fn socket(
    shared: &Shared,
    mode: RootRevoke,
    local_ip: std::net::IpAddr,
    control_port: u16,
    peer: SocketAddr,
) -> io::Result<TcpSocket> {
    let wanted = control_port.saturating_sub(1);
    if wanted == 0 || !mode.binds_l_minus_one() {
        return any_port(local_ip, peer);
    }
    let at = SocketAddr::new(local_ip, wanted);
    let bound = if wanted < PRIVILEGED && shared.pool.switches_identity() {
        // The pool's threads kept CAP_NET_BIND_SERVICE; the runtime's did not.
        shared
            .pool
            .run(&shared.daemon_cred, move || bind(at, peer))
            .await
            .map_err(|e| io::Error::new(io::ErrorKind::PermissionDenied, e.to_string()))?
    } else {
        bind(at, peer)
    };
    match bound {
        Ok(s) => {
            debug!(%at, %peer, "active data connection bound to the control port minus one");
            Ok(TcpSocket::from_std_stream(s.into()))
        }
        Err(e) => {
            warn!(
                %at, %peer,
                "active data connection cannot come from port {wanted} (control port minus one): \
                 {e}; using a port the kernel picks"
            );
            any_port(local_ip, peer)
        }
    }
}

/// A nonblocking socket of `peer`'s family bound to `at` with `SO_REUSEADDR`.
fn bind(at: SocketAddr, peer: SocketAddr) -> io::Result<Socket> {
    let domain = if peer.is_ipv4() {
        Domain::IPV4
    } else {
        Domain::IPV6
    };
    let socket = Socket::new(domain, Type::STREAM, Some(Protocol::TCP))?;
    socket.set_reuse_address(true)?;
    socket.set_nonblocking(true)?;
    socket.set_cloexec(true)?;
    socket.bind(&at.into())?;
    Ok(socket)
}

fn any_port(local_ip: std::net::IpAddr, peer: SocketAddr) -> io::Result<TcpSocket> {
    let socket = if peer.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.bind(SocketAddr::new(local_ip, 0))?;
    Ok(socket)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_revoke_modes() {
        assert_eq!(RootRevoke::parse(None), RootRevoke::Unset);
        assert_eq!(RootRevoke::parse(Some("off")), RootRevoke::Off);
        assert_eq!(RootRevoke::parse(Some("On")), RootRevoke::On);
        assert_eq!(
            RootRevoke::parse(Some("usenoncompliantactivetransfer")),
            RootRevoke::NonCompliant
        );
        assert!(RootRevoke::On.refuses_active(21));
        assert!(RootRevoke::On.refuses_active(1024));
        assert!(!RootRevoke::On.refuses_active(1025));
        assert!(!RootRevoke::Off.refuses_active(21));
        assert!(!RootRevoke::Unset.refuses_active(21));
    }
}
