//! MODE (RFC 959 section 4.1.2) with ProFTPD's mod_deflate `MODE Z`, and `OPTS MODE Z`.
//!
//! RFC 959: "TRANSFER MODE (MODE) The argument is a single Telnet character code specifying
//! the data transfer modes". mod_deflate adds `Z` (a zlib stream on the data connection) when
//! `DeflateEngine on`, and `OPTS MODE Z LEVEL n` to choose the compression level.

use oxftpd_proto::reply::codes;

use crate::module::{CommandError, CommandResult, HandlerFuture, Session};
use crate::modules::mod_deflate::log as deflate_log;
use crate::modules::mod_deflate::stream::DEFAULT_LEVEL;
use crate::session::Ctx;

/// Whether `DeflateEngine on` (off by default, as mod_deflate).
pub fn deflate_engine(ctx: &Ctx) -> bool {
    ctx.server.cfg.deflate.engine
}

/// `MODE S`, and `MODE Z` when `DeflateEngine on`.
pub fn mode<'a>(mut ctx: Session<'a>, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        let ctx = &mut ctx;
        let engine = deflate_engine(ctx);
        let words = arg.map_or(0, |a| a.split_whitespace().count());
        if engine && words != 1 {
            // mod_deflate counts the words with the verb.
            let n = words + 1;
            deflate_log::log(
                ctx,
                &format!("declining MODE Z (wrong number of parameters: {n})"),
            );
        }
        let Some(arg) = arg else {
            return Err(CommandError::bad_argument(
                codes::SYNTAX_ERROR_ARGUMENTS,
                "'MODE' not understood",
            ));
        };
        if words > 1 {
            return Err(CommandError::bad_argument(
                codes::SYNTAX_ERROR_ARGUMENTS,
                format!("'MODE {arg}' not understood"),
            ));
        }
        // mod_deflate looks at the first character only.
        if engine && arg.starts_with(['Z', 'z']) {
            // mod_deflate declines under an RFC 2228 mechanism (AUTH TLS): the two cannot be
            // stacked on its data connections.
            if crate::modules::mod_tls::tls_state(ctx).control {
                deflate_log::log(ctx, "declining MODE Z (RFC2228 mechanism 'TLS' in effect)");
                return Err(CommandError::refused(
                    codes::NOT_IMPLEMENTED_FOR_PARAMETER,
                    "Unable to handle MODE Z at this time",
                ));
            }
            crate::modules::mod_deflate::stream::mode_z_mut(ctx.ext_mut()).on = true;
            return Ok(ctx.reply(codes::COMMAND_OK, "OK").await?);
        }
        if std::mem::take(&mut crate::modules::mod_deflate::stream::mode_z_mut(ctx.ext_mut()).on) {
            // mod_deflate names the mode with its first letter in upper case.
            let mut shown = arg.to_string();
            if let Some(first) = shown.get_mut(..1) {
                first.make_ascii_uppercase();
            }
            deflate_log::log(ctx, &format!("MODE {shown}: unregistered netio"));
        }
        match arg.to_ascii_uppercase().as_str() {
            "S" => Ok(ctx.reply(codes::COMMAND_OK, "Mode set to S").await?),
            // RFC 959's block and compressed modes: known, not offered.
            "B" | "C" => Err(CommandError::bad_argument(
                codes::NOT_IMPLEMENTED_FOR_PARAMETER,
                format!("'MODE {arg}' unsupported transfer mode"),
            )),
            _ => Err(CommandError::bad_argument(
                codes::SYNTAX_ERROR_ARGUMENTS,
                format!("'MODE {arg}' unrecognized transfer mode"),
            )),
        }
    })
}

/// C's `atoi`: optional sign and leading digits, 0 when there are none.
fn atoi(s: &str) -> i64 {
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let n = digits
        .bytes()
        .take_while(u8::is_ascii_digit)
        .take(18)
        .fold(0i64, |n, b| n * 10 + i64::from(b - b'0'));
    if neg { -n } else { n }
}

/// `OPTS MODE Z [LEVEL n]…` (`rest` is what follows `OPTS MODE`); `None` when mod_deflate
/// declines it and OPTS answers `500`.
pub async fn opts_mode(ctx: &mut Session<'_>, rest: &str) -> Option<CommandResult> {
    let words: Vec<&str> = rest.split_whitespace().collect();
    // mod_deflate counts `OPTS_MODE` itself: it needs `Z` and at least one more word.
    if !deflate_engine(ctx) || words.len() < 2 || !words[0].eq_ignore_ascii_case("Z") {
        return None;
    }
    if words.len() == 2 {
        crate::modules::mod_deflate::stream::mode_z_mut(ctx.ext_mut()).level = DEFAULT_LEVEL;
        return Some(
            ctx.reply(codes::COMMAND_OK, "OPTS_MODE OK")
                .await
                .map_err(CommandError::from),
        );
    }
    if words.len().is_multiple_of(2) {
        return Some(Err(CommandError::bad_argument(
            codes::SYNTAX_ERROR_ARGUMENTS,
            "Bad number of parameters",
        )));
    }
    for pair in words[1..].chunks(2) {
        let (key, value) = (pair[0], pair[1]);
        let text = if key.eq_ignore_ascii_case("blocksize") || key.eq_ignore_ascii_case("engine") {
            format!("OPTS_MODE: unsupported MODE Z option: {key}")
        } else if key.eq_ignore_ascii_case("level") {
            match u32::try_from(atoi(value)) {
                Ok(level) if level <= 9 => {
                    crate::modules::mod_deflate::stream::mode_z_mut(ctx.ext_mut()).level = level;
                    continue;
                }
                _ => format!("OPTS_MODE: bad MODE Z option value: {key} {value}"),
            }
        } else {
            format!("OPTS_MODE: unknown MODE Z option: {key}")
        };
        return Some(Err(CommandError::bad_argument(
            codes::SYNTAX_ERROR_ARGUMENTS,
            text,
        )));
    }
    Some(
        ctx.reply(codes::COMMAND_OK, "OPTS MODE Z OK")
            .await
            .map_err(CommandError::from),
    )
}

#[cfg(test)]
mod tests {
    use super::atoi;

    #[test]
    fn atoi_as_c() {
        assert_eq!(atoi("7"), 7);
        assert_eq!(atoi("x"), 0);
        assert_eq!(atoi("-1"), -1);
        assert_eq!(atoi("12abc"), 12);
        assert_eq!(atoi(""), 0);
    }
}
