//! TYPE, STRU, REST, ALLO: RFC 959 section 4.1.2 (transfer parameters); MODE is in mode.rs.

use crate::module::HandlerFuture;
use crate::session::{Ctx, TransferType};

/// `TYPE A|I|L 8`.
pub fn type_<'a>(ctx: &'a mut Ctx, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        let Some(arg) = arg else {
            return ctx.reply(500, "'TYPE' not understood").await;
        };
        let mut words = arg.split_whitespace();
        let kind = words.next().unwrap_or("").to_ascii_uppercase();
        let param = words.next().map(str::to_ascii_uppercase);
        match (kind.as_str(), param.as_deref()) {
            ("A", None | Some("N")) => {
                ctx.transfer_type = TransferType::Ascii;
                ctx.reply(200, "Type set to A").await
            }
            ("I", None) => {
                ctx.transfer_type = TransferType::Binary;
                ctx.reply(200, "Type set to I").await
            }
            ("L", Some("8")) => {
                ctx.transfer_type = TransferType::Binary;
                ctx.reply(200, "Type set to L").await
            }
            _ => {
                ctx.reply(504, format!("TYPE not implemented for '{arg}' parameter"))
                    .await
            }
        }
    })
}

/// `STRU F` (file structure is the only one).
pub fn stru<'a>(ctx: &'a mut Ctx, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        match arg {
            None => crate::module::helpers::missing_argument(ctx).await,
            Some(s) if s.eq_ignore_ascii_case("F") => ctx.reply(200, "Structure set to F").await,
            Some(s) => {
                ctx.reply(504, format!("'STRU {s}' unsupported structure type"))
                    .await
            }
        }
    })
}

/// `REST offset` (RFC 3659 section 5): `350 Restarting at N. …`.
pub fn rest<'a>(
    ctx: &'a mut Ctx,
    _user: &'a mut crate::session::LoggedIn,
    arg: Option<&'a str>,
) -> HandlerFuture<'a> {
    Box::pin(async move {
        let Some(arg) = arg else {
            return ctx.reply(500, "'REST' not understood").await;
        };
        let Some(offset) = decimal(arg.trim()) else {
            return ctx
                .reply(501, "REST requires a value greater than or equal to 0")
                .await;
        };
        if offset > 0 && ctx.transfer_type == TransferType::Ascii {
            return ctx
                .reply(501, "REST: Resuming transfers not allowed in ASCII mode")
                .await;
        }
        ctx.restart = offset;
        // REST or RANG, never both.
        super::range::clear(ctx);
        ctx.reply(
            350,
            format!("Restarting at {offset}. Send STORE or RETRIEVE to initiate transfer"),
        )
        .await
    })
}

/// `ALLO size [R record]`: nothing to reserve, `202`.
pub fn allo<'a>(ctx: &'a mut Ctx, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        let Some(arg) = arg else {
            return ctx.reply(504, "'ALLO' not understood").await;
        };
        let size = arg.split_whitespace().next().unwrap_or("");
        if decimal(size).is_none() {
            return ctx
                .reply(504, format!("{arg}: Invalid ALLO argument"))
                .await;
        }
        ctx.reply(202, "No storage allocation necessary").await
    })
}

/// A non-negative decimal number (digits only).
fn decimal(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}
