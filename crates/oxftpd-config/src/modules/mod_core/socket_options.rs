//! `SocketOptions [maxseg N] [rcvbuf N] [sndbuf N] [keepalive on|off|idle:count:interval]`:
//! TCP options of a server's control and data connections, as ProFTPD's mod_core reads them.

/// TCP keepalive of control connections (on by default, as ProFTPD).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keepalive {
    /// `keepalive off`.
    Off,
    /// `keepalive on`: the kernel's timings.
    On,
    /// `keepalive idle:count:interval` (seconds, probes, seconds).
    Spec {
        /// Seconds idle before the first probe.
        idle: u32,
        /// Probes before the connection is dropped.
        count: u32,
        /// Seconds between probes.
        interval: u32,
    },
}

/// A server's `SocketOptions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SocketOptions {
    /// `maxseg`: TCP_MAXSEG.
    pub maxseg: Option<u32>,
    /// `rcvbuf`: SO_RCVBUF (at least 1024).
    pub rcvbuf: Option<u32>,
    /// `sndbuf`: SO_SNDBUF (at least 1024).
    pub sndbuf: Option<u32>,
    /// `keepalive`.
    pub keepalive: Keepalive,
}

impl Default for SocketOptions {
    fn default() -> Self {
        SocketOptions {
            maxseg: None,
            rcvbuf: None,
            sndbuf: None,
            keepalive: Keepalive::On,
        }
    }
}

fn number(s: &str) -> Result<u32, String> {
    s.parse().map_err(|_| format!("'{s}' is not a number"))
}

fn keepalive(s: &str) -> Result<Keepalive, String> {
    if let Some(on) = crate::check::parse_flag(s) {
        return Ok(if on { Keepalive::On } else { Keepalive::Off });
    }
    let bad = || format!("badly formatted TCP keepalive spec '{s}'");
    let mut parts = s.split(':');
    let (Some(a), Some(b), Some(c), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    let (idle, count, interval) = (
        number(a).map_err(|_| bad())?,
        number(b).map_err(|_| bad())?,
        number(c).map_err(|_| bad())?,
    );
    for (v, what) in [
        (idle, "idle time"),
        (count, "count"),
        (interval, "interval time"),
    ] {
        if v < 1 {
            return Err(format!(
                "badly formatted TCP keepalive spec: {what} '{v}' cannot be less than 1"
            ));
        }
    }
    Ok(Keepalive::Spec {
        idle,
        count,
        interval,
    })
}

/// Parses the directive's name/value pairs.
pub fn parse(args: &[String]) -> Result<SocketOptions, String> {
    if !args.len().is_multiple_of(2) {
        return Err("bad number of parameters".to_string());
    }
    let mut o = SocketOptions::default();
    for pair in args.chunks(2) {
        let (name, value) = (pair[0].as_str(), pair[1].as_str());
        match name.to_ascii_lowercase().as_str() {
            "maxseg" => o.maxseg = Some(number(value)?),
            "rcvbuf" | "sndbuf" => {
                let n = number(value)?;
                if n < 1024 {
                    return Err(format!(
                        "{} size must be greater than or equal to 1024",
                        name.to_ascii_lowercase()
                    ));
                }
                if name.eq_ignore_ascii_case("rcvbuf") {
                    o.rcvbuf = Some(n);
                } else {
                    o.sndbuf = Some(n);
                }
            }
            "keepalive" => o.keepalive = keepalive(value)?,
            _ => return Err(format!("unknown socket option: '{name}'")),
        }
    }
    Ok(o)
}

/// The load-time check.
pub fn check(args: &[String]) -> Result<(), String> {
    parse(args).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<SocketOptions, String> {
        parse(&s.split_whitespace().map(str::to_string).collect::<Vec<_>>())
    }

    #[test]
    fn options() {
        assert_eq!(p(""), Ok(SocketOptions::default()));
        let o = p("rcvbuf 8192 sndbuf 4096 keepalive 7200:9:75 maxseg 1400").expect("valid");
        assert_eq!(
            (o.rcvbuf, o.sndbuf, o.maxseg),
            (Some(8192), Some(4096), Some(1400))
        );
        assert_eq!(
            o.keepalive,
            Keepalive::Spec {
                idle: 7200,
                count: 9,
                interval: 75
            }
        );
        assert_eq!(p("keepalive off").expect("valid").keepalive, Keepalive::Off);
        assert!(p("rcvbuf 100").unwrap_err().contains("1024"));
        assert!(p("keepalive 0:1:1").unwrap_err().contains("idle time"));
        assert!(p("rcvbuf").is_err());
        assert!(p("bogus 1").is_err());
    }
}
