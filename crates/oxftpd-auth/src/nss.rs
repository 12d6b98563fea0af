//! Thread-safe NSS look-ups (`getpwnam_r` and friends), so NIS/LDAP/sssd work.
//!
//! Each call starts with the size `sysconf` suggests and doubles the buffer on
//! `ERANGE`, up to `MAX_BUFFER`. The daemon's `User`/`Group` resolution uses
//! [`user_ids_by_name`] and [`group_id_by_name`]; the rest serves this crate's providers.

// This file calls libc (or other C APIs): unsafe code is allowed here only, each block
// with a SAFETY comment saying why it is sound.
#![allow(unsafe_code)]

use std::ffi::{CStr, CString, c_char};
use std::io;
use std::mem::MaybeUninit;

const MIN_BUFFER: usize = 1024;
const MAX_BUFFER: usize = 1 << 20;

/// A passwd entry from NSS.
#[derive(Debug, Clone)]
pub(crate) struct Passwd {
    pub name: String,
    pub passwd: String,
    pub uid: u32,
    pub gid: u32,
    pub dir: String,
    pub shell: String,
}

/// A group entry from NSS.
#[derive(Debug, Clone)]
pub(crate) struct Group {
    pub name: String,
    pub gid: u32,
}

/// A shadow entry (days since the epoch; -1 = unset).
#[derive(Debug, Clone)]
pub(crate) struct Shadow {
    pub hash: String,
    pub last_change: i64,
    pub max_days: i64,
    pub inactive_days: i64,
    pub expire: i64,
}

fn initial_size(name: libc::c_int) -> usize {
    // SAFETY: sysconf has no memory-safety preconditions.
    let n = unsafe { libc::sysconf(name) };
    if n > 0 {
        (n as usize).clamp(MIN_BUFFER, MAX_BUFFER)
    } else {
        16 * 1024
    }
}

/// Runs an `_r` call with a growing buffer. `call` returns the C error code
/// and whether a result was found.
fn with_buffer<R>(
    sysconf_name: libc::c_int,
    mut call: impl FnMut(&mut [c_char]) -> (libc::c_int, Option<R>),
) -> io::Result<Option<R>> {
    let mut size = initial_size(sysconf_name);
    loop {
        let mut buf: Vec<c_char> = vec![0; size];
        let (rc, found) = call(&mut buf);
        match rc {
            0 => return Ok(found),
            libc::ERANGE if size < MAX_BUFFER => size = (size * 2).min(MAX_BUFFER),
            // Some NSS modules report "not found" as an error code.
            libc::ENOENT | libc::ESRCH | libc::EBADF | libc::EPERM => return Ok(None),
            e => return Err(io::Error::from_raw_os_error(e)),
        }
    }
}

/// # Safety
/// `p` is NULL or points to a NUL-terminated string.
unsafe fn string(p: *const c_char) -> String {
    if p.is_null() {
        String::new()
    } else {
        // SAFETY: per this function's contract.
        unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
    }
}

/// # Safety
/// `pw` was filled by a successful `getpw*_r` call whose buffer is still alive.
unsafe fn passwd_from(pw: &libc::passwd) -> Passwd {
    // SAFETY: the strings point into the live buffer, per the contract.
    unsafe {
        Passwd {
            name: string(pw.pw_name),
            passwd: string(pw.pw_passwd),
            uid: pw.pw_uid,
            gid: pw.pw_gid,
            dir: string(pw.pw_dir),
            shell: string(pw.pw_shell),
        }
    }
}

/// The passwd entry for `name`.
pub(crate) fn getpwnam(name: &str) -> io::Result<Option<Passwd>> {
    let Ok(cname) = CString::new(name) else {
        return Ok(None);
    };
    with_buffer(libc::_SC_GETPW_R_SIZE_MAX, |buf| {
        let mut pw = MaybeUninit::<libc::passwd>::zeroed();
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        // SAFETY: all pointers are valid for the call; buf's length is passed.
        let rc = unsafe {
            libc::getpwnam_r(
                cname.as_ptr(),
                pw.as_mut_ptr(),
                buf.as_mut_ptr(),
                buf.len(),
                &mut result,
            )
        };
        // SAFETY: result non-NULL means pw was filled, with strings in buf.
        let found = (rc == 0 && !result.is_null()).then(|| unsafe { passwd_from(&*result) });
        (rc, found)
    })
}

/// The passwd entry for `uid`.
pub(crate) fn getpwuid(uid: u32) -> io::Result<Option<Passwd>> {
    with_buffer(libc::_SC_GETPW_R_SIZE_MAX, |buf| {
        let mut pw = MaybeUninit::<libc::passwd>::zeroed();
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        // SAFETY: all pointers are valid for the call; buf's length is passed.
        let rc = unsafe {
            libc::getpwuid_r(
                uid,
                pw.as_mut_ptr(),
                buf.as_mut_ptr(),
                buf.len(),
                &mut result,
            )
        };
        // SAFETY: result non-NULL means pw was filled, with strings in buf.
        let found = (rc == 0 && !result.is_null()).then(|| unsafe { passwd_from(&*result) });
        (rc, found)
    })
}

/// # Safety
/// `gr` was filled by a successful `getgr*_r` call whose buffer is still alive.
unsafe fn group_from(gr: &libc::group) -> Group {
    Group {
        // SAFETY: the name points into the live buffer, per the contract.
        name: unsafe { string(gr.gr_name) },
        gid: gr.gr_gid,
    }
}

/// The group entry for `gid`.
pub(crate) fn getgrgid(gid: u32) -> io::Result<Option<Group>> {
    with_buffer(libc::_SC_GETGR_R_SIZE_MAX, |buf| {
        let mut gr = MaybeUninit::<libc::group>::zeroed();
        let mut result: *mut libc::group = std::ptr::null_mut();
        // SAFETY: all pointers are valid for the call; buf's length is passed.
        let rc = unsafe {
            libc::getgrgid_r(
                gid,
                gr.as_mut_ptr(),
                buf.as_mut_ptr(),
                buf.len(),
                &mut result,
            )
        };
        // SAFETY: result non-NULL means gr was filled, with strings in buf.
        let found = (rc == 0 && !result.is_null()).then(|| unsafe { group_from(&*result) });
        (rc, found)
    })
}

/// The group entry for `name`.
pub(crate) fn getgrnam(name: &str) -> io::Result<Option<Group>> {
    let Ok(cname) = CString::new(name) else {
        return Ok(None);
    };
    with_buffer(libc::_SC_GETGR_R_SIZE_MAX, |buf| {
        let mut gr = MaybeUninit::<libc::group>::zeroed();
        let mut result: *mut libc::group = std::ptr::null_mut();
        // SAFETY: all pointers are valid for the call; buf's length is passed.
        let rc = unsafe {
            libc::getgrnam_r(
                cname.as_ptr(),
                gr.as_mut_ptr(),
                buf.as_mut_ptr(),
                buf.len(),
                &mut result,
            )
        };
        // SAFETY: result non-NULL means gr was filled, with strings in buf.
        let found = (rc == 0 && !result.is_null()).then(|| unsafe { group_from(&*result) });
        (rc, found)
    })
}

/// uid and primary gid of user `name` (`getpwnam_r`), `None` when NSS has no such user.
pub fn user_ids_by_name(name: &str) -> io::Result<Option<(u32, u32)>> {
    Ok(getpwnam(name)?.map(|pw| (pw.uid, pw.gid)))
}

/// gid of group `name` (`getgrnam_r`), `None` when NSS has no such group.
pub fn group_id_by_name(name: &str) -> io::Result<Option<u32>> {
    Ok(getgrnam(name)?.map(|gr| gr.gid))
}

/// The name of user `uid` (`getpwuid_r`), `None` when NSS has no such user.
pub fn user_name_by_id(uid: u32) -> io::Result<Option<String>> {
    Ok(getpwuid(uid)?.map(|pw| pw.name))
}

/// The name of group `gid` (`getgrgid_r`), `None` when NSS has no such group.
pub fn group_name_by_id(gid: u32) -> io::Result<Option<String>> {
    Ok(getgrgid(gid)?.map(|gr| gr.name))
}

/// The shadow entry for `name` (needs privileges to read /etc/shadow).
pub(crate) fn getspnam(name: &str) -> io::Result<Option<Shadow>> {
    let Ok(cname) = CString::new(name) else {
        return Ok(None);
    };
    with_buffer(libc::_SC_GETPW_R_SIZE_MAX, |buf| {
        let mut sp = MaybeUninit::<libc::spwd>::zeroed();
        let mut result: *mut libc::spwd = std::ptr::null_mut();
        // SAFETY: all pointers are valid for the call; buf's length is passed.
        let rc = unsafe {
            libc::getspnam_r(
                cname.as_ptr(),
                sp.as_mut_ptr(),
                buf.as_mut_ptr(),
                buf.len(),
                &mut result,
            )
        };
        let found = (rc == 0 && !result.is_null()).then(|| {
            // SAFETY: result non-NULL means sp was filled, with strings in buf.
            let sp = unsafe { &*result };
            Shadow {
                // SAFETY: sp_pwdp points into buf.
                hash: unsafe { string(sp.sp_pwdp) },
                last_change: sp.sp_lstchg as i64,
                max_days: sp.sp_max as i64,
                inactive_days: sp.sp_inact as i64,
                expire: sp.sp_expire as i64,
            }
        });
        (rc, found)
    })
}

/// The groups `name` belongs to, `gid` first (`getgrouplist(3)`).
pub(crate) fn getgrouplist(name: &str, gid: u32) -> io::Result<Vec<u32>> {
    let Ok(cname) = CString::new(name) else {
        return Ok(vec![gid]);
    };
    let mut n: libc::c_int = 64;
    loop {
        let mut groups: Vec<libc::gid_t> = vec![0; n as usize];
        let mut count = n;
        // SAFETY: groups has room for `count` entries; cname is NUL-terminated.
        let rc =
            unsafe { libc::getgrouplist(cname.as_ptr(), gid, groups.as_mut_ptr(), &mut count) };
        if rc >= 0 {
            groups.truncate(count.max(0) as usize);
            return Ok(groups);
        }
        // -1: too small; count holds the size needed.
        if count <= n {
            n *= 2;
        } else {
            n = count;
        }
        if n > 65536 {
            return Err(io::Error::other("getgrouplist: too many groups"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_and_unknown_names() {
        assert_eq!(user_ids_by_name("root").expect("nss"), Some((0, 0)));
        assert_eq!(group_id_by_name("root").expect("nss"), Some(0));
        assert_eq!(user_ids_by_name("no-such-user-oxftpd").expect("nss"), None);
        assert_eq!(group_id_by_name("no-such-group-oxftpd").expect("nss"), None);
        assert_eq!(user_ids_by_name("bad\0name").expect("nss"), None);
    }
}
