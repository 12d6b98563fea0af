//! Choosing the server certificate by the signature schemes the client accepts (RSA or EC).
//! The server itself (and so this resolver) was chosen by SNI first (`tls::sni`).

use std::sync::Arc;

use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;

/// Certificates of one server.
#[derive(Debug)]
pub struct CertResolver {
    /// This server's certificates (RSA and/or EC).
    pub own: Vec<Arc<CertifiedKey>>,
}

impl ResolvesServerCert for CertResolver {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let schemes = hello.signature_schemes();
        self.own
            .iter()
            .find(|k| k.key.choose_scheme(schemes).is_some())
            .cloned()
    }
}
