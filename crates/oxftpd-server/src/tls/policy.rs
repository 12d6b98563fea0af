//! `TLSRequired`: commands refused until the control or data channel is protected.

use oxftpd_proto::reply::Reply;

use crate::session::Ctx;

/// Commands that open a data connection.
const DATA_COMMANDS: &[&str] = &["LIST", "NLST", "MLSD", "RETR", "STOR", "STOU", "APPE"];

/// The refusal `TLSRequired` demands for `verb` in the session's current state, if any.
pub fn refusal(ctx: &Ctx, verb: &str) -> Option<Reply> {
    let settings = ctx.server.tls.as_ref()?;
    let r = settings.required;
    if (r.control || r.auth) && !ctx.tls.control && matches!(verb, "USER" | "PASS") {
        return Some(Reply::new(
            550,
            "SSL/TLS required on the control channel".to_string(),
        ));
    }
    if r.data && !ctx.tls.protect_data && DATA_COMMANDS.contains(&verb) {
        return Some(Reply::new(
            522,
            "SSL/TLS required on the data channel".to_string(),
        ));
    }
    None
}
