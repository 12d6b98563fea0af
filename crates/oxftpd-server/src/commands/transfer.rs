//! RETR and STOR: RFC 959 section 4.1.3.
//!
//! RFC 959: "RETRIEVE (RETR) … causes the server-DTP to transfer a copy of the file, specified
//! in the pathname, to the server- or user-DTP at the other end of the data connection";
//! "STORE (STOR) … If the file specified in the pathname exists at the server site, then its
//! contents shall be replaced by the data being transferred."
//!
//! A STOR that replaces an existing file writes a hidden temporary file beside it and renames
//! it over the original only when the upload completed, so a failed upload never leaves a
//! truncated file where a complete one stood.

use oxftpd_proto::reply::Reply;
use oxftpd_storage::{StorageError, WriteMode};
use tracing::{info, warn};

use crate::data_channel;
use crate::errors::{data_reply, fs_reply, io_text};
use crate::module::HandlerFuture;
use crate::session::{Ctx, LoggedIn, SessionResult, TransferType};
use crate::transfer_io;

fn mode_name(ctx: &Ctx) -> &'static str {
    match ctx.transfer_type {
        TransferType::Ascii => "ASCII",
        TransferType::Binary => "BINARY",
    }
}

/// Opens the prepared data connection, replying 425 on failure.
pub async fn open_data(ctx: &mut Ctx) -> Result<tokio::net::TcpStream, SessionResult> {
    let setup = std::mem::take(&mut ctx.data);
    match data_channel::open(setup, ctx.local, ctx.peer).await {
        Ok(stream) => Ok(stream),
        Err(e) => Err(ctx.send(&data_reply(&e)).await),
    }
}

/// Whether `AllowOverwrite` is on for a path (per directory, with `<IfUser>` & co applied).
pub fn allow_overwrite(ctx: &Ctx, user: &LoggedIn, vpath: &str) -> bool {
    crate::ifsession::path_scope(ctx, user, vpath)
        .directive("AllowOverwrite")
        .is_some_and(|d| d.flag())
}

/// `MaxStoreFileSize`/`MaxRetrieveFileSize` for a path; `None` is unlimited.
pub fn size_limit(ctx: &Ctx, user: &LoggedIn, vpath: &str, name: &str) -> Option<u64> {
    let scope = crate::ifsession::path_scope(ctx, user, vpath);
    let who = crate::xfer_limits::Who {
        user: &user.login_name,
        groups: &user.identity.group_names,
        class: ctx.class.as_deref(),
    };
    crate::xfer_limits::max_bytes(&scope, name, &who)
}

/// `RETR path`.
pub fn retr<'a>(
    ctx: &'a mut Ctx,
    user: &'a mut LoggedIn,
    arg: Option<&'a str>,
) -> HandlerFuture<'a> {
    Box::pin(async move {
        let Some(arg) = arg else {
            return super::missing_argument(ctx).await;
        };
        let vpath = user.resolve(arg);
        let offset = std::mem::take(&mut ctx.restart);
        let (file, meta) = match user.fs.open_read(&vpath, offset).await {
            Ok(r) => r,
            Err(StorageError::IsADirectory) => {
                return ctx.reply(550, format!("{arg}: Not a regular file")).await;
            }
            Err(e) => return ctx.send(&fs_reply(550, arg, &e)).await,
        };
        let mut stream = match open_data(ctx).await {
            Ok(s) => s,
            Err(done) => return done,
        };
        let size = meta.size.saturating_sub(offset);
        ctx.reply(
            150,
            format!(
                "Opening {} mode data connection for {arg} ({size} bytes)",
                mode_name(ctx)
            ),
        )
        .await?;
        // ProFTPD opens the data connection, then aborts an over-size download.
        if size_limit(ctx, user, &vpath, "MaxRetrieveFileSize").is_some_and(|max| meta.size > max) {
            info!(peer = %ctx.peer, user = %user.login_name, path = %vpath, "MaxRetrieveFileSize exceeded: aborting RETR");
            drop(stream);
            return ctx
                .reply(426, "Transfer aborted. Operation not permitted")
                .await;
        }
        let stall = ctx.server.settings.timeouts.stalled;
        let result = match ctx.transfer_type {
            TransferType::Binary => transfer_io::send_binary(&stream, &file, offset, stall).await,
            TransferType::Ascii => transfer_io::send_ascii(&mut stream, file, stall).await,
        };
        match result {
            Ok(n) => {
                transfer_io::finish(stream).await;
                info!(peer = %ctx.peer, user = %user.login_name, path = %vpath, bytes = n, "RETR complete");
                ctx.reply(226, "Transfer complete").await
            }
            Err(e) => {
                warn!(peer = %ctx.peer, user = %user.login_name, path = %vpath, "RETR failed: {e}");
                ctx.reply(426, format!("Transfer aborted. {}", io_text(&e)))
                    .await
            }
        }
    })
}

/// `STOR path`.
pub fn stor<'a>(
    ctx: &'a mut Ctx,
    user: &'a mut LoggedIn,
    arg: Option<&'a str>,
) -> HandlerFuture<'a> {
    Box::pin(async move {
        let Some(arg) = arg else {
            return super::missing_argument(ctx).await;
        };
        let vpath = user.resolve(arg);
        ctx.restart = 0;
        let existing = match super::files::exists(user, &vpath).await {
            Ok(e) => e,
            Err(e) => return ctx.send(&fs_reply(550, arg, &e)).await,
        };
        if existing && !allow_overwrite(ctx, user, &vpath) {
            return ctx
                .reply(550, format!("{arg}: Overwrite permission denied"))
                .await;
        }
        // Replacing: write beside it under a hidden name; creating: write in place (resumable).
        let (write_path, mut file) = if existing {
            let dir = oxftpd_proto::path::parent(&vpath);
            let name = oxftpd_proto::path::file_name(&vpath);
            match user.fs.create_unique(dir, &format!(".in.{name}.")).await {
                Ok(r) => r,
                Err(e) => return ctx.send(&fs_reply(550, arg, &e)).await,
            }
        } else {
            match user.fs.open_write(&vpath, WriteMode::Truncate).await {
                Ok(f) => (vpath.clone(), f),
                Err(e) => return ctx.send(&fs_reply(550, arg, &e)).await,
            }
        };
        let mut stream = match open_data(ctx).await {
            Ok(s) => s,
            Err(done) => {
                if existing {
                    let _ = user.fs.remove_file(&write_path).await;
                }
                return done;
            }
        };
        ctx.reply(
            150,
            format!("Opening {} mode data connection for {arg}", mode_name(ctx)),
        )
        .await?;
        let stall = ctx.server.settings.timeouts.stalled;
        let ascii = ctx.transfer_type == TransferType::Ascii;
        let limit = size_limit(ctx, user, &vpath, "MaxStoreFileSize");
        let result =
            transfer_io::receive_at_most(&mut stream, &mut file, ascii, stall, limit).await;
        drop(file);
        if let Err(e) = &result
            && e.kind() == std::io::ErrorKind::FileTooLarge
        {
            info!(peer = %ctx.peer, user = %user.login_name, path = %vpath, "MaxStoreFileSize ({} bytes) reached: aborting transfer", limit.unwrap_or(0));
            let _ = user.fs.remove_file(&write_path).await;
            drop(stream);
            return ctx.reply(552, "Transfer aborted. File too large").await;
        }
        match result {
            Ok(n) => {
                if existing && let Err(e) = user.fs.rename(&write_path, &vpath).await {
                    let _ = user.fs.remove_file(&write_path).await;
                    return ctx.send(&fs_reply(550, arg, &e)).await;
                }
                info!(peer = %ctx.peer, user = %user.login_name, path = %vpath, bytes = n, "STOR complete");
                ctx.reply(226, "Transfer complete").await
            }
            Err(e) => {
                warn!(peer = %ctx.peer, user = %user.login_name, path = %vpath, "STOR failed: {e}");
                if existing {
                    let _ = user.fs.remove_file(&write_path).await;
                }
                ctx.send(&Reply::new(
                    426,
                    format!("Transfer aborted. {}", io_text(&e)),
                ))
                .await
            }
        }
    })
}
