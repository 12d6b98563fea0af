//! mod_sftp's directives as 1.3.8 registers them: each is implemented here, or refused when
//! the file is read with the reason (those refused outright, such as `SFTPCryptoDevice`, are
//! in the configuration crate's `REJECTED` list; a directive parsed but ignored would be a
//! lie).

use oxftpd_config::{Args, Contexts, DirectiveSpec, Located, Merged, ModuleSpec};

use crate::algorithms;

/// mod_sftp.c's configuration surface.
pub static SPEC: ModuleSpec = ModuleSpec {
    name: "mod_sftp.c",
    directives: DIRECTIVES,
};

const CTX: Contexts = Contexts::SERVERS;

static DIRECTIVES: &[DirectiveSpec] = &[
    DirectiveSpec::new(
        "SFTPAcceptEnv",
        CTX,
        Args::at_least(1),
        false,
        "environment variables (glob patterns) a client may set; others are refused",
    ),
    DirectiveSpec::new(
        "SFTPAuthMethods",
        CTX,
        Args::at_least(1).checked(check_auth_methods),
        false,
        "authentication methods and chains (password, publickey, keyboard-interactive, publickey+password)",
    ),
    DirectiveSpec::new(
        "SFTPAuthorizedUserKeys",
        CTX,
        Args::at_least(1).checked(check_user_keys),
        false,
        "where users' authorized keys are: file:PATH (~ is the user's home, %u the user name), or sql:/NAME (mod_sftp_sql: the rows of the SQLNamedQuery NAME, %{0} being the user)",
    )
    .partial("redis: key stores (mod_redis) are refused"),
    DirectiveSpec::new(
        "SFTPCiphers",
        CTX,
        Args::at_least(1).checked(algorithms::check_ciphers),
        false,
        "the ciphers offered, in order",
    ),
    DirectiveSpec::new(
        "SFTPClientAlive",
        CTX,
        Args::exact(2).checked(check_client_alive),
        false,
        "count interval: keepalive probes after interval seconds of silence, closing after count unanswered",
    ),
    DirectiveSpec::new(
        "SFTPCompression",
        CTX,
        Args::exact(1).checked(check_compression),
        false,
        "on (zlib), delayed (zlib@openssh.com) or off",
    ),
    DirectiveSpec::new(
        "SFTPDigests",
        CTX,
        Args::at_least(1).checked(algorithms::check_digests),
        false,
        "the MACs offered, in order",
    ),
    DirectiveSpec::new(
        "SFTPDisplayBanner",
        CTX,
        Args::exact(1).typed(oxftpd_config::Kind::Path),
        false,
        "a file sent as the SSH authentication banner",
    ),
    DirectiveSpec::new(
        "SFTPEngine",
        CTX,
        Args::flag(),
        false,
        "serve SSH (SFTP and SCP) instead of FTP on this server's port",
    ),
    DirectiveSpec::new(
        "SFTPExtensions",
        CTX,
        Args::at_least(1).checked(check_extensions),
        false,
        "+name/-name: the SFTP extensions offered (checkFile, copyFile, fsync, hardlink, posixRename, statvfs, vendorID)",
    ),
    DirectiveSpec::new(
        "SFTPHostKey",
        CTX,
        Args::exact(1).checked(check_host_key),
        true,
        "a host key file (RSA, ECDSA or Ed25519; OpenSSH or PEM format)",
    ),
    DirectiveSpec::new(
        "SFTPKeyBlacklist",
        CTX,
        Args::exact(1).checked(check_key_blacklist),
        false,
        "only \"none\": the Debian weak-key blacklist is not read",
    ),
    DirectiveSpec::new(
        "SFTPKeyExchanges",
        CTX,
        Args::at_least(1).checked(algorithms::check_kex),
        false,
        "the key exchanges offered, in order (strict kex against Terrapin is always offered)",
    ),
    DirectiveSpec::new(
        "SFTPLog",
        CTX,
        Args::path(),
        false,
        "the module's own log file, or \"none\"",
    ),
    DirectiveSpec::new(
        "SFTPMaxChannels",
        CTX,
        Args::number().checked(check_positive),
        false,
        "most channels one SSH connection may open at once (10 by default)",
    ),
    DirectiveSpec::new(
        "SFTPOptions",
        CTX,
        Args::at_least(1).checked(check_options),
        false,
        "module options: IgnoreSFTPUploadPerms, IgnoreSFTPSet{Perms,Owners,Times}, IgnoreSCPUpload{Perms,Times}, InsecureHostKeyPerms, MatchKeySubject, NoExtensionNegotiation, PessimisticKexinit, NoHostkeyRotation",
    ),
    DirectiveSpec::new(
        "SFTPPassPhraseProvider",
        Contexts::SERVER,
        Args::path().checked(check_full_path),
        false,
        "a program that prints the passphrase of an encrypted SFTPHostKey (run as root with servername:port and the key's path)",
    ),
    DirectiveSpec::new(
        "SFTPRekey",
        CTX,
        Args::range(1, 4).checked(check_rekey),
        false,
        "none, or required [interval-seconds [MB [timeout]]]: when keys are renewed",
    )
    .partial(
        "the timeout argument is refused (russh 0.65 has no hook on a key exchange in progress); byte limits above 1024 MB are cut to 1 GiB (russh's cap against nonce reuse; ProFTPD's default of 2 GB becomes 1 GiB)",
    ),
];

fn check_full_path(args: &[String]) -> Result<(), String> {
    if args[0].starts_with('/') {
        Ok(())
    } else {
        Err(format!("must be a full path: '{}'", args[0]))
    }
}

fn check_positive(args: &[String]) -> Result<(), String> {
    match args[0].parse::<u32>() {
        Ok(n) if n > 0 => Ok(()),
        _ => Err(format!("expected a number greater than 0: '{}'", args[0])),
    }
}

fn refused(what: &str, why: &str) -> Result<(), String> {
    Err(format!("{what} is not supported by oxftpd: {why}"))
}

fn check_key_blacklist(args: &[String]) -> Result<(), String> {
    if args[0].eq_ignore_ascii_case("none") {
        Ok(())
    } else {
        refused("a key blacklist file", "only \"none\" is accepted")
    }
}

/// One authentication method mod_sftp knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    /// `password`.
    Password,
    /// `publickey`.
    PublicKey,
    /// `keyboard-interactive` (a password prompt).
    KeyboardInteractive,
}

/// Parses one `SFTPAuthMethods` word: a method or a `+` chain of them.
pub fn parse_chain(word: &str) -> Result<Vec<Method>, String> {
    word.split('+')
        .map(|m| match m {
            "password" => Ok(Method::Password),
            "publickey" => Ok(Method::PublicKey),
            "keyboard-interactive" => Ok(Method::KeyboardInteractive),
            "hostbased" => Err(
                "hostbased authentication is not supported by oxftpd (no SFTPAuthorizedHostKeys)"
                    .to_string(),
            ),
            other => Err(format!("unsupported authentication method '{other}'")),
        })
        .collect()
}

fn check_auth_methods(args: &[String]) -> Result<(), String> {
    args.iter().try_for_each(|a| parse_chain(a).map(|_| ()))
}

fn check_user_keys(args: &[String]) -> Result<(), String> {
    for a in args {
        match a.split_once(':') {
            Some(("file", path)) if path.starts_with('/') || path.starts_with('~') => {}
            Some(("file", path)) => {
                return Err(format!("file: needs a full path or ~/…: '{path}'"));
            }
            Some(("sql", name)) => {
                let name = name.strip_prefix('/').unwrap_or(name);
                if name.is_empty() || name.contains('/') {
                    return Err(format!(
                        "sql: needs a SQLNamedQuery name (sql:/NAME): '{a}'"
                    ));
                }
            }
            Some(("redis", _)) => return refused("redis: key stores", "mod_redis is not built"),
            _ => return Err(format!("unknown key store '{a}' (expected file:PATH)")),
        }
    }
    Ok(())
}

fn check_client_alive(args: &[String]) -> Result<(), String> {
    for a in args {
        a.parse::<u32>()
            .map_err(|_| format!("expected a number: '{a}'"))?;
    }
    Ok(())
}

fn check_compression(args: &[String]) -> Result<(), String> {
    match args[0].to_ascii_lowercase().as_str() {
        "on" | "off" | "delayed" | "true" | "false" | "yes" | "no" => Ok(()),
        other => Err(format!("expected on, off or delayed: '{other}'")),
    }
}

/// The extensions `SFTPExtensions` names, as mod_sftp spells them.
pub const EXTENSIONS: &[&str] = &[
    "checkFile",
    "copyFile",
    "fsync",
    "hardlink",
    "posixRename",
    "spaceAvailable",
    "statvfs",
    "vendorID",
    "versionSelect",
    "homeDirectory",
    "xattr",
];

fn check_extensions(args: &[String]) -> Result<(), String> {
    for a in args {
        let name = a.trim_start_matches(['+', '-']);
        if !EXTENSIONS.iter().any(|e| e.eq_ignore_ascii_case(name)) {
            return Err(format!("unknown SFTP extension '{name}'"));
        }
    }
    Ok(())
}

fn check_host_key(args: &[String]) -> Result<(), String> {
    let a = &args[0];
    if a.starts_with("agent:") {
        return refused("agent: host keys", "keys are read from files");
    }
    if a.eq_ignore_ascii_case("NoRSA")
        || a.eq_ignore_ascii_case("NoDSA")
        || a.eq_ignore_ascii_case("NoECDSA")
        || a.eq_ignore_ascii_case("NoEd25519")
    {
        return refused(a, "list only the keys to use");
    }
    if !a.starts_with('/') {
        return Err(format!("must be a full path: '{a}'"));
    }
    Ok(())
}

/// `SFTPOptions` words oxftpd implements. `PessimisticKexinit` and `NoHostkeyRotation`
/// describe what oxftpd always does (russh sends its `KEXINIT` only after the client's
/// version line, and never announces host keys with `hostkeys-00@openssh.com`).
pub const OPTIONS: &[&str] = &[
    "IgnoreSFTPUploadPerms",
    "IgnoreSFTPSetPerms",
    "IgnoreSFTPSetOwners",
    "IgnoreSFTPSetTimes",
    "IgnoreSCPUploadPerms",
    "IgnoreSCPUploadTimes",
    "InsecureHostKeyPerms",
    "MatchKeySubject",
    "NoExtensionNegotiation",
    "PessimisticKexinit",
    "NoHostkeyRotation",
];

fn check_options(args: &[String]) -> Result<(), String> {
    for a in args {
        if !OPTIONS.iter().any(|o| o.eq_ignore_ascii_case(a)) {
            return Err(format!(
                "SFTPOption '{a}' is not supported by oxftpd (supported: {})",
                OPTIONS.join(", ")
            ));
        }
    }
    Ok(())
}

fn check_rekey(args: &[String]) -> Result<(), String> {
    match args[0].to_ascii_lowercase().as_str() {
        "none" if args.len() == 1 => Ok(()),
        "required" if args.len() == 4 => Err(
            "the rekey timeout (4th argument) is not supported: russh 0.65 gives no sign of a \
             key exchange in progress; drop it (SFTPClientAlive closes clients that stop \
             answering)"
                .to_string(),
        ),
        "required" => {
            for a in &args[1..] {
                a.parse::<u64>()
                    .map_err(|_| format!("expected a number: '{a}'"))?;
            }
            Ok(())
        }
        _ => Err("expected \"none\" or \"required [interval [MB [timeout]]]\"".to_string()),
    }
}

/// mod_sftp's settings of one server, typed.
#[derive(Debug, Clone, Default)]
pub struct View {
    /// `SFTPEngine`.
    pub engine: bool,
    /// `SFTPHostKey` files, with where each was written.
    pub host_keys: Vec<Located<String>>,
    /// `SFTPAuthMethods` words.
    pub auth_methods: Option<Vec<String>>,
    /// `SFTPAuthorizedUserKeys` stores.
    pub user_keys: Vec<String>,
    /// `SFTPCiphers`.
    pub ciphers: Option<Vec<String>>,
    /// `SFTPDigests`.
    pub digests: Option<Vec<String>>,
    /// `SFTPKeyExchanges`.
    pub kex: Option<Vec<String>>,
    /// `SFTPCompression`.
    pub compression: Option<String>,
    /// `SFTPClientAlive count interval`.
    pub client_alive: Option<(u32, u32)>,
    /// `SFTPDisplayBanner`.
    pub banner: Option<String>,
    /// `SFTPExtensions` words.
    pub extensions: Vec<String>,
    /// `SFTPLog`.
    pub log: Option<String>,
    /// `SFTPMaxChannels`.
    pub max_channels: Option<usize>,
    /// `SFTPOptions` words.
    pub options: Vec<String>,
    /// `SFTPRekey` words.
    pub rekey: Option<Vec<String>>,
    /// `SFTPAcceptEnv` patterns.
    pub accept_env: Option<Vec<String>>,
    /// `SFTPPassPhraseProvider`.
    pub passphrase_provider: Option<String>,
}

impl View {
    /// Reads the module's settings from a merged scope.
    pub fn read(m: &Merged<'_>) -> View {
        View {
            engine: m.flag("SFTPEngine").unwrap_or(false),
            host_keys: m
                .nearest("SFTPHostKey")
                .into_iter()
                .map(|d| Located {
                    value: d.arg(0).unwrap_or_default().to_string(),
                    at: d.clone(),
                })
                .collect(),
            auth_methods: m.args("SFTPAuthMethods"),
            user_keys: m.args("SFTPAuthorizedUserKeys").unwrap_or_default(),
            ciphers: m.args("SFTPCiphers"),
            digests: m.args("SFTPDigests"),
            kex: m.args("SFTPKeyExchanges"),
            compression: m.arg("SFTPCompression", 0),
            client_alive: match (
                m.number::<u32>("SFTPClientAlive", 0),
                m.number::<u32>("SFTPClientAlive", 1),
            ) {
                (Some(c), Some(i)) => Some((c, i)),
                _ => None,
            },
            banner: m.arg("SFTPDisplayBanner", 0),
            extensions: m.args("SFTPExtensions").unwrap_or_default(),
            log: m
                .arg("SFTPLog", 0)
                .filter(|p| !p.eq_ignore_ascii_case("none")),
            max_channels: m.number("SFTPMaxChannels", 0),
            options: m.args("SFTPOptions").unwrap_or_default(),
            rekey: m.args("SFTPRekey"),
            accept_env: m.args("SFTPAcceptEnv"),
            passphrase_provider: m.arg("SFTPPassPhraseProvider", 0),
        }
    }
}
