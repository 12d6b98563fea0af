//! `TLSRequired`: commands refused until the control or data channel is protected.
//!
//! Server level: `USER`/`PASS` need a protected control connection (`on`, `ctrl`, `auth…`),
//! data commands need `PROT P` (`on`, `data`…). Inside `<Directory>`, `<Anonymous>` and
//! `.ftpaccess`, ProFTPD 1.3.8 applies only the data requirement, and by the session's
//! current directory (not the command's path): a `RETR` of a file elsewhere is refused
//! while the session is in such a directory, and allowed from outside it (observed).

use oxftpd_config::modules::mod_tls::parse_required;
use oxftpd_proto::reply::Reply;

use crate::session::{Ctx, State};

/// Commands that open a data connection.
const DATA_COMMANDS: &[&str] = &["LIST", "NLST", "MLSD", "RETR", "STOR", "STOU", "APPE"];

/// The refusal `TLSRequired` demands for `verb` in the session's current state, if any.
pub fn refusal(ctx: &Ctx, state: &State, verb: &str) -> Option<Reply> {
    let settings = ctx.server.tls.as_ref()?;
    let r = settings.required;
    if (r.control || r.auth) && !ctx.tls.control && matches!(verb, "USER" | "PASS") {
        return Some(Reply::new(
            550,
            "SSL/TLS required on the control channel".to_string(),
        ));
    }
    if !ctx.tls.protect_data && DATA_COMMANDS.contains(&verb) && data_required(ctx, state) {
        return Some(Reply::new(
            522,
            "SSL/TLS required on the data channel".to_string(),
        ));
    }
    None
}

/// Whether data connections must be protected where the session now is.
fn data_required(ctx: &Ctx, state: &State) -> bool {
    let server_level = ctx.server.tls.as_ref().is_some_and(|s| s.required.data);
    let State::LoggedIn(user) = state else {
        return server_level;
    };
    let scope = crate::ifsession::path_scope(ctx, user, &user.cwd);
    match scope.directive("TLSRequired").and_then(|d| d.arg(0)) {
        Some(a) => parse_required(a).is_some_and(|(_, data, _)| data),
        None => server_level,
    }
}
