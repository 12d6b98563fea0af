//! Per-server FTPS settings, read once from the mod_tls directives.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use oxftpd_config::modules::mod_tls::{parse_protocols, parse_required};
use oxftpd_config::{Config, Directive, Server};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::sign::CertifiedKey;
use rustls::{RootCertStore, ServerConfig};

use super::ciphers;
use super::resolver::CertResolver;
use crate::StartError;

/// What `TLSRequired` demands.
pub use oxftpd_config::modules::mod_tls::TlsRequired as Required;

/// `TLSOptions CommonNameRequired`, `dNSNameRequired`, `iPAddressRequired`: what a client
/// certificate must name after the control connection's handshake.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CertChecks {
    /// The subject CN equals the client's reverse-DNS name.
    pub common_name: bool,
    /// A dNSName subjectAltName equals the client's reverse-DNS name.
    pub dns_name: bool,
    /// An iPAddress subjectAltName equals the client's address.
    pub ip_address: bool,
}

/// `TLSVerifyClient`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VerifyClient {
    /// No certificate asked for.
    Off,
    /// A certificate is asked for and checked when given.
    Optional,
    /// A valid certificate is required.
    On,
}

/// `TLSUserName`: which certificate field names the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UserNameField {
    /// The subject's CN.
    CommonName,
    /// Any rfc822Name subjectAltName.
    EmailSubjAltName,
    /// The raw value of the extension with this dotted OID.
    Oid(String),
}

/// A server's FTPS settings (present only with `TLSEngine on`).
#[derive(Debug)]
pub struct TlsSettings {
    /// The rustls configuration for control connections.
    pub config: Arc<ServerConfig>,
    /// `TLSRequired`.
    pub required: Required,
    /// `TLSOptions UseImplicitSSL`: TLS from the first byte.
    pub implicit: bool,
    /// Data connections must resume the control connection's session (no `NoSessionReuseRequired`).
    pub session_reuse_required: bool,
    /// `TLSTimeoutHandshake`.
    pub handshake_timeout: Duration,
    /// `TLSVerifyClient`.
    pub verify_client: VerifyClient,
    /// `TLSUserName`.
    pub user_name: Option<UserNameField>,
    /// `TLSOptions AllowDotLogin`: a certificate listed in `~/.tlslogin` logs the user in.
    pub allow_dot_login: bool,
    /// `TLSOptions IgnoreSNI`: the client's SNI name neither chooses nor refuses a vhost.
    pub ignore_sni: bool,
    /// `TLSOptions AllowPerUser`: `TLSRequired` is enforced after `PASS`, from the user's scope.
    pub allow_per_user: bool,
    /// `TLSOptions EnableDiags`: each handshake described in the `TLSLog`.
    pub diags: bool,
    /// Client-certificate name checks.
    pub cert_checks: CertChecks,
    /// The TLS client configuration for `SSCN ON` data connections (`TLSVerifyServer`).
    pub sscn_config: Arc<rustls::ClientConfig>,
    /// `TLSLog`, opened for appending at startup (before privileges are dropped).
    pub log: Option<std::fs::File>,
}

fn err(d: &Directive, m: impl Into<String>) -> StartError {
    StartError::at(d, m.into())
}

fn certs(d: &Directive) -> Result<Vec<CertificateDer<'static>>, StartError> {
    let path = Path::new(d.arg(0).unwrap_or(""));
    let certs: Result<Vec<_>, _> = CertificateDer::pem_file_iter(path)
        .map_err(|e| err(d, format!("{}: {e}", path.display())))?
        .collect();
    let certs = certs.map_err(|e| err(d, format!("{}: {e}", path.display())))?;
    if certs.is_empty() {
        return Err(err(
            d,
            format!("{}: no PEM certificate found", path.display()),
        ));
    }
    Ok(certs)
}

fn key_pair(
    server: &Server,
    cert: &str,
    key: &str,
    chain: &[CertificateDer<'static>],
    provider: &CryptoProvider,
) -> Result<Option<Arc<CertifiedKey>>, StartError> {
    let Some(cd) = server.directive(cert) else {
        return Ok(None);
    };
    let mut list = certs(cd)?;
    list.extend(chain.iter().cloned());
    // Like mod_tls, the key may be in the certificate file when no key file is named.
    let kd = server.directive(key).unwrap_or(cd);
    let path = Path::new(kd.arg(0).unwrap_or(""));
    let der = PrivateKeyDer::from_pem_file(path)
        .map_err(|e| err(kd, format!("{}: {e}", path.display())))?;
    let signing = provider
        .key_provider
        .load_private_key(der)
        .map_err(|e| err(kd, format!("{}: {e}", path.display())))?;
    let ck = CertifiedKey::new(list, signing);
    ck.keys_match().map_err(|e| {
        err(
            kd,
            format!("key does not match {}: {e}", cd.arg(0).unwrap_or("")),
        )
    })?;
    Ok(Some(Arc::new(ck)))
}

fn has_option(server: &Server, name: &str) -> bool {
    server
        .directives("TLSOptions")
        .any(|d| d.args.iter().any(|a| a == name))
}

fn provider_for(server: &Server) -> Result<CryptoProvider, StartError> {
    let mut provider = rustls::crypto::ring::default_provider();
    let (mut v12, mut v13) = (ciphers::all_tls12(), ciphers::all_tls13());
    for d in server.directives("TLSCipherSuite") {
        match (d.arg(0), d.arg(1)) {
            (Some(p), Some(list)) if p.eq_ignore_ascii_case("TLSv1.3") => {
                v13 = ciphers::select_tls13(list).map_err(|m| err(d, m))?;
            }
            (Some(p), Some(list)) if p.eq_ignore_ascii_case("TLSv1.2") => {
                v12 = ciphers::select_tls12(list).map_err(|m| err(d, m))?;
            }
            (Some(list), None) => v12 = ciphers::select_tls12(list).map_err(|m| err(d, m))?,
            _ => return Err(err(d, "expected a cipher list, or TLSv1.3 and a list")),
        }
    }
    provider.cipher_suites = v13.into_iter().chain(v12).collect();
    Ok(provider)
}

struct Loaded {
    keys: Vec<Arc<CertifiedKey>>,
    provider: CryptoProvider,
}

fn load(server: &Server) -> Result<Option<Loaded>, StartError> {
    if !server.directive("TLSEngine").is_some_and(Directive::flag) {
        return Ok(None);
    }
    let provider = provider_for(server)?;
    let chain = match server.directive("TLSCertificateChainFile") {
        Some(d) => certs(d)?,
        None => Vec::new(),
    };
    let mut keys = Vec::new();
    for (c, k) in [
        ("TLSRSACertificateFile", "TLSRSACertificateKeyFile"),
        ("TLSECCertificateFile", "TLSECCertificateKeyFile"),
    ] {
        if let Some(ck) = key_pair(server, c, k, &chain, &provider)? {
            keys.push(ck);
        }
    }
    if keys.is_empty() {
        let d = server.directive("TLSEngine");
        let m = "TLSEngine on needs TLSRSACertificateFile or TLSECCertificateFile";
        return Err(match d {
            Some(d) => err(d, m),
            None => StartError::Message(m.to_string()),
        });
    }
    Ok(Some(Loaded { keys, provider }))
}

/// The FTPS settings of every server of `config`, in order (`None` without `TLSEngine on`).
pub fn build_all(config: &Config) -> Result<Vec<Option<Arc<TlsSettings>>>, StartError> {
    let servers = config.servers();
    let mut loaded = Vec::with_capacity(servers.len());
    for s in servers {
        loaded.push(load(s)?);
    }
    let mut out = Vec::with_capacity(servers.len());
    for (s, l) in servers.iter().zip(loaded) {
        out.push(match l {
            Some(l) => Some(Arc::new(build(s, l)?)),
            None => None,
        });
    }
    Ok(out)
}

fn build(server: &Server, loaded: Loaded) -> Result<TlsSettings, StartError> {
    let (v12, v13) = match server.directive("TLSProtocol") {
        Some(d) => parse_protocols(&d.args).map_err(|m| err(d, m))?,
        None => (true, true),
    };
    let mut versions = Vec::new();
    if v12 {
        versions.push(&rustls::version::TLS12);
    }
    if v13 {
        versions.push(&rustls::version::TLS13);
    }
    let verify_client = match server.directive("TLSVerifyClient").and_then(|d| d.arg(0)) {
        Some(a) if a.eq_ignore_ascii_case("optional") => VerifyClient::Optional,
        Some(a) if oxftpd_config::parse_flag(a) == Some(true) => VerifyClient::On,
        _ => VerifyClient::Off,
    };
    let provider = Arc::new(loaded.provider);
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&versions)
        .map_err(|e| StartError::Message(format!("TLS: {e}")))?;
    let ca = match server.directive("TLSCACertificateFile") {
        Some(d) => certs(d)?,
        None => Vec::new(),
    };
    let verify_server = server
        .directive("TLSVerifyServer")
        .and_then(|d| d.arg(0))
        .is_none_or(|a| oxftpd_config::parse_flag(a) != Some(false));
    let sscn_config = super::sscn::client_config(provider.clone(), &versions, verify_server, &ca)
        .map_err(StartError::Message)?;
    let builder = if verify_client == VerifyClient::Off {
        builder.with_no_client_auth()
    } else {
        let d = server.directive("TLSCACertificateFile").ok_or_else(|| {
            StartError::Message("TLSVerifyClient needs TLSCACertificateFile".to_string())
        })?;
        let mut roots = RootCertStore::empty();
        for c in certs(d)? {
            roots.add(c).map_err(|e| err(d, e.to_string()))?;
        }
        let mut v = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider);
        if verify_client == VerifyClient::Optional {
            v = v.allow_unauthenticated();
        }
        builder.with_client_cert_verifier(v.build().map_err(|e| err(d, e.to_string()))?)
    };
    let mut config = builder.with_cert_resolver(Arc::new(CertResolver { own: loaded.keys }));
    config.ignore_client_order = true;
    let required = match server.directive("TLSRequired") {
        Some(d) => parse_required(d.arg(0).unwrap_or(""))
            .ok_or_else(|| err(d, "TLSRequired: bad parameter"))?,
        None => Required::default(),
    };
    let allow_per_user = has_option(server, "AllowPerUser");
    if allow_per_user && required.auth {
        // ProFTPD 1.3.8 refuses to start with this pair.
        let m = format!(
            "Server {}: cannot enforce both 'TLSRequired auth' and 'TLSOptions AllowPerUser' at the same time",
            server
                .directive("ServerName")
                .and_then(|d| d.arg(0))
                .unwrap_or("ProFTPD")
        );
        return Err(match server.directive("TLSRequired") {
            Some(d) => err(d, m),
            None => StartError::Message(m),
        });
    }
    let handshake_timeout = match server.directive("TLSTimeoutHandshake") {
        Some(d) => d
            .arg(0)
            .and_then(oxftpd_config::parse_duration)
            .ok_or_else(|| err(d, "expected a number of seconds"))?,
        None => 300,
    };
    let user_name = server
        .directive("TLSUserName")
        .and_then(|d| d.arg(0))
        .map(|a| {
            if a.eq_ignore_ascii_case("EmailSubjAltName") {
                UserNameField::EmailSubjAltName
            } else if a.eq_ignore_ascii_case("CommonName") {
                UserNameField::CommonName
            } else {
                UserNameField::Oid(a.to_string())
            }
        });
    Ok(TlsSettings {
        config: Arc::new(config),
        required,
        sscn_config,
        allow_per_user,
        diags: has_option(server, "EnableDiags"),
        cert_checks: CertChecks {
            common_name: has_option(server, "CommonNameRequired"),
            dns_name: has_option(server, "dNSNameRequired"),
            ip_address: has_option(server, "iPAddressRequired"),
        },
        implicit: has_option(server, "UseImplicitSSL"),
        session_reuse_required: !has_option(server, "NoSessionReuseRequired"),
        handshake_timeout: Duration::from_secs(handshake_timeout.max(1)),
        verify_client,
        user_name,
        allow_dot_login: has_option(server, "AllowDotLogin"),
        ignore_sni: has_option(server, "IgnoreSNI"),
        log: match server.directive("TLSLog") {
            Some(d) if !d.arg(0).unwrap_or("none").eq_ignore_ascii_case("none") => {
                let path = PathBuf::from(d.arg(0).unwrap_or(""));
                let f = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&path)
                    .map_err(|e| err(d, format!("{}: {e}", path.display())))?;
                Some(f)
            }
            _ => None,
        },
    })
}

impl TlsSettings {
    /// The configuration for one session: a session cache and ticket key of its own, shared
    /// by its control and data connections, so a data connection can resume only this
    /// session's control connection.
    pub fn session_config(&self) -> Arc<ServerConfig> {
        let mut c = (*self.config).clone();
        c.session_storage = rustls::server::ServerSessionMemoryCache::new(32);
        if let Ok(t) = rustls::crypto::ring::Ticketer::new() {
            c.ticketer = t;
        }
        Arc::new(c)
    }
}
