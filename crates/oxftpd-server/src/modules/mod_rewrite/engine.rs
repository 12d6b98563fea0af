//! Running the rules on one command: the argument (for `SITE CHMOD`/`SITE CHGRP` the part
//! after the subcommand) is matched by each rule in turn; a rule whose pattern matches and
//! whose conditions hold replaces it with its expanded substitution (an empty result is not
//! used); `[L]` stops there.

use std::sync::Arc;

use oxftpd_config::Effective;
use oxftpd_config::modules::mod_rewrite::{Condition, Function, Map, Rule, Test, View};

use super::RewriteLogs;
use super::subst::{self, Groups};
use crate::module::hooks::{Cmd, HookFuture, Outcome};
use crate::session::{Ctx, State};

/// Path commands for `%F` (the absolute path of the argument).
const PATH_VERBS: &[&str] = &[
    "APPE", "RETR", "STOR", "DELE", "MKD", "MDTM", "RMD", "SIZE", "STOU", "XMKD", "XRMD",
];

/// One command as the rules see it.
struct Job<'a> {
    ctx: &'a Ctx,
    state: &'a State,
    /// `%m`: the verb, or `SITE CHMOD`/`SITE CHGRP`.
    name: String,
    /// The argument being rewritten.
    arg: String,
    /// The server-wide view (maps, `RewriteMaxReplace`).
    server: &'a View,
    log: Vec<String>,
}

/// The groups of a match (`$0` the whole text).
fn groups(c: &regex::Captures<'_>) -> Groups {
    c.iter()
        .map(|m| m.map(|m| m.as_str().to_string()))
        .collect()
}

impl Job<'_> {
    fn var(&self, var: &str) -> Option<String> {
        let user = match self.state {
            State::LoggedIn(u) => Some(u),
            State::Connected { .. } => None,
        };
        let now = |f: &str| crate::localtime::strftime_now(f);
        match var {
            "%a" => Some(self.ctx.peer.ip().to_string()),
            "%c" => self.ctx.class.clone(),
            "%F" => {
                let path_cmd = PATH_VERBS.contains(&self.name.as_str())
                    || self.name == "SITE CHMOD"
                    || self.name == "SITE CHGRP";
                let u = user.filter(|_| path_cmd)?;
                Some(u.resolve(&self.arg))
            }
            "%f" => Some(self.arg.clone()),
            "%G" => user.map(|u| u.identity.group_names.join(",")),
            "%g" => user.and_then(|u| u.identity.group_names.first().cloned()),
            "%h" => Some(
                self.ctx
                    .remote_name
                    .clone()
                    .unwrap_or_else(|| self.ctx.peer.ip().to_string()),
            ),
            "%m" => Some(self.name.clone()),
            "%P" => Some(std::process::id().to_string()),
            "%p" => Some(self.ctx.local.port().to_string()),
            "%t" => Some(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_secs())
                    .unwrap_or(0)
                    .to_string(),
            ),
            "%U" => match self.state {
                State::LoggedIn(u) => Some(u.login_name.clone()),
                State::Connected { user } => user.clone(),
            },
            "%u" => user.map(|u| u.identity.name.clone()),
            "%v" => Some(self.ctx.server.settings.name.clone()),
            "%w" if self.name == "RNTO" => user.and_then(|u| u.rename_from.clone()),
            "%{TIME}" => Some(now("%Y%m%d%H%M%S")),
            "%{TIME_YEAR}" => Some(now("%Y")),
            "%{TIME_MON}" => Some(now("%m")),
            "%{TIME_DAY}" => Some(now("%d")),
            // ProFTPD prints the week day with two digits.
            "%{TIME_WDAY}" => Some(format!("0{}", now("%w"))),
            "%{TIME_HOUR}" => Some(now("%H")),
            "%{TIME_MIN}" => Some(now("%M")),
            "%{TIME_SEC}" => Some(now("%S")),
            _ => None,
        }
    }

    /// Looks `key` up in the map called `name`.
    async fn lookup(&mut self, name: &str, key: &str) -> Option<String> {
        let map = self
            .server
            .maps
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, m)| m.clone());
        let Some(map) = map else {
            self.log.push(format!(
                "rewrite_subst_maps(): warning: no such RewriteMap '{name}'"
            ));
            return None;
        };
        let max = self.server.max_replace;
        match map {
            Map::Int(Function::ToLower) => Some(key.to_ascii_lowercase()),
            Map::Int(Function::ToUpper) => Some(key.to_ascii_uppercase()),
            Map::Int(Function::Unescape) => subst::functions::unescape(key),
            Map::Int(Function::ReplaceAll) => subst::functions::replace_all(key, max),
            Map::Txt(path) => {
                // As ProFTPD reads it after its chroot: inside the session's jail, as the
                // user; before login, the real path.
                let file = match self.state {
                    State::LoggedIn(user) => match user.fs.open_read(&path, 0).await {
                        Ok((f, _)) => f,
                        Err(e) => {
                            self.log.push(format!(
                                "rewrite_parse_map_txt(): unable to open {path}: {e}"
                            ));
                            return None;
                        }
                    },
                    State::Connected { .. } => match std::fs::File::open(&path) {
                        Ok(f) => f,
                        Err(e) => {
                            self.log.push(format!(
                                "rewrite_parse_map_txt(): unable to open {path}: {e}"
                            ));
                            return None;
                        }
                    },
                };
                let key = key.to_string();
                let shared = &self.ctx.shared;
                shared
                    .pool
                    .run(&shared.daemon_cred, move || txt_lookup(file, &key))
                    .await
                    .ok()
                    .flatten()
            }
        }
    }

    /// Expands a substitution or condition text.
    async fn expand(&mut self, text: &str, rule: &Groups, cond: &Groups) -> String {
        let max = self.server.max_replace;
        let had_cond = subst::has_cond_backrefs(text);
        let mut out = subst::backrefs(text, '$', rule);
        if had_cond {
            out = subst::backrefs(&out, '%', cond);
        }
        out = subst::vars(&out, &|v| self.var(v), max);
        for call in subst::map_calls(&out.clone()) {
            let value = match self.lookup(&call.name, &call.key).await {
                Some(v) => v,
                None => call.default.clone(),
            };
            out = subst::replace_max(&out, &call.whole, &value, max);
        }
        subst::env(&out, &|n| std::env::var(n).ok())
    }

    /// Whether `path` (as the client would name it) passes a file test.
    async fn file_test(&self, path: &str, test: &Test) -> bool {
        let State::LoggedIn(user) = self.state else {
            return false;
        };
        let Ok(meta) = user.fs.symlink_metadata(&user.resolve(path)).await else {
            return false;
        };
        match test {
            Test::Dir => meta.is_dir(),
            Test::File => meta.is_file(),
            Test::Sized => meta.is_file() && meta.size > 0,
            Test::Symlink => meta.kind == oxftpd_storage::Kind::Symlink,
            _ => false,
        }
    }

    /// Whether a condition holds; a regex condition's groups become `%N`.
    async fn holds(&mut self, c: &Condition, rule: &Groups, cond: &mut Groups) -> bool {
        let text = self.expand(&c.text, rule, cond).await;
        let yes = match &c.test {
            Test::Lower(t) => text.as_str() < t.as_str(),
            Test::Greater(t) => text.as_str() > t.as_str(),
            Test::Equal(t) => text == *t,
            Test::Regex(re) => match re.captures(&text) {
                Some(caps) => {
                    *cond = groups(&caps);
                    true
                }
                None => {
                    cond.clear();
                    false
                }
            },
            t => self.file_test(&text, t).await,
        };
        yes != c.negated
    }

    /// Whether a rule's conditions hold (ProFTPD's `[OR]` evaluation).
    async fn conditions(&mut self, rule: &Rule, groups: &Groups, cond: &mut Groups) -> bool {
        let n = rule.conditions.len();
        let mut ok = true;
        for (i, c) in rule.conditions.iter().enumerate() {
            if self.holds(c, groups, cond).await {
                ok = true;
                if c.or_next {
                    break;
                }
            } else if i + 1 == n || !c.or_next {
                return false;
            }
        }
        ok
    }
}

/// The most of a `txt:` map that is read.
const TXT_MAP_LIMIT: u64 = 4 << 20;

/// A `txt:` map's value for `key`: the second word of the first line whose first word is it.
fn txt_lookup(file: std::fs::File, key: &str) -> Option<String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    file.take(TXT_MAP_LIMIT).read_to_end(&mut bytes).ok()?;
    let text = String::from_utf8_lossy(&bytes);
    text.lines().find_map(|line| {
        let line = line.trim_start();
        if line.starts_with('#') {
            return None;
        }
        let mut words = line.split_whitespace();
        let (k, v) = (words.next()?, words.next()?);
        (k == key).then(|| v.to_string())
    })
}

/// The settings for a command now: the current directory's when logged in, else the server's.
fn cfg_now(ctx: &Ctx, state: &State) -> Arc<Effective> {
    match state {
        State::LoggedIn(user) => crate::access::directories::cfg_for(ctx, user, &user.cwd),
        State::Connected { .. } => ctx.server.cfg.clone(),
    }
}

/// `PRE_CMD` on every command.
pub fn pre_any<'a>(ctx: &'a mut Ctx, state: &'a mut State, cmd: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        if !ctx.server.cfg.rewrite.engine {
            return Outcome::Continue;
        }
        let Some(full) = cmd.arg.filter(|a| !a.is_empty()) else {
            return Outcome::Continue;
        };
        let verb = cmd.spec.map_or(cmd.verb, |s| s.name);
        // SITE CHMOD/CHGRP: the rules see what follows the subcommand.
        let (name, head, arg) = if verb == "SITE" {
            let (sub, rest) = full.split_once(' ').unwrap_or((full, ""));
            if sub.eq_ignore_ascii_case("CHMOD") || sub.eq_ignore_ascii_case("CHGRP") {
                if rest.is_empty() {
                    return Outcome::Continue;
                }
                (
                    format!("SITE {}", sub.to_ascii_uppercase()),
                    format!("{sub} "),
                    rest.to_string(),
                )
            } else {
                (verb.to_string(), String::new(), full.to_string())
            }
        } else {
            (verb.to_string(), String::new(), full.to_string())
        };
        let cfg = cfg_now(ctx, state);
        if cfg.rewrite.rules.is_empty() {
            return Outcome::Continue;
        }
        let server = ctx.server.cfg.clone();
        let mut job = Job {
            ctx,
            state,
            name,
            arg,
            server: &server.rewrite,
            log: Vec::new(),
        };
        let mut changed = false;
        let mut cond_groups: Groups = Vec::new();
        for rule in &cfg.rewrite.rules {
            let caps = rule.pattern.captures(&job.arg).map(|c| groups(&c));
            let rule_groups = match (caps, rule.negated) {
                (Some(g), false) => g,
                (None, true) => Vec::new(),
                _ => {
                    job.log.push(format!(
                        "rewrite_fixup(): {} arg '{}' does not match RewriteRule regex",
                        job.name, job.arg
                    ));
                    continue;
                }
            };
            if !job.conditions(rule, &rule_groups, &mut cond_groups).await {
                job.log
                    .push("rewrite_fixup(): condition not met, skipping this RewriteRule".into());
                continue;
            }
            let new = job
                .expand(&rule.substitution, &rule_groups, &cond_groups)
                .await;
            if new.is_empty() {
                job.log.push(
                    "rewrite_fixup(): error processing RewriteRule: generated empty command \
                     argument, which is not allowed"
                        .into(),
                );
            } else {
                job.log
                    .push(format!("rewrite_fixup(): {} arg now '{new}'", job.name));
                job.arg = new;
                changed = true;
            }
            if rule.last {
                break;
            }
        }
        if let Some(logs) = job.ctx.generation.modules.get::<RewriteLogs>()
            && logs.has(job.ctx.server.index)
        {
            for line in &job.log {
                logs.write(job.ctx.server.index, line);
            }
        }
        if changed {
            Outcome::Rewrite(format!("{head}{}", job.arg))
        } else {
            Outcome::Continue
        }
    })
}
