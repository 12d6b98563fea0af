//! mod_ratio.c: with `Ratios on`, a login's uploads earn its downloads by the first rule that
//! matches it (`HostRatio`, `AnonRatio`, `UserRatio`, `GroupRatio`, in 1.3.8's order); RETR is
//! refused with `550` once the file or byte credit is used up; PASS, CWD, LIST, NLST, RETR and
//! STOR answer with the tally, and `SITE RATIO` shows it. Past ProFTPD (whose ratios last one
//! session unless `SaveRatios` writes its `RatioFile`), the tallies are counters in the counter
//! store ([`persist`]), changed by atomic adds, so they hold across sessions, restarts and
//! several sessions of one user; `SaveRatios` also keeps ProFTPD's `RatioFile` as a copy.

pub mod persist;
pub mod stats;

use oxftpd_config::modules::mod_ratio::{Rule, View};
use oxftpd_proto::reply::Reply;

use crate::module::events::{Event, EventFuture};
use crate::module::hooks::{Cmd, Hook, HookFuture, On, Outcome, Phase};
use crate::module::{CommandError, HandlerFuture, Module, SiteHandler, SiteHelp, SiteSpec};
use crate::session::{Ctx, LoggedIn, State};
use stats::{Ratio, Tally};

/// mod_ratio.c.
pub static MODULE: Module = Module {
    spec: &oxftpd_config::modules::mod_ratio::MODULE,
    hooks: &[
        Hook::new(Phase::Post, On::Verb("PASS"), post_pass),
        Hook::new(Phase::Pre, On::Verb("RETR"), pre_retr),
        Hook::new(Phase::Post, On::Verb("RETR"), post_transfer),
        Hook::new(Phase::Post, On::Verb("STOR"), post_transfer),
        Hook::new(Phase::Post, On::Verb("LIST"), post_listing),
        Hook::new(Phase::Post, On::Verb("NLST"), post_listing),
        Hook::new(Phase::Post, On::Verb("CWD"), post_cwd),
    ],
    site: &[SiteSpec::new("RATIO", SiteHandler::Narrow(site_ratio))
        .help(SiteHelp::Hidden)
        .enabled_when(enabled)],
    events: Some(on_event),
    ..Module::DEFAULT
};

/// A session's ratio state: its tally as last read or written, and the last transfer's bytes.
#[derive(Default)]
struct Session {
    tally: Tally,
    moved: u64,
}

fn enabled(ctx: &Ctx) -> bool {
    ctx.server.cfg.ratio.enabled || ctx.server.anon_cfg.iter().any(|c| c.ratio.enabled)
}

fn logged_in(state: &mut State) -> Option<&mut LoggedIn> {
    match state {
        State::LoggedIn(u) => Some(u),
        State::Connected { .. } => None,
    }
}

/// The name ratios are kept under: the login's (an anonymous login's own name).
fn name(user: &LoggedIn) -> String {
    if user.anon.is_some() {
        user.login_name.clone()
    } else {
        user.identity.name.clone()
    }
}

/// Whether `pattern` (a host or address, `.example.com` or `10.1.` style) matches.
fn host_matches(pattern: &str, ctx: &Ctx) -> bool {
    let p = if pattern.ends_with('.') && !pattern.starts_with('.') {
        format!("{pattern}*")
    } else if let Some(rest) = pattern.strip_prefix('.') {
        format!("*.{rest}")
    } else {
        pattern.to_string()
    };
    let Ok(glob) = globset::GlobBuilder::new(&p)
        .case_insensitive(true)
        .literal_separator(false)
        .build()
    else {
        return false;
    };
    let m = glob.compile_matcher();
    m.is_match(ctx.peer.ip().to_string())
        || ctx.remote_name.as_deref().is_some_and(|n| m.is_match(n))
}

/// The rule for this login: the first `HostRatio`, `AnonRatio`, `UserRatio`, `GroupRatio`
/// that matches, as 1.3.8 looks.
fn rule<'v>(ctx: &Ctx, user: &LoggedIn, view: &'v View) -> Option<&'v Rule> {
    if let Some(r) = view.host.iter().find(|r| host_matches(&r.who, ctx)) {
        return Some(r);
    }
    if let Some(r) = view
        .anon
        .iter()
        .find(|r| user.anon.is_some() && (r.who == "*" || r.who == user.login_name))
    {
        return Some(r);
    }
    if let Some(r) = view
        .user
        .iter()
        .find(|r| r.who == "*" || r.who == user.login_name || r.who == user.identity.name)
    {
        return Some(r);
    }
    view.group
        .iter()
        .find(|r| user.identity.group_names.contains(&r.who))
}

/// The settings, tally and ratio in force for this session.
fn current(
    ctx: &Ctx,
    user: &LoggedIn,
) -> Option<(std::sync::Arc<oxftpd_config::Effective>, Tally, Ratio)> {
    let cfg = crate::access::directories::cfg_for(ctx, user, &user.cwd);
    if !cfg.ratio.enabled {
        return None;
    }
    let tally = ctx
        .ext
        .get::<Session>()
        .map(|s| s.tally)
        .unwrap_or_default();
    let ratio = Ratio::of(rule(ctx, user, &cfg.ratio), &tally);
    Some((cfg, tally, ratio))
}

/// Adds the summary lines to the command's reply.
fn add_summary(ctx: &mut Ctx, user: &LoggedIn, code: u16, first: bool) {
    let Some((cfg, tally, ratio)) = current(ctx, user) else {
        return;
    };
    let lines = stats::summary(&cfg.ratio, &tally, &ratio);
    if first {
        for line in lines.iter().rev() {
            ctx.control.add_line(code, line, true);
        }
    } else {
        for line in &lines {
            ctx.control.add_line(code, line, false);
        }
    }
}

/// After a login: the tally from the store, and its summary before `230`'s text.
fn post_pass<'a>(ctx: &'a mut Ctx, state: &'a mut State, cmd: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        let Some(user) = logged_in(state) else {
            return Outcome::Continue;
        };
        let cfg = crate::access::directories::cfg_for(ctx, user, &user.cwd);
        if !cfg.ratio.enabled {
            return Outcome::Continue;
        }
        let mut tally = persist::load(ctx, &name(user)).await;
        // A RatioFile line of a user the store has no tally for yet (ProFTPD's own saved
        // ratios) is taken into the store once.
        if cfg.ratio.save
            && tally == Tally::default()
            && let Some(saved) = persist::read_file(ctx, user, &cfg.ratio, &name(user)).await
        {
            tally = persist::add(ctx, &name(user), saved).await;
        }
        ctx.ext.insert(Session { tally, moved: 0 });
        if cfg.ratio.save {
            persist::save_file(ctx, user, &cfg.ratio, &name(user), tally).await;
        }
        add_summary(ctx, user, cmd.code, true);
        Outcome::Continue
    })
}

/// Before RETR: refused once the file or byte credit is used up.
fn pre_retr<'a>(ctx: &'a mut Ctx, state: &'a mut State, cmd: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        let Some(user) = logged_in(state) else {
            return Outcome::Continue;
        };
        if ctx.ext.get::<Session>().is_none() {
            return Outcome::Continue;
        }
        // Other sessions of this user may have moved files since.
        let tally = persist::load(ctx, &name(user)).await;
        if let Some(s) = ctx.ext.get_mut::<Session>() {
            s.tally = tally;
            s.moved = 0;
        }
        let Some((cfg, tally, r)) = current(ctx, user) else {
            return Outcome::Continue;
        };
        let arg = cmd.arg.unwrap_or("");
        if r.frate != 0 && r.files < 1 {
            let reply = Reply::new(550, cfg.ratio.file_msg.clone()).with_line(format!(
                "{arg}: FILE RATIO: {}  Down: {}  Up: only {}!",
                r.ftext, tally.files_down, tally.files_up
            ));
            return Outcome::Refuse(CommandError::Refused(reply));
        }
        if r.brate != 0 {
            let size = user
                .fs
                .metadata(&user.resolve(arg))
                .await
                .map(|m| m.size)
                .unwrap_or(0);
            if r.kb - i64::try_from(size / 1024).unwrap_or(i64::MAX) < 0 {
                let reply = Reply::new(550, cfg.ratio.byte_msg.clone()).with_line(format!(
                    "{arg}: BYTE RATIO: {}  Down: {}mb  Up: only {}mb!",
                    r.btext,
                    tally.kb_down / 1024,
                    tally.kb_up / 1024
                ));
                return Outcome::Refuse(CommandError::Refused(reply));
            }
        }
        Outcome::Continue
    })
}

/// After RETR or STOR: one file and its KB counted (atomically, in the store), and the summary.
fn post_transfer<'a>(ctx: &'a mut Ctx, state: &'a mut State, cmd: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        let Some(user) = logged_in(state) else {
            return Outcome::Continue;
        };
        let Some(s) = ctx.ext.get::<Session>() else {
            return Outcome::Continue;
        };
        let kb = i64::try_from(s.moved / 1024).unwrap_or(i64::MAX);
        let delta = if cmd.verb == "RETR" {
            Tally {
                files_down: 1,
                kb_down: kb,
                ..Tally::default()
            }
        } else {
            Tally {
                files_up: 1,
                kb_up: kb,
                ..Tally::default()
            }
        };
        let tally = persist::add(ctx, &name(user), delta).await;
        if let Some(s) = ctx.ext.get_mut::<Session>() {
            s.tally = tally;
        }
        let cfg = crate::access::directories::cfg_for(ctx, user, &user.cwd);
        if cfg.ratio.save {
            persist::save_file(ctx, user, &cfg.ratio, &name(user), tally).await;
        }
        add_summary(ctx, user, cmd.code, false);
        Outcome::Continue
    })
}

/// After LIST and NLST: the summary.
fn post_listing<'a>(ctx: &'a mut Ctx, state: &'a mut State, cmd: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        if let Some(user) = logged_in(state)
            && ctx.ext.get::<Session>().is_some()
        {
            add_summary(ctx, user, cmd.code, false);
        }
        Outcome::Continue
    })
}

/// After CWD: the `CwdRatioMsg` lines and the summary.
fn post_cwd<'a>(ctx: &'a mut Ctx, state: &'a mut State, cmd: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        let Some(user) = logged_in(state) else {
            return Outcome::Continue;
        };
        if ctx.ext.get::<Session>().is_none() || cmd.code != 250 {
            return Outcome::Continue;
        }
        let cfg = crate::access::directories::cfg_for(ctx, user, &user.cwd);
        for line in &cfg.ratio.cwd_msgs {
            if line.is_empty() {
                break;
            }
            ctx.control.add_line(250, line, false);
        }
        add_summary(ctx, user, 250, false);
        Outcome::Continue
    })
}

/// `SITE RATIO`: the ratio in force.
fn site_ratio<'a>(
    hx: crate::module::HandlerCtx<'a>,
    _arg: &'a str,
    _rest: &'a str,
) -> HandlerFuture<'a> {
    Box::pin(async move {
        let crate::module::HandlerCtx {
            user, mut session, ..
        } = hx;
        let ctx = &mut session;
        let tally = persist::load(ctx, &name(user)).await;
        if let Some(s) = ctx.ext_mut().get_mut::<Session>() {
            s.tally = tally;
        }
        let ratio = match current(ctx, user) {
            Some((_, _, r)) => r,
            None => Ratio::of(None, &tally),
        };
        let lines = stats::site(&tally, &ratio);
        let mut reply = Reply::new(214, lines[0].clone());
        for line in &lines[1..] {
            reply.push_line(line.clone());
        }
        Ok(ctx.send(&reply).await?)
    })
}

/// The bytes of each finished transfer.
fn on_event<'a>(ctx: &'a mut Ctx, event: &'a Event<'a>) -> EventFuture<'a> {
    Box::pin(async move {
        if let Event::Transfer { transfer, .. } = event
            && let Some(s) = ctx.ext.get_mut::<Session>()
        {
            s.moved = transfer.bytes;
        }
    })
}
