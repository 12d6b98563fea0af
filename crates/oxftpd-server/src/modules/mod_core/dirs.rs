//! PWD, CWD, CDUP, MKD, RMD and their X variants: RFC 959 sections 4.1.1 and 4.1.3,
//! RFC 775 (XPWD, XCWD, XCUP, XMKD, XRMD).
//!
//! RFC 959 appendix II: "257 <SP> "<directory-name>" <SP> <commentary>", with embedded
//! double quotes doubled.

use oxftpd_proto::reply::{Reply, codes, quote_path};

use crate::module::{CommandError, CommandResult, HandlerCtx, HandlerFuture, Session};
use crate::session::LoggedIn;

/// `PWD`/`XPWD`.
pub fn pwd<'a>(mut hx: HandlerCtx<'a>, _arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        let text = format!("{} is the current directory", quote_path(&hx.user.cwd));
        Ok(hx.session.reply(codes::PATHNAME_CREATED, text).await?)
    })
}

/// `CWD path`.
pub fn cwd<'a>(hx: HandlerCtx<'a>, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(cwd_as(hx, arg, "CWD"))
}

/// `XCWD path` (RFC 775): CWD, answered in its own name as ProFTPD does.
pub fn xcwd<'a>(hx: HandlerCtx<'a>, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(cwd_as(hx, arg, "XCWD"))
}

async fn cwd_as(mut hx: HandlerCtx<'_>, arg: Option<&str>, verb: &str) -> CommandResult {
    let Some(arg) = arg else {
        return Err(CommandError::MissingArgument);
    };
    change_dir(&mut hx.session, hx.user, arg, verb).await
}

/// `CDUP`.
pub fn cdup<'a>(mut hx: HandlerCtx<'a>, _arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move { change_dir(&mut hx.session, hx.user, "..", "CDUP").await })
}

/// `XCUP` (RFC 775).
pub fn xcup<'a>(mut hx: HandlerCtx<'a>, _arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move { change_dir(&mut hx.session, hx.user, "..", "XCUP").await })
}

async fn change_dir(
    ctx: &mut Session<'_>,
    user: &mut LoggedIn,
    arg: &str,
    verb: &str,
) -> CommandResult {
    let target = user.resolve(arg);
    // Entering needs search permission on the directory, as the kernel's chdir does.
    let entered = match user.fs.metadata(&target).await {
        Ok(meta) if meta.kind == oxftpd_storage::Kind::Dir => {
            user.fs.is_dir(&target).await.map(|_| meta)
        }
        other => other,
    };
    match entered {
        Ok(meta) if meta.kind == oxftpd_storage::Kind::Dir => {
            let mut lines =
                crate::modules::mod_core::display_chdir::lines(ctx, user, &target).await;
            user.cwd = target;
            lines.push(format!("{verb} command successful"));
            Ok(ctx
                .send(&crate::messages::multi(codes::FILE_ACTION_OK, lines))
                .await?)
        }
        Ok(_) => Err(CommandError::storage(
            arg,
            oxftpd_storage::StorageError::NotADirectory,
        )),
        Err(e) => Err(CommandError::storage(arg, e)),
    }
}

/// `MKD path`/`XMKD path`.
pub fn mkd<'a>(mut hx: HandlerCtx<'a>, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        let Some(arg) = arg else {
            return Err(CommandError::MissingArgument);
        };
        // The new directory's own `Umask` (a `<Directory>` matching its path), as mod_core
        // looks it up for the path being made; else the session's.
        let made = match hx.cfg.core.umask {
            Some((_, dir_umask)) => hx.user.fs.mkdir_masked(&hx.target, dir_umask).await,
            None => hx.user.fs.mkdir(&hx.target).await,
        };
        match made {
            Ok(()) => Ok(hx
                .session
                .send(&Reply::new(
                    codes::PATHNAME_CREATED,
                    format!(
                        "{} - Directory successfully created",
                        quote_path(&hx.target)
                    ),
                ))
                .await?),
            Err(e) => Err(CommandError::storage(arg, e)),
        }
    })
}

/// `RMD path`.
pub fn rmd<'a>(hx: HandlerCtx<'a>, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(rmd_as(hx, arg, "RMD"))
}

/// `XRMD path` (RFC 775), answered in its own name.
pub fn xrmd<'a>(hx: HandlerCtx<'a>, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(rmd_as(hx, arg, "XRMD"))
}

async fn rmd_as(mut hx: HandlerCtx<'_>, arg: Option<&str>, verb: &str) -> CommandResult {
    let Some(arg) = arg else {
        return Err(CommandError::MissingArgument);
    };
    match hx.user.fs.rmdir(&hx.target).await {
        Ok(()) => Ok(hx
            .session
            .reply(codes::FILE_ACTION_OK, format!("{verb} command successful"))
            .await?),
        Err(e) => Err(CommandError::storage(arg, e)),
    }
}
