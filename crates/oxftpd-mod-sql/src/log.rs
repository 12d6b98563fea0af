//! `SQLLog`, `SQLLogOnEvent`, `SQLShowInfo` and `SQLLogFile`: statements run after commands
//! and events, with the session's facts as bound `%`-variables.

use std::collections::HashMap;
use std::fs::File;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use oxftpd_config::Config;
use oxftpd_server::StartError;
use oxftpd_server::module::events::Event;
use oxftpd_server::module::hooks::{Cmd, HookFuture, Outcome};
use oxftpd_server::module::state::ModuleState;
use oxftpd_server::session::{Ctx, LoggedIn, State};

use crate::query::{self, Var};
use crate::settings::{LogRule, QueryKind, SqlSettings};

/// mod_sql's settings per server of a loaded configuration (index = server index).
#[derive(Default)]
pub struct SqlState {
    /// `None` where mod_sql is off.
    pub servers: Vec<Option<Arc<SqlSettings>>>,
}

/// What mod_sql notes in a session for its variables.
#[derive(Default)]
struct Notes {
    /// The argument of the last USER (`%U`).
    user_arg: Option<String>,
    /// The last transfer: path, bytes, seconds, complete.
    transfer: Option<(String, u64, f64, bool)>,
    /// When the command being logged came in (`%R`).
    started: Option<std::time::Instant>,
    /// The client sent QUIT (`%E` is then "Quit").
    quit: bool,
}

fn logs() -> &'static Mutex<HashMap<String, File>> {
    static LOGS: OnceLock<Mutex<HashMap<String, File>>> = OnceLock::new();
    LOGS.get_or_init(Default::default)
}

/// Writes one line to the server's `SQLLogFile` (and the daemon's log at debug level).
pub fn line(s: Option<&SqlSettings>, message: &str) {
    tracing::debug!(target: "mod_sql", "{message}");
    let Some(path) = s.and_then(|s| s.log_file.as_ref()) else {
        return;
    };
    let files = logs().lock().unwrap_or_else(|p| p.into_inner());
    if let Some(f) = files.get(path) {
        let _ = oxftpd_server::module::log::write(f, crate::VERSION, message);
    }
}

/// Reads every server's settings and opens the `SQLLogFile`s (as root, per configuration).
pub fn open(config: &Config, state: &mut ModuleState) -> Result<(), StartError> {
    let mut servers = Vec::new();
    for server in config.servers() {
        let s = crate::settings_for(server)?;
        if let Some(path) = s.as_ref().and_then(|s| s.log_file.clone()) {
            let mut files = logs().lock().unwrap_or_else(|p| p.into_inner());
            if let std::collections::hash_map::Entry::Vacant(slot) = files.entry(path) {
                let f = oxftpd_server::module::log::open(std::path::Path::new(slot.key()))
                    .map_err(|e| StartError::Message(format!("SQLLogFile {}: {e}", slot.key())))?;
                slot.insert(f);
            }
        }
        servers.push(s.map(Arc::new));
    }
    state.insert(SqlState { servers });
    Ok(())
}

/// Makes mod_sql's runtime on the daemon's privileged pool, if no login has made it yet.
async fn ensure_runtime(ctx: &Ctx) {
    if !crate::backend::runtime_ready() {
        let _ = ctx
            .shared
            .pool
            .run(&ctx.shared.daemon_cred, || {
                crate::backend::runtime();
            })
            .await;
    }
}

fn settings(ctx: &Ctx) -> Option<Arc<SqlSettings>> {
    ctx.generation
        .modules
        .get::<SqlState>()?
        .servers
        .get(ctx.server.index)?
        .clone()
}

fn is_transfer(verb: &str) -> bool {
    matches!(verb, "RETR" | "STOR" | "APPE" | "STOU")
}

/// A session path (`/dir/file` in the user's jail) as a path on the server.
fn real_path(user: Option<&LoggedIn>, vpath: &str) -> String {
    match user.map(|u| u.root.trim_end_matches('/')) {
        Some(root) if !root.is_empty() => format!("{root}{vpath}"),
        _ => vpath.to_string(),
    }
}

/// The value of a `%`-variable in this session, after `cmd`.
fn resolve(
    ctx: &Ctx,
    user: Option<&LoggedIn>,
    cmd: Option<&Cmd<'_>>,
    v: Var<'_>,
) -> Option<String> {
    let notes = ctx.ext.get::<Notes>();
    let transfer = notes.and_then(|n| n.transfer.as_ref());
    let name = user.map(|u| u.identity.name.clone());
    Some(match v {
        // "-" before any USER, as ProFTPD logs it.
        Var::Short('u') => name
            .or_else(|| notes.and_then(|n| n.user_arg.clone()))
            .unwrap_or_else(|| "-".to_string()),
        Var::Short('U') => notes
            .and_then(|n| n.user_arg.clone())
            .or_else(|| user.map(|u| u.login_name.clone()))?,
        Var::Short('a') => ctx.peer.ip().to_string(),
        Var::Short('h') => ctx
            .remote_name
            .clone()
            .unwrap_or_else(|| ctx.peer.ip().to_string()),
        Var::Short('L') => ctx.local.ip().to_string(),
        Var::Short('p') => ctx.local.port().to_string(),
        Var::Short('v') | Var::Short('V') => ctx.server.settings.name.clone(),
        Var::Short('P') => std::process::id().to_string(),
        Var::Short('l') => "UNKNOWN".to_string(),
        Var::Short('c') => ctx.class.clone().unwrap_or_default(),
        Var::Short('m') => cmd?.verb.to_string(),
        Var::Short('J') => cmd?.arg.unwrap_or("").to_string(),
        Var::Short('r') => match cmd? {
            c if c.verb == "PASS" => "PASS (hidden)".to_string(),
            Cmd {
                verb, arg: Some(a), ..
            } => format!("{verb} {a}"),
            Cmd { verb, .. } => verb.to_string(),
        },
        Var::Short('s') => cmd?.code.to_string(),
        Var::Short('S') => ctx.control.last_text().to_string(),
        // The file's path on the server's filesystem (outside any DefaultRoot jail), as
        // ProFTPD logs it; "-" for a transfer that did not happen.
        Var::Short('f') | Var::Short('F') => match (cmd, transfer) {
            (Some(c), Some((path, ..))) if is_transfer(c.verb) => real_path(user, path),
            (Some(c), None) if is_transfer(c.verb) => "-".to_string(),
            (Some(c), _) => match (user, c.arg) {
                (Some(u), Some(a)) => real_path(user, &u.resolve(a)),
                _ => "-".to_string(),
            },
            _ => "-".to_string(),
        },
        Var::Short('d') => user.map(|u| u.cwd.clone()).unwrap_or_default(),
        Var::Short('D') => user.map(|u| real_path(user, &u.cwd)).unwrap_or_default(),
        Var::Short('b') => transfer.map_or(0, |t| t.1).to_string(),
        Var::Short('T') => format!("{:.3}", transfer.map_or(0.0, |t| t.2)),
        Var::Short('w') => user.and_then(|u| u.rename_from.clone()).unwrap_or_default(),
        Var::Short('g') => user
            .and_then(|u| u.identity.group_names.first().cloned())
            .unwrap_or_default(),
        // Why the session ended, in ProFTPD's LogFormat words ("-" while it goes on).
        Var::Short('E') => match ctx.ext.get::<oxftpd_server::module::events::EndReason>() {
            Some(r) => r.0.clone(),
            None if notes.is_some_and(|n| n.quit) => "Quit".to_string(),
            None if cmd.is_none() => "Read EOF from client".to_string(),
            None => "-".to_string(),
        },
        // Milliseconds from the command's arrival to now (its reply).
        Var::Short('R') => notes
            .and_then(|n| n.started)
            .map_or_else(|| "-".to_string(), |t| t.elapsed().as_millis().to_string()),
        Var::Short('I') => ctx.control.raw_bytes().0.to_string(),
        Var::Short('O') => ctx.control.raw_bytes().1.to_string(),
        Var::Long("uid") => user.map(|u| u.identity.uid.to_string())?,
        Var::Long("gid") => user.map(|u| u.identity.gid.to_string())?,
        Var::Long("remote-port") => ctx.peer.port().to_string(),
        Var::Long("protocol") => if ctx.control.is_tls() { "ftps" } else { "ftp" }.to_string(),
        Var::Long("transfer-status") => match transfer {
            Some((.., true)) => "success".to_string(),
            Some(_) => "failed".to_string(),
            None => "-".to_string(),
        },
        Var::Long(other) => {
            if let Some(key) = other.strip_prefix("note:") {
                note(ctx, user, notes, key)
            } else if let Some(name) = other.strip_prefix("env:") {
                std::env::var(name).unwrap_or_default()
            } else if let Some(fmt) = other.strip_prefix("time:") {
                oxftpd_server::localtime::strftime_now(fmt)
            } else {
                return None;
            }
        }
        _ => return None,
    })
}

/// `%{note:key}`: the session notes ProFTPD's modules keep that oxftpd knows (USER's
/// argument, the RNFR path, the transfer's path), and those auth providers left at login
/// (`mod_radius.class`, …); an unknown note is empty.
fn note(ctx: &Ctx, user: Option<&LoggedIn>, notes: Option<&Notes>, key: &str) -> String {
    match key {
        "mod_auth.orig-user" => notes.and_then(|n| n.user_arg.clone()),
        "mod_core.rnfr-path" => user.and_then(|u| u.rename_from.clone()),
        "mod_xfer.retr-path" | "mod_xfer.store-path" => notes
            .and_then(|n| n.transfer.as_ref())
            .map(|t| real_path(user, &t.0)),
        other => ctx
            .ext
            .get::<oxftpd_auth::session_info::Notes>()
            .and_then(|n| n.get(other))
            .map(|v| String::from_utf8_lossy(v).into_owned()),
    }
    .unwrap_or_default()
}

/// Runs `rule`'s query; a failure is logged (with `IGNORE_ERRORS` at debug level only).
async fn run(
    ctx: &Ctx,
    user: Option<&LoggedIn>,
    cmd: Option<&Cmd<'_>>,
    s: &SqlSettings,
    rule: &LogRule,
) {
    let Some(q) = s.queries.get(&rule.query) else {
        return;
    };
    let vars = |v: Var<'_>| resolve(ctx, user, cmd, v);
    let stmt = query::bind(&q.statement(), s.kind, &vars);
    ensure_runtime(ctx).await;
    let db = match crate::pool_for(s) {
        Ok(db) => db,
        Err(e) => {
            line(Some(s), &format!("SQLLog {}: {e}", rule.query));
            return;
        }
    };
    let result = match q.kind {
        QueryKind::Select => db.fetch(stmt).await.map(|_| ()),
        _ => db.execute(stmt).await.map(|_| ()),
    };
    if let Err(e) = result {
        let msg = format!("error running SQLLog query '{}': {e}", rule.query);
        line(Some(s), &msg);
        if !rule.ignore_errors {
            tracing::warn!(target: "mod_sql", "{msg}");
        }
    }
}

/// Notes USER's argument (`%U`, and `%u` before a login).
pub fn note_user<'a>(ctx: &'a mut Ctx, _: &'a mut State, cmd: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        if settings(ctx).is_some() {
            ctx.ext.get_or_default::<Notes>().user_arg = cmd.arg.map(str::to_string);
        }
        Outcome::Continue
    })
}

/// Notes when each command came in, for `%R` (only where mod_sql is on).
pub fn command_began<'a>(ctx: &'a mut Ctx, _: &'a mut State, cmd: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        if settings(ctx).is_some() {
            let n = ctx.ext.get_or_default::<Notes>();
            n.started = Some(std::time::Instant::now());
            n.quit |= cmd.verb == "QUIT";
        }
        Outcome::Continue
    })
}

/// Forgets the last transfer when a new one is asked for, so `%f`/`%b` of a failed one are
/// its own (the argument's path, no bytes).
pub fn transfer_began<'a>(ctx: &'a mut Ctx, _: &'a mut State, _: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        if let Some(n) = ctx.ext.get_mut::<Notes>() {
            n.transfer = None;
        }
        Outcome::Continue
    })
}

/// Whether a rule's command list names this command: `VERB` or `*` after a success,
/// `ERR_VERB` (and `ERR_*` where `err_wildcard`, as `SQLLog` has it) after a failure.
fn names_command(on: &[String], verb: &str, failed: bool, err_wildcard: bool) -> bool {
    on.iter().any(|c| {
        if failed {
            c.strip_prefix("ERR_")
                .is_some_and(|v| v == verb || (err_wildcard && v == "*"))
        } else {
            c == verb || c == "*"
        }
    })
}

/// The session's login, if it has one.
fn logged_in(state: &State) -> Option<&LoggedIn> {
    match state {
        State::LoggedIn(u) => Some(&**u),
        _ => None,
    }
}

/// `SQLLog` after each command (`ERR_` rules after a failed one).
pub fn logged<'a>(ctx: &'a mut Ctx, state: &'a mut State, cmd: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        let Some(s) = settings(ctx).filter(|s| s.log_on && !s.logs.is_empty()) else {
            return Outcome::Continue;
        };
        let failed = oxftpd_server::module::hooks::is_error(cmd.code);
        let user = logged_in(state);
        for rule in &s.logs {
            if names_command(&rule.on, cmd.verb, failed, true) {
                run(ctx, user, Some(&cmd), &s, rule).await;
            }
        }
        Outcome::Continue
    })
}

/// `SQLShowInfo`: one more reply line after the command (`ERR_` for failures).
pub fn show_info<'a>(ctx: &'a mut Ctx, state: &'a mut State, cmd: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        let Some(s) = settings(ctx).filter(|s| !s.show.is_empty()) else {
            return Outcome::Continue;
        };
        let failed = oxftpd_server::module::hooks::is_error(cmd.code);
        let user = logged_in(state);
        for info in &s.show {
            if !names_command(&info.on, cmd.verb, failed, false) {
                continue;
            }
            let text = show_text(ctx, user, &cmd, &s, &info.text).await;
            // ProFTPD's mod_auth adds PASS's 230 in its POST_CMD phase, after mod_sql's line.
            ctx.control.add_line(info.code, &text, cmd.verb == "PASS");
        }
        Outcome::Continue
    })
}

/// `SQLShowInfo`'s text: `%{name}` runs the named SELECT and takes its first value.
async fn show_text(
    ctx: &Ctx,
    user: Option<&LoggedIn>,
    cmd: &Cmd<'_>,
    s: &SqlSettings,
    text: &str,
) -> String {
    let mut values: HashMap<String, String> = HashMap::new();
    let mut rest = text;
    while let Some(i) = rest.find("%{") {
        let after = &rest[i + 2..];
        let Some(end) = after.find('}') else { break };
        let name = &after[..end];
        if let Some(q) = s.queries.get(name)
            && !values.contains_key(name)
        {
            let vars = |v: Var<'_>| resolve(ctx, user, Some(cmd), v);
            let stmt = query::bind(&q.statement(), s.kind, &vars);
            ensure_runtime(ctx).await;
            let value = match crate::pool_for(s) {
                Ok(db) => match db.fetch(stmt).await {
                    Ok(rows) => rows
                        .into_iter()
                        .next()
                        .and_then(|r| r.into_iter().next().flatten())
                        .unwrap_or_default(),
                    Err(e) => {
                        line(Some(s), &format!("SQLShowInfo {name}: {e}"));
                        String::new()
                    }
                },
                Err(_) => String::new(),
            };
            values.insert(name.to_string(), value);
        }
        rest = &after[end + 1..];
    }
    let vars = |v: Var<'_>| match v {
        Var::Long(n) if values.contains_key(n) => values.get(n).cloned(),
        other => resolve(ctx, user, Some(cmd), other),
    };
    query::expand(text, &vars)
}

/// Session events: transfers (for `%b`, `%f`, `%T`), and `SQLLog EXIT` / `SQLLogOnEvent` at
/// the session's end.
pub fn on_event<'a>(
    ctx: &'a mut Ctx,
    event: &'a Event<'a>,
) -> oxftpd_server::module::events::EventFuture<'a> {
    Box::pin(async move {
        let Some(s) = settings(ctx) else { return };
        match event {
            Event::Transfer { transfer, .. } => {
                let path = transfer.vpath.to_string();
                let secs = Instant::now()
                    .duration_since(transfer.started)
                    .as_secs_f64();
                ctx.ext.get_or_default::<Notes>().transfer =
                    Some((path, transfer.bytes, secs, transfer.complete));
            }
            Event::SessionClosed { user } => {
                if !s.log_on {
                    return;
                }
                for rule in s.logs.iter().filter(|r| r.on.iter().any(|c| c == "EXIT")) {
                    let rule = LogRule {
                        ignore_errors: true,
                        ..rule.clone()
                    };
                    run(ctx, *user, None, &s, &rule).await;
                }
                for rule in s
                    .events
                    .iter()
                    .filter(|r| r.on.iter().any(|c| c == "ExitLog" || c == "core.exit"))
                {
                    run(ctx, *user, None, &s, rule).await;
                }
            }
            Event::LoginFailed { .. } => {
                for rule in s
                    .events
                    .iter()
                    .filter(|r| r.on.iter().any(|c| c == "mod_auth.authentication-code"))
                {
                    run(ctx, None, None, &s, rule).await;
                }
            }
            _ => {}
        }
    })
}
