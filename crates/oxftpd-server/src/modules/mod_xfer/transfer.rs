//! RETR, STOR, APPE, STOU and ABOR: RFC 959 sections 4.1.3, with REST (RFC 3659 section 5).
//!
//! RFC 959: "RETRIEVE (RETR) … causes the server-DTP to transfer a copy of the file, specified
//! in the pathname, to the server- or user-DTP at the other end of the data connection";
//! "STORE (STOR) … If the file specified in the pathname exists at the server site, then its
//! contents shall be replaced by the data being transferred."; "APPEND (with create) (APPE)";
//! "STORE UNIQUE (STOU) … The 250 Transfer Started response must include the name generated."
//!
//! A STOR that replaces an existing file writes a hidden temporary file beside it and renames
//! it over the original only when the upload completed, so a failed upload never leaves a
//! truncated file where a complete one stood. `HiddenStores` does the same for every STOR,
//! under ProFTPD's fixed name `.in.NAME.` (held locked while the upload runs, so one a killed
//! upload left is removed at the next: oxftpd-storage's claim.rs). Replacing needs what the
//! kernel asks to write the existing file, as the user, not only the directory's write bit,
//! and the replaced file keeps its owner, group and mode (oxftpd-storage's replace.rs).
//! Restarts follow mod_xfer: `AllowRetrieveRestart` (on by default) and `AllowStoreRestart`
//! (off by default, and needed for APPE too).

use std::fs::File;

use oxftpd_storage::{Existing, Replacement, StorageError, WriteMode};
use tokio::net::TcpStream;
use tracing::{info, warn};

use crate::data::channel as data_channel;
use crate::data::transfer_io;
use crate::errors::{data_reply, fs_reply, io_text};
use crate::module::HandlerFuture;
use crate::module::events::{self, Direction, Event, Transfer};
use crate::session::watch::{Counted, Progress, Watched, watch, watch_transfer};
use crate::session::{Ctx, LoggedIn, SessionError, SessionResult, TransferType};

fn mode_name(ctx: &Ctx) -> &'static str {
    match ctx.transfer_type {
        TransferType::Ascii => "ASCII",
        TransferType::Binary => "BINARY",
    }
}

/// The client's end of a data connection.
fn peer_of(stream: &TcpStream) -> std::net::SocketAddr {
    stream
        .peer_addr()
        .unwrap_or_else(|_| std::net::SocketAddr::from(([0, 0, 0, 0], 0)))
}

/// What `STAT` reports about a transfer with the client's `data_peer`.
fn progress(
    user: &LoggedIn,
    data_peer: std::net::SocketAddr,
    passive: bool,
    what: String,
) -> Progress {
    Progress {
        what,
        login_name: user.login_name.clone(),
        data_peer,
        passive,
        bytes: std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0)),
    }
}

/// Opens the prepared data connection, replying 425 on failure.
pub async fn open_data(ctx: &mut Ctx) -> Result<TcpStream, SessionResult> {
    let setup = std::mem::take(&mut ctx.data);
    ctx.last_transfer = tokio::time::Instant::now();
    match data_channel::open(
        setup,
        ctx.local,
        ctx.peer,
        &ctx.shared,
        ctx.server.settings.root_revoke,
    )
    .await
    {
        Ok(stream) => Ok(stream),
        Err(e) => Err(ctx.send(&data_reply(&e)).await),
    }
}

/// The typed settings in force for a path (`.ftpaccess`, `<Directory>`, `<Anonymous>`, server).
pub fn cfg(ctx: &Ctx, user: &LoggedIn, vpath: &str) -> std::sync::Arc<oxftpd_config::Effective> {
    crate::access::directories::cfg_for(ctx, user, vpath)
}

/// The `MaxStoreFileSize`/`MaxRetrieveFileSize` limit of `rules` for this session; `None` is unlimited.
pub fn size_limit(ctx: &Ctx, user: &LoggedIn, rules: &[Vec<String>]) -> Option<u64> {
    let who = crate::modules::mod_xfer::limits::Who {
        user: &user.login_name,
        groups: &user.identity.group_names,
        class: ctx.class.as_deref(),
    };
    crate::modules::mod_xfer::limits::max_bytes(rules, &who)
}

/// Whether `AllowOverwrite` is on for a path.
pub fn allow_overwrite(ctx: &Ctx, user: &LoggedIn, vpath: &str) -> bool {
    cfg(ctx, user, vpath).core.allow_overwrite
}

/// Ends a transfer that failed: `421` and the session's end for a stall, else `426`.
async fn failed(ctx: &mut Ctx, e: &std::io::Error) -> SessionResult {
    if e.kind() == std::io::ErrorKind::TimedOut {
        let secs = ctx
            .server
            .settings
            .timeouts
            .stalled
            .map(|d| d.as_secs())
            .unwrap_or(0);
        ctx.reply(421, format!("Data transfer stall timeout: {secs} seconds"))
            .await?;
        return Err(SessionError::Closed);
    }
    ctx.reply(426, format!("Transfer aborted. {}", io_text(e)))
        .await
}

/// The reply to an `ABOR` that stopped a transfer: ProFTPD 1.3.8 sends the `426` alone
/// (observed; RFC 959 would add a `226`, which python's ftplib does not read).
/// RFC 959 4.1.3 (ABOR): "the server … sends a 426 reply … and then a 226 reply".
async fn aborted(ctx: &mut Ctx) -> SessionResult {
    ctx.control.queue(&oxftpd_proto::reply::Reply::new(
        426,
        "Transfer aborted. Data connection closed.",
    ));
    ctx.reply(226, "Abort successful").await
}

/// `ABOR` with no transfer running.
pub fn abor<'a>(
    ctx: &'a mut Ctx,
    _user: &'a mut LoggedIn,
    _arg: Option<&'a str>,
) -> HandlerFuture<'a> {
    Box::pin(async move {
        ctx.data = data_channel::DataSetup::None;
        ctx.restart = 0;
        ctx.reply(226, "Abort successful").await
    })
}

/// `RETR path`.
pub fn retr<'a>(
    ctx: &'a mut Ctx,
    user: &'a mut LoggedIn,
    arg: Option<&'a str>,
) -> HandlerFuture<'a> {
    Box::pin(async move {
        let Some(arg) = arg else {
            return crate::module::helpers::missing_argument(ctx).await;
        };
        let vpath = user.resolve(arg);
        let offset = std::mem::take(&mut ctx.restart);
        let cfg = cfg(ctx, user, &vpath);
        if offset > 0 && !cfg.xfer.allow_retrieve_restart {
            return ctx
                .reply(451, format!("{arg}: Restart not permitted, try again"))
                .await;
        }
        let (file, meta) = match user.fs.open_read(&vpath, 0).await {
            Ok(r) => r,
            Err(StorageError::IsADirectory | StorageError::NotRegularFile) => {
                return ctx.reply(550, format!("{arg}: Not a regular file")).await;
            }
            Err(e) => return ctx.send(&fs_reply(550, arg, &e)).await,
        };
        if offset > meta.size {
            return ctx
                .reply(554, format!("REST: invalid {arg} argument"))
                .await;
        }
        let passive = matches!(ctx.data, data_channel::DataSetup::Passive(_));
        let stream = match open_data(ctx).await {
            Ok(s) => s,
            Err(done) => return done,
        };
        let size = meta.size - offset;
        let text = if size > 0 {
            let unit = if size == 1 { "byte" } else { "bytes" };
            format!(
                "Opening {} mode data connection for {arg} ({size} {unit})",
                mode_name(ctx)
            )
        } else {
            format!("Opening {} mode data connection for {arg}", mode_name(ctx))
        };
        ctx.reply(150, text).await?;
        let data_peer = peer_of(&stream);
        let mut stream = match crate::data::stream::protect(
            ctx,
            stream,
            crate::data::stream::Flow::Send,
        )
        .await
        {
            Ok(s) => s,
            Err(done) => return done,
        };
        // ProFTPD opens the data connection, then aborts an over-size download.
        if size_limit(ctx, user, &cfg.xfer.max_retrieve_file_size)
            .is_some_and(|max| meta.size > max)
        {
            info!(peer = %ctx.peer, user = %user.login_name, path = %vpath, "MaxRetrieveFileSize exceeded: aborting RETR");
            drop(stream);
            return ctx
                .reply(426, "Transfer aborted. Operation not permitted")
                .await;
        }
        let stall = ctx.server.settings.timeouts.stalled;
        let ascii = ctx.transfer_type == TransferType::Ascii;
        let started = std::time::Instant::now();
        let mode_z = ctx.opts.mode_z;
        let report = crate::modules::mod_deflate::log::Report::for_session(ctx);
        let progress = progress(user, data_peer, passive, format!("RETR {vpath}"));
        let outcome = if mode_z.on || ascii {
            // A buffered download: the control connection is served meanwhile.
            let fut = async {
                let mut counted = Counted::new(&mut stream, &progress);
                if mode_z.on {
                    let w = crate::modules::mod_deflate::stream::DeflateWriter::new(
                        &mut counted,
                        mode_z.level,
                    )
                    .reporting(report);
                    crate::modules::mod_deflate::stream::send_file(
                        w, &user.fs, &file, offset, ascii, stall,
                    )
                    .await
                } else {
                    transfer_io::send_ascii(&mut counted, &user.fs, &file, offset, stall).await
                }
            };
            watch_transfer(ctx, &progress, fut).await
        } else {
            // sendfile(2): ProFTPD reads the control connection only for ABOR meanwhile.
            watch(
                ctx,
                transfer_io::send_binary(&mut stream, &user.fs, &file, offset, stall),
            )
            .await
        };
        ctx.last_transfer = tokio::time::Instant::now();
        let logged = |bytes, complete| Transfer {
            started,
            bytes,
            vpath: &vpath,
            ascii,
            direction: Direction::Outgoing,
            complete,
        };
        let bytes = match &outcome {
            Watched::Done(Ok(n)) => Some(*n),
            _ => None,
        };
        let transfer = logged(bytes.unwrap_or(0), bytes.is_some());
        events::emit(
            ctx,
            &Event::Transfer {
                user,
                transfer: &transfer,
            },
        )
        .await;
        match outcome {
            Watched::Done(Ok(n)) => {
                ctx.transferred += n;
                ctx.totals.downloaded(n);
                transfer_io::finish(stream).await;
                info!(peer = %ctx.peer, user = %user.login_name, path = %vpath, bytes = n, "RETR complete");
                ctx.reply(226, "Transfer complete").await
            }
            Watched::Done(Err(e)) => {
                warn!(peer = %ctx.peer, user = %user.login_name, path = %vpath, "RETR failed: {e}");
                failed(ctx, &e).await
            }
            Watched::Aborted => {
                info!(peer = %ctx.peer, user = %user.login_name, path = %vpath, "RETR aborted");
                drop(stream);
                aborted(ctx).await
            }
            Watched::ControlClosed => Err(SessionError::Closed),
        }
    })
}

/// Which upload command runs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Upload {
    Stor,
    Appe,
    Stou,
}

/// Where an upload writes, and what to do with it afterwards.
struct Target {
    /// The path being written.
    path: String,
    /// Rename `path` to this when the upload completes (hidden and replacing stores).
    rename_to: Option<String>,
    /// Remove `path` when the upload fails.
    remove_on_failure: bool,
    /// The existing file `rename_to` names, checked writable by the user, and how the
    /// completed upload takes its place (oxftpd-storage's replace.rs).
    replaces: Option<(Existing, Replacement)>,
    /// Keeps the lock of a `HiddenStores` file (claim.rs) until it is renamed or removed.
    _hold: Option<File>,
}

/// `STOR path`.
pub fn stor<'a>(
    ctx: &'a mut Ctx,
    user: &'a mut LoggedIn,
    arg: Option<&'a str>,
) -> HandlerFuture<'a> {
    Box::pin(upload(ctx, user, arg, Upload::Stor))
}

/// `APPE path`.
pub fn appe<'a>(
    ctx: &'a mut Ctx,
    user: &'a mut LoggedIn,
    arg: Option<&'a str>,
) -> HandlerFuture<'a> {
    Box::pin(upload(ctx, user, arg, Upload::Appe))
}

/// `STOU`: stores under a new unique name in the current directory, `150 FILE: name`.
pub fn stou<'a>(
    ctx: &'a mut Ctx,
    user: &'a mut LoggedIn,
    _arg: Option<&'a str>,
) -> HandlerFuture<'a> {
    Box::pin(upload(ctx, user, None, Upload::Stou))
}

/// Chooses and opens where an upload writes; `Err` carries the refusal already sent.
async fn open_target(
    ctx: &mut Ctx,
    user: &mut LoggedIn,
    arg: &str,
    kind: Upload,
) -> Result<(Target, File), SessionResult> {
    let vpath = user.resolve(arg);
    let offset = std::mem::take(&mut ctx.restart);
    let size = match user.fs.metadata(&vpath).await {
        Ok(m) => Some(m.size),
        Err(StorageError::NotFound) => None,
        Err(e) => return Err(ctx.send(&fs_reply(550, arg, &e)).await),
    };
    let existing = size.is_some();
    let restarting = offset > 0 || kind == Upload::Appe;
    let cfg = cfg(ctx, user, &vpath);
    if existing && restarting && !cfg.xfer.allow_store_restart {
        return Err(ctx
            .reply(
                451,
                format!("{arg}: Append/Restart not permitted, try again"),
            )
            .await);
    }
    let hidden = match kind {
        Upload::Stor => cfg.xfer.hidden_stores.clone(),
        _ => None,
    };
    if hidden.is_some() && offset > 0 {
        return Err(ctx
            .reply(501, "REST not compatible with server configuration")
            .await);
    }
    if offset > size.unwrap_or(0) {
        return Err(ctx
            .reply(554, format!("REST: invalid {arg} argument"))
            .await);
    }
    if existing && !restarting && !cfg.core.allow_overwrite {
        return Err(ctx
            .reply(550, format!("{arg}: Overwrite permission denied"))
            .await);
    }
    let delete_aborted = cfg.xfer.delete_aborted_stores;
    let dir = oxftpd_proto::path::parent(&vpath);
    let name = oxftpd_proto::path::file_name(&vpath);
    // Replacing a file needs the kernel's permission to write it, not only the directory's.
    let replaced = if existing && !restarting {
        match user.fs.open_existing(&vpath).await {
            Ok(e) => Some(e),
            Err(e) => return Err(ctx.send(&fs_reply(550, arg, &e)).await),
        }
    } else {
        None
    };
    let opened = if hidden.is_some() || replaced.is_some() {
        let claimed = hidden.is_some();
        let temp = match hidden {
            Some((prefix, suffix)) => {
                let temp = user.resolve_from(dir, &format!("{prefix}{name}{suffix}"));
                match user.fs.create_claimed(&temp).await {
                    Ok(f) => Ok((temp, f)),
                    // Another upload of the name runs: ProFTPD's reply.
                    Err(StorageError::AlreadyExists) => {
                        let text = format!("{arg}: Temporary hidden file {temp} already exists");
                        return Err(ctx.reply(550, text).await);
                    }
                    Err(e) => Err(e),
                }
            }
            None => user.fs.create_unique(dir, &format!(".in.{name}.")).await,
        };
        match temp {
            Ok((temp, f)) => replacement(user, &vpath, temp, f, replaced, claimed).await,
            Err(e) => Err(e),
        }
    } else {
        let mode = match kind {
            Upload::Appe => WriteMode::Append,
            _ if offset > 0 => WriteMode::At(offset),
            _ => WriteMode::Truncate,
        };
        user.fs.open_write(&vpath, mode).await.map(|f| {
            let t = Target {
                path: vpath.clone(),
                rename_to: None,
                remove_on_failure: !existing && delete_aborted,
                replaces: None,
                _hold: None,
            };
            (t, f)
        })
    };
    match opened {
        Ok(r) => Ok(r),
        Err(e) => Err(ctx.send(&fs_reply(550, arg, &e)).await),
    }
}

/// The target of an upload written to `temp` and renamed to (or copied into) `vpath` when
/// complete; `temp` takes the replaced file's owner, group and mode where it can.
async fn replacement(
    user: &LoggedIn,
    vpath: &str,
    temp: String,
    file: File,
    replaced: Option<Existing>,
    claimed: bool,
) -> Result<(Target, File), StorageError> {
    let replaces = match replaced {
        Some(existing) => match user.fs.adopt(&file, &existing).await {
            Ok(how) => Some((existing, how)),
            Err(e) => {
                let _ = user.fs.remove_file(&temp).await;
                return Err(e);
            }
        },
        None => None,
    };
    let hold = if claimed { file.try_clone().ok() } else { None };
    let target = Target {
        path: temp,
        rename_to: Some(vpath.to_string()),
        remove_on_failure: true,
        replaces,
        _hold: hold,
    };
    Ok((target, file))
}

/// Removes what a failed upload left, when that is the rule for it.
async fn discard(user: &LoggedIn, target: &Target) {
    if target.remove_on_failure
        && let Err(e) = user.fs.remove_file(&target.path).await
    {
        warn!(path = %target.path, "removing a failed upload: {e}");
    }
}

async fn upload(
    ctx: &mut Ctx,
    user: &mut LoggedIn,
    arg: Option<&str>,
    kind: Upload,
) -> SessionResult {
    let unique;
    let arg = match (kind, arg) {
        (Upload::Stou, _) => {
            ctx.restart = 0;
            let dir = user.cwd.clone();
            let (path, file) = match user.fs.create_unique(&dir, "ftp").await {
                Ok(r) => r,
                Err(e) => return ctx.send(&fs_reply(550, &dir, &e)).await,
            };
            unique = oxftpd_proto::path::file_name(&path).to_string();
            let target = Target {
                path,
                rename_to: None,
                remove_on_failure: true,
                replaces: None,
                _hold: None,
            };
            return receive(ctx, user, &unique, target, file, kind).await;
        }
        (_, Some(arg)) => arg,
        (_, None) => return crate::module::helpers::missing_argument(ctx).await,
    };
    let (target, file) = match open_target(ctx, user, arg, kind).await {
        Ok(r) => r,
        Err(done) => return done,
    };
    receive(ctx, user, arg, target, file, kind).await
}

/// Runs the data connection of an upload into `file` and finishes `target`.
async fn receive(
    ctx: &mut Ctx,
    user: &mut LoggedIn,
    arg: &str,
    mut target: Target,
    mut file: File,
    kind: Upload,
) -> SessionResult {
    let passive = matches!(ctx.data, data_channel::DataSetup::Passive(_));
    let stream = match open_data(ctx).await {
        Ok(s) => s,
        Err(done) => {
            drop(file);
            discard(user, &target).await;
            return done;
        }
    };
    let text = match kind {
        Upload::Stou => format!("FILE: {arg}"),
        _ => format!("Opening {} mode data connection for {arg}", mode_name(ctx)),
    };
    if let Err(e) = ctx.reply(150, text).await {
        drop(file);
        discard(user, &target).await;
        return Err(e);
    }
    let data_peer = peer_of(&stream);
    let mut stream =
        match crate::data::stream::protect(ctx, stream, crate::data::stream::Flow::Receive).await {
            Ok(s) => s,
            Err(done) => {
                drop(file);
                discard(user, &target).await;
                return done;
            }
        };
    let stall = ctx.server.settings.timeouts.stalled;
    let ascii = ctx.transfer_type == TransferType::Ascii;
    let limit_path = target
        .rename_to
        .clone()
        .unwrap_or_else(|| target.path.clone());
    let limit = size_limit(
        ctx,
        user,
        &cfg(ctx, user, &limit_path).xfer.max_store_file_size,
    );
    let started = std::time::Instant::now();
    let mode_z = ctx.opts.mode_z;
    let report = crate::modules::mod_deflate::log::Report::for_session(ctx);
    let verb = match kind {
        Upload::Stor => "STOR",
        Upload::Appe => "APPE",
        Upload::Stou => "STOU",
    };
    let progress = progress(user, data_peer, passive, format!("{verb} {limit_path}"));
    // A plain binary upload: read and written on one thread, the file's bytes never changing
    // cores (upload_thread.rs), while threads for it are free.
    let slot = match &stream {
        crate::data::stream::DataStream::Plain(_) if !ascii && !mode_z.on => {
            crate::data::upload_thread::Slot::claim()
        }
        _ => None,
    };
    let outcome = match (&stream, slot) {
        (crate::data::stream::DataStream::Plain(tcp), Some(slot)) => {
            let fut = crate::data::upload_thread::receive(
                slot,
                tcp,
                &file,
                stall,
                limit,
                &progress.bytes,
            );
            watch_transfer(ctx, &progress, fut).await
        }
        _ => {
            let mut source = crate::modules::mod_deflate::stream::Source::new(
                Counted::new(&mut stream, &progress),
                mode_z,
            )
            .reporting(report);
            let fut =
                transfer_io::receive_at_most(&mut source, &user.fs, &mut file, ascii, stall, limit);
            watch_transfer(ctx, &progress, fut).await
        }
    };
    ctx.last_transfer = tokio::time::Instant::now();
    drop(file);
    // Answers the client's close_notify on a TLS connection (FIN on a plain one).
    transfer_io::finish(stream).await;
    let vpath = target.rename_to.as_deref().unwrap_or(&target.path);
    let bytes = match &outcome {
        Watched::Done(Ok(n)) => Some(*n),
        _ => None,
    };
    let transfer = Transfer {
        started,
        bytes: bytes.unwrap_or(0),
        vpath,
        ascii,
        direction: Direction::Incoming,
        complete: bytes.is_some(),
    };
    events::emit(
        ctx,
        &Event::Transfer {
            user,
            transfer: &transfer,
        },
    )
    .await;
    match outcome {
        Watched::Done(Ok(n)) => {
            ctx.transferred += n;
            if let Some(to) = target.rename_to.clone()
                && let Err(e) = match target.replaces.take() {
                    Some((existing, how)) => {
                        user.fs.replace(&target.path, &to, existing, how).await
                    }
                    None => user.fs.rename(&target.path, &to).await,
                }
            {
                discard(user, &target).await;
                return ctx.send(&fs_reply(550, arg, &e)).await;
            }
            ctx.totals.uploaded(n);
            info!(peer = %ctx.peer, user = %user.login_name, path = %vpath, bytes = n, "upload complete");
            ctx.reply(226, "Transfer complete").await
        }
        Watched::Done(Err(e)) if e.kind() == std::io::ErrorKind::FileTooLarge => {
            info!(peer = %ctx.peer, user = %user.login_name, path = %vpath, "MaxStoreFileSize ({} bytes) reached: aborting transfer", limit.unwrap_or(0));
            let _ = user.fs.remove_file(&target.path).await;
            ctx.reply(552, "Transfer aborted. File too large").await
        }
        Watched::Done(Err(e)) if e.raw_os_error() == Some(libc::EIO) => {
            // A MODE Z stream that does not inflate: ProFTPD answers 451 (observed).
            warn!(peer = %ctx.peer, user = %user.login_name, path = %vpath, "upload failed: {e}");
            discard(user, &target).await;
            ctx.reply(451, format!("Transfer aborted. {}", io_text(&e)))
                .await
        }
        Watched::Done(Err(e)) => {
            warn!(peer = %ctx.peer, user = %user.login_name, path = %vpath, "upload failed: {e}");
            discard(user, &target).await;
            failed(ctx, &e).await
        }
        Watched::Aborted => {
            info!(peer = %ctx.peer, user = %user.login_name, path = %vpath, "upload aborted");
            discard(user, &target).await;
            aborted(ctx).await
        }
        Watched::ControlClosed => {
            info!(peer = %ctx.peer, user = %user.login_name, path = %vpath, "client vanished during an upload");
            discard(user, &target).await;
            Err(SessionError::Closed)
        }
    }
}

/// A directory listing's data connection is done: its bytes count in the session's totals
/// (`%{total_bytes_out}`, `%K`), and mod_deflate logs its summary when the stream is dropped.
pub(crate) fn listing_sent<W: tokio::io::AsyncWrite + Unpin>(
    ctx: &mut Ctx,
    stream: crate::modules::mod_deflate::stream::Sink<W>,
) -> crate::modules::mod_deflate::stream::Sink<W> {
    ctx.totals.listed(stream.bytes());
    stream.reporting(crate::modules::mod_deflate::log::Report::for_session(ctx))
}
