//! Building a server's `AuthOrder` chain from its configuration.

use std::path::Path;

use oxftpd_auth::{AuthChain, AuthProvider, ExtraProviders, PamSettings};
use oxftpd_config::{Effective, Server};

use crate::StartError;

/// The providers of the modules that have one (`Module::auth`), made from one server's
/// configuration.
struct ModuleProviders<'a> {
    server: &'a Server,
}

impl ExtraProviders for ModuleProviders<'_> {
    fn provider(&self, module: &str) -> Option<Result<Option<Box<dyn AuthProvider>>, String>> {
        let m = crate::modules::all()
            .iter()
            .find(|m| m.auth.is_some() && m.name() == module)?;
        let make = m.auth?;
        Some(make(self.server).map_err(|e| e.to_string()))
    }

    fn defaults(&self) -> Result<Vec<Box<dyn AuthProvider>>, String> {
        let mut out = Vec::new();
        for make in crate::modules::all().iter().filter_map(|m| m.auth) {
            if let Some(p) = make(self.server).map_err(|e| e.to_string())? {
                out.push(p);
            }
        }
        Ok(out)
    }
}

/// The auth chain for `server` (`AuthOrder`, `AuthUserFile`, `AuthGroupFile`, `AuthPAM*`, and
/// the module crates' providers such as `mod_sql.c`).
pub fn chain_for(server: &Server, cfg: &Effective) -> Result<AuthChain, StartError> {
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
    let extra = ModuleProviders { server };
    oxftpd_auth::from_auth_order_ext(&order, user_file, group_file, false, &pam, &extra).map_err(
        |e| match &cfg.core.auth_order {
            Some(o) => StartError::at(&o.at, e.to_string()),
            None => StartError::Message(e.to_string()),
        },
    )
}
