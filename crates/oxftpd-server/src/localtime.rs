//! The local time zone's offset, for listings when `TimesGMT off`.

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
