//! RANG (draft-bryan-ftp-range), as ProFTPD 1.3.8's mod_xfer has it: `RANG start end` (inclusive
//! positions) sets a byte range for the next RETR or STOR in place of REST; `RANG 1 0` resets it.
//! A download sends the range (to the end of the file when the range runs past it); an upload
//! writes exactly the range's bytes at its start, in place, and fails with `426` when the client
//! sends fewer or more.

use oxftpd_proto::reply::codes;

use crate::module::{CommandError, HandlerCtx, HandlerFuture};
use crate::session::TransferType;

/// The byte range the next transfer uses (kept in the session's module state).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    /// The first byte.
    pub start: u64,
    /// How many bytes (at least one).
    pub len: u64,
}

/// Takes the session's range, if one was set: each transfer uses it once.
pub fn take(ext: &mut crate::type_map::TypeMap) -> Option<Range> {
    ext.remove::<Range>()
}

/// Forgets the session's range (`REST` replaces it).
pub fn clear(ext: &mut crate::type_map::TypeMap) {
    ext.remove::<Range>();
}

/// `RANG start end`.
pub fn rang<'a>(mut hx: HandlerCtx<'a>, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        let ctx = &mut hx.session;
        let words: Vec<&str> = arg.unwrap_or("").split_whitespace().collect();
        let [start, end] = words[..] else {
            let shown = match arg {
                Some(a) => format!("RANG {a}"),
                None => "RANG".to_string(),
            };
            return Err(CommandError::bad_argument(
                codes::SYNTAX_ERROR,
                format!("'{shown}' not understood"),
            ));
        };
        let (Some(start), Some(end)) = (offset(start), offset(end)) else {
            return Err(CommandError::bad_argument(
                codes::SYNTAX_ERROR_ARGUMENTS,
                "RANG requires a value greater than or equal to 0",
            ));
        };
        if start > end {
            clear(ctx.ext_mut());
            if start == 1 && end == 0 {
                return Ok(ctx
                    .reply(codes::PENDING_FURTHER_INFO, "Reset byte transfer range")
                    .await?);
            }
            return Err(CommandError::bad_argument(
                codes::SYNTAX_ERROR_ARGUMENTS,
                "RANG start must be less than end",
            ));
        }
        if ctx.transfer_type == TransferType::Ascii {
            return Err(CommandError::refused(
                codes::PAGE_TYPE_UNKNOWN,
                "RANG: Transfer ranges not allowed in ASCII mode",
            ));
        }
        let len = end - start + 1;
        ctx.ext_mut().insert(Range { start, len });
        *ctx.data().restart = 0;
        let unit = if len == 1 { "byte" } else { "bytes" };
        Ok(ctx
            .reply(
                codes::PENDING_FURTHER_INFO,
                format!("Transferring byte range of {len} {unit} starting from {start}"),
            )
            .await?)
    })
}

/// A non-negative decimal position.
fn offset(word: &str) -> Option<u64> {
    if word.is_empty() || !word.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    word.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::offset;

    #[test]
    fn positions_are_plain_non_negative_numbers() {
        assert_eq!(offset("0"), Some(0));
        assert_eq!(offset("12"), Some(12));
        assert_eq!(offset("-1"), None);
        assert_eq!(offset("b"), None);
        assert_eq!(offset(""), None);
    }
}
