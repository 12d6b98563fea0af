//! Building a server's `AuthOrder` chain from its configuration.

use std::path::Path;

use oxftpd_auth::{AuthChain, PamSettings};
use oxftpd_config::Server;

use crate::StartError;

/// The auth chain for `server` (`AuthOrder`, `AuthUserFile`, `AuthGroupFile`, `AuthPAM*`).
pub fn chain_for(server: &Server) -> Result<AuthChain, StartError> {
    let order: Vec<String> = match server.directive("AuthOrder") {
        Some(d) => d.args.clone(),
        None => Vec::new(),
    };
    let user_file = server
        .directive("AuthUserFile")
        .and_then(|d| d.arg(0))
        .map(Path::new);
    let group_file = server
        .directive("AuthGroupFile")
        .and_then(|d| d.arg(0))
        .map(Path::new);
    let mut pam = PamSettings::default();
    if let Some(d) = server.directive("AuthPAM") {
        pam.enabled = d.flag();
    }
    if let Some(s) = server.directive("AuthPAMConfig").and_then(|d| d.arg(0)) {
        pam.service = s.to_string();
    }
    pam.no_tty = server
        .directive("AuthPAMOptions")
        .is_some_and(|d| d.args.iter().any(|a| a.eq_ignore_ascii_case("NoTTY")));
    oxftpd_auth::from_auth_order_full(&order, user_file, group_file, false, &pam).map_err(|e| {
        match server.directive("AuthOrder") {
            Some(d) => StartError::at(d, e.to_string()),
            None => StartError::Message(e.to_string()),
        }
    })
}
