//! mod_ctrls_admin.c: the administrative control actions (`kick`, `shutdown`, `up`, …).

use super::d;
use crate::registry::{Args, Contexts as C, DirectiveSpec, ModuleSpec};

/// The mod_ctrls_admin.c module.
pub static MODULE: ModuleSpec = ModuleSpec {
    name: "mod_ctrls_admin.c",
    directives: DIRECTIVES,
};

/// The actions mod_ctrls_admin.c answers: ProFTPD's, then oxftpd's own (`count`, `shut`,
/// `who`, which `oxftpctl` uses).
pub const ACTIONS: &[&str] = &[
    "config",
    "debug",
    "dns",
    "down",
    "get",
    "kick",
    "restart",
    "scoreboard",
    "shutdown",
    "status",
    "trace",
    "up",
    "count",
    "shut",
    "who",
];

static DIRECTIVES: &[DirectiveSpec] = &[
    d(
        "AdminControlsACLs",
        C::SERVER,
        Args::exact(4).checked(admin_acls),
        true,
        "who may run mod_ctrls_admin's actions (kick, shutdown, status, …, all)",
    ),
    d(
        "AdminControlsEngine",
        C::SERVER,
        Args::exact(1).checked(admin_engine),
        false,
        "on, off, or a list of mod_ctrls_admin actions to leave out",
    )
    .last_wins(),
];

fn admin_acls(args: &[String]) -> Result<(), String> {
    super::mod_ctrls::acls_of(args, ACTIONS)
}

/// `on`, `off`, or a comma-separated list of known actions.
fn admin_engine(args: &[String]) -> Result<(), String> {
    let arg = args.first().map(String::as_str).unwrap_or("");
    if crate::parse_flag(arg).is_some() {
        return Ok(());
    }
    for action in super::mod_ctrls::split_list(arg) {
        if !ACTIONS.contains(&action.as_str()) {
            return Err(format!("unknown action: '{action}'"));
        }
    }
    Ok(())
}

/// What `AdminControlsEngine` leaves registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Engine {
    /// Every action (`on`, the default).
    On,
    /// No action (`off`).
    Off,
    /// Every action but these (a list, as mod_ctrls_admin 0.9.9 reads it).
    Without(Vec<String>),
}

/// mod_ctrls_admin's settings (server-config only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    /// `AdminControlsEngine`.
    pub engine: Engine,
    /// `AdminControlsACLs`, every occurrence in file order.
    pub acls: Vec<Vec<String>>,
}

impl View {
    /// Reads mod_ctrls_admin's settings from a merged scope.
    pub fn read(m: &crate::Merged<'_>) -> View {
        let engine = match m.arg("AdminControlsEngine", 0) {
            None => Engine::On,
            Some(a) => match crate::parse_flag(&a) {
                Some(true) => Engine::On,
                Some(false) => Engine::Off,
                None => Engine::Without(super::mod_ctrls::split_list(&a)),
            },
        };
        let acls = m.all_args("AdminControlsACLs");
        View { engine, acls }
    }
}
