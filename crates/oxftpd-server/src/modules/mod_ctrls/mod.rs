//! mod_ctrls.c: the control socket that ProFTPD's `ftpdctl` and our `oxftpctl` talk to.
//!
//! `ControlsEngine` (on by default, as ProFTPD) binds `ControlsSocket` as root when a
//! configuration is opened (`socket::bind`), and the runtime serves it (`socket::serve`): one
//! request per connection, in `ftpdctl`'s wire format ([`wire`]), answered as soon as it
//! arrives (ProFTPD polls every `ControlsInterval` seconds; here that is only the longest a
//! client may take to send its request). Who may connect is `ControlsSocketACL` over the
//! kernel's peer credentials; who may run an action is that action's module's ACL
//! (`ControlsACLs` for this module's `help`, `lsctrl`, `insctrl`, `rmctrl`). The actions of
//! other modules are rows of their `Module::controls` tables (mod_ctrls_admin's `kick`,
//! `shutdown`, `status`, …).

pub mod actions;
pub mod settings;
pub mod socket;
pub mod wire;

use oxftpd_config::Config;

use crate::module::controls::ControlSpec;
use crate::module::state::ModuleState;
use crate::module::{Module, OpenFn};

/// The module's name and version in its log lines.
pub const VERSION: &str = "mod_ctrls/0.9.5";

static CONTROLS: &[ControlSpec] = &[
    ControlSpec {
        name: "help",
        desc: "describe all registered controls",
        run: actions::help,
        note: "",
    },
    ControlSpec {
        name: "insctrl",
        desc: "enable a disabled control",
        run: actions::insctrl,
        note: "",
    },
    ControlSpec {
        name: "lsctrl",
        desc: "list all registered controls",
        run: actions::lsctrl,
        note: "",
    },
    ControlSpec {
        name: "rmctrl",
        desc: "disable a registered control",
        run: actions::rmctrl,
        note: "`rmctrl all` closes the socket until the next restart, as ProFTPD",
    },
];

/// The mod_ctrls.c module.
pub static MODULE: Module = Module {
    spec: &oxftpd_config::modules::mod_ctrls::MODULE,
    open: Some(open as OpenFn),
    start: Some(socket::serve),
    controls: CONTROLS,
    ..Module::DEFAULT
};

/// Resolves ACL names: the main server's auth chain (`AuthUserFile` users), else the system.
fn resolver(config: &Config) -> impl Fn(bool, &str) -> Option<u32> {
    let cfg = oxftpd_config::Effective::of(&config.main_server().scope(None));
    let chain = crate::auth::chain_for(&cfg).ok();
    move |user: bool, name: &str| {
        let from_chain = chain.as_ref().and_then(|c| {
            if user {
                c.user_id(name)
            } else {
                c.group_id(name)
            }
        });
        from_chain.or_else(|| crate::module::controls::system_id(user, name))
    }
}

/// Binds the socket (as root) and keeps the settings for the configuration.
fn open(config: &Config, state: &mut ModuleState) -> Result<(), crate::StartError> {
    let settings = settings::Settings::of(config, &resolver(config));
    actions::reset();
    if let Err(e) = socket::bind(&settings) {
        // As ProFTPD: the daemon runs on without a control socket.
        tracing::warn!(
            "{VERSION}: error: unable to bind to local socket {}: {e}",
            settings.socket.display()
        );
    }
    state.insert(settings);
    Ok(())
}

/// The socket's path when this process still owns the file (the daemon removes it at exit).
pub fn socket_to_remove() -> Option<std::path::PathBuf> {
    socket::path_if_ours()
}
