//! Dropping root: the daemon's own threads run as `User`/`Group` once the sockets are bound.
//!
//! Credentials on Linux are per thread at the syscall level (glibc broadcasts setuid() to all
//! threads; the raw syscalls do not). The filesystem pool's threads are started while still
//! root and keep the right to switch their filesystem identity per operation; every other
//! thread (tokio's workers, the main thread) drops to `User`/`Group` with raw syscalls.

use std::ffi::CString;

/// The account the daemon's own threads run as.
#[derive(Clone, Copy, Debug)]
pub struct RunAs {
    /// uid of `User`.
    pub uid: u32,
    /// gid of `Group`.
    pub gid: u32,
}

/// Looks up a user name (or numeric id) through NSS.
pub fn user_id(name: &str) -> Option<(u32, u32)> {
    if let Ok(n) = name.parse::<u32>() {
        return Some((n, n));
    }
    let c = CString::new(name).ok()?;
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut buf = vec![0 as libc::c_char; 16 * 1024];
    let mut result: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: every pointer refers to a live buffer of the stated size; result is checked.
    let rc = unsafe {
        libc::getpwnam_r(
            c.as_ptr(),
            &mut pwd,
            buf.as_mut_ptr(),
            buf.len(),
            &mut result,
        )
    };
    (rc == 0 && !result.is_null()).then_some((pwd.pw_uid, pwd.pw_gid))
}

/// Looks up a group name (or numeric id) through NSS.
pub fn group_id(name: &str) -> Option<u32> {
    if let Ok(n) = name.parse::<u32>() {
        return Some(n);
    }
    let c = CString::new(name).ok()?;
    let mut grp: libc::group = unsafe { std::mem::zeroed() };
    let mut buf = vec![0 as libc::c_char; 64 * 1024];
    let mut result: *mut libc::group = std::ptr::null_mut();
    // SAFETY: as above.
    let rc = unsafe {
        libc::getgrnam_r(
            c.as_ptr(),
            &mut grp,
            buf.as_mut_ptr(),
            buf.len(),
            &mut result,
        )
    };
    (rc == 0 && !result.is_null()).then_some(grp.gr_gid)
}

/// Group names of this host, for the "no such group" message.
pub fn some_group_names(limit: usize) -> Vec<String> {
    std::fs::read_to_string("/etc/group")
        .map(|s| {
            s.lines()
                .filter_map(|l| l.split(':').next())
                .filter(|n| !n.is_empty())
                .take(limit)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// Whether the process runs as root.
pub fn is_root() -> bool {
    rustix::process::geteuid().is_root()
}

/// Drops the calling thread (only) to `run_as`: no supplementary groups, then gid, then uid.
pub fn drop_this_thread(run_as: RunAs) -> std::io::Result<()> {
    // SAFETY: raw syscalls with plain integer arguments; they change only this thread.
    unsafe {
        if libc::syscall(libc::SYS_setgroups, 0usize, std::ptr::null::<libc::gid_t>()) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        if libc::syscall(libc::SYS_setresgid, run_as.gid, run_as.gid, run_as.gid) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        if libc::syscall(libc::SYS_setresuid, run_as.uid, run_as.uid, run_as.uid) != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

/// What `-vv` and the start-up log say about privileges.
pub fn describe() -> String {
    if is_root() {
        "started as root: sockets are bound as root, then the daemon's threads run as User/Group; \
         the filesystem pool's threads keep root only to take on each session user's filesystem identity"
            .to_string()
    } else {
        "not root: every session acts as the daemon's own user (virtual users)".to_string()
    }
}
