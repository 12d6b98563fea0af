//! systemd's readiness protocol (`sd_notify(3)`): with `Type=notify`, systemd waits for
//! `READY=1` on the datagram socket named by `NOTIFY_SOCKET` before it counts the service as
//! started (and starts what is ordered after it). oxftpd says `READY=1` (with its pid, so that
//! after a live upgrade systemd follows the new process) once its sockets accept and its
//! signal handlers are in place, `RELOADING=1`/`READY=1` around a SIGHUP reload, and
//! `STOPPING=1` when it stops. Without `NOTIFY_SOCKET` nothing is sent.

use std::os::unix::net::UnixDatagram;

/// Sends `state` (newline-separated `KEY=VALUE` assignments) to systemd, if it listens.
pub fn notify(state: &str) {
    if let Some(path) = std::env::var_os("NOTIFY_SOCKET") {
        send(&path, state);
    }
}

/// Sends `state` to the notify socket at `path` (`@name` for an abstract one).
fn send(path: &std::ffi::OsStr, state: &str) {
    let Ok(socket) = UnixDatagram::unbound() else {
        return;
    };
    let bytes = path.as_encoded_bytes();
    let sent = match bytes.strip_prefix(b"@") {
        // An abstract socket (`@name`).
        Some(name) => {
            use std::os::linux::net::SocketAddrExt;
            std::os::unix::net::SocketAddr::from_abstract_name(name)
                .and_then(|addr| socket.send_to_addr(state.as_bytes(), &addr))
        }
        None => socket.send_to(state.as_bytes(), path),
    };
    if let Err(e) = sent {
        tracing::warn!("sd_notify to {}: {e}", path.to_string_lossy());
    }
}

/// What `READY=1` says: ready, and which process is the service's main one.
fn ready_state() -> String {
    format!("READY=1\nMAINPID={}", std::process::id())
}

/// The service is up: `READY=1` with its pid.
pub fn ready() {
    notify(&ready_state());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_reaches_the_notify_socket() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("notify");
        let listener = UnixDatagram::bind(&path).expect("bind");
        send(path.as_os_str(), &ready_state());
        let mut buf = [0u8; 128];
        let n = listener.recv(&mut buf).expect("recv");
        assert_eq!(
            std::str::from_utf8(&buf[..n]).expect("utf-8"),
            format!("READY=1\nMAINPID={}", std::process::id())
        );
    }
}
