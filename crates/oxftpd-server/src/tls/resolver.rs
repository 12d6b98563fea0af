//! Choosing the server certificate: by SNI name among the configuration's servers, then by
//! the signature schemes the client accepts (RSA or EC).

use std::collections::HashMap;
use std::sync::Arc;

use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;

/// Certificates of one server, and those of every named server for SNI.
#[derive(Debug)]
pub struct CertResolver {
    /// This server's certificates (RSA and/or EC).
    pub own: Vec<Arc<CertifiedKey>>,
    /// Lower-case `ServerName`/`ServerAlias` → that server's certificates.
    pub by_name: HashMap<String, Vec<Arc<CertifiedKey>>>,
}

fn pick(keys: &[Arc<CertifiedKey>], hello: &ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
    let schemes = hello.signature_schemes();
    keys.iter()
        .find(|k| k.key.choose_scheme(schemes).is_some())
        .cloned()
}

impl ResolvesServerCert for CertResolver {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        if let Some(name) = hello.server_name()
            && let Some(keys) = self.by_name.get(&name.to_ascii_lowercase())
            && let Some(k) = pick(keys, &hello)
        {
            return Some(k);
        }
        pick(&self.own, &hello)
    }
}
