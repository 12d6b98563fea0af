//! The directive registry: modules, their directives, and where each may appear.

use std::fmt;

/// One ProFTPD module's configuration surface.
#[derive(Debug)]
pub struct ModuleSpec {
    /// Module name as ProFTPD spells it, e.g. `"mod_core.c"`.
    pub name: &'static str,
    /// The directives this module registers.
    pub directives: &'static [DirectiveSpec],
}

/// One configuration directive: its name, contexts, arguments and status.
#[derive(Debug)]
pub struct DirectiveSpec {
    /// Canonical spelling.
    pub name: &'static str,
    /// Contexts in which the directive may appear.
    pub contexts: Contexts,
    /// Arity and argument validation.
    pub args: Args,
    /// Whether every occurrence in one context is kept (else only one takes effect, see `duplicate`).
    pub multi: bool,
    /// Which occurrence of a single-valued directive repeated in one context takes effect.
    pub duplicate: Duplicate,
    /// How much of the directive oxftpd implements.
    pub status: Status,
    /// One line for the directive reference.
    pub summary: &'static str,
}

impl DirectiveSpec {
    /// A fully implemented directive whose first occurrence in a context takes effect (the
    /// constructor for module crates outside this one).
    pub const fn new(
        name: &'static str,
        contexts: Contexts,
        args: Args,
        multi: bool,
        summary: &'static str,
    ) -> DirectiveSpec {
        DirectiveSpec {
            name,
            contexts,
            args,
            multi,
            duplicate: Duplicate::First,
            status: Status::Implemented,
            summary,
        }
    }

    /// The same spec, implemented but for the named part.
    pub const fn partial(self, missing: &'static str) -> DirectiveSpec {
        DirectiveSpec {
            status: Status::Partial(missing),
            ..self
        }
    }

    /// The same spec, with the last of repeated occurrences taking effect.
    pub const fn last_wins(self) -> DirectiveSpec {
        DirectiveSpec {
            duplicate: Duplicate::Last,
            ..self
        }
    }
}

/// Which occurrence takes effect when a single-valued directive is repeated in one context.
///
/// ProFTPD appends every occurrence to the context's record list and most modules look the
/// directive up with `find_config`/`get_param_ptr`, which return the first record: the first
/// occurrence wins. Handlers that instead assign a server field or a process-wide setting while
/// the file is read (`ServerName`, `PidFile`, `MaxInstances`, …) leave the last value in place.
/// Inside `<IfUser>`/`<IfGroup>`/`<IfClass>`, mod_ifsession replaces earlier records as it
/// copies the section, so there the last occurrence wins for every directive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Duplicate {
    /// The first occurrence takes effect; later ones are ignored.
    First,
    /// The last occurrence takes effect; earlier ones are overridden.
    Last,
}

/// How much of a directive oxftpd implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Implemented as ProFTPD documents it.
    Implemented,
    /// Accepted, but the named part is missing.
    Partial(&'static str),
}

/// A set of configuration contexts.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Contexts(u16);

impl Contexts {
    /// The main server (top level of the file).
    pub const SERVER: Contexts = Contexts(1);
    /// Inside `<VirtualHost>`.
    pub const VHOST: Contexts = Contexts(1 << 1);
    /// Inside `<Global>`.
    pub const GLOBAL: Contexts = Contexts(1 << 2);
    /// Inside `<Anonymous>`.
    pub const ANON: Contexts = Contexts(1 << 3);
    /// Inside `<Directory>`.
    pub const DIR: Contexts = Contexts(1 << 4);
    /// Inside `<Limit>`.
    pub const LIMIT: Contexts = Contexts(1 << 5);
    /// In a `.ftpaccess` file.
    pub const FTPACCESS: Contexts = Contexts(1 << 6);
    /// Inside `<Class>`.
    pub const CLASS: Contexts = Contexts(1 << 7);
    /// No context.
    pub const NONE: Contexts = Contexts(0);
    /// Server config, `<VirtualHost>`, `<Global>`.
    pub const SERVERS: Contexts = Self::SERVER.with(Self::VHOST).with(Self::GLOBAL);
    /// Server config, `<VirtualHost>`, `<Global>`, `<Anonymous>`.
    pub const SERVERS_ANON: Contexts = Self::SERVERS.with(Self::ANON);
    /// Server config, `<VirtualHost>`, `<Global>`, `<Anonymous>`, `<Directory>`.
    pub const SERVERS_ANON_DIR: Contexts = Self::SERVERS_ANON.with(Self::DIR);
    /// The above plus `.ftpaccess`.
    pub const SERVERS_ANON_DIR_FTPACCESS: Contexts = Self::SERVERS_ANON_DIR.with(Self::FTPACCESS);

    /// The union of two sets.
    pub const fn with(self, other: Contexts) -> Contexts {
        Contexts(self.0 | other.0)
    }

    /// Whether every context in `other` is in `self`.
    pub const fn contains(self, other: Contexts) -> bool {
        self.0 & other.0 == other.0 && other.0 != 0
    }

    /// Human-readable names of the contexts in the set, in a fixed order.
    pub fn names(self) -> Vec<&'static str> {
        const NAMES: [(Contexts, &str); 8] = [
            (Contexts::SERVER, "server config"),
            (Contexts::VHOST, "<VirtualHost>"),
            (Contexts::GLOBAL, "<Global>"),
            (Contexts::ANON, "<Anonymous>"),
            (Contexts::DIR, "<Directory>"),
            (Contexts::LIMIT, "<Limit>"),
            (Contexts::FTPACCESS, ".ftpaccess"),
            (Contexts::CLASS, "<Class>"),
        ];
        NAMES
            .iter()
            .filter(|(c, _)| self.contains(*c))
            .map(|(_, n)| *n)
            .collect()
    }
}

impl std::ops::BitOr for Contexts {
    type Output = Contexts;
    fn bitor(self, rhs: Contexts) -> Contexts {
        self.with(rhs)
    }
}

impl fmt::Debug for Contexts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Contexts({})", self.names().join(", "))
    }
}

/// A checker for a directive's arguments; the error is a message for the admin.
pub type Checker = fn(&[String]) -> Result<(), String>;

/// The type of a directive's value: the parser its arguments must pass when the file is read,
/// and the one the module's typed view reads them with (so both agree).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Words, read as they are (lists, expressions, text); validated by the row's checker only.
    Words,
    /// An on/off switch in the first argument ([`crate::parse_flag`]).
    Flag,
    /// A non-negative number in the first argument.
    Number,
    /// A timeout in the first argument: seconds or a duration ([`crate::parse_duration`]).
    Duration,
    /// Octal umasks, every argument ([`crate::parse_umask`]).
    Umask,
    /// An absolute path (or `none`) in the first argument.
    Path,
}

impl Kind {
    /// Checks the arguments against the type; the error is a message for the admin.
    pub fn check(self, args: &[String]) -> Result<(), String> {
        use crate::check;
        match self {
            Kind::Words => Ok(()),
            Kind::Flag => check::flag(args),
            Kind::Number => check::number(args),
            Kind::Duration => check::timeout(args),
            Kind::Umask => check::umask(args),
            Kind::Path => check::abs_path_or_none(args),
        }
    }
}

/// Arity and validation of a directive's arguments.
#[derive(Debug, Clone, Copy)]
pub struct Args {
    /// Fewest arguments accepted.
    pub min: u8,
    /// Most arguments accepted; `None` means no limit.
    pub max: Option<u8>,
    /// The value's type, checked after the arity.
    pub kind: Kind,
    /// Further validation, run after the type check.
    pub check: Option<Checker>,
}

impl Args {
    /// Exactly `n` arguments, not otherwise checked.
    pub const fn exact(n: u8) -> Args {
        Args {
            min: n,
            max: Some(n),
            kind: Kind::Words,
            check: None,
        }
    }
    /// Between `min` and `max` arguments, not otherwise checked.
    pub const fn range(min: u8, max: u8) -> Args {
        Args {
            min,
            max: Some(max),
            kind: Kind::Words,
            check: None,
        }
    }
    /// At least `min` arguments, not otherwise checked.
    pub const fn at_least(min: u8) -> Args {
        Args {
            min,
            max: None,
            kind: Kind::Words,
            check: None,
        }
    }
    /// The same arity with a checker.
    pub const fn checked(self, check: Checker) -> Args {
        Args {
            check: Some(check),
            ..self
        }
    }
    /// The same arity with a value type.
    pub const fn typed(self, kind: Kind) -> Args {
        Args { kind, ..self }
    }
    /// One on/off flag.
    pub const fn flag() -> Args {
        Args::exact(1).typed(Kind::Flag)
    }
    /// One timeout (seconds or a duration).
    pub const fn duration() -> Args {
        Args::exact(1).typed(Kind::Duration)
    }
    /// One number.
    pub const fn number() -> Args {
        Args::exact(1).typed(Kind::Number)
    }
    /// One absolute path, or `none`.
    pub const fn path() -> Args {
        Args::exact(1).typed(Kind::Path)
    }

    /// Checks arity then runs the checker.
    pub fn validate(&self, args: &[String]) -> Result<(), String> {
        let n = args.len();
        let too_few = n < usize::from(self.min);
        let too_many = self.max.is_some_and(|m| n > usize::from(m));
        if too_few || too_many {
            let expected = match self.max {
                Some(m) if m == self.min => format!("{m}"),
                Some(m) => format!("{} to {m}", self.min),
                None => format!("at least {}", self.min),
            };
            return Err(format!(
                "wrong number of parameters (expected {expected}, got {n})"
            ));
        }
        self.kind.check(args)?;
        match self.check {
            Some(check) => check(args),
            None => Ok(()),
        }
    }
}

/// Where a directive's spec was found.
#[derive(Debug, Clone, Copy)]
pub struct Found {
    /// The module providing it.
    pub module: &'static ModuleSpec,
    /// Its spec.
    pub spec: &'static DirectiveSpec,
}

/// Finds a directive by case-insensitive name among `modules`.
pub fn lookup(modules: &[&'static ModuleSpec], name: &str) -> Option<Found> {
    modules.iter().find_map(|m| {
        m.directives
            .iter()
            .find(|d| d.name.eq_ignore_ascii_case(name))
            .map(|spec| Found { module: m, spec })
    })
}

/// Directives that ProFTPD has but oxftpd refuses, with the reason.
pub static REJECTED: &[(&str, &str)] = &[
    (
        "RewriteLock",
        "it only serialises RewriteMap fifo: maps, which oxftpd does not have (use txt: or int: maps)",
    ),
    (
        "RLimitChroot",
        "oxftpd never chroots its own process, so there is no chroot to guard",
    ),
    (
        "LangPath",
        "oxftpd has no translated message catalogs (.mo files) to load: replies are in English",
    ),
    (
        "PersistentPasswd",
        "user lookups go through the AuthOrder chain at login; nothing is kept open across a chroot",
    ),
    (
        "AuthPAMAuthoritative",
        "removed from ProFTPD: make PAM authoritative with a '*' after it in AuthOrder (AuthOrder mod_auth_pam.c* mod_auth_unix.c)",
    ),
    (
        "QuotaOptions",
        "its one option, ScanOnLogin (a scan of the home directory at login), is not available yet",
    ),
    (
        "QuotaDefault",
        "a limit for users without a row in the limit table is not available yet: add an 'all' row with ftpquota",
    ),
    (
        "BanControlsACLs",
        "the ftpdctl ban and permit actions are not available yet",
    ),
    (
        "SQLRatioStats",
        "oxftpd has no mod_ratio.c yet, so the ratio statistics mod_sql would keep are never read",
    ),
    (
        "SQLRatios",
        "oxftpd has no mod_ratio.c yet, so ratios read from SQL would never be enforced",
    ),
    (
        "SQLNamedConnectInfo",
        "oxftpd's mod_sql keeps one connection pool per server (SQLConnectInfo); named queries cannot choose another connection",
    ),
    (
        "SQLUserPrimaryKey",
        "oxftpd's mod_sql does not keep the sql.user-primary-key session note that only other modules' SQL would read",
    ),
    (
        "SQLGroupPrimaryKey",
        "oxftpd's mod_sql does not keep the sql.group-primary-key session note that only other modules' SQL would read",
    ),
    (
        "LDAPUseSASL",
        "oxftpd's LDAP library (ldap3) has no SASL mechanisms but EXTERNAL and GSSAPI, none of ProFTPD's list (PLAIN, LOGIN, CRAM-MD5, DIGEST-MD5, SCRAM); LDAPBindDN binds with a password (simple bind), protected by ldaps:// or LDAPUseTLS",
    ),
    (
        "RadiusQuotaInfo",
        "quota limits from RADIUS are read by mod_quotatab_radius.c, which oxftpd does not have",
    ),
    (
        "LDAPDefaultQuota",
        "quotas from LDAP are read by mod_quotatab_ldap.c, which oxftpd does not have",
    ),
    (
        "TLSServerInfoFile",
        "rustls cannot send OpenSSL serverinfo blocks (arbitrary TLS extensions from a PEM file, SSL_CTX_use_serverinfo_file); remove the directive",
    ),
    (
        "SFTPCryptoDevice",
        "mod_sftp's SSH stack is pure Rust (russh with ring), with no OpenSSL engine to select",
    ),
    (
        "SFTPTrafficPolicy",
        "the SSH library (russh) sends no SSH_MSG_IGNORE traffic-analysis padding",
    ),
    (
        "SFTPClientMatch",
        "the SSH library (russh) does not give the client's version banner to the server before key exchange, so settings cannot depend on it",
    ),
    (
        "SFTPDHParamFile",
        "diffie-hellman-group-exchange uses the SSH library's built-in RFC 3526 groups; remove the directive (or SFTPKeyExchanges without the group exchange)",
    ),
    (
        "SFTPPassPhraseProvider",
        "encrypted host keys are not read: keep each SFTPHostKey unencrypted and readable by root only",
    ),
    ("SFTPHostKeys", "name each host key file with SFTPHostKey"),
    (
        "SFTPKeyLimits",
        "the SSH library (russh) does not expose minimum key sizes",
    ),
    (
        "SFTPAuthorizedHostKeys",
        "oxftpd does not offer hostbased authentication",
    ),
    (
        "RedisSentinel",
        "oxftpd does not discover the Redis master through Sentinels: name the master with RedisServer",
    ),
    (
        "RedisLogOnCommand",
        "oxftpd does not log to Redis yet: log commands with ExtendedLog",
    ),
    (
        "RedisLogOnEvent",
        "oxftpd does not log to Redis yet: log events with ExtendedLog",
    ),
    (
        "RedisLogFormatExtra",
        "oxftpd does not log to Redis yet, so there is no Redis JSON payload to extend",
    ),
];

/// The reason a directive is rejected, if it is in [`REJECTED`].
pub fn rejected(name: &str) -> Option<(&'static str, &'static str)> {
    REJECTED
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .copied()
}

/// Whether `name` (with or without `.c`) is a module in `modules`.
pub fn has_module(modules: &[&'static ModuleSpec], name: &str) -> bool {
    let want = module_file_name(name);
    modules.iter().any(|m| m.name.eq_ignore_ascii_case(&want))
}

/// `name` with a `.c` suffix added when missing.
pub fn module_file_name(name: &str) -> String {
    if name.ends_with(".c") {
        name.to_string()
    } else {
        format!("{name}.c")
    }
}
