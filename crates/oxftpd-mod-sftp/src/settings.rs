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
    /// `SFTPAuthorizedUserKeys` file patterns (`~` and `%u` expanded per user).
    pub user_keys: Vec<String>,
    /// `SFTPDisplayBanner`'s text.
    pub banner: Option<String>,
    /// The SFTP extensions offered (`SFTPExtensions`).
    pub extensions: Extensions,
    /// `SFTPLog`.
    pub log: Option<Arc<File>>,
    /// `SFTPMaxChannels`.
    pub max_channels: usize,
    /// `SFTPOptions IgnoreSFTPUploadPerms`.
    pub ignore_upload_perms: bool,
    /// `SFTPAcceptEnv` patterns (`LANG` by default, as mod_sftp).
    pub accept_env: Vec<String>,
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
    for (index, server) in config.servers().iter().enumerate() {
        let scope = server.scope(None);
        let merged = Merged::of(&scope);
        let view = View::read(&merged);
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
    let mut keys = Vec::new();
    let mut dsa = Vec::new();
    for key in &view.host_keys {
        let at = format!("{}:{}", key.at.file.display(), key.at.line);
        // A DSA (ssh-dss) host key is skipped: OpenSSH 9.8 removed DSA, russh does not sign
        // with it, and ProFTPD's configurations often list one beside an RSA key.
        if is_dsa(&key.value) {
            dsa.push(format!("{at}: SFTPHostKey '{}'", key.value));
            continue;
        }
        let k = russh::keys::load_secret_key(&key.value, None)
            .map_err(|e| format!("{at}: SFTPHostKey: unable to read '{}': {e}", key.value))?;
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
    if let Some(d) = &view.digests {
        preferred.mac = algorithms::digests(d)
            .map_err(|e| located("SFTPDigests", e))?
            .into();
    }
    if let Some(k) = &view.kex {
        preferred.kex = algorithms::kexes(k)
            .map_err(|e| located("SFTPKeyExchanges", e))?
            .into();
    }
    preferred.compression = algorithms::compression(view.compression.as_deref());
    let chains = match &view.auth_methods {
        Some(words) => words
            .iter()
            .map(|w| parse_chain(w))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| located("SFTPAuthMethods", e))?,
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
    let mut ssh = SshConfig {
        server_id: russh::SshId::Standard("SSH-2.0-oxftpd_mod_sftp".into()),
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
            .filter_map(|s| s.strip_prefix("file:").map(str::to_string))
            .collect(),
        banner,
        extensions: Extensions::from_words(&view.extensions),
        log,
        max_channels: view.max_channels.unwrap_or(10),
        ignore_upload_perms: view
            .options
            .iter()
            .any(|o| o.eq_ignore_ascii_case("IgnoreSFTPUploadPerms")),
        accept_env: view
            .accept_env
            .clone()
            .unwrap_or_else(|| vec!["LANG".to_string()]),
    })
}

/// russh's name for a method.
pub fn method_kind(m: Method) -> MethodKind {
    match m {
        Method::Password => MethodKind::Password,
        Method::PublicKey => MethodKind::PublicKey,
        Method::KeyboardInteractive => MethodKind::KeyboardInteractive,
    }
}
