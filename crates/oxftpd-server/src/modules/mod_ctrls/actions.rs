//! mod_ctrls's own actions: `help`, `lsctrl`, `insctrl`, `rmctrl` (ProFTPD's texts).

use std::collections::BTreeSet;
use std::sync::Mutex;

use super::settings::Settings;
use crate::module::controls::{ControlFuture, ControlRequest, ControlResponse, Unregistered};

/// Actions disabled with `rmctrl` until `insctrl` (or the next configuration).
static DISABLED: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());

fn disabled() -> std::sync::MutexGuard<'static, BTreeSet<String>> {
    DISABLED.lock().unwrap_or_else(|p| p.into_inner())
}

/// Whether `rmctrl` disabled the action.
pub fn is_disabled(action: &str) -> bool {
    let d = disabled();
    !d.is_empty() && d.contains(action)
}

/// Enables every action again (a new configuration, as ProFTPD's restart).
pub fn reset() {
    disabled().clear();
}

/// The actions registered for the request's configuration, with their module.
fn registered<'a>(
    req: &'a ControlRequest<'a>,
) -> impl Iterator<Item = (&'static str, &'static crate::module::controls::ControlSpec)> + 'a {
    let un = req.generation.modules.get::<Unregistered>();
    crate::modules::controls()
        .filter(move |(_, c)| un.is_none_or(|u| !u.0.contains(c.name)))
        .map(|(m, c)| (m.name(), c))
}

fn allowed(req: &ControlRequest<'_>, action: &str) -> bool {
    req.generation
        .modules
        .get::<Settings>()
        .is_some_and(|s| s.acls.allows(action, req.client))
}

/// `help`: every action with what it does, sorted (no ACL, as ProFTPD).
pub fn help<'a>(req: &'a ControlRequest<'a>) -> ControlFuture<'a> {
    Box::pin(async move {
        if !req.args.is_empty() {
            return ControlResponse::error("wrong number of parameters");
        }
        let mut lines: Vec<String> = registered(req)
            .map(|(_, c)| format!("{}: {}", c.name, c.desc))
            .collect();
        lines.sort();
        ControlResponse::ok(lines)
    })
}

/// `lsctrl`: the enabled actions and their modules, sorted.
pub fn lsctrl<'a>(req: &'a ControlRequest<'a>) -> ControlFuture<'a> {
    Box::pin(async move {
        if !allowed(req, "lsctrl") {
            return ControlResponse::access_denied();
        }
        if !req.args.is_empty() {
            return ControlResponse::error("wrong number of parameters");
        }
        let mut lines: Vec<String> = registered(req)
            .filter(|(_, c)| !is_disabled(c.name))
            .map(|(m, c)| format!("{} ({m})", c.name))
            .collect();
        lines.sort();
        ControlResponse::ok(lines)
    })
}

/// The actions `name` (or `all`) of `module` (any when `None`) names.
fn matching(req: &ControlRequest<'_>, name: &str, module: Option<&str>) -> Vec<&'static str> {
    registered(req)
        .filter(|(m, c)| (name == "all" || c.name == name) && module.is_none_or(|x| x == *m))
        .map(|(_, c)| c.name)
        .collect()
}

/// `insctrl action|all [module]`: enables disabled actions.
pub fn insctrl<'a>(req: &'a ControlRequest<'a>) -> ControlFuture<'a> {
    Box::pin(async move {
        if !allowed(req, "insctrl") {
            return ControlResponse::access_denied();
        }
        let (Some(name), true) = (req.args.first(), (1..=2).contains(&req.args.len())) else {
            return ControlResponse::error("wrong number of parameters");
        };
        let found = matching(req, name, req.args.get(1).map(String::as_str));
        if found.is_empty() {
            return ControlResponse::ok(vec![format!("no such control: '{name}'")]);
        }
        let mut d = disabled();
        for a in found {
            d.remove(a);
        }
        ControlResponse::ok(vec![format!("'{name}' control enabled")])
    })
}

/// `rmctrl action|all [module]`: disables actions (never mod_ctrls's own three).
pub fn rmctrl<'a>(req: &'a ControlRequest<'a>) -> ControlFuture<'a> {
    Box::pin(async move {
        if !allowed(req, "rmctrl") {
            return ControlResponse::access_denied();
        }
        let (Some(name), true) = (req.args.first(), (1..=2).contains(&req.args.len())) else {
            return ControlResponse::error("wrong number of parameters");
        };
        if ["insctrl", "lsctrl", "rmctrl"].contains(&name.as_str()) {
            return ControlResponse::error(format!("'{name}' control cannot be removed"));
        }
        let found = matching(req, name, req.args.get(1).map(String::as_str));
        if found.is_empty() {
            return ControlResponse::ok(vec![format!("no such control: '{name}'")]);
        }
        disabled().extend(found.into_iter().map(String::from));
        if name == "all" {
            super::socket::stop_accepting();
            return ControlResponse::ok(vec![
                "all controls disabled".to_string(),
                "restart the daemon to re-enable controls".to_string(),
            ]);
        }
        ControlResponse::ok(vec![format!("'{name}' control disabled")])
    })
}
