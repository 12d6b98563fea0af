//! What each `SFTPEngine on` server needs, prepared once per loaded configuration as root
//! (`Module::open`): its host keys read, russh's configuration built, its log opened.

use std::collections::HashMap;
use std::fs::File;
use std::sync::Arc;
use std::time::Duration;

use oxftpd_config::{Config, Merged};
use oxftpd_server::StartError;
use oxftpd_server::module::state::ModuleState;
use russh::server::Config as SshConfig;
use russh::{MethodKind, MethodSet, Preferred};

use crate::algorithms;
use crate::directives::{Method, View, parse_chain};

/// "Never" for russh's rekey timer (`SFTPRekey none`): a century.
const NO_TIME_REKEY: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// The prepared SSH side of one server.
pub struct Prepared {
    /// russh's server configuration (keys, algorithms, limits).
    pub ssh: Arc<SshConfig>,
    /// `SFTPAuthMethods`: each chain of methods that logs a user in.
    pub chains: Vec<Vec<Method>>,
    /// `SFTPAuthorizedUserKeys` stores, in order.
    pub user_keys: Vec<KeyStore>,
    /// `SFTPDisplayBanner`'s text.
    pub banner: Option<String>,
    /// The SFTP extensions offered (`SFTPExtensions`).
    pub extensions: Extensions,
    /// `SFTPLog`.
    pub log: Option<Arc<File>>,
    /// `SFTPMaxChannels`.
    pub max_channels: usize,
    /// `SFTPOptions`.
    pub options: Options,
    /// `SFTPAcceptEnv` patterns (`LANG` by default, as mod_sftp).
    pub accept_env: Vec<String>,
    /// The version line sent to clients: `SSH-2.0-mod_sftp`, or `SSH-2.0-` and the text of
    /// `ServerIdent on "text"`, as mod_sftp.
    pub server_id: String,
    /// How long a client may take to send its version line (`TimeoutLogin`, 300 seconds).
    pub login_timeout: Duration,
    /// mod_sftp_pam (`SFTPPAMEngine on`): keyboard-interactive through PAM.
    pub pam: Option<crate::pam::PamSettings>,
}

impl Prepared {
    /// Writes one line to the `SFTPLog`, and to the daemon's log at debug level.
    pub fn log(&self, message: &str) {
        tracing::debug!(target: "mod_sftp", "{message}");
        if let Some(file) = &self.log {
            let _ = oxftpd_server::module::log::write(file, crate::VERSION, message);
        }
    }
}

/// Where `SFTPAuthorizedUserKeys` finds a user's keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyStore {
    /// `file:PATH`, `~` and `%u` expanded per user; read with the user's credentials.
    File(String),
    /// `sql:/NAME` (mod_sftp_sql): the first column of each row of the `SQLNamedQuery` NAME,
    /// with `%{0}` the user's name.
    Sql(String),
}

impl KeyStore {
    /// Reads one `SFTPAuthorizedUserKeys` word (checked when the file was read).
    pub fn parse(word: &str) -> Option<KeyStore> {
        match word.split_once(':')? {
            ("file", path) => Some(KeyStore::File(path.to_string())),
            ("sql", name) => Some(KeyStore::Sql(
                name.strip_prefix('/').unwrap_or(name).to_string(),
            )),
            _ => None,
        }
    }
}

/// `SFTPOptions` that change what oxftpd does (the others it accepts describe what it
/// always does: see `directives::OPTIONS`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// `IgnoreSFTPUploadPerms`: the client's mode on OPEN and MKDIR is not applied.
    pub ignore_sftp_upload_perms: bool,
    /// `IgnoreSFTPSetPerms`: SETSTAT/FSETSTAT leave the mode alone.
    pub ignore_sftp_set_perms: bool,
    /// `IgnoreSFTPSetOwners`: SETSTAT/FSETSTAT leave the owner alone.
    pub ignore_sftp_set_owners: bool,
    /// `IgnoreSFTPSetTimes`: SETSTAT/FSETSTAT leave the times alone.
    pub ignore_sftp_set_times: bool,
    /// `IgnoreSCPUploadPerms`: `scp -p` uploads keep the server's mode.
    pub ignore_scp_upload_perms: bool,
    /// `IgnoreSCPUploadTimes`: `scp -p` uploads keep the server's times.
    pub ignore_scp_upload_times: bool,
    /// `InsecureHostKeyPerms`: a group- or world-readable host key is used (with a notice).
    pub insecure_host_key_perms: bool,
    /// `MatchKeySubject`: an RFC 4716 key with a `Subject:` header serves only that user.
    pub match_key_subject: bool,
    /// `NoExtensionNegotiation`: no `ext-info-s` (RFC 8308) in the key exchange.
    pub no_extension_negotiation: bool,
}

impl Options {
    /// Reads `SFTPOptions` words (checked when the file was read).
    pub fn from_words(words: &[String]) -> Options {
        let mut o = Options::default();
        for w in words {
            match w.to_ascii_lowercase().as_str() {
                "ignoresftpuploadperms" => o.ignore_sftp_upload_perms = true,
                "ignoresftpsetperms" => o.ignore_sftp_set_perms = true,
                "ignoresftpsetowners" => o.ignore_sftp_set_owners = true,
                "ignoresftpsettimes" => o.ignore_sftp_set_times = true,
                "ignorescpuploadperms" => o.ignore_scp_upload_perms = true,
                "ignorescpuploadtimes" => o.ignore_scp_upload_times = true,
                "insecurehostkeyperms" => o.insecure_host_key_perms = true,
                "matchkeysubject" => o.match_key_subject = true,
                "noextensionnegotiation" => o.no_extension_negotiation = true,
                _ => {}
            }
        }
        o
    }
}

/// Which SFTP extensions are offered.
#[derive(Debug, Clone, Copy)]
pub struct Extensions {
    /// `check-file` (`checkFile`).
    pub check_file: bool,
    /// `copy-file` (`copyFile`).
    pub copy_file: bool,
    /// `fsync@openssh.com`.
    pub fsync: bool,
    /// `hardlink@openssh.com`.
    pub hardlink: bool,
    /// `posix-rename@openssh.com`.
    pub posix_rename: bool,
    /// `statvfs@openssh.com`.
    pub statvfs: bool,
    /// `vendor-id`.
    pub vendor_id: bool,
}

impl Extensions {
    /// mod_sftp's defaults, changed by `+name`/`-name` words.
    fn from_words(words: &[String]) -> Extensions {
        let mut e = Extensions {
            check_file: true,
            copy_file: true,
            fsync: true,
            hardlink: true,
            posix_rename: true,
            statvfs: true,
            vendor_id: true,
        };
        for w in words {
            let on = !w.starts_with('-');
            match w
                .trim_start_matches(['+', '-'])
                .to_ascii_lowercase()
                .as_str()
            {
                "checkfile" => e.check_file = on,
                "copyfile" => e.copy_file = on,
                "fsync" => e.fsync = on,
                "hardlink" => e.hardlink = on,
                "posixrename" => e.posix_rename = on,
                "statvfs" => e.statvfs = on,
                "vendorid" => e.vendor_id = on,
                _ => {}
            }
        }
        e
    }
}

/// Every prepared server of a configuration, by server index.
#[derive(Default)]
pub struct Servers(pub HashMap<usize, Arc<Prepared>>);

/// `Module::open`: prepares every server with `SFTPEngine on`.
pub fn open(config: &Config, state: &mut ModuleState) -> Result<(), StartError> {
    let mut servers = Servers::default();
    // SFTPPassPhraseProvider is a main-server directive that serves every server's keys.
    let provider = config.servers().first().and_then(|main| {
        let scope = main.scope(None);
        View::read(&Merged::of(&scope)).passphrase_provider
    });
    for (index, server) in config.servers().iter().enumerate() {
        let scope = server.scope(None);
        let merged = Merged::of(&scope);
        let mut view = View::read(&merged);
        view.passphrase_provider = provider.clone();
        if !view.engine {
            continue;
        }
        let at = merged.one("SFTPEngine").cloned();
        let prepared = prepare(&view, &merged).map_err(|e| match &at {
            Some(d) => StartError::at(d, e),
            None => StartError::Message(e),
        })?;
        servers.0.insert(index, Arc::new(prepared));
    }
    state.insert(servers);
    Ok(())
}

/// Whether russh could not read a key because it is encrypted.
fn encrypted(e: &russh::keys::Error) -> bool {
    matches!(e, russh::keys::Error::KeyIsEncrypted)
        || e.to_string().to_ascii_lowercase().contains("encrypt")
}

/// mod_sftp refuses a host key that its group or others may read or write, unless
/// `SFTPOptions InsecureHostKeyPerms` (then it is used, with a notice).
fn host_key_private(path: &str, insecure_ok: bool) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .map_err(|e| format!("unable to read '{path}': {e}"))?
        .permissions()
        .mode();
    if mode & 0o077 == 0 {
        return Ok(());
    }
    if insecure_ok {
        tracing::info!(
            "notice: the permissions on SFTPHostKey '{path}' ({:04o}) allow group and/or world access",
            mode & 0o7777
        );
        return Ok(());
    }
    Err(format!(
        "unable to use '{path}' as host key, as it is group- or world-accessible (mode {:04o}; \
         chmod 600 it, or SFTPOptions InsecureHostKeyPerms)",
        mode & 0o7777
    ))
}

/// Whether the key file at `path` holds a DSA key: PEM `BEGIN DSA PRIVATE KEY`, or an OpenSSH
/// key whose type is `ssh-dss` (as russh reads it).
fn is_dsa(path: &str) -> bool {
    let Ok(text) = std::fs::read_to_string(path) else {
        return false;
    };
    if text.contains("BEGIN DSA PRIVATE KEY") {
        return true;
    }
    text.contains("BEGIN OPENSSH PRIVATE KEY")
        && russh::keys::ssh_key::PrivateKey::from_openssh(&text)
            .is_ok_and(|k| k.algorithm() == russh::keys::Algorithm::Dsa)
}

fn prepare(view: &View, merged: &Merged<'_>) -> Result<Prepared, String> {
    if view.host_keys.is_empty() {
        return Err("SFTPEngine on needs at least one SFTPHostKey".to_string());
    }
    let options = Options::from_words(&view.options);
    let mut keys = Vec::new();
    let mut dsa = Vec::new();
    for key in &view.host_keys {
        let at = format!("{}:{}", key.at.file.display(), key.at.line);
        host_key_private(&key.value, options.insecure_host_key_perms)
            .map_err(|e| format!("{at}: SFTPHostKey: {e}"))?;
        // A DSA (ssh-dss) host key is skipped: OpenSSH 9.8 removed DSA, russh does not sign
        // with it, and ProFTPD's configurations often list one beside an RSA key.
        if is_dsa(&key.value) {
            dsa.push(format!("{at}: SFTPHostKey '{}'", key.value));
            continue;
        }
        let k = match russh::keys::load_secret_key(&key.value, None) {
            Ok(k) => k,
            // An encrypted key: SFTPPassPhraseProvider tells its passphrase.
            Err(e) => match (&view.passphrase_provider, encrypted(&e)) {
                (Some(program), true) => {
                    let server = format!(
                        "{}:{}",
                        merged.arg("ServerName", 0).unwrap_or_default(),
                        merged.arg("Port", 0).unwrap_or_else(|| "21".to_string())
                    );
                    let pass = crate::passphrase::ask(program, &server, &key.value)
                        .map_err(|e| format!("{at}: SFTPHostKey: {e}"))?;
                    russh::keys::load_secret_key(&key.value, Some(&pass)).map_err(|e| {
                        format!(
                            "{at}: SFTPHostKey: unable to read '{}' with the passphrase from SFTPPassPhraseProvider: {e}",
                            key.value
                        )
                    })?
                }
                _ => {
                    return Err(format!(
                        "{at}: SFTPHostKey: unable to read '{}': {e}",
                        key.value
                    ));
                }
            },
        };
        keys.push(k);
    }
    for d in &dsa {
        tracing::warn!("{d}: a DSA (ssh-dss) key, not served (DSA is not offered)");
    }
    if keys.is_empty() {
        return Err(format!(
            "{}: no usable SFTPHostKey: DSA (ssh-dss) keys are not served; add an Ed25519, ECDSA or RSA key",
            dsa.join(", ")
        ));
    }
    let mut preferred = Preferred::default();
    let located = |name: &'static str, e: String| match merged.one(name) {
        Some(d) => format!("{}:{}: {name}: {e}", d.file.display(), d.line),
        None => e,
    };
    if let Some(c) = &view.ciphers {
        preferred.cipher = algorithms::ciphers(c)
            .map_err(|e| located("SFTPCiphers", e))?
            .into();
    }
    preferred.mac = match &view.digests {
        Some(d) => algorithms::digests(d)
            .map_err(|e| located("SFTPDigests", e))?
            .into(),
        None => algorithms::DEFAULT_DIGESTS.into(),
    };
    if let Some(k) = &view.kex {
        preferred.kex = algorithms::kexes(k)
            .map_err(|e| located("SFTPKeyExchanges", e))?
            .into();
    }
    preferred.compression = algorithms::compression(view.compression.as_deref());
    if options.no_extension_negotiation {
        let kex: Vec<_> = preferred
            .kex
            .iter()
            .filter(|k| **k != russh::kex::EXTENSION_SUPPORT_AS_SERVER)
            .cloned()
            .collect();
        preferred.kex = kex.into();
    }
    let chains = match &view.auth_methods {
        Some(words) => words
            .iter()
            .map(|w| parse_chain(w))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| located("SFTPAuthMethods", e))?,
        // As mod_sftp: publickey is offered only where SFTPAuthorizedUserKeys says where
        // the keys are.
        None if view.user_keys.is_empty() => {
            vec![vec![Method::KeyboardInteractive], vec![Method::Password]]
        }
        None => vec![
            vec![Method::PublicKey],
            vec![Method::KeyboardInteractive],
            vec![Method::Password],
        ],
    };
    let mut methods = MethodSet::empty();
    for chain in &chains {
        if let Some(first) = chain.first() {
            methods.push(method_kind(*first));
        }
    }
    let server_id = server_id(merged);
    let mut ssh = SshConfig {
        server_id: russh::SshId::Standard(server_id.clone().into()),
        methods,
        keys,
        preferred,
        auth_rejection_time: Duration::from_millis(300),
        auth_rejection_time_initial: Some(Duration::from_millis(0)),
        // TimeoutIdle, as for FTP sessions (600 seconds; 0 is none).
        inactivity_timeout: match merged.duration("TimeoutIdle").unwrap_or(600) {
            0 => None,
            secs => Some(Duration::from_secs(secs)),
        },
        nodelay: true,
        ..Default::default()
    };
    if let Some((count, interval)) = view.client_alive
        && interval > 0
    {
        ssh.keepalive_interval = Some(Duration::from_secs(u64::from(interval)));
        ssh.keepalive_max = count as usize;
    }
    // `SFTPRekey none`: no rekey by time; russh still renews the keys after 1 GiB either way
    // (its cap against nonce reuse, which ProFTPD's sequence-number limit plays for it).
    if let Some(words) = &view.rekey
        && words
            .first()
            .is_some_and(|w| w.eq_ignore_ascii_case("none"))
    {
        ssh.limits = russh::Limits {
            rekey_time_limit: NO_TIME_REKEY,
            ..russh::Limits::default()
        };
    }
    if let Some(words) = &view.rekey
        && words
            .first()
            .is_some_and(|w| w.eq_ignore_ascii_case("required"))
    {
        let mut limits = russh::Limits::default();
        if let Some(secs) = words.get(1).and_then(|s| s.parse::<u64>().ok()) {
            limits.rekey_time_limit = Duration::from_secs(secs.max(1));
        }
        if let Some(mb) = words.get(2).and_then(|s| s.parse::<usize>().ok()) {
            // russh refuses more than 1 GiB between rekeys (nonce reuse).
            let bytes = mb.saturating_mul(1 << 20).clamp(1 << 16, 1 << 30);
            limits.rekey_read_limit = bytes;
            limits.rekey_write_limit = bytes;
        }
        ssh.limits = limits;
    }
    let banner =
        match &view.banner {
            Some(path) => Some(std::fs::read_to_string(path).map_err(|e| {
                located("SFTPDisplayBanner", format!("unable to read '{path}': {e}"))
            })?),
            None => None,
        };
    let log = match &view.log {
        Some(path) => Some(Arc::new(
            oxftpd_server::module::log::open(std::path::Path::new(path))
                .map_err(|e| located("SFTPLog", format!("unable to open '{path}': {e}")))?,
        )),
        None => None,
    };
    Ok(Prepared {
        ssh: Arc::new(ssh),
        chains,
        user_keys: view
            .user_keys
            .iter()
            .filter_map(|s| KeyStore::parse(s))
            .collect(),
        banner,
        extensions: Extensions::from_words(&view.extensions),
        log,
        max_channels: view.max_channels.unwrap_or(10),
        options,
        accept_env: view
            .accept_env
            .clone()
            .unwrap_or_else(|| vec!["LANG".to_string()]),
        server_id,
        login_timeout: match merged.duration("TimeoutLogin").unwrap_or(300) {
            0 => Duration::from_secs(3600),
            secs => Duration::from_secs(secs),
        },
        pam: crate::pam::PamSettings::read(merged),
    })
}

/// mod_sftp's version line: `SSH-2.0-mod_sftp` (no version, whatever `ServerIdent off`
/// says), or `SSH-2.0-TEXT` with `ServerIdent on "TEXT"`.
fn server_id(merged: &Merged<'_>) -> String {
    match merged.args("ServerIdent").as_deref() {
        Some([on, text, ..]) if on.eq_ignore_ascii_case("on") && !text.is_empty() => {
            let clean: String = text
                .chars()
                .filter(|c| c.is_ascii_graphic() || *c == ' ')
                .collect();
            format!("SSH-2.0-{clean}")
        }
        _ => "SSH-2.0-mod_sftp".to_string(),
    }
}

/// russh's name for a method.
pub fn method_kind(m: Method) -> MethodKind {
    match m {
        Method::Password => MethodKind::Password,
        Method::PublicKey => MethodKind::PublicKey,
        Method::KeyboardInteractive => MethodKind::KeyboardInteractive,
    }
}
