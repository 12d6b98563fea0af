//! Who a logged-in user is.

use std::path::PathBuf;
use std::sync::Arc;

use crate::PamSession;

/// A user as a provider knows them: what the session needs after login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// Login name.
    pub name: String,
    /// User id.
    pub uid: u32,
    /// Primary group id.
    pub gid: u32,
    /// Group ids: the primary first, then supplementary ones, without duplicates.
    pub groups: Vec<u32>,
    /// Names of the groups in `groups` that have one, in the same order
    /// (a gid without a group entry has no name here).
    pub group_names: Vec<String>,
    /// Home directory.
    pub home: PathBuf,
    /// Login shell (only used by `RequireValidShell`).
    pub shell: String,
    /// The PAM session opened at login, held until the FTP session ends (PAM logins only).
    pub pam_session: Option<Arc<PamSession>>,
}

/// Puts `primary` first and drops later duplicates, keeping first-seen order.
pub(crate) fn dedup_groups(primary: u32, rest: impl IntoIterator<Item = u32>) -> Vec<u32> {
    // A set, not `contains` on the list: users in tens of thousands of groups exist.
    let mut seen = std::collections::HashSet::from([primary]);
    let mut out = vec![primary];
    out.extend(rest.into_iter().filter(|gid| seen.insert(*gid)));
    out
}
