//! The `sftp` subsystem (SFTP version 3, russh-sftp's packet layer): every request runs in
//! the session's jailed `Fs` under the user's credentials, checked by `<Limit>` under the FTP
//! command mod_sftp maps it to (OPEN for reading → RETR, for writing → STOR, REMOVE → DELE,
//! MKDIR → MKD, RMDIR → RMD, RENAME → RNFR and RNTO, OPENDIR/READDIR → LIST and NLST, logged
//! as MLSD, SETSTAT → SETSTAT and SITE_CHMOD, SYMLINK → SYMLINK) and logged as that command.

use std::collections::HashMap;
use std::fs::File as StdFile;
use std::os::unix::fs::FileExt;
use std::sync::Arc;
use std::time::Instant;

use oxftpd_server::engine::foreign;
use oxftpd_server::module::events::{Direction, Event, Transfer, emit};
use oxftpd_server::module::state::Protocol;
use oxftpd_server::module::{CommandError, CommandGroup, CommandResult};
use oxftpd_storage::{Existing, Fs, Kind, Metadata, Replacement, StorageError, WriteMode};
use russh_sftp::protocol::{
    Attrs, Data, ExtendedReply, File, FileAttributes, Handle, Name, OpenFlags, Packet, Status,
    StatusCode, Version,
};
use russh_sftp::server::StatusReply;

use crate::session::Shared;
use crate::settings::Prepared;

const R: Option<CommandGroup> = Some(CommandGroup::Read);
const W: Option<CommandGroup> = Some(CommandGroup::Write);
const D: Option<CommandGroup> = Some(CommandGroup::Dirs);

/// An open handle.
enum Open {
    File {
        vpath: String,
        file: Arc<StdFile>,
        write: bool,
        started: Instant,
        bytes: u64,
        /// With `HiddenStores`: the temporary path the file is written under.
        hidden: Option<String>,
        /// The existing file a hidden upload replaces (checked writable by the user when it
        /// was opened), and how the upload takes its place (storage's replace.rs).
        replaces: Option<Box<(Existing, Replacement)>>,
        /// A download's size (0 for an upload), and when its progress was last announced.
        progress: Pacer,
    },
    Dir {
        vpath: String,
        entries: Vec<File>,
        sent: bool,
    },
}

/// When a transfer's progress is due to be announced: at its first bytes, then about once a
/// second (`PROGRESS_EVERY`, as the FTP side), never per packet.
pub(crate) struct Pacer {
    size: u64,
    last: Option<Instant>,
}

impl Pacer {
    /// A pacer for a transfer of `size` bytes (0: an upload, size unknown).
    pub(crate) fn new(size: u64) -> Pacer {
        Pacer { size, last: None }
    }

    /// The size to announce when an announcement is due now.
    pub(crate) fn due(&mut self) -> Option<u64> {
        let every = oxftpd_server::engine::watch::PROGRESS_EVERY;
        if self.last.is_some_and(|t| t.elapsed() < every) {
            return None;
        }
        self.last = Some(Instant::now());
        Some(self.size)
    }
}

/// The SFTP subsystem of one channel.
pub struct Sftp {
    /// `sftp` or `scp`, for `%{protocol}`.
    protocol: &'static str,
    prepared: Arc<Prepared>,
    sess: Shared,
    handles: HashMap<String, Open>,
    next: u64,
    /// The session's filesystem once known (to clean up after a client that went away).
    fs: Option<Fs>,
}

impl Drop for Sftp {
    /// A client that goes away with uploads open leaves no `HiddenStores` file behind (as
    /// ProFTPD removes the hidden file of an aborted upload); the removal runs on the pool.
    fn drop(&mut self) {
        let (Some(fs), Ok(rt)) = (self.fs.clone(), tokio::runtime::Handle::try_current()) else {
            return;
        };
        let temps: Vec<String> = self
            .handles
            .values()
            .filter_map(|h| match h {
                Open::File {
                    hidden: Some(t), ..
                } => Some(t.clone()),
                _ => None,
            })
            .collect();
        if temps.is_empty() {
            return;
        }
        rt.spawn(async move {
            for t in temps {
                let _ = fs.remove_file(&t).await;
            }
        });
    }
}

/// An SFTP status for a failed request.
pub struct Failure(StatusReply);

impl From<Failure> for StatusReply {
    fn from(f: Failure) -> StatusReply {
        f.0
    }
}

impl Failure {
    /// A copy of the status this failure answers with.
    pub fn clone_reply(f: &Failure) -> StatusReply {
        f.0.clone()
    }
}

fn fail(code: StatusCode, text: impl Into<String>) -> Failure {
    Failure(StatusReply::new(code).with_message(text))
}

pub(crate) fn storage_status(e: &StorageError) -> StatusCode {
    match e {
        StorageError::NotFound | StorageError::NotADirectory => StatusCode::NoSuchFile,
        StorageError::PermissionDenied | StorageError::ReadOnly => StatusCode::PermissionDenied,
        _ => StatusCode::Failure,
    }
}

fn from_command(e: &CommandError) -> Failure {
    match e {
        CommandError::Storage { source, .. } | CommandError::Attributes { source, .. } => {
            fail(storage_status(source), source.to_string())
        }
        CommandError::Limit { .. } => fail(StatusCode::PermissionDenied, "Permission denied"),
        CommandError::LoginRequired => fail(StatusCode::PermissionDenied, "Not logged in"),
        other => fail(StatusCode::Failure, other.to_string()),
    }
}

fn ok(id: u32) -> Status {
    Status {
        id,
        status_code: StatusCode::Ok,
        error_message: "OK".to_string(),
        language_tag: "en-US".to_string(),
    }
}

/// SFTP attributes of a file.
pub fn attrs(m: &Metadata) -> FileAttributes {
    let kind = match m.kind {
        Kind::Dir => 0o040000,
        Kind::File => 0o100000,
        Kind::Symlink => 0o120000,
        Kind::Other => 0,
    };
    FileAttributes {
        size: Some(m.size),
        uid: Some(m.uid),
        user: None,
        gid: Some(m.gid),
        group: None,
        permissions: Some(kind | m.mode),
        atime: u32::try_from(m.atime).ok(),
        mtime: u32::try_from(m.mtime).ok(),
    }
}

pub(crate) fn storage(path: &str, source: StorageError) -> CommandError {
    CommandError::Storage {
        path: path.to_string(),
        source,
    }
}

impl Sftp {
    /// A subsystem on the connection's session.
    pub fn new(prepared: Arc<Prepared>, sess: Shared, protocol: &'static str) -> Sftp {
        Sftp {
            protocol,
            prepared,
            sess,
            handles: HashMap::new(),
            next: 0,
            fs: None,
        }
    }

    /// The session's filesystem and a path resolved against the login directory.
    pub(crate) async fn fs_and(&self, path: &str) -> Result<(Fs, String), Failure> {
        let mut guard = self.sess.lock().await;
        let (_, user) = guard
            .user()
            .ok_or_else(|| fail(StatusCode::PermissionDenied, "Not logged in"))?;
        let p = if path.is_empty() { "." } else { path };
        Ok((user.fs.clone(), user.resolve(p)))
    }

    /// Runs `<Limit>` and the `Pre` hooks for `verb` on `vpath`; a refusal is logged as the
    /// FTP command's error.
    pub(crate) async fn begin(
        &self,
        verb: &'static str,
        names: &[(&str, Option<CommandGroup>)],
        vpath: &str,
    ) -> Result<(), Failure> {
        let mut guard = self.sess.lock().await;
        let (ctx, state) = guard.parts();
        ctx.ext.insert(Protocol(self.protocol));
        let r = foreign::begin(ctx, state, verb, vpath, names, vpath).await;
        if let Err(e) = &r {
            let failure = from_command(e);
            foreign::end(ctx, state, verb, vpath, &r, (0, "")).await;
            self.prepared.log(&format!("{verb} {vpath} refused: {e}"));
            return Err(failure);
        }
        Ok(())
    }

    /// Logs the outcome as the FTP command `verb` (`Post`/`Log` hooks).
    pub(crate) async fn end(
        &self,
        verb: &'static str,
        vpath: &str,
        r: &CommandResult,
        code: u16,
        text: &str,
    ) {
        let mut guard = self.sess.lock().await;
        let (ctx, state) = guard.parts();
        foreign::end(ctx, state, verb, vpath, r, (code, text)).await;
    }

    /// Runs one checked operation: `begin`, the operation, `end`.
    pub(crate) async fn checked<T>(
        &self,
        verb: &'static str,
        names: &[(&str, Option<CommandGroup>)],
        vpath: &str,
        done: (u16, &str),
        op: impl std::future::Future<Output = Result<T, CommandError>>,
    ) -> Result<T, Failure> {
        self.begin(verb, names, vpath).await?;
        let r = op.await;
        let logged = r.as_ref().map(|_| ()).map_err(clone_error);
        self.end(verb, vpath, &logged, done.0, done.1).await;
        r.map_err(|e| from_command(&e))
    }

    /// Counts `n` bytes moved through file `handle`, announcing the progress when it is due.
    async fn moved(&mut self, handle: &str, n: u64) {
        let Some(Open::File {
            bytes,
            started,
            progress,
            ..
        }) = self.handles.get_mut(handle)
        else {
            return;
        };
        *bytes += n;
        if let Some(size) = progress.due() {
            let (done, started) = (*bytes, *started);
            self.progress(size, done, started).await;
        }
    }

    fn handle(&mut self, open: Open) -> String {
        self.next += 1;
        let h = format!("{:x}", self.next);
        self.handles.insert(h.clone(), open);
        h
    }

    /// Announces how far a transfer is (`Event::TransferProgress`: the scoreboard, `oxftpctl
    /// who`/`top`, ftpwho's percent and rate).
    pub(crate) async fn progress(&self, size: u64, done: u64, started: Instant) {
        let mut guard = self.sess.lock().await;
        let (ctx, _) = guard.parts();
        let event = Event::TransferProgress {
            size,
            done,
            elapsed_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        };
        emit(ctx, &event).await;
    }

    pub(crate) async fn transfer_done(
        &self,
        vpath: &str,
        started: Instant,
        bytes: u64,
        write: bool,
    ) {
        let mut guard = self.sess.lock().await;
        let Some((ctx, user)) = guard.user() else {
            return;
        };
        let transfer = Transfer {
            started,
            bytes,
            vpath,
            ascii: false,
            direction: if write {
                Direction::Incoming
            } else {
                Direction::Outgoing
            },
            complete: true,
        };
        emit_transfer(ctx, user, &transfer).await;
    }
}

async fn emit_transfer(
    ctx: &mut oxftpd_server::session::Ctx,
    user: &oxftpd_server::session::LoggedIn,
    transfer: &Transfer<'_>,
) {
    emit(ctx, &Event::Transfer { user, transfer }).await;
}

/// A copy of an error good enough for the logs (its reply), since `CommandError` is not `Clone`.
fn clone_error(e: &CommandError) -> CommandError {
    match e {
        CommandError::Storage { path, source } => CommandError::Storage {
            path: path.clone(),
            source: copy_storage(source),
        },
        CommandError::Limit { outcome, arg } => CommandError::Limit {
            outcome: *outcome,
            arg: arg.clone(),
        },
        other => CommandError::Refused(oxftpd_proto::reply::Reply::new(550, other.to_string())),
    }
}

pub(crate) fn copy_storage(e: &StorageError) -> StorageError {
    match e {
        StorageError::NotFound => StorageError::NotFound,
        StorageError::PermissionDenied => StorageError::PermissionDenied,
        StorageError::AlreadyExists => StorageError::AlreadyExists,
        StorageError::NotADirectory => StorageError::NotADirectory,
        StorageError::IsADirectory => StorageError::IsADirectory,
        StorageError::DirectoryNotEmpty => StorageError::DirectoryNotEmpty,
        StorageError::NoSpace => StorageError::NoSpace,
        other => StorageError::InvalidArgument(other.to_string()),
    }
}

fn u64_at(data: &[u8], at: &mut usize) -> Option<u64> {
    let v = u64::from_be_bytes(data.get(*at..*at + 8)?.try_into().ok()?);
    *at += 8;
    Some(v)
}

fn u32_at(data: &[u8], at: &mut usize) -> Option<u32> {
    let v = u32::from_be_bytes(data.get(*at..*at + 4)?.try_into().ok()?);
    *at += 4;
    Some(v)
}

fn string_at(data: &[u8], at: &mut usize) -> Option<String> {
    let len = u32::from_be_bytes(data.get(*at..*at + 4)?.try_into().ok()?) as usize;
    *at += 4;
    let s = data.get(*at..*at + len)?;
    *at += len;
    Some(String::from_utf8_lossy(s).into_owned())
}

impl russh_sftp::server::Handler for Sftp {
    type Error = Failure;

    fn unimplemented(&self) -> Self::Error {
        fail(StatusCode::OpUnsupported, "Unsupported operation")
    }

    async fn init(
        &mut self,
        version: u32,
        _extensions: HashMap<String, String>,
    ) -> Result<Version, Self::Error> {
        self.prepared.log(&format!(
            "client wants SFTP protocol version {version}, using 3"
        ));
        let mut v = Version::new();
        let e = self.prepared.extensions;
        if e.posix_rename {
            v.extensions
                .insert("posix-rename@openssh.com".into(), "1".into());
        }
        if e.statvfs {
            v.extensions
                .insert("statvfs@openssh.com".into(), "2".into());
        }
        if e.fsync {
            v.extensions.insert("fsync@openssh.com".into(), "1".into());
        }
        if e.hardlink {
            v.extensions
                .insert("hardlink@openssh.com".into(), "1".into());
        }
        if e.copy_file {
            v.extensions.insert("copy-file".into(), "1".into());
        }
        if e.check_file {
            v.extensions
                .insert("check-file".into(), crate::check_file::ALGORITHMS.join(","));
        }
        Ok(v)
    }

    async fn realpath(&mut self, id: u32, path: String) -> Result<Name, Self::Error> {
        let (_, vpath) = self.fs_and(&path).await?;
        Ok(Name {
            id,
            files: vec![File::dummy(vpath)],
        })
    }

    async fn stat(&mut self, id: u32, path: String) -> Result<Attrs, Self::Error> {
        let (fs, vpath) = self.fs_and(&path).await?;
        let m = fs
            .metadata(&vpath)
            .await
            .map_err(|e| fail(storage_status(&e), e.to_string()))?;
        Ok(Attrs {
            id,
            attrs: attrs(&m),
        })
    }

    async fn lstat(&mut self, id: u32, path: String) -> Result<Attrs, Self::Error> {
        let (fs, vpath) = self.fs_and(&path).await?;
        let m = fs
            .symlink_metadata(&vpath)
            .await
            .map_err(|e| fail(storage_status(&e), e.to_string()))?;
        Ok(Attrs {
            id,
            attrs: attrs(&m),
        })
    }

    async fn fstat(&mut self, id: u32, handle: String) -> Result<Attrs, Self::Error> {
        let vpath = match self.handles.get(&handle) {
            Some(Open::File { vpath, hidden, .. }) => hidden.clone().unwrap_or(vpath.clone()),
            Some(Open::Dir { vpath, .. }) => vpath.clone(),
            None => return Err(fail(StatusCode::Failure, "invalid handle")),
        };
        self.stat(id, vpath).await
    }

    async fn open(
        &mut self,
        id: u32,
        filename: String,
        pflags: OpenFlags,
        attributes: FileAttributes,
    ) -> Result<Handle, Self::Error> {
        let (fs, vpath) = self.fs_and(&filename).await?;
        let write = pflags.intersects(
            OpenFlags::WRITE | OpenFlags::APPEND | OpenFlags::CREATE | OpenFlags::TRUNCATE,
        );
        if !write {
            self.begin("RETR", &[("RETR", R)], &vpath).await?;
            let (file, meta) = match fs.open_read(&vpath, 0).await {
                Ok(f) => f,
                Err(e) => {
                    let r = Err(storage(&vpath, copy_storage(&e)));
                    self.end("RETR", &vpath, &r, 0, "").await;
                    return Err(fail(storage_status(&e), e.to_string()));
                }
            };
            let h = self.handle(Open::File {
                vpath,
                file: Arc::new(file),
                write: false,
                started: Instant::now(),
                bytes: 0,
                hidden: None,
                replaces: None,
                progress: Pacer::new(meta.size),
            });
            return Ok(Handle { id, handle: h });
        }
        self.begin("STOR", &[("STOR", W)], &vpath).await?;
        let cfg = {
            let mut guard = self.sess.lock().await;
            let Some((ctx, user)) = guard.user() else {
                return Err(fail(StatusCode::PermissionDenied, "Not logged in"));
            };
            oxftpd_server::access::directories::cfg_for(ctx, user, &vpath)
        };
        let exists = fs.symlink_metadata(&vpath).await.is_ok();
        let refuse = |text: String| async {
            let r = Err(CommandError::Refused(oxftpd_proto::reply::Reply::new(
                550,
                text.clone(),
            )));
            self.end("STOR", &vpath, &r, 0, "").await;
            Err(fail(StatusCode::PermissionDenied, text))
        };
        if exists && pflags.contains(OpenFlags::EXCLUDE) {
            return refuse(format!("{vpath}: File exists")).await;
        }
        if exists && !cfg.core.allow_overwrite {
            return refuse(format!("{vpath}: Overwrite permission denied")).await;
        }
        let truncating = pflags.contains(OpenFlags::TRUNCATE) || !exists;
        let hidden = match &cfg.xfer.hidden_stores {
            Some((prefix, suffix)) if truncating && !pflags.contains(OpenFlags::APPEND) => {
                let dir = oxftpd_proto::path::parent(&vpath);
                let name = oxftpd_proto::path::file_name(&vpath);
                let guard = self.sess.lock().await;
                let temp = match &guard.state {
                    oxftpd_server::session::State::LoggedIn(u) => {
                        u.resolve_from(dir, &format!("{prefix}{name}{suffix}"))
                    }
                    _ => String::new(),
                };
                Some(temp)
            }
            _ => None,
        };
        let mode = if pflags.contains(OpenFlags::APPEND) {
            WriteMode::Append
        } else if pflags.contains(OpenFlags::EXCLUDE) {
            WriteMode::CreateNew
        } else if truncating {
            WriteMode::Truncate
        } else {
            WriteMode::At(0)
        };
        // Replacing a file through a hidden temporary one needs the kernel's permission to
        // write that file as the user, not only the directory's (as the FTP side).
        let existing = match (&hidden, exists) {
            (Some(_), true) => match fs.open_existing(&vpath).await {
                Ok(e) => Some(e),
                Err(e) => {
                    let r = Err(storage(&vpath, copy_storage(&e)));
                    self.end("STOR", &vpath, &r, 0, "").await;
                    return Err(fail(storage_status(&e), e.to_string()));
                }
            },
            _ => None,
        };
        let opened = match &hidden {
            Some(temp) => fs.create_claimed(temp).await,
            None => fs.open_write(&vpath, mode).await,
        };
        let file = match opened {
            Ok(f) => f,
            Err(e) => {
                let r = Err(storage(&vpath, copy_storage(&e)));
                self.end("STOR", &vpath, &r, 0, "").await;
                return Err(fail(storage_status(&e), e.to_string()));
            }
        };
        let replaces = match (existing, &hidden) {
            (Some(existing), Some(temp)) => match fs.adopt(&file, &existing).await {
                Ok(how) => Some(Box::new((existing, how))),
                Err(e) => {
                    let _ = fs.remove_file(temp).await;
                    let r = Err(storage(&vpath, copy_storage(&e)));
                    self.end("STOR", &vpath, &r, 0, "").await;
                    return Err(fail(storage_status(&e), e.to_string()));
                }
            },
            _ => None,
        };
        if !self.prepared.ignore_upload_perms
            && !exists
            && let Some(perms) = attributes.permissions
        {
            // As open(2) with the client's mode would: the umask applies.
            let target = hidden.as_deref().unwrap_or(&vpath);
            let mode = perms & 0o777 & !fs.credentials().umask;
            let _ = fs.set_mode(target, mode).await;
        }
        self.fs = Some(fs.clone());
        let h = self.handle(Open::File {
            vpath,
            file: Arc::new(file),
            write: true,
            started: Instant::now(),
            bytes: 0,
            hidden,
            replaces,
            progress: Pacer::new(0),
        });
        Ok(Handle { id, handle: h })
    }

    async fn read(
        &mut self,
        id: u32,
        handle: String,
        offset: u64,
        len: u32,
    ) -> Result<Data, Self::Error> {
        let (fs, _) = self.fs_and("/").await?;
        let Some(Open::File { file, .. }) = self.handles.get(&handle) else {
            return Err(fail(StatusCode::Failure, "invalid handle"));
        };
        let file = file.clone();
        let len = len.min(256 * 1024) as usize;
        let data = fs
            .pool()
            .run(fs.credentials(), move || {
                let mut buf = vec![0u8; len];
                let n = file.read_at(&mut buf, offset)?;
                buf.truncate(n);
                Ok::<_, std::io::Error>(buf)
            })
            .await
            .map_err(|e| fail(storage_status(&e), e.to_string()))?
            .map_err(|e| fail(StatusCode::Failure, e.to_string()))?;
        if data.is_empty() {
            return Err(fail(StatusCode::Eof, "End of file"));
        }
        self.moved(&handle, data.len() as u64).await;
        Ok(Data { id, data })
    }

    async fn write(
        &mut self,
        id: u32,
        handle: String,
        offset: u64,
        data: Vec<u8>,
    ) -> Result<Status, Self::Error> {
        let (fs, _) = self.fs_and("/").await?;
        let Some(Open::File { file, write, .. }) = self.handles.get(&handle) else {
            return Err(fail(StatusCode::Failure, "invalid handle"));
        };
        if !*write {
            return Err(fail(
                StatusCode::PermissionDenied,
                "handle not open for writing",
            ));
        }
        let file = file.clone();
        let n = data.len() as u64;
        fs.pool()
            .run(fs.credentials(), move || file.write_all_at(&data, offset))
            .await
            .map_err(|e| fail(storage_status(&e), e.to_string()))?
            .map_err(|e| fail(StatusCode::Failure, e.to_string()))?;
        self.moved(&handle, n).await;
        Ok(ok(id))
    }

    async fn close(&mut self, id: u32, handle: String) -> Result<Status, Self::Error> {
        let Some(open) = self.handles.remove(&handle) else {
            return Err(fail(StatusCode::Failure, "invalid handle"));
        };
        match open {
            Open::Dir { vpath, .. } => {
                self.end("MLSD", &vpath, &Ok(()), 226, "Transfer complete")
                    .await;
            }
            Open::File {
                vpath,
                file,
                write,
                started,
                bytes,
                hidden,
                replaces,
                ..
            } => {
                drop(file);
                let verb = if write { "STOR" } else { "RETR" };
                let mut r: CommandResult = Ok(());
                if let Some(temp) = hidden {
                    let (fs, _) = self.fs_and("/").await?;
                    let moved = match replaces {
                        Some(r) => {
                            let (existing, how) = *r;
                            fs.replace(&temp, &vpath, existing, how).await
                        }
                        None => fs.rename(&temp, &vpath).await,
                    };
                    if let Err(e) = moved {
                        let _ = fs.remove_file(&temp).await;
                        r = Err(storage(&vpath, e));
                    }
                }
                self.transfer_done(&vpath, started, bytes, write).await;
                let failed = r.as_ref().err().map(from_command);
                self.end(verb, &vpath, &r, 226, "Transfer complete").await;
                if let Some(f) = failed {
                    return Err(f);
                }
            }
        }
        Ok(ok(id))
    }

    async fn opendir(&mut self, id: u32, path: String) -> Result<Handle, Self::Error> {
        let (fs, vpath) = self.fs_and(&path).await?;
        self.begin("MLSD", &[("LIST", D), ("NLST", D)], &vpath)
            .await?;
        let mut entries = Vec::new();
        let listing = async {
            let mut dir = fs.read_dir(&vpath).await?;
            while let Some(batch) = dir.next().await? {
                for e in batch.iter() {
                    if let Some(m) = e.meta {
                        entries.push(File::new(e.name, attrs(m)));
                    }
                }
            }
            Ok::<_, StorageError>(())
        };
        if let Err(e) = listing.await {
            let r = Err(storage(&vpath, copy_storage(&e)));
            self.end("MLSD", &vpath, &r, 0, "").await;
            return Err(fail(storage_status(&e), e.to_string()));
        }
        let h = self.handle(Open::Dir {
            vpath,
            entries,
            sent: false,
        });
        Ok(Handle { id, handle: h })
    }

    async fn readdir(&mut self, id: u32, handle: String) -> Result<Name, Self::Error> {
        let Some(Open::Dir { entries, sent, .. }) = self.handles.get_mut(&handle) else {
            return Err(fail(StatusCode::Failure, "invalid handle"));
        };
        if *sent && entries.is_empty() {
            return Err(fail(StatusCode::Eof, "End of directory"));
        }
        *sent = true;
        let n = entries.len().min(100);
        let files: Vec<File> = entries.drain(..n).collect();
        if files.is_empty() {
            return Err(fail(StatusCode::Eof, "End of directory"));
        }
        Ok(Name { id, files })
    }

    async fn remove(&mut self, id: u32, filename: String) -> Result<Status, Self::Error> {
        let (fs, vpath) = self.fs_and(&filename).await?;
        let op = async { fs.remove_file(&vpath).await.map_err(|e| storage(&vpath, e)) };
        self.checked(
            "DELE",
            &[("DELE", W)],
            &vpath,
            (250, "DELE command successful"),
            op,
        )
        .await?;
        Ok(ok(id))
    }

    async fn mkdir(
        &mut self,
        id: u32,
        path: String,
        attributes: FileAttributes,
    ) -> Result<Status, Self::Error> {
        let (fs, vpath) = self.fs_and(&path).await?;
        let op = async { fs.mkdir(&vpath).await.map_err(|e| storage(&vpath, e)) };
        let names = [("MKD", W), ("XMKD", W)];
        self.checked("MKD", &names, &vpath, (257, "Directory created"), op)
            .await?;
        if !self.prepared.ignore_upload_perms
            && let Some(perms) = attributes.permissions
        {
            // As mkdir(2) with the client's mode would: the umask applies.
            let mode = perms & 0o777 & !fs.credentials().dir_umask;
            let _ = fs.set_mode(&vpath, mode).await;
        }
        Ok(ok(id))
    }

    async fn rmdir(&mut self, id: u32, path: String) -> Result<Status, Self::Error> {
        let (fs, vpath) = self.fs_and(&path).await?;
        let op = async { fs.rmdir(&vpath).await.map_err(|e| storage(&vpath, e)) };
        let names = [("RMD", W), ("XRMD", W)];
        self.checked("RMD", &names, &vpath, (250, "RMD command successful"), op)
            .await?;
        Ok(ok(id))
    }

    async fn rename(
        &mut self,
        id: u32,
        oldpath: String,
        newpath: String,
    ) -> Result<Status, Self::Error> {
        let (fs, to) = self.fs_and(&newpath).await?;
        if fs.symlink_metadata(&to).await.is_ok() {
            return Err(fail(StatusCode::Failure, format!("{to}: File exists")));
        }
        self.posix_rename(&oldpath, &newpath).await?;
        Ok(ok(id))
    }

    async fn readlink(&mut self, id: u32, path: String) -> Result<Name, Self::Error> {
        let (fs, vpath) = self.fs_and(&path).await?;
        let target = fs
            .read_link(&vpath)
            .await
            .map_err(|e| fail(storage_status(&e), e.to_string()))?;
        Ok(Name {
            id,
            files: vec![File::dummy(target)],
        })
    }

    async fn symlink(
        &mut self,
        id: u32,
        linkpath: String,
        targetpath: String,
    ) -> Result<Status, Self::Error> {
        // OpenSSH sends the target first and the link second (the reverse of the draft), as
        // ProFTPD and OpenSSH's sftp-server take them.
        let (fs, link) = self.fs_and(&targetpath).await?;
        let target = linkpath;
        let op = async {
            fs.symlink(&target, &link)
                .await
                .map_err(|e| storage(&link, e))
        };
        self.checked(
            "SITE",
            &[("SYMLINK", W)],
            &link,
            (200, "SYMLINK command successful"),
            op,
        )
        .await?;
        Ok(ok(id))
    }

    async fn setstat(
        &mut self,
        id: u32,
        path: String,
        attributes: FileAttributes,
    ) -> Result<Status, Self::Error> {
        let (fs, vpath) = self.fs_and(&path).await?;
        self.set_attrs(&fs, &vpath, attributes).await?;
        Ok(ok(id))
    }

    async fn fsetstat(
        &mut self,
        id: u32,
        handle: String,
        attributes: FileAttributes,
    ) -> Result<Status, Self::Error> {
        let vpath = match self.handles.get(&handle) {
            Some(Open::File { vpath, hidden, .. }) => hidden.clone().unwrap_or(vpath.clone()),
            Some(Open::Dir { vpath, .. }) => vpath.clone(),
            None => return Err(fail(StatusCode::Failure, "invalid handle")),
        };
        let (fs, _) = self.fs_and("/").await?;
        self.set_attrs(&fs, &vpath, attributes).await?;
        Ok(ok(id))
    }

    async fn extended(
        &mut self,
        id: u32,
        request: String,
        data: Vec<u8>,
    ) -> Result<Packet, Self::Error> {
        let e = self.prepared.extensions;
        let mut at = 0;
        let bad = || fail(StatusCode::BadMessage, "bad extended request");
        match request.as_str() {
            "posix-rename@openssh.com" if e.posix_rename => {
                let from = string_at(&data, &mut at).ok_or_else(bad)?;
                let to = string_at(&data, &mut at).ok_or_else(bad)?;
                self.posix_rename(&from, &to).await?;
                Ok(Packet::Status(ok(id)))
            }
            "statvfs@openssh.com" if e.statvfs => {
                let path = string_at(&data, &mut at).ok_or_else(bad)?;
                let (fs, vpath) = self.fs_and(&path).await?;
                let s = fs
                    .stat_fs(&vpath)
                    .await
                    .map_err(|e| fail(storage_status(&e), e.to_string()))?;
                let mut out = Vec::with_capacity(88);
                for v in [
                    s.bsize, s.frsize, s.blocks, s.bfree, s.bavail, s.files, s.ffree, s.favail,
                    s.fsid, s.flag, s.namemax,
                ] {
                    out.extend_from_slice(&v.to_be_bytes());
                }
                Ok(Packet::ExtendedReply(ExtendedReply { id, data: out }))
            }
            "fsync@openssh.com" if e.fsync => {
                let handle = string_at(&data, &mut at).ok_or_else(bad)?;
                let Some(Open::File { file, .. }) = self.handles.get(&handle) else {
                    return Err(fail(StatusCode::Failure, "invalid handle"));
                };
                let file = file.clone();
                let (fs, _) = self.fs_and("/").await?;
                fs.pool()
                    .run(fs.credentials(), move || file.sync_all())
                    .await
                    .map_err(|e| fail(storage_status(&e), e.to_string()))?
                    .map_err(|e| fail(StatusCode::Failure, e.to_string()))?;
                Ok(Packet::Status(ok(id)))
            }
            "hardlink@openssh.com" if e.hardlink => {
                let from = string_at(&data, &mut at).ok_or_else(bad)?;
                let to = string_at(&data, &mut at).ok_or_else(bad)?;
                let (fs, from) = self.fs_and(&from).await?;
                let (_, to) = self.fs_and(&to).await?;
                self.begin("SITE", &[("LINK", W)], &from).await?;
                let op = async { fs.hard_link(&from, &to).await.map_err(|e| storage(&to, e)) };
                self.checked("STOR", &[("STOR", W)], &to, (226, "Transfer complete"), op)
                    .await?;
                Ok(Packet::Status(ok(id)))
            }
            "check-file-handle" | "check-file" | "check-file-name" if e.check_file => {
                let target = string_at(&data, &mut at).ok_or_else(bad)?;
                let req = crate::check_file::Request {
                    algorithms: string_at(&data, &mut at).ok_or_else(bad)?,
                    offset: u64_at(&data, &mut at).ok_or_else(bad)?,
                    length: u64_at(&data, &mut at).ok_or_else(bad)?,
                    block: u32_at(&data, &mut at).ok_or_else(bad)?,
                };
                let by_name = request == "check-file-name";
                let digests = self.check_file(&target, by_name, &req).await?;
                Ok(Packet::ExtendedReply(ExtendedReply { id, data: digests }))
            }
            "copy-file" if e.copy_file => {
                let from = string_at(&data, &mut at).ok_or_else(bad)?;
                let to = string_at(&data, &mut at).ok_or_else(bad)?;
                let overwrite = data.get(at).is_some_and(|b| *b != 0);
                self.copy_file(&from, &to, overwrite).await?;
                Ok(Packet::Status(ok(id)))
            }
            _ => Err(fail(
                StatusCode::OpUnsupported,
                format!("Unsupported extension '{request}'"),
            )),
        }
    }
}

impl Sftp {
    async fn posix_rename(&self, from: &str, to: &str) -> Result<(), Failure> {
        let (fs, from) = self.fs_and(from).await?;
        let (_, to) = self.fs_and(to).await?;
        self.begin("RNFR", &[("RNFR", W)], &from).await?;
        let exists = async {
            fs.symlink_metadata(&from)
                .await
                .map(|_| ())
                .map_err(|e| storage(&from, e))
        };
        self.checked(
            "RNFR",
            &[],
            &from,
            (350, "File or directory exists, ready for destination name"),
            exists,
        )
        .await?;
        let op = async { fs.rename(&from, &to).await.map_err(|e| storage(&to, e)) };
        self.checked("RNTO", &[("RNTO", W)], &to, (250, "Rename successful"), op)
            .await
    }

    /// `check-file`: digests of a file named by path (checked as `SITE_DIGEST`, READ) or of
    /// one open for reading; the reply is the digest's name and the digests.
    async fn check_file(
        &self,
        target: &str,
        by_name: bool,
        req: &crate::check_file::Request,
    ) -> Result<Vec<u8>, Failure> {
        let Some(algorithm) = crate::check_file::choose(&req.algorithms) else {
            return Err(fail(StatusCode::OpUnsupported, "no supported digest"));
        };
        let (fs, _) = self.fs_and("/").await?;
        let file = if by_name {
            let (_, vpath) = self.fs_and(target).await?;
            self.begin("SITE", &[("SITE_DIGEST", R)], &vpath).await?;
            let (f, _) = fs
                .open_read(&vpath, 0)
                .await
                .map_err(|e| fail(storage_status(&e), e.to_string()))?;
            Arc::new(f)
        } else {
            match self.handles.get(target) {
                Some(Open::File {
                    file, write: false, ..
                }) => file.clone(),
                _ => return Err(fail(StatusCode::Failure, "invalid handle")),
            }
        };
        let req = crate::check_file::Request {
            algorithms: String::new(),
            ..*req
        };
        let digests = fs
            .pool()
            .run(fs.credentials(), move || {
                crate::check_file::run(&file, algorithm, &req)
            })
            .await
            .map_err(|e| fail(storage_status(&e), e.to_string()))?
            .map_err(|e| fail(StatusCode::Failure, e.to_string()))?;
        let mut out = Vec::with_capacity(4 + algorithm.len() + digests.len());
        out.extend_from_slice(&(algorithm.len() as u32).to_be_bytes());
        out.extend_from_slice(algorithm.as_bytes());
        out.extend_from_slice(&digests);
        Ok(out)
    }

    async fn copy_file(&self, from: &str, to: &str, overwrite: bool) -> Result<(), Failure> {
        let (fs, from) = self.fs_and(from).await?;
        let (_, to) = self.fs_and(to).await?;
        if !overwrite && fs.symlink_metadata(&to).await.is_ok() {
            return Err(fail(StatusCode::Failure, format!("{to}: File exists")));
        }
        self.begin("RETR", &[("RETR", R)], &from).await?;
        let op = async {
            let (src, _) = fs
                .open_read(&from, 0)
                .await
                .map_err(|e| storage(&from, e))?;
            let dst = fs
                .open_write(&to, WriteMode::Truncate)
                .await
                .map_err(|e| storage(&to, e))?;
            fs.pool()
                .run(fs.credentials(), move || {
                    let (mut src, mut dst) = (src, dst);
                    std::io::copy(&mut src, &mut dst)
                })
                .await
                .map_err(|e| storage(&to, e))?
                .map_err(|e| storage(&to, StorageError::Io(e)))?;
            Ok(())
        };
        self.checked("STOR", &[("STOR", W)], &to, (226, "Transfer complete"), op)
            .await
    }

    async fn set_attrs(&self, fs: &Fs, vpath: &str, a: FileAttributes) -> Result<(), Failure> {
        let names = [("SETSTAT", W), ("SITE_CHMOD", W)];
        let op = async {
            if let Some(size) = a.size {
                let file = fs
                    .open_write(vpath, WriteMode::At(0))
                    .await
                    .map_err(|e| storage(vpath, e))?;
                fs.pool()
                    .run(fs.credentials(), move || file.set_len(size))
                    .await
                    .map_err(|e| storage(vpath, e))?
                    .map_err(|e| storage(vpath, StorageError::Io(e)))?;
            }
            if let Some(perms) = a.permissions {
                fs.set_mode(vpath, perms & 0o7777)
                    .await
                    .map_err(|e| storage(vpath, e))?;
            }
            if a.uid.is_some() || a.gid.is_some() {
                fs.set_owner(vpath, a.uid, a.gid)
                    .await
                    .map_err(|e| storage(vpath, e))?;
            }
            if let Some(mtime) = a.mtime {
                fs.set_times(vpath, a.atime.map(i64::from), i64::from(mtime))
                    .await
                    .map_err(|e| storage(vpath, e))?;
            }
            Ok(())
        };
        self.checked(
            "SITE",
            &names,
            vpath,
            (200, "SETSTAT command successful"),
            op,
        )
        .await
    }
}
