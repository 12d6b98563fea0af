//! File names are bytes: a name on disk (or in a client's command) that is not valid UTF-8
//! travels inside the server's `&str` paths with each byte that is not part of valid UTF-8
//! written as one character of Unicode's last private-use plane, U+10FF80 to U+10FFFF (byte
//! 0x80 to 0xFF), and is written back as that byte at the edges: to the disk (storage's system
//! calls), to the control connection (replies) and to the data connection (listings). So a
//! client sees and sends the very bytes on disk, and never U+FFFD.
//!
//! The mapping is one-to-one: a name that holds one of those characters as real UTF-8 has
//! each of its four bytes escaped the same way, so it comes back unchanged too.

use std::borrow::Cow;

/// The character that stands for byte `0x80 + i` is `BASE + 0x80 + i`.
const BASE: u32 = 0x10_FF00;

/// Whether `c` stands for a raw byte.
fn is_escape(c: char) -> bool {
    (BASE + 0x80..=BASE + 0xFF).contains(&u32::from(c))
}

fn escape(b: u8, out: &mut String) {
    if let Some(c) = char::from_u32(BASE + u32::from(b)) {
        out.push(c);
    }
}

/// Bytes (a command's argument, a name read from a directory) as text, each byte that is not
/// valid UTF-8 escaped.
pub fn decode(bytes: &[u8]) -> Cow<'_, str> {
    if let Ok(s) = std::str::from_utf8(bytes)
        && !s.chars().any(is_escape)
    {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(bytes.len() + 8);
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if is_escape(c) {
                let mut buf = [0u8; 4];
                for &b in c.encode_utf8(&mut buf).as_bytes() {
                    escape(b, &mut out);
                }
            } else {
                out.push(c);
            }
        }
        for &b in chunk.invalid() {
            escape(b, &mut out);
        }
    }
    Cow::Owned(out)
}

/// Text back to the bytes it stands for (what goes to the disk).
pub fn encode(text: &str) -> Cow<'_, [u8]> {
    unescape(text.as_bytes())
}

/// Writes each escape in UTF-8 `bytes` (a reply, a listing chunk) back as its raw byte.
pub fn unescape(bytes: &[u8]) -> Cow<'_, [u8]> {
    // Every escape is F4 8F BE xx or F4 8F BF xx.
    let starts = |w: &[u8]| w[0] == 0xF4 && w[1] == 0x8F && (w[2] == 0xBE || w[2] == 0xBF);
    if !bytes.windows(4).any(starts) {
        return Cow::Borrowed(bytes);
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes.get(i..i + 4) {
            Some(w) if starts(w) && (0x80..0xC0).contains(&w[3]) => {
                out.push(((w[2] & 0x01) << 6 | (w[3] & 0x3F)) | 0x80);
                i += 4;
            }
            _ => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_passes_unchanged() {
        assert!(matches!(decode("café/ü.txt".as_bytes()), Cow::Borrowed(_)));
        assert!(matches!(encode("café"), Cow::Borrowed(_)));
    }

    #[test]
    fn every_byte_string_round_trips() {
        let samples: &[&[u8]] = &[
            b"caf\xe9.txt",
            b"\xff\xfe\x80",
            b"a\xc3",
            b"\xf4\x8f\xbe\x80 real escape char",
            b"\xf4\x8f\xbf\xbf\xf4\x8f",
        ];
        for s in samples {
            let text = decode(s);
            assert!(!text.contains('\u{FFFD}'), "{text:?}");
            assert_eq!(&*encode(&text), *s, "{text:?}");
        }
        for b in 0u8..=255 {
            let v = [b'x', b, b'y'];
            assert_eq!(&*encode(&decode(&v)), &v);
        }
    }

    #[test]
    fn escapes_inside_a_reply_are_unescaped() {
        let name = decode(b"caf\xe9");
        let reply = format!("550 {name}: No such file or directory\r\n");
        assert_eq!(
            &*unescape(reply.as_bytes()),
            b"550 caf\xe9: No such file or directory\r\n"
        );
    }
}
