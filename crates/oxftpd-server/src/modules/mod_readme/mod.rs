//! mod_readme.c: after a successful CWD/CDUP (and their X forms) and after PASS, each file a
//! `DisplayReadme` pattern names (a glob in its last component, relative to the current
//! directory) adds two lines to the reply: `Please read the file NAME` and `   it was last
//! modified on DATE - N days ago` (after PASS, a blank line first, as ProFTPD separates them
//! from the login message).

use crate::module::Module;
use crate::module::hooks::{Cmd, Hook, HookFuture, On, Outcome, Phase};
use crate::session::{Ctx, LoggedIn, State};

/// mod_readme.c.
pub static MODULE: Module = Module {
    spec: &oxftpd_config::modules::mod_readme::MODULE,
    hooks: &[
        Hook::new(Phase::Post, On::Verb("CWD"), post_cmd),
        Hook::new(Phase::Post, On::Verb("XCWD"), post_cmd),
        Hook::new(Phase::Post, On::Verb("CDUP"), post_cmd),
        Hook::new(Phase::Post, On::Verb("XCUP"), post_cmd),
        Hook::new(Phase::Post, On::Verb("PASS"), post_cmd),
    ],
    ..Module::DEFAULT
};

/// ProFTPD's day count of a unix time: `365.25 * (year - 1900)` (truncated) plus the day of
/// the year, in UTC.
fn day_number(t: i64) -> i64 {
    let c = oxftpd_proto::time::Civil::from_unix(t);
    let day_of_year = days_from_civil(c.year, c.month, c.day) - days_from_civil(c.year, 1, 1);
    ((365.25 * (c.year - 1900) as f64) as i64) + day_of_year
}

/// Days since the epoch of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The two lines for a file modified at `mtime`, seen at `now`.
pub fn lines(path: &str, mtime: i64, now: i64) -> [String; 2] {
    let days = day_number(now) - day_number(mtime);
    let when = crate::localtime::strftime_at("%a %b %e %H:%M:%S %Y", mtime);
    [
        format!("Please read the file {path}"),
        format!(
            "   it was last modified on {when} - {days} {}",
            if days == 1 { "day ago" } else { "days ago" }
        ),
    ]
}

/// The files a pattern names, as the client would write them, with their modification times.
async fn matches(user: &LoggedIn, pattern: &str) -> Vec<(String, i64)> {
    let (dir_part, last) = match pattern.rsplit_once('/') {
        Some((d, l)) => (Some(if d.is_empty() { "/" } else { d }), l),
        None => (None, pattern),
    };
    let shown = |name: &str| match dir_part {
        Some("/") => format!("/{name}"),
        Some(d) => format!("{d}/{name}"),
        None => name.to_string(),
    };
    let dir = user.resolve(dir_part.unwrap_or("."));
    let mut found = Vec::new();
    if oxftpd_proto::glob::has_glob(last) {
        let Ok(mut reader) = user.fs.read_dir(&dir).await else {
            return found;
        };
        let mut batch = Vec::new();
        while let Ok(more) = reader.next_batch(&mut batch).await {
            if !more {
                break;
            }
        }
        let mut names: Vec<String> = batch
            .iter()
            .filter(|e| !e.name.starts_with('.') || last.starts_with('.'))
            .filter(|e| oxftpd_proto::glob::matches(last, &e.name))
            .map(|e| e.name.clone())
            .collect();
        names.sort();
        for name in names {
            if let Ok(m) = user.fs.metadata(&user.resolve_from(&dir, &name)).await {
                found.push((shown(&name), m.mtime));
            }
        }
    } else if let Ok(m) = user.fs.metadata(&user.resolve(pattern)).await {
        found.push((pattern.to_string(), m.mtime));
    }
    found
}

/// `POST_CMD` on CWD, CDUP and their X forms, and on PASS.
fn post_cmd<'a>(ctx: &'a mut Ctx, state: &'a mut State, cmd: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        let State::LoggedIn(user) = state else {
            return Outcome::Continue;
        };
        let patterns = crate::access::directories::cfg_for(ctx, user, &user.cwd)
            .readme
            .patterns
            .clone();
        if patterns.is_empty() {
            return Outcome::Continue;
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        let code = cmd.code;
        for pattern in &patterns {
            for (path, mtime) in matches(user, pattern).await {
                if cmd.verb == "PASS" {
                    ctx.control.add_line(code, "", false);
                }
                for line in lines(&path, mtime, now) {
                    ctx.control.add_line(code, &line, false);
                }
            }
        }
        Outcome::Continue
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_ago() {
        let t = 1_700_000_000;
        assert!(lines("README", t, t)[1].ends_with(" - 0 days ago"));
        assert!(lines("README", t, t + 86_400)[1].ends_with(" - 1 day ago"));
        assert!(lines("README", t - 3 * 86_400, t)[1].ends_with(" - 3 days ago"));
        assert_eq!(lines("a/README", t, t)[0], "Please read the file a/README");
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }
}
