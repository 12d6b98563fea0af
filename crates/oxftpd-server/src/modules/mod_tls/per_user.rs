//! `TLSOptions AllowPerUser`: `TLSRequired` taken from the user's scope (`<IfUser>`,
//! `<IfGroup>`, `<IfClass>`, `<Anonymous>`) once `PASS` succeeded. A session that must have
//! a protected control connection and has none is then closed (ProFTPD answers the `PASS`
//! with `530 Login incorrect.` and disconnects); the data requirement applies from then on.

use oxftpd_config::modules::mod_tls::parse_required;

use super::log::event;
use crate::module::Admission;
use crate::session::{Ctx, LoggedIn};

/// Applies the user's `TLSRequired`; `false` when the session must end.
pub fn admit(ctx: &mut Ctx, user: &LoggedIn) -> bool {
    let Some(settings) = crate::modules::mod_tls::server_tls(&ctx.server).cloned() else {
        return true;
    };
    if !settings.allow_per_user {
        return true;
    }
    let required = crate::access::conditions::user_cfg(ctx, user)
        .tls
        .required
        .as_deref()
        .and_then(parse_required);
    let Some(required) = required else {
        return true;
    };
    super::tls_state_mut(ctx).user_required = Some(required);
    if (required.ctrl || required.auth) && !super::tls_state(ctx).control {
        event(
            settings.log.as_ref(),
            "SSL/TLS required but absent on control channel, disconnecting",
        );
        return false;
    }
    true
}

/// mod_tls's login check ([`crate::module::AdmitFn`]): [`admit`], refused as ProFTPD does.
pub fn admit_login(ctx: &mut Ctx, user: &mut LoggedIn) -> Admission {
    if admit(ctx, user) {
        Admission::Admit
    } else {
        Admission::Refuse("Login incorrect.".to_string())
    }
}
