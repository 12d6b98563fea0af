//! The values of mod_core's `Trace` and `TraceOptions` and mod_xfer's `UseSendfile`, typed.
//!
//! `Trace ["session"] channel:level …` where a level is `N` (messages of levels 1 to N; `0`
//! silences the channel) or `LOW-HIGH`; the channel `DEFAULT` stands for ProFTPD's default
//! channel list. `TraceOptions +Opt|-Opt …` with `ConnIPs`, `Timestamp` and `TimestampMillis`
//! (the last two on by default). `UseSendfile on|off|LEN UNITS|PCT%`.

/// The channels ProFTPD's `DEFAULT` keyword stands for (ProFTPD 1.3.8's list).
pub const DEFAULT_CHANNELS: &[&str] = &[
    "auth",
    "binding",
    "command",
    "config",
    "ctrls",
    "data",
    "delay",
    "dns",
    "dso",
    "encode",
    "event",
    "facl",
    "fsio",
    "ident",
    "inet",
    "lock",
    "netacl",
    "netio",
    "pam",
    "pool",
    "regexp",
    "response",
    "scoreboard",
    "signal",
    "site",
    "timer",
    "var",
    "xfer",
];

/// One `channel:levels` word of a `Trace` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChannelLevels {
    /// The channel name as written (`DEFAULT` included).
    pub channel: String,
    /// Lowest level written.
    pub min: u32,
    /// Highest level written (0 with `min` 0: nothing).
    pub max: u32,
}

/// A parsed `Trace` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceLine {
    /// The `session` keyword was given (applies to sessions only).
    pub session: bool,
    /// The channels and their levels, in order (later words override earlier ones).
    pub channels: Vec<ChannelLevels>,
}

/// Parses a level: `N` or `LOW-HIGH`.
pub fn parse_levels(s: &str) -> Option<(u32, u32)> {
    if s.is_empty() {
        return None;
    }
    match s.split_once('-') {
        None => {
            let high: u32 = s.parse().ok()?;
            Some((u32::from(high != 0), high))
        }
        Some((lo, hi)) => {
            let lo: u32 = lo.parse().ok()?;
            let hi: u32 = hi.parse().ok()?;
            (lo <= hi).then_some((lo, hi))
        }
    }
}

/// Parses the arguments of a `Trace` line.
pub fn parse_trace(args: &[String]) -> Result<TraceLine, String> {
    let (session, words) = match args.split_first() {
        Some((first, rest)) if first.eq_ignore_ascii_case("session") => (true, rest),
        _ => (false, args),
    };
    if words.is_empty() {
        return Err("wrong number of parameters".to_string());
    }
    let channels = words
        .iter()
        .map(|w| {
            let (channel, levels) = w
                .split_once(':')
                .ok_or_else(|| format!("badly formatted parameter: '{w}'"))?;
            let (min, max) = parse_levels(levels).ok_or_else(|| {
                format!("error parsing level \"{levels}\" for channel '{channel}'")
            })?;
            Ok(ChannelLevels {
                channel: channel.to_string(),
                min,
                max,
            })
        })
        .collect::<Result<_, String>>()?;
    Ok(TraceLine { session, channels })
}

/// `TraceOptions`: which fields a trace line has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TraceOptions {
    /// `ConnIPs`: the client's and the server's address on each line.
    pub conn_ips: bool,
    /// `Timestamp`: the local date and time first.
    pub timestamp: bool,
    /// `TimestampMillis`: milliseconds after the seconds.
    pub millis: bool,
}

impl Default for TraceOptions {
    /// ProFTPD 1.3.8's default: `+Timestamp +TimestampMillis`.
    fn default() -> Self {
        TraceOptions {
            conn_ips: false,
            timestamp: true,
            millis: true,
        }
    }
}

/// Parses the arguments of a `TraceOptions` line (applied to the defaults).
pub fn parse_trace_options(args: &[String]) -> Result<TraceOptions, String> {
    let mut o = TraceOptions::default();
    for a in args {
        let (on, name) = match a.as_bytes().first() {
            Some(b'+') => (true, &a[1..]),
            Some(b'-') => (false, &a[1..]),
            _ => return Err(format!("bad TraceOption: '{a}'")),
        };
        let field = match name.to_ascii_lowercase().as_str() {
            "connips" => &mut o.conn_ips,
            "timestamp" => &mut o.timestamp,
            "timestampmillis" => &mut o.millis,
            _ => return Err(format!("unknown TraceOption: '{name}'")),
        };
        *field = on;
    }
    Ok(o)
}

/// `UseSendfile`: whether downloads may use `sendfile(2)`, and how much one call may send.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum UseSendfile {
    /// `on` (the default): whole remaining file per call.
    On,
    /// `off`: downloads go through the buffered path.
    Off,
    /// `LEN UNITS`: at most this many bytes per `sendfile(2)` call.
    Bytes(u64),
    /// `PCT%`: at most this fraction of the file per call.
    Fraction(f64),
}

// A fraction is parsed from a percentage written in the file, never NaN: equality is total.
impl Eq for UseSendfile {}

/// Parses the arguments of a `UseSendfile` line.
pub fn parse_use_sendfile(args: &[String]) -> Result<UseSendfile, String> {
    match args {
        [one] => {
            if let Some(flag) = crate::parse_flag(one) {
                return Ok(if flag {
                    UseSendfile::On
                } else {
                    UseSendfile::Off
                });
            }
            let pct = one
                .strip_suffix('%')
                .filter(|p| !p.is_empty())
                .ok_or_else(|| "expected Boolean parameter".to_string())?;
            let v: f64 = pct
                .parse()
                .map_err(|_| format!("bad percentage value '{one}'"))?;
            if !(v > 0.0 && v.is_finite()) {
                return Err(format!("bad percentage value '{one}'"));
            }
            Ok(UseSendfile::Fraction(v / 100.0))
        }
        [len, units] => {
            let n: u64 = len
                .parse()
                .map_err(|_| format!("unable to parse: {len} {units}"))?;
            let mult: u64 = match units.to_ascii_lowercase().as_str() {
                "b" => 1,
                "kb" => 1 << 10,
                "mb" => 1 << 20,
                "gb" => 1 << 30,
                "tb" => 1 << 40,
                _ => return Err(format!("unable to parse: {len} {units}")),
            };
            n.checked_mul(mult)
                .map(UseSendfile::Bytes)
                .ok_or_else(|| format!("unable to parse: {len} {units}"))
        }
        _ => Err("wrong number of parameters".to_string()),
    }
}

/// Checker for `Trace`.
pub(crate) fn check_trace(args: &[String]) -> Result<(), String> {
    parse_trace(args).map(drop)
}

/// Checker for `TraceOptions`.
pub(crate) fn check_trace_options(args: &[String]) -> Result<(), String> {
    parse_trace_options(args).map(drop)
}

/// Checker for `UseSendfile`.
pub(crate) fn check_use_sendfile(args: &[String]) -> Result<(), String> {
    parse_use_sendfile(args).map(drop)
}

/// Checker for `TimeoutLinger`: a duration of at most 65535 seconds.
pub(crate) fn check_linger(args: &[String]) -> Result<(), String> {
    let a = args.first().map(String::as_str).unwrap_or("");
    match crate::parse_duration(a) {
        Some(s) if s <= 65535 => Ok(()),
        Some(_) => Err(format!("'{a}' is above the maximum of 65535 seconds")),
        None => Err(format!("error parsing timeout value '{a}'")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn levels_are_a_maximum_or_a_range() {
        assert_eq!(parse_levels("10"), Some((1, 10)));
        assert_eq!(parse_levels("0"), Some((0, 0)));
        assert_eq!(parse_levels("7-10"), Some((7, 10)));
        assert_eq!(parse_levels("10-7"), None);
        assert_eq!(parse_levels("x"), None);
        assert_eq!(parse_levels(""), None);
    }

    #[test]
    fn trace_lines_parse_with_and_without_session() {
        let t = parse_trace(&words("DEFAULT:10 command:20 fsio:0")).expect("valid");
        assert!(!t.session);
        assert_eq!(t.channels.len(), 3);
        assert_eq!(t.channels[1].max, 20);
        let t = parse_trace(&words("session auth:5")).expect("valid");
        assert!(t.session);
        assert!(parse_trace(&words("session")).is_err());
        assert!(parse_trace(&words("command")).is_err());
        assert!(parse_trace(&words("command:x")).is_err());
    }

    #[test]
    fn trace_options_toggle_the_defaults() {
        let o = parse_trace_options(&words("+ConnIPs -TimestampMillis")).expect("valid");
        assert!(o.conn_ips && o.timestamp && !o.millis);
        assert!(parse_trace_options(&words("ConnIPs")).is_err());
        assert!(parse_trace_options(&words("+Nope")).is_err());
    }

    #[test]
    fn use_sendfile_takes_flags_lengths_and_percentages() {
        assert_eq!(parse_use_sendfile(&words("off")), Ok(UseSendfile::Off));
        assert_eq!(parse_use_sendfile(&words("on")), Ok(UseSendfile::On));
        assert_eq!(
            parse_use_sendfile(&words("2 MB")),
            Ok(UseSendfile::Bytes(2 << 20))
        );
        assert_eq!(
            parse_use_sendfile(&words("50%")),
            Ok(UseSendfile::Fraction(0.5))
        );
        assert!(parse_use_sendfile(&words("maybe")).is_err());
        assert!(parse_use_sendfile(&words("2 parsecs")).is_err());
    }

    #[test]
    fn linger_is_a_bounded_duration() {
        assert!(check_linger(&words("1")).is_ok());
        assert!(check_linger(&words("65536")).is_err());
        assert!(check_linger(&words("soon")).is_err());
    }
}
