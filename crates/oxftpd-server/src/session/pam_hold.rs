//! The PAM session of a login, held for the FTP session's life (mod_auth_pam's session
//! stage): opened by the auth chain at login, closed when the holder goes (logout, QUIT,
//! disconnect, or a login refused after PAM said yes). The close runs on the filesystem
//! pool under the daemon's own credentials (root when started as root), where the login
//! ran, so modules that need root at `pam_close_session` have it.

use std::sync::Arc;

use oxftpd_auth::PamSession;

use crate::context::Shared;

/// Holds a login's PAM session, if any, and closes it on the pool when dropped.
pub struct PamHold {
    session: Option<Arc<PamSession>>,
    shared: Arc<Shared>,
}

impl PamHold {
    /// Holds `session` (None: nothing to close).
    pub fn new(session: Option<Arc<PamSession>>, shared: Arc<Shared>) -> PamHold {
        PamHold { session, shared }
    }

    /// Whether a PAM session is held.
    pub fn holds(&self) -> bool {
        self.session.is_some()
    }
}

impl Drop for PamHold {
    fn drop(&mut self) {
        let Some(session) = self.session.take() else {
            return;
        };
        let shared = self.shared.clone();
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    let cred = shared.daemon_cred.clone();
                    // If the pool is gone, dropping the closure closes it here.
                    let _ = shared.pool.run(&cred, move || session.close()).await;
                });
            }
            Err(_) => session.close(),
        }
    }
}
