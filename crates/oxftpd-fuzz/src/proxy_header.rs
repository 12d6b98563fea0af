//! The PROXY protocol header (mod_proxy_protocol's accept hook reads it before any FTP, TLS or
//! SSH byte): `oxftpd_proto::proxy_header::parse`, versions 1 and 2.

use oxftpd_proto::proxy_header::{Header, Parsed, V1_MAX, V2_MAX, V2_SIGNATURE, Version, parse};

/// Parses `data` as each version's header and checks what the accept hook relies on: a
/// complete header takes at most the bytes given and at most the version's maximum; every
/// shorter prefix of it asks for more bytes, never more than the header's length (so reading
/// "at least N in all" never reads past the header into the client's own bytes); the header
/// alone parses the same; an incomplete answer asks for more than it was given.
pub fn run(data: &[u8]) {
    // Half the inputs get the v2 signature in front, so the binary form is reached often.
    let signed: Vec<u8> = V2_SIGNATURE.iter().chain(data).copied().collect();
    for (version, bytes, max) in [
        (Version::V1, data, V1_MAX),
        (Version::V2, data, V2_MAX),
        (Version::V2, &signed[..], V2_MAX),
    ] {
        check(version, bytes, max);
    }
}

fn check(version: Version, bytes: &[u8], max: usize) {
    match parse(version, bytes) {
        Ok(Parsed::Complete { header, len }) => {
            assert!(len > 0 && len <= bytes.len() && len <= max, "{len}");
            assert_eq!(
                parse(version, &bytes[..len]),
                Ok(Parsed::Complete { header, len })
            );
            for k in 0..len {
                match parse(version, &bytes[..k]) {
                    Ok(Parsed::Incomplete(n)) => assert!(n > k && n <= len, "{k}: {n} of {len}"),
                    other => panic!("prefix {k} of a {len}-byte header: {other:?}"),
                }
            }
            if let Header::Proxied {
                source,
                destination,
            } = header
                && version == Version::V1
            {
                // What v1 says prints back to the same header.
                let family = if source.is_ipv4() { "TCP4" } else { "TCP6" };
                let line = format!(
                    "PROXY {family} {} {} {} {}\r\n",
                    source.ip(),
                    destination.ip(),
                    source.port(),
                    destination.port()
                );
                if let Ok(Parsed::Complete { header: again, .. }) = parse(version, line.as_bytes())
                {
                    assert_eq!(again, header, "{line}");
                }
            }
        }
        Ok(Parsed::Incomplete(n)) => assert!(n > bytes.len() && n <= max, "{n}"),
        Err(_) => {}
    }
}
