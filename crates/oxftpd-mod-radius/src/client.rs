//! One request/response exchange over UDP, trying the configured servers in order.
//!
//! Blocking (a socket with a read timeout): the auth chain runs on a pool thread, and the
//! accounting events hand it to `spawn_blocking`. Every wait is bounded by the server's
//! timeout; an answer with the wrong identifier or authenticator is dropped (a spoof or a
//! stray), and the wait for the real one goes on until the deadline.

use std::net::{SocketAddr, UdpSocket};
use std::time::Instant;

use crate::packet::{self, MAX_PACKET, Packet, PacketError};
use crate::settings::RadiusServer;

/// Why no answer came.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExchangeError {
    /// A request could not be written (a value too long).
    #[error("cannot build the request: {0}")]
    Packet(#[from] PacketError),
    /// No server answered in time.
    #[error("no {0} servers responded")]
    NoAnswer(&'static str),
}

/// A request ready for one server: its bytes and its Request Authenticator.
pub struct Request {
    /// What to send.
    pub bytes: Vec<u8>,
    /// The Request Authenticator, to check the answer against.
    pub authenticator: [u8; 16],
    /// The identifier.
    pub id: u8,
}

/// A verified answer.
pub struct Answer<'a> {
    /// Which server answered.
    pub server: &'a RadiusServer,
    /// The answer.
    pub packet: Packet,
    /// Its bytes (exactly the packet), for the Message-Authenticator check.
    pub bytes: Vec<u8>,
    /// The request's authenticator.
    pub request_authenticator: [u8; 16],
}

/// Sends the request `build` makes for each server in turn until one answers; `log` is told
/// what happens, in mod_radius's words.
pub fn exchange<'a>(
    servers: &'a [RadiusServer],
    kind: &'static str,
    mut build: impl FnMut(&RadiusServer) -> Result<Request, PacketError>,
    log: &dyn Fn(&str),
) -> Result<Answer<'a>, ExchangeError> {
    for server in servers {
        let req = build(server)?;
        log(&format!("sending {kind} request packet to {}", server.addr));
        match send_and_wait(server, &req) {
            Ok(Some((packet, bytes))) => {
                log(&format!("packet receive succeeded from {}", server.addr));
                return Ok(Answer {
                    server,
                    packet,
                    bytes,
                    request_authenticator: req.authenticator,
                });
            }
            Ok(None) => log(&format!("packet receive failed from {}", server.addr)),
            Err(e) => log(&format!("packet send failed to {}: {e}", server.addr)),
        }
    }
    log(&format!("error: no {kind} servers responded"));
    Err(ExchangeError::NoAnswer(kind))
}

fn send_and_wait(
    server: &RadiusServer,
    req: &Request,
) -> std::io::Result<Option<(Packet, Vec<u8>)>> {
    let local: SocketAddr = if server.addr.is_ipv4() {
        "0.0.0.0:0".parse().map_err(std::io::Error::other)?
    } else {
        "[::]:0".parse().map_err(std::io::Error::other)?
    };
    let sock = UdpSocket::bind(local)?;
    sock.connect(server.addr)?;
    sock.send(&req.bytes)?;
    let deadline = Instant::now() + server.timeout;
    let mut buf = vec![0u8; MAX_PACKET];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(None);
        }
        sock.set_read_timeout(Some(left))?;
        let n = match sock.recv(&mut buf) {
            Ok(n) => n,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Ok(None);
            }
            // ICMP port unreachable: nobody listens there.
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => return Ok(None),
            Err(e) => return Err(e),
        };
        let Ok(packet) = Packet::decode(&buf[..n]) else {
            continue;
        };
        if packet.id != req.id {
            continue;
        }
        let len = usize::from(u16::from_be_bytes([buf[2], buf[3]]));
        let bytes = buf[..len].to_vec();
        if !packet::response_ok(&bytes, &req.authenticator, &server.secret) {
            tracing::warn!(
                target: "mod_radius",
                "packet verification failed from {}: mismatched digests (is the shared secret right?)",
                server.addr
            );
            continue;
        }
        return Ok(Some((packet, bytes)));
    }
}
