//! `TLSOptions EnableDiags`: a description of each handshake in the `TLSLog`. OpenSSL's
//! state-machine callbacks, which mod_tls logs, have no rustls counterpart; these lines give
//! what an administrator debugging a client needs: version, suite, key exchange group, SNI,
//! ALPN, whether the session was resumed, and the client certificate's subject.

use std::fs::File;
use std::net::SocketAddr;

use rustls::{CommonState, HandshakeKind, ServerConnection};
use x509_parser::prelude::{FromDer, X509Certificate};

use super::log::event;

/// Logs the control connection's handshake.
pub fn control(log: Option<&File>, peer: SocketAddr, conn: &ServerConnection) {
    for line in lines("control", conn.server_name(), conn) {
        event(log, &format!("{peer}: [diag] {line}"));
    }
}

/// Logs a data connection's handshake (`sni`: the name the client asked for, if any).
pub fn data(log: Option<&File>, state: &CommonState, sni: Option<&str>) {
    for line in lines("data", sni, state) {
        event(log, &format!("[diag] {line}"));
    }
}

/// The diagnostic lines for one handshake on `channel`.
pub fn lines(channel: &str, sni: Option<&str>, state: &CommonState) -> Vec<String> {
    let mut out = Vec::new();
    let version = state
        .protocol_version()
        .map_or_else(|| "unknown".to_string(), |v| format!("{v:?}"));
    let suite = state
        .negotiated_cipher_suite()
        .map_or_else(|| "unknown".to_string(), |s| format!("{:?}", s.suite()));
    let group = state
        .negotiated_key_exchange_group()
        .map_or_else(|| "none".to_string(), |g| format!("{:?}", g.name()));
    let kind = match state.handshake_kind() {
        Some(HandshakeKind::Full) => "full",
        Some(HandshakeKind::FullWithHelloRetryRequest) => "full (after HelloRetryRequest)",
        Some(HandshakeKind::Resumed) => "resumed",
        None => "incomplete",
    };
    out.push(format!(
        "{channel} handshake {kind}: protocol {version}, cipher {suite}, key exchange {group}"
    ));
    out.push(format!(
        "{channel} SNI: {}",
        sni.map_or_else(|| "(none)".to_string(), |s| format!("'{s}'"))
    ));
    if let Some(alpn) = state.alpn_protocol() {
        out.push(format!(
            "{channel} ALPN: '{}'",
            String::from_utf8_lossy(alpn)
        ));
    }
    match state.peer_certificates().and_then(|c| c.first()) {
        Some(c) => {
            let subject = X509Certificate::from_der(c.as_ref())
                .map(|(_, x)| x.subject().to_string())
                .unwrap_or_else(|_| "(unparsable)".to_string());
            out.push(format!("{channel} peer certificate: {subject}"));
        }
        None => out.push(format!("{channel} peer certificate: (none)")),
    }
    out
}
