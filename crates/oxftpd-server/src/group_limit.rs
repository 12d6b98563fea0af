//! The FAQ's NGROUPS_MAX case: a user in more supplementary groups than the kernel allows.
//! `setgroups` refuses the whole list (EINVAL); the session goes on with the groups that fit
//! (the primary group first, then the first ones the auth source listed), and the log says
//! which user lost which groups. The filesystem pool would cut the list too, but without
//! knowing whose it is.

// This file calls libc (or other C APIs): unsafe code is allowed here only, each block
// with a SAFETY comment saying why it is sound.
#![allow(unsafe_code)]

use oxftpd_auth::Identity;
use tracing::warn;

/// The kernel's limit on supplementary groups (`sysconf(_SC_NGROUPS_MAX)`), read once: glibc
/// answers it by reading a /proc file, which a login should not pay for on a runtime thread.
pub fn ngroups_max() -> usize {
    static MAX: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *MAX.get_or_init(|| {
        // SAFETY: sysconf only reads a system value.
        let n = unsafe { libc::sysconf(libc::_SC_NGROUPS_MAX) };
        usize::try_from(n).ok().filter(|&n| n > 0).unwrap_or(65536)
    })
}

/// Cuts `identity`'s group list to `max` entries, logging the user and what was left out;
/// returns whether anything was cut.
pub fn fit(identity: &mut Identity, max: usize) -> bool {
    if identity.groups.len() <= max {
        return false;
    }
    let dropped = identity.groups.split_off(max);
    let first = dropped.first().copied().unwrap_or_default();
    let last = dropped.last().copied().unwrap_or_default();
    warn!(
        "user {}: member of {} groups, more than the kernel's NGROUPS_MAX ({max}); \
         the session goes on with the first {max}, leaving out {} (gids {first} .. {last})",
        identity.name,
        max + dropped.len(),
        dropped.len(),
    );
    // group_names holds the names of the groups that have one, in the same order.
    identity
        .group_names
        .truncate(max.min(identity.group_names.len()));
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alice(groups: Vec<u32>) -> Identity {
        Identity {
            name: "alice".into(),
            uid: 1000,
            gid: groups[0],
            group_names: groups.iter().map(|g| format!("g{g}")).collect(),
            groups,
            home: "/home/alice".into(),
            shell: "/bin/sh".into(),
            pam_session: None,
        }
    }

    #[test]
    fn cuts_to_the_limit_keeping_the_primary_first() {
        let mut id = alice(vec![100, 1, 2, 3, 4]);
        assert!(fit(&mut id, 3));
        assert_eq!(id.groups, [100, 1, 2]);
        assert_eq!(id.group_names, ["g100", "g1", "g2"]);
        let mut id = alice(vec![100, 1]);
        assert!(!fit(&mut id, 3));
        assert_eq!(id.groups, [100, 1]);
    }

    #[test]
    fn the_kernel_limit_is_known() {
        assert!(ngroups_max() >= 16);
    }
}
