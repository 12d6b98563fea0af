//! Building a server's `AuthOrder` chain from its configuration.

use std::path::Path;

use oxftpd_auth::{AuthChain, AuthProvider, ExtraProviders, PamSettings};
use oxftpd_config::{Effective, Server};

use crate::StartError;

/// A module's provider for `AuthOrder`, made from one server's configuration (`Ok(None)`
/// when its configuration switches it off there); `Module::auth`.
pub type ProviderFn = fn(&Server) -> Result<Option<Box<dyn AuthProvider>>, StartError>;

/// The providers of the modules that have one, by module name, made from one server's
/// configuration.
struct ModuleProviders<'a> {
    server: &'a Server,
    makers: &'a [(&'static str, ProviderFn)],
}

impl ExtraProviders for ModuleProviders<'_> {
    fn provider(&self, module: &str) -> Option<Result<Option<Box<dyn AuthProvider>>, String>> {
        let (_, make) = self.makers.iter().find(|(name, _)| *name == module)?;
        Some(make(self.server).map_err(|e| e.to_string()))
    }

    fn defaults(&self) -> Result<Vec<Box<dyn AuthProvider>>, String> {
        let mut out = Vec::new();
        for (_, make) in self.makers {
            if let Some(p) = make(self.server).map_err(|e| e.to_string())? {
                out.push(p);
            }
        }
        Ok(out)
    }
}

/// The auth chain for `server` (`AuthOrder`, `AuthUserFile`, `AuthGroupFile`, `AuthPAM*`, and
/// the providers of modules such as `mod_sql.c`, `makers`, by module name).
pub fn chain_for(
    server: &Server,
    cfg: &Effective,
    makers: &[(&'static str, ProviderFn)],
) -> Result<AuthChain, StartError> {
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
    let extra = ModuleProviders { server, makers };
    oxftpd_auth::from_auth_order_ext(&order, user_file, group_file, false, &pam, &extra).map_err(
        |e| match &cfg.core.auth_order {
            Some(o) => StartError::at(&o.at, e.to_string()),
            None => StartError::Message(e.to_string()),
        },
    )
}
