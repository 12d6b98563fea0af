//! mod_ctrls's settings for one loaded configuration, with names resolved to ids (as root,
//! when the configuration is opened).

use std::fs::File;
use std::path::PathBuf;
use std::sync::Arc;

use oxftpd_config::modules::mod_ctrls::{ACTIONS, View};
use oxftpd_config::{Config, Merged};

use crate::module::controls::{Acl, ActionAcls};

/// ProFTPD's compiled-in `ControlsSocket` on Debian (`PR_RUN_DIR "/proftpd.sock"`), where
/// Debian's `ftpdctl` looks without `-s`.
pub const DEFAULT_SOCKET: &str = "/run/proftpd.sock";

/// What mod_ctrls does for one configuration.
#[derive(Clone, Debug)]
pub struct Settings {
    /// `ControlsEngine` (and not `ServerType inetd`).
    pub engine: bool,
    /// `ControlsSocket`.
    pub socket: PathBuf,
    /// `ControlsACLs`, for mod_ctrls's own actions.
    pub acls: ActionAcls,
    /// `ControlsSocketACL` (everyone by default).
    pub socket_acl: Acl,
    /// Whether a `ControlsSocketACL` was written (then the socket is open to every local
    /// user and the ACL decides).
    pub socket_acl_set: bool,
    /// `ControlsSocketOwner`, as ids (root's by default).
    pub owner: (u32, u32),
    /// `ControlsMaxClients`.
    pub max_clients: usize,
    /// `ControlsLog`, opened.
    pub log: Option<Arc<File>>,
    /// `ControlsInterval`, seconds: the longest a request waits for its answer.
    pub interval: u64,
}

impl Settings {
    /// Reads the main server's directives (they are server-config only).
    pub fn of(config: &Config, resolve: &dyn Fn(bool, &str) -> Option<u32>) -> Settings {
        let server = config.main_server();
        let view = View::read(&Merged::of(&server.scope(None)));
        let inetd = oxftpd_config::modules::mod_core::Daemon::of(config)
            .server_type
            .is_some_and(|t| t.eq_ignore_ascii_case("inetd"));
        let mut socket_acl = Acl::EVERYBODY;
        if let Some([allow, kind, names]) = view.socket_acl.as_deref() {
            socket_acl = Acl::NOBODY;
            socket_acl.set(allow, kind, names, resolve);
            // The other list stays closed: only the named users (or groups) pass.
        }
        let owner = match view.socket_owner.as_deref() {
            Some([user, group]) => (
                resolve(true, user).unwrap_or_else(|| {
                    tracing::debug!("ControlsSocketOwner: no such user '{user}'");
                    0
                }),
                resolve(false, group).unwrap_or_else(|| {
                    tracing::debug!("ControlsSocketOwner: no such group '{group}'");
                    0
                }),
            ),
            _ => (0, 0),
        };
        let log = view.log.as_deref().and_then(|p| {
            crate::module::log::open(std::path::Path::new(p))
                .map_err(|e| {
                    tracing::warn!("{}: unable to open ControlsLog '{p}': {e}", super::VERSION)
                })
                .ok()
                .map(Arc::new)
        });
        Settings {
            engine: view.engine && !inetd,
            socket: PathBuf::from(view.socket.as_deref().unwrap_or(DEFAULT_SOCKET)),
            acls: ActionAcls::from_lines(&view.acls, ACTIONS, resolve),
            socket_acl_set: view.socket_acl.is_some(),
            socket_acl,
            owner,
            max_clients: view.max_clients.max(1),
            log,
            interval: view.interval.max(1),
        }
    }

    /// The socket's mode: `0600` (its owner only), `0660` when `ControlsSocketOwner` names a
    /// group other than root's, `0666` when a `ControlsSocketACL` decides who may use it.
    pub fn socket_mode(&self) -> u32 {
        if self.socket_acl_set {
            0o666
        } else if self.owner.1 != 0 {
            0o660
        } else {
            0o600
        }
    }

    /// Appends one line to the `ControlsLog`.
    pub fn log(&self, message: &str) {
        if let Some(f) = &self.log {
            let _ = crate::module::log::write(f, super::VERSION, message);
        }
    }
}
