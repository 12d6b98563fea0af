//! Building a server's `AuthOrder` chain from its configuration.

use std::path::Path;

use oxftpd_auth::AuthChain;
use oxftpd_config::Server;

use crate::StartError;

/// The auth chain for `server` (`AuthOrder`, `AuthUserFile`, `AuthGroupFile`).
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
    oxftpd_auth::from_auth_order(&order, user_file, group_file).map_err(|e| {
        match server.directive("AuthOrder") {
            Some(d) => StartError::at(d, e.to_string()),
            None => StartError::Message(e.to_string()),
        }
    })
}
