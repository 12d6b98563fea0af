//! `SocketOptions` (mod_core) applied to a server's connections: buffer sizes and the
//! maximum segment size on data connections, TCP keepalive on control ones (as ProFTPD 1.3.8
//! sets them: its control connections keep the kernel's buffer sizes).

use std::time::Duration;

use oxftpd_config::modules::mod_core::socket_options::{Keepalive, SocketOptions};
use socket2::{SockRef, TcpKeepalive};
use tokio::net::TcpStream;
use tracing::debug;

/// Sets `opts` on `stream`; `control` for a control connection (keepalive applies to those).
/// A value the kernel refuses is logged at debug level and the connection goes on. Returns
/// the `inet` trace channel's level-15 lines for what was enabled, in ProFTPD's words.
pub fn apply(stream: &TcpStream, opts: &SocketOptions, control: bool) -> Vec<String> {
    let sock = SockRef::from(stream);
    let fd = std::os::fd::AsRawFd::as_raw_fd(stream);
    let mut traced = Vec::new();
    let mut results = Vec::new();
    if !control {
        if let Some(n) = opts.rcvbuf {
            results.push(("rcvbuf", sock.set_recv_buffer_size(n as usize)));
        }
        if let Some(n) = opts.sndbuf {
            results.push(("sndbuf", sock.set_send_buffer_size(n as usize)));
        }
        if let Some(n) = opts.maxseg {
            results.push(("maxseg", sock.set_tcp_mss(n)));
        }
    } else {
        let r = match opts.keepalive {
            Keepalive::Off => sock.set_keepalive(false),
            Keepalive::On => sock.set_keepalive(true),
            Keepalive::Spec {
                idle,
                count,
                interval,
            } => sock
                .set_tcp_keepalive(
                    &TcpKeepalive::new()
                        .with_time(Duration::from_secs(idle.into()))
                        .with_interval(Duration::from_secs(interval.into()))
                        .with_retries(count),
                )
                .inspect(|()| {
                    traced.extend([
                        format!("enabled TCP_KEEPIDLE {idle} on socket fd {fd}"),
                        format!("enabled TCP_KEEPCNT {count} on socket fd {fd}"),
                        format!("enabled TCP_KEEPINTVL {interval} on socket fd {fd}"),
                    ])
                }),
        };
        if r.is_ok() && opts.keepalive != Keepalive::Off {
            traced.insert(0, format!("enabled SO_KEEPALIVE on socket fd {fd}"));
        }
        results.push(("keepalive", r));
    }
    for (what, r) in results {
        if let Err(e) = r {
            debug!("SocketOptions {what}: {e}");
        }
    }
    traced
}
