//! MDTM (RFC 3659 section 3), MFMT and MFF (draft-somers-ftp-mfxx), in ProFTPD's
//! mod_core/mod_facts form.
//!
//! RFC 3659 3.1: "The FTP command, MODIFICATION TIME (MDTM), can be used to determine when a
//! file in the server NVFS was last modified." draft-somers-ftp-mfxx 3: "MFMT … sets the
//! last modification time of the file"; 4: "MFF … modify the facts of a file".

use oxftpd_proto::reply::codes;
use oxftpd_proto::time::{parse_timestamp, write_timestamp};
use oxftpd_storage::Kind;

use crate::module::{CommandError, HandlerCtx, HandlerFuture};
use crate::session::Ctx;

/// Seconds east of UTC that listings and MDTM use (`TimesGMT off`: local time).
pub fn time_offset(ctx: &Ctx, at: i64) -> i64 {
    let gmt = ctx.server.cfg.ls.times_gmt;
    if gmt {
        0
    } else {
        i64::from(crate::localtime::utc_offset(at))
    }
}

/// `MDTM path`: `213 YYYYMMDDHHMMSS`.
pub fn mdtm<'a>(hx: HandlerCtx<'a>, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        let HandlerCtx {
            user, mut session, ..
        } = hx;
        let ctx = &mut session;
        let Some(arg) = arg else {
            return Err(CommandError::MissingArgument);
        };
        let target = user.resolve(arg);
        match user.fs.metadata(&target).await {
            Ok(meta) if meta.kind == Kind::File => {
                let mut out = Vec::with_capacity(14);
                write_timestamp(meta.mtime + time_offset(ctx, meta.mtime), &mut out);
                Ok(ctx
                    .reply(codes::FILE_STATUS, String::from_utf8_lossy(&out))
                    .await?)
            }
            Ok(_) => Err(CommandError::NotAFile { path: arg.into() }),
            Err(e) => Err(CommandError::storage(arg, e)),
        }
    })
}

/// `MFMT YYYYMMDDHHMMSS path`: `213 Modify=…; path`.
pub fn mfmt<'a>(hx: HandlerCtx<'a>, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        let HandlerCtx {
            user, mut session, ..
        } = hx;
        let ctx = &mut session;
        let Some((stamp, path)) = arg.and_then(|a| a.split_once(' ')) else {
            return Err(CommandError::MissingArgument);
        };
        let path = path.trim_start();
        if path.is_empty() {
            return Err(CommandError::MissingArgument);
        }
        let Ok(ts) = parse_timestamp(stamp) else {
            return Err(CommandError::bad_argument(
                codes::SYNTAX_ERROR_ARGUMENTS,
                format!("{stamp}: Invalid argument"),
            ));
        };
        let target = user.resolve(path);
        if let Err(e) = user.fs.symlink_metadata(&target).await {
            return Err(CommandError::storage(path, e));
        }
        match user.fs.set_times(&target, None, ts.secs).await {
            Ok(()) => Ok(ctx
                // The fraction of a second is not set, so not shown (mod_facts).
                .reply(
                    codes::FILE_STATUS,
                    format!(
                        "Modify={}; {path}",
                        stamp.split('.').next().unwrap_or(stamp)
                    ),
                )
                .await?),
            Err(e) => Err(CommandError::attributes(path, e)),
        }
    })
}

/// One fact an MFF command sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// `modify=YYYYMMDDHHMMSS`: the mtime, UTC seconds.
    Modify(i64),
    /// `UNIX.group=GID`.
    Group(u32),
    /// `UNIX.mode=OCTAL` (at most 07777).
    Mode(u32),
}

/// Reads one `fact=value` of MFF; `None` for a fact it cannot set.
pub fn parse_fact(fact: &str) -> Option<Change> {
    let (name, value) = fact.split_once('=')?;
    if name.eq_ignore_ascii_case("modify") {
        parse_timestamp(value).ok().map(|t| Change::Modify(t.secs))
    } else if name.eq_ignore_ascii_case("UNIX.group") {
        value.parse().ok().map(Change::Group)
    } else if name.eq_ignore_ascii_case("UNIX.mode") {
        u32::from_str_radix(value, 8)
            .ok()
            .filter(|m| *m <= 0o7777)
            .map(Change::Mode)
    } else {
        None
    }
}

/// `MFF fact=value;… path`: `213 fact=value;… path`.
pub fn mff<'a>(hx: HandlerCtx<'a>, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        let HandlerCtx {
            user, mut session, ..
        } = hx;
        let ctx = &mut session;
        let Some((facts, path)) = arg.and_then(|a| a.split_once(' ')) else {
            return Err(CommandError::MissingArgument);
        };
        let path = path.trim_start();
        if path.is_empty() {
            return Err(CommandError::MissingArgument);
        }
        let mut changes = Vec::new();
        for fact in facts.split(';').filter(|f| !f.is_empty()) {
            match parse_fact(fact) {
                Some(c) => changes.push(c),
                None => {
                    return Err(CommandError::bad_argument(
                        codes::NOT_IMPLEMENTED_FOR_PARAMETER,
                        format!("Cannot modify fact '{fact}'"),
                    ));
                }
            }
        }
        let target = user.resolve(path);
        if let Err(e) = user.fs.symlink_metadata(&target).await {
            return Err(CommandError::storage(path, e));
        }
        for change in changes {
            let done = match change {
                Change::Modify(secs) => user.fs.set_times(&target, None, secs).await,
                Change::Group(gid) => user.fs.set_owner(&target, None, Some(gid)).await,
                Change::Mode(mode) => user.fs.set_mode(&target, mode).await,
            };
            if let Err(e) = done {
                return Err(CommandError::attributes(path, e));
            }
        }
        Ok(ctx
            .reply(codes::FILE_STATUS, format!("{facts} {path}"))
            .await?)
    })
}
