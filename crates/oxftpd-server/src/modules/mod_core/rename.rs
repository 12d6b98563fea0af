//! RNFR and RNTO: RFC 959 section 4.1.3.
//!
//! RFC 959: "RENAME FROM (RNFR) … specifies the old pathname of the file which is to be
//! renamed. This command must be immediately followed by a 'rename to' command".

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
        crate::module::helpers::with_path(ctx, user, arg, async |ctx, user, arg, source| match user
            .fs
            .symlink_metadata(&source)
            .await
        {
            Ok(_) => {
                user.rename_from = Some(source);
                ctx.reply(350, "File or directory exists, ready for destination name")
                    .await
            }
            Err(e) => crate::module::helpers::fs_failed(ctx, arg, &e).await,
        })
        .await
    })
}

/// `RNTO path`: `250 Rename successful`; `503` without a preceding RNFR.
pub fn rnto<'a>(
    ctx: &'a mut Ctx,
    user: &'a mut LoggedIn,
    arg: Option<&'a str>,
) -> HandlerFuture<'a> {
    Box::pin(crate::module::helpers::with_path(
        ctx,
        user,
        arg,
        async |ctx, user, arg, target| {
            let Some(source) = user.rename_from.take() else {
                return ctx.reply(503, "Bad sequence of commands").await;
            };
            if !crate::modules::mod_xfer::transfer::allow_overwrite(ctx, user, &target) {
                match crate::modules::mod_core::files::exists(user, &target).await {
                    Ok(true) => {
                        return ctx
                            .reply(550, format!("{arg}: Rename permission denied"))
                            .await;
                    }
                    Ok(false) => {}
                    Err(e) => return crate::module::helpers::fs_failed(ctx, arg, &e).await,
                }
            }
            match user.fs.rename(&source, &target).await {
                Ok(()) => ctx.reply(250, "Rename successful").await,
                Err(e) => crate::module::helpers::fs_failed(ctx, arg, &e).await,
            }
        },
    ))
}
