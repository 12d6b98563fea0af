//! `YYYYMMDDHHMMSS[.fff]` timestamps (MDTM, MFMT, SITE UTIME; RFC 3659 §2.3), always UTC,
//! and the civil-date arithmetic the listing formats share.

use crate::num::push_u64_zero;

/// Seconds in a day.
const DAY: i64 = 86_400;

/// A broken-down UTC (or offset-shifted) time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Civil {
    /// Proleptic Gregorian year.
    pub year: i64,
    /// Month, 1..=12.
    pub month: u32,
    /// Day of the month, 1..=31.
    pub day: u32,
    /// Hour, 0..=23.
    pub hour: u32,
    /// Minute, 0..=59.
    pub minute: u32,
    /// Second, 0..=59.
    pub second: u32,
}

impl Civil {
    /// Breaks Unix seconds down into a civil date and time (UTC).
    pub fn from_unix(secs: i64) -> Civil {
        let days = secs.div_euclid(DAY);
        let rem = secs.rem_euclid(DAY) as u32;
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month,
            day,
            hour: rem / 3600,
            minute: rem / 60 % 60,
            second: rem % 60,
        }
    }

    /// Unix seconds for this civil date and time (UTC); fields are taken as given.
    pub fn to_unix(&self) -> i64 {
        days_from_civil(self.year, self.month, self.day) * DAY
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
    }
}

/// Days since 1970-01-01 for a proleptic Gregorian date (era-based, exact for all i64 years
/// that fit).
pub(crate) fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400); // [0, 399]
    let m = i64::from(month);
    let mp = if m > 2 { m - 3 } else { m + 9 }; // March = 0
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian (year, month, day) of a day count since 1970-01-01.
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Whether `year` is a Gregorian leap year.
fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// Number of days in `month` of `year`.
fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Appends `secs` as `YYYYMMDDHHMMSS` in UTC (the MDTM reply and the MLSx `modify` fact).
///
/// Years outside 0..=9999 are written with as many digits as they need.
pub fn write_timestamp(secs: i64, out: &mut Vec<u8>) {
    let c = Civil::from_unix(secs);
    if c.year < 0 {
        out.push(b'-');
    }
    push_u64_zero(out, c.year.unsigned_abs(), 4);
    push_u64_zero(out, u64::from(c.month), 2);
    push_u64_zero(out, u64::from(c.day), 2);
    push_u64_zero(out, u64::from(c.hour), 2);
    push_u64_zero(out, u64::from(c.minute), 2);
    push_u64_zero(out, u64::from(c.second), 2);
}

/// A parsed `YYYYMMDDHHMMSS[.fff]` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timestamp {
    /// Unix seconds (UTC).
    pub secs: i64,
    /// Sub-second part in nanoseconds (from the optional `.fff`, up to 9 digits).
    pub nanos: u32,
}

/// Why a timestamp argument was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TimeError {
    /// Not 14 ASCII digits, optionally followed by `.` and 1 to 9 digits.
    #[error("timestamp must be YYYYMMDDHHMMSS[.fff]")]
    Syntax,
    /// A field is out of its range (month 1-12, day within the month, hour 0-23, minute and
    /// second 0-59).
    #[error("timestamp field out of range")]
    OutOfRange,
}

/// Parses `YYYYMMDDHHMMSS[.fff]` (UTC), rejecting out-of-range fields.
///
/// Stricter than ProFTPD 1.3.8, which accepts day 31 in any month, hour 24, minute 60 and
/// second 61 and lets `mktime(3)` roll them over (captured: `MFMT 20200231030405 f` →
/// `213 Modify=20200231030405; f`); month 13 it refuses too (`501 f: Invalid argument`).
pub fn parse_timestamp(s: &str) -> Result<Timestamp, TimeError> {
    let b = s.as_bytes();
    if b.len() < 14 || !b[..14].iter().all(u8::is_ascii_digit) {
        return Err(TimeError::Syntax);
    }
    let nanos = match &b[14..] {
        [] => 0,
        [b'.', frac @ ..]
            if (1..=9).contains(&frac.len()) && frac.iter().all(u8::is_ascii_digit) =>
        {
            let mut n: u32 = 0;
            for &d in frac {
                n = n * 10 + u32::from(d - b'0');
            }
            n * 10u32.pow(9 - frac.len() as u32)
        }
        _ => return Err(TimeError::Syntax),
    };
    let field = |from: usize, to: usize| -> u32 {
        b[from..to]
            .iter()
            .fold(0u32, |acc, &d| acc * 10 + u32::from(d - b'0'))
    };
    let year = i64::from(field(0, 4));
    let (month, day) = (field(4, 6), field(6, 8));
    let (hour, minute, second) = (field(8, 10), field(10, 12), field(12, 14));
    if !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return Err(TimeError::OutOfRange);
    }
    let civil = Civil {
        year,
        month,
        day,
        hour,
        minute,
        second,
    };
    Ok(Timestamp {
        secs: civil.to_unix(),
        nanos,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(secs: i64) -> String {
        let mut v = Vec::new();
        write_timestamp(secs, &mut v);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn formats_like_proftpd_mdtm() {
        // Captured from ProFTPD 1.3.8: a file touched to 2020-01-02 03:04:05 UTC lists as
        // `modify=20200102030405` in MLSD.
        assert_eq!(ts(1_577_934_245), "20200102030405");
        assert_eq!(ts(0), "19700101000000");
        assert_eq!(ts(-1), "19691231235959");
        assert_eq!(ts(951_782_400), "20000229000000");
        assert_eq!(ts(253_402_300_799), "99991231235959");
    }

    #[test]
    fn civil_round_trips_over_wide_range() {
        let mut d = -800_000i64;
        while d < 800_000 {
            let (y, m, day) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, day), d);
            assert!(day >= 1 && day <= days_in_month(y, m));
            d += 7;
        }
    }

    #[test]
    fn parses_valid_and_fraction() {
        assert_eq!(
            parse_timestamp("20200102030405"),
            Ok(Timestamp {
                secs: 1_577_934_245,
                nanos: 0
            })
        );
        assert_eq!(
            parse_timestamp("20200102030405.123"),
            Ok(Timestamp {
                secs: 1_577_934_245,
                nanos: 123_000_000
            })
        );
        assert_eq!(
            parse_timestamp("20000229235959.000000001"),
            Ok(Timestamp {
                secs: 951_868_799,
                nanos: 1
            })
        );
    }

    #[test]
    fn rejects_bad_syntax() {
        for s in [
            "",
            "2020010203040",
            "202001020304050",
            "2020010203040a",
            "20200102030405.",
            "20200102030405.1234567890",
            "20200102030405,1",
            " 20200102030405",
            "２0200102030405",
        ] {
            assert_eq!(parse_timestamp(s), Err(TimeError::Syntax), "{s:?}");
        }
    }

    #[test]
    fn rejects_out_of_range_fields() {
        for s in [
            "20201302030405",
            "20200002030405",
            "20200100030405",
            "20200231030405",
            "21000229000000",
            "20200102240000",
            "20200102236000",
            "20200102235960",
        ] {
            assert_eq!(parse_timestamp(s), Err(TimeError::OutOfRange), "{s}");
        }
        assert!(parse_timestamp("20000229000000").is_ok());
    }
}
