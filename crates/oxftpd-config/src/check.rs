//! Argument checkers used by the directive tables.

/// Parses a ProFTPD boolean: on/off, yes/no, true/false, 1/0 (any case).
pub fn parse_flag(s: &str) -> Option<bool> {
    match s.to_ascii_lowercase().as_str() {
        "on" | "yes" | "true" | "1" => Some(true),
        "off" | "no" | "false" | "0" => Some(false),
        _ => None,
    }
}

fn first(args: &[String]) -> &str {
    args.first().map(String::as_str).unwrap_or("")
}

/// First argument is a boolean.
pub fn flag(args: &[String]) -> Result<(), String> {
    let a = first(args);
    parse_flag(a)
        .map(|_| ())
        .ok_or_else(|| format!("expected Boolean parameter (on/off), got '{a}'"))
}

/// `RootRevoke`: a Boolean or `UseNonCompliantActiveTransfer`.
pub fn root_revoke(args: &[String]) -> Result<(), String> {
    let a = first(args);
    if a.eq_ignore_ascii_case("UseNonCompliantActiveTransfer") || parse_flag(a).is_some() {
        Ok(())
    } else {
        Err(format!("expected Boolean parameter, got '{a}'"))
    }
}

fn number_in(s: &str, min: u64, max: u64) -> Result<u64, String> {
    let n: u64 = s
        .parse()
        .map_err(|_| format!("'{s}' is not a valid number"))?;
    if n < min || n > max {
        return Err(format!("{n} is out of range ({min}-{max})"));
    }
    Ok(n)
}

/// First argument is a non-negative integer.
pub fn number(args: &[String]) -> Result<(), String> {
    number_in(first(args), 0, u64::from(u32::MAX)).map(|_| ())
}

/// First argument is a positive integer.
pub fn positive(args: &[String]) -> Result<(), String> {
    number_in(first(args), 1, u64::from(u32::MAX)).map(|_| ())
}

/// First argument is a TCP port (0-65535).
pub fn port(args: &[String]) -> Result<(), String> {
    number_in(first(args), 0, 65535).map(|_| ())
}

/// First argument is a number or `none`.
pub fn number_or_none(args: &[String]) -> Result<(), String> {
    if first(args).eq_ignore_ascii_case("none") {
        return Ok(());
    }
    number(args)
}

/// Parses a duration in seconds: `N`, `N[s|sec|m|min|h|hr]`, or `HH:MM:SS`.
pub fn parse_duration(s: &str) -> Option<u64> {
    if s.contains(':') {
        let parts: Vec<&str> = s.split(':').collect();
        if parts.len() != 3 {
            return None;
        }
        let mut total = 0u64;
        for p in parts {
            let v: u64 = p.parse().ok()?;
            total = total.checked_mul(60)?.checked_add(v)?;
        }
        return Some(total);
    }
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (digits, unit) = s.split_at(split);
    let n: u64 = digits.parse().ok()?;
    let mult = match unit.to_ascii_lowercase().as_str() {
        "" | "s" | "sec" => 1,
        "m" | "min" => 60,
        "h" | "hr" => 3600,
        _ => return None,
    };
    n.checked_mul(mult)
}

/// First argument is a timeout (seconds or a duration); 0 disables it.
pub fn timeout(args: &[String]) -> Result<(), String> {
    let a = first(args);
    parse_duration(a)
        .map(|_| ())
        .ok_or_else(|| format!("'{a}' is not a valid timeout (seconds, or e.g. 10m, 1h, 00:05:00)"))
}

/// Parses an octal umask (0-0777).
pub fn parse_umask(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 4 {
        return None;
    }
    u32::from_str_radix(s, 8).ok().filter(|v| *v <= 0o777)
}

/// `DirFakeMode mode`: an octal mode, as mod_ls reads it.
pub fn octal_mode(args: &[String]) -> Result<(), String> {
    let a = first(args);
    match u32::from_str_radix(a, 8) {
        Ok(m) if m <= 0o7777 => Ok(()),
        _ => Err("parameter must be an octal number".to_string()),
    }
}

/// `Umask file-mask [dir-mask]`, both octal.
pub fn umask(args: &[String]) -> Result<(), String> {
    for a in args {
        if parse_umask(a).is_none() {
            return Err(format!("'{a}' is not a valid octal umask (000-777)"));
        }
    }
    Ok(())
}

/// `PassivePorts min max` with 1024 <= min <= max <= 65535.
pub fn passive_ports(args: &[String]) -> Result<(), String> {
    let lo = number_in(first(args), 1024, 65535).map_err(|e| format!("minimum port: {e}"))?;
    let hi = number_in(args.get(1).map(String::as_str).unwrap_or(""), 1024, 65535)
        .map_err(|e| format!("maximum port: {e}"))?;
    if lo > hi {
        return Err(format!(
            "minimum port {lo} is greater than maximum port {hi}"
        ));
    }
    Ok(())
}

/// First argument is an absolute path.
pub fn abs_path(args: &[String]) -> Result<(), String> {
    let a = first(args);
    if a.starts_with('/') {
        Ok(())
    } else {
        Err(format!("'{a}' is not an absolute path"))
    }
}

/// First argument is an absolute path or `none`.
pub fn abs_path_or_none(args: &[String]) -> Result<(), String> {
    if first(args).eq_ignore_ascii_case("none") {
        return Ok(());
    }
    abs_path(args)
}

/// First argument is an absolute path or a `~` form.
pub fn root_path(args: &[String]) -> Result<(), String> {
    let a = first(args);
    if a.starts_with('/') || a.starts_with('~') {
        Ok(())
    } else {
        Err(format!("'{a}' is not an absolute path or ~ form"))
    }
}

/// `ServerIdent on|off [text]`.
pub fn server_ident(args: &[String]) -> Result<(), String> {
    flag(args)
}

/// `AllowOverride on|off`: ProFTPD 1.3.8 refuses the old `on|off user|group|class expr`
/// form, pointing to mod_ifsession, and ignores any other extra word.
pub fn allow_override(args: &[String]) -> Result<(), String> {
    if args.len() == 3 {
        return Err(
            "Please use mod_ifsession for per-user/group/class conditional configuration"
                .to_string(),
        );
    }
    flag(args)
}

/// `ServerType standalone|inetd`.
pub fn server_type(args: &[String]) -> Result<(), String> {
    one_of(first(args), &["standalone", "inetd"])
}

fn one_of(a: &str, allowed: &[&str]) -> Result<(), String> {
    if allowed.iter().any(|x| x.eq_ignore_ascii_case(a)) {
        Ok(())
    } else {
        Err(format!("'{a}' is not one of: {}", allowed.join(", ")))
    }
}

/// `Order allow,deny|deny,allow` (also written as two words).
pub fn order(args: &[String]) -> Result<(), String> {
    let joined: String = args.concat().to_ascii_lowercase().replace(' ', "");
    one_of(&joined, &["allow,deny", "deny,allow"])
}

/// `Allow|Deny [from] all|none|addr...`.
pub fn allow_deny(args: &[String]) -> Result<(), String> {
    let rest: Vec<&String> = args
        .iter()
        .enumerate()
        .filter(|(i, a)| !(*i == 0 && a.eq_ignore_ascii_case("from")))
        .map(|(_, a)| a)
        .collect();
    if rest.is_empty() {
        return Err("expected an address list after 'from'".into());
    }
    Ok(())
}

/// `SyslogLevel` level name.
pub fn syslog_level(args: &[String]) -> Result<(), String> {
    one_of(
        first(args),
        &[
            "emerg", "alert", "crit", "error", "warn", "notice", "info", "debug",
        ],
    )
}

/// `SyslogFacility` facility name.
pub fn syslog_facility(args: &[String]) -> Result<(), String> {
    one_of(
        first(args),
        &[
            "AUTH", "AUTHPRIV", "CRON", "DAEMON", "KERN", "LPR", "MAIL", "NEWS", "USER", "UUCP",
            "LOCAL0", "LOCAL1", "LOCAL2", "LOCAL3", "LOCAL4", "LOCAL5", "LOCAL6", "LOCAL7",
        ],
    )
}

/// A regular expression (first argument), optionally followed by flags.
pub fn regex(args: &[String]) -> Result<(), String> {
    let a = first(args);
    if a.eq_ignore_ascii_case("none") {
        return Ok(());
    }
    regex::Regex::new(a)
        .map(|_| ())
        .map_err(|e| format!("'{a}' is not a valid regular expression: {e}"))
}

/// `HideFiles regex|none [user|group|class expr]`.
pub fn hide_files(args: &[String]) -> Result<(), String> {
    regex(args)?;
    if let Some(kind) = args.get(1) {
        one_of(kind, &["user", "group", "class"])?;
        if args.len() < 3 {
            return Err(format!("'{kind}' needs an expression"));
        }
    }
    Ok(())
}

/// `CommandBufferSize` bytes, positive.
pub fn buffer_size(args: &[String]) -> Result<(), String> {
    positive(args)
}

/// `MaxLoginAttempts` positive count.
pub fn max_login_attempts(args: &[String]) -> Result<(), String> {
    positive(args)
}

/// `MaxClients number|none [message]`.
pub fn max_clients(args: &[String]) -> Result<(), String> {
    number_or_none(args)
}

/// `AllowForeignAddress on|off|class-name`: any word accepted.
pub fn any(_: &[String]) -> Result<(), String> {
    Ok(())
}

/// `DefaultRoot path [group-expression]`.
pub fn default_root(args: &[String]) -> Result<(), String> {
    root_path(args)
}

/// `ModuleControlsACLs actions allow|deny user|group list`.
pub fn controls_acls(args: &[String]) -> Result<(), String> {
    one_of(
        args.get(1).map(String::as_str).unwrap_or(""),
        &["allow", "deny"],
    )?;
    one_of(
        args.get(2).map(String::as_str).unwrap_or(""),
        &["user", "group"],
    )
}

/// `AuthOrder` list of `mod_x.c[*]` names.
pub fn auth_order(args: &[String]) -> Result<(), String> {
    for a in args {
        let m = a.trim_end_matches('*');
        if !m.starts_with("mod_") || !m.ends_with(".c") {
            return Err(format!("'{a}' is not a module name (mod_xxx.c)"));
        }
    }
    Ok(())
}

/// `DelayEngine on|off`.
pub fn delay_engine(args: &[String]) -> Result<(), String> {
    flag(args)
}

/// `DelayOnEvent USER|PASS|FailedLogin delay` (delay: `N`, `Nms`, `Ns`, or `mm:ss.mmm`).
pub fn delay_on_event(args: &[String]) -> Result<(), String> {
    let event = first(args);
    if !matches!(event, "USER" | "PASS" | "FailedLogin") {
        return Err(format!("unknown/unsupported event: {event}"));
    }
    let delay = args.get(1).map(String::as_str).unwrap_or("");
    let lower = delay.to_ascii_lowercase();
    let number = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let ok = match lower.split_once(':') {
        Some((m, rest)) => rest
            .split_once('.')
            .is_some_and(|(s, ms)| number(m) && number(s) && number(ms)),
        None => {
            let digits = lower
                .strip_suffix("ms")
                .or_else(|| lower.strip_suffix("sec"))
                .or_else(|| lower.strip_suffix('s'))
                .unwrap_or(&lower);
            number(digits)
        }
    };
    if ok {
        Ok(())
    } else {
        Err(format!("error parsing delay parameter '{delay}'"))
    }
}

/// `DisplayChdir path [on|off]`.
pub fn display_chdir(args: &[String]) -> Result<(), String> {
    match args.get(1) {
        Some(b) => flag(std::slice::from_ref(b)),
        None => Ok(()),
    }
}

/// `SystemLog path|NONE`.
pub fn system_log(args: &[String]) -> Result<(), String> {
    abs_path_or_none(args)
}

/// `ListOptions options [strict] [maxdepth N] [maxfiles N] [maxdirs N] [LISTOnly|NLSTOnly] [NoErrorIfAbsent] [AdjustedSymlinks|NoAdjustedSymlinks] [SortedNLST]`.
pub fn list_options(args: &[String]) -> Result<(), String> {
    let mut i = 1;
    while i < args.len() {
        let a = args[i].to_ascii_lowercase();
        match a.as_str() {
            "strict" | "listonly" | "nlstonly" | "noerrorifabsent" | "sortednlst"
            | "adjustedsymlinks" | "noadjustedsymlinks" => i += 1,
            "maxdepth" | "maxfiles" | "maxdirs" => {
                let v = args.get(i + 1).map(String::as_str).unwrap_or("");
                number_in(v, 1, u64::from(u32::MAX)).map_err(|e| format!("{}: {e}", args[i]))?;
                i += 2;
            }
            _ => return Err(format!("unknown ListOptions option '{}'", args[i])),
        }
    }
    Ok(())
}

/// `ListStyle Unix|Windows`.
pub fn list_style(args: &[String]) -> Result<(), String> {
    match args[0].to_ascii_lowercase().as_str() {
        "unix" | "windows" => Ok(()),
        _ => Err(format!(": unknown ListStyle: '{}'", args[0])),
    }
}

/// `FactsOptions UseSlink|AdjustedSymlinks|NoAdjustedSymlinks|NoNames ...` (case matters, as
/// in mod_facts).
pub fn facts_options(args: &[String]) -> Result<(), String> {
    for a in args {
        if !matches!(
            a.as_str(),
            "UseSlink" | "AdjustedSymlinks" | "NoAdjustedSymlinks" | "NoNames"
        ) {
            return Err(format!(": unknown FactsOption '{a}'"));
        }
    }
    Ok(())
}

/// `FactsDefault fact ...`: MLST fact names (any case).
pub fn facts_default(args: &[String]) -> Result<(), String> {
    match args
        .iter()
        .find(|a| oxftpd_proto::listing::fact_named(a).is_none())
    {
        Some(a) => Err(format!(": unknown fact '{a}'")),
        None => Ok(()),
    }
}

/// `TransferOptions AllowSymlinkUpload|AllowSymlinkUploads|IgnoreASCII ...`.
pub fn transfer_options(args: &[String]) -> Result<(), String> {
    const KNOWN: [&str; 3] = ["AllowSymlinkUpload", "AllowSymlinkUploads", "IgnoreASCII"];
    match args
        .iter()
        .find(|a| !KNOWN.iter().any(|k| k.eq_ignore_ascii_case(a)))
    {
        Some(a) => Err(format!(": unknown TransferOption '{a}'")),
        None => Ok(()),
    }
}
