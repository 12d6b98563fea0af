//! Logical lines (continuations, comments, length limit) and words (quotes, escapes).

use std::io::BufRead;

/// Longest logical line accepted, in bytes.
pub const MAX_LINE: usize = 64 * 1024;

/// One logical line: where it starts and its text, or why it was refused.
#[derive(Debug, PartialEq, Eq)]
pub struct LogicalLine {
    /// 1-based number of the first physical line.
    pub line: u32,
    /// The joined text, or an error message.
    pub text: Result<String, String>,
}

/// Reads logical lines from a buffered source with bounded memory.
pub struct Lines<R> {
    src: R,
    line: u32,
    done: bool,
}

impl<R: BufRead> Lines<R> {
    /// Wraps a source.
    pub fn new(src: R) -> Self {
        Lines {
            src,
            line: 0,
            done: false,
        }
    }

    /// Reads one physical line into `buf` (without the newline), keeping at most
    /// `room` bytes; returns (bytes seen, whether the line was cut, whether EOF was hit first).
    fn physical(&mut self, buf: &mut Vec<u8>, room: usize) -> std::io::Result<(usize, bool, bool)> {
        let mut seen = 0usize;
        let mut cut = false;
        loop {
            let chunk = self.src.fill_buf()?;
            if chunk.is_empty() {
                return Ok((seen, cut, true));
            }
            let (take, newline) = match chunk.iter().position(|b| *b == b'\n') {
                Some(i) => (i, true),
                None => (chunk.len(), false),
            };
            let keep = take.min(room.saturating_sub(buf.len()));
            buf.extend_from_slice(&chunk[..keep]);
            if keep < take {
                cut = true;
            }
            seen += take;
            self.src.consume(take + usize::from(newline));
            if newline {
                return Ok((seen, cut, false));
            }
        }
    }

    /// The next logical line, or `None` at the end of input.
    pub fn next_line(&mut self) -> Option<LogicalLine> {
        if self.done {
            return None;
        }
        let mut buf: Vec<u8> = Vec::new();
        let mut start = 0u32;
        let mut too_long = false;
        let mut any = false;
        loop {
            let part_start = buf.len();
            let (seen, cut, eof) = match self.physical(&mut buf, MAX_LINE + 1) {
                Ok(v) => v,
                Err(e) => {
                    self.done = true;
                    return Some(LogicalLine {
                        line: self.line + 1,
                        text: Err(format!("read error: {e}")),
                    });
                }
            };
            if eof && seen == 0 && !any {
                self.done = true;
                return None;
            }
            self.line = self.line.saturating_add(1);
            if !any {
                start = self.line;
                any = true;
            }
            if eof {
                self.done = true;
            }
            if cut || buf.len() > MAX_LINE {
                too_long = true;
            }
            if buf.last() == Some(&b'\r') && buf.len() > part_start {
                buf.pop();
            }
            if !too_long && buf.last() == Some(&b'\\') && !eof {
                buf.pop();
                continue;
            }
            break;
        }
        if too_long {
            return Some(LogicalLine {
                line: start,
                text: Err(format!("line is longer than {MAX_LINE} bytes")),
            });
        }
        Some(LogicalLine {
            line: start,
            text: Ok(String::from_utf8_lossy(&buf).into_owned()),
        })
    }
}

/// Splits a logical line into words: whitespace separates, `"..."` quotes (with `\"`
/// and `\\` escapes), and a word starting with `#` begins a trailing comment.
pub fn words(text: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let Some(&c) = chars.peek() else { break };
        if c == '#' {
            break;
        }
        let mut word = String::new();
        if c == '"' {
            chars.next();
            let mut closed = false;
            while let Some(c) = chars.next() {
                match c {
                    '"' => {
                        closed = true;
                        break;
                    }
                    '\\' => match chars.peek() {
                        Some('"') | Some('\\') => {
                            if let Some(n) = chars.next() {
                                word.push(n);
                            }
                        }
                        _ => word.push('\\'),
                    },
                    other => word.push(other),
                }
            }
            if !closed {
                return Err("unterminated quoted string".into());
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                word.push(c);
                chars.next();
            }
        }
        out.push(word);
    }
    Ok(out)
}

/// Replaces `%{env:VAR}` (unset: empty, as ProFTPD does) and `%{NAME}` for defined
/// names with a value; other `%{...}` text is left as written.
pub fn substitute(word: &str, lookup_define: &dyn Fn(&str) -> Option<String>) -> String {
    if !word.contains("%{") {
        return word.to_string();
    }
    let mut out = String::with_capacity(word.len());
    let mut rest = word;
    while let Some(i) = rest.find("%{") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[i..]);
            return out;
        };
        let name = &after[..end];
        if let Some(var) = name.strip_prefix("env:") {
            out.push_str(&std::env::var(var).unwrap_or_default());
        } else if let Some(v) = lookup_define(name) {
            out.push_str(&v);
        } else {
            out.push_str(&rest[i..i + 3 + end]);
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str) -> Vec<LogicalLine> {
        let mut l = Lines::new(text.as_bytes());
        std::iter::from_fn(|| l.next_line()).collect()
    }

    #[test]
    fn continuation_joins_and_keeps_first_line_number() {
        let got = all("A b \\\n  c\nD\r\n");
        assert_eq!(
            got,
            vec![
                LogicalLine {
                    line: 1,
                    text: Ok("A b   c".into())
                },
                LogicalLine {
                    line: 3,
                    text: Ok("D".into())
                },
            ]
        );
    }

    #[test]
    fn too_long_line_is_refused_and_next_line_still_read() {
        let text = format!("X {}\nNext 1\n", "y".repeat(MAX_LINE + 10));
        let got = all(&text);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].line, 1);
        assert!(got[0].text.is_err());
        assert_eq!(
            got[1],
            LogicalLine {
                line: 2,
                text: Ok("Next 1".into())
            }
        );
    }

    #[test]
    fn words_quotes_escapes_comments() {
        assert_eq!(
            words(r#"ServerName "My \"x\" server" # trailing"#).unwrap(),
            vec!["ServerName", "My \"x\" server"]
        );
        assert_eq!(
            words(r#"DenyFilter \*.*/"#).unwrap(),
            vec!["DenyFilter", r"\*.*/"]
        );
        assert_eq!(
            words(r#"A "a\.b" "c\\d""#).unwrap(),
            vec!["A", r"a\.b", r"c\d"]
        );
        assert_eq!(words("A on#x").unwrap(), vec!["A", "on#x"]);
        assert_eq!(words("A \"\"").unwrap(), vec!["A", ""]);
        assert!(words("A \"open").is_err());
    }

    #[test]
    fn substitution() {
        let defs = |n: &str| (n == "FOO").then(|| "bar".to_string());
        assert_eq!(substitute("x%{FOO}y", &defs), "xbary");
        assert_eq!(substitute("%{NOPE}", &defs), "%{NOPE}");
        assert_eq!(substitute("%{env:OXFTPD_SURELY_UNSET_VAR}z", &defs), "z");
        assert_eq!(substitute("%{FOO", &defs), "%{FOO");
    }
}
