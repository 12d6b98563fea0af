//! mod_xfer.c's fair-use directives, typed: `TransferRate`, `MaxTransfersPerHost`,
//! `MaxTransfersPerUser`, and oxftpd's aggregate caps `TransferRateVirtualHost`,
//! `TransferRateUser` and `TransferRateClass` (shared by every session under them).
//!
//! Each row is checked when the file is read (the checkers below), so the server only
//! reads well-formed values.

use crate::tree::Directive;

/// The commands a transfer directive may name (1.3.8's `xfer_parse_cmdlist`).
const TRANSFER_COMMANDS: [&str; 4] = ["APPE", "RETR", "STOR", "STOU"];

/// Whom a qualified rule applies to (`user|group|class expression`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    /// `user a,b`: the login is one of them (an OR list, `!` negates).
    User(Vec<String>),
    /// `group a,b`: the user is in every one (an AND list, `!` negates).
    Group(Vec<String>),
    /// `class a,b`: the session's class is one of them (an OR list).
    Class(Vec<String>),
}

/// One `TransferRate cmds kbytes[:free-bytes] [user|group|class expression]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rate {
    /// The commands it paces, upper case.
    pub commands: Vec<String>,
    /// Bytes per second (`kbytes` × 1024, rounded); 0 leaves the transfer unpaced.
    pub bytes_per_sec: u64,
    /// Bytes sent at full speed before pacing starts.
    pub free_bytes: u64,
    /// ProFTPD's precedence of its context: `<Global>` 1, server 2, `<Anonymous>` 3,
    /// `<Directory>` 4, `.ftpaccess` 5; the highest among the matching rules wins.
    pub precedence: u8,
    /// Whom it applies to; `None` is everyone.
    pub who: Option<Who>,
}

/// Which sessions share one aggregate cap (oxftpd's extension).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CapScope {
    /// `TransferRateVirtualHost`: every session of the server it is written for.
    VirtualHost,
    /// `TransferRateUser`: every session of one login name.
    User,
    /// `TransferRateClass`: every session of the named `<Class>`.
    Class(String),
}

/// One aggregate cap: `TransferRateVirtualHost cmds kbytes`, `TransferRateUser cmds kbytes
/// [user|group|class expression]` or `TransferRateClass cmds kbytes class`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cap {
    /// The commands it counts, upper case.
    pub commands: Vec<String>,
    /// Bytes per second shared by the sessions under it.
    pub bytes_per_sec: u64,
    /// Who shares it.
    pub scope: CapScope,
    /// For `TransferRateUser`: whom it applies to; `None` is every user.
    pub who: Option<Who>,
    /// Where it was written (`file:line`): one pool per row (and per user or server).
    pub at: String,
}

/// One `MaxTransfersPerHost`/`MaxTransfersPerUser cmds count [message]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferLimit {
    /// The commands it counts, upper case.
    pub commands: Vec<String>,
    /// Most transfers at once.
    pub max: u32,
    /// The refusal text (`%m` is the count); `None` for ProFTPD's own.
    pub message: Option<String>,
}

/// A comma-separated list of transfer commands, upper case.
fn commands(list: &str) -> Result<Vec<String>, String> {
    list.split(',')
        .filter(|c| !c.is_empty())
        .map(|c| {
            let up = c.trim().to_ascii_uppercase();
            if TRANSFER_COMMANDS.contains(&up.as_str()) {
                Ok(up)
            } else {
                Err(format!(
                    "error with command list: '{c}' is not one of APPE, RETR, STOR, STOU"
                ))
            }
        })
        .collect::<Result<Vec<_>, _>>()
        .and_then(|v| {
            if v.is_empty() {
                Err("error with command list: no command".into())
            } else {
                Ok(v)
            }
        })
}

/// `kbytes` as bytes per second.
fn kbytes(text: &str) -> Result<u64, String> {
    let rate: f64 = text
        .parse()
        .map_err(|_| format!("invalid number: '{text}'"))?;
    if !rate.is_finite() || rate < 0.0 {
        return Err("rate must be greater than zero".into());
    }
    Ok((rate * 1024.0).round() as u64)
}

/// `kbytes[:free-bytes]`.
fn rate_and_free(text: &str) -> Result<(u64, u64), String> {
    let (rate, free) = match text.split_once(':') {
        Some((r, f)) => (
            r,
            f.parse::<u64>()
                .map_err(|_| format!("invalid number: '{f}'"))?,
        ),
        None => (text, 0),
    };
    Ok((kbytes(rate)?, free))
}

/// A `user|group|class expression` pair.
fn who(kind: &str, expr: &str) -> Result<Who, String> {
    let terms: Vec<String> = expr
        .split(',')
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect();
    match kind.to_ascii_lowercase().as_str() {
        "user" => Ok(Who::User(terms)),
        "group" => Ok(Who::Group(terms)),
        "class" => Ok(Who::Class(terms)),
        _ => Err(format!("unknown classifier requested: '{kind}'")),
    }
}

/// The optional classifier of a rule whose fixed arguments end before `from`.
fn qualifier(args: &[String], from: usize) -> Result<Option<Who>, String> {
    match (args.get(from), args.get(from + 1)) {
        (None, _) => Ok(None),
        (Some(kind), Some(expr)) if args.len() == from + 2 => who(kind, expr).map(Some),
        _ => Err("wrong number of parameters".into()),
    }
}

/// Reads a `TransferRate` row written with `precedence`.
pub fn rate(args: &[String], precedence: u8) -> Result<Rate, String> {
    if args.len() != 2 && args.len() != 4 {
        return Err("wrong number of parameters".into());
    }
    let (bytes_per_sec, free_bytes) = rate_and_free(&args[1])?;
    Ok(Rate {
        commands: commands(&args[0])?,
        bytes_per_sec,
        free_bytes,
        precedence,
        who: qualifier(args, 2)?,
    })
}

/// Reads a cap row of directive `name` written at `at`.
pub fn cap(name: &str, args: &[String], at: String) -> Result<Cap, String> {
    let (cmds, rate) = match args {
        [c, r, ..] => (commands(c)?, kbytes(r)?),
        _ => return Err("wrong number of parameters".into()),
    };
    let (scope, who) = match name {
        "TransferRateVirtualHost" if args.len() == 2 => (CapScope::VirtualHost, None),
        "TransferRateUser" => (CapScope::User, qualifier(args, 2)?),
        "TransferRateClass" if args.len() == 3 => (CapScope::Class(args[2].clone()), None),
        _ => return Err("wrong number of parameters".into()),
    };
    Ok(Cap {
        commands: cmds,
        bytes_per_sec: rate,
        scope,
        who,
        at,
    })
}

/// Reads a `MaxTransfersPerHost`/`MaxTransfersPerUser` row.
pub fn limit(args: &[String]) -> Result<TransferLimit, String> {
    let (cmds, count) = match args {
        [c, n] | [c, n, _] => (commands(c)?, n),
        _ => return Err("bad number of parameters".into()),
    };
    let max = count
        .parse::<u32>()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| format!("count must be greater than zero: '{count}'"))?;
    Ok(TransferLimit {
        commands: cmds,
        max,
        message: args.get(2).cloned(),
    })
}

/// Checks a `TransferRate` row.
pub fn check_rate(args: &[String]) -> Result<(), String> {
    rate(args, 0).map(drop)
}

/// Checks a `TransferRateVirtualHost` row.
pub fn check_vhost_cap(args: &[String]) -> Result<(), String> {
    cap("TransferRateVirtualHost", args, String::new()).map(drop)
}

/// Checks a `TransferRateUser` row.
pub fn check_user_cap(args: &[String]) -> Result<(), String> {
    cap("TransferRateUser", args, String::new()).map(drop)
}

/// Checks a `TransferRateClass` row.
pub fn check_class_cap(args: &[String]) -> Result<(), String> {
    cap("TransferRateClass", args, String::new()).map(drop)
}

/// Checks a `MaxTransfersPerHost`/`MaxTransfersPerUser` row.
pub fn check_limit(args: &[String]) -> Result<(), String> {
    limit(args).map(drop)
}

/// Where a directive was written, as a pool key.
pub fn location(d: &Directive) -> String {
    format!("{}:{}", d.file.display(), d.line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn transfer_rate_reads_rate_free_bytes_and_qualifier() {
        let r = rate(&s(&["retr,Stor", "1.5:1024", "user", "a,!b"]), 3).expect("valid");
        assert_eq!(r.commands, ["RETR", "STOR"]);
        assert_eq!(r.bytes_per_sec, 1536);
        assert_eq!(r.free_bytes, 1024);
        assert_eq!(r.precedence, 3);
        assert_eq!(r.who, Some(Who::User(s(&["a", "!b"]))));
        assert!(rate(&s(&["RETR", "500"]), 2).is_ok_and(|r| r.who.is_none()));
    }

    #[test]
    fn bad_transfer_rates_are_refused_with_proftpd_words() {
        assert!(rate(&s(&["LIST", "5"]), 2).is_err_and(|e| e.contains("command list")));
        assert!(rate(&s(&["RETR", "x"]), 2).is_err_and(|e| e.contains("invalid number")));
        assert!(rate(&s(&["RETR", "-1"]), 2).is_err_and(|e| e.contains("greater than zero")));
        assert!(rate(&s(&["RETR", "5", "host", "x"]), 2).is_err_and(|e| e.contains("classifier")));
        assert!(rate(&s(&["RETR", "5", "user"]), 2).is_err());
        assert!(rate(&s(&["RETR", "5:x"]), 2).is_err());
    }

    #[test]
    fn caps_and_limits_read_their_arguments() {
        let c = cap(
            "TransferRateClass",
            &s(&["RETR", "100", "slow"]),
            "f:1".into(),
        )
        .expect("ok");
        assert_eq!(c.scope, CapScope::Class("slow".into()));
        assert!(
            cap(
                "TransferRateVirtualHost",
                &s(&["RETR", "1", "x"]),
                String::new()
            )
            .is_err()
        );
        let l = limit(&s(&["RETR,STOR", "2", "busy %m"])).expect("ok");
        assert_eq!((l.max, l.message.as_deref()), (2, Some("busy %m")));
        assert!(limit(&s(&["RETR", "0"])).is_err());
    }
}
