//! mod_ctrls.c: the control socket `ftpdctl` (and `oxftpctl`) talk to, and who may use it.

use super::d;
use crate::check as c;
use crate::registry::{Args, Contexts as C, DirectiveSpec, ModuleSpec};

/// The mod_ctrls.c module.
pub static MODULE: ModuleSpec = ModuleSpec {
    name: "mod_ctrls.c",
    directives: DIRECTIVES,
};

/// The actions mod_ctrls.c itself answers.
pub const ACTIONS: &[&str] = &["help", "insctrl", "lsctrl", "rmctrl"];

static DIRECTIVES: &[DirectiveSpec] = &[
    d(
        "ControlsACLs",
        C::SERVER,
        Args::exact(4).checked(ctrls_acls),
        true,
        "who may run mod_ctrls's actions (help, insctrl, lsctrl, rmctrl, all)",
    ),
    d(
        "ControlsAuthFreshness",
        C::SERVER,
        Args::exact(1).checked(c::positive),
        false,
        "seconds a client's socket file may be old when kernel credentials are unavailable",
    )
    .partial(
        "accepted and checked; the client is always known by SO_PEERCRED (as ProFTPD on \
         Linux), so the socket-file age check it tunes never runs",
    )
    .last_wins(),
    d(
        "ControlsEngine",
        C::SERVER,
        Args::flag(),
        false,
        "listen on the ControlsSocket (off: no control socket)",
    )
    .last_wins(),
    d(
        "ControlsInterval",
        C::SERVER,
        Args::exact(1).checked(c::positive),
        false,
        "ProFTPD's polling interval; oxftpd answers each request as it arrives and gives a \
         client this long (at least 5 seconds) to send its request",
    )
    .last_wins(),
    d(
        "ControlsLog",
        C::SERVER,
        Args::path(),
        false,
        "log file of control requests and answers",
    )
    .last_wins(),
    d(
        "ControlsMaxClients",
        C::SERVER,
        Args::exact(1).checked(c::positive),
        false,
        "control clients served at once",
    )
    .last_wins(),
    d(
        "ControlsSocket",
        C::SERVER,
        Args::exact(1).checked(c::abs_path),
        false,
        "path of the Unix domain control socket (default /run/proftpd.sock, mode 0600: its owner only)",
    )
    .last_wins(),
    d(
        "ControlsSocketACL",
        C::SERVER,
        Args::exact(3).checked(socket_acl),
        false,
        "which users or groups may use the control socket (when set, the socket is mode 0666 and this ACL decides)",
    )
    .last_wins(),
    d(
        "ControlsSocketOwner",
        C::SERVER,
        Args::exact(2),
        false,
        "owner and group of the control socket (default root root; mode 0660 with a group other than root's)",
    )
    .last_wins(),
];

/// `ControlsACLs actions allow|deny user|group list` with mod_ctrls's actions.
fn ctrls_acls(args: &[String]) -> Result<(), String> {
    acls_of(args, ACTIONS)
}

/// Checks an `…ControlsACLs` line: known actions (or `all`), `allow|deny`, `user|group`.
pub fn acls_of(args: &[String], known: &[&str]) -> Result<(), String> {
    c::controls_acls(args)?;
    for action in split_list(args.first().map(String::as_str).unwrap_or("")) {
        if !action.eq_ignore_ascii_case("all") && !known.contains(&action.as_str()) {
            return Err(format!("unknown action: '{action}'"));
        }
    }
    Ok(())
}

/// `ControlsSocketACL allow|deny user|group list`.
fn socket_acl(args: &[String]) -> Result<(), String> {
    let word = |i: usize| args.get(i).map(|s| s.to_ascii_lowercase());
    if !matches!(word(0).as_deref(), Some("allow" | "deny")) {
        return Err("first parameter must be either 'allow' or 'deny'".to_string());
    }
    if !matches!(word(1).as_deref(), Some("user" | "group")) {
        return Err("second parameter must be either 'user' or 'group'".to_string());
    }
    Ok(())
}

/// Splits a comma-separated list of names (ProFTPD's `pr_ctrls_parse_acl`), empty items dropped.
pub fn split_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.trim_matches('"').to_string())
        .collect()
}

/// mod_ctrls's settings (read from the main server: they are server-config only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    /// `ControlsEngine` (on by default, as mod_ctrls).
    pub engine: bool,
    /// `ControlsSocket`.
    pub socket: Option<String>,
    /// `ControlsACLs`, every occurrence in file order.
    pub acls: Vec<Vec<String>>,
    /// `ControlsSocketACL`.
    pub socket_acl: Option<Vec<String>>,
    /// `ControlsSocketOwner user group`.
    pub socket_owner: Option<Vec<String>>,
    /// `ControlsMaxClients` (5 by default).
    pub max_clients: usize,
    /// `ControlsLog`.
    pub log: Option<String>,
    /// `ControlsInterval` in seconds (10 by default).
    pub interval: u64,
    /// `ControlsAuthFreshness` in seconds (10 by default).
    pub auth_freshness: u64,
}

impl View {
    /// Reads mod_ctrls's settings from a merged scope.
    pub fn read(m: &crate::Merged<'_>) -> View {
        let acls = m.all_args("ControlsACLs");
        View {
            engine: m.flag("ControlsEngine").unwrap_or(true),
            socket: m.arg("ControlsSocket", 0),
            acls,
            socket_acl: m.args("ControlsSocketACL"),
            socket_owner: m.args("ControlsSocketOwner"),
            max_clients: m.number("ControlsMaxClients", 0).unwrap_or(5),
            log: m.arg("ControlsLog", 0),
            interval: m.number("ControlsInterval", 0).unwrap_or(10),
            auth_freshness: m.number("ControlsAuthFreshness", 0).unwrap_or(10),
        }
    }
}
