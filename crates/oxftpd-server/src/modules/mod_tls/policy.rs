//! `TLSRequired`: commands refused until the control or data channel is protected, and `PROT`
//! or `CCC` refused when they would break the policy (as mod_tls 1.3.8, observed).
//!
//! Every command (known or not) but those whose row is [`TlsRule::Exempt`] (`AUTH`, `FEAT`,
//! `SYST`, `HOST`, `CLNT`, `QUIT`) needs a protected control connection under `ctrl`; those
//! that carry credentials (`USER`/`PASS`/`ACCT`) under `auth`; commands that open a data
//! connection need `PROT P` under `data`, and `PROT P` is refused under `!data`. Inside `<Directory>`,
//! `<Anonymous>` and `.ftpaccess`, ProFTPD applies only the data requirement, by the session's
//! current directory (not the command's path). With `TLSOptions AllowPerUser` the control
//! requirement waits for `PASS` (see [`super::per_user`]).

use oxftpd_config::Origin;
use oxftpd_config::modules::mod_tls::parse_required;

use super::Required;
use super::log::event;
use crate::module::TlsRule;
use crate::module::error::{CommandError, TlsRefusal};
use crate::module::hooks::{Cmd, HookFuture, Outcome};
use crate::session::{Ctx, State};

/// The `TLSRequired` in force for the session: the user's (after `PASS` with `AllowPerUser`)
/// or the server's.
pub fn effective(ctx: &Ctx) -> Required {
    super::tls_state(ctx).user_required.unwrap_or_else(|| {
        crate::modules::mod_tls::server_tls(&ctx.server)
            .map_or_else(Required::default, |s| s.required)
    })
}

/// The refusal `TLSRequired` demands for `verb` in the session's current state, if any.
pub fn refusal(ctx: &Ctx, state: &State, verb: &str) -> Option<TlsRefusal> {
    let settings = crate::modules::mod_tls::server_tls(&ctx.server)?;
    // Unknown verbs need a protected control connection like any other.
    let row = crate::modules::command(verb);
    let rule = row.map_or(TlsRule::Control, |c| c.tls);
    if rule == TlsRule::Exempt {
        return None;
    }
    let log = settings.log.as_ref();
    let r = effective(ctx);
    if !super::tls_state(ctx).control {
        if r.auth && rule == TlsRule::Credentials {
            event(
                log,
                &format!("SSL/TLS required but absent for authentication, denying {verb} command"),
            );
            return Some(TlsRefusal::ControlRequired);
        }
        if r.ctrl && !settings.allow_per_user {
            event(
                log,
                &format!("SSL/TLS required but absent on control channel, denying {verb} command"),
            );
            return Some(TlsRefusal::ControlRequired);
        }
    }
    if super::tls_state(ctx).protect_data || !row.is_some_and(|c| c.opens_data) {
        return None;
    }
    if r.data == Some(true) {
        event(
            log,
            &format!("SSL/TLS required but absent on data channel, denying {verb} command"),
        );
        return Some(TlsRefusal::DataRequired);
    }
    if let Some(dir) = directory_requires_data(ctx, state) {
        event(
            log,
            &format!("{verb} command denied by TLSRequired in directory '{dir}'"),
        );
        return Some(TlsRefusal::DataRequired);
    }
    None
}

/// The directory whose `TLSRequired` demands protected data where the session now is, named
/// as ProFTPD logs it: a `<Directory>` by its pattern, an `<Anonymous>` root with a trailing
/// slash, `<IfUser>` and the like by the `ServerName`, a `.ftpaccess` by the current directory.
fn directory_requires_data(ctx: &Ctx, state: &State) -> Option<String> {
    let State::LoggedIn(user) = state else {
        return None;
    };
    let cfg = crate::access::directories::cfg_for(ctx, user, &user.cwd);
    let a = cfg.tls.required.as_deref()?;
    if parse_required(a)?.data != Some(true) {
        return None;
    }
    Some(match &cfg.tls.required_origin {
        Some(Origin::Directory(pattern)) => pattern.clone(),
        Some(Origin::Anonymous(root)) => format!("{}/", root.trim_end_matches('/')),
        // ProFTPD names the server's configuration after its ServerName (observed for
        // `<IfUser>`).
        Some(Origin::Server) => ctx.server.settings.name.clone(),
        _ => {
            let real = user.real_path(&user.cwd);
            format!("{}/", real.trim_end_matches('/'))
        }
    })
}

/// Why `PROT level` (upper case) breaks the policy, as `TLSLog` lines; `None` when allowed.
pub fn prot_refusal(ctx: &Ctx, level: &str) -> Option<[String; 2]> {
    let data = effective(ctx).data;
    let why = match (level, data) {
        ("C", Some(true)) => "TLSRequired requires protection for data transfers",
        ("P", Some(false)) => "TLSRequired does not allow protection for data transfers",
        _ => return None,
    };
    Some([
        format!("PROT: {why}"),
        format!("PROT: unwilling to accept security parameter ({level})"),
    ])
}

/// Whether `CCC` breaks the policy (a protected control channel is required throughout).
pub fn ccc_refused(ctx: &Ctx) -> bool {
    effective(ctx).ctrl
}

/// mod_tls's `PRE_CMD` hook on every line, known command or not: `TLSRequired`.
pub fn pre_cmd<'a>(ctx: &'a mut Ctx, state: &'a mut State, cmd: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        match refusal(ctx, state, cmd.verb) {
            Some(refusal) => Outcome::Refuse(CommandError::Tls(refusal)),
            None => Outcome::Continue,
        }
    })
}
