//! mod_rlimit.c: resource limits (`setrlimit(2)`).
//!
//! oxftpd serves every session from the daemon's own process, so ProFTPD's two scopes fold
//! into one: a `daemon` limit is set on the process at start-up (it then bounds the sessions
//! too); a `session` limit (the scope when none is written) is accepted only as `max` or
//! `unlimited` (no limit, set on the process likewise), and refused with the reason for any
//! other value, since it would cap all sessions together instead of each one.

use crate::registry::{Args, Contexts as C, DirectiveSpec, ModuleSpec};

/// The mod_rlimit.c module.
pub static MODULE: ModuleSpec = ModuleSpec {
    name: "mod_rlimit.c",
    directives: DIRECTIVES,
};

static DIRECTIVES: &[DirectiveSpec] = &[
    super::d(
        "RLimitCPU",
        C::SERVERS,
        Args::range(1, 3).checked(check_cpu),
        true,
        "CPU seconds: [daemon|session] soft [hard] (a session value other than max: refused)",
    ),
    super::d(
        "RLimitMemory",
        C::SERVERS,
        Args::range(1, 3).checked(check_memory),
        true,
        "address space in bytes (K/M/G): [daemon|session] soft [hard] (a session value other than max: refused)",
    ),
    super::d(
        "RLimitOpenFiles",
        C::SERVERS,
        Args::range(1, 3).checked(check_files),
        true,
        "open descriptors: [daemon|session] soft [hard] (a session value other than max: refused)",
    ),
];

/// Which limit a directive sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    /// `RLimitCPU`: `RLIMIT_CPU`, seconds.
    Cpu,
    /// `RLimitMemory`: `RLIMIT_AS`, bytes.
    Memory,
    /// `RLimitOpenFiles`: `RLIMIT_NOFILE`.
    OpenFiles,
}

/// One limit to set on the process; `None` is unlimited (`RLIM_INFINITY`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// What it limits.
    pub resource: Resource,
    /// The soft limit.
    pub soft: Option<u64>,
    /// The hard limit (the soft one when not written).
    pub hard: Option<u64>,
}

/// The fewest descriptors a `daemon` open-files limit may leave: the daemon's sessions
/// share them.
const MIN_FILES: u64 = 64;

fn value(resource: Resource, s: &str) -> Result<Option<u64>, String> {
    if s.eq_ignore_ascii_case("max") || s.eq_ignore_ascii_case("unlimited") {
        return Ok(None);
    }
    let bad = || "badly formatted argument".to_string();
    if resource == Resource::Memory {
        let (digits, unit) = match s.char_indices().last() {
            Some((i, c)) if c.is_ascii_alphabetic() => (&s[..i], Some(c)),
            _ => (s, None),
        };
        let n: u64 = digits.parse().map_err(|_| bad())?;
        let scale = match unit.map(|c| c.to_ascii_lowercase()) {
            None | Some('b') => 1,
            Some('k') => 1 << 10,
            Some('m') => 1 << 20,
            Some('g') => 1 << 30,
            Some(_) => return Err(bad()),
        };
        return n.checked_mul(scale).map(Some).ok_or_else(bad);
    }
    s.parse().map(Some).map_err(|_| bad())
}

/// Parses `[daemon|session] soft [hard]`: whether it is a daemon limit, and the limit.
pub fn parse(resource: Resource, args: &[String]) -> Result<(bool, Limit), String> {
    let first = args.first().map(String::as_str).unwrap_or("");
    let scoped = first.eq_ignore_ascii_case("daemon") || first.eq_ignore_ascii_case("session");
    let daemon = first.eq_ignore_ascii_case("daemon");
    let values = if scoped { &args[1..] } else { args };
    if values.is_empty() || values.len() > 2 {
        return Err("wrong number of parameters".to_string());
    }
    let soft = value(resource, &values[0])?;
    let hard = match values.get(1) {
        Some(h) => value(resource, h)?,
        None => soft,
    };
    Ok((
        daemon,
        Limit {
            resource,
            soft,
            hard,
        },
    ))
}

fn check(resource: Resource, args: &[String]) -> Result<(), String> {
    let (daemon, limit) = parse(resource, args)?;
    if !daemon && (limit.soft.is_some() || limit.hard.is_some()) {
        return Err(
            "oxftpd serves every session from the daemon's process, so a per-session limit \
             would cap all sessions together: write 'session max' or a 'daemon' limit"
                .to_string(),
        );
    }
    if daemon && resource == Resource::OpenFiles && limit.soft.is_some_and(|n| n < MIN_FILES) {
        return Err(format!(
            "the daemon's sessions share its descriptors: a daemon limit needs at least {MIN_FILES}"
        ));
    }
    Ok(())
}

fn check_cpu(args: &[String]) -> Result<(), String> {
    check(Resource::Cpu, args)
}

fn check_memory(args: &[String]) -> Result<(), String> {
    check(Resource::Memory, args)
}

fn check_files(args: &[String]) -> Result<(), String> {
    check(Resource::OpenFiles, args)
}

/// The limits the daemon sets on its process at start-up, in the order written.
pub fn limits(config: &crate::Config) -> Vec<Limit> {
    let m = crate::Merged::of(&config.main_server().scope(None));
    let mut out = Vec::new();
    for (name, resource) in [
        ("RLimitCPU", Resource::Cpu),
        ("RLimitMemory", Resource::Memory),
        ("RLimitOpenFiles", Resource::OpenFiles),
    ] {
        for args in m.all_args(name) {
            if let Ok((_, limit)) = parse(resource, &args) {
                out.push(limit);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn scopes_and_values() {
        assert_eq!(
            parse(Resource::Memory, &a("daemon 2M max")),
            Ok((
                true,
                Limit {
                    resource: Resource::Memory,
                    soft: Some(2 << 20),
                    hard: None
                }
            ))
        );
        assert!(check_cpu(&a("max")).is_ok());
        assert!(check_cpu(&a("session unlimited")).is_ok());
        assert!(check_cpu(&a("daemon 600 900")).is_ok());
        assert!(
            check_cpu(&a("session 10"))
                .unwrap_err()
                .contains("per-session")
        );
        assert!(
            check_files(&a("daemon 3"))
                .unwrap_err()
                .contains("at least")
        );
        assert!(check_memory(&a("daemon 2x")).is_err());
        assert!(check_cpu(&a("daemon 1 2 3")).is_err());
    }
}
