//! The TLS client configuration for `ldaps://` and StartTLS (rustls with ring): the server's
//! certificate checked against `ssl-ca:` (or the system's CA bundle) unless `ssl-verify:off`,
//! and `ssl-cert:`/`ssl-key:` presented when the directory asks for a client certificate.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::servers::{ServerInfo, Verify};

/// Where the system's CA certificates are when no `ssl-ca:` is named.
const SYSTEM_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";

/// The client configuration for one `LDAPServer` entry.
pub fn client_config(server: &ServerInfo) -> Result<Arc<ClientConfig>, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?;
    let builder = match server.verify {
        Verify::Demand => {
            let mut roots = RootCertStore::empty();
            let path = server
                .ca
                .clone()
                .unwrap_or_else(|| std::path::PathBuf::from(SYSTEM_BUNDLE));
            let certs = CertificateDer::pem_file_iter(&path)
                .map_err(|e| format!("SSL CA file '{}': {e}", path.display()))?;
            let (added, _) = roots.add_parsable_certificates(certs.filter_map(Result::ok));
            if added == 0 {
                return Err(format!(
                    "SSL CA file '{}' has no certificates",
                    path.display()
                ));
            }
            builder.with_root_certificates(roots)
        }
        Verify::Never => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider))),
    };
    let config = match (&server.cert, &server.key) {
        (Some(cert), Some(key)) => {
            let chain = CertificateDer::pem_file_iter(cert)
                .and_then(|i| i.collect::<Result<Vec<_>, _>>())
                .map_err(|e| format!("SSL certificate file '{}': {e}", cert.display()))?;
            let key = PrivateKeyDer::from_pem_file(key)
                .map_err(|e| format!("SSL certificate key file '{}': {e}", key.display()))?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| format!("client certificate: {e}"))?
        }
        (None, None) => builder.with_no_client_auth(),
        _ => return Err("ssl-cert: and ssl-key: go together".into()),
    };
    Ok(Arc::new(config))
}

/// `ssl-verify:off`: any certificate, as long as the handshake's signatures hold.
#[derive(Debug)]
struct AnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
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
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
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
