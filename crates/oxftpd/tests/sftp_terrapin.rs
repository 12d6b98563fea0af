//! Strict key exchange against the Terrapin attack (CVE-2023-48795): a raw SSH client that
//! advertises `kex-strict-c-v00@openssh.com` and slips an `SSH_MSG_IGNORE` into the initial key
//! exchange (what a Terrapin attacker injects to shift the sequence numbers) is disconnected
//! before the key exchange goes on; the same client without the strict-kex marker gets the
//! server's `KEX_ECDH_REPLY`, so it is the marker, not the packet, that the server acts on.
//! The server's own KEXINIT advertises `kex-strict-s-v00@openssh.com`.

mod sftp_support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use sftp_support::{have_clients, start};

const MSG_DISCONNECT: u8 = 1;
const MSG_IGNORE: u8 = 2;
const MSG_KEXINIT: u8 = 20;
const MSG_KEX_ECDH_INIT: u8 = 30;
const MSG_KEX_ECDH_REPLY: u8 = 31;

fn name_list(out: &mut Vec<u8>, names: &[&str]) {
    let joined = names.join(",");
    out.extend_from_slice(&u32::try_from(joined.len()).expect("len").to_be_bytes());
    out.extend_from_slice(joined.as_bytes());
}

/// Our KEXINIT: curve25519 (and the strict-kex marker when asked), algorithms every server
/// configuration here accepts.
fn kexinit(strict: bool) -> Vec<u8> {
    let mut p = vec![MSG_KEXINIT];
    p.extend_from_slice(&[7u8; 16]);
    let mut kex = vec!["curve25519-sha256", "curve25519-sha256@libssh.org"];
    if strict {
        kex.push("kex-strict-c-v00@openssh.com");
    }
    name_list(&mut p, &kex);
    name_list(&mut p, &["ssh-ed25519", "rsa-sha2-512", "rsa-sha2-256"]);
    for _ in 0..2 {
        name_list(
            &mut p,
            &["aes256-ctr", "aes128-ctr", "chacha20-poly1305@openssh.com"],
        );
    }
    for _ in 0..2 {
        name_list(&mut p, &["hmac-sha2-256", "hmac-sha2-512"]);
    }
    for _ in 0..2 {
        name_list(&mut p, &["none"]);
    }
    name_list(&mut p, &[]);
    name_list(&mut p, &[]);
    p.push(0);
    p.extend_from_slice(&0u32.to_be_bytes());
    p
}

/// An unencrypted binary packet (RFC 4253 section 6): length, padding length, payload, at
/// least 4 bytes of padding to a multiple of 8, no MAC.
fn packet(payload: &[u8]) -> Vec<u8> {
    let mut pad = 8 - (5 + payload.len()) % 8;
    if pad < 4 {
        pad += 8;
    }
    let len = u32::try_from(1 + payload.len() + pad).expect("len");
    let mut out = len.to_be_bytes().to_vec();
    out.push(u8::try_from(pad).expect("pad"));
    out.extend_from_slice(payload);
    out.extend(std::iter::repeat_n(0u8, pad));
    out
}

/// The next packet's payload; `None` when the server closed the connection.
fn read_packet(r: &mut impl Read) -> Option<Vec<u8>> {
    let mut len = [0u8; 4];
    r.read_exact(&mut len).ok()?;
    let len = usize::try_from(u32::from_be_bytes(len)).ok()?;
    assert!(len < 1 << 20, "absurd packet length {len}");
    let mut body = vec![0u8; len];
    r.read_exact(&mut body).ok()?;
    let pad = usize::from(body[0]);
    Some(body[1..len - pad].to_vec())
}

/// What the server did after our KEXINIT, IGNORE and ECDH_INIT.
#[derive(Debug, PartialEq, Eq)]
enum After {
    /// It went on with the key exchange.
    Replied,
    /// It disconnected (with SSH_MSG_DISCONNECT or by closing).
    Disconnected,
}

/// Runs the raw exchange against `port`; the server's KEXINIT name lists and what it did.
fn exchange(port: u16, strict: bool) -> (String, After) {
    let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut w = stream.try_clone().expect("clone");
    w.write_all(b"SSH-2.0-TerrapinProbe_1.0\r\n")
        .expect("version");
    let mut r = BufReader::new(stream);
    loop {
        let mut line = String::new();
        assert!(
            r.read_line(&mut line).expect("server version") > 0,
            "closed"
        );
        if line.starts_with("SSH-") {
            break;
        }
    }
    w.write_all(&packet(&kexinit(strict))).expect("KEXINIT");
    // The injected packet, then the client's half of the key exchange.
    w.write_all(&packet(&[MSG_IGNORE, 0, 0, 0, 0]))
        .expect("IGNORE");
    let mut init = vec![MSG_KEX_ECDH_INIT, 0, 0, 0, 32];
    init.extend((1..=32u8).map(|b| b.wrapping_mul(37)));
    let _ = w.write_all(&packet(&init));
    let server_kexinit = read_packet(&mut r).expect("the server's KEXINIT");
    assert_eq!(server_kexinit[0], MSG_KEXINIT);
    let names = String::from_utf8_lossy(&server_kexinit[17..]).into_owned();
    loop {
        match read_packet(&mut r) {
            None => return (names, After::Disconnected),
            Some(p) if p[0] == MSG_DISCONNECT => return (names, After::Disconnected),
            Some(p) if p[0] == MSG_KEX_ECDH_REPLY => return (names, After::Replied),
            Some(_) => {}
        }
    }
}

#[test]
fn an_ignore_injected_into_a_strict_key_exchange_is_disconnected() {
    if !have_clients() {
        return;
    }
    let s = start("", |_, _| {});
    let (names, after) = exchange(s.port, true);
    assert!(names.contains("kex-strict-s-v00@openssh.com"), "{names}");
    assert_eq!(after, After::Disconnected, "strict kex");
    let (_, after) = exchange(s.port, false);
    assert_eq!(after, After::Replied, "without the strict-kex marker");
}
