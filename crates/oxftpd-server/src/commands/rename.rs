//! RNFR and RNTO: RFC 959 section 4.1.3.
//!
//! RFC 959: "RENAME FROM (RNFR) … specifies the old pathname of the file which is to be
//! renamed. This command must be immediately followed by a 'rename to' command".

use crate::errors::fs_reply;
use crate::module::HandlerFuture;
use crate::session::{Ctx, LoggedIn};

/// `RNFR path`: `350` when the path exists.
pub fn rnfr<'a>(
    ctx: &'a mut Ctx,
    user: &'a mut LoggedIn,
    arg: Option<&'a str>,
) -> HandlerFuture<'a> {
    Box::pin(async move {
        user.rename_from = None;
        let Some(arg) = arg else {
            return super::missing_argument(ctx).await;
        };
        let source = user.resolve(arg);
        match user.fs.symlink_metadata(&source).await {
            Ok(_) => {
                user.rename_from = Some(source);
                ctx.reply(350, "File or directory exists, ready for destination name")
                    .await
            }
            Err(e) => ctx.send(&fs_reply(550, arg, &e)).await,
        }
    })
}

/// `RNTO path`: `250 Rename successful`; `503` without a preceding RNFR.
pub fn rnto<'a>(
    ctx: &'a mut Ctx,
    user: &'a mut LoggedIn,
    arg: Option<&'a str>,
) -> HandlerFuture<'a> {
    Box::pin(async move {
        let Some(arg) = arg else {
            return super::missing_argument(ctx).await;
        };
        let Some(source) = user.rename_from.take() else {
            return ctx.reply(503, "Bad sequence of commands").await;
        };
        let target = user.resolve(arg);
        if !super::transfer::allow_overwrite(ctx, user, &target) {
            match super::files::exists(user, &target).await {
                Ok(true) => {
                    return ctx
                        .reply(550, format!("{arg}: Rename permission denied"))
                        .await;
                }
                Ok(false) => {}
                Err(e) => return ctx.send(&fs_reply(550, arg, &e)).await,
            }
        }
        match user.fs.rename(&source, &target).await {
            Ok(()) => ctx.reply(250, "Rename successful").await,
            Err(e) => ctx.send(&fs_reply(550, arg, &e)).await,
        }
    })
}
