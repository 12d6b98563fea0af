//! mod_copy.c's SITE subcommands: CPFR, CPTO, COPY.

use std::future::Future;
use std::pin::Pin;

use oxftpd_proto::reply::codes;
use oxftpd_storage::{Kind, StorageError, WriteMode};

use crate::module::{CommandError, HandlerCtx, HandlerFuture};
use crate::session::{Ctx, LoggedIn};

/// How deep a directory copy descends.
const MAX_DEPTH: usize = 64;

/// `SITE CPFR path`: remembers the source.
pub fn cpfr<'a>(hx: HandlerCtx<'a>, _arg: &'a str, rest: &'a str) -> HandlerFuture<'a> {
    Box::pin(async move {
        let HandlerCtx {
            user, mut session, ..
        } = hx;
        let ctx = &mut session;
        ctx.ext_mut().get_or_default::<CopyFrom>().0 = None;
        crate::module::helpers::site_arg("CPFR", rest)?;
        let source = user.resolve(rest);
        match user.fs.metadata(&source).await {
            Ok(_) => {
                ctx.ext_mut().get_or_default::<CopyFrom>().0 = Some(source);
                Ok(ctx
                    .reply(
                        codes::PENDING_FURTHER_INFO,
                        "File or directory exists, ready for destination name",
                    )
                    .await?)
            }
            Err(e) => Err(CommandError::storage(source, e)),
        }
    })
}

/// `SITE CPTO path`: copies the remembered source there.
pub fn cpto<'a>(hx: HandlerCtx<'a>, _arg: &'a str, rest: &'a str) -> HandlerFuture<'a> {
    Box::pin(async move {
        let HandlerCtx {
            user, mut session, ..
        } = hx;
        let ctx = &mut session;
        crate::module::helpers::site_arg("CPTO", rest)?;
        let Some(source) = ctx.ext_mut().get_or_default::<CopyFrom>().0.take() else {
            return Err(CommandError::BadSequence("Bad sequence of commands".into()));
        };
        let target = user.resolve(rest);
        match copy_path(ctx, user, &source, &target).await {
            Ok(()) => Ok(ctx.reply(codes::FILE_ACTION_OK, "Copy successful").await?),
            Err(e) => Err(CommandError::storage("CPTO", e)),
        }
    })
}

/// `SITE COPY source destination`.
pub fn copy<'a>(hx: HandlerCtx<'a>, _arg: &'a str, rest: &'a str) -> HandlerFuture<'a> {
    Box::pin(async move {
        let HandlerCtx {
            user, mut session, ..
        } = hx;
        let ctx = &mut session;
        let (src, dst) = crate::module::helpers::two_paths("COPY", rest)?;
        let (source, target) = (user.resolve(src), user.resolve(dst));
        match copy_path(ctx, user, &source, &target).await {
            Ok(()) => Ok(ctx
                .reply(codes::COMMAND_OK, "SITE COPY command successful")
                .await?),
            Err(e) => Err(CommandError::storage("COPY", e)),
        }
    })
}

/// Copies a file or a directory tree; an existing target file is replaced only with `AllowOverwrite`.
async fn copy_path(
    ctx: &Ctx,
    user: &LoggedIn,
    source: &str,
    target: &str,
) -> Result<(), StorageError> {
    if source == target {
        return Err(StorageError::AlreadyExists);
    }
    if !crate::modules::mod_xfer::transfer::allow_overwrite(ctx, user, target)
        && crate::modules::mod_core::files::exists(user, target).await?
    {
        return Err(StorageError::AlreadyExists);
    }
    copy_tree(user, source.to_string(), target.to_string(), 0).await
}

fn copy_tree<'a>(
    user: &'a LoggedIn,
    source: String,
    target: String,
    depth: usize,
) -> Pin<Box<dyn Future<Output = Result<(), StorageError>> + Send + 'a>> {
    Box::pin(async move {
        if depth > MAX_DEPTH {
            return Err(StorageError::TooManyLinks);
        }
        let meta = user.fs.metadata(&source).await?;
        if meta.kind != Kind::Dir {
            return copy_file(user, &source, &target).await;
        }
        match user.fs.mkdir(&target).await {
            Ok(()) | Err(StorageError::AlreadyExists) => {}
            Err(e) => return Err(e),
        }
        let mut reader = user.fs.read_dir(&source).await?;
        let mut batch = Vec::new();
        loop {
            batch.clear();
            let more = reader.next_batch(&mut batch).await?;
            for entry in &batch {
                let from = user.resolve_from(&source, &entry.name);
                let to = user.resolve_from(&target, &entry.name);
                copy_tree(user, from, to, depth + 1).await?;
            }
            if !more {
                return Ok(());
            }
        }
    })
}

async fn copy_file(user: &LoggedIn, source: &str, target: &str) -> Result<(), StorageError> {
    let (input, _) = user.fs.open_read(source, 0).await?;
    let output = user.fs.open_write(target, WriteMode::Truncate).await?;
    // The copy runs on the session's filesystem pool (threads of the runtime's blocking
    // pool may not switch identity).
    let copied = user
        .fs
        .pool()
        .run(user.fs.credentials(), move || {
            let (mut input, mut output) = (input, output);
            std::io::copy(&mut input, &mut output)
        })
        .await?;
    copied.map(|_| ()).map_err(StorageError::from)
}

/// The source named by `SITE CPFR`, as a virtual path, until `SITE CPTO`.
#[derive(Default)]
struct CopyFrom(Option<String>);
