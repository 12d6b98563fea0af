//! Dropping root: the daemon's own threads run as `User`/`Group` once the sockets are bound.
//!
//! Credentials on Linux are per thread at the syscall level (glibc broadcasts setuid() to all
//! threads; the raw syscalls do not). The filesystem pool's threads are started while still
//! root and keep the right to switch their filesystem identity per operation; every other
//! thread (tokio's workers, the main thread) drops to `User`/`Group` with raw syscalls.

// This file calls libc (or other C APIs): unsafe code is allowed here only, each block
// with a SAFETY comment saying why it is sound.
#![allow(unsafe_code)]

/// The account the daemon's own threads run as.
#[derive(Clone, Copy, Debug)]
pub struct RunAs {
    /// uid of `User`.
    pub uid: u32,
    /// gid of `Group`.
    pub gid: u32,
}

/// uid and primary gid of user `name` (a number is taken as the uid and gid) through NSS.
pub fn user_id(name: &str) -> Option<(u32, u32)> {
    if let Ok(n) = name.parse::<u32>() {
        return Some((n, n));
    }
    oxftpd_auth::nss::user_ids_by_name(name).ok().flatten()
}

/// gid of group `name` (a number is taken as the gid) through NSS.
pub fn group_id(name: &str) -> Option<u32> {
    if let Ok(n) = name.parse::<u32>() {
        return Some(n);
    }
    oxftpd_auth::nss::group_id_by_name(name).ok().flatten()
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
///
/// A thread started by a thread that already dropped inherits its identity: nothing to do.
pub fn drop_this_thread(run_as: RunAs) -> std::io::Result<()> {
    // SAFETY: getresuid/getresgid via raw syscalls read this thread's ids into locals.
    let (mut r, mut e, mut s) = (0u32, 0u32, 0u32);
    let (mut rg, mut eg, mut sg) = (0u32, 0u32, 0u32);
    let already = unsafe {
        libc::syscall(libc::SYS_getresuid, &mut r, &mut e, &mut s) == 0
            && libc::syscall(libc::SYS_getresgid, &mut rg, &mut eg, &mut sg) == 0
    } && [r, e, s] == [run_as.uid; 3]
        && [rg, eg, sg] == [run_as.gid; 3];
    if already {
        return Ok(());
    }
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

/// A capability kept by the threads that stay root.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cap {
    /// Its number (`linux/capability.h`).
    pub bit: u32,
    /// Its name.
    pub name: &'static str,
    /// Why oxftpd keeps it.
    pub why: &'static str,
}

/// What the filesystem pool's threads keep when the daemon started as root; everything
/// else (CAP_SYS_ADMIN, CAP_NET_ADMIN, CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_KILL, ...) is given up.
/// CAP_CHOWN is a filesystem capability: the kernel takes it out of a thread's effective set
/// while its fsuid is a session user's, so only work done as root (fsuid 0) can use it.
pub const KEPT_CAPS: &[Cap] = &[
    Cap {
        bit: 7,
        name: "CAP_SETUID",
        why: "setfsuid to each session user for its filesystem calls",
    },
    Cap {
        bit: 6,
        name: "CAP_SETGID",
        why: "setfsgid and per-thread setgroups for each session user",
    },
    Cap {
        bit: 2,
        name: "CAP_DAC_READ_SEARCH",
        why: "re-read the configuration, AuthUserFile and shadow on reload and login",
    },
    Cap {
        bit: 0,
        name: "CAP_CHOWN",
        why: "give a home directory made by CreateHome (and its skeleton files) to its user",
    },
    Cap {
        bit: 10,
        name: "CAP_NET_BIND_SERVICE",
        why: "bind active-mode data connections to the control port minus one (20 for 21)",
    },
];

/// Limits the calling thread (and the threads it starts later) to [`KEPT_CAPS`]:
/// effective and permitted, nothing inheritable. uid 0 stays, so `execve` of the new binary
/// on upgrade gets root's full set back from the (untouched) bounding set.
pub fn limit_capabilities() -> std::io::Result<()> {
    #[repr(C)]
    struct Header {
        version: u32,
        pid: i32,
    }
    #[repr(C)]
    #[derive(Clone, Copy, Default)]
    struct Data {
        effective: u32,
        permitted: u32,
        inheritable: u32,
    }
    const VERSION_3: u32 = 0x2008_0522;
    let mut data = [Data::default(); 2];
    for cap in KEPT_CAPS {
        let word = (cap.bit / 32) as usize;
        let bit = 1u32 << (cap.bit % 32);
        data[word].effective |= bit;
        data[word].permitted |= bit;
    }
    let mut header = Header {
        version: VERSION_3,
        pid: 0,
    };
    // SAFETY: capset with a valid v3 header and two data words; it changes only this thread.
    let rc = unsafe { libc::syscall(libc::SYS_capset, &mut header as *mut Header, data.as_ptr()) };
    if rc != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

/// The names of [`KEPT_CAPS`], comma-separated.
pub fn kept_cap_names() -> String {
    KEPT_CAPS
        .iter()
        .map(|c| c.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// What `-vv` and the start-up log say about privileges; `started_root` is whether the
/// process was root before it dropped.
pub fn describe(started_root: bool) -> String {
    if started_root {
        let kept = KEPT_CAPS
            .iter()
            .map(|c| format!("{} ({})", c.name, c.why))
            .collect::<Vec<_>>()
            .join(", ");
        format!(
            "started as root: sockets are bound as root, then the runtime threads run as \
             User/Group with no capability; the filesystem pool's threads keep uid 0 with only \
             {kept}"
        )
    } else {
        "not root: every session acts as the daemon's own user (virtual users)".to_string()
    }
}
