//! mod_quotatab.c with mod_quotatab_file.c: at login the session's limit is looked up in the
//! `QuotaLimitTable` (the user's row, else the primary group's, the other groups', the class's,
//! then `all`); uploads (STOR, APPE, STOU), downloads (RETR) and DELE are checked before they
//! run (`552`/`451` with ProFTPD's "denied: quota exceeded" text) and counted after, in the
//! `QuotaTallyTable` ([`table`]: one locked read-change-write per update, so parallel sessions
//! of one user never lose an update; or another module's table, [`source`]); an upload past a
//! hard byte limit is removed and its bytes taken back, as ProFTPD does. `SITE QUOTA` shows the
//! limit and the tally ([`show`]); `QuotaOptions ScanOnLogin` is [`scan`]. Past ProFTPD,
//! `QuotaTallyTable store:` keeps the tallies in the counter store ([`store_tally`]), so nodes
//! sharing a database or Redis share them.

pub mod owner;
pub mod scan;
pub mod show;
pub mod source;
pub mod store_tally;
pub mod table;

use oxftpd_proto::reply::Reply;

use crate::module::events::{Event, EventFuture};
use crate::module::hooks::{Cmd, Hook, HookFuture, On, Outcome, Phase};
use crate::module::{CommandError, Module, SiteHandler, SiteHelp, SiteSpec};
use crate::session::{Ctx, LoggedIn, State};
use source::{Lookup, Tables, Tallies};
use table::{Delta, Figures, Kind, Limit};

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
        Hook::new(Phase::Pre, On::Verb("MKD"), pre_mkd),
        Hook::new(Phase::Post, On::Verb("MKD"), post_mkd),
        Hook::new(Phase::PostErr, On::Verb("MKD"), post_mkd),
        Hook::new(Phase::Pre, On::Verb("RMD"), pre_rmd),
        Hook::new(Phase::Post, On::Verb("RMD"), post_rmd),
    ],
    site: &[
        SiteSpec::new("QUOTA", SiteHandler::Narrow(show::site_quota))
            .help(SiteHelp::Hidden)
            .enabled_when(show::enabled),
    ],
    events: Some(on_event),
    open: Some(source::open),
    ..Module::DEFAULT
};

/// mod_quotatab_file.c: the `file:` tables, read and written by [`table`].
pub static FILE: Module = Module {
    spec: &oxftpd_config::modules::mod_quotatab::FILE,
    ..Module::DEFAULT
};

/// A session's quota: its limit, where its tally is kept, and the last figures read.
pub struct Quota {
    /// The limit row in force.
    pub limit: Limit,
    /// The tally table, `None` for a per-session limit (counted in [`Quota::tally`] only).
    table: Option<Tallies>,
    /// The tally as last read or written.
    pub tally: Figures,
    /// The size of the file a STOR/APPE/DELE is about, before it ran.
    before: Option<u64>,
    /// The owner (uid, gid) of the file a DELE is about, before it ran.
    owner: Option<(u32, u32)>,
    /// Whether the command under way is counted (not excluded by `QuotaExcludeFilter`).
    counted: bool,
    /// Bytes of the last transfer.
    moved: u64,
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

/// The limit row for this login, in 1.3.8's order: the user's row, the groups' (primary
/// first), the user's `QuotaDefault`, the groups', the class's row, then `all`'s.
async fn choose(ctx: &Ctx, lookup: &mut Lookup, user: &LoggedIn) -> Result<Option<Limit>, String> {
    let name = &user.identity.name;
    if let Some(l) = lookup.find(ctx, name, Kind::User).await? {
        return Ok(Some(l));
    }
    for g in &user.identity.group_names {
        if let Some(l) = lookup.find(ctx, g, Kind::Group).await? {
            return Ok(Some(l));
        }
    }
    let defaults = &ctx.server.cfg.quota.defaults;
    if let Some(l) = source::default_for(defaults, name, Kind::User) {
        log(ctx, "using default user limit from QuotaDefault directive");
        return Ok(Some(l));
    }
    for g in &user.identity.group_names {
        if let Some(l) = source::default_for(defaults, g, Kind::Group) {
            log(ctx, "using default group limit from QuotaDefault directive");
            return Ok(Some(l));
        }
    }
    if let Some(class) = ctx.class.as_deref()
        && let Some(l) = lookup.find(ctx, class, Kind::Class).await?
    {
        return Ok(Some(l));
    }
    lookup.find(ctx, "", Kind::All).await
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
    if !ctx.server.cfg.quota.engine {
        return;
    }
    let Some((limits, tallies)) = ctx
        .generation
        .modules
        .get::<Tables>()
        .and_then(|t| t.servers.get(&ctx.server.index))
        .cloned()
    else {
        return;
    };
    if let Err(e) = source::prepare(ctx, &limits, &tallies).await {
        log(ctx, &format!("error opening the quota tables: {e}"));
        return;
    }
    let mut lookup = Lookup::new(limits);
    let limit = match choose(ctx, &mut lookup, user).await {
        Ok(Some(limit)) => limit,
        Ok(None) => {
            log(
                ctx,
                &format!("no quota limit found for user '{}'", user.identity.name),
            );
            return;
        }
        Err(e) => {
            log(ctx, &format!("error reading QuotaLimitTable: {e}"));
            return;
        }
    };
    let table = if limit.per_session {
        None
    } else {
        Some(tallies)
    };
    let mut tally = Figures::default();
    if let Some(t) = &table {
        match t.get(ctx, &limit.name, limit.kind).await {
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
    let scan = ctx.server.cfg.quota.scan_on_login
        && (limit.avail.bytes_in > 0.0 || limit.avail.files_in > 0);
    let kind = limit.kind;
    ctx.ext.insert(Quota {
        limit,
        table,
        tally,
        before: None,
        owner: None,
        counted: false,
        moved: 0,
    });
    if scan {
        scan::on_login(ctx, user, kind).await;
    }
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
    if let Some(f) = tally_after(ctx, d).await {
        set_tally(&mut ctx.ext, f);
    }
}

/// The session's tally with `d` added (written to the table when there is one); `None` without
/// a quota or when the table could not be updated (logged).
async fn tally_after(ctx: &Ctx, d: Delta) -> Option<Figures> {
    let q = ctx.ext.get::<Quota>()?;
    let d = limited(d, &q.limit.avail);
    let Some(t) = q.table.clone() else {
        return Some(q.tally.plus(&d));
    };
    let (name, kind) = (q.limit.name.clone(), q.limit.kind);
    match t.add(ctx, &name, kind, d).await {
        Ok(f) => Some(f),
        Err(e) => {
            log(ctx, &format!("error updating QuotaTallyTable: {e}"));
            None
        }
    }
}

/// Keeps `f` as the session's tally.
fn set_tally(ext: &mut crate::type_map::TypeMap, f: Figures) {
    if let Some(q) = ext.get_mut::<Quota>() {
        q.tally = f;
    }
}

/// Reads the tally again (other sessions may have changed it).
async fn refresh(ctx: &mut Ctx) {
    count(ctx, Delta::default()).await;
}

/// [`refresh`], for a SITE handler.
async fn refresh_in(ctx: &mut crate::module::Session<'_>) {
    if let Some(f) = tally_after(ctx, Delta::default()).await {
        set_tally(ctx.ext_mut(), f);
    }
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
    let meta = match arg {
        Some(a) => user.fs.symlink_metadata(&user.resolve(a)).await.ok(),
        None => None,
    };
    if let Some(q) = ctx.ext.get_mut::<Quota>() {
        q.before = meta.as_ref().map(|m| m.size);
        q.owner = meta.as_ref().map(|m| (m.uid, m.gid));
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
        if past_hard
            && cmd.verb != "MKD"
            && let Some(p) = path
        {
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

/// After DELE: the file's bytes and one file taken back, from its owner's tally when another
/// user (or group) owns it and has one (ProFTPD bug #3161), else from the session's.
fn post_dele<'a>(ctx: &'a mut Ctx, state: &'a mut State, _cmd: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        let Some(q) = ctx.ext.get::<Quota>() else {
            return Outcome::Continue;
        };
        let Some(size) = q.before.filter(|_| q.counted) else {
            return Outcome::Continue;
        };
        let owner = q.owner;
        let d = Delta {
            bytes_in: -(size as f64),
            files_in: -1,
            ..Delta::default()
        };
        if let (Some(user), Some(owner)) = (logged_in(state), owner)
            && owner.0 != user.identity.uid
            && owner::credit(ctx, owner, d).await
        {
            return Outcome::Continue;
        }
        count(ctx, d).await;
        Outcome::Continue
    })
}

/// Before MKD, with `QuotaDirectoryTally on`: checked as an upload (`552` once an upload limit
/// is reached), with no byte cap.
fn pre_mkd<'a>(ctx: &'a mut Ctx, state: &'a mut State, cmd: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        if !ctx.server.cfg.quota.directory_tally {
            return Outcome::Continue;
        }
        let out = pre_upload(ctx, state, cmd).await;
        ctx.ext.remove::<crate::module::upload_cap::UploadCap>();
        out
    })
}

/// After MKD, with `QuotaDirectoryTally on`: the new directory's size and one file in.
fn post_mkd<'a>(ctx: &'a mut Ctx, state: &'a mut State, cmd: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        if !ctx.server.cfg.quota.directory_tally {
            return Outcome::Continue;
        }
        post_upload(ctx, state, cmd).await
    })
}

/// Before RMD, with `QuotaDirectoryTally on`: the directory's size, to take back.
fn pre_rmd<'a>(ctx: &'a mut Ctx, state: &'a mut State, cmd: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        if !ctx.server.cfg.quota.directory_tally {
            return Outcome::Continue;
        }
        pre_dele(ctx, state, cmd).await
    })
}

/// After RMD, with `QuotaDirectoryTally on`: its bytes and one file (in and both ways) back.
fn post_rmd<'a>(ctx: &'a mut Ctx, _state: &'a mut State, _cmd: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        if !ctx.server.cfg.quota.directory_tally {
            return Outcome::Continue;
        }
        let Some(q) = ctx.ext.get::<Quota>() else {
            return Outcome::Continue;
        };
        let Some(size) = q.before.filter(|_| q.counted) else {
            return Outcome::Continue;
        };
        let d = Delta {
            bytes_in: -(size as f64),
            files_in: -1,
            files_xfer: -1,
            ..Delta::default()
        };
        count(ctx, d).await;
        Outcome::Continue
    })
}
