//! FTPS (RFC 4217): the TLS settings a client uses for its control and data connections.
//!
//! A [`TlsConfig`] is built once and shared by any number of sessions. Each session gets a
//! TLS session cache of its own ([`TlsConfig::session`]) shared by its control and data
//! connections, so that every data connection resumes the control connection's TLS session,
//! as ProFTPD's mod_tls and oxftpd require by default.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use rustls::client::Resumption;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::{Error, Result};

/// TLS tickets and sessions kept per FTP session (control plus data connections).
const SESSIONS_PER_CACHE: usize = 8;

/// Which TLS versions a client offers.
///
/// With TLS 1.3 every data connection consumes one session ticket: a session can open as
/// many protected data connections as the server has sent tickets (oxftpd sends two on the
/// control connection and none on data connections; ProFTPD's OpenSSL sends two, and one more
/// on each data connection the client reads). Use [`TlsVersions::Tls12Only`] for more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlsVersions {
    /// TLS 1.3 and 1.2; the server chooses (normally 1.3).
    Any,
    /// TLS 1.2 only: a TLS 1.2 session can be resumed any number of times, while each TLS 1.3
    /// resumption consumes one of the tickets the server sent.
    Tls12Only,
}

/// How a client secures its connections: trusted certificates, versions, server name.
#[derive(Debug, Clone)]
pub struct TlsConfig {
    config: Arc<ClientConfig>,
    server_name: Option<ServerName<'static>>,
}

impl TlsConfig {
    /// Trusts the certificates in a PEM file (a CA, or the server's own certificate when it
    /// is its own issuer and not marked as a CA).
    pub fn with_ca_file(path: &Path, versions: TlsVersions) -> Result<TlsConfig> {
        let certs = CertificateDer::pem_file_iter(path)
            .map_err(|e| Error::Tls(format!("{}: {e}", path.display())))?
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| Error::Tls(format!("{}: {e}", path.display())))?;
        if certs.is_empty() {
            return Err(Error::Tls(format!("{}: no certificate", path.display())));
        }
        let mut roots = RootCertStore::empty();
        for cert in certs {
            roots
                .add(cert)
                .map_err(|e| Error::Tls(format!("{}: {e}", path.display())))?;
        }
        let config = builder(versions)?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(TlsConfig::from_config(config))
    }

    /// Accepts ANY server certificate, checking only that the server holds its key.
    ///
    /// For benchmarks and tests against servers with throw-away certificates only: it gives
    /// no protection against an active attacker.
    pub fn insecure_accept_any_certificate(versions: TlsVersions) -> Result<TlsConfig> {
        let verifier = Arc::new(AcceptAnyCertificate(provider()));
        let config = builder(versions)?
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth();
        Ok(TlsConfig::from_config(config))
    }

    /// Uses a rustls configuration as it is (its session cache is replaced per session).
    pub fn from_config(config: ClientConfig) -> TlsConfig {
        TlsConfig {
            config: Arc::new(config),
            server_name: None,
        }
    }

    /// Names the server for certificate checks and SNI (default: the control peer's address).
    pub fn with_server_name(mut self, name: &str) -> Result<TlsConfig> {
        let name = ServerName::try_from(name.to_string())
            .map_err(|e| Error::Tls(format!("server name {name:?}: {e}")))?;
        self.server_name = Some(name);
        Ok(self)
    }

    /// The settings for one FTP session: a session cache of its own, shared by the control
    /// connection and every data connection, and the name checked on all of them.
    pub fn session(&self, peer: SocketAddr) -> TlsSession {
        let mut config = (*self.config).clone();
        config.resumption = Resumption::in_memory_sessions(SESSIONS_PER_CACHE);
        TlsSession {
            config: Arc::new(config),
            name: self
                .server_name
                .clone()
                .unwrap_or_else(|| ServerName::IpAddress(peer.ip().into())),
        }
    }
}

/// One FTP session's TLS settings (see [`TlsConfig::session`]).
#[derive(Debug, Clone)]
pub struct TlsSession {
    pub(crate) config: Arc<ClientConfig>,
    pub(crate) name: ServerName<'static>,
}

impl TlsSession {
    /// Runs a TLS client handshake over `stream` (bounded by the caller).
    pub(crate) async fn handshake<S>(
        &self,
        stream: S,
    ) -> std::io::Result<tokio_rustls::client::TlsStream<S>>
    where
        S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    {
        tokio_rustls::TlsConnector::from(self.config.clone())
            .connect(self.name.clone(), stream)
            .await
    }
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn builder(
    versions: TlsVersions,
) -> Result<rustls::ConfigBuilder<ClientConfig, rustls::WantsVerifier>> {
    let v: &[&rustls::SupportedProtocolVersion] = match versions {
        TlsVersions::Any => &[&rustls::version::TLS13, &rustls::version::TLS12],
        TlsVersions::Tls12Only => &[&rustls::version::TLS12],
    };
    ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(v)
        .map_err(|e| Error::Tls(e.to_string()))
}

/// The certificate verifier of [`TlsConfig::insecure_accept_any_certificate`]: any chain,
/// any name; handshake signatures are still checked against the presented key.
#[derive(Debug)]
struct AcceptAnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_default_to_the_peer_address_and_take_a_given_name() {
        let peer: SocketAddr = "127.0.0.1:21".parse().unwrap();
        let tls = TlsConfig::insecure_accept_any_certificate(TlsVersions::Any).unwrap();
        assert_eq!(
            tls.session(peer).name,
            ServerName::IpAddress(peer.ip().into())
        );
        let named = tls.with_server_name("ftp.example.org").unwrap();
        assert_eq!(
            named.session(peer).name,
            ServerName::try_from("ftp.example.org").unwrap()
        );
    }

    #[test]
    fn a_file_without_certificates_is_an_error() {
        let dir = std::env::temp_dir().join(format!("oxftpd-client-tls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let empty = dir.join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let err = TlsConfig::with_ca_file(&empty, TlsVersions::Any).unwrap_err();
        assert!(err.to_string().contains("no certificate"), "{err}");
        let missing = TlsConfig::with_ca_file(&dir.join("missing.pem"), TlsVersions::Any);
        assert!(missing.is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn each_session_has_its_own_cache() {
        let tls = TlsConfig::insecure_accept_any_certificate(TlsVersions::Tls12Only).unwrap();
        let peer: SocketAddr = "127.0.0.1:21".parse().unwrap();
        let (a, b) = (tls.session(peer), tls.session(peer));
        assert!(!Arc::ptr_eq(&a.config, &b.config));
        assert!(Arc::ptr_eq(&a.config, &a.clone().config));
    }
}
