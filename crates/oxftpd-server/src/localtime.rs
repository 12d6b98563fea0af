//! The local time zone's offset, for listings when `TimesGMT off`.

// This file calls libc (or other C APIs): unsafe code is allowed here only, each block
// with a SAFETY comment saying why it is sound.
#![allow(unsafe_code)]

/// Seconds east of UTC at unix time `t`, from the C library's time zone data.
pub fn utc_offset(t: i64) -> i32 {
    let time = t as libc::time_t;
    // SAFETY: localtime_r writes into the zeroed `tm` we own; `time` outlives the call.
    unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&time, &mut tm).is_null() {
            return 0;
        }
        tm.tm_gmtoff as i32
    }
}

/// The local time now formatted by strftime(3) (ProFTPD's `%{time:format}`); empty when the
/// result would not fit in 127 bytes, as ProFTPD's buffer.
pub fn strftime_now(format: &str) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    strftime_at(format, now)
}

/// Unix time `t` in the local time zone formatted by strftime(3); empty when the result would
/// not fit in 127 bytes.
pub fn strftime_at(format: &str, t: i64) -> String {
    let Ok(format) = std::ffi::CString::new(format) else {
        return String::new();
    };
    let now = t as libc::time_t;
    let mut buf = [0u8; 128];
    // SAFETY: localtime_r writes into the zeroed `tm` we own; strftime writes at most
    // buf.len() bytes into our buffer and returns how many it wrote (0 when it did not fit).
    let n = unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&now, &mut tm).is_null() {
            return String::new();
        }
        libc::strftime(
            buf.as_mut_ptr() as *mut libc::c_char,
            buf.len(),
            format.as_ptr(),
            &tm,
        )
    };
    String::from_utf8_lossy(&buf[..n.min(buf.len())]).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strftime_formats_now() {
        let year = strftime_now("%Y");
        assert_eq!(year.len(), 4);
        assert!(year.starts_with("20"), "{year}");
        assert_eq!(strftime_now("literal %%"), "literal %");
        assert_eq!(strftime_now(&"x".repeat(200)), "");
    }
}
