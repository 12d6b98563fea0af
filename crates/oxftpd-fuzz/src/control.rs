//! The control connection: Telnet decoding and line splitting, then command parsing.

use oxftpd_proto::{LineBuffer, PROFTPD_MAX_LINE, parse};

/// Feeds `data` in chunks (sized by its first byte) to both line readers, parses every
/// line, and checks that no line outgrows the bound.
pub fn run(data: &[u8]) {
    let chunk = usize::from(data.first().copied().unwrap_or(1)).max(1);
    for max in [PROFTPD_MAX_LINE, 16] {
        for mut lines in [LineBuffer::new(max), LineBuffer::crlf_only(max)] {
            let mut out = Vec::new();
            for piece in data.chunks(chunk) {
                lines.feed(piece);
                while let Some(line) = lines.next_line() {
                    let Ok(line) = line else { continue };
                    assert!(line.bytes.len() <= max, "a line longer than the bound");
                    if let Ok(cmd) = parse(line.bytes) {
                        let verb = cmd.verb.as_str();
                        assert!(!verb.is_empty() && verb.bytes().all(|b| b.is_ascii_graphic()));
                        assert!(!verb.bytes().any(|b| b.is_ascii_lowercase()));
                    }
                }
                lines.drain_telnet_replies(&mut out);
                lines.release();
            }
            // Each Telnet option request is answered by at most 3 bytes.
            assert!(
                out.len() <= data.len() * 3,
                "Telnet replies outgrow the input"
            );
        }
    }
}
