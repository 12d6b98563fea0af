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

use oxftpd_proto::reply::codes;
use oxftpd_storage::{Existing, Kind, Replacement, StorageError, WriteMode};
use tracing::{info, warn};

use crate::data::channel as data_channel;
use crate::data::transfer_io;
use crate::engine::handler::peer_of;
use crate::engine::watch::{Counted, Progress, Watched};
use crate::module::events::{Direction, Transfer};
use crate::module::{CommandError, CommandResult, DataFailure, HandlerCtx, HandlerFuture, Session};
use crate::session::{Ctx, LoggedIn, TransferType};

fn mode_name(ctx: &Ctx) -> &'static str {
    match ctx.transfer_type {
        TransferType::Ascii => "ASCII",
        TransferType::Binary => "BINARY",
    }
}

/// What `STAT` reports about a transfer with the client's `data_peer`.
fn progress(
    user: &LoggedIn,
    data_peer: std::net::SocketAddr,
    passive: bool,
    what: String,
    size: u64,
) -> Progress {
    Progress {
        what,
        login_name: user.login_name.clone(),
        data_peer,
        passive,
        bytes: std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0)),
        size,
        started: std::time::Instant::now(),
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

/// `UseSendfile` for a path: `None` when off (downloads take the buffered path), else the most
/// one `sendfile(2)` call may send of a file of `size` bytes.
fn sendfile_chunk(ctx: &Ctx, user: &LoggedIn, vpath: &str, size: u64) -> Option<u64> {
    use oxftpd_config::trace::UseSendfile;
    match cfg(ctx, user, vpath).xfer.use_sendfile {
        UseSendfile::Off => None,
        UseSendfile::On => Some(u64::MAX),
        UseSendfile::Bytes(n) => Some(n.max(1)),
        UseSendfile::Fraction(f) => Some(((size as f64 * f) as u64).max(1)),
    }
}

/// What decides whether a download goes through `sendfile(2)`.
struct SendfileChoice {
    setting: oxftpd_config::trace::UseSendfile,
    paced: bool,
    ascii: bool,
    protected: bool,
    mode_z: bool,
    remaining: u64,
    size: u64,
}

/// Says in the debug log (`DebugLevel 10`) whether and how a download uses `sendfile(2)`,
/// with mod_xfer's reasons and in its order.
fn log_sendfile_choice(c: &SendfileChoice) {
    use oxftpd_config::trace::UseSendfile;
    let declined = if c.setting == UseSendfile::Off {
        Some("due to UseSendfile configuration setting")
    } else if c.paced {
        Some("due to TransferRate restrictions")
    } else if c.ascii {
        Some("for ASCII data")
    } else if c.protected {
        Some("due to RFC2228 data channel protections")
    } else if c.mode_z {
        Some("due to MODE Z restrictions")
    } else if c.remaining == 0 {
        Some("due to lack of data to transmit")
    } else {
        None
    };
    if let Some(why) = declined {
        tracing::trace!("declining use of sendfile {why}");
        return;
    }
    tracing::trace!("using sendfile capability for transmitting data");
    match c.setting {
        UseSendfile::Bytes(n) if c.remaining > n => {
            tracing::trace!("using sendfile with configured UseSendfile length ({n} bytes)");
        }
        UseSendfile::Fraction(f) => {
            let len = (c.size as f64 * f) as u64;
            if c.remaining > len {
                tracing::trace!(
                    "using sendfile with configured UseSendfile percentage {:.0}% ({len} bytes)",
                    f * 100.0
                );
            }
        }
        _ => {}
    }
}

/// Why a transfer failed: `421` and the session's end for a stall, else as
/// `data::abort::reply_for` words the error.
fn failed(ctx: &Ctx, e: std::io::Error) -> CommandError {
    if e.kind() == std::io::ErrorKind::TimedOut {
        let secs = ctx
            .server
            .settings
            .timeouts
            .stalled
            .map(|d| d.as_secs())
            .unwrap_or(0);
        return DataFailure::Stalled { secs }.into();
    }
    DataFailure::Broken(e).into()
}

/// A transfer `ABOR` stopped: the error whose replies are the transfer's `426` and the
/// `ABOR`'s `226` (ProFTPD 1.3.8 sends them so; see `module::replies`).
fn aborted(ctx: &Ctx) -> CommandError {
    crate::trace_msg!(
        ctx.trace,
        "data",
        9,
        "aborting data transfer (client sent ABOR)"
    );
    DataFailure::Aborted.into()
}

/// `ABOR` with no transfer running.
pub fn abor<'a>(mut hx: HandlerCtx<'a>, _arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        let ctx = &mut hx.session;
        *ctx.data().setup = data_channel::DataSetup::None;
        *ctx.data().restart = 0;
        Ok(ctx.reply(codes::CLOSING_DATA, "Abort successful").await?)
    })
}

/// `RETR path`.
pub fn retr<'a>(hx: HandlerCtx<'a>, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        let HandlerCtx {
            user, mut session, ..
        } = hx;
        let ctx = &mut session;
        let Some(arg) = arg else {
            return Err(crate::module::helpers::verb_not_understood("RETR"));
        };
        let vpath = user.resolve(arg);
        let range = super::range::take(ctx.ext_mut());
        let mut offset = std::mem::take(ctx.data().restart);
        let cfg = cfg(ctx, user, &vpath);
        if offset > 0 && !cfg.xfer.allow_retrieve_restart {
            return Err(CommandError::refused(
                codes::LOCAL_ERROR,
                format!("{arg}: Restart not permitted, try again"),
            ));
        }
        let (file, meta) = match user.fs.open_read(&vpath, 0).await {
            Ok(r) => r,
            Err(StorageError::IsADirectory | StorageError::NotRegularFile) => {
                return Err(CommandError::NotAFile { path: arg.into() });
            }
            Err(e) => return Err(CommandError::storage(arg, e)),
        };
        if offset > meta.size {
            return Err(CommandError::bad_argument(
                codes::INVALID_REST_PARAMETER,
                format!("REST: invalid {arg} argument"),
            ));
        }
        // A range past the file's end is refused when it starts inside (ProFTPD's choice over
        // the draft's empty transfer); one from 0 sends the whole file.
        if let Some(r) = range
            && r.start > 0
        {
            if r.start > meta.size {
                return Err(CommandError::bad_argument(
                    codes::INVALID_REST_PARAMETER,
                    format!("RANG: invalid {arg} argument"),
                ));
            }
            if r.start + r.len > meta.size {
                return Err(CommandError::bad_argument(
                    codes::INVALID_REST_PARAMETER,
                    format!("{arg}: invalid RANG argument"),
                ));
            }
            offset = r.start;
        }
        let end = match range {
            Some(r) => (offset + r.len).min(meta.size),
            None => meta.size,
        };
        let passive = matches!(ctx.data, data_channel::DataSetup::Passive(_));
        let stream = ctx.open_data().await?;
        let size = end - offset;
        let text = if size > 0 {
            let unit = if size == 1 { "byte" } else { "bytes" };
            format!(
                "Opening {} mode data connection for {arg} ({size} {unit})",
                mode_name(ctx)
            )
        } else {
            format!("Opening {} mode data connection for {arg}", mode_name(ctx))
        };
        ctx.reply(codes::OPENING_DATA, text).await?;
        let data_peer = peer_of(&stream);
        let mut stream =
            crate::modules::mod_tls::data::protect(ctx, stream, crate::data::stream::Flow::Send)
                .await?;
        // ProFTPD opens the data connection, then aborts an over-size download.
        if size_limit(ctx, user, &cfg.xfer.max_retrieve_file_size)
            .is_some_and(|max| meta.size > max)
        {
            info!(peer = %ctx.peer, user = %user.login_name, path = %vpath, "MaxRetrieveFileSize exceeded: aborting RETR");
            drop(stream);
            return Err(DataFailure::NotPermitted.into());
        }
        let stall = ctx.server.settings.timeouts.stalled;
        // `TransferOptions IgnoreASCII`: TYPE A moves the bytes as they are.
        let ascii = ctx.transfer_type == TransferType::Ascii && !ctx.server.cfg.xfer.ignore_ascii;
        let started = std::time::Instant::now();
        let mode_z = crate::modules::mod_deflate::stream::mode_z(ctx);
        let report = crate::modules::mod_deflate::log::Report::for_session(ctx);
        let progress = progress(
            user,
            data_peer,
            passive,
            format!("RETR {vpath}"),
            end.saturating_sub(offset),
        );
        let sendfile = sendfile_chunk(ctx, user, &vpath, meta.size);
        if sendfile.is_none() {
            crate::trace_msg!(
                ctx.trace,
                "xfer",
                10,
                "declining use of sendfile due to UseSendfile configuration setting"
            );
        }
        let mut pace = super::rate::pace_for(ctx, user, &vpath, "RETR");
        // A paced TLS download goes the buffered way, through the pace (sendfile's calls are
        // cut to its grants instead).
        let tls_paced =
            pace.is_some() && !matches!(stream, crate::data::stream::DataStream::Plain(_));
        log_sendfile_choice(&SendfileChoice {
            setting: cfg.xfer.use_sendfile,
            paced: pace.is_some(),
            ascii,
            protected: !matches!(stream, crate::data::stream::DataStream::Plain(_)),
            mode_z: mode_z.on,
            remaining: end.saturating_sub(offset),
            size: meta.size,
        });
        let outcome = if mode_z.on || ascii || sendfile.is_none() || tls_paced {
            // A buffered download: the control connection is served meanwhile.
            let fut = async {
                let mut counted = super::rate::Paced::new(
                    Counted::new(&mut stream, &progress.bytes),
                    pace.as_mut(),
                );
                if mode_z.on {
                    let w = crate::modules::mod_deflate::stream::DeflateWriter::new(
                        &mut counted,
                        mode_z.level,
                    )
                    .reporting(report);
                    crate::modules::mod_deflate::stream::send_file(
                        w,
                        &user.fs,
                        &file,
                        offset..end,
                        ascii,
                        stall,
                    )
                    .await
                } else {
                    transfer_io::send_buffered(
                        &mut counted,
                        &user.fs,
                        &file,
                        offset..end,
                        ascii,
                        stall,
                    )
                    .await
                }
            };
            ctx.watch_transfer(&progress, fut).await
        } else {
            // sendfile(2): ProFTPD reads the control connection only for ABOR meanwhile.
            ctx.watch_sendfile(
                &progress,
                transfer_io::send_binary(
                    &mut stream,
                    &user.fs,
                    &file,
                    offset..end,
                    stall,
                    sendfile.unwrap_or(u64::MAX),
                    pace.as_mut()
                        .map(|p| p as &mut dyn crate::data::transfer_io::Gate),
                    &progress.bytes,
                ),
            )
            .await
        };
        *ctx.counters().last_transfer = tokio::time::Instant::now();
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
        ctx.emit_transfer(user, &transfer).await;
        match outcome {
            Watched::Done(Ok(n)) => {
                *ctx.counters().transferred += n;
                ctx.counters().totals.downloaded(n);
                transfer_io::finish(stream, ctx.server.settings.timeouts.linger, &ctx.trace).await;
                info!(peer = %ctx.peer, user = %user.login_name, path = %vpath, bytes = n, "RETR complete");
                Ok(ctx.reply(codes::CLOSING_DATA, "Transfer complete").await?)
            }
            Watched::Done(Err(e)) => {
                warn!(peer = %ctx.peer, user = %user.login_name, path = %vpath, "RETR failed: {e}");
                Err(failed(ctx, e))
            }
            Watched::Aborted => {
                info!(peer = %ctx.peer, user = %user.login_name, path = %vpath, "RETR aborted");
                drop(stream);
                Err(aborted(ctx))
            }
            Watched::ControlClosed => Err(CommandError::Close),
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
pub fn stor<'a>(hx: HandlerCtx<'a>, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(upload(hx, arg, Upload::Stor))
}

/// `APPE path`.
pub fn appe<'a>(hx: HandlerCtx<'a>, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(upload(hx, arg, Upload::Appe))
}

/// `STOU`: stores under a new unique name in the current directory, `150 FILE: name`.
pub fn stou<'a>(hx: HandlerCtx<'a>, _arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(upload(hx, None, Upload::Stou))
}

/// Chooses and opens where an upload writes.
async fn open_target(
    ctx: &mut Session<'_>,
    user: &mut LoggedIn,
    arg: &str,
    kind: Upload,
    range: Option<super::range::Range>,
) -> Result<(Target, File), CommandError> {
    let vpath = user.resolve(arg);
    let offset = std::mem::take(ctx.data().restart);
    // An upload writes a regular file: a directory, or a link that leads nowhere, is no
    // place for one (mod_xfer's `file_mode2` check, before the data connection opens).
    let not_file = match user.fs.symlink_metadata(&vpath).await {
        Ok(l) if l.kind == Kind::Symlink => match user.fs.metadata(&vpath).await {
            Ok(t) => t.kind == Kind::Dir,
            // `TransferOptions AllowSymlinkUpload`: the upload creates what the link names.
            Err(_) => !ctx.server.cfg.xfer.allow_symlink_upload,
        },
        Ok(l) => l.kind == Kind::Dir,
        Err(_) => false,
    };
    if not_file {
        let overwrite = kind == Upload::Appe || cfg(ctx, user, &vpath).core.allow_overwrite;
        return Err(CommandError::refused(
            codes::FILE_UNAVAILABLE,
            if overwrite {
                format!("{arg}: Not a regular file")
            } else {
                format!("{arg}: Overwrite permission denied")
            },
        ));
    }
    let size = match user.fs.metadata(&vpath).await {
        Ok(m) => Some(m.size),
        Err(StorageError::NotFound) => None,
        Err(e) => return Err(CommandError::storage(arg, e)),
    };
    let existing = size.is_some();
    let restarting = offset > 0 || range.is_some() || kind == Upload::Appe;
    let cfg = cfg(ctx, user, &vpath);
    if existing && restarting && !cfg.xfer.allow_store_restart {
        return Err(CommandError::refused(
            codes::LOCAL_ERROR,
            format!("{arg}: Append/Restart not permitted, try again"),
        ));
    }
    if kind == Upload::Appe && range.is_some() {
        return Err(CommandError::refused(
            codes::FILE_UNAVAILABLE,
            "APPE incompatible with RANG",
        ));
    }
    let hidden = match kind {
        Upload::Stor => cfg.xfer.hidden_stores.clone(),
        _ => None,
    };
    if hidden.is_some() && range.is_some() {
        return Err(CommandError::bad_argument(
            codes::SYNTAX_ERROR_ARGUMENTS,
            "RANG not compatible with server configuration",
        ));
    }
    if hidden.is_some() && offset > 0 {
        return Err(CommandError::bad_argument(
            codes::SYNTAX_ERROR_ARGUMENTS,
            "REST not compatible with server configuration",
        ));
    }
    if let Some(r) = range
        && r.start > size.unwrap_or(0)
    {
        return Err(CommandError::bad_argument(
            codes::INVALID_REST_PARAMETER,
            format!("RANG: invalid {arg} argument"),
        ));
    }
    if offset > size.unwrap_or(0) {
        return Err(CommandError::bad_argument(
            codes::INVALID_REST_PARAMETER,
            format!("REST: invalid {arg} argument"),
        ));
    }
    if existing && !restarting && !cfg.core.allow_overwrite {
        return Err(CommandError::refused(
            codes::FILE_UNAVAILABLE,
            format!("{arg}: Overwrite permission denied"),
        ));
    }
    let delete_aborted = cfg.xfer.delete_aborted_stores;
    let dir = oxftpd_proto::path::parent(&vpath);
    let name = oxftpd_proto::path::file_name(&vpath);
    // Replacing a file needs the kernel's permission to write it, not only the directory's.
    let replaced = if existing && !restarting {
        match user.fs.open_existing(&vpath).await {
            Ok(e) => Some(e),
            Err(e) => return Err(CommandError::storage(arg, e)),
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
                        return Err(CommandError::Refused(oxftpd_proto::reply::Reply::new(
                            codes::FILE_UNAVAILABLE,
                            text,
                        )));
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
        let mode = match (kind, range) {
            (Upload::Appe, _) => WriteMode::Append,
            // A range writes in place, over what is there.
            (_, Some(r)) => WriteMode::At(r.start),
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
    opened.map_err(|e| CommandError::storage(arg, e))
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

async fn upload(hx: HandlerCtx<'_>, arg: Option<&str>, kind: Upload) -> CommandResult {
    let HandlerCtx {
        user, mut session, ..
    } = hx;
    let ctx = &mut session;
    let unique;
    let range = super::range::take(ctx.ext_mut());
    let arg = match (kind, arg) {
        (Upload::Stou, _) if range.is_some() => {
            return Err(CommandError::refused(
                codes::FILE_UNAVAILABLE,
                "STOU incompatible with RANG",
            ));
        }
        (Upload::Stou, _) => {
            *ctx.data().restart = 0;
            let dir = user.cwd.clone();
            let (path, file) = match user.fs.create_unique(&dir, "ftp").await {
                Ok(r) => r,
                // mod_xfer's answer when mkstemp(3) fails, whatever the reason.
                Err(e) => {
                    tracing::warn!(peer = %ctx.peer, "STOU in {dir}: {e}");
                    return Err(CommandError::refused(
                        codes::FILE_ACTION_NOT_TAKEN,
                        "STOU: unable to generate unique filename",
                    ));
                }
            };
            unique = oxftpd_proto::path::file_name(&path).to_string();
            let target = Target {
                path,
                rename_to: None,
                remove_on_failure: true,
                replaces: None,
                _hold: None,
            };
            return receive(ctx, user, &unique, target, file, kind, None).await;
        }
        (_, Some(arg)) => arg,
        (_, None) => {
            let verb = if kind == Upload::Appe { "APPE" } else { "STOR" };
            return Err(crate::module::helpers::verb_not_understood(verb));
        }
    };
    let (target, file) = open_target(ctx, user, arg, kind, range).await?;
    receive(ctx, user, arg, target, file, kind, range).await
}

/// Runs the data connection of an upload into `file` and finishes `target`.
async fn receive(
    ctx: &mut Session<'_>,
    user: &mut LoggedIn,
    arg: &str,
    mut target: Target,
    mut file: File,
    kind: Upload,
    range: Option<super::range::Range>,
) -> CommandResult {
    let passive = matches!(ctx.data, data_channel::DataSetup::Passive(_));
    let stream = match ctx.open_data().await {
        Ok(s) => s,
        Err(e) => {
            drop(file);
            discard(user, &target).await;
            return Err(e);
        }
    };
    let text = match kind {
        Upload::Stou => format!("FILE: {arg}"),
        _ => format!("Opening {} mode data connection for {arg}", mode_name(ctx)),
    };
    if let Err(e) = ctx.reply(codes::OPENING_DATA, text).await {
        drop(file);
        discard(user, &target).await;
        return Err(e.into());
    }
    let data_peer = peer_of(&stream);
    let mut stream = match crate::modules::mod_tls::data::protect(
        ctx,
        stream,
        crate::data::stream::Flow::Receive,
    )
    .await
    {
        Ok(s) => s,
        Err(e) => {
            drop(file);
            discard(user, &target).await;
            return Err(e.into());
        }
    };
    let stall = ctx.server.settings.timeouts.stalled;
    // `TransferOptions IgnoreASCII`: TYPE A moves the bytes as they are.
    let ascii = ctx.transfer_type == TransferType::Ascii && !ctx.server.cfg.xfer.ignore_ascii;
    let limit_path = target
        .rename_to
        .clone()
        .unwrap_or_else(|| target.path.clone());
    let max_size = size_limit(
        ctx,
        user,
        &cfg(ctx, user, &limit_path).xfer.max_store_file_size,
    );
    // A quota's cap (mod_quotatab), when it is below MaxStoreFileSize.
    let cap = ctx
        .ext_mut()
        .remove::<crate::module::upload_cap::UploadCap>()
        .map(|c| c.0)
        .filter(|c| max_size.is_none_or(|m| *c < m));
    let max_size = cap.or(max_size);
    // A range takes exactly its length: more is refused as the bytes come.
    let limit = match range {
        Some(r) => Some(max_size.map_or(r.len, |m| m.min(r.len))),
        None => max_size,
    };
    let started = std::time::Instant::now();
    let mode_z = crate::modules::mod_deflate::stream::mode_z(ctx);
    let report = crate::modules::mod_deflate::log::Report::for_session(ctx);
    let verb = match kind {
        Upload::Stor => "STOR",
        Upload::Appe => "APPE",
        Upload::Stou => "STOU",
    };
    let progress = progress(user, data_peer, passive, format!("{verb} {limit_path}"), 0);
    let mut pace = super::rate::pace_for(ctx, user, &limit_path, verb);
    // A plain binary upload: read and written on one thread, the file's bytes never changing
    // cores (upload_thread.rs), while threads for it are free (a paced one stays async).
    let slot = match &stream {
        crate::data::stream::DataStream::Plain(_) if !ascii && !mode_z.on && pace.is_none() => {
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
            ctx.watch_transfer(&progress, fut).await
        }
        _ => {
            let mut source = crate::modules::mod_deflate::stream::Source::new(
                super::rate::Paced::new(Counted::new(&mut stream, &progress.bytes), pace.as_mut()),
                mode_z,
            )
            .reporting(report);
            let fut =
                transfer_io::receive_at_most(&mut source, &user.fs, &mut file, ascii, stall, limit);
            ctx.watch_transfer(&progress, fut).await
        }
    };
    *ctx.counters().last_transfer = tokio::time::Instant::now();
    drop(file);
    // Answers the client's close_notify on a TLS connection (FIN on a plain one); lingers
    // (`TimeoutLinger`) only after an upload that completed: a stalled or refused one ends now.
    let linger = match &outcome {
        Watched::Done(Ok(_)) => ctx.server.settings.timeouts.linger,
        _ => None,
    };
    transfer_io::finish(stream, linger, &ctx.trace).await;
    let vpath = target.rename_to.as_deref().unwrap_or(&target.path);
    // A range the client sent too few or too many bytes for fails as ProFTPD fails it (EPERM).
    let outcome = match (outcome, range) {
        (Watched::Done(Ok(n)), Some(r)) if n != r.len => {
            Watched::Done(Err(std::io::Error::from_raw_os_error(libc::EPERM)))
        }
        (Watched::Done(Err(e)), Some(r))
            if e.kind() == std::io::ErrorKind::FileTooLarge
                && max_size.is_none_or(|m| m > r.len) =>
        {
            Watched::Done(Err(std::io::Error::from_raw_os_error(libc::EPERM)))
        }
        (other, _) => other,
    };
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
    ctx.emit_transfer(user, &transfer).await;
    match outcome {
        Watched::Done(Ok(n)) => {
            *ctx.counters().transferred += n;
            if let Some(to) = target.rename_to.clone()
                && let Err(e) = match target.replaces.take() {
                    Some((existing, how)) => {
                        user.fs.replace(&target.path, &to, existing, how).await
                    }
                    None => user.fs.rename(&target.path, &to).await,
                }
            {
                discard(user, &target).await;
                return Err(CommandError::storage(arg, e));
            }
            ctx.counters().totals.uploaded(n);
            info!(peer = %ctx.peer, user = %user.login_name, path = %vpath, bytes = n, "upload complete");
            Ok(ctx.reply(codes::CLOSING_DATA, "Transfer complete").await?)
        }
        Watched::Done(Err(e))
            if e.kind() == std::io::ErrorKind::FileTooLarge
                && cap.is_some()
                && range.is_none_or(|r| cap.is_some_and(|c| c < r.len)) =>
        {
            // The partial file stays for the quota module, which keeps or removes it; a
            // HiddenStores temporary file goes (the target was never touched).
            info!(peer = %ctx.peer, user = %user.login_name, path = %vpath, "quota reached: aborting transfer");
            if target.rename_to.is_some() {
                discard(user, &target).await;
            }
            ctx.ext_mut().insert(crate::module::upload_cap::CapReached);
            Err(DataFailure::QuotaExceeded.into())
        }
        Watched::Done(Err(e)) if e.kind() == std::io::ErrorKind::FileTooLarge => {
            info!(peer = %ctx.peer, user = %user.login_name, path = %vpath, "MaxStoreFileSize ({} bytes) reached: aborting transfer", max_size.unwrap_or(0));
            let _ = user.fs.remove_file(&target.path).await;
            Err(DataFailure::TooLarge.into())
        }
        Watched::Done(Err(e)) if e.raw_os_error() == Some(libc::EIO) => {
            // A MODE Z stream that does not inflate: ProFTPD answers 451 (observed).
            warn!(peer = %ctx.peer, user = %user.login_name, path = %vpath, "upload failed: {e}");
            discard(user, &target).await;
            Err(DataFailure::Local(e).into())
        }
        Watched::Done(Err(e)) => {
            warn!(peer = %ctx.peer, user = %user.login_name, path = %vpath, "upload failed: {e}");
            discard(user, &target).await;
            Err(failed(ctx, e))
        }
        Watched::Aborted => {
            info!(peer = %ctx.peer, user = %user.login_name, path = %vpath, "upload aborted");
            discard(user, &target).await;
            Err(aborted(ctx))
        }
        Watched::ControlClosed => {
            info!(peer = %ctx.peer, user = %user.login_name, path = %vpath, "client vanished during an upload");
            discard(user, &target).await;
            Err(CommandError::Close)
        }
    }
}

/// A directory listing's data connection is done: its bytes count in the session's totals
/// (`%{total_bytes_out}`, `%K`), and mod_deflate logs its summary when the stream is dropped.
pub(crate) fn listing_sent<W: tokio::io::AsyncWrite + Unpin>(
    ctx: &mut Session<'_>,
    stream: crate::modules::mod_deflate::stream::Sink<W>,
) -> crate::modules::mod_deflate::stream::Sink<W> {
    ctx.counters().totals.listed(stream.bytes());
    stream.reporting(crate::modules::mod_deflate::log::Report::for_session(ctx))
}
