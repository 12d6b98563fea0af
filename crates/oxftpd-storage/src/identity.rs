//! Putting a session's credentials on the calling thread (and only on it).
//!
//! `setfsuid`/`setfsgid` act on the calling thread. glibc's `setgroups()` would change
//! every thread of the process, so the supplementary groups are set with the raw
//! syscall (`rustix::thread::set_thread_groups`). Moving the fsuid away from 0 drops
//! the filesystem capabilities of this thread; `CAP_SETUID`/`CAP_SETGID` stay, so the
//! next switch works from any identity.

// This file calls libc (or other C APIs): unsafe code is allowed here only, each block
// with a SAFETY comment saying why it is sound.
#![allow(unsafe_code)]

use rustix::fs::Gid;
use rustix::thread::set_thread_groups;

use crate::{Credentials, StorageError};

/// Passing an invalid id makes `setfsuid`/`setfsgid` change nothing and report the current one.
const QUERY: u32 = u32::MAX;

/// Puts `cred` on the calling thread and checks that the kernel took it.
pub(crate) fn switch_to(cred: &Credentials) -> Result<(), StorageError> {
    // Groups and gid first: the fsuid does not matter for them, but do the
    // privileged parts before the thread becomes the user.
    set_fsgid(cred.gid)?;
    set_groups(&cred.groups)?;
    set_fsuid(cred.uid)
}

/// The calling thread's filesystem user id.
pub(crate) fn current_fsuid() -> u32 {
    // SAFETY: setfsuid with an invalid id only reads the thread's fsuid.
    (unsafe { libc::setfsuid(QUERY) }) as u32
}

/// The calling thread's filesystem group id.
pub(crate) fn current_fsgid() -> u32 {
    // SAFETY: setfsgid with an invalid id only reads the thread's fsgid.
    (unsafe { libc::setfsgid(QUERY) }) as u32
}

fn set_fsuid(uid: u32) -> Result<(), StorageError> {
    // SAFETY: setfsuid changes only this thread's filesystem uid; it has no memory effects.
    unsafe { libc::setfsuid(uid) };
    let now = current_fsuid();
    if now == uid {
        Ok(())
    } else {
        tracing::error!(
            wanted = uid,
            got = now,
            "setfsuid did not take; refusing the operation"
        );
        Err(StorageError::PermissionDenied)
    }
}

fn set_fsgid(gid: u32) -> Result<(), StorageError> {
    // SAFETY: setfsgid changes only this thread's filesystem gid; it has no memory effects.
    unsafe { libc::setfsgid(gid) };
    let now = current_fsgid();
    if now == gid {
        Ok(())
    } else {
        tracing::error!(
            wanted = gid,
            got = now,
            "setfsgid did not take; refusing the operation"
        );
        Err(StorageError::PermissionDenied)
    }
}

fn set_groups(groups: &[u32]) -> Result<(), StorageError> {
    // (gid_t)-1 is no group: setgroups refuses the whole list (EINVAL) for it.
    if groups.contains(&u32::MAX) {
        tracing::warn!(
            ?groups,
            "supplementary group list holds the invalid gid 4294967295 ((gid_t)-1); leaving it out"
        );
    }
    let gids: Vec<Gid> = groups
        .iter()
        .filter(|&&g| g != u32::MAX)
        .map(|&g| Gid::from_raw_unchecked(g))
        .collect();
    match set_thread_groups(&gids) {
        Ok(()) => Ok(()),
        Err(rustix::io::Errno::INVAL) if gids.len() > ngroups_max() => {
            let max = ngroups_max();
            tracing::warn!(
                count = gids.len(),
                max,
                dropped = ?&groups[max.min(groups.len())..],
                "too many supplementary groups; using the first NGROUPS_MAX"
            );
            set_thread_groups(&gids[..max]).map_err(|e| {
                tracing::error!(error = %e, "setgroups failed; refusing the operation");
                StorageError::PermissionDenied
            })
        }
        Err(e) => {
            tracing::error!(error = %e, ?groups, "setgroups failed; refusing the operation");
            Err(StorageError::PermissionDenied)
        }
    }
}

/// The kernel's limit on supplementary groups.
fn ngroups_max() -> usize {
    // SAFETY: sysconf only reads a system value.
    let n = unsafe { libc::sysconf(libc::_SC_NGROUPS_MAX) };
    usize::try_from(n).ok().filter(|&n| n > 0).unwrap_or(65536)
}
