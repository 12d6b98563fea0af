//! LIST and NLST: RFC 959 section 4.1.3, in ProFTPD's mod_ls form.
//!
//! RFC 959: "LIST … causes a list to be sent from the server to the passive DTP. If the
//! pathname specifies a directory or other group of files, the server should transfer a list
//! of files in the specified directory." Entries stream in batches: a directory of a million
//! entries never sits in memory.

use std::collections::HashMap;
use std::sync::Arc;

use oxftpd_proto::listing::{Facts, ListClock, write_list_line};
use oxftpd_storage::{DirEntry, Kind, Metadata, StorageError};

use crate::errors::{fs_reply, io_text};
use crate::module::HandlerFuture;
use crate::session::{Ctx, LoggedIn, SessionResult};
use crate::transfer_io;

/// Flush the listing buffer to the data connection at this size.
const FLUSH_AT: usize = 32 * 1024;

/// `ls`-style options given before the path (`LIST -la dir`).
#[derive(Default, Clone, Copy)]
struct Options {
    all: bool,
}

fn split_options(arg: Option<&str>) -> (Options, Option<&str>) {
    let mut opts = Options::default();
    let Some(mut rest) = arg.map(str::trim_start) else {
        return (opts, None);
    };
    while let Some(stripped) = rest.strip_prefix('-') {
        let (word, tail) = stripped.split_once(' ').unwrap_or((stripped, ""));
        if word.is_empty() {
            break;
        }
        if word.contains('a') || word.contains('A') {
            opts.all = true;
        }
        rest = tail.trim_start();
    }
    (opts, (!rest.is_empty()).then_some(rest))
}

/// Names for uids and gids, cached for the length of one listing.
struct Names<'a> {
    ctx: &'a Ctx,
    users: HashMap<u32, Option<Arc<str>>>,
    groups: HashMap<u32, Option<Arc<str>>>,
}

impl<'a> Names<'a> {
    fn new(ctx: &'a Ctx) -> Self {
        Names {
            ctx,
            users: HashMap::new(),
            groups: HashMap::new(),
        }
    }

    fn user(&mut self, uid: u32) -> Option<&str> {
        let auth = &self.ctx.server.auth;
        self.users
            .entry(uid)
            .or_insert_with(|| auth.user_name(uid))
            .as_deref()
    }

    fn group(&mut self, gid: u32) -> Option<&str> {
        let auth = &self.ctx.server.auth;
        self.groups
            .entry(gid)
            .or_insert_with(|| auth.group_name(gid))
            .as_deref()
    }
}

fn clock(ctx: &Ctx) -> ListClock {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let gmt = ctx
        .server
        .config()
        .directive("TimesGMT")
        .is_none_or(|d| d.flag());
    let utc_offset = if gmt {
        0
    } else {
        crate::localtime::utc_offset(now)
    };
    ListClock { now, utc_offset }
}

fn write_entry(
    names: &mut Names<'_>,
    name: &str,
    meta: &Metadata,
    link: Option<&str>,
    clock: &ListClock,
    out: &mut Vec<u8>,
) {
    let owner = names.user(meta.uid).map(str::to_owned);
    let group = names.group(meta.gid).map(str::to_owned);
    let facts = Facts {
        name,
        kind: match meta.kind {
            Kind::File => oxftpd_proto::listing::Kind::File,
            Kind::Dir => oxftpd_proto::listing::Kind::Dir,
            Kind::Symlink => oxftpd_proto::listing::Kind::Symlink,
            Kind::Other => oxftpd_proto::listing::Kind::Other('?'),
        },
        mode: meta.mode,
        nlink: meta.nlink,
        uid: meta.uid,
        gid: meta.gid,
        owner: owner.as_deref(),
        group: group.as_deref(),
        size: meta.size,
        mtime: meta.mtime,
        link_target: link,
        dev: meta.dev,
        ino: meta.ino,
    };
    write_list_line(&facts, clock, out);
}

/// `LIST [options] [path]`.
pub fn list<'a>(
    ctx: &'a mut Ctx,
    user: &'a mut LoggedIn,
    arg: Option<&'a str>,
) -> HandlerFuture<'a> {
    Box::pin(async move { listing(ctx, user, arg, false).await })
}

/// `NLST [path]`: names only.
pub fn nlst<'a>(
    ctx: &'a mut Ctx,
    user: &'a mut LoggedIn,
    arg: Option<&'a str>,
) -> HandlerFuture<'a> {
    Box::pin(async move { listing(ctx, user, arg, true).await })
}

async fn listing(
    ctx: &mut Ctx,
    user: &mut LoggedIn,
    arg: Option<&str>,
    names_only: bool,
) -> SessionResult {
    let (opts, path_arg) = split_options(arg);
    let shown = path_arg.unwrap_or(".");
    let vpath = user.resolve(shown);
    let meta = user.fs.metadata(&vpath).await;
    if names_only && let Err(e) = &meta {
        return ctx.send(&fs_reply(450, shown, e)).await;
    }
    let mut stream = match super::transfer::open_data(ctx).await {
        Ok(s) => s,
        Err(done) => return done,
    };
    let mode = match ctx.transfer_type {
        crate::session::TransferType::Ascii => "ASCII",
        crate::session::TransferType::Binary => "BINARY",
    };
    ctx.reply(
        150,
        format!("Opening {mode} mode data connection for file list"),
    )
    .await?;
    let meta = match meta {
        Ok(m) => m,
        Err(e) => {
            transfer_io::finish(stream).await;
            return ctx.send(&fs_reply(450, shown, &e)).await;
        }
    };
    let stall = ctx.server.settings.timeouts.stalled;
    let clock = clock(ctx);
    let mut out = Vec::with_capacity(FLUSH_AT + 512);
    let result: Result<(), ListError> = async {
        if meta.kind != Kind::Dir {
            let name = path_arg.unwrap_or(".");
            if names_only {
                out.extend_from_slice(name.as_bytes());
                out.extend_from_slice(b"\r\n");
            } else {
                let mut names = Names::new(ctx);
                write_entry(&mut names, name, &meta, None, &clock, &mut out);
            }
            return Ok(());
        }
        let mut names = Names::new(ctx);
        let mut dir = user.fs.read_dir(&vpath).await?;
        if opts.all && !names_only {
            for dot in [".", ".."] {
                let m = user.fs.metadata(&user.resolve_from(&vpath, dot)).await?;
                write_entry(&mut names, dot, &m, None, &clock, &mut out);
            }
        }
        let mut batch: Vec<DirEntry> = Vec::new();
        loop {
            batch.clear();
            let more = dir.next_batch(&mut batch).await?;
            for entry in &batch {
                if entry.name.starts_with('.') && !opts.all {
                    continue;
                }
                let Some(meta) = &entry.meta else { continue };
                if crate::hiding::hide_entry(ctx, user, &vpath, &entry.name, meta) {
                    continue;
                }
                if names_only {
                    if path_arg.is_some() {
                        out.extend_from_slice(
                            format!("{}/{}", shown.trim_end_matches('/'), entry.name).as_bytes(),
                        );
                    } else {
                        out.extend_from_slice(entry.name.as_bytes());
                    }
                    out.extend_from_slice(b"\r\n");
                } else {
                    let link = if meta.kind == Kind::Symlink {
                        user.fs
                            .read_link(&user.resolve_from(&vpath, &entry.name))
                            .await
                            .ok()
                    } else {
                        None
                    };
                    write_entry(
                        &mut names,
                        &entry.name,
                        meta,
                        link.as_deref(),
                        &clock,
                        &mut out,
                    );
                }
                if out.len() >= FLUSH_AT {
                    transfer_io::write_chunk(&mut stream, &out, stall).await?;
                    out.clear();
                }
            }
            if !more {
                return Ok(());
            }
        }
    }
    .await;
    let result = match result {
        Ok(()) if !out.is_empty() => transfer_io::write_chunk(&mut stream, &out, stall)
            .await
            .map_err(ListError::Io),
        other => other,
    };
    match result {
        Ok(()) => {
            transfer_io::finish(stream).await;
            ctx.reply(226, "Transfer complete").await
        }
        Err(ListError::Storage(e)) => {
            transfer_io::finish(stream).await;
            ctx.send(&fs_reply(450, shown, &e)).await
        }
        Err(ListError::Io(e)) => {
            ctx.reply(426, format!("Transfer aborted. {}", io_text(&e)))
                .await
        }
    }
}

enum ListError {
    Storage(StorageError),
    Io(std::io::Error),
}

impl From<StorageError> for ListError {
    fn from(e: StorageError) -> Self {
        ListError::Storage(e)
    }
}

impl From<std::io::Error> for ListError {
    fn from(e: std::io::Error) -> Self {
        ListError::Io(e)
    }
}
