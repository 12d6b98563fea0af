//! `AllowFilter`/`DenyFilter` (on every command's argument but PASS's) and
//! `PathAllowFilter`/`PathDenyFilter` (on the path argument of the commands that create,
//! rename or remove names: STOR, APPE, STOU, MKD, RNFR, RNTO, DELE, RMD, as mod_core and
//! mod_xfer check them), as each verb's row says ([`ArgFilter`]).
//!
//! ProFTPD answers `550 ARG: Forbidden command argument` and `550 ARG: Forbidden filename`.
//! Compiled patterns are kept per session, so no command takes a lock to use them.

use std::collections::HashMap;

use oxftpd_config::modules::mod_core::View;
use regex::{Regex, RegexBuilder};
use tracing::{debug, warn};

use crate::module::ArgFilter;
use crate::module::error::{CommandError, FilterRefusal};
use crate::module::hooks::{Cmd, HookFuture, Outcome};
use crate::session::{Ctx, State};

/// A session's compiled patterns, keyed by the directive text.
#[derive(Default)]
pub struct Cache {
    compiled: HashMap<String, Option<Regex>>,
}

impl Cache {
    /// The compiled pattern (with `[NC]` or `[nocase]` for case-insensitive); `None` when it
    /// doesn't compile.
    fn get(&mut self, pattern: &str, flags: Option<&str>) -> Option<&Regex> {
        let key = format!("{pattern}\u{0}{}", flags.unwrap_or(""));
        self.compiled
            .entry(key)
            .or_insert_with(|| {
                let nocase = flags.is_some_and(|f| {
                    f.eq_ignore_ascii_case("[NC]") || f.eq_ignore_ascii_case("[nocase]")
                });
                match RegexBuilder::new(pattern).case_insensitive(nocase).build() {
                    Ok(re) => Some(re),
                    Err(e) => {
                        warn!("filter pattern {pattern:?} does not compile: {e}");
                        None
                    }
                }
            })
            .as_ref()
    }
}

/// An allow or deny filter: its `regex [flags]` arguments and its name for the debug log.
type Filter<'a> = (Option<&'a Vec<String>>, &'static str);

/// The pattern and flags of a filter's arguments.
fn pattern(args: &[String]) -> Option<(&str, Option<&str>)> {
    let p = args.first()?;
    Some((p, args.get(1).map(String::as_str)))
}

/// Whether `text` passes an allow/deny filter pair.
fn passes(
    cache: &mut Cache,
    (allow, allow_name): Filter<'_>,
    (deny, deny_name): Filter<'_>,
    text: &str,
) -> bool {
    if let Some((p, flags)) = allow.and_then(|a| pattern(a))
        && let Some(re) = cache.get(p, flags)
        && !re.is_match(text)
    {
        debug!("'{text}' denied by {allow_name}");
        return false;
    }
    if let Some((p, flags)) = deny.and_then(|a| pattern(a))
        && let Some(re) = cache.get(p, flags)
        && re.is_match(text)
    {
        debug!("'{text}' denied by {deny_name}");
        return false;
    }
    true
}

/// Which filters a verb's row applies (unknown verbs: the command filter).
fn filter_of(verb: &str) -> ArgFilter {
    crate::modules::command(&verb.to_ascii_uppercase()).map_or(ArgFilter::Command, |c| c.filter)
}

/// The refusal when `AllowFilter`/`DenyFilter` refuse a command's argument.
pub fn command_refusal(
    cache: &mut Cache,
    cfg: &View,
    verb: &str,
    arg: Option<&str>,
) -> Option<FilterRefusal> {
    let arg = arg?;
    if filter_of(verb) == ArgFilter::Unfiltered {
        return None;
    }
    let allow = (cfg.allow_filter.as_ref(), "AllowFilter");
    let deny = (cfg.deny_filter.as_ref(), "DenyFilter");
    (!passes(cache, allow, deny, arg)).then(|| FilterRefusal::Argument(arg.to_string()))
}

/// The refusal when `PathAllowFilter`/`PathDenyFilter` refuse the name a command creates,
/// renames or removes.
pub fn path_refusal(
    cache: &mut Cache,
    cfg: &View,
    verb: &str,
    arg: Option<&str>,
) -> Option<FilterRefusal> {
    let arg = arg?;
    if filter_of(verb) != ArgFilter::Path {
        return None;
    }
    let allow = (cfg.path_allow_filter.as_ref(), "PathAllowFilter");
    let deny = (cfg.path_deny_filter.as_ref(), "PathDenyFilter");
    (!passes(cache, allow, deny, arg)).then(|| FilterRefusal::Path(arg.to_string()))
}

/// mod_core's `PRE_CMD` hook on every command: `AllowFilter`/`DenyFilter` on the argument,
/// `PathAllowFilter`/`PathDenyFilter` on the names a command creates, renames or removes
/// (`550`).
pub fn pre_cmd<'a>(ctx: &'a mut Ctx, state: &'a mut State, cmd: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        let Some(arg) = cmd.arg else {
            return Outcome::Continue;
        };
        let mut cache = ctx.ext.remove::<Cache>().unwrap_or_default();
        let refusal = {
            let cfg = match state {
                State::LoggedIn(user) => crate::access::directories::cfg_for(ctx, user, &user.cwd),
                State::Connected { .. } => crate::access::conditions::connect_cfg(ctx),
            };
            let core = &cfg.core;
            command_refusal(&mut cache, core, cmd.verb, Some(arg))
                .or_else(|| path_refusal(&mut cache, core, cmd.verb, Some(arg)))
        };
        ctx.ext.insert(cache);
        match refusal {
            Some(refusal) => Outcome::Refuse(CommandError::Filter(refusal)),
            None => Outcome::Continue,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_compiles_once_and_honours_nc() {
        let mut c = Cache::default();
        assert!(c.get(r"\.exe$", None).is_some_and(|r| !r.is_match("A.EXE")));
        assert!(
            c.get(r"\.exe$", Some("[NC]"))
                .is_some_and(|r| r.is_match("A.EXE"))
        );
        assert!(c.get("(", None).is_none());
        assert_eq!(c.compiled.len(), 3);
        let _ = c.get(r"\.exe$", None);
        assert_eq!(c.compiled.len(), 3);
    }
}
