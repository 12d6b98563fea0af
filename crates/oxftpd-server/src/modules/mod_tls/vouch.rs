//! Deciding at `USER` whether the client certificate logs the user in (`TLSUserName`,
//! `TLSOptions AllowDotLogin`), with mod_tls's `TLSLog` lines.

use std::path::PathBuf;

use oxftpd_storage::Credentials;

use super::cert_login::{dotlogin_lists, field_label, field_names_user};
use super::log::event;
use crate::session::Ctx;

/// Whether the verified client certificate of the session vouches for the login `name`.
pub async fn vouches_for(ctx: &Ctx, name: &str) -> bool {
    let (Some(settings), Some(cert)) = (
        crate::modules::mod_tls::server_tls(&ctx.server).cloned(),
        super::tls_state(ctx).client_cert.clone(),
    ) else {
        return false;
    };
    let log = settings.log.as_ref();
    if let Some(field) = &settings.user_name {
        let label = field_label(field);
        if field_names_user(field, cert.as_ref(), name) {
            event(
                log,
                &format!("TLS/X509 TLSUserName '{label}' check successful for user '{name}'"),
            );
            return true;
        }
        event(
            log,
            &format!("TLS/X509 TLSUserName '{label}' check failed for user '{name}'"),
        );
    }
    if settings.allow_dot_login {
        if dotlogin_file(ctx, name)
            .await
            .is_some_and(|pem| dotlogin_lists(&pem, cert.as_ref()))
        {
            event(
                log,
                &format!("TLS/X509 .tlslogin check successful for user '{name}'"),
            );
            return true;
        }
        event(
            log,
            &format!("TLS/X509 .tlslogin check failed for user '{name}'"),
        );
    }
    false
}

/// The user's `~/.tlslogin`, read with the user's own credentials.
async fn dotlogin_file(ctx: &Ctx, name: &str) -> Option<Vec<u8>> {
    let target = crate::modules::mod_auth::login::target(&ctx.server, name).ok()?;
    let server = ctx.server.clone();
    let user = target.user.clone();
    let identity = ctx
        .shared
        .pool
        .run(&ctx.shared.daemon_cred, move || server.auth.lookup(&user))
        .await
        .ok()?
        .ok()?;
    let cred = Credentials {
        uid: identity.uid,
        gid: identity.gid,
        groups: identity.groups.clone().into(),
        umask: 0o022,
        dir_umask: 0o022,
    };
    let path = PathBuf::from(&identity.home).join(".tlslogin");
    ctx.shared
        .pool
        .run(&cred, move || std::fs::read(path))
        .await
        .ok()?
        .ok()
}
