//! LIST and NLST: RFC 959 section 4.1.3, in ProFTPD's mod_ls form.
//!
//! RFC 959: "LIST … causes a list to be sent from the server to the passive DTP. If the
//! pathname specifies a directory or other group of files, the server should transfer a list
//! of files in the specified directory." Entries stream in batches: a directory of a million
//! entries never sits in memory.

use std::collections::HashMap;
use std::sync::Arc;

use oxftpd_proto::listing::{Facts, ListClock, write_list_line, write_nlst_line};
use oxftpd_proto::reply::codes;
use oxftpd_storage::{Kind, Metadata, ReadDir, StorageError};
use tokio::io::AsyncWrite;

use crate::data::transfer_io;
use crate::module::{CommandError, CommandResult, DataFailure, HandlerCtx, HandlerFuture, Session};
use crate::session::{Ctx, LoggedIn};

/// Flush the listing buffer to the data connection at this size.
const FLUSH_AT: usize = 32 * 1024;

/// `ls`-style options given before the path (`LIST -la dir`), and `ListOptions`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// `-a`: names starting with a dot too, `.` and `..` included.
    pub all: bool,
    /// `-A`: names starting with a dot too, but not `.` and `..`.
    pub almost_all: bool,
    /// `-1`: names only, one a line (LIST); names without the directory (NLST).
    pub one: bool,
    /// `-t`: newest first.
    pub by_time: bool,
    /// Which time `-t` sorts by: `-u` access, `-c` status change, else modification.
    pub time_key: TimeKey,
    /// `-S`: largest first (when `-t` is not given).
    pub by_size: bool,
    /// `-r`: `-t` and `-S` in reverse.
    pub reverse: bool,
    /// `-U`: directory order, unsorted.
    pub unsorted: bool,
    /// `-C`: names only, in columns (LIST).
    pub columns: bool,
    /// `-R`: subdirectories too.
    pub recursive: bool,
    /// `-d`: a directory itself, not its entries.
    pub dir_only: bool,
    /// `-F`: a type mark after each name (`/` directory, `*` executable, `@` link).
    pub classify: bool,
}

/// The time `LIST -t` sorts by.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum TimeKey {
    /// Modification time (the default).
    #[default]
    Modified,
    /// `-u`: access time.
    Accessed,
    /// `-c`: status change time.
    Changed,
}

impl TimeKey {
    fn of(self, meta: &Metadata) -> i64 {
        match self {
            TimeKey::Modified => meta.mtime,
            TimeKey::Accessed => meta.atime,
            TimeKey::Changed => meta.ctime,
        }
    }
}

impl Options {
    fn add(&mut self, word: &str) {
        for c in word.chars() {
            match c {
                'a' => self.all = true,
                'A' => self.almost_all = true,
                '1' => {
                    self.one = true;
                    self.columns = false;
                }
                'l' => {
                    self.one = false;
                    self.columns = false;
                }
                'C' => self.columns = true,
                't' => self.by_time = true,
                'u' => self.time_key = TimeKey::Accessed,
                'c' => self.time_key = TimeKey::Changed,
                'S' => self.by_size = true,
                'r' => self.reverse = true,
                'U' => {
                    self.unsorted = true;
                    self.by_time = false;
                    self.by_size = false;
                }
                'R' => self.recursive = true,
                'd' => self.dir_only = true,
                'F' => self.classify = true,
                _ => {}
            }
        }
    }

    /// Whether a directory's entries are held to be sorted by time or size.
    fn sorts_by_attribute(&self) -> bool {
        self.by_time || self.by_size
    }
}

/// `ls -F`'s type mark of an entry (`/` directory, `@` link, `*` executable).
fn type_mark(meta: Option<&Metadata>) -> Option<u8> {
    match meta {
        Some(m) if m.kind == Kind::Dir => Some(b'/'),
        Some(m) if m.kind == Kind::Symlink => Some(b'@'),
        Some(m) if m.mode & 0o111 != 0 => Some(b'*'),
        _ => None,
    }
}

/// Puts `ls -F`'s type mark before the line end just written.
fn mark_type(out: &mut Vec<u8>, meta: Option<&Metadata>) {
    let Some(mark) = type_mark(meta) else {
        return;
    };
    if out.ends_with(b"\r\n") {
        let at = out.len() - 2;
        out.insert(at, mark);
    }
}

/// The most entries of one directory LIST holds to sort (the rest follow unsorted).
const HOLD_MAX: usize = 50_000;

/// How deep `LIST -R` descends.
const MAX_DEPTH: usize = 10;

/// Splits `ls`-style options from the path, as mod_ls does: whitespace before the options is
/// skipped only when options follow; after the last option one blank ends them, so a path
/// that starts with blanks keeps all but that one (`LIST -a  name` lists ` name`).
pub fn split_options(arg: Option<&str>) -> (Options, Option<&str>) {
    let mut opts = Options::default();
    let Some(arg) = arg else {
        return (opts, None);
    };
    let mut rest = arg.trim_start();
    if !rest.starts_with('-') {
        return (opts, (!arg.is_empty()).then_some(arg));
    }
    while let Some(stripped) = rest.strip_prefix('-') {
        let end = stripped
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(stripped.len());
        opts.add(&stripped[..end]);
        let after = &stripped[end..];
        let skipped = after.trim_start();
        if skipped.starts_with('-') && end > 0 {
            rest = skipped;
            continue;
        }
        rest = if after.starts_with("  ") {
            &after[1..]
        } else {
            skipped
        };
        break;
    }
    (opts, (!rest.is_empty()).then_some(rest))
}

/// Whether a one-word argument that looks like options names an existing entry instead
/// (`LIST -test.txt` lists that file, as mod_ls decides by a stat).
async fn is_a_path(user: &LoggedIn, arg: Option<&str>) -> bool {
    match arg {
        Some(a) if a.trim_start().starts_with('-') && a.split_whitespace().count() == 1 => {
            user.fs.symlink_metadata(&user.resolve(a)).await.is_ok()
        }
        _ => false,
    }
}

/// The `ListOptions` in force in the session's directory for LIST and STAT, or for NLST
/// (`names_only`), as mod_ls looks them up.
pub(crate) fn configured(
    ctx: &Ctx,
    user: &LoggedIn,
    names_only: bool,
) -> Option<oxftpd_config::modules::mod_ls::ListOptions> {
    crate::access::directories::cfg_for(ctx, user, &user.cwd)
        .ls
        .list_options
        .clone()
        .filter(|o| o.applies_to(names_only))
}

/// Adds the `ls` options of `ListOptions` (`"-a -l"`) to the client's.
pub(crate) fn add_configured(opts: &mut Options, lo: &oxftpd_config::modules::mod_ls::ListOptions) {
    for word in lo.flags.split_whitespace() {
        if let Some(letters) = word.strip_prefix('-') {
            opts.add(letters);
        }
    }
}

/// Names for uids and gids, cached for the length of one listing.
pub(crate) struct Names<'a> {
    ctx: &'a Ctx,
    users: HashMap<u32, Option<Arc<str>>>,
    groups: HashMap<u32, Option<Arc<str>>>,
    /// The last uid and gid asked for, with their names: a directory's entries mostly share
    /// one owner, so most entries need no map lookup.
    last_user: Option<(u32, Option<Arc<str>>)>,
    last_group: Option<(u32, Option<Arc<str>>)>,
    /// `DirFakeUser`/`DirFakeGroup`/`DirFakeMode` in force.
    fake: super::fake::Fake,
    /// Whether `DirFakeMode` is looked up per entry ([`Names::entry`]).
    per_entry_mode: bool,
}

impl<'a> Names<'a> {
    pub(crate) fn new(ctx: &'a Ctx) -> Self {
        Names {
            ctx,
            users: HashMap::new(),
            groups: HashMap::new(),
            last_user: None,
            last_group: None,
            fake: super::fake::Fake::default(),
            per_entry_mode: false,
        }
    }

    /// Names that show the `DirFake*` settings of the directory `vpath` (MLSD, MLST).
    pub(crate) fn for_dir(ctx: &'a Ctx, user: &LoggedIn, vpath: &str) -> Self {
        Names {
            fake: super::fake::Fake::for_dir(ctx, user, vpath),
            ..Names::new(ctx)
        }
    }

    /// Names for LIST and STAT: the owner and group `DirFake*` of the directory `vpath`
    /// (`None`: none), the mode looked up per entry.
    pub(crate) fn for_list(ctx: &'a Ctx, user: &LoggedIn, vpath: Option<&str>) -> Self {
        Names {
            fake: vpath
                .map(|v| super::fake::Fake::for_dir(ctx, user, v).without_mode())
                .unwrap_or_default(),
            per_entry_mode: super::fake::may_fake_mode(ctx, user),
            ..Names::new(ctx)
        }
    }

    /// Looks up the `DirFakeMode` of the entry `name` of `dir` for the next line.
    pub(crate) fn entry(&mut self, user: &LoggedIn, dir: &str, name: &str) {
        if self.per_entry_mode {
            self.fake.mode = super::fake::entry_mode(self.ctx, user, dir, name);
        }
    }

    /// An entry's attributes as shown (`DirFake*` applied); `list_line` for LIST and STAT.
    pub(crate) fn shown<'m>(
        &self,
        meta: &'m Metadata,
        list_line: bool,
    ) -> std::borrow::Cow<'m, Metadata> {
        if self.fake.is_set() {
            std::borrow::Cow::Owned(self.fake.apply(meta, list_line))
        } else {
            std::borrow::Cow::Borrowed(meta)
        }
    }

    /// The session the names are looked up for.
    pub(crate) fn ctx(&self) -> &'a Ctx {
        self.ctx
    }

    fn remember_user(&mut self, uid: u32) {
        if let Some(f) = &self.fake.user {
            self.last_user = Some((uid, Some(f.name.clone())));
            return;
        }
        if self.last_user.as_ref().is_some_and(|(id, _)| *id == uid) {
            return;
        }
        let auth = &self.ctx.server.auth;
        let name = self
            .users
            .entry(uid)
            .or_insert_with(|| auth.user_name(uid))
            .clone();
        self.last_user = Some((uid, name));
    }

    fn remember_group(&mut self, gid: u32) {
        if let Some(f) = &self.fake.group {
            self.last_group = Some((gid, Some(f.name.clone())));
            return;
        }
        if self.last_group.as_ref().is_some_and(|(id, _)| *id == gid) {
            return;
        }
        let auth = &self.ctx.server.auth;
        let name = self
            .groups
            .entry(gid)
            .or_insert_with(|| auth.group_name(gid))
            .clone();
        self.last_group = Some((gid, name));
    }

    pub(crate) fn user(&mut self, uid: u32) -> Option<&str> {
        self.remember_user(uid);
        self.last_user.as_ref().and_then(|(_, n)| n.as_deref())
    }

    /// The owner and group names of one entry (looked up once per listing each).
    pub(crate) fn both(&mut self, uid: u32, gid: u32) -> (Option<&str>, Option<&str>) {
        self.remember_user(uid);
        self.remember_group(gid);
        (
            self.last_user.as_ref().and_then(|(_, n)| n.as_deref()),
            self.last_group.as_ref().and_then(|(_, n)| n.as_deref()),
        )
    }

    pub(crate) fn group(&mut self, gid: u32) -> Option<&str> {
        self.remember_group(gid);
        self.last_group.as_ref().and_then(|(_, n)| n.as_deref())
    }
}

pub(crate) fn clock(ctx: &Ctx) -> ListClock {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let gmt = ctx.server.cfg.ls.times_gmt;
    let utc_offset = if gmt {
        0
    } else {
        crate::localtime::utc_offset(now)
    };
    ListClock { now, utc_offset }
}

/// The listing kind of a storage kind.
pub(crate) fn proto_kind(kind: Kind) -> oxftpd_proto::listing::Kind {
    match kind {
        Kind::File => oxftpd_proto::listing::Kind::File,
        Kind::Dir => oxftpd_proto::listing::Kind::Dir,
        Kind::Symlink => oxftpd_proto::listing::Kind::Symlink,
        Kind::Other => oxftpd_proto::listing::Kind::Other('?'),
    }
}

pub(crate) fn write_entry(
    names: &mut Names<'_>,
    name: &str,
    meta: &Metadata,
    link: Option<&str>,
    clock: &ListClock,
    out: &mut Vec<u8>,
) {
    let windows = names.ctx().server.cfg.ls.windows_style;
    let meta = names.shown(meta, true).into_owned();
    let meta = &meta;
    let (owner, group) = names.both(meta.uid, meta.gid);
    let facts = Facts {
        name,
        kind: proto_kind(meta.kind),
        mode: meta.mode,
        nlink: meta.nlink,
        uid: meta.uid,
        gid: meta.gid,
        owner,
        group,
        size: meta.size,
        mtime: meta.mtime,
        link_target: link,
        dev: meta.dev,
        ino: meta.ino,
    };
    if windows {
        oxftpd_proto::listing::write_windows_line(&facts, clock, out);
    } else {
        write_list_line(&facts, clock, out);
    }
}

/// `LIST [options] [path]`.
pub fn list<'a>(hx: HandlerCtx<'a>, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        let HandlerCtx {
            user, mut session, ..
        } = hx;
        listing(&mut session, user, arg, false).await
    })
}

/// `NLST [path]`: names only.
pub fn nlst<'a>(hx: HandlerCtx<'a>, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        let HandlerCtx {
            user, mut session, ..
        } = hx;
        listing(&mut session, user, arg, true).await
    })
}

async fn listing(
    ctx: &mut Session<'_>,
    user: &mut LoggedIn,
    arg: Option<&str>,
    names_only: bool,
) -> CommandResult {
    let lo = configured(ctx, user, names_only).unwrap_or_default();
    let (mut opts, path_arg) = if is_a_path(user, arg).await {
        (Options::default(), arg)
    } else {
        split_options(arg)
    };
    if lo.strict {
        // `strict`: only the configured options count.
        opts = Options::default();
    }
    add_configured(&mut opts, &lo);
    let absent_ok = lo.no_error_if_absent;
    // `UseGlobbing off`: a pattern is only ever a name.
    let globbing = crate::access::directories::cfg_for(ctx, user, &user.cwd)
        .ls
        .use_globbing;
    // A pattern in the last component: list the directory, keep what matches (NLST; LIST too,
    // where a pattern nothing else matches is taken as a name, so a directory `[x]` is listed).
    let literal = !globbing
        || match path_arg {
            Some(p) if !names_only && oxftpd_proto::glob::has_glob(p) => {
                let (dir, pattern) = match p.rsplit_once('/') {
                    Some((d, pat)) => (if d.is_empty() { "/" } else { d }, pat),
                    None => (".", p),
                };
                // The name itself matching (`[foo bar` matches itself) is no other match.
                !any_match_but(user, &user.resolve(dir), pattern, Some(pattern)).await
                    && user.fs.symlink_metadata(&user.resolve(p)).await.is_ok()
            }
            _ => false,
        };
    let glob = path_arg
        .filter(|p| !literal && oxftpd_proto::glob::has_glob(p))
        .map(|p| match p.rsplit_once('/') {
            Some((dir, pat)) => (Some(if dir.is_empty() { "/" } else { dir }), pat),
            None => (None, p),
        });
    let shown = match glob {
        Some((dir, _)) => dir.unwrap_or("."),
        None => path_arg.unwrap_or("."),
    };
    let vpath = user.resolve(shown);
    // A directory to list is opened (and its first batch read) while its attributes are
    // looked up and the data connection is made; if that fails, `list_dir` opens it again
    // and reports why.
    let (meta, early) = if opts.dir_only && !names_only && glob.is_none() {
        (user.fs.metadata(&vpath).await, None)
    } else {
        let (meta, dir) = tokio::join!(user.fs.metadata(&vpath), user.fs.read_dir(&vpath));
        (meta, dir.ok())
    };
    let meta = match meta {
        Err(StorageError::NotFound) if absent_ok => Err(StorageError::NotFound),
        Err(e) if names_only => return Err(CommandError::storage(shown, e)),
        meta => meta,
    };
    // No match: NLST says so; LIST sends an empty listing (as ProFTPD).
    if let Some((_, pattern)) = glob
        && names_only
        && !any_match(user, &vpath, pattern).await
    {
        return Err(CommandError::refused(
            codes::FILE_ACTION_NOT_TAKEN,
            "No files found",
        ));
    }
    let stream = ctx.open_data().await?;
    let mode = match ctx.transfer_type {
        crate::session::TransferType::Ascii => "ASCII",
        crate::session::TransferType::Binary => "BINARY",
    };
    ctx.reply(
        codes::OPENING_DATA,
        format!("Opening {mode} mode data connection for file list"),
    )
    .await?;
    let stream =
        crate::modules::mod_tls::data::protect(ctx, stream, crate::data::stream::Flow::Send)
            .await?;
    let meta = match meta {
        Ok(m) => m,
        // `NoErrorIfAbsent`: nothing to list is an empty listing.
        Err(StorageError::NotFound) if absent_ok => {
            let stream = crate::modules::mod_deflate::stream::Sink::new(
                stream,
                crate::modules::mod_deflate::stream::mode_z(ctx),
            );
            return end_listing(ctx, stream, Ok(()), shown).await;
        }
        Err(e) => {
            transfer_io::finish(stream, ctx.server.settings.timeouts.linger, &ctx.trace).await;
            return Err(CommandError::storage(shown, e));
        }
    };
    transfer_io::cork(transfer_io::DataSocket::socket(&stream));
    let mut stream = crate::modules::mod_deflate::stream::Sink::new(
        stream,
        crate::modules::mod_deflate::stream::mode_z(ctx),
    );
    let stall = ctx.server.settings.timeouts.stalled;
    let mut out = Vec::with_capacity(FLUSH_AT + 512);
    let result: Result<(), ListError> = async {
        let mut w = Writer {
            names: Names::for_list(ctx, user, Some(&user.cwd)),
            clock: clock(ctx),
            stream: &mut stream,
            stall,
            out: &mut out,
            files_left: lo.max_files,
            dirs_left: lo.max_dirs,
            max_depth: lo
                .max_depth
                .map_or(MAX_DEPTH, |d| (d as usize).min(MAX_DEPTH + 1)),
            sorted_nlst: lo.sorted_nlst,
            adjusted_symlinks: lo.adjusted_symlinks,
            columns: (opts.columns && !opts.one && !names_only).then(Vec::new),
        };
        if meta.kind != Kind::Dir || (opts.dir_only && !names_only && glob.is_none()) {
            let name = path_arg.unwrap_or(".");
            if names_only {
                // Repeated slashes are shown as one (`test.d///f` as `test.d/f`).
                write_nlst_line(&collapse_slashes(name), w.out);
            } else {
                let link = if path_arg.is_some() {
                    symlink_target(user, &vpath).await
                } else {
                    None
                };
                let shown_meta = match &link {
                    Some(_) => user.fs.symlink_metadata(&vpath).await.unwrap_or(meta),
                    None => meta,
                };
                w.names
                    .entry(user, oxftpd_proto::path::parent(&vpath), &vpath);
                write_entry(
                    &mut w.names,
                    name,
                    &shown_meta,
                    link.as_deref(),
                    &w.clock,
                    w.out,
                );
            }
            return Ok(());
        }
        let prefix = match (names_only, glob, path_arg) {
            // `-1` (from ListOptions): the names alone, as `ls -1` prints them.
            (true, _, _) if opts.one => None,
            (true, Some((Some(dir), _)), _) => Some(dir),
            // `NLST .` names the entries bare, as ProFTPD does (observed).
            (true, None, Some(p)) if p != "." && p != "./" => Some(p),
            // LIST of a pattern in another directory names each match with that directory
            // (`LIST /*` shows `/foo.txt`), as mod_ls does.
            (false, Some((Some(dir), _)), _) => Some(dir),
            _ => None,
        };
        let job = DirJob {
            vpath: vpath.clone(),
            prefix,
            pattern: glob.map(|(_, p)| p),
            opts,
            names_only,
        };
        list_dir(user, &mut w, &job, early).await?;
        if opts.recursive && !names_only {
            list_tree(user, &mut w, &vpath, "", opts, 1).await?;
        }
        Ok(())
    }
    .await;
    let result = match result {
        Ok(()) if !out.is_empty() => transfer_io::write_chunk(&mut stream, &out, stall)
            .await
            .map_err(ListError::Io),
        other => other,
    };
    end_listing(ctx, stream, result, shown).await
}

/// Closes a listing's data connection with its outcome: `226`, a storage error on `shown`
/// when the directory could not be read, a broken data connection when it failed.
pub(crate) async fn end_listing<W: AsyncWrite + transfer_io::DataSocket + Unpin>(
    ctx: &mut Session<'_>,
    stream: crate::modules::mod_deflate::stream::Sink<W>,
    result: Result<(), ListError>,
    shown: &str,
) -> CommandResult {
    let stream = crate::modules::mod_xfer::transfer::listing_sent(ctx, stream);
    match result {
        Ok(()) => {
            transfer_io::finish(stream, ctx.server.settings.timeouts.linger, &ctx.trace).await;
            Ok(ctx.reply(codes::CLOSING_DATA, "Transfer complete").await?)
        }
        Err(ListError::Storage(e)) => {
            transfer_io::finish(stream, ctx.server.settings.timeouts.linger, &ctx.trace).await;
            Err(CommandError::storage(shown, e))
        }
        Err(ListError::Io(e)) => Err(DataFailure::Broken(e).into()),
    }
}

/// Where listing lines go: a bounded buffer flushed to the data connection.
struct Writer<'a, 'c> {
    names: Names<'c>,
    clock: ListClock,
    stream: &'a mut crate::modules::mod_deflate::stream::Sink<crate::data::stream::DataStream>,
    stall: Option<std::time::Duration>,
    out: &'a mut Vec<u8>,
    /// `ListOptions maxfiles`: entries still to list.
    files_left: Option<u32>,
    /// `ListOptions maxdirs`: subdirectories `-R` may still list.
    dirs_left: Option<u32>,
    /// How deep `-R` descends (`ListOptions maxdepth`, at most [`MAX_DEPTH`]).
    max_depth: usize,
    /// `ListOptions SortedNLST`.
    sorted_nlst: bool,
    /// `ListOptions AdjustedSymlinks`.
    adjusted_symlinks: bool,
    /// `LIST -C`: the names of the directory being listed, laid out in columns at its end.
    columns: Option<Vec<String>>,
}

/// Takes one from a `ListOptions` budget; `false` when it is spent (none configured: always
/// `true`). mod_ls leaves what is past the budget out without a word.
fn take(left: &mut Option<u32>) -> bool {
    match left {
        None => true,
        Some(0) => false,
        Some(n) => {
            *n -= 1;
            true
        }
    }
}

impl Writer<'_, '_> {
    async fn flush_if_full(&mut self) -> Result<(), ListError> {
        if self.out.len() >= FLUSH_AT {
            transfer_io::write_chunk(self.stream, self.out, self.stall).await?;
            self.out.clear();
        }
        Ok(())
    }
}

/// One directory to list.
struct DirJob<'p> {
    vpath: String,
    /// NLST: the path prefix shown before each name.
    prefix: Option<&'p str>,
    /// NLST: the glob names must match.
    pattern: Option<&'p str>,
    opts: Options,
    names_only: bool,
}

/// The target of a symbolic link, when `ShowSymlinks` is on (the default).
async fn symlink_target(user: &LoggedIn, vpath: &str) -> Option<String> {
    user.fs.read_link(vpath).await.ok()
}

/// `path` with each run of slashes made one.
fn collapse_slashes(path: &str) -> std::borrow::Cow<'_, str> {
    if !path.contains("//") {
        return std::borrow::Cow::Borrowed(path);
    }
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if c != '/' || !out.ends_with('/') {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Whether a link in `dir` whose target is `target` leads somewhere other than `dir` itself
/// or one of its ancestors (`.`, `../`, `./..//`), as mod_ls judges it.
fn is_safe_symlink(user: &LoggedIn, dir: &str, target: &str) -> bool {
    if matches!(target, "." | ".." | "./" | "../") {
        return false;
    }
    if target.len() >= 2
        && target.starts_with('.')
        && (target.ends_with('/') || target.ends_with('.'))
    {
        let resolved = user.resolve_from(dir, target);
        return !dir.starts_with(resolved.as_str());
    }
    true
}

/// A link's target as `AdjustedSymlinks` shows it (mod_ls and mod_facts): a relative target
/// made absolute from the link's directory, an absolute one inside the session's root shown
/// from that root.
pub(crate) fn adjusted_target(user: &LoggedIn, link: &str, target: &str) -> String {
    if let Some(inside) = target.strip_prefix(user.root.trim_end_matches('/'))
        && user.root != "/"
        && (inside.is_empty() || inside.starts_with('/'))
    {
        return if inside.is_empty() {
            "/".to_string()
        } else {
            inside.to_string()
        };
    }
    if target.starts_with('/') {
        return target.to_string();
    }
    let dir = oxftpd_proto::path::parent(link);
    user.resolve_from(dir, target)
}

fn show_symlinks(ctx: &Ctx) -> bool {
    ctx.server.cfg.ls.show_symlinks
}

/// Whether any entry of `vpath` matches `pattern` (stops at the first).
async fn any_match(user: &LoggedIn, vpath: &str, pattern: &str) -> bool {
    any_match_but(user, vpath, pattern, None).await
}

/// Whether an entry of `vpath` other than `except` matches `pattern`.
async fn any_match_but(user: &LoggedIn, vpath: &str, pattern: &str, except: Option<&str>) -> bool {
    let Ok(mut dir) = user.fs.read_dir(vpath).await else {
        return false;
    };
    while let Ok(Some(batch)) = dir.next().await {
        if batch
            .iter()
            .any(|e| Some(e.name) != except && oxftpd_proto::glob::matches(pattern, e.name))
        {
            return true;
        }
    }
    false
}

/// Lists one directory's entries; `opened` is the directory when it is already open.
async fn list_dir(
    user: &LoggedIn,
    w: &mut Writer<'_, '_>,
    job: &DirJob<'_>,
    opened: Option<ReadDir>,
) -> Result<(), ListError> {
    // ListStyle Windows never lists dot files, `-a` or not.
    let windows = w.names.ctx().server.cfg.ls.windows_style;
    let dots = job.opts.all && !windows && !job.opts.one;
    let may_hide = crate::access::hiding::may_hide(w.names.ctx(), user);
    let mut dir = match opened {
        Some(dir) => dir,
        None => user.fs.read_dir(&job.vpath).await?,
    };
    if dots && !job.names_only {
        for dot in [".", ".."] {
            let m = user
                .fs
                .metadata(&user.resolve_from(&job.vpath, dot))
                .await?;
            w.names.entry(user, &job.vpath, dot);
            write_entry(&mut w.names, dot, &m, None, &w.clock, w.out);
        }
    }
    // `SortedNLST`: the names of one directory, held to be sorted.
    let mut sorted = Vec::new();
    // NLST -a names `.` and `..` too (mod_ls reads them from the directory like any entry).
    if job.names_only && job.opts.all && !windows && job.pattern.is_none() {
        for dot in [".", ".."] {
            let m = user
                .fs
                .metadata(&user.resolve_from(&job.vpath, dot))
                .await?;
            if !list_entry(user, w, job, dot, &m, may_hide, &mut sorted).await? {
                return Ok(());
            }
        }
    }
    // NLST keeps the directory's order (mod_ls sorts only LIST's lines); `-U` keeps it too.
    let sort = !job.names_only && !job.opts.unsorted;
    if sort {
        // LIST sorts a directory's entries by name (`-t`: newest first, then by name), as
        // mod_ls does: they are held, up to HOLD_MAX of them; the entries of a larger
        // directory past that follow unsorted, so that memory stays bounded.
        let mut held: Vec<(String, Metadata)> = Vec::new();
        let mut rest = None;
        while let Some(batch) = dir.next().await? {
            if held.len() >= HOLD_MAX {
                rest = Some(batch);
                break;
            }
            held.extend(
                batch
                    .iter()
                    .filter_map(|e| e.meta.map(|m| (e.name.to_string(), m.clone()))),
            );
        }
        // By name first; `-t` (or else `-S`) then orders by that attribute, keeping name
        // order among equals, as mod_ls's stable sort does.
        held.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let key = job.opts.time_key;
        if job.opts.by_time {
            held.sort_by_key(|e| std::cmp::Reverse(key.of(&e.1)));
        } else if job.opts.by_size {
            held.sort_by_key(|e| std::cmp::Reverse(e.1.size));
        }
        if job.opts.reverse && job.opts.sorts_by_attribute() {
            held.reverse();
        }
        for (name, meta) in &held {
            if !list_entry(user, w, job, name, meta, may_hide, &mut sorted).await? {
                return Ok(());
            }
        }
        drop(held);
        while let Some(batch) = match rest.take() {
            Some(b) => Some(b),
            None => dir.next().await?,
        } {
            for entry in batch.iter() {
                let Some(meta) = entry.meta else { continue };
                if !list_entry(user, w, job, entry.name, meta, may_hide, &mut sorted).await? {
                    return Ok(());
                }
            }
        }
    } else {
        'entries: while let Some(batch) = dir.next().await? {
            for entry in batch.iter() {
                let Some(meta) = entry.meta else { continue };
                if !list_entry(user, w, job, entry.name, meta, may_hide, &mut sorted).await? {
                    break 'entries;
                }
            }
        }
    }
    if let Some(names) = w.columns.as_mut().map(std::mem::take) {
        super::columns::write(&names, w.out);
        w.flush_if_full().await?;
    }
    sorted.sort_unstable();
    for name in sorted {
        if !take(&mut w.files_left) {
            break;
        }
        write_nlst_line(&name, w.out);
        w.flush_if_full().await?;
    }
    Ok(())
}

/// Lists one entry of a directory; `false` once `ListOptions maxfiles` is spent.
async fn list_entry(
    user: &LoggedIn,
    w: &mut Writer<'_, '_>,
    job: &DirJob<'_>,
    name: &str,
    meta: &Metadata,
    may_hide: bool,
    sorted: &mut Vec<String>,
) -> Result<bool, ListError> {
    let windows = w.names.ctx().server.cfg.ls.windows_style;
    let dots = (job.opts.all || job.opts.almost_all) && !windows;
    if let Some(pattern) = job.pattern {
        if !oxftpd_proto::glob::matches(pattern, name) {
            return Ok(true);
        }
    } else if name.starts_with('.') && !dots {
        return Ok(true);
    }
    if may_hide && crate::access::hiding::hide_entry(w.names.ctx(), user, &job.vpath, name, meta) {
        return Ok(true);
    }
    // A link to its own directory or one above is left out of LIST (mod_ls, Bug#3719: `-R`
    // would loop).
    if !job.names_only && meta.kind == Kind::Symlink {
        let path = user.resolve_from(&job.vpath, name);
        if let Some(target) = symlink_target(user, &path).await
            && !is_safe_symlink(user, &job.vpath, &target)
        {
            return Ok(true);
        }
    }
    // Sorted names count against `maxfiles` in their order, once sorted.
    let counted_now = !job.names_only || !w.sorted_nlst;
    if counted_now && !take(&mut w.files_left) {
        return Ok(false);
    }
    if let Some(columns) = w.columns.as_mut().filter(|_| !job.names_only) {
        // `-C`: names (with `-F`'s mark) held for the column layout.
        let mut shown = name.to_string();
        if job.opts.classify {
            let target = match meta.kind {
                Kind::Symlink => user
                    .fs
                    .metadata(&user.resolve_from(&job.vpath, name))
                    .await
                    .ok(),
                _ => Some(meta.clone()),
            };
            if let Some(mark) = type_mark(target.as_ref()) {
                shown.push(char::from(mark));
            }
        }
        columns.push(shown);
        return Ok(true);
    }
    if job.names_only && job.opts.recursive && job.pattern.is_some() && meta.kind == Kind::Dir {
        // `NLST -R pattern`: a matching directory is named by its entries (one level), as
        // mod_ls does.
        return nlst_dir_entries(user, w, job, name, sorted).await;
    }
    if job.names_only || job.opts.one {
        let shown = match job.prefix {
            Some(p) => format!("{}/{}", p.trim_end_matches('/'), name),
            None => name.to_string(),
        };
        if job.names_only && w.sorted_nlst {
            sorted.push(shown);
        } else {
            write_nlst_line(&shown, w.out);
        }
    } else {
        let symlinks = show_symlinks(w.names.ctx());
        let (link, followed) = if meta.kind == Kind::Symlink {
            let path = user.resolve_from(&job.vpath, name);
            if symlinks {
                let raw = symlink_target(user, &path).await;
                let shown = match raw {
                    Some(t) if w.adjusted_symlinks => Some(adjusted_target(user, &path, &t)),
                    other => other,
                };
                (shown, None)
            } else {
                (None, user.fs.metadata(&path).await.ok())
            }
        } else {
            (None, None)
        };
        w.names.entry(user, &job.vpath, name);
        let followed_kind = followed.as_ref().map(|m| m.kind);
        let prefixed;
        let label = match job.prefix {
            Some(p) => {
                prefixed = format!("{}/{}", p.trim_end_matches('/'), name);
                prefixed.as_str()
            }
            None => name,
        };
        let mut shown = followed.unwrap_or_else(|| meta.clone());
        // `-u`/`-c`: the time shown is the one sorted by, as mod_ls shows it.
        shown.mtime = job.opts.time_key.of(&shown);
        write_entry(
            &mut w.names,
            label,
            &shown,
            link.as_deref(),
            &w.clock,
            w.out,
        );
        if job.opts.classify {
            // A link's mark is its target's, as mod_ls stats it.
            match (meta.kind, followed_kind) {
                (Kind::Symlink, Some(_)) => mark_type(w.out, Some(&shown)),
                (Kind::Symlink, None) => {
                    let path = user.resolve_from(&job.vpath, name);
                    let target = user.fs.metadata(&path).await.ok();
                    mark_type(w.out, target.as_ref());
                }
                _ => mark_type(w.out, Some(meta)),
            }
        }
    }
    w.flush_if_full().await?;
    Ok(true)
}

/// `NLST -R pattern`: the entries of the matching directory `name`, each as `name/entry`;
/// `false` once `ListOptions maxfiles` is spent.
async fn nlst_dir_entries(
    user: &LoggedIn,
    w: &mut Writer<'_, '_>,
    job: &DirJob<'_>,
    name: &str,
    sorted: &mut Vec<String>,
) -> Result<bool, ListError> {
    let shown_dir = match job.prefix {
        Some(p) => format!("{}/{}", p.trim_end_matches('/'), name),
        None => name.to_string(),
    };
    let vpath = user.resolve_from(&job.vpath, name);
    let dots = job.opts.all || job.opts.almost_all;
    let may_hide = crate::access::hiding::may_hide(w.names.ctx(), user);
    let mut dir = user.fs.read_dir(&vpath).await?;
    while let Some(batch) = dir.next().await? {
        for entry in batch.iter() {
            let Some(meta) = entry.meta else { continue };
            if (entry.name.starts_with('.') && !dots)
                || (may_hide
                    && crate::access::hiding::hide_entry(
                        w.names.ctx(),
                        user,
                        &vpath,
                        entry.name,
                        meta,
                    ))
            {
                continue;
            }
            let line = format!("{shown_dir}/{}", entry.name);
            if w.sorted_nlst {
                sorted.push(line);
            } else {
                if !take(&mut w.files_left) {
                    return Ok(false);
                }
                write_nlst_line(&line, w.out);
                w.flush_if_full().await?;
            }
        }
    }
    Ok(true)
}

/// `LIST -R`: each subdirectory, as `\r\nsub/dir:\r\n` and its entries, depth first.
fn list_tree<'a, 'b, 'c>(
    user: &'a LoggedIn,
    w: &'a mut Writer<'b, 'c>,
    vpath: &'a str,
    shown: &'a str,
    opts: Options,
    depth: usize,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), ListError>> + Send + 'a>>
where
    'b: 'a,
    'c: 'a,
{
    Box::pin(async move {
        if depth >= w.max_depth {
            return Ok(());
        }
        // Only the names of this directory's subdirectories are held, not its entries.
        let mut subdirs = Vec::new();
        let mut dir = user.fs.read_dir(vpath).await?;
        while let Some(batch) = dir.next().await? {
            subdirs.extend(
                batch
                    .iter()
                    .filter(|e| e.meta.is_some_and(|m| m.kind == Kind::Dir))
                    .filter(|e| opts.all || opts.almost_all || !e.name.starts_with('.'))
                    .map(|e| e.name.to_owned()),
            );
        }
        subdirs.sort();
        for name in subdirs {
            if !take(&mut w.dirs_left) {
                break;
            }
            let sub = user.resolve_from(vpath, &name);
            let label = if shown.is_empty() {
                name.clone()
            } else {
                format!("{shown}/{name}")
            };
            w.out
                .extend_from_slice(format!("\r\n{label}:\r\n").as_bytes());
            let job = DirJob {
                vpath: sub.clone(),
                prefix: None,
                pattern: None,
                opts,
                names_only: false,
            };
            list_dir(user, w, &job, None).await?;
            list_tree(user, w, &sub, &label, opts, depth + 1).await?;
        }
        Ok(())
    })
}

/// Why sending a listing over the data connection stopped: the directory could not be read, or
/// the connection failed.
pub(crate) enum ListError {
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

/// A `<Limit>` refusal of LIST or MLSD: ProFTPD answers with an empty listing.
pub fn empty_listing<'a>(ctx: &'a mut Ctx, verb: &'static str) -> HandlerFuture<'a> {
    Box::pin(async move {
        let stream = crate::engine::handler::open_data(ctx).await?;
        let mode = match ctx.transfer_type {
            crate::session::TransferType::Ascii => "ASCII",
            crate::session::TransferType::Binary => "BINARY",
        };
        let what = if verb == "MLSD" { "MLSD" } else { "file list" };
        ctx.reply(
            codes::OPENING_DATA,
            format!("Opening {mode} mode data connection for {what}"),
        )
        .await?;
        transfer_io::finish(stream, ctx.server.settings.timeouts.linger, &ctx.trace).await;
        Ok(ctx.reply(codes::CLOSING_DATA, "Transfer complete").await?)
    })
}
