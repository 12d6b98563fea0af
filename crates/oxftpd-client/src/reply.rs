//! FTP replies (RFC 959 section 4.2).

use std::fmt;

/// One reply from the server: its three-digit code and its lines (without CRLF).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The reply code, e.g. 230.
    pub code: u16,
    /// The raw lines of the reply, the code included, line endings removed.
    pub lines: Vec<String>,
}

impl Reply {
    /// The first line's text after the code and separator.
    pub fn text(&self) -> &str {
        self.lines.first().and_then(|l| l.get(4..)).unwrap_or("")
    }

    /// The first line, code included (`"230 User alice logged in"`).
    pub fn first_line(&self) -> &str {
        self.lines.first().map(String::as_str).unwrap_or("")
    }

    /// True for a 1xx reply.
    pub fn is_preliminary(&self) -> bool {
        (100..200).contains(&self.code)
    }

    /// True for a 2xx reply.
    pub fn is_completion(&self) -> bool {
        (200..300).contains(&self.code)
    }

    /// True for a 3xx reply.
    pub fn is_intermediate(&self) -> bool {
        (300..400).contains(&self.code)
    }

    /// True for a multi-line reply.
    pub fn is_multiline(&self) -> bool {
        self.lines.len() > 1
    }
}

impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.lines.join("\n"))
    }
}
