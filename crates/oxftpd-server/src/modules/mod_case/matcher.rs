//! Finding the names a path means, case-insensitively, and rewriting the command's argument.

use super::CaseLogs;
use crate::module::hooks::{Cmd, HookFuture, Outcome};
use crate::session::{Ctx, LoggedIn, State};

/// Whether mod_case looks at command `name` (`RETR`, `SITE_CHMOD`) for this session now.
fn engaged(ctx: &Ctx, user: &LoggedIn, name: &str) -> bool {
    ctx.server.cfg.case.engine
        && crate::access::directories::cfg_for(ctx, user, &user.cwd)
            .case
            .ignore
            .covers(name)
}

fn log(ctx: &Ctx, line: &str) {
    if let Some(logs) = ctx.generation.modules.get::<CaseLogs>() {
        logs.write(ctx.server.index, line);
    }
}

/// The entry of directory `dir` (virtual) named `name`: `None` when it has one of that exact
/// name or none at all, else the first whose name differs only in case.
async fn other_case(user: &LoggedIn, dir: &str, name: &str) -> Option<String> {
    let mut reader = user.fs.read_dir(dir).await.ok()?;
    let want = name.to_lowercase();
    let mut batch = Vec::new();
    let mut found = None;
    loop {
        batch.clear();
        let more = reader.next_batch(&mut batch).await.ok()?;
        for e in &batch {
            if e.name == name {
                return None;
            }
            if found.is_none() && e.name.to_lowercase() == want {
                found = Some(e.name.clone());
            }
        }
        if !more {
            return found;
        }
    }
}

/// `path` with each component that names nothing replaced by an entry of another case, from
/// the first component on, until one has no match; `None` when nothing changed.
pub async fn matched(user: &LoggedIn, path: &str) -> Option<String> {
    if path.is_empty() || path.starts_with('~') {
        return None;
    }
    let mut dir = if path.starts_with('/') {
        "/".to_string()
    } else {
        user.cwd.clone()
    };
    let mut parts: Vec<String> = path.split('/').map(str::to_string).collect();
    let mut changed = false;
    for part in parts.iter_mut() {
        if part.is_empty() || part == "." || part == ".." {
            dir = user.resolve_from(&dir, if part.is_empty() { "." } else { part });
            continue;
        }
        match other_case(user, &dir, part).await {
            Some(real) => {
                *part = real;
                changed = true;
            }
            None => {
                // An exact name goes on; a name with no match at all ends the search.
                let exists = user
                    .fs
                    .symlink_metadata(&user.resolve_from(&dir, part))
                    .await
                    .is_ok();
                if !exists {
                    break;
                }
            }
        }
        dir = user.resolve_from(&dir, part);
    }
    changed.then(|| parts.join("/"))
}

/// Splits LIST/NLST/STAT options (`-la`) from the path after them.
fn split_options(arg: &str) -> (&str, &str) {
    let mut rest = arg;
    let mut end = 0;
    loop {
        let trimmed = rest.trim_start();
        if !trimmed.starts_with('-') {
            break;
        }
        let skip = rest.len() - trimmed.len();
        let word = trimmed.find(char::is_whitespace).unwrap_or(trimmed.len());
        end += skip + word;
        rest = &arg[end..];
    }
    let trimmed = rest.trim_start();
    let start = arg.len() - trimmed.len();
    (&arg[..start], trimmed)
}

/// Rewrites `prefix` + the path to the names found, logging the match.
async fn rewrite(ctx: &Ctx, user: &LoggedIn, prefix: &str, path: &str) -> Outcome {
    match matched(user, path).await {
        Some(real) => {
            log(
                ctx,
                &format!("found case-insensitive match '{real}' for '{path}'"),
            );
            Outcome::Rewrite(format!("{prefix}{real}"))
        }
        None => Outcome::Continue,
    }
}

/// `PRE_CMD` on the path commands mod_case handles.
pub fn pre_cmd<'a>(ctx: &'a mut Ctx, state: &'a mut State, cmd: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        let (State::LoggedIn(user), Some(arg)) = (&*state, cmd.arg) else {
            return Outcome::Continue;
        };
        let name = cmd.spec.map_or(cmd.verb, |s| s.name);
        if !engaged(ctx, user, name) {
            return Outcome::Continue;
        }
        let (prefix, path) = if matches!(name, "LIST" | "NLST" | "STAT") {
            split_options(arg)
        } else {
            ("", arg)
        };
        rewrite(ctx, user, prefix, path).await
    })
}

/// `PRE_CMD` on SITE: `CHMOD mode path`, `CHGRP group path`, `CPFR path`, `CPTO path`.
pub fn pre_site<'a>(ctx: &'a mut Ctx, state: &'a mut State, cmd: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        let (State::LoggedIn(user), Some(arg)) = (&*state, cmd.arg) else {
            return Outcome::Continue;
        };
        let mut words = arg.splitn(2, ' ');
        let sub = words.next().unwrap_or("").to_ascii_uppercase();
        let rest = words.next().unwrap_or("");
        let skip = match sub.as_str() {
            "CHMOD" | "CHGRP" => 1,
            "CPFR" | "CPTO" => 0,
            _ => return Outcome::Continue,
        };
        if !engaged(ctx, user, &format!("SITE_{sub}")) {
            return Outcome::Continue;
        }
        let (head, path) = if skip == 1 {
            match rest.split_once(' ') {
                Some((v, p)) => (format!("{} {v} ", &arg[..sub.len()]), p),
                None => return Outcome::Continue,
            }
        } else {
            (format!("{} ", &arg[..sub.len()]), rest)
        };
        rewrite(ctx, user, &head, path).await
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_before_the_path() {
        assert_eq!(split_options("-la Foo"), ("-la ", "Foo"));
        assert_eq!(split_options("-l -a  dir/x"), ("-l -a  ", "dir/x"));
        assert_eq!(split_options("Foo"), ("", "Foo"));
        assert_eq!(split_options("-l"), ("-l", ""));
    }
}
