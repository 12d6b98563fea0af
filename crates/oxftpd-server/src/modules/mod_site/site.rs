//! SITE (RFC 959 section 4.1.3) with the subcommands of ProFTPD's mod_site (HELP, CHMOD,
//! CHGRP), mod_site_misc (UTIME, MKDIR, RMDIR, SYMLINK) and mod_copy (CPFR, CPTO, COPY).
//!
//! RFC 959: "SITE PARAMETERS (SITE) … is used by the server to provide services specific to
//! his system that are essential to file transfer but not sufficiently universal to be
//! included as commands in the protocol." `<Limit SITE_CHMOD>` names one subcommand,
//! `<Limit SITE>` all of them.

use std::future::Future;
use std::pin::Pin;

use oxftpd_proto::reply::Reply;
use oxftpd_storage::{Kind, StorageError, WriteMode};

use crate::errors::{fs_reply, reason};
use crate::messages::multi;
use crate::module::HandlerFuture;
use crate::modules::mod_facts::facts::attr_reason;
use crate::session::{Ctx, LoggedIn, SessionResult, State};

/// How deep SITE RMDIR and a directory copy descend.
const MAX_DEPTH: usize = 64;

/// The help lines of mod_site_misc and mod_copy, as ProFTPD lists them.
const MISC_HELP: &[&str] = &[
    "UTIME <sp> YYYYMMDDhhmm[ss] <sp> path",
    "SYMLINK <sp> source <sp> destination",
    "RMDIR <sp> path",
    "MKDIR <sp> path",
    "CPFR <sp> pathname",
    "CPTO <sp> pathname",
];

/// The FEAT lines of mod_site_misc and mod_copy.
pub const FEATURES: &[&str] = &[
    "SITE COPY",
    "SITE MKDIR",
    "SITE RMDIR",
    "SITE SYMLINK",
    "SITE UTIME",
];

/// mod_site's own subcommands and their syntax.
const SITE_HELP: &[(&str, &str)] = &[
    ("HELP", "[<sp> site-command]"),
    ("CHGRP", "<sp> group <sp> pathname"),
    ("CHMOD", "<sp> mode <sp> pathname"),
];

/// `SITE sub args`.
pub fn site<'a>(ctx: &'a mut Ctx, state: &'a mut State, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        let Some(arg) = arg.map(str::trim).filter(|a| !a.is_empty()) else {
            return ctx.reply(500, "'SITE' requires parameters").await;
        };
        let (sub, rest) = match arg.split_once(' ') {
            Some((s, r)) => (s.to_ascii_uppercase(), r.trim_start()),
            None => (arg.to_ascii_uppercase(), ""),
        };
        if sub == "HELP" {
            return help(ctx, rest).await;
        }
        if !matches!(
            sub.as_str(),
            "CHMOD" | "CHGRP" | "UTIME" | "MKDIR" | "RMDIR" | "SYMLINK" | "CPFR" | "CPTO" | "COPY"
        ) {
            return ctx.reply(500, format!("'SITE {arg}' not understood")).await;
        }
        let engine = match sub.as_str() {
            "UTIME" | "MKDIR" | "RMDIR" | "SYMLINK" => ctx.server.cfg.site_misc.engine,
            "CPFR" | "CPTO" | "COPY" => ctx.server.cfg.copy.engine,
            _ => true,
        };
        if !engine {
            return ctx.reply(500, format!("'SITE {arg}' not understood")).await;
        }
        let State::LoggedIn(user) = state else {
            return ctx.reply(530, "Please login with USER and PASS").await;
        };
        // `<Limit SITE_CHMOD>` names one subcommand, `<Limit SITE>` all (limit.rs maps them).
        if let Some(spec) = crate::modules::command("SITE") {
            let outcome = crate::access::limit::allowed(ctx, user, spec, Some(arg)).await;
            if outcome != crate::access::limit::Outcome::Allowed {
                return crate::access::limit::refuse(ctx, spec, Some(arg), outcome).await;
            }
        }
        match sub.as_str() {
            "CHMOD" => chmod(ctx, user, arg, rest).await,
            "CHGRP" => chgrp(ctx, user, arg, rest).await,
            "UTIME" => utime(ctx, user, rest).await,
            "MKDIR" => mkdir(ctx, user, rest).await,
            "RMDIR" => rmdir(ctx, user, rest).await,
            "SYMLINK" => symlink(ctx, user, rest).await,
            "CPFR" => cpfr(ctx, user, rest).await,
            "CPTO" => cpto(ctx, user, rest).await,
            _ => copy(ctx, user, rest).await,
        }
    })
}

async fn help(ctx: &mut Ctx, rest: &str) -> SessionResult {
    let admin = ctx
        .server
        .settings
        .admin
        .clone()
        .unwrap_or_else(|| "root@localhost".to_string());
    let mut lines =
        vec!["The following SITE commands are recognized (* =>'s unimplemented)".to_string()];
    lines.extend(MISC_HELP.iter().map(|l| l.to_string()));
    if rest.is_empty() {
        lines.extend(SITE_HELP.iter().map(|(n, _)| n.to_string()));
    } else {
        let want = rest.to_ascii_uppercase();
        match SITE_HELP.iter().find(|(n, _)| *n == want) {
            Some((name, syntax)) => lines.push(format!("Syntax: SITE {name} {syntax}")),
            None => {
                return ctx
                    .reply(502, format!("Unknown command 'SITE HELP {rest}'"))
                    .await;
            }
        }
    }
    lines.push(format!("Direct comments to {admin}"));
    ctx.send(&multi(214, lines)).await
}

/// `500-'SITE …' not understood` / `500 SITE not understood`, mod_site's reply to missing arguments.
async fn site_not_understood(ctx: &mut Ctx, arg: &str) -> SessionResult {
    ctx.send(&multi(
        500,
        vec![
            format!("'SITE {arg}' not understood"),
            "SITE not understood".to_string(),
        ],
    ))
    .await
}

async fn chmod(ctx: &mut Ctx, user: &mut LoggedIn, arg: &str, rest: &str) -> SessionResult {
    let Some((mode, path)) = rest.split_once(' ').map(|(m, p)| (m, p.trim_start())) else {
        return site_not_understood(ctx, arg).await;
    };
    if path.is_empty() {
        return site_not_understood(ctx, arg).await;
    }
    let Some(bits) = u32::from_str_radix(mode, 8).ok().filter(|m| *m <= 0o7777) else {
        return ctx.reply(550, format!("'{mode}': invalid mode")).await;
    };
    let target = user.resolve(path);
    if let Err(e) = user.fs.metadata(&target).await {
        return ctx.send(&fs_reply(550, path, &e)).await;
    }
    match user.fs.set_mode(&target, bits).await {
        Ok(()) => ctx.reply(200, "SITE CHMOD command successful").await,
        Err(e) => {
            ctx.reply(550, format!("CHMOD {mode} {path}: {}", attr_reason(&e)))
                .await
        }
    }
}

async fn chgrp(ctx: &mut Ctx, user: &mut LoggedIn, arg: &str, rest: &str) -> SessionResult {
    let Some((group, path)) = rest.split_once(' ').map(|(g, p)| (g, p.trim_start())) else {
        return site_not_understood(ctx, arg).await;
    };
    if path.is_empty() {
        return site_not_understood(ctx, arg).await;
    }
    let target = user.resolve(path);
    if let Err(e) = user.fs.metadata(&target).await {
        return ctx.send(&fs_reply(550, path, &e)).await;
    }
    let gid = group
        .parse::<u32>()
        .ok()
        .or_else(|| ctx.server.auth.group_id(group));
    let Some(gid) = gid else {
        return ctx.reply(550, format!("{path}: Invalid argument")).await;
    };
    match user.fs.set_owner(&target, None, Some(gid)).await {
        Ok(()) => ctx.reply(200, "SITE CHGRP command successful").await,
        Err(e) => ctx.reply(550, format!("{path}: {}", attr_reason(&e))).await,
    }
}

/// `YYYYMMDDhhmm[ss]` as UTC seconds.
fn utime_stamp(s: &str) -> Option<i64> {
    let full = match s.len() {
        12 => format!("{s}00"),
        14 => s.to_string(),
        _ => return None,
    };
    oxftpd_proto::time::parse_timestamp(&full)
        .ok()
        .map(|t| t.secs)
}

async fn utime(ctx: &mut Ctx, user: &mut LoggedIn, rest: &str) -> SessionResult {
    if rest.is_empty() {
        return ctx.reply(500, "'SITE UTIME' not understood").await;
    }
    let words: Vec<&str> = rest.split(' ').filter(|w| !w.is_empty()).collect();
    // Two forms: `UTIME mtime path` and `UTIME atime mtime ctime path UTC`.
    let parsed = match words.as_slice() {
        [atime, mtime, _ctime, path @ .., utc]
            if utc.eq_ignore_ascii_case("UTC") && !path.is_empty() =>
        {
            utime_stamp(atime)
                .zip(utime_stamp(mtime))
                .map(|(a, m)| (Some(a), m, path.join(" ")))
        }
        [mtime, path @ ..] if !path.is_empty() => {
            utime_stamp(mtime).map(|m| (None, m, path.join(" ")))
        }
        _ => None,
    };
    let Some((atime, mtime, path)) = parsed else {
        return ctx
            .reply(500, format!("UTIME {rest}: Invalid argument"))
            .await;
    };
    let target = user.resolve(&path);
    if let Err(e) = user.fs.metadata(&target).await {
        return ctx
            .reply(550, format!("UTIME {rest}: {}", reason(&e)))
            .await;
    }
    match user
        .fs
        .set_times(&target, Some(atime.unwrap_or(mtime)), mtime)
        .await
    {
        Ok(()) => ctx.reply(200, "SITE UTIME command successful").await,
        Err(e) => {
            ctx.reply(550, format!("UTIME {rest}: {}", attr_reason(&e)))
                .await
        }
    }
}

async fn mkdir(ctx: &mut Ctx, user: &mut LoggedIn, rest: &str) -> SessionResult {
    if rest.is_empty() {
        return ctx.reply(500, "'SITE MKDIR' not understood").await;
    }
    let target = user.resolve(rest);
    let mut so_far = String::new();
    for part in target.split('/').filter(|p| !p.is_empty()) {
        so_far.push('/');
        so_far.push_str(part);
        match user.fs.mkdir(&so_far).await {
            Ok(()) | Err(StorageError::AlreadyExists) => {}
            Err(e) => {
                return ctx
                    .reply(550, format!("MKDIR {rest}: {}", reason(&e)))
                    .await;
            }
        }
    }
    ctx.reply(200, "SITE MKDIR command successful").await
}

/// Removes a directory and everything in it.
fn remove_tree<'a>(
    user: &'a LoggedIn,
    dir: String,
    depth: usize,
) -> Pin<Box<dyn Future<Output = Result<(), StorageError>> + Send + 'a>> {
    Box::pin(async move {
        if depth > MAX_DEPTH {
            return Err(StorageError::TooManyLinks);
        }
        loop {
            // Read one batch, remove it, read again: the directory shrinks as we go.
            let mut reader = user.fs.read_dir(&dir).await?;
            let mut batch = Vec::new();
            reader.next_batch(&mut batch).await?;
            drop(reader);
            if batch.is_empty() {
                break;
            }
            for entry in batch {
                let path = user.resolve_from(&dir, &entry.name);
                match entry.meta.map(|m| m.kind) {
                    Some(Kind::Dir) => remove_tree(user, path, depth + 1).await?,
                    _ => user.fs.remove_file(&path).await?,
                }
            }
        }
        user.fs.rmdir(&dir).await
    })
}

async fn rmdir(ctx: &mut Ctx, user: &mut LoggedIn, rest: &str) -> SessionResult {
    if rest.is_empty() {
        return ctx.reply(500, "'SITE RMDIR' not understood").await;
    }
    let target = user.resolve(rest);
    let result = match user.fs.symlink_metadata(&target).await {
        Ok(m) if m.kind == Kind::Dir => remove_tree(user, target, 0).await,
        Ok(_) => Err(StorageError::NotADirectory),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => ctx.reply(200, "SITE RMDIR command successful").await,
        Err(e) => {
            ctx.reply(550, format!("RMDIR {rest}: {}", reason(&e)))
                .await
        }
    }
}

async fn symlink(ctx: &mut Ctx, user: &mut LoggedIn, rest: &str) -> SessionResult {
    let Some((src, dst)) = rest
        .split_once(' ')
        .map(|(s, d)| (s, d.trim_start()))
        .filter(|(_, d)| !d.is_empty())
    else {
        return ctx.reply(500, "'SITE SYMLINK' not understood").await;
    };
    let target = user.resolve(src);
    let link = user.resolve(dst);
    match user.fs.symlink(&target, &link).await {
        Ok(()) => ctx.reply(200, "SITE SYMLINK command successful").await,
        Err(e) => {
            ctx.reply(550, format!("SYMLINK {rest}: {}", reason(&e)))
                .await
        }
    }
}

async fn cpfr(ctx: &mut Ctx, user: &mut LoggedIn, rest: &str) -> SessionResult {
    ctx.opts.copy_from = None;
    if rest.is_empty() {
        return ctx.reply(500, "'SITE CPFR' not understood").await;
    }
    let source = user.resolve(rest);
    match user.fs.metadata(&source).await {
        Ok(_) => {
            ctx.opts.copy_from = Some(source);
            ctx.reply(350, "File or directory exists, ready for destination name")
                .await
        }
        Err(e) => ctx.send(&fs_reply(550, &source, &e)).await,
    }
}

async fn cpto(ctx: &mut Ctx, user: &mut LoggedIn, rest: &str) -> SessionResult {
    if rest.is_empty() {
        return ctx.reply(500, "'SITE CPTO' not understood").await;
    }
    let Some(source) = ctx.opts.copy_from.take() else {
        return ctx.reply(503, "Bad sequence of commands").await;
    };
    let target = user.resolve(rest);
    match copy_path(ctx, user, &source, &target).await {
        Ok(()) => ctx.reply(250, "Copy successful").await,
        Err(e) => ctx.reply(550, format!("CPTO: {}", reason(&e))).await,
    }
}

async fn copy(ctx: &mut Ctx, user: &mut LoggedIn, rest: &str) -> SessionResult {
    let Some((src, dst)) = rest
        .split_once(' ')
        .map(|(s, d)| (s, d.trim_start()))
        .filter(|(_, d)| !d.is_empty())
    else {
        return ctx.reply(500, "'SITE COPY' not understood").await;
    };
    let (source, target) = (user.resolve(src), user.resolve(dst));
    match copy_path(ctx, user, &source, &target).await {
        Ok(()) => ctx.reply(200, "SITE COPY command successful").await,
        Err(e) => {
            ctx.send(&Reply::new(550, format!("COPY: {}", reason(&e))))
                .await
        }
    }
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
