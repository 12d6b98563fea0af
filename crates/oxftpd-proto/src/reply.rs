//! Replies (RFC 959 §4.2) in ProFTPD 1.3.8's layout.
//!
//! A one-line reply is `{code} {text}\r\n`. A multi-line reply is `{code}-{first}\r\n`, then
//! each middle line as ` {text}\r\n` (one leading space), then `{code} {last}\r\n`. Captured
//! from ProFTPD 1.3.8 (FEAT, a `DisplayLogin` file before `230`, `STAT file`, `HELP`,
//! `MLST`); an empty middle line is a lone space. `MultilineRFC2228 on` changes nothing in
//! 1.3.8 (the directive is deprecated: the server logs so and keeps this layout).
//!
//! CR and LF inside any text become spaces, so no text can start a reply line of its own.
//! ProFTPD sends them raw (captured: `MKD x LF y` → `257 "/…/x LF y" - Directory
//! successfully created`, which a client reads as two lines); this is a deliberate
//! difference. Middle lines always begin with a space, so a text such as `250 tricky` cannot
//! be taken for the end of the reply.

pub mod codes;

use std::borrow::Cow;

use crate::num::push_u64_zero;

/// One reply: a code and one or more lines of text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    code: u16,
    first: Cow<'static, str>,
    rest: Vec<Cow<'static, str>>,
}

impl Reply {
    /// A one-line reply.
    pub fn new(code: u16, text: impl Into<Cow<'static, str>>) -> Reply {
        Reply {
            code,
            first: text.into(),
            rest: Vec::new(),
        }
    }

    /// Adds a line after the existing ones (the last line added closes the reply).
    pub fn with_line(mut self, text: impl Into<Cow<'static, str>>) -> Reply {
        self.push_line(text);
        self
    }

    /// Adds a line after the existing ones.
    pub fn push_line(&mut self, text: impl Into<Cow<'static, str>>) {
        self.rest.push(text.into());
    }

    /// The reply code.
    pub fn code(&self) -> u16 {
        self.code
    }

    /// The lines of text, first to last.
    pub fn lines(&self) -> impl Iterator<Item = &str> {
        std::iter::once(&*self.first).chain(self.rest.iter().map(|l| &**l))
    }

    /// Appends the reply's wire form.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        match self.rest.split_last() {
            None => write_reply(self.code, &self.first, out),
            Some((last, middle)) => {
                write_first_line(self.code, &self.first, out);
                for line in middle {
                    write_middle_line(line, out);
                }
                write_reply(self.code, last, out);
            }
        }
    }
}

/// Appends a one-line reply, or the last line of a multi-line one: `{code} {text}\r\n`.
pub fn write_reply(code: u16, text: &str, out: &mut Vec<u8>) {
    push_code(code, out);
    out.push(b' ');
    push_clean(text, out);
    out.extend_from_slice(b"\r\n");
}

/// Appends the first line of a multi-line reply: `{code}-{text}\r\n`.
pub fn write_first_line(code: u16, text: &str, out: &mut Vec<u8>) {
    push_code(code, out);
    out.push(b'-');
    push_clean(text, out);
    out.extend_from_slice(b"\r\n");
}

/// Appends a middle line of a multi-line reply: ` {text}\r\n`.
pub fn write_middle_line(text: &str, out: &mut Vec<u8>) {
    out.push(b' ');
    push_clean(text, out);
    out.extend_from_slice(b"\r\n");
}

/// Appends a three-digit code (values past 999 keep their digits).
fn push_code(code: u16, out: &mut Vec<u8>) {
    push_u64_zero(out, u64::from(code), 3);
}

/// Appends `text` with every CR and LF turned into a space, and escaped bytes of names raw.
fn push_clean(text: &str, out: &mut Vec<u8>) {
    // A file name that is not UTF-8 goes back as its own bytes (`raw_name`).
    for (i, chunk) in crate::raw_name::encode(text)
        .split(|&b| b == b'\r' || b == b'\n')
        .enumerate()
    {
        if i > 0 {
            out.push(b' ');
        }
        out.extend_from_slice(chunk);
    }
}

/// A path quoted for a 257 reply: wrapped in `"` with each inner `"` doubled (RFC 959
/// Appendix II). Captured: `MKD q"uo"te` → `257 "/…/q""uo""te" - Directory successfully
/// created`.
pub fn quote_path(path: &str) -> String {
    let mut s = String::with_capacity(path.len() + 2);
    s.push('"');
    for c in path.chars() {
        if c == '"' {
            s.push('"');
        }
        s.push(c);
    }
    s.push('"');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire(r: &Reply) -> String {
        let mut v = Vec::new();
        r.write_to(&mut v);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn single_line() {
        assert_eq!(
            wire(&Reply::new(200, "NOOP command successful")),
            "200 NOOP command successful\r\n"
        );
        assert_eq!(wire(&Reply::new(7, "x")), "007 x\r\n");
    }

    #[test]
    fn feat_as_proftpd_sends_it() {
        // Captured from ProFTPD 1.3.8 (Debian, default modules), verbatim.
        let feats = [
            "CLNT",
            "CSID",
            "EPRT",
            "EPSV",
            "HOST",
            "LANG C.UTF-8*",
            "MDTM",
            "MFF modify;UNIX.group;UNIX.mode;",
            "MFMT",
            "MLST modify*;perm*;size*;type*;unique*;UNIX.group*;UNIX.groupname*;UNIX.mode*;UNIX.owner*;UNIX.ownername*;",
            "RANG STREAM",
            "REST STREAM",
            "SIZE",
            "TVFS",
            "UTF8",
        ];
        let mut r = Reply::new(211, "Features:");
        for f in feats {
            r.push_line(f);
        }
        r.push_line("End");
        assert_eq!(
            wire(&r),
            "211-Features:\r\n CLNT\r\n CSID\r\n EPRT\r\n EPSV\r\n HOST\r\n LANG C.UTF-8*\r\n MDTM\r\n MFF modify;UNIX.group;UNIX.mode;\r\n MFMT\r\n MLST modify*;perm*;size*;type*;unique*;UNIX.group*;UNIX.groupname*;UNIX.mode*;UNIX.owner*;UNIX.ownername*;\r\n RANG STREAM\r\n REST STREAM\r\n SIZE\r\n TVFS\r\n UTF8\r\n211 End\r\n"
        );
    }

    #[test]
    fn display_login_before_230() {
        // Captured: DisplayLogin file "Welcome line one\nsecond line\n\n250 tricky\nlast\n".
        let r = Reply::new(230, "Welcome line one")
            .with_line("second line")
            .with_line("")
            .with_line("250 tricky")
            .with_line("last")
            .with_line("User tester logged in");
        assert_eq!(
            wire(&r),
            "230-Welcome line one\r\n second line\r\n \r\n 250 tricky\r\n last\r\n230 User tester logged in\r\n"
        );
        assert_eq!(r.code(), 230);
        assert_eq!(r.lines().count(), 6);
    }

    #[test]
    fn stat_and_mlst_forms() {
        // Captured: `STAT a.txt` and `MLST a.txt` (after `OPTS MLST type;size;`).
        let r = Reply::new(213, "Status of a.txt:")
            .with_line("-rwsr-xr-x   1 tester   testgrp         6 Nov 24 09:32 a.txt")
            .with_line("End of status");
        assert_eq!(
            wire(&r),
            "213-Status of a.txt:\r\n -rwsr-xr-x   1 tester   testgrp         6 Nov 24 09:32 a.txt\r\n213 End of status\r\n"
        );
        let r = Reply::new(250, "Start of list for a.txt")
            .with_line("size=6;type=file; /tmp/pf/home/data/a.txt")
            .with_line("End of list");
        assert_eq!(
            wire(&r),
            "250-Start of list for a.txt\r\n size=6;type=file; /tmp/pf/home/data/a.txt\r\n250 End of list\r\n"
        );
    }

    #[test]
    fn cr_lf_cannot_inject_lines() {
        let mut v = Vec::new();
        write_reply(
            257,
            "\"/x\ny\r\n200 fake\" - Directory successfully created",
            &mut v,
        );
        assert_eq!(
            v,
            b"257 \"/x y  200 fake\" - Directory successfully created\r\n"
        );
        let r = Reply::new(211, "a\rb")
            .with_line("\n230 x")
            .with_line("end\n");
        assert_eq!(wire(&r), "211-a b\r\n  230 x\r\n211 end \r\n");
    }

    #[test]
    fn quoting_paths() {
        assert_eq!(
            quote_path("/tmp/pf/home/data/q\"uo\"te"),
            "\"/tmp/pf/home/data/q\"\"uo\"\"te\""
        );
        assert_eq!(quote_path("/"), "\"/\"");
        assert_eq!(quote_path(""), "\"\"");
        let mut v = Vec::new();
        write_reply(
            257,
            &format!("{} is the current directory", quote_path("/a\"b")),
            &mut v,
        );
        assert_eq!(v, b"257 \"/a\"\"b\" is the current directory\r\n");
    }
}
