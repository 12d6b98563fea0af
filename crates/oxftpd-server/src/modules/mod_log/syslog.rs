//! `ExtendedLog syslog:LEVEL`: lines to syslog(3) at a level, under the daemon's facility.

// This file calls libc (or other C APIs): unsafe code is allowed here only, each block
// with a SAFETY comment saying why it is sound.
#![allow(unsafe_code)]

use std::ffi::CString;

/// Sends one line to syslog at `level`.
pub fn write(level: libc::c_int, line: &str) {
    if let Ok(c) = CString::new(line.replace('\0', " ")) {
        // SAFETY: "%s" with one valid C string argument.
        unsafe { libc::syslog(level, c"%s".as_ptr(), c.as_ptr()) };
    }
}
