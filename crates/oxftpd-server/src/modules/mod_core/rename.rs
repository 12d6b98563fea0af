//! RNFR and RNTO: RFC 959 section 4.1.3.
//!
//! RFC 959: "RENAME FROM (RNFR) … specifies the old pathname of the file which is to be
//! renamed. This command must be immediately followed by a 'rename to' command".

use oxftpd_proto::reply::codes;

use crate::module::{CommandError, HandlerCtx, HandlerFuture};

/// `RNFR path`: `350` when the path exists.
pub fn rnfr<'a>(hx: HandlerCtx<'a>, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        let HandlerCtx {
            user, mut session, ..
        } = hx;
        let ctx = &mut session;
        user.rename_from = None;
        let Some(arg) = arg else {
            return Err(CommandError::MissingArgument);
        };
        let source = user.resolve(arg);
        match user.fs.symlink_metadata(&source).await {
            Ok(_) => {
                user.rename_from = Some(source);
                Ok(ctx
                    .reply(
                        codes::PENDING_FURTHER_INFO,
                        "File or directory exists, ready for destination name",
                    )
                    .await?)
            }
            Err(e) => Err(CommandError::storage(arg, e)),
        }
    })
}

/// `RNTO path`: `250 Rename successful`; `503` without a preceding RNFR.
pub fn rnto<'a>(hx: HandlerCtx<'a>, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        let HandlerCtx {
            user, mut session, ..
        } = hx;
        let ctx = &mut session;
        let Some(arg) = arg else {
            return Err(CommandError::MissingArgument);
        };
        let target = user.resolve(arg);
        let Some(source) = user.rename_from.take() else {
            return Err(CommandError::BadSequence("Bad sequence of commands".into()));
        };
        if !crate::modules::mod_xfer::transfer::allow_overwrite(ctx, user, &target) {
            match crate::modules::mod_core::files::exists(user, &target).await {
                Ok(true) => {
                    return Err(CommandError::refused(
                        codes::FILE_UNAVAILABLE,
                        format!("{arg}: Rename permission denied"),
                    ));
                }
                Ok(false) => {}
                Err(e) => return Err(CommandError::storage(arg, e)),
            }
        }
        match user.fs.rename(&source, &target).await {
            Ok(()) => Ok(ctx
                .reply(codes::FILE_ACTION_OK, "Rename successful")
                .await?),
            Err(e) => Err(CommandError::storage(arg, e)),
        }
    })
}
