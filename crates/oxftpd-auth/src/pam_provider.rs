//! `mod_auth_pam.c`: the password check (and the account and session stages) through PAM.
//!
//! PAM says yes or no; it knows no uid, home or shell. As in ProFTPD, the account itself
//! comes from the system database (NSS), and a PAM "no" only declines: the next provider
//! in `AuthOrder` may still accept the user, unless PAM is authoritative
//! (`AuthOrder mod_auth_pam.c* …`), in which case the chain ends with the refusal.
//! The transaction blocks (PAM modules may sleep on failure): run it on a pool thread,
//! as root when the daemon started as root (pam_unix reads /etc/shadow). The session stage
//! opened at login stays open until the FTP session ends ([`PamSession`]).

use std::sync::{Arc, Mutex};

use crate::pam_ffi::{self, PamFailure, Request};
use crate::{AuthProvider, Flow, Identity, UnixProvider};

/// A PAM session opened at login and held for the FTP session's life, as mod_auth_pam
/// holds its handle: [`PamSession::close`] (at logout) runs `pam_close_session`,
/// `pam_setcred(PAM_DELETE_CRED)` and `pam_end`; dropping it unclosed does the same.
/// Close it where the daemon's privileged work runs (the filesystem pool, as root).
pub struct PamSession {
    open: Mutex<Option<pam_ffi::Open>>,
    user: String,
    service: String,
}

impl PamSession {
    /// Closes the PAM session and ends the transaction (once; later calls do nothing).
    pub fn close(&self) {
        let open = self.open.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(open) = open {
            open.close();
            tracing::debug!(
                "PAM({}): session closed (service '{}')",
                self.user,
                self.service
            );
        }
    }

    /// Whether the session is still open.
    pub fn is_open(&self) -> bool {
        self.open
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some()
    }
}

impl std::fmt::Debug for PamSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PamSession")
            .field("user", &self.user)
            .field("service", &self.service)
            .field("open", &self.is_open())
            .finish()
    }
}

/// Two sessions are equal only when they are the same session.
impl PartialEq for PamSession {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Eq for PamSession {}

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
        match pam_ffi::open(&req) {
            Ok(open) => match self.unix.lookup(user) {
                Flow::Break(Ok(mut id)) => {
                    id.pam_session = Some(Arc::new(PamSession {
                        open: Mutex::new(Some(open)),
                        user: user.to_string(),
                        service: self.settings.service.clone(),
                    }));
                    Flow::Break(Ok(id))
                }
                _ => {
                    open.close();
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
