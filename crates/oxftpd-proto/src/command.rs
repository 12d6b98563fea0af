//! One control line into a command verb and its argument (RFC 959 §4.1, §5.3).
//!
//! ProFTPD 1.3.8, observed on loopback, and followed here:
//! - The verb is everything up to the first space or tab, upper-cased; it may hold digits
//!   and punctuation (`X1Y foo` → `500 X1Y not understood`, `NO-OP` → `500 NO-OP not
//!   understood`), so such verbs parse and the server answers them as unknown.
//! - An empty line, or one that starts with a space, has no verb (`500 Invalid command: try
//!   being more creative`): [`CommandError::Empty`].
//! - Exactly one space or tab after the verb is the separator; everything after it is the
//!   argument, leading and inner blanks included (`MKD   lead3` makes `  lead3`,
//!   `MKD\t\ttab2` makes `\ttab2`). An argument made only of blanks counts as none.
//!
//! Deliberate differences: a NUL byte is refused ([`CommandError::Nul`]; ProFTPD cuts the
//! line there, C-string style). An argument that is not UTF-8 is kept byte for byte, as
//! ProFTPD passes the raw bytes on: its other bytes are escaped ([`crate::raw_name`]) and
//! written back as they came at the disk and on the wire.

use std::borrow::Cow;
use std::fmt;

/// Longest verb kept; longer first words are refused with [`CommandError::VerbTooLong`].
pub const VERB_MAX: usize = 31;

/// A command verb, upper-cased, stored inline.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Verb {
    buf: [u8; VERB_MAX],
    len: u8,
}

impl Verb {
    /// Builds a verb from printable ASCII (no space), upper-casing it; `None` if `word` is
    /// empty, too long or holds any other byte.
    pub fn new(word: &[u8]) -> Option<Verb> {
        if word.is_empty() || word.len() > VERB_MAX || !word.iter().all(u8::is_ascii_graphic) {
            return None;
        }
        let mut buf = [0u8; VERB_MAX];
        for (d, s) in buf.iter_mut().zip(word) {
            *d = s.to_ascii_uppercase();
        }
        Some(Verb {
            buf,
            len: word.len() as u8,
        })
    }

    /// The verb text, e.g. `"RETR"`.
    pub fn as_str(&self) -> &str {
        // Only ASCII graphic bytes are ever stored.
        std::str::from_utf8(&self.buf[..usize::from(self.len)]).unwrap_or("")
    }
}

impl fmt::Debug for Verb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Verb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<str> for Verb {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Verb {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// A parsed command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command<'a> {
    /// The verb, upper-cased.
    pub verb: Verb,
    /// Everything after the one separator following the verb, if not blank.
    pub arg: Option<Cow<'a, str>>,
}

/// Why a line is not a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CommandError {
    /// Empty line or leading blank (ProFTPD: `500 Invalid command: try being more creative`).
    #[error("empty command")]
    Empty,
    /// The line holds a NUL byte.
    #[error("NUL byte in command")]
    Nul,
    /// The argument is not valid UTF-8 (no longer returned: such bytes are escaped).
    #[error("argument is not valid UTF-8")]
    InvalidUtf8,
    /// The verb is longer than [`VERB_MAX`].
    #[error("command verb too long")]
    VerbTooLong,
    /// The verb holds a byte that is not printable ASCII.
    #[error("invalid byte in command verb")]
    BadVerb,
}

/// Whether `b` separates the verb from its argument.
fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Parses one control line (line end already removed).
pub fn parse(line: &[u8]) -> Result<Command<'_>, CommandError> {
    if line.contains(&0) {
        return Err(CommandError::Nul);
    }
    let verb_end = line.iter().position(|&b| is_blank(b)).unwrap_or(line.len());
    let word = &line[..verb_end];
    if word.is_empty() {
        return Err(CommandError::Empty);
    }
    if word.len() > VERB_MAX {
        return Err(CommandError::VerbTooLong);
    }
    let verb = Verb::new(word).ok_or(CommandError::BadVerb)?;
    let rest = line.get(verb_end + 1..).unwrap_or(&[]);
    let arg = if rest.iter().all(|&b| is_blank(b)) {
        None
    } else {
        // Names are bytes: what is not UTF-8 is escaped (`raw_name`), not refused.
        Some(crate::raw_name::decode(rest))
    };
    Ok(Command { verb, arg })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(line: &[u8]) -> Result<(String, Option<String>), CommandError> {
        parse(line).map(|c| (c.verb.as_str().to_owned(), c.arg.map(Cow::into_owned)))
    }

    fn ok(v: &str, a: Option<&str>) -> Result<(String, Option<String>), CommandError> {
        Ok((v.to_owned(), a.map(str::to_owned)))
    }

    #[test]
    fn verb_and_argument() {
        assert_eq!(p(b"USER alice"), ok("USER", Some("alice")));
        assert_eq!(p(b"mkd two  sp"), ok("MKD", Some("two  sp")));
        assert_eq!(p(b"PWD"), ok("PWD", None));
        assert_eq!(p(b"RETR a b c "), ok("RETR", Some("a b c ")));
        assert_eq!(
            p("STOR h\u{e9}llo".as_bytes()),
            ok("STOR", Some("h\u{e9}llo"))
        );
    }

    #[test]
    fn blanks_as_proftpd_treats_them() {
        // ProFTPD 1.3.8 captures: `MKD   lead3` → `257 ".../  lead3"`, `MKD\t\ttab2` →
        // `257 ".../\ttab2"`, `MKD\tt1` → `257 ".../t1"`, `NOOP  ` → `200`, `SIZE` → 501.
        assert_eq!(p(b"MKD   lead3"), ok("MKD", Some("  lead3")));
        assert_eq!(p(b"MKD\t\ttab2"), ok("MKD", Some("\ttab2")));
        assert_eq!(p(b"MKD\tt1"), ok("MKD", Some("t1")));
        assert_eq!(p(b"MKD \tst"), ok("MKD", Some("\tst")));
        assert_eq!(p(b"NOOP  "), ok("NOOP", None));
        assert_eq!(p(b"SIZE "), ok("SIZE", None));
        // Leading blank or empty: `500 Invalid command: try being more creative`.
        assert_eq!(p(b" NOOP"), Err(CommandError::Empty));
        assert_eq!(p(b""), Err(CommandError::Empty));
        assert_eq!(p(b"\tNOOP"), Err(CommandError::Empty));
    }

    #[test]
    fn verbs_with_digits_and_punctuation_parse() {
        // ProFTPD answers these `500 X1Y not understood` etc., so they must reach the server.
        assert_eq!(p(b"X1Y foo"), ok("X1Y", Some("foo")));
        assert_eq!(p(b"no-op"), ok("NO-OP", None));
        assert_eq!(p(b"NOOP;"), ok("NOOP;", None));
        assert_eq!(
            p(b"abcdefghijklmnopqrstuvwxyz x"),
            ok("ABCDEFGHIJKLMNOPQRSTUVWXYZ", Some("x"))
        );
    }

    #[test]
    fn errors() {
        assert_eq!(p(b"MKD nul\0x"), Err(CommandError::Nul));
        let raw = p(b"MKD h\xe9llo").expect("a name that is not UTF-8 is kept");
        assert_eq!(
            &*crate::raw_name::encode(raw.1.as_deref().unwrap_or_default()),
            b"h\xe9llo"
        );
        assert_eq!(p(b"NO\xffOP"), Err(CommandError::BadVerb));
        assert_eq!(p(b"NO\rOP x"), Err(CommandError::BadVerb));
        assert_eq!(p(&[b'A'; 32]), Err(CommandError::VerbTooLong));
        assert_eq!(p(&[b'A'; 31]), ok(&"A".repeat(31), None));
    }

    #[test]
    fn verb_helpers() {
        let v = Verb::new(b"retr").unwrap();
        assert_eq!(v, "RETR");
        assert_eq!(format!("{v}/{v:?}"), "RETR/\"RETR\"");
        assert_eq!(Verb::new(b""), None);
        assert_eq!(Verb::new(b"A B"), None);
        assert!(std::mem::size_of::<Verb>() <= 32);
    }

    #[test]
    fn never_panics_on_random_bytes() {
        // xorshift; biased towards the bytes that matter.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let alphabet = b" \t\0\r\n\xff\xc3\xa9aZ1-;";
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = (x % 40) as usize;
            let mut line = Vec::with_capacity(len);
            let mut y = x;
            for _ in 0..len {
                y = y.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                let r = (y >> 33) as usize;
                line.push(if r.is_multiple_of(3) {
                    alphabet[r % alphabet.len()]
                } else {
                    (r >> 3) as u8
                });
            }
            if let Ok(c) = parse(&line) {
                assert!(!c.verb.as_str().is_empty());
                assert!(c.verb.as_str().bytes().all(|b| b.is_ascii_graphic()));
                assert!(!c.verb.as_str().bytes().any(|b| b.is_ascii_lowercase()));
            }
        }
    }
}
