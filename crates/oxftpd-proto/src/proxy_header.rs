//! The PROXY protocol header a TCP load balancer (HAProxy, nginx, AWS NLB) puts before the
//! client's first byte, versions 1 (text) and 2 (binary), as HAProxy's `proxy-protocol.txt`
//! specifies them.
//!
//! [`parse`] reads a header from the bytes received so far and says how many it used, so a
//! caller can consume exactly the header from the socket and leave the client's own bytes (an
//! FTP command, a TLS or SSH hello) where they are. Written here rather than taken from a
//! crate: the two formats are small, and the caller needs the "incomplete, read this many more"
//! answer to avoid reading past the header, which the crates we looked at do not give.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// The longest version 1 header, CRLF included (section 2.1).
pub const V1_MAX: usize = 107;

/// The 12 bytes a version 2 header starts with (section 2.2).
pub const V2_SIGNATURE: [u8; 12] = *b"\r\n\r\n\0\r\nQUIT\n";

/// The longest version 2 header we accept: the fixed 16 bytes and an address block with its
/// TLVs (HAProxy sends a few hundred bytes at most).
pub const V2_MAX: usize = 16 + 1024;

/// A version of the protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    /// The text form, `PROXY TCP4 …\r\n`.
    V1,
    /// The binary form, after [`V2_SIGNATURE`].
    V2,
}

/// What a complete header says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Header {
    /// The connection was proxied for this client, to this address of the proxy's.
    Proxied {
        /// The client's address and port.
        source: SocketAddr,
        /// The address and port the client connected to.
        destination: SocketAddr,
    },
    /// The proxy speaks for itself (v2 `LOCAL`: health checks) or does not know the client
    /// (v1 `UNKNOWN`, v2 `UNSPEC`/UNIX/UDP): the connection's own addresses stand.
    Local,
}

/// What the bytes so far amount to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Parsed {
    /// A complete header of `len` bytes.
    Complete {
        /// What it says.
        header: Header,
        /// How many bytes it took.
        len: usize,
    },
    /// Not yet complete: at least this many bytes in all are needed.
    Incomplete(usize),
}

/// Why bytes are not a header.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProxyError {
    /// The bytes do not start as the expected version's header.
    #[error("not a PROXY protocol {0:?} header")]
    NotAHeader(Version),
    /// A version 1 line longer than 107 bytes.
    #[error("PROXY protocol v1 header longer than {V1_MAX} bytes")]
    TooLong,
    /// A malformed field.
    #[error("malformed PROXY protocol header: {0}")]
    Malformed(&'static str),
}

/// Parses the header of `version` at the start of `buf`.
pub fn parse(version: Version, buf: &[u8]) -> Result<Parsed, ProxyError> {
    match version {
        Version::V1 => parse_v1(buf),
        Version::V2 => parse_v2(buf),
    }
}

fn parse_v1(buf: &[u8]) -> Result<Parsed, ProxyError> {
    const PREFIX: &[u8] = b"PROXY ";
    let n = buf.len().min(PREFIX.len());
    if buf[..n] != PREFIX[..n] {
        return Err(ProxyError::NotAHeader(Version::V1));
    }
    let Some(end) = buf.iter().take(V1_MAX).position(|&b| b == b'\n') else {
        return if buf.len() >= V1_MAX {
            Err(ProxyError::TooLong)
        } else {
            Ok(Parsed::Incomplete(buf.len() + 1))
        };
    };
    let line = buf[..end]
        .strip_suffix(b"\r")
        .ok_or(ProxyError::Malformed("line does not end in CRLF"))?;
    let line = std::str::from_utf8(line).map_err(|_| ProxyError::Malformed("not ASCII"))?;
    let mut fields = line.split(' ').skip(1);
    let header = match fields.next() {
        Some("UNKNOWN") => Header::Local,
        Some(family @ ("TCP4" | "TCP6")) => {
            let v6 = family == "TCP6";
            let mut next = || fields.next().ok_or(ProxyError::Malformed("missing field"));
            let src = v1_ip(next()?, v6)?;
            let dst = v1_ip(next()?, v6)?;
            let sport = v1_port(next()?)?;
            let dport = v1_port(next()?)?;
            if fields.next().is_some() {
                return Err(ProxyError::Malformed("extra field"));
            }
            Header::Proxied {
                source: SocketAddr::new(src, sport),
                destination: SocketAddr::new(dst, dport),
            }
        }
        _ => return Err(ProxyError::Malformed("unknown protocol family")),
    };
    Ok(Parsed::Complete {
        header,
        len: end + 1,
    })
}

fn v1_ip(s: &str, v6: bool) -> Result<IpAddr, ProxyError> {
    let ip = if v6 {
        s.parse::<Ipv6Addr>().map(IpAddr::V6)
    } else {
        s.parse::<Ipv4Addr>().map(IpAddr::V4)
    };
    ip.map_err(|_| ProxyError::Malformed("bad address"))
}

/// A port: decimal, no sign, no leading zero (section 2.1).
fn v1_port(s: &str) -> Result<u16, ProxyError> {
    let ok =
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
    ok.then(|| s.parse().ok())
        .flatten()
        .ok_or(ProxyError::Malformed("bad port"))
}

fn parse_v2(buf: &[u8]) -> Result<Parsed, ProxyError> {
    let n = buf.len().min(V2_SIGNATURE.len());
    if buf[..n] != V2_SIGNATURE[..n] {
        return Err(ProxyError::NotAHeader(Version::V2));
    }
    if buf.len() < 16 {
        return Ok(Parsed::Incomplete(16));
    }
    let version_command = buf[12];
    if version_command >> 4 != 2 {
        return Err(ProxyError::Malformed("version is not 2"));
    }
    let len = 16 + usize::from(u16::from_be_bytes([buf[14], buf[15]]));
    if len > V2_MAX {
        return Err(ProxyError::Malformed("address block too long"));
    }
    if buf.len() < len {
        return Ok(Parsed::Incomplete(len));
    }
    let block = &buf[16..len];
    let header = match version_command & 0x0f {
        0 => Header::Local,
        1 => v2_addresses(buf[13], block)?,
        _ => return Err(ProxyError::Malformed("unknown command")),
    };
    Ok(Parsed::Complete { header, len })
}

/// The address block of a `PROXY` command; TLVs after it are skipped.
fn v2_addresses(family: u8, block: &[u8]) -> Result<Header, ProxyError> {
    let short = ProxyError::Malformed("address block too short");
    match family {
        // TCP over IPv4, TCP over IPv6.
        0x11 => {
            let b: &[u8; 12] = block
                .get(..12)
                .and_then(|b| b.try_into().ok())
                .ok_or(short)?;
            let ip = |i: usize| IpAddr::from([b[i], b[i + 1], b[i + 2], b[i + 3]]);
            let port = |i: usize| u16::from_be_bytes([b[i], b[i + 1]]);
            Ok(Header::Proxied {
                source: SocketAddr::new(ip(0), port(8)),
                destination: SocketAddr::new(ip(4), port(10)),
            })
        }
        0x21 => {
            let b: &[u8; 36] = block
                .get(..36)
                .and_then(|b| b.try_into().ok())
                .ok_or(short)?;
            let ip = |i: usize| {
                let mut a = [0u8; 16];
                a.copy_from_slice(&b[i..i + 16]);
                IpAddr::from(a)
            };
            let port = |i: usize| u16::from_be_bytes([b[i], b[i + 1]]);
            Ok(Header::Proxied {
                source: SocketAddr::new(ip(0), port(32)),
                destination: SocketAddr::new(ip(16), port(34)),
            })
        }
        // UNSPEC, UDP, UNIX: nothing we can use as a TCP client address.
        _ => Ok(Header::Local),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(s: &str) -> SocketAddr {
        s.parse()
            .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)))
    }

    #[test]
    fn v1_tcp4_and_what_follows_it() {
        let buf = b"PROXY TCP4 192.0.2.7 10.0.0.1 51000 21\r\nUSER alice\r\n";
        assert_eq!(
            parse(Version::V1, buf),
            Ok(Parsed::Complete {
                header: Header::Proxied {
                    source: addr("192.0.2.7:51000"),
                    destination: addr("10.0.0.1:21"),
                },
                len: 40,
            })
        );
    }

    #[test]
    fn v1_tcp6_unknown_and_partial() {
        let buf = b"PROXY TCP6 2001:db8::1 ::1 4000 990\r\n";
        assert!(matches!(
            parse(Version::V1, buf),
            Ok(Parsed::Complete { header: Header::Proxied { source, .. }, .. }) if source == addr("[2001:db8::1]:4000")
        ));
        assert!(matches!(
            parse(Version::V1, b"PROXY UNKNOWN\r\n"),
            Ok(Parsed::Complete {
                header: Header::Local,
                len: 15
            })
        ));
        assert_eq!(
            parse(Version::V1, b"PROXY TCP4 1.2"),
            Ok(Parsed::Incomplete(15))
        );
        assert_eq!(parse(Version::V1, b"PRO"), Ok(Parsed::Incomplete(4)));
    }

    #[test]
    fn v1_refusals() {
        for bad in [
            &b"USER alice\r\n"[..],
            b"PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n",
            b"PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n",
            b"PROXY TCP4 1.2.3.4 5.6.7.8 1 70000\r\n",
            b"PROXY TCP4 ::1 5.6.7.8 1 2\r\n",
            b"PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n",
            b"PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n",
        ] {
            assert!(parse(Version::V1, bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            parse(Version::V1, &[b'P'; 2]),
            Err(ProxyError::NotAHeader(Version::V1))
        );
        let mut long = b"PROXY TCP4 ".to_vec();
        long.resize(200, b'1');
        assert_eq!(parse(Version::V1, &long), Err(ProxyError::TooLong));
    }

    fn v2(command: u8, family: u8, block: &[u8]) -> Vec<u8> {
        let mut b = V2_SIGNATURE.to_vec();
        b.push(0x20 | command);
        b.push(family);
        b.extend_from_slice(&(block.len() as u16).to_be_bytes());
        b.extend_from_slice(block);
        b
    }

    #[test]
    fn v2_tcp4_with_a_tlv_and_tcp6() {
        let mut block = vec![192, 0, 2, 7, 10, 0, 0, 1, 0xc7, 0x38, 0, 21];
        block.extend_from_slice(&[0x01, 0, 2, b'h', b'2']); // ALPN TLV, skipped
        let mut buf = v2(1, 0x11, &block);
        let len = buf.len();
        buf.extend_from_slice(b"USER alice\r\n");
        assert_eq!(
            parse(Version::V2, &buf),
            Ok(Parsed::Complete {
                header: Header::Proxied {
                    source: addr("192.0.2.7:51000"),
                    destination: addr("10.0.0.1:21"),
                },
                len,
            })
        );
        let mut block6 = [0u8; 36];
        block6[15] = 1;
        block6[31] = 2;
        block6[32..34].copy_from_slice(&4000u16.to_be_bytes());
        block6[34..36].copy_from_slice(&21u16.to_be_bytes());
        assert!(matches!(
            parse(Version::V2, &v2(1, 0x21, &block6)),
            Ok(Parsed::Complete { header: Header::Proxied { source, .. }, .. }) if source == addr("[::1]:4000")
        ));
    }

    #[test]
    fn v2_local_partial_and_refusals() {
        assert!(matches!(
            parse(Version::V2, &v2(0, 0x00, &[])),
            Ok(Parsed::Complete {
                header: Header::Local,
                len: 16
            })
        ));
        let full = v2(1, 0x11, &[1; 12]);
        assert_eq!(parse(Version::V2, &full[..5]), Ok(Parsed::Incomplete(16)));
        assert_eq!(parse(Version::V2, &full[..20]), Ok(Parsed::Incomplete(28)));
        assert!(parse(Version::V2, &v2(1, 0x11, &[1; 4])).is_err());
        assert!(parse(Version::V2, &v2(7, 0x11, &[1; 12])).is_err());
        assert!(parse(Version::V2, b"PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n").is_err());
        let mut bad_version = full.clone();
        bad_version[12] = 0x11;
        assert!(parse(Version::V2, &bad_version).is_err());
    }
}
