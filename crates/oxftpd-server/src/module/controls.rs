//! Control actions: what a module answers over the control socket (`ftpdctl ACTION …`,
//! `oxftpctl`), as ProFTPD's modules register theirs with `pr_ctrls_register`.
//!
//! A module lists its actions as [`ControlSpec`] rows (`Module::controls`); mod_ctrls serves
//! the socket, checks who may connect, finds the row by name and runs its handler. The handler
//! checks its own module's ACL (`ControlsACLs`, `AdminControlsACLs`), as ProFTPD's do, and
//! answers with a status and lines ([`ControlResponse`]).

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::context::{Generation, Shared};

/// Who sent a control request: the kernel's credentials of the peer (`SO_PEERCRED`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ControlClient {
    /// Its uid.
    pub uid: u32,
    /// Its primary gid.
    pub gid: u32,
    /// Its pid.
    pub pid: i32,
    /// Its user name (or the uid).
    pub user: String,
    /// Its group name (or the gid).
    pub group: String,
}

/// One request: the action, its arguments and what the handler may use.
pub struct ControlRequest<'a> {
    /// The action's name.
    pub action: &'a str,
    /// The arguments after the action.
    pub args: &'a [String],
    /// Who asked.
    pub client: &'a ControlClient,
    /// The configuration in force.
    pub generation: &'a Arc<Generation>,
    /// Process-wide state (the scoreboard, the filesystem pool).
    pub shared: &'a Arc<Shared>,
}

/// An action's answer: the status `ftpdctl` receives (0 handled, -1 refused or failed) and
/// the response lines it prints, one `ftpdctl: LINE` each.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ControlResponse {
    /// 0 or -1, as ProFTPD's handlers return.
    pub status: i32,
    /// The lines.
    pub lines: Vec<String>,
    /// What to do once the answer is written (`shutdown`, `restart`).
    pub then: Then,
    /// Lines for `oxftpctl` (JSON): not cut to what `ftpdctl` reads.
    pub raw: bool,
}

/// What the daemon does after the answer went out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Then {
    /// Nothing.
    #[default]
    Nothing,
    /// Re-read the configuration (SIGHUP to itself).
    Reload,
    /// Stop (SIGTERM to itself).
    Stop,
}

impl ControlResponse {
    /// A handled request with these lines.
    pub fn ok(lines: Vec<String>) -> Self {
        ControlResponse {
            status: 0,
            lines,
            ..Default::default()
        }
    }

    /// A refused or failed request with one line.
    pub fn error(line: impl Into<String>) -> Self {
        ControlResponse {
            status: -1,
            lines: vec![line.into()],
            ..Default::default()
        }
    }

    /// ProFTPD's answer when the action's ACL refuses the client.
    pub fn access_denied() -> Self {
        ControlResponse::error("access denied")
    }
}

/// The future a control handler returns.
pub type ControlFuture<'a> = Pin<Box<dyn Future<Output = ControlResponse> + Send + 'a>>;

/// A control handler.
pub type ControlFn = for<'a> fn(&'a ControlRequest<'a>) -> ControlFuture<'a>;

/// One control action a module answers (a row of ProFTPD's `ctrls_acttab`).
pub struct ControlSpec {
    /// The action's name (`kick`).
    pub name: &'static str,
    /// What `ftpdctl help` says of it.
    pub desc: &'static str,
    /// The handler.
    pub run: ControlFn,
    /// How oxftpd's answer differs from ProFTPD's (`docs/directives.md`), empty when not.
    pub note: &'static str,
}

/// Actions a module left out for one configuration (`AdminControlsEngine off`): they answer
/// as unknown ones and `lsctrl` does not list them. Modules add to it from their `open`.
#[derive(Debug, Default)]
pub struct Unregistered(pub HashSet<&'static str>);

/// A list of users or of groups with `allow` or `deny` (ProFTPD's `ctrls_user_acl_t`): an
/// `allow` list lets its members in and no one else, a `deny` list everyone but its members;
/// `*` is everyone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdList {
    /// `allow` (true) or `deny`.
    pub allow: bool,
    /// The ids, or `None` for `*`.
    pub ids: Option<Vec<u32>>,
}

impl IdList {
    /// An `allow` list naming no one: nobody passes (an action's default).
    pub const NOBODY: IdList = IdList {
        allow: true,
        ids: Some(Vec::new()),
    };
    /// A `deny` list naming no one: everybody passes (the socket's default).
    pub const EVERYBODY: IdList = IdList {
        allow: false,
        ids: Some(Vec::new()),
    };

    /// Whether `id` passes.
    pub fn passes(&self, id: u32) -> bool {
        let named = self.ids.as_ref().is_none_or(|ids| ids.contains(&id));
        named == self.allow
    }
}

/// Who may use an action (or the socket): a user list and a group list; passing either is
/// enough (ProFTPD's `pr_ctrls_check_acl`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Acl {
    /// By uid.
    pub users: IdList,
    /// By primary gid.
    pub groups: IdList,
}

impl Acl {
    /// An action's default: nobody (until an ACL directive allows someone).
    pub const NOBODY: Acl = Acl {
        users: IdList::NOBODY,
        groups: IdList::NOBODY,
    };
    /// The socket's default: everybody.
    pub const EVERYBODY: Acl = Acl {
        users: IdList::EVERYBODY,
        groups: IdList::EVERYBODY,
    };

    /// Whether the client passes.
    pub fn allows(&self, client: &ControlClient) -> bool {
        self.users.passes(client.uid) || self.groups.passes(client.gid)
    }

    /// Sets the user or group list from a directive's `allow|deny user|group a,b,*` words;
    /// names that do not resolve are left out (as ProFTPD's `pr_auth_name2uid` failures).
    pub fn set(
        &mut self,
        allow: &str,
        kind: &str,
        names: &str,
        resolve: &dyn Fn(bool, &str) -> Option<u32>,
    ) {
        let user = kind.eq_ignore_ascii_case("user");
        let allow = allow.eq_ignore_ascii_case("allow");
        let mut ids = Some(Vec::new());
        for name in oxftpd_config::modules::mod_ctrls::split_list(names) {
            if name == "*" {
                ids = None;
                break;
            }
            if let (Some(list), Some(id)) = (ids.as_mut(), resolve(user, &name)) {
                list.push(id);
            }
        }
        let list = IdList { allow, ids };
        if user {
            self.users = list;
        } else {
            self.groups = list;
        }
    }
}

/// The ACLs of one module's actions, from its `…ControlsACLs actions allow|deny user|group
/// list` lines in file order (`all` names every action of the module).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ActionAcls(pub std::collections::HashMap<String, Acl>);

impl ActionAcls {
    /// Reads the lines for a module with `actions`.
    pub fn from_lines(
        lines: &[Vec<String>],
        actions: &[&str],
        resolve: &dyn Fn(bool, &str) -> Option<u32>,
    ) -> ActionAcls {
        let mut acls = ActionAcls::default();
        for line in lines {
            let [which, allow, kind, names] = &line[..] else {
                continue;
            };
            let named = oxftpd_config::modules::mod_ctrls::split_list(which);
            let all = named.iter().any(|a| a.eq_ignore_ascii_case("all"));
            for action in actions {
                if all || named.iter().any(|a| a == action) {
                    acls.0
                        .entry((*action).to_string())
                        .or_insert(Acl::NOBODY)
                        .set(allow, kind, names, resolve);
                }
            }
        }
        acls
    }

    /// Whether the client may run `action` (nobody may when no line named it).
    pub fn allows(&self, action: &str, client: &ControlClient) -> bool {
        self.0.get(action).is_some_and(|a| a.allows(client))
    }
}

/// Resolves a user (`true`) or group name to its id: the system's (NSS), else a number.
pub fn system_id(user: bool, name: &str) -> Option<u32> {
    let found = if user {
        oxftpd_auth::nss::user_ids_by_name(name)
            .ok()
            .flatten()
            .map(|(uid, _)| uid)
    } else {
        oxftpd_auth::nss::group_id_by_name(name).ok().flatten()
    };
    found.or_else(|| name.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(uid: u32, gid: u32) -> ControlClient {
        ControlClient {
            uid,
            gid,
            pid: 1,
            user: uid.to_string(),
            group: gid.to_string(),
        }
    }

    fn ids(_user: bool, name: &str) -> Option<u32> {
        match name {
            "root" => Some(0),
            "alice" => Some(1000),
            "staff" => Some(50),
            _ => None,
        }
    }

    #[test]
    fn defaults_deny_actions_and_allow_the_socket() {
        assert!(!Acl::NOBODY.allows(&client(0, 0)));
        assert!(Acl::EVERYBODY.allows(&client(1000, 1000)));
    }

    #[test]
    fn lines_set_action_acls_as_proftpd() {
        let line = |s: &str| s.split(' ').map(String::from).collect::<Vec<_>>();
        let acls = ActionAcls::from_lines(
            &[
                line("all allow user root"),
                line("kick,status allow group staff"),
                line("status deny user alice"),
            ],
            &["kick", "status", "shutdown"],
            &ids,
        );
        assert!(acls.allows("shutdown", &client(0, 0)));
        assert!(!acls.allows("shutdown", &client(1000, 50)));
        assert!(acls.allows("kick", &client(1000, 50)), "group staff");
        // status: users deny alice (everyone else passes the user list).
        assert!(acls.allows("status", &client(7, 7)));
        assert!(!acls.allows("status", &client(1000, 1000)));
        assert!(
            acls.allows("status", &client(1000, 50)),
            "the group list passes"
        );
        let star = ActionAcls::from_lines(&[line("all allow user *")], &["help"], &ids);
        assert!(star.allows("help", &client(4242, 4242)));
        assert!(
            !star.allows("lsctrl", &client(0, 0)),
            "not an action of the module"
        );
    }
}
