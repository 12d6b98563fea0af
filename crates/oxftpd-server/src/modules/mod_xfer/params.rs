//! TYPE, STRU, REST, ALLO: RFC 959 section 4.1.2 (transfer parameters); MODE is in mode.rs.

use oxftpd_proto::reply::codes;

use crate::module::{CommandError, HandlerCtx, HandlerFuture, Session};
use crate::session::TransferType;

/// `TYPE A|I|L 8`.
pub fn type_<'a>(mut ctx: Session<'a>, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        let ctx = &mut ctx;
        let Some(arg) = arg else {
            return Err(CommandError::bad_argument(
                codes::SYNTAX_ERROR,
                "'TYPE' not understood",
            ));
        };
        let mut words = arg.split_whitespace();
        let kind = words.next().unwrap_or("").to_ascii_uppercase();
        let param = words.next().map(str::to_ascii_uppercase);
        match (kind.as_str(), param.as_deref()) {
            ("A", None | Some("N")) => {
                *ctx.data().transfer_type = TransferType::Ascii;
                Ok(ctx.reply(codes::COMMAND_OK, "Type set to A").await?)
            }
            ("I", None) => {
                *ctx.data().transfer_type = TransferType::Binary;
                Ok(ctx.reply(codes::COMMAND_OK, "Type set to I").await?)
            }
            ("L", Some("8")) => {
                *ctx.data().transfer_type = TransferType::Binary;
                Ok(ctx.reply(codes::COMMAND_OK, "Type set to L").await?)
            }
            _ => Err(CommandError::bad_argument(
                codes::NOT_IMPLEMENTED_FOR_PARAMETER,
                format!("TYPE not implemented for '{arg}' parameter"),
            )),
        }
    })
}

/// `STRU F` (file structure is the only one): `504` for R and P, `501` for the rest, as
/// mod_xfer answers.
pub fn stru<'a>(mut ctx: Session<'a>, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        let ctx = &mut ctx;
        match arg {
            None => Err(CommandError::MissingArgument),
            Some(s) if s.eq_ignore_ascii_case("F") => {
                Ok(ctx.reply(codes::COMMAND_OK, "Structure set to F").await?)
            }
            // Record and page structure exist but are not offered; anything else is no type.
            Some(s) if s.eq_ignore_ascii_case("R") || s.eq_ignore_ascii_case("P") => {
                Err(CommandError::bad_argument(
                    codes::NOT_IMPLEMENTED_FOR_PARAMETER,
                    format!("'STRU {s}' unsupported structure type"),
                ))
            }
            Some(s) => Err(CommandError::bad_argument(
                codes::SYNTAX_ERROR_ARGUMENTS,
                format!("'STRU {s}' unrecognized structure type"),
            )),
        }
    })
}

/// `REST offset` (RFC 3659 section 5): `350 Restarting at N. …`.
pub fn rest<'a>(mut hx: HandlerCtx<'a>, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        let ctx = &mut hx.session;
        let Some(arg) = arg else {
            return Err(CommandError::bad_argument(
                codes::SYNTAX_ERROR,
                "'REST' not understood",
            ));
        };
        let Some(offset) = decimal(arg.trim()) else {
            return Err(CommandError::bad_argument(
                codes::SYNTAX_ERROR_ARGUMENTS,
                "REST requires a value greater than or equal to 0",
            ));
        };
        if offset > 0 && ctx.transfer_type == TransferType::Ascii {
            return Err(CommandError::refused(
                codes::SYNTAX_ERROR_ARGUMENTS,
                "REST: Resuming transfers not allowed in ASCII mode",
            ));
        }
        *ctx.data().restart = offset;
        // REST or RANG, never both.
        super::range::clear(ctx.ext_mut());
        Ok(ctx
            .reply(
                codes::PENDING_FURTHER_INFO,
                format!("Restarting at {offset}. Send STORE or RETRIEVE to initiate transfer"),
            )
            .await?)
    })
}

/// `ALLO size [R record]` (RFC 959 4.1.3), as mod_xfer answers it: in a jailed session `202`
/// (nothing checked, Bug#3996); otherwise `552` when the filesystem of the current directory
/// has fewer free KiB than asked for, else `200` (`202` when its space cannot be read).
pub fn allo<'a>(mut hx: HandlerCtx<'a>, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        let user = &*hx.user;
        let ctx = &mut hx.session;
        let Some(arg) = arg else {
            return Err(CommandError::bad_argument(
                codes::NOT_IMPLEMENTED_FOR_PARAMETER,
                "'ALLO' not understood",
            ));
        };
        let words: Vec<&str> = arg.split_whitespace().collect();
        if words.len() != 1 && words.len() != 3 {
            return Err(CommandError::bad_argument(
                codes::NOT_IMPLEMENTED_FOR_PARAMETER,
                format!("'ALLO {arg}' not understood"),
            ));
        }
        let Some(size) = decimal(words[0]) else {
            return Err(CommandError::bad_argument(
                codes::NOT_IMPLEMENTED_FOR_PARAMETER,
                format!("{arg}: Invalid ALLO argument"),
            ));
        };
        let not_needed = || (codes::SUPERFLUOUS, "No storage allocation necessary");
        let (code, text) = if user.root != "/" {
            not_needed()
        } else {
            match user.fs.stat_fs(&user.cwd).await {
                Ok(st) => {
                    let available_kb = st.bavail.saturating_mul(st.frsize) / 1024;
                    if size / 1024 > available_kb {
                        return Err(CommandError::refused(
                            codes::EXCEEDED_STORAGE,
                            format!("{arg}: No space left on device"),
                        ));
                    }
                    (codes::COMMAND_OK, "ALLO command successful")
                }
                Err(_) => not_needed(),
            }
        };
        Ok(ctx.reply(code, text).await?)
    })
}

/// A non-negative decimal number (digits only).
fn decimal(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}
