//! mod_site_misc.c's SITE subcommands: UTIME, MKDIR, RMDIR, SYMLINK.

use std::future::Future;
use std::pin::Pin;

use oxftpd_proto::reply::codes;
use oxftpd_storage::{Kind, StorageError};

use crate::module::{CommandError, HandlerCtx, HandlerFuture};
use crate::session::LoggedIn;

/// How deep SITE RMDIR descends.
const MAX_DEPTH: usize = 64;

/// `YYYYMMDDhhmm[ss]` as UTC seconds.
fn utime_stamp(s: &str) -> Option<i64> {
    let full = match s.len() {
        12 => format!("{s}00"),
        14 => s.to_string(),
        _ => return None,
    };
    oxftpd_proto::time::parse_timestamp(&full)
        .ok()
        .map(|t| t.secs)
}

/// The times and path of `SITE UTIME`'s two forms: `mtime path` and
/// `atime mtime ctime path UTC` (atime, mtime as UTC seconds; words joined by one blank).
pub fn utime_args(rest: &str) -> Option<(Option<i64>, i64, String)> {
    let words: Vec<&str> = rest.split(' ').filter(|w| !w.is_empty()).collect();
    // Two forms: `UTIME mtime path` and `UTIME atime mtime ctime path UTC`.
    match words.as_slice() {
        [atime, mtime, _ctime, path @ .., utc]
            if utc.eq_ignore_ascii_case("UTC") && !path.is_empty() =>
        {
            utime_stamp(atime)
                .zip(utime_stamp(mtime))
                .map(|(a, m)| (Some(a), m, path.join(" ")))
        }
        [mtime, path @ ..] if !path.is_empty() => {
            utime_stamp(mtime).map(|m| (None, m, path.join(" ")))
        }
        _ => None,
    }
}

/// `SITE UTIME mtime path` and `SITE UTIME atime mtime ctime path UTC`.
pub fn utime<'a>(hx: HandlerCtx<'a>, _arg: &'a str, rest: &'a str) -> HandlerFuture<'a> {
    Box::pin(async move {
        let HandlerCtx {
            user, mut session, ..
        } = hx;
        let ctx = &mut session;
        crate::module::helpers::site_arg("UTIME", rest)?;
        let parsed = utime_args(rest);
        let Some((atime, mtime, path)) = parsed else {
            return Err(CommandError::bad_argument(
                codes::SYNTAX_ERROR,
                format!("UTIME {rest}: Invalid argument"),
            ));
        };
        let target = user.resolve(&path);
        if let Err(e) = user.fs.metadata(&target).await {
            return Err(CommandError::storage(format!("UTIME {rest}"), e));
        }
        match user
            .fs
            .set_times(&target, Some(atime.unwrap_or(mtime)), mtime)
            .await
        {
            Ok(()) => Ok(ctx
                .reply(codes::COMMAND_OK, "SITE UTIME command successful")
                .await?),
            Err(e) => Err(CommandError::attributes(format!("UTIME {rest}"), e)),
        }
    })
}

/// `SITE MKDIR path`: the directory and its missing parents.
pub fn mkdir<'a>(hx: HandlerCtx<'a>, _arg: &'a str, rest: &'a str) -> HandlerFuture<'a> {
    Box::pin(async move {
        let HandlerCtx {
            user, mut session, ..
        } = hx;
        let ctx = &mut session;
        crate::module::helpers::site_arg("MKDIR", rest)?;
        let target = user.resolve(rest);
        let mut so_far = String::new();
        for part in target.split('/').filter(|p| !p.is_empty()) {
            so_far.push('/');
            so_far.push_str(part);
            match user.fs.mkdir(&so_far).await {
                Ok(()) | Err(StorageError::AlreadyExists) => {}
                Err(e) => {
                    return Err(CommandError::storage(format!("MKDIR {rest}"), e));
                }
            }
        }
        Ok(ctx
            .reply(codes::COMMAND_OK, "SITE MKDIR command successful")
            .await?)
    })
}

/// Removes a directory and everything in it.
fn remove_tree<'a>(
    user: &'a LoggedIn,
    dir: String,
    depth: usize,
) -> Pin<Box<dyn Future<Output = Result<(), StorageError>> + Send + 'a>> {
    Box::pin(async move {
        if depth > MAX_DEPTH {
            return Err(StorageError::TooManyLinks);
        }
        loop {
            // Read one batch, remove it, read again: the directory shrinks as we go.
            let mut reader = user.fs.read_dir(&dir).await?;
            let mut batch = Vec::new();
            reader.next_batch(&mut batch).await?;
            drop(reader);
            if batch.is_empty() {
                break;
            }
            for entry in batch {
                let path = user.resolve_from(&dir, &entry.name);
                match entry.meta.map(|m| m.kind) {
                    Some(Kind::Dir) => remove_tree(user, path, depth + 1).await?,
                    _ => user.fs.remove_file(&path).await?,
                }
            }
        }
        user.fs.rmdir(&dir).await
    })
}

/// `SITE RMDIR path`: the directory and everything in it.
pub fn rmdir<'a>(hx: HandlerCtx<'a>, _arg: &'a str, rest: &'a str) -> HandlerFuture<'a> {
    Box::pin(async move {
        let HandlerCtx {
            user, mut session, ..
        } = hx;
        let ctx = &mut session;
        crate::module::helpers::site_arg("RMDIR", rest)?;
        let target = user.resolve(rest);
        let result = match user.fs.symlink_metadata(&target).await {
            Ok(m) if m.kind == Kind::Dir => remove_tree(user, target, 0).await,
            Ok(_) => Err(StorageError::NotADirectory),
            Err(e) => Err(e),
        };
        match result {
            Ok(()) => Ok(ctx
                .reply(codes::COMMAND_OK, "SITE RMDIR command successful")
                .await?),
            Err(e) => Err(CommandError::storage(format!("RMDIR {rest}"), e)),
        }
    })
}

/// `SITE SYMLINK source destination`.
pub fn symlink<'a>(hx: HandlerCtx<'a>, _arg: &'a str, rest: &'a str) -> HandlerFuture<'a> {
    Box::pin(async move {
        let HandlerCtx {
            user, mut session, ..
        } = hx;
        let ctx = &mut session;
        let (src, dst) = crate::module::helpers::two_paths("SYMLINK", rest)?;
        let target = user.resolve(src);
        let link = user.resolve(dst);
        match user.fs.symlink(&target, &link).await {
            Ok(()) => Ok(ctx
                .reply(codes::COMMAND_OK, "SITE SYMLINK command successful")
                .await?),
            Err(e) => Err(CommandError::storage(format!("SYMLINK {rest}"), e)),
        }
    })
}
