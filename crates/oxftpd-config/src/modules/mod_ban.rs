//! mod_ban.c: bans of hosts, users and classes, added automatically when an event happens
//! often enough (`BanOnEvent`), kept in the counter store (`CounterStore`).

use super::{d, partial};
use crate::registry::{Args, Contexts as C, DirectiveSpec, ModuleSpec};

/// The mod_ban.c module.
pub static MODULE: ModuleSpec = ModuleSpec {
    name: "mod_ban.c",
    directives: DIRECTIVES,
};

const ROOT_GLOBAL: C = C::SERVER.with(C::GLOBAL);

static DIRECTIVES: &[DirectiveSpec] = &[
    d(
        "BanEngine",
        C::SERVERS,
        Args::flag(),
        false,
        "check and add bans",
    ),
    d(
        "BanLog",
        ROOT_GLOBAL,
        Args::path(),
        false,
        "log file of bans added and enforced",
    ),
    d(
        "BanMessage",
        ROOT_GLOBAL,
        Args::exact(1),
        false,
        "530 text sent to a banned client (%a address, %c class, %u user)",
    ),
    partial(
        "BanOnEvent",
        ROOT_GLOBAL,
        Args::range(3, 4).checked(check_rule),
        true,
        "the events BadProtocol, LoginRate and TLSHandshake are refused (not generated yet); a new ban ends the other sessions it reaches at their next command",
        "ban when an event happens N times within hh:mm:ss, for hh:mm:ss",
    ),
    d(
        "BanOptions",
        C::SERVERS,
        Args::at_least(1).checked(check_options),
        false,
        "MatchAnyServer: a ban holds on every server",
    ),
    d(
        "BanTable",
        C::SERVER,
        Args::path(),
        false,
        "a copy of the live bans for people to read, one a line, rewritten when a ban is added or removed (the bans themselves are in the CounterStore)",
    ),
    d(
        "BanCache",
        ROOT_GLOBAL,
        Args::exact(1).checked(check_cache),
        false,
        "redis: keep the bans in Redis, shared by every node (oxftpd keeps bans in the CounterStore, which this makes `redis`)",
    ),
    d(
        "BanCacheOptions",
        C::SERVERS,
        Args::at_least(1).checked(check_cache_options),
        false,
        "options of the BanCache: MatchServer and UseJSON are accepted; the bans' form in Redis is oxftpd's counter store",
    ),
];

/// What a ban is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BanKind {
    /// A client address.
    Host,
    /// A login name.
    User,
    /// A `<Class>`.
    Class,
    /// `user@address`.
    UserHost,
}

impl BanKind {
    /// The name mod_ban's log and list use.
    pub fn name(self) -> &'static str {
        match self {
            BanKind::Host => "host",
            BanKind::User => "user",
            BanKind::Class => "class",
            BanKind::UserHost => "user@host",
        }
    }
}

/// The events `BanOnEvent` may name that oxftpd generates, with what each bans.
pub const EVENTS: &[(&str, BanKind)] = &[
    ("AnonRejectPasswords", BanKind::Host),
    ("ClientConnectRate", BanKind::Host),
    ("EmptyPassword", BanKind::Host),
    ("MaxClientsPerClass", BanKind::Class),
    ("MaxClientsPerHost", BanKind::Host),
    ("MaxClientsPerUser", BanKind::User),
    ("MaxCommandRate", BanKind::Host),
    ("MaxConnectionsPerHost", BanKind::Host),
    ("MaxHostsPerUser", BanKind::User),
    ("MaxLoginAttempts", BanKind::Host),
    ("MaxLoginAttemptsFromUser", BanKind::UserHost),
    ("RootLogin", BanKind::Host),
    ("TimeoutIdle", BanKind::Host),
    ("TimeoutLogin", BanKind::Host),
    ("TimeoutNoTransfer", BanKind::Host),
    ("UnhandledCommand", BanKind::Host),
];

/// 1.3.8's events oxftpd does not generate yet: refused with a clear error.
const NOT_YET: &[&str] = &["BadProtocol", "LoginRate", "MaxCommandRate", "TLSHandshake"];

/// One `BanOnEvent event N/hh:mm:ss hh:mm:ss [message]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// The event's name as `EVENTS` spells it.
    pub event: &'static str,
    /// What the ban is of.
    pub kind: BanKind,
    /// Occurrences that trigger the ban.
    pub count: u32,
    /// Within this many seconds.
    pub window: u64,
    /// The ban lasts this many seconds.
    pub expires: u64,
    /// Its own message for the banned client.
    pub message: Option<String>,
}

/// `hh:mm:ss` in seconds (each part any number, as 1.3.8's `ban_parse_timestr`).
fn seconds(text: &str) -> Option<u64> {
    let mut parts = text.split(':');
    let (h, m, s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let n = |p: &str| p.parse::<u64>().ok();
    Some(n(h)? * 3600 + n(m)? * 60 + n(s)?)
}

/// Reads a `BanOnEvent` row.
pub fn rule(args: &[String]) -> Result<Rule, String> {
    let [event, freq, duration, rest @ ..] = args else {
        return Err("wrong number of parameters".into());
    };
    let Some(&(name, kind)) = EVENTS.iter().find(|(n, _)| n.eq_ignore_ascii_case(event)) else {
        return Err(if NOT_YET.iter().any(|n| n.eq_ignore_ascii_case(event)) {
            format!("the {event} event is not generated by oxftpd yet")
        } else {
            format!("unknown event: '{event}'")
        });
    };
    let bad_freq = || format!("badly formatted freq parameter: '{freq}'");
    let (n, window) = freq.split_once('/').ok_or_else(bad_freq)?;
    let count = n
        .parse::<u32>()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or("freq occurrences must be greater than 0")?;
    let window = seconds(window).ok_or_else(bad_freq)?;
    if window == 0 {
        return Err("freq parameter cannot be '00:00:00'".into());
    }
    let expires = seconds(duration)
        .ok_or_else(|| format!("badly formatted duration parameter: '{duration}'"))?;
    if expires == 0 {
        return Err("duration parameter cannot be '00:00:00'".into());
    }
    Ok(Rule {
        event: name,
        kind,
        count,
        window,
        expires,
        message: rest.first().cloned(),
    })
}

fn check_rule(args: &[String]) -> Result<(), String> {
    rule(args).map(drop)
}

fn check_options(args: &[String]) -> Result<(), String> {
    match args
        .iter()
        .find(|a| !a.eq_ignore_ascii_case("MatchAnyServer"))
    {
        Some(other) => Err(format!("unknown BanOption: '{other}'")),
        None => Ok(()),
    }
}

fn check_cache(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        Some(c) if c.eq_ignore_ascii_case("redis:") => Ok(()),
        Some(c) => Err(format!(
            "'{c}': oxftpd shares bans through Redis only (BanCache redis:); a memcache ban cache is not supported"
        )),
        None => Err("missing parameters".into()),
    }
}

fn check_cache_options(args: &[String]) -> Result<(), String> {
    match args
        .iter()
        .find(|a| !a.eq_ignore_ascii_case("MatchServer") && !a.eq_ignore_ascii_case("UseJSON"))
    {
        Some(other) => Err(format!("unknown BanCacheOption: '{other}'")),
        None => Ok(()),
    }
}

/// mod_ban's settings for one server.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct View {
    /// `BanEngine` (off by default).
    pub engine: bool,
    /// `BanLog` path (`none` is no log).
    pub log: Option<String>,
    /// `BanMessage`.
    pub message: Option<String>,
    /// Every `BanOnEvent`, most specific level first.
    pub rules: Vec<Rule>,
    /// `BanOptions MatchAnyServer`.
    pub match_any_server: bool,
    /// `BanTable` path.
    pub table: Option<String>,
}

impl View {
    /// Reads mod_ban's settings from a merged scope.
    pub fn read(m: &crate::Merged<'_>) -> View {
        View {
            engine: m.flag("BanEngine").unwrap_or(false),
            log: m
                .arg("BanLog", 0)
                .filter(|p| !p.eq_ignore_ascii_case("none")),
            message: m.arg("BanMessage", 0),
            rules: m
                .all("BanOnEvent")
                .filter_map(|d| rule(&d.args).ok())
                .collect(),
            match_any_server: m.has("BanOptions"),
            table: m.arg("BanTable", 0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn rules_read_count_window_and_duration() {
        let r = rule(&s(&[
            "maxloginattempts",
            "2/00:10:00",
            "01:00:00",
            "go away",
        ]))
        .expect("ok");
        assert_eq!(r.event, "MaxLoginAttempts");
        assert_eq!((r.count, r.window, r.expires), (2, 600, 3600));
        assert_eq!(r.message.as_deref(), Some("go away"));
        assert_eq!(seconds("99:99:99"), Some(99 * 3600 + 99 * 60 + 99));
    }

    #[test]
    fn bad_rules_are_refused() {
        for bad in [
            &["Nope", "1/00:00:01", "00:00:01"][..],
            &["MaxLoginAttempts", "1", "00:00:01"],
            &["MaxLoginAttempts", "0/00:00:01", "00:00:01"],
            &["MaxLoginAttempts", "1/00:00:00", "00:00:01"],
            &["MaxLoginAttempts", "1/00:00:01", "00:00:00"],
            &["TLSHandshake", "1/00:00:01", "00:00:01"],
        ] {
            assert!(rule(&s(bad)).is_err(), "{bad:?}");
        }
    }
}
