//! mod_quotatab.c with mod_quotatab_file.c: at login the session's limit is looked up in the
//! `QuotaLimitTable` (the user's row, else the primary group's, the other groups', the class's,
//! then `all`); uploads (STOR, APPE, STOU), downloads (RETR) and DELE are checked before they
//! run (`552`/`451` with ProFTPD's "denied: quota exceeded" text) and counted after, in the
//! `QuotaTallyTable` ([`table`]: one locked read-change-write per update, so parallel sessions
//! of one user never lose an update); an upload past a hard byte limit is removed and its bytes
//! taken back, as ProFTPD does. `SITE QUOTA` shows the limit and the tally ([`show`]). Past
//! ProFTPD, `QuotaTallyTable store:` keeps the tallies in the counter store ([`store_tally`]),
//! so nodes sharing a database or Redis share them.

pub mod show;
pub mod store_tally;
pub mod table;

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::os::unix::fs::OpenOptionsExt;
use std::sync::Arc;

use oxftpd_config::Config;
use oxftpd_config::modules::mod_quotatab::View;
use oxftpd_proto::reply::Reply;

use crate::module::events::{Event, EventFuture};
use crate::module::hooks::{Cmd, Hook, HookFuture, On, Outcome, Phase};
use crate::module::{CommandError, Module, SiteHandler, SiteHelp, SiteSpec};
use crate::session::{Ctx, LoggedIn, State};
use table::{Delta, Figures, Kind, Limit, TallyTable};

/// mod_quotatab.c.
pub static MODULE: Module = Module {
    spec: &oxftpd_config::modules::mod_quotatab::MODULE,
    hooks: &[
        Hook::new(Phase::Pre, On::Verb("STOR"), pre_upload),
        Hook::new(Phase::Pre, On::Verb("APPE"), pre_upload),
        Hook::new(Phase::Pre, On::Verb("STOU"), pre_upload),
        Hook::new(Phase::Post, On::Verb("STOR"), post_upload),
        Hook::new(Phase::Post, On::Verb("APPE"), post_upload),
        Hook::new(Phase::Post, On::Verb("STOU"), post_upload),
        Hook::new(Phase::PostErr, On::Verb("STOR"), post_upload),
        Hook::new(Phase::PostErr, On::Verb("APPE"), post_upload),
        Hook::new(Phase::PostErr, On::Verb("STOU"), post_upload),
        Hook::new(Phase::Pre, On::Verb("RETR"), pre_retr),
        Hook::new(Phase::Post, On::Verb("RETR"), post_retr),
        Hook::new(Phase::Pre, On::Verb("DELE"), pre_dele),
        Hook::new(Phase::Post, On::Verb("DELE"), post_dele),
    ],
    site: &[SiteSpec::new("QUOTA", SiteHandler::User(show::site_quota))
        .help(SiteHelp::Hidden)
        .enabled_when(show::enabled)],
    events: Some(on_event),
    open: Some(open),
    ..Module::DEFAULT
};

/// mod_quotatab_file.c: the `file:` tables, read and written by [`table`].
pub static FILE: Module = Module {
    spec: &oxftpd_config::modules::mod_quotatab::FILE,
    ..Module::DEFAULT
};

/// The tables and logs of a loaded configuration, opened as root, by path.
#[derive(Default)]
struct Tables {
    limits: HashMap<String, Arc<File>>,
    tallies: HashMap<String, Arc<TallyTable>>,
    logs: HashMap<String, Arc<File>>,
}

/// Opens every server's tables and `QuotaLog` (as root) when it has `QuotaEngine on`; a table
/// that cannot be opened switches quotas off for that server's sessions, with a warning (as
/// ProFTPD's sessions go on without quotas).
fn open(
    config: &Config,
    state: &mut crate::module::state::ModuleState,
) -> Result<(), crate::StartError> {
    let mut tables = Tables::default();
    for server in config.servers() {
        let view = View::read(&oxftpd_config::Merged::of(&server.scope(None)));
        if !view.engine {
            continue;
        }
        if let Some(path) = view.limit_table.clone() {
            match File::open(&path) {
                Ok(f) => {
                    tables.limits.insert(path, Arc::new(f));
                }
                Err(e) => tracing::warn!("mod_quotatab: QuotaLimitTable {path}: {e}"),
            }
        }
        let lock_file = match view.lock.as_deref() {
            Some(path) => match OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .mode(0o600)
                .open(path)
            {
                Ok(f) => Some(f),
                Err(e) => {
                    tracing::warn!("mod_quotatab: QuotaLock {path}: {e}");
                    None
                }
            },
            None => None,
        };
        if let Some(path) = view.tally_table.clone()
            && !tables.tallies.contains_key(&path)
        {
            match OpenOptions::new().read(true).write(true).open(&path) {
                Ok(f) => {
                    tables
                        .tallies
                        .insert(path, Arc::new(TallyTable::new(f, lock_file)));
                }
                Err(e) => tracing::warn!("mod_quotatab: QuotaTallyTable {path}: {e}"),
            }
        }
        if let Some(path) = view.log.clone() {
            match crate::module::log::open(std::path::Path::new(&path)) {
                Ok(f) => {
                    tables.logs.insert(path, Arc::new(f));
                }
                Err(e) => tracing::warn!("mod_quotatab: QuotaLog {path}: {e}"),
            }
        }
    }
    state.insert(tables);
    Ok(())
}

/// A session's quota: its limit, where its tally is kept, and the last figures read.
pub struct Quota {
    /// The limit row in force.
    pub limit: Limit,
    /// Where the tally is kept, `None` for a per-session limit (counted in [`Quota::tally`]
    /// only).
    table: Option<Tally>,
    /// The tally as last read or written.
    pub tally: Figures,
    /// The size of the file a STOR/APPE/DELE is about, before it ran.
    before: Option<u64>,
    /// Whether the command under way is counted (not excluded by `QuotaExcludeFilter`).
    counted: bool,
    /// Bytes of the last transfer.
    moved: u64,
}

/// Where a tally is kept.
#[derive(Clone)]
enum Tally {
    /// A `file:` table.
    File(Arc<TallyTable>),
    /// `store:`: the counter store ([`store_tally`]).
    Store,
}

/// Writes to the server's `QuotaLog`, if any.
fn log(ctx: &Ctx, message: &str) {
    let Some(path) = ctx.server.cfg.quota.log.as_deref() else {
        return;
    };
    if let Some(f) = ctx
        .generation
        .modules
        .get::<Tables>()
        .and_then(|t| t.logs.get(path))
    {
        let _ = crate::module::log::write(f, "mod_quotatab/1.4.1", message);
    }
}

/// The limit row for this login: user, primary group, other groups, class, all.
fn choose(rows: &[Limit], user: &LoggedIn, class: Option<&str>) -> Option<Limit> {
    let find = |kind: Kind, name: &str| {
        rows.iter()
            .find(|r| r.kind == kind && (kind == Kind::All || r.name == name))
            .cloned()
    };
    find(Kind::User, &user.identity.name)
        .or_else(|| {
            user.identity
                .group_names
                .iter()
                .find_map(|g| find(Kind::Group, g))
        })
        .or_else(|| class.and_then(|c| find(Kind::Class, c)))
        .or_else(|| find(Kind::All, ""))
}

/// Runs a blocking table operation on the daemon's pool.
async fn blocking<T: Send + 'static>(
    ctx: &Ctx,
    f: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> std::io::Result<T> {
    match ctx.shared.pool.run(&ctx.shared.daemon_cred, f).await {
        Ok(r) => r,
        Err(e) => Err(std::io::Error::other(e.to_string())),
    }
}

/// At login: the session's limit and tally.
fn on_event<'a>(ctx: &'a mut Ctx, event: &'a Event<'a>) -> EventFuture<'a> {
    Box::pin(async move {
        match event {
            Event::LoginSucceeded { user } => login(ctx, user).await,
            Event::Transfer { transfer, .. } => {
                if let Some(q) = ctx.ext.get_mut::<Quota>() {
                    q.moved = transfer.bytes;
                }
            }
            _ => {}
        }
    })
}

async fn login(ctx: &mut Ctx, user: &LoggedIn) {
    let view = &ctx.server.cfg.quota;
    if !view.engine {
        return;
    }
    let Some(tables) = ctx.generation.modules.get::<Tables>() else {
        return;
    };
    let Some(limits) = view.limit_table.as_ref().and_then(|p| tables.limits.get(p)) else {
        return;
    };
    let tally_table = if view.tally_in_store {
        Tally::Store
    } else {
        match view
            .tally_table
            .as_ref()
            .and_then(|p| tables.tallies.get(p))
        {
            Some(t) => Tally::File(t.clone()),
            None => return,
        }
    };
    let file = limits.clone();
    let rows = match blocking(ctx, move || table::read_limits(&file)).await {
        Ok(rows) => rows,
        Err(e) => {
            log(ctx, &format!("error reading QuotaLimitTable: {e}"));
            return;
        }
    };
    let Some(limit) = choose(&rows, user, ctx.class.as_deref()) else {
        log(
            ctx,
            &format!("no quota limit found for user '{}'", user.identity.name),
        );
        return;
    };
    let table = if limit.per_session {
        None
    } else {
        Some(tally_table)
    };
    let mut tally = Figures::default();
    if let Some(t) = table.clone() {
        match change(ctx, &t, &limit, Delta::default()).await {
            Ok(f) => tally = f,
            Err(e) => {
                log(ctx, &format!("error reading QuotaTallyTable: {e}"));
                return;
            }
        }
    }
    log(
        ctx,
        &format!(
            "found {} quota entry for '{}'",
            limit.kind.title().to_ascii_lowercase(),
            limit.name
        ),
    );
    ctx.ext.insert(Quota {
        limit,
        table,
        tally,
        before: None,
        counted: false,
        moved: 0,
    });
}

/// `d` without the figures the limit leaves unlimited (ProFTPD keeps no tally of those).
fn limited(d: Delta, avail: &Figures) -> Delta {
    let bytes = |v: f64, limit: f64| if limit > 0.0 { v } else { 0.0 };
    let files = |v: i64, limit: u32| if limit != 0 { v } else { 0 };
    Delta {
        bytes_in: bytes(d.bytes_in, avail.bytes_in),
        bytes_out: bytes(d.bytes_out, avail.bytes_out),
        bytes_xfer: bytes(d.bytes_xfer, avail.bytes_xfer),
        files_in: files(d.files_in, avail.files_in),
        files_out: files(d.files_out, avail.files_out),
        files_xfer: files(d.files_xfer, avail.files_xfer),
    }
}

/// Adds `d` to the session's tally (in the table, or in the session for a per-session limit),
/// for the figures its limit limits.
async fn count(ctx: &mut Ctx, d: Delta) {
    let Some(q) = ctx.ext.get::<Quota>() else {
        return;
    };
    let d = limited(d, &q.limit.avail);
    let Some(t) = q.table.clone() else {
        if let Some(q) = ctx.ext.get_mut::<Quota>() {
            q.tally = q.tally.plus(&d);
        }
        return;
    };
    let limit = q.limit.clone();
    match change(ctx, &t, &limit, d).await {
        Ok(f) => {
            if let Some(q) = ctx.ext.get_mut::<Quota>() {
                q.tally = f;
            }
        }
        Err(e) => log(ctx, &format!("error updating QuotaTallyTable: {e}")),
    }
}

/// Adds `d` to the tally of `limit`'s row where it is kept; the figures after.
async fn change(ctx: &Ctx, t: &Tally, limit: &Limit, d: Delta) -> std::io::Result<Figures> {
    match t {
        Tally::File(t) => {
            let (t, name, kind) = (t.clone(), limit.name.clone(), limit.kind);
            blocking(ctx, move || t.add(&name, kind, &d)).await
        }
        Tally::Store => {
            let store = crate::module::store::of(ctx)
                .await
                .map_err(std::io::Error::other)?;
            store_tally::add(store.as_ref(), limit.kind, &limit.name, &d)
                .await
                .map_err(std::io::Error::other)
        }
    }
}

/// Reads the tally again (other sessions may have changed it).
async fn refresh(ctx: &mut Ctx) {
    count(ctx, Delta::default()).await;
}

/// Whether quotas count a command on `arg` (`QuotaExcludeFilter` on its absolute path).
fn counted(ctx: &Ctx, user: &LoggedIn, arg: Option<&str>) -> bool {
    let Some(re) = &ctx.server.cfg.quota.exclude else {
        return true;
    };
    let vpath = user.resolve(arg.unwrap_or(""));
    let real = format!("{}{}", user.root.trim_end_matches('/'), vpath);
    !re.is_match(&real)
}

/// Which figure is over its limit, first bytes then files, for the `used …` text.
fn over(ctx: &Ctx, q: &Quota, checks: &[show::Which]) -> Option<String> {
    checks
        .iter()
        .find(|w| w.reached(&q.limit.avail, &q.tally))
        .map(|w| w.used(&q.limit.avail, &q.tally, ctx.server.cfg.quota.units))
}

/// Notes the size of `arg` before the command.
async fn note_size(ctx: &mut Ctx, user: &LoggedIn, arg: Option<&str>) {
    let size = match arg {
        Some(a) => user
            .fs
            .symlink_metadata(&user.resolve(a))
            .await
            .ok()
            .map(|m| m.size),
        None => None,
    };
    if let Some(q) = ctx.ext.get_mut::<Quota>() {
        q.before = size;
    }
}

fn logged_in(state: &mut State) -> Option<&mut LoggedIn> {
    match state {
        State::LoggedIn(u) => Some(u),
        State::Connected { .. } => None,
    }
}

/// Before an upload: refused with `552` once an upload or transfer limit is reached.
fn pre_upload<'a>(ctx: &'a mut Ctx, state: &'a mut State, cmd: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        ctx.ext.remove::<crate::module::upload_cap::UploadCap>();
        let Some(user) = logged_in(state) else {
            return Outcome::Continue;
        };
        if ctx.ext.get::<Quota>().is_none() {
            return Outcome::Continue;
        }
        let is_counted = counted(ctx, user, cmd.arg);
        if let Some(q) = ctx.ext.get_mut::<Quota>() {
            q.counted = is_counted;
            q.moved = 0;
        }
        if !is_counted {
            return Outcome::Continue;
        }
        refresh(ctx).await;
        let Some(q) = ctx.ext.get::<Quota>() else {
            return Outcome::Continue;
        };
        if let Some(used) = over(ctx, q, &show::UPLOAD) {
            let text = format!("{} denied: quota exceeded: used {used}", cmd.verb);
            log(ctx, &text);
            return Outcome::Refuse(CommandError::Refused(Reply::new(552, text)));
        }
        // What is left of the byte limits: the upload stops there.
        let left = [
            (q.limit.avail.bytes_in, q.tally.bytes_in),
            (q.limit.avail.bytes_xfer, q.tally.bytes_xfer),
        ]
        .into_iter()
        .filter(|(avail, _)| *avail > 0.0)
        .map(|(avail, used)| (avail - used).max(0.0) as u64)
        .min();
        if let Some(left) = left {
            ctx.ext.insert(crate::module::upload_cap::UploadCap(left));
        }
        let arg = if cmd.verb == "STOU" { None } else { cmd.arg };
        note_size(ctx, user, arg).await;
        Outcome::Continue
    })
}

/// After an upload (`Post`, and `PostErr` for one that failed or was stopped at its cap): the
/// tally grows by the file's growth; past a hard byte limit, or stopped at it, the file is
/// removed and its bytes taken back.
fn post_upload<'a>(ctx: &'a mut Ctx, state: &'a mut State, cmd: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        let Some(user) = logged_in(state) else {
            return Outcome::Continue;
        };
        let Some(q) = ctx.ext.get::<Quota>() else {
            return Outcome::Continue;
        };
        if !q.counted {
            return Outcome::Continue;
        }
        let (before, mut moved) = (q.before, q.moved);
        let failed = cmd.code >= 400;
        let cut = ctx
            .ext
            .remove::<crate::module::upload_cap::CapReached>()
            .is_some();
        ctx.ext.remove::<crate::module::upload_cap::UploadCap>();
        // STOU names its file in the reply, not the argument: its growth is what moved.
        let path = (cmd.verb != "STOU")
            .then(|| cmd.arg.map(|a| user.resolve(a)))
            .flatten();
        let after = match &path {
            Some(p) => user.fs.symlink_metadata(p).await.ok().map(|m| m.size),
            None => Some(moved),
        };
        let grown = after.unwrap_or(0) as f64 - before.unwrap_or(0) as f64;
        if failed {
            // A failed upload counts what reached the disk, and no file.
            moved = grown.max(0.0) as u64;
        }
        // APPE counts bytes only; STOR a file (one that was empty or missing is a new one).
        let appe = cmd.verb == "APPE";
        let d = Delta {
            bytes_in: grown,
            bytes_xfer: moved as f64,
            files_in: i64::from(!failed && !appe && before.unwrap_or(0) == 0),
            files_xfer: i64::from(!failed && !appe),
            ..Delta::default()
        };
        count(ctx, d).await;
        notices(ctx, cmd.verb, &show::UPLOAD, cmd.code).await;
        let Some(q) = ctx.ext.get::<Quota>() else {
            return Outcome::Continue;
        };
        // Past a hard byte limit, or stopped at it: the file goes (a soft limit keeps it).
        let past_hard = q.limit.hard
            && (cut
                || [show::Which::BytesIn, show::Which::BytesXfer]
                    .iter()
                    .any(|w| w.past(&q.limit.avail, &q.tally)));
        if past_hard && let Some(p) = path {
            match user.fs.remove_file(&p).await {
                Ok(()) => {
                    let back = Delta {
                        bytes_in: -d.bytes_in,
                        bytes_xfer: -d.bytes_xfer,
                        files_in: -d.files_in,
                        files_xfer: -d.files_xfer,
                        ..Delta::default()
                    };
                    count(ctx, back).await;
                    let text = format!(
                        "{}: notice: quota reached: '{}' removed",
                        cmd.verb,
                        cmd.arg.unwrap_or("")
                    );
                    log(ctx, &text);
                    ctx.control.add_line(cmd.code, &text, false);
                }
                Err(e) => log(ctx, &format!("notice: unable to unlink '{p}': {e}")),
            }
        }
        Outcome::Continue
    })
}

/// The "quota reached" notices after a counted command, as lines of its reply.
async fn notices(ctx: &mut Ctx, verb: &str, which: &[show::Which], code: u16) {
    let Some(q) = ctx.ext.get::<Quota>() else {
        return;
    };
    // One notice for bytes (in, else xfer) and one for files, as ProFTPD adds them.
    let mut lines = Vec::new();
    for group in which.chunks(2) {
        if let Some(used) = over(ctx, q, group) {
            lines.push(format!("{verb}: notice: quota reached: used {used}"));
        }
    }
    for line in lines {
        log(ctx, &line);
        ctx.control.add_line(code, &line, false);
    }
}

/// Before a download: refused with `451` once a download or transfer limit is reached.
fn pre_retr<'a>(ctx: &'a mut Ctx, state: &'a mut State, cmd: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        let Some(user) = logged_in(state) else {
            return Outcome::Continue;
        };
        if ctx.ext.get::<Quota>().is_none() {
            return Outcome::Continue;
        }
        let is_counted = counted(ctx, user, cmd.arg);
        if let Some(q) = ctx.ext.get_mut::<Quota>() {
            q.counted = is_counted;
            q.moved = 0;
        }
        if !is_counted {
            return Outcome::Continue;
        }
        refresh(ctx).await;
        let Some(q) = ctx.ext.get::<Quota>() else {
            return Outcome::Continue;
        };
        if let Some(used) = over(ctx, q, &show::DOWNLOAD) {
            let text = format!("{} denied: quota exceeded: used {used}", cmd.verb);
            log(ctx, &text);
            return Outcome::Refuse(CommandError::Refused(Reply::new(451, text)));
        }
        Outcome::Continue
    })
}

/// After a download: bytes and a file out.
fn post_retr<'a>(ctx: &'a mut Ctx, _state: &'a mut State, cmd: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        let Some(q) = ctx.ext.get::<Quota>() else {
            return Outcome::Continue;
        };
        if !q.counted {
            return Outcome::Continue;
        }
        let moved = q.moved as f64;
        let d = Delta {
            bytes_out: moved,
            bytes_xfer: moved,
            files_out: 1,
            files_xfer: 1,
            ..Delta::default()
        };
        count(ctx, d).await;
        notices(ctx, cmd.verb, &show::DOWNLOAD, cmd.code).await;
        Outcome::Continue
    })
}

/// Before DELE: the file's size, to take back from the tally.
fn pre_dele<'a>(ctx: &'a mut Ctx, state: &'a mut State, cmd: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        let Some(user) = logged_in(state) else {
            return Outcome::Continue;
        };
        if ctx.ext.get::<Quota>().is_none() {
            return Outcome::Continue;
        }
        let is_counted = counted(ctx, user, cmd.arg);
        if let Some(q) = ctx.ext.get_mut::<Quota>() {
            q.counted = is_counted;
        }
        if is_counted {
            note_size(ctx, user, cmd.arg).await;
        }
        Outcome::Continue
    })
}

/// After DELE: the file's bytes and one file taken back.
fn post_dele<'a>(ctx: &'a mut Ctx, _state: &'a mut State, _cmd: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        let Some(q) = ctx.ext.get::<Quota>() else {
            return Outcome::Continue;
        };
        let Some(size) = q.before.filter(|_| q.counted) else {
            return Outcome::Continue;
        };
        let d = Delta {
            bytes_in: -(size as f64),
            files_in: -1,
            ..Delta::default()
        };
        count(ctx, d).await;
        Outcome::Continue
    })
}
