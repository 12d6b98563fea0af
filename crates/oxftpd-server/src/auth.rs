//! Building a server's `AuthOrder` chain from its configuration.

use std::path::Path;

use oxftpd_auth::{AuthChain, PamSettings};
use oxftpd_config::Effective;

use crate::StartError;

/// The auth chain for `server` (`AuthOrder`, `AuthUserFile`, `AuthGroupFile`, `AuthPAM*`).
pub fn chain_for(cfg: &Effective) -> Result<AuthChain, StartError> {
    let order: Vec<String> = match &cfg.core.auth_order {
        Some(o) => o.value.clone(),
        None => Vec::new(),
    };
    let user_file = cfg.auth_file.user_file.as_deref().map(Path::new);
    let group_file = cfg.auth_file.group_file.as_deref().map(Path::new);
    let mut pam = PamSettings::default();
    if let Some(on) = cfg.auth_pam.enabled {
        pam.enabled = on;
    }
    if let Some(s) = &cfg.auth_pam.service {
        pam.service = s.to_string();
    }
    pam.no_tty = cfg
        .auth_pam
        .options
        .iter()
        .any(|a| a.eq_ignore_ascii_case("NoTTY"));
    oxftpd_auth::from_auth_order_full(&order, user_file, group_file, false, &pam).map_err(|e| {
        match &cfg.core.auth_order {
            Some(o) => StartError::at(&o.at, e.to_string()),
            None => StartError::Message(e.to_string()),
        }
    })
}
