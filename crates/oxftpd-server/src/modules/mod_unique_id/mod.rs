//! mod_unique_id.c: each session gets `UNIQUE_ID`, 24 characters of base64 over the time,
//! the server's and the client's IPv4 address (the low 32 bits of an IPv6 one), the process
//! id and a 16-bit counter, in network byte order as ProFTPD lays them out. ProFTPD runs one
//! process per session and takes the counter from the microseconds; oxftpd serves every
//! session in one process, so the counter counts sessions instead (unique for 65536
//! sessions from one client within one second).

use std::net::IpAddr;
use std::sync::atomic::{AtomicU16, Ordering};

use crate::module::state::SessionEnv;
use crate::module::{ConnectHook, ConnectStage, Connected, Module};
use crate::session::Ctx;

/// mod_unique_id.c.
pub static MODULE: Module = Module {
    spec: &oxftpd_config::modules::mod_unique_id::MODULE,
    connect: &[ConnectHook::new(ConnectStage::Identify, on_connect)],
    ..Module::DEFAULT
};

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Sessions started so far (the ID's counter).
static COUNTER: AtomicU16 = AtomicU16::new(0);

/// The 32 bits of an address that go into the ID.
fn addr_bits(a: IpAddr) -> [u8; 4] {
    match a {
        IpAddr::V4(v4) => v4.octets(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.octets(),
            None => {
                let o = v6.octets();
                [o[12], o[13], o[14], o[15]]
            }
        },
    }
}

/// The ID for these values: 18 bytes, 24 characters.
pub fn encode(now: u32, host: IpAddr, client: IpAddr, pid: u32, counter: u16) -> String {
    let mut buf = Vec::with_capacity(18);
    buf.extend_from_slice(&now.to_be_bytes());
    buf.extend_from_slice(&addr_bits(host));
    buf.extend_from_slice(&addr_bits(client));
    buf.extend_from_slice(&pid.to_be_bytes());
    buf.extend_from_slice(&counter.to_be_bytes());
    let mut out = String::with_capacity(24);
    for chunk in buf.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for shift in [18, 12, 6, 0] {
            out.push(char::from(BASE64[((n >> shift) & 0x3f) as usize]));
        }
    }
    out
}

/// At connect: the session's `UNIQUE_ID` (`UniqueIDEngine on`, the default).
fn on_connect(ctx: &mut Ctx) -> crate::module::connect::ConnectFuture<'_> {
    Box::pin(async move {
        if ctx.server.cfg.unique_id.engine {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as u32)
                .unwrap_or(0);
            let counter = COUNTER.fetch_add(1, Ordering::Relaxed);
            let id = encode(
                now,
                ctx.local.ip(),
                ctx.peer.ip(),
                std::process::id(),
                counter,
            );
            ctx.ext
                .get_or_default::<SessionEnv>()
                .0
                .push(("UNIQUE_ID".into(), id));
        }
        Connected::Continue
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_24_characters_and_differ_by_counter() {
        let a: IpAddr = "127.0.0.1".parse().unwrap();
        let one = encode(1_700_000_000, a, a, 42, 1);
        let two = encode(1_700_000_000, a, a, 42, 2);
        assert_eq!(one.len(), 24);
        assert!(!one.contains(char::is_whitespace));
        assert_ne!(one, two);
        assert_eq!(&one[..6], "ZVPxAH");
    }
}
