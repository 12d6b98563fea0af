//! SITE (RFC 959 section 4.1.3) with the subcommands of ProFTPD's mod_site (HELP, CHMOD,
//! CHGRP), mod_site_misc (UTIME, MKDIR, RMDIR, SYMLINK) and mod_copy (CPFR, CPTO, COPY).
//!
//! RFC 959: "SITE PARAMETERS (SITE) … is used by the server to provide services specific to
//! his system that are essential to file transfer but not sufficiently universal to be
//! included as commands in the protocol." `<Limit SITE_CHMOD>` names one subcommand,
//! `<Limit SITE>` all of them.

use std::future::Future;
use std::pin::Pin;

use oxftpd_proto::reply::{Reply, codes};
use oxftpd_storage::{Kind, StorageError, WriteMode};

use crate::messages::multi;
use crate::module::{CommandError, CommandResult, HandlerFuture};
use crate::session::{Ctx, LoggedIn, State};

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
            return Err(CommandError::bad_argument(
                codes::SYNTAX_ERROR,
                "'SITE' requires parameters",
            ));
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
            return Err(CommandError::bad_argument(
                codes::SYNTAX_ERROR,
                format!("'SITE {arg}' not understood"),
            ));
        }
        let engine = match sub.as_str() {
            "UTIME" | "MKDIR" | "RMDIR" | "SYMLINK" => "SiteMiscEngine",
            "CPFR" | "CPTO" | "COPY" => "CopyEngine",
            _ => "",
        };
        if !engine.is_empty() && !engine_on(ctx, engine) {
            return Err(CommandError::bad_argument(
                codes::SYNTAX_ERROR,
                format!("'SITE {arg}' not understood"),
            ));
        }
        let State::LoggedIn(user) = state else {
            return Err(CommandError::LoginRequired);
        };
        // `<Limit SITE_CHMOD>` names one subcommand, `<Limit SITE>` all (limit.rs maps them).
        if let Some(spec) = crate::modules::command("SITE") {
            let outcome = crate::access::limit::allowed(ctx, user, spec, Some(arg)).await;
            if outcome != crate::access::limit::Outcome::Allowed {
                return Err(CommandError::Limit {
                    outcome,
                    arg: Some(arg.to_string()),
                });
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

/// Whether an `…Engine` directive is on (the default).
pub fn engine_on(ctx: &Ctx, directive: &str) -> bool {
    ctx.server
        .config()
        .directive(directive)
        .is_none_or(|d| d.flag())
}

async fn help(ctx: &mut Ctx, rest: &str) -> CommandResult {
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
                return Err(CommandError::NotImplemented(
                    format!("Unknown command 'SITE HELP {rest}'").into(),
                ));
            }
        }
    }
    lines.push(format!("Direct comments to {admin}"));
    Ok(ctx.send(&multi(codes::HELP_MESSAGE, lines)).await?)
}

/// `500-'SITE …' not understood` / `500 SITE not understood`, mod_site's reply to missing arguments.
fn site_not_understood(arg: &str) -> CommandError {
    CommandError::BadArgument(
        Reply::new(codes::SYNTAX_ERROR, format!("'SITE {arg}' not understood"))
            .with_line("SITE not understood"),
    )
}

async fn chmod(ctx: &mut Ctx, user: &mut LoggedIn, arg: &str, rest: &str) -> CommandResult {
    let Some((mode, path)) = rest.split_once(' ').map(|(m, p)| (m, p.trim_start())) else {
        return Err(site_not_understood(arg));
    };
    if path.is_empty() {
        return Err(site_not_understood(arg));
    }
    let Some(bits) = u32::from_str_radix(mode, 8).ok().filter(|m| *m <= 0o7777) else {
        return Err(CommandError::bad_argument(
            codes::FILE_UNAVAILABLE,
            format!("'{mode}': invalid mode"),
        ));
    };
    let target = user.resolve(path);
    if let Err(e) = user.fs.metadata(&target).await {
        return Err(CommandError::storage(path, e));
    }
    match user.fs.set_mode(&target, bits).await {
        Ok(()) => Ok(ctx
            .reply(codes::COMMAND_OK, "SITE CHMOD command successful")
            .await?),
        Err(e) => Err(CommandError::attributes(format!("CHMOD {mode} {path}"), e)),
    }
}

async fn chgrp(ctx: &mut Ctx, user: &mut LoggedIn, arg: &str, rest: &str) -> CommandResult {
    let Some((group, path)) = rest.split_once(' ').map(|(g, p)| (g, p.trim_start())) else {
        return Err(site_not_understood(arg));
    };
    if path.is_empty() {
        return Err(site_not_understood(arg));
    }
    let target = user.resolve(path);
    if let Err(e) = user.fs.metadata(&target).await {
        return Err(CommandError::storage(path, e));
    }
    let gid = group
        .parse::<u32>()
        .ok()
        .or_else(|| ctx.server.auth.group_id(group));
    let Some(gid) = gid else {
        return Err(CommandError::bad_argument(
            codes::FILE_UNAVAILABLE,
            format!("{path}: Invalid argument"),
        ));
    };
    match user.fs.set_owner(&target, None, Some(gid)).await {
        Ok(()) => Ok(ctx
            .reply(codes::COMMAND_OK, "SITE CHGRP command successful")
            .await?),
        Err(e) => Err(CommandError::attributes(path, e)),
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

async fn utime(ctx: &mut Ctx, user: &mut LoggedIn, rest: &str) -> CommandResult {
    if rest.is_empty() {
        return Err(CommandError::bad_argument(
            codes::SYNTAX_ERROR,
            "'SITE UTIME' not understood",
        ));
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
        return Err(CommandError::bad_argument(
            codes::SYNTAX_ERROR,
            format!("UTIME {rest}: Invalid argument"),
        ));
    };
    let target = user.resolve(&path);
    if let Err(e) = user.fs.metadata(&target).await {
        return Err(CommandError::storage(format!("UTIME {rest}"), e));
    }
    match user
        .fs
        .set_times(&target, Some(atime.unwrap_or(mtime)), mtime)
        .await
    {
        Ok(()) => Ok(ctx
            .reply(codes::COMMAND_OK, "SITE UTIME command successful")
            .await?),
        Err(e) => Err(CommandError::attributes(format!("UTIME {rest}"), e)),
    }
}

async fn mkdir(ctx: &mut Ctx, user: &mut LoggedIn, rest: &str) -> CommandResult {
    if rest.is_empty() {
        return Err(CommandError::bad_argument(
            codes::SYNTAX_ERROR,
            "'SITE MKDIR' not understood",
        ));
    }
    let target = user.resolve(rest);
    let mut so_far = String::new();
    for part in target.split('/').filter(|p| !p.is_empty()) {
        so_far.push('/');
        so_far.push_str(part);
        match user.fs.mkdir(&so_far).await {
            Ok(()) | Err(StorageError::AlreadyExists) => {}
            Err(e) => {
                return Err(CommandError::storage(format!("MKDIR {rest}"), e));
            }
        }
    }
    Ok(ctx
        .reply(codes::COMMAND_OK, "SITE MKDIR command successful")
        .await?)
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

async fn rmdir(ctx: &mut Ctx, user: &mut LoggedIn, rest: &str) -> CommandResult {
    if rest.is_empty() {
        return Err(CommandError::bad_argument(
            codes::SYNTAX_ERROR,
            "'SITE RMDIR' not understood",
        ));
    }
    let target = user.resolve(rest);
    let result = match user.fs.symlink_metadata(&target).await {
        Ok(m) if m.kind == Kind::Dir => remove_tree(user, target, 0).await,
        Ok(_) => Err(StorageError::NotADirectory),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(ctx
            .reply(codes::COMMAND_OK, "SITE RMDIR command successful")
            .await?),
        Err(e) => Err(CommandError::storage(format!("RMDIR {rest}"), e)),
    }
}

async fn symlink(ctx: &mut Ctx, user: &mut LoggedIn, rest: &str) -> CommandResult {
    let Some((src, dst)) = rest
        .split_once(' ')
        .map(|(s, d)| (s, d.trim_start()))
        .filter(|(_, d)| !d.is_empty())
    else {
        return Err(CommandError::bad_argument(
            codes::SYNTAX_ERROR,
            "'SITE SYMLINK' not understood",
        ));
    };
    let target = user.resolve(src);
    let link = user.resolve(dst);
    match user.fs.symlink(&target, &link).await {
        Ok(()) => Ok(ctx
            .reply(codes::COMMAND_OK, "SITE SYMLINK command successful")
            .await?),
        Err(e) => Err(CommandError::storage(format!("SYMLINK {rest}"), e)),
    }
}

async fn cpfr(ctx: &mut Ctx, user: &mut LoggedIn, rest: &str) -> CommandResult {
    ctx.opts.copy_from = None;
    if rest.is_empty() {
        return Err(CommandError::bad_argument(
            codes::SYNTAX_ERROR,
            "'SITE CPFR' not understood",
        ));
    }
    let source = user.resolve(rest);
    match user.fs.metadata(&source).await {
        Ok(_) => {
            ctx.opts.copy_from = Some(source);
            Ok(ctx
                .reply(
                    codes::PENDING_FURTHER_INFO,
                    "File or directory exists, ready for destination name",
                )
                .await?)
        }
        Err(e) => Err(CommandError::storage(source, e)),
    }
}

async fn cpto(ctx: &mut Ctx, user: &mut LoggedIn, rest: &str) -> CommandResult {
    if rest.is_empty() {
        return Err(CommandError::bad_argument(
            codes::SYNTAX_ERROR,
            "'SITE CPTO' not understood",
        ));
    }
    let Some(source) = ctx.opts.copy_from.take() else {
        return Err(CommandError::BadSequence("Bad sequence of commands".into()));
    };
    let target = user.resolve(rest);
    match copy_path(ctx, user, &source, &target).await {
        Ok(()) => Ok(ctx.reply(codes::FILE_ACTION_OK, "Copy successful").await?),
        Err(e) => Err(CommandError::storage("CPTO", e)),
    }
}

async fn copy(ctx: &mut Ctx, user: &mut LoggedIn, rest: &str) -> CommandResult {
    let Some((src, dst)) = rest
        .split_once(' ')
        .map(|(s, d)| (s, d.trim_start()))
        .filter(|(_, d)| !d.is_empty())
    else {
        return Err(CommandError::bad_argument(
            codes::SYNTAX_ERROR,
            "'SITE COPY' not understood",
        ));
    };
    let (source, target) = (user.resolve(src), user.resolve(dst));
    match copy_path(ctx, user, &source, &target).await {
        Ok(()) => Ok(ctx
            .reply(codes::COMMAND_OK, "SITE COPY command successful")
            .await?),
        Err(e) => Err(CommandError::storage("COPY", e)),
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
