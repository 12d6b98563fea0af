//! What a session does not see: `HideUser`, `HideGroup`, `HideNoAccess`, `HideFiles`.
//!
//! Listings skip hidden entries ([`hide_entry`]); `<Limit>`s with `IgnoreHidden on` make
//! commands on a hidden target answer as if it did not exist ([`target_hidden`]).

use oxftpd_config::modules::mod_core::View;
use oxftpd_storage::{Kind, Metadata};

use crate::session::{Ctx, LoggedIn};

/// What hiding needs to know about the session.
pub struct Viewer<'a> {
    /// The session's uid.
    pub uid: u32,
    /// The session's primary gid.
    pub gid: u32,
    /// All its gids (primary first).
    pub gids: &'a [u32],
    /// Looks a user name up to its uid.
    pub user_id: &'a dyn Fn(&str) -> Option<u32>,
    /// Looks a group name up to its gid.
    pub group_id: &'a dyn Fn(&str) -> Option<u32>,
    /// The session's user name.
    pub user: &'a str,
    /// The session's group names.
    pub groups: &'a [String],
    /// The session's `<Class>`, if any.
    pub class: Option<&'a str>,
}

/// Whether `name` (with metadata `meta`) is hidden: `HideFiles` as the directory holding it
/// is configured (`in_dir`, as ProFTPD's `dir_hide_file` looks it up), `HideUser`,
/// `HideGroup` and `HideNoAccess` as its own path is (`own`).
pub fn hidden_in(
    in_dir: &View,
    own: &View,
    viewer: &Viewer<'_>,
    name: &str,
    meta: &Metadata,
) -> bool {
    hide_files(in_dir, viewer, name) || hidden_by_owner(own, viewer, meta)
}

/// ProFTPD's `HideFiles regex|none [user|group|class expr]`: the closest one decides.
fn hide_files(cfg: &View, viewer: &Viewer<'_>, name: &str) -> bool {
    let Some(args) = &cfg.hide_files else {
        return false;
    };
    let arg = |i: usize| args.get(i).map(String::as_str);
    let Some(pattern) = arg(0) else {
        return false;
    };
    if pattern.eq_ignore_ascii_case("none") {
        return false;
    }
    if let Some(classifier) = arg(1)
        && !applies_to(viewer, classifier, arg(2).unwrap_or(""))
    {
        return false;
    }
    let (negated, pattern) = match pattern.strip_prefix('!') {
        Some(p) => (true, p),
        None => (false, pattern),
    };
    regex::Regex::new(pattern).is_ok_and(|re| re.is_match(name) != negated)
}

/// Whether `HideFiles … user|group|class expr` concerns this viewer: `user` and `class`
/// lists match when any term does, `group` lists when every term does (as ProFTPD 1.3.8).
fn applies_to(viewer: &Viewer<'_>, classifier: &str, expr: &str) -> bool {
    let term = |t: &str, f: &dyn Fn(&str) -> bool| match t.strip_prefix('!') {
        Some(n) => !f(n),
        None => f(t),
    };
    let terms = expr.split(',').filter(|t| !t.is_empty());
    match classifier.to_ascii_lowercase().as_str() {
        "user" => terms.clone().any(|t| term(t, &|n| n == viewer.user)),
        "group" => {
            let mut terms = terms.peekable();
            terms.peek().is_some()
                && terms.all(|t| term(t, &|n| viewer.groups.iter().any(|g| g == n)))
        }
        "class" => terms.clone().any(|t| term(t, &|n| viewer.class == Some(n))),
        _ => true,
    }
}

fn hidden_by_owner(cfg: &View, viewer: &Viewer<'_>, meta: &Metadata) -> bool {
    let mut hidden = false;
    for arg in &cfg.hide_user {
        let (inverted, name) = match arg.strip_prefix('!') {
            Some(n) => (true, n),
            None => (false, arg.as_str()),
        };
        let uid = if name == "~" {
            Some(viewer.uid)
        } else {
            (viewer.user_id)(name)
        };
        if uid == Some(meta.uid) {
            hidden |= !inverted;
            break;
        } else if inverted {
            hidden = true;
            break;
        }
    }
    for arg in &cfg.hide_group {
        let (inverted, name) = match arg.strip_prefix('!') {
            Some(n) => (true, n),
            None => (false, arg.as_str()),
        };
        let matches = if name == "~" {
            viewer.gids.contains(&meta.gid) || meta.gid == viewer.gid
        } else {
            (viewer.group_id)(name).is_some_and(|g| g == meta.gid)
        };
        if matches {
            hidden |= !inverted;
            break;
        } else if inverted {
            hidden = true;
            break;
        }
    }
    if cfg.hide_no_access {
        let want = if meta.kind == Kind::Dir { 0o1 } else { 0o4 };
        hidden = !may_access(viewer, meta, want);
    }
    hidden
}

/// Whether the mode bits grant `want` (r=4, w=2, x=1) to the viewer.
fn may_access(viewer: &Viewer<'_>, meta: &Metadata, want: u32) -> bool {
    if viewer.uid == 0 {
        return true;
    }
    let bits = if meta.uid == viewer.uid {
        meta.mode >> 6
    } else if viewer.gids.contains(&meta.gid) || meta.gid == viewer.gid {
        meta.mode >> 3
    } else {
        meta.mode
    };
    bits & want == want
}

fn with_viewer<R>(ctx: &Ctx, user: &LoggedIn, f: impl FnOnce(&Viewer<'_>) -> R) -> R {
    let auth = &ctx.server.auth;
    let user_id = |n: &str| auth.user_id(n);
    let group_id = |n: &str| auth.group_id(n);
    let viewer = Viewer {
        uid: user.identity.uid,
        gid: user.identity.gid,
        gids: &user.identity.groups,
        user_id: &user_id,
        group_id: &group_id,
        user: &user.identity.name,
        groups: &user.identity.group_names,
        class: ctx.class.as_deref(),
    };
    f(&viewer)
}

/// Whether the configuration or a `.ftpaccess` file the session has read could hide anything
/// at all: when not, a listing skips [`hide_entry`] (a scope lookup per entry).
pub fn may_hide(ctx: &Ctx, user: &LoggedIn) -> bool {
    oxftpd_config::modules::mod_core::server_hides(ctx.server.config()) || user.ftpaccess.hides()
}

/// Whether a listing of directory `dir` (virtual path) leaves out the entry `name`.
pub fn hide_entry(ctx: &Ctx, user: &LoggedIn, dir: &str, name: &str, meta: &Metadata) -> bool {
    let vpath = user.resolve_from(dir, name);
    let real = user.real_path(&vpath);
    // One entry of a listing: merged for mod_core alone and not cached, so that a listing
    // does not push the session's directories out of its cache.
    let scope = crate::access::directories::scope_for(ctx, user, &real);
    let cfg = View::read(&oxftpd_config::Merged::of(&scope));
    let in_dir = crate::access::directories::cfg_for(ctx, user, dir);
    if !cfg.hides && !in_dir.core.hides {
        return false;
    }
    with_viewer(ctx, user, |v| hidden_in(&in_dir.core, &cfg, v, name, meta))
}

/// Whether the target of a command (virtual path) is hidden from this session.
pub async fn target_hidden(ctx: &Ctx, user: &LoggedIn, vpath: &str) -> bool {
    let Some(cfgs) = hiding_cfgs(ctx, user, vpath) else {
        return false;
    };
    match user.fs.symlink_metadata(vpath).await {
        Ok(meta) => hidden_under(ctx, user, &cfgs, vpath, &meta),
        Err(_) => false,
    }
}

/// Whether the object at `vpath` (its `lstat` is `meta`) is hidden from this session: the
/// check of [`target_hidden`] for a caller that has looked the object up already.
pub fn path_hidden(ctx: &Ctx, user: &LoggedIn, vpath: &str, meta: &Metadata) -> bool {
    hiding_cfgs(ctx, user, vpath).is_some_and(|cfgs| hidden_under(ctx, user, &cfgs, vpath, meta))
}

/// The settings of a path and of the directory holding it, when either could hide it.
type HidingCfgs = (
    std::sync::Arc<oxftpd_config::Effective>,
    std::sync::Arc<oxftpd_config::Effective>,
);

fn hiding_cfgs(ctx: &Ctx, user: &LoggedIn, vpath: &str) -> Option<HidingCfgs> {
    let cfg = crate::access::directories::cfg_for(ctx, user, vpath);
    let in_dir = crate::access::directories::cfg_for(ctx, user, oxftpd_proto::path::parent(vpath));
    (cfg.core.hides || in_dir.core.hides).then_some((cfg, in_dir))
}

fn hidden_under(
    ctx: &Ctx,
    user: &LoggedIn,
    (cfg, in_dir): &HidingCfgs,
    vpath: &str,
    meta: &Metadata,
) -> bool {
    let name = vpath.rsplit('/').next().unwrap_or(vpath);
    with_viewer(ctx, user, |v| {
        hidden_in(&in_dir.core, &cfg.core, v, name, meta)
    })
}
