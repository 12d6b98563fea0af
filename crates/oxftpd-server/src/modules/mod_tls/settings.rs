//! Per-server FTPS settings, read once from the mod_tls directives.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use oxftpd_config::modules::mod_tls::{Settings, parse_protocols, parse_required};
use oxftpd_config::{Config, Directive, Located, Server};
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

/// The certificates of the PEM file a directive names.
fn certs(file: &Located<String>) -> Result<Vec<CertificateDer<'static>>, StartError> {
    let d = &file.at;
    let path = Path::new(&file.value);
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
    cert: Option<&Located<String>>,
    key: Option<&Located<String>>,
    chain: &[CertificateDer<'static>],
    provider: &CryptoProvider,
) -> Result<Option<Arc<CertifiedKey>>, StartError> {
    let Some(cd) = cert else {
        return Ok(None);
    };
    let mut list = certs(cd)?;
    list.extend(chain.iter().cloned());
    // Like mod_tls, the key may be in the certificate file when no key file is named.
    let kf = key.unwrap_or(cd);
    let kd = &kf.at;
    let path = Path::new(&kf.value);
    let der = PrivateKeyDer::from_pem_file(path)
        .map_err(|e| err(kd, format!("{}: {e}", path.display())))?;
    let signing = provider
        .key_provider
        .load_private_key(der)
        .map_err(|e| err(kd, format!("{}: {e}", path.display())))?;
    let ck = CertifiedKey::new(list, signing);
    ck.keys_match()
        .map_err(|e| err(kd, format!("key does not match {}: {e}", cd.value)))?;
    Ok(Some(Arc::new(ck)))
}

fn provider_for(tls: &Settings) -> Result<CryptoProvider, StartError> {
    let mut provider = rustls::crypto::ring::default_provider();
    let (mut v12, mut v13) = (ciphers::all_tls12(), ciphers::all_tls13());
    for suite in &tls.cipher_suites {
        let d = &suite.at;
        let arg = |i: usize| suite.value.get(i).map(String::as_str);
        match (arg(0), arg(1)) {
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

fn load(tls: &Settings) -> Result<Option<Loaded>, StartError> {
    let Some(engine) = tls.engine.as_ref().filter(|e| e.value) else {
        return Ok(None);
    };
    let provider = provider_for(tls)?;
    let chain = match &tls.certificate_chain_file {
        Some(d) => certs(d)?,
        None => Vec::new(),
    };
    let mut keys = Vec::new();
    for (c, k) in [
        (&tls.rsa_certificate_file, &tls.rsa_certificate_key_file),
        (&tls.ec_certificate_file, &tls.ec_certificate_key_file),
    ] {
        if let Some(ck) = key_pair(c.as_ref(), k.as_ref(), &chain, &provider)? {
            keys.push(ck);
        }
    }
    if keys.is_empty() {
        let m = "TLSEngine on needs TLSRSACertificateFile or TLSECCertificateFile";
        return Err(err(&engine.at, m));
    }
    Ok(Some(Loaded { keys, provider }))
}

/// The FTPS settings of every server of `config`, in order (`None` without `TLSEngine on`).
/// Puts each server's FTPS settings (when `TLSEngine on`) in its module state.
pub fn per_server(
    config: &Config,
    servers: &mut [crate::type_map::TypeMap],
) -> Result<(), StartError> {
    for (state, tls) in servers.iter_mut().zip(build_all(config)?) {
        if let Some(tls) = tls {
            state.insert(tls);
        }
    }
    Ok(())
}

/// Every server's FTPS settings, by index (`None` without `TLSEngine on`).
pub fn build_all(config: &Config) -> Result<Vec<Option<Arc<TlsSettings>>>, StartError> {
    let servers: Vec<(Settings, &Server)> = config
        .servers()
        .iter()
        .map(|s| (Settings::of(s), s))
        .collect();
    let mut loaded = Vec::with_capacity(servers.len());
    for (tls, _) in &servers {
        loaded.push(load(tls)?);
    }
    let mut out = Vec::with_capacity(servers.len());
    for ((tls, s), l) in servers.iter().zip(loaded) {
        out.push(match l {
            Some(l) => Some(Arc::new(build(tls, s, l)?)),
            None => None,
        });
    }
    Ok(out)
}

fn build(tls: &Settings, server: &Server, loaded: Loaded) -> Result<TlsSettings, StartError> {
    let (v12, v13) = match &tls.protocol {
        Some(d) => parse_protocols(&d.value).map_err(|m| err(&d.at, m))?,
        None => (true, true),
    };
    let mut versions = Vec::new();
    if v12 {
        versions.push(&rustls::version::TLS12);
    }
    if v13 {
        versions.push(&rustls::version::TLS13);
    }
    let verify_client = match tls.verify_client.as_deref() {
        Some(a) if a.eq_ignore_ascii_case("optional") => VerifyClient::Optional,
        Some(a) if oxftpd_config::parse_flag(a) == Some(true) => VerifyClient::On,
        _ => VerifyClient::Off,
    };
    let provider = Arc::new(loaded.provider);
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&versions)
        .map_err(|e| StartError::Message(format!("TLS: {e}")))?;
    let ca = match &tls.ca_certificate_file {
        Some(d) => certs(d)?,
        None => Vec::new(),
    };
    let sscn_config =
        super::sscn::client_config(provider.clone(), &versions, tls.verify_server, &ca)
            .map_err(StartError::Message)?;
    let builder = if verify_client == VerifyClient::Off {
        builder.with_no_client_auth()
    } else {
        let file = tls.ca_certificate_file.as_ref().ok_or_else(|| {
            StartError::Message("TLSVerifyClient needs TLSCACertificateFile".to_string())
        })?;
        let d = &file.at;
        let mut roots = RootCertStore::empty();
        for c in certs(file)? {
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
    let required = match &tls.required {
        Some(d) => {
            parse_required(&d.value).ok_or_else(|| err(&d.at, "TLSRequired: bad parameter"))?
        }
        None => Required::default(),
    };
    let allow_per_user = tls.has_option("AllowPerUser");
    if allow_per_user && required.auth {
        // ProFTPD 1.3.8 refuses to start with this pair.
        let name = oxftpd_config::modules::mod_core::View::read(&oxftpd_config::Merged::of(
            &server.scope(None),
        ))
        .server_name;
        let m = format!(
            "Server {}: cannot enforce both 'TLSRequired auth' and 'TLSOptions AllowPerUser' at the same time",
            name.as_deref().unwrap_or("ProFTPD")
        );
        return Err(match &tls.required {
            Some(d) => err(&d.at, m),
            None => StartError::Message(m),
        });
    }
    let handshake_timeout = match &tls.timeout_handshake {
        Some(d) => d
            .value
            .ok_or_else(|| err(&d.at, "expected a number of seconds"))?,
        None => 300,
    };
    let user_name = tls.user_name.as_deref().map(|a| {
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
        diags: tls.has_option("EnableDiags"),
        cert_checks: CertChecks {
            common_name: tls.has_option("CommonNameRequired"),
            dns_name: tls.has_option("dNSNameRequired"),
            ip_address: tls.has_option("iPAddressRequired"),
        },
        implicit: tls.has_option("UseImplicitSSL"),
        session_reuse_required: !tls.has_option("NoSessionReuseRequired"),
        handshake_timeout: Duration::from_secs(handshake_timeout.max(1)),
        verify_client,
        user_name,
        allow_dot_login: tls.has_option("AllowDotLogin"),
        ignore_sni: tls.has_option("IgnoreSNI"),
        log: match &tls.log {
            Some(d) if !d.value.eq_ignore_ascii_case("none") => {
                let path = PathBuf::from(&d.value);
                let f = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&path)
                    .map_err(|e| err(&d.at, format!("{}: {e}", path.display())))?;
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
