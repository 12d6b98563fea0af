//! mod_ctrls_admin.c: the administrative control actions, served by mod_ctrls's socket.
//!
//! ProFTPD's actions with ProFTPD's texts: `kick user|host|class` ([`kick`]), `status`, `up`
//! and `down` of an address#port ([`binds`]), `debug level`, `dns`, `restart`, `shutdown`,
//! `scoreboard clean`, `trace info`, `get` ([`process`]); `config` is refused (oxftpd changes
//! its configuration only by re-reading it). oxftpd adds `who`, `count` ([`who`]) and `shut`
//! ([`shut`]), which `oxftpctl` uses. Who may run them is `AdminControlsACLs` (nobody until
//! it says so); `AdminControlsEngine off` (or a list) leaves actions out.
//!
//! Sessions are processes in ProFTPD, found in the scoreboard and signalled; here they are
//! tasks, kept in [`crate::sessions`] by this module's hooks ([`track`]).

pub mod binds;
pub mod kick;
pub mod process;
pub mod shut;
pub mod track;
pub mod who;

use std::sync::atomic::Ordering;

use oxftpd_config::modules::mod_ctrls_admin::{ACTIONS, Engine, View};
use oxftpd_config::{Config, Merged};

use crate::module::controls::{ActionAcls, ControlRequest, ControlSpec, Unregistered};
use crate::module::hooks::{Hook, On, Phase};
use crate::module::state::ModuleState;
use crate::module::{Admission, AdmitFn, Module, OpenFn};
use crate::session::{Ctx, LoggedIn};

/// The module's name and version in its log lines.
pub const VERSION: &str = "mod_ctrls_admin/0.9.9";

/// `AdminControlsACLs`, for one configuration.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// Who may run which action.
    pub acls: ActionAcls,
}

/// Whether the request's client may run its action.
fn allowed(req: &ControlRequest<'_>) -> bool {
    req.generation
        .modules
        .get::<Settings>()
        .is_some_and(|s| s.acls.allows(req.action, req.client))
}

/// A line in the `ControlsLog` (mod_ctrls's), under this module's name.
fn log(req: &ControlRequest<'_>, message: &str) {
    if let Some(s) = req
        .generation
        .modules
        .get::<crate::modules::mod_ctrls::settings::Settings>()
        && let Some(f) = &s.log
    {
        let _ = crate::module::log::write(f, VERSION, message);
    }
}

static CONTROLS: &[ControlSpec] = &[
    ControlSpec {
        name: "config",
        desc: "set config directives",
        run: process::config,
        note: "refused with a reason: oxftpd changes its configuration only by re-reading the file (`restart`)",
    },
    ControlSpec {
        name: "debug",
        desc: "set debugging level",
        run: process::debug,
        note: "`debug level N` changes the daemon log's level at once (0 info, 1-4 debug, 5 and up trace); `debug memory` is not offered",
    },
    ControlSpec {
        name: "dns",
        desc: "set UseReverseDNS configuration",
        run: process::dns,
        note: "`dns on` / `dns off` applies to sessions that connect afterwards; `dns cache clear` has nothing to clear (names are looked up per session)",
    },
    ControlSpec {
        name: "down",
        desc: "disable an individual virtual server",
        run: binds::down,
        note: "new connections to the address are accepted and closed without a greeting; running sessions go on",
    },
    ControlSpec {
        name: "get",
        desc: "list configuration data",
        run: process::get,
        note: "`get config NAME` answers `not retrievable` or `directive not found`, as ProFTPD",
    },
    ControlSpec {
        name: "kick",
        desc: "disconnect a class, host, or user",
        run: kick::kick,
        note: "the session task ends at once (ProFTPD signals the process); the client sees the connection close",
    },
    ControlSpec {
        name: "restart",
        desc: "restart the daemon (similar to using HUP)",
        run: process::restart,
        note: "SIGHUP to the daemon: the configuration is re-read and the listening sockets kept; `restart count` counts reloads",
    },
    ControlSpec {
        name: "scoreboard",
        desc: "clean the ScoreboardFile",
        run: process::scoreboard,
        note: "",
    },
    ControlSpec {
        name: "shutdown",
        desc: "shutdown the daemon",
        run: process::shutdown,
        note: "`shutdown graceful [SECS]` waits for the sessions (at most SECS, then ends them) before SIGTERM; new connections are still taken meanwhile",
    },
    ControlSpec {
        name: "status",
        desc: "display status of servers",
        run: binds::status,
        note: "",
    },
    ControlSpec {
        name: "trace",
        desc: "set trace levels",
        run: process::trace,
        note: "`trace info` lists the configured `Trace` channels; changing levels at run time is refused with a reason",
    },
    ControlSpec {
        name: "up",
        desc: "enable a downed virtual server",
        run: binds::up,
        note: "",
    },
    ControlSpec {
        name: "count",
        desc: "count sessions per virtual server and class (oxftpd)",
        run: who::count,
        note: "oxftpd's own (for `oxftpctl count`): sessions per vhost and per `<Class>`; `count json` for scripts",
    },
    ControlSpec {
        name: "shut",
        desc: "shut one virtual server or all down, or cancel that (oxftpd)",
        run: shut::shut,
        note: "oxftpd's own (for `oxftpctl shut`): a shutdown of one vhost or all, kept in the running daemon",
    },
    ControlSpec {
        name: "who",
        desc: "list sessions per virtual server (oxftpd)",
        run: who::who,
        note: "oxftpd's own (for `oxftpctl who`): sessions per vhost with user, address, login, idle, command, directory, transfer; `who json` for scripts",
    },
];

static HOOKS: &[Hook] = &[
    Hook::new(Phase::Pre, On::AnyCommand, track::pre_cmd),
    Hook::new(Phase::Log, On::AnyCommand, track::log_cmd),
    Hook::new(Phase::LogErr, On::AnyCommand, track::log_cmd),
];

/// The mod_ctrls_admin.c module.
pub static MODULE: Module = Module {
    spec: &oxftpd_config::modules::mod_ctrls_admin::MODULE,
    hooks: HOOKS,
    admit: Some(AdmitFn::Now(admit)),
    events: Some(track::on_event),
    open: Some(open as OpenFn),
    controls: CONTROLS,
    ..Module::DEFAULT
};

fn open(config: &Config, state: &mut ModuleState) -> Result<(), crate::StartError> {
    let view = View::read(&Merged::of(&config.main_server().scope(None)));
    let acls = ActionAcls::from_lines(&view.acls, ACTIONS, &crate::module::controls::system_id);
    state.insert(Settings { acls });
    let left_out: Vec<&'static str> = match &view.engine {
        Engine::On => Vec::new(),
        Engine::Off => CONTROLS.iter().map(|c| c.name).collect(),
        Engine::Without(list) => CONTROLS
            .iter()
            .map(|c| c.name)
            .filter(|n| list.iter().any(|l| l == n))
            .collect(),
    };
    state.get_or_default::<Unregistered>().0.extend(left_out);
    process::OPENED.fetch_add(1, Ordering::Relaxed);
    let _ = process::STARTED.set(crate::shutmsg::now());
    Ok(())
}

/// Refuses a login to a vhost a `shut` covers (a session `HOST` moved there after connect).
fn admit(ctx: &mut Ctx, _user: &mut LoggedIn) -> Admission {
    let remote = ctx.peer.ip().to_string();
    match crate::admin::shut_message(&ctx.server, ctx.local, &remote) {
        Some(msg) => Admission::Refuse(format!(
            "FTP server shut down ({msg}) -- please try again later"
        )),
        None => Admission::Admit,
    }
}
