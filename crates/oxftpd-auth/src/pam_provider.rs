//! `mod_auth_pam.c`: the password check (and the account and session stages) through PAM.
//!
//! PAM says yes or no; it knows no uid, home or shell. As in ProFTPD, the account itself
//! comes from the system database (NSS), and a PAM "no" only declines: the next provider
//! in `AuthOrder` may still accept the user, unless PAM is authoritative
//! (`AuthOrder mod_auth_pam.c* …`), in which case the chain ends with the refusal.
//! The transaction blocks (PAM modules may sleep on failure): run it on a pool thread,
//! as root when the daemon started as root (pam_unix reads /etc/shadow).

use crate::pam_ffi::{self, PamFailure, Request};
use crate::{AuthProvider, Flow, Identity, UnixProvider};

/// The `AuthOrder` name of this provider.
pub const MODULE: &str = "mod_auth_pam.c";

/// `AuthPAMConfig`'s default service.
pub const DEFAULT_SERVICE: &str = "ftp";

/// `AuthPAMConfig` and `AuthPAMOptions`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PamSettings {
    /// `AuthPAM`: off leaves PAM out of the chain.
    pub enabled: bool,
    /// The PAM service (`AuthPAMConfig`, default `ftp`).
    pub service: String,
    /// `AuthPAMOptions NoTTY`: do not set `PAM_TTY`.
    pub no_tty: bool,
}

impl Default for PamSettings {
    fn default() -> Self {
        PamSettings {
            enabled: true,
            service: DEFAULT_SERVICE.to_string(),
            no_tty: false,
        }
    }
}

/// Identity provider that asks PAM for the password check and NSS for the account.
#[derive(Debug, Clone)]
pub struct PamProvider {
    settings: PamSettings,
    unix: UnixProvider,
}

impl PamProvider {
    /// A provider for `settings`.
    pub fn new(settings: PamSettings) -> Self {
        PamProvider {
            settings,
            unix: UnixProvider::new(),
        }
    }

    /// The PAM service this provider uses.
    pub fn service(&self) -> &str {
        &self.settings.service
    }
}

impl AuthProvider for PamProvider {
    fn module(&self) -> &'static str {
        MODULE
    }

    fn authenticate(&self, user: &str, password: &str) -> Flow<Identity> {
        let tty = (!self.settings.no_tty).then(|| format!("/dev/ftpd{}", std::process::id()));
        let req = Request {
            service: &self.settings.service,
            user,
            password,
            tty,
            rhost: None,
        };
        match pam_ffi::check(&req) {
            Ok(()) => match self.unix.lookup(user) {
                Flow::Break(Ok(id)) => Flow::Break(Ok(id)),
                _ => {
                    tracing::warn!(
                        "PAM({user}): accepted by service '{}', but the system has no account '{user}' (getpwnam)",
                        self.settings.service
                    );
                    Flow::Continue
                }
            },
            Err(PamFailure::Unavailable(why)) => {
                tracing::warn!("{MODULE}: {why}; PAM declines every user");
                Flow::Continue
            }
            Err(PamFailure::Stage { stage, code, text }) => {
                let unknown = code == pam_ffi::USER_UNKNOWN;
                tracing::info!(
                    "PAM({user}): {text} (service '{}', {stage} stage{})",
                    self.settings.service,
                    if unknown { ", user unknown" } else { "" }
                );
                Flow::Continue
            }
        }
    }

    fn lookup(&self, _user: &str) -> Flow<Identity> {
        Flow::Continue
    }

    fn user_name(&self, _uid: u32) -> Option<String> {
        None
    }

    fn group_name(&self, _gid: u32) -> Option<String> {
        None
    }

    fn group_id(&self, _name: &str) -> Option<u32> {
        None
    }

    fn user_id(&self, _name: &str) -> Option<u32> {
        None
    }
}
