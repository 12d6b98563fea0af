//! Which `<Directory>` chain applies to a session's real path: `~` is the user's home, `~user`
//! another user's (looked up through the server's auth chain, only when a pattern names one).

use std::sync::Arc;

use oxftpd_config::{Effective, Scope};

use crate::session::{Ctx, LoggedIn};

/// The scope (`.ftpaccess` files, `<Directory>` chain, matching `<IfUser>`/`<IfGroup>`/
/// `<IfClass>` blocks, `<Anonymous>`, server) for a real path of this session.
pub fn scope_for<'a>(ctx: &'a Ctx, user: &'a LoggedIn, real: &str) -> Scope<'a> {
    config_scope_for(ctx, user, real).with_overrides(&user.ftpaccess.blocks_for(real))
}

/// [`scope_for`] from the configuration alone, without `.ftpaccess` files.
pub fn config_scope_for<'a>(ctx: &'a Ctx, user: &'a LoggedIn, real: &str) -> Scope<'a> {
    let home = user.identity.home.to_string_lossy().into_owned();
    let auth = &ctx.server.auth;
    crate::access::conditions::user_scope(ctx, user).for_path_with(real, &move |name: Option<
        &str,
    >| match name {
        None => Some(home.clone()),
        Some(n) => auth
            .lookup(n)
            .ok()
            .map(|id| id.home.to_string_lossy().into_owned()),
    })
}

/// The typed settings for a virtual path of this session, merged once and cached per path
/// until a `.ftpaccess` file changes (the session's read-only view of [`scope_for`]).
pub fn cfg_for(ctx: &Ctx, user: &LoggedIn, vpath: &str) -> Arc<Effective> {
    user.config_cache
        .full(server_key(ctx), user.ftpaccess.version(), vpath, || {
            Effective::of(&scope_for(ctx, user, &user.real_path(vpath)))
        })
}

/// The typed settings for a real path from the configuration alone (no `.ftpaccess`), cached.
pub fn config_cfg_for(ctx: &Ctx, user: &LoggedIn, real: &str) -> Arc<Effective> {
    user.config_cache.config_only(server_key(ctx), real, || {
        Effective::of(&config_scope_for(ctx, user, real))
    })
}

/// Tells the session's servers apart (a session's server outlives its cache entries).
fn server_key(ctx: &Ctx) -> usize {
    Arc::as_ptr(&ctx.server) as usize
}
