//! DELE (RFC 959 section 4.1.3) and SIZE (RFC 3659 section 4).
//!
//! RFC 3659 4.2: "The FTP command SIZE OF FILE (SIZE) is used to obtain the transfer size of a
//! file" — ProFTPD refuses it in ASCII mode, where the transfer size is not the file size.

use oxftpd_proto::reply::codes;
use oxftpd_storage::{Kind, StorageError};

use crate::module::{CommandError, HandlerCtx, HandlerFuture};
use crate::session::{LoggedIn, TransferType};

/// `DELE path`.
pub fn dele<'a>(mut hx: HandlerCtx<'a>, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        let Some(arg) = arg else {
            return Err(CommandError::MissingArgument);
        };
        match hx.user.fs.remove_file(&hx.target).await {
            Ok(()) => Ok(hx
                .session
                .reply(codes::FILE_ACTION_OK, "DELE command successful")
                .await?),
            Err(e) => Err(CommandError::storage(arg, e)),
        }
    })
}

/// `SIZE path`: `213 bytes`, refused in ASCII mode.
pub fn size<'a>(mut hx: HandlerCtx<'a>, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        let Some(arg) = arg else {
            return Err(CommandError::MissingArgument);
        };
        if hx.session.transfer_type == TransferType::Ascii {
            return Err(CommandError::refused(
                codes::FILE_UNAVAILABLE,
                "SIZE not allowed in ASCII mode",
            ));
        }
        match hx.user.fs.metadata(&hx.target).await {
            Ok(meta) if meta.kind == Kind::File => Ok(hx
                .session
                .reply(codes::FILE_STATUS, meta.size.to_string())
                .await?),
            Ok(_) => Err(CommandError::NotAFile { path: arg.into() }),
            Err(e) => Err(CommandError::storage(arg, e)),
        }
    })
}

/// Whether a path exists, for overwrite checks.
pub async fn exists(user: &LoggedIn, vpath: &str) -> Result<bool, StorageError> {
    match user.fs.symlink_metadata(vpath).await {
        Ok(_) => Ok(true),
        Err(StorageError::NotFound) => Ok(false),
        Err(e) => Err(e),
    }
}
