//! Small helpers shared by command handlers: argument checks and storage-error replies.

use oxftpd_storage::StorageError;

use crate::errors::fs_reply;
use crate::session::{Ctx, LoggedIn, SessionResult};

/// `501 Invalid number of parameters`, ProFTPD's reply to a missing argument.
pub async fn missing_argument(ctx: &mut Ctx) -> SessionResult {
    ctx.reply(501, "Invalid number of parameters").await
}

/// Runs a command on a path: `501` without an argument, else `body` with the argument as the
/// client sent it and the virtual path it names.
pub async fn with_path(
    ctx: &mut Ctx,
    user: &mut LoggedIn,
    arg: Option<&str>,
    body: impl AsyncFnOnce(&mut Ctx, &mut LoggedIn, &str, String) -> SessionResult,
) -> SessionResult {
    let Some(arg) = arg else {
        return missing_argument(ctx).await;
    };
    let target = user.resolve(arg);
    body(ctx, user, arg, target).await
}

/// `550 path: reason` (`552` when the disk is full) for a storage operation on `path` that failed.
pub async fn fs_failed(ctx: &mut Ctx, path: &str, e: &StorageError) -> SessionResult {
    ctx.send(&fs_reply(550, path, e)).await
}
