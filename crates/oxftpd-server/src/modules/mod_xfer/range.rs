//! RANG (draft-bryan-ftp-range), as ProFTPD 1.3.8's mod_xfer has it: `RANG start end` (inclusive
//! positions) sets a byte range for the next RETR or STOR in place of REST; `RANG 1 0` resets it.
//! A download sends the range (to the end of the file when the range runs past it); an upload
//! writes exactly the range's bytes at its start, in place, and fails with `426` when the client
//! sends fewer or more.

use crate::module::HandlerFuture;
use crate::session::{Ctx, LoggedIn, TransferType};

/// The byte range the next transfer uses (kept in the session's module state).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    /// The first byte.
    pub start: u64,
    /// How many bytes (at least one).
    pub len: u64,
}

/// Takes the session's range, if one was set: each transfer uses it once.
pub fn take(ctx: &mut Ctx) -> Option<Range> {
    ctx.ext.remove::<Range>()
}

/// Forgets the session's range (`REST` replaces it).
pub fn clear(ctx: &mut Ctx) {
    ctx.ext.remove::<Range>();
}

/// `RANG start end`.
pub fn rang<'a>(
    ctx: &'a mut Ctx,
    _user: &'a mut LoggedIn,
    arg: Option<&'a str>,
) -> HandlerFuture<'a> {
    Box::pin(async move {
        let words: Vec<&str> = arg.unwrap_or("").split_whitespace().collect();
        let [start, end] = words[..] else {
            let shown = match arg {
                Some(a) => format!("RANG {a}"),
                None => "RANG".to_string(),
            };
            return ctx.reply(500, format!("'{shown}' not understood")).await;
        };
        let (Some(start), Some(end)) = (offset(start), offset(end)) else {
            return ctx
                .reply(501, "RANG requires a value greater than or equal to 0")
                .await;
        };
        if start > end {
            clear(ctx);
            if start == 1 && end == 0 {
                return ctx.reply(350, "Reset byte transfer range").await;
            }
            return ctx.reply(501, "RANG start must be less than end").await;
        }
        if ctx.transfer_type == TransferType::Ascii {
            return ctx
                .reply(551, "RANG: Transfer ranges not allowed in ASCII mode")
                .await;
        }
        let len = end - start + 1;
        ctx.ext.insert(Range { start, len });
        ctx.restart = 0;
        let unit = if len == 1 { "byte" } else { "bytes" };
        ctx.reply(
            350,
            format!("Transferring byte range of {len} {unit} starting from {start}"),
        )
        .await
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
