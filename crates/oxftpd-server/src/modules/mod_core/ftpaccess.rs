//! `.ftpaccess` files kept fresh: mod_core's `PRE_CMD` hook reads the files on the way to a
//! command's target again when they changed (the cache itself is `access/ftpaccess.rs`).

pub use crate::access::ftpaccess::*;

use crate::module::hooks::{Cmd, HookFuture, Outcome};
use crate::session::{Ctx, State};

/// mod_core's `PRE_CMD` hook on every command: before `<Limit>` is judged for a logged-in
/// session, the `.ftpaccess` files on the way to the command's target are read again when
/// they changed (`AllowOverride`).
pub fn pre_cmd<'a>(ctx: &'a mut Ctx, state: &'a mut State, cmd: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        if let (State::LoggedIn(user), Some(spec)) = (state, cmd.spec)
            && !crate::access::limit::exempt(spec.name)
        {
            let target = crate::access::limit::target_vpath(user, spec, cmd.arg);
            refresh(ctx, user, &target).await;
        }
        Outcome::Continue
    })
}
