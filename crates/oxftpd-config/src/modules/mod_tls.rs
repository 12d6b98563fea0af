//! mod_tls.c: FTPS (RFC 4217) — certificates, protocols, ciphers, what must be protected.
//!
//! oxftpd implements TLS with rustls: only TLSv1.2 and TLSv1.3 exist, so older protocol names
//! are refused here with a clear error, and renegotiation (absent from TLSv1.3, refused by
//! rustls in TLSv1.2) is never done.

use super::{d, partial};
use crate::check as c;
use crate::registry::{Args, Contexts as C, DirectiveSpec, ModuleSpec};

const S: C = C::SERVERS;

/// The mod_tls.c module.
pub static MODULE: ModuleSpec = ModuleSpec {
    name: "mod_tls.c",
    directives: DIRECTIVES,
};

/// The `TLSRequired` forms: (control, data, auth-only) protection demanded.
pub fn parse_required(s: &str) -> Option<(bool, bool, bool)> {
    if let Some(b) = c::parse_flag(s) {
        return Some((b, b, false));
    }
    match s.to_ascii_lowercase().as_str() {
        "ctrl" | "ctrl+!data" => Some((true, false, false)),
        "data" | "!ctrl" | "!ctrl+data" => Some((false, true, false)),
        "auth" => Some((false, false, true)),
        "auth+data" => Some((false, true, true)),
        _ => None,
    }
}

fn required(args: &[String]) -> Result<(), String> {
    let a = args.first().map(String::as_str).unwrap_or("");
    parse_required(a)
        .map(|_| ())
        .ok_or_else(|| format!("'{a}' is not one of on, off, ctrl, data, auth, auth+data, !ctrl"))
}

/// The protocol versions `TLSProtocol` arguments select: (TLSv1.2, TLSv1.3).
pub fn parse_protocols(args: &[String]) -> Result<(bool, bool), String> {
    let mut v12 = false;
    let mut v13 = false;
    for (i, a) in args.iter().enumerate() {
        let (op, name) = match a.as_bytes().first() {
            Some(b'+') => ('+', &a[1..]),
            Some(b'-') => ('-', &a[1..]),
            _ => (' ', a.as_str()),
        };
        let on = op != '-';
        match name.to_ascii_lowercase().as_str() {
            "all" | "sslv23" if op != '-' => {
                v12 = true;
                v13 = true;
            }
            "tlsv1.2" => v12 = on,
            "tlsv1.3" => v13 = on,
            "sslv3" | "tlsv1" | "tlsv1.1" if !on => {}
            "sslv3" | "tlsv1" | "tlsv1.1" if i == 0 && args.len() == 1 => {
                return Err(format!(
                    "{name} is not supported (oxftpd speaks TLSv1.2 and TLSv1.3 only)"
                ));
            }
            "sslv3" | "tlsv1" | "tlsv1.1" => {
                return Err(format!(
                    "{name} is insecure and not supported (oxftpd speaks TLSv1.2 and TLSv1.3 only)"
                ));
            }
            _ => return Err(format!("unknown protocol '{a}'")),
        }
    }
    if !v12 && !v13 {
        return Err("no protocol left: use TLSv1.2 and/or TLSv1.3".to_string());
    }
    Ok((v12, v13))
}

fn protocols(args: &[String]) -> Result<(), String> {
    parse_protocols(args).map(|_| ())
}

/// The options `TLSOptions` accepts; `AllowClientRenegotiations` is refused.
pub const OPTIONS: &[&str] = &[
    "NoSessionReuseRequired",
    "StdEnvVars",
    "UseImplicitSSL",
    "EnableDiags",
    "ExportCertData",
    "NoEmptyFragments",
    "NoCertRequest",
    "AllowDotLogin",
    "AllowPerUser",
    "AllowWeakSecurity",
    "IgnoreSNI",
];

fn options(args: &[String]) -> Result<(), String> {
    for a in args {
        if a.eq_ignore_ascii_case("AllowClientRenegotiations") {
            return Err(
                "AllowClientRenegotiations is not supported: renegotiation is insecure and rustls refuses it"
                    .to_string(),
            );
        }
        if !OPTIONS.iter().any(|o| o.eq_ignore_ascii_case(a)) {
            return Err(format!("unknown TLSOption '{a}'"));
        }
    }
    Ok(())
}

fn verify_client(args: &[String]) -> Result<(), String> {
    let a = args.first().map(String::as_str).unwrap_or("");
    if c::parse_flag(a).is_some() || a.eq_ignore_ascii_case("optional") {
        Ok(())
    } else {
        Err(format!("expected on, off or optional, got '{a}'"))
    }
}

fn user_name(args: &[String]) -> Result<(), String> {
    let a = args.first().map(String::as_str).unwrap_or("");
    let known = ["CommonName", "EmailSubjAltName"];
    let oid = a.split('.').count() >= 2
        && a.split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    if oid || known.iter().any(|k| k.eq_ignore_ascii_case(a)) {
        Ok(())
    } else {
        Err(format!(
            "'{a}' is not CommonName, EmailSubjAltName or a dotted OID"
        ))
    }
}

static DIRECTIVES: &[DirectiveSpec] = &[
    d(
        "TLSEngine",
        S,
        Args::flag(),
        false,
        "whether FTPS is offered",
    ),
    d(
        "TLSRequired",
        S.with(C::ANON).with(C::DIR).with(C::FTPACCESS),
        Args::exact(1).checked(required),
        false,
        "which channels must be protected before use (in <Directory>: data transfers while the session is there, as ProFTPD)",
    ),
    d(
        "TLSProtocol",
        S,
        Args::at_least(1).checked(protocols),
        false,
        "protocol versions offered (TLSv1.2, TLSv1.3)",
    ),
    d(
        "TLSCipherSuite",
        S,
        Args::range(1, 2),
        false,
        "OpenSSL cipher list, mapped onto rustls cipher suites",
    ),
    d(
        "TLSRSACertificateFile",
        S,
        Args::exact(1).checked(c::abs_path),
        false,
        "PEM file of the RSA server certificate",
    ),
    d(
        "TLSRSACertificateKeyFile",
        S,
        Args::exact(1).checked(c::abs_path),
        false,
        "PEM file of the RSA private key",
    ),
    d(
        "TLSECCertificateFile",
        S,
        Args::exact(1).checked(c::abs_path),
        false,
        "PEM file of the EC server certificate",
    ),
    d(
        "TLSECCertificateKeyFile",
        S,
        Args::exact(1).checked(c::abs_path),
        false,
        "PEM file of the EC private key",
    ),
    d(
        "TLSCertificateChainFile",
        S,
        Args::exact(1).checked(c::abs_path),
        false,
        "PEM file of intermediate certificates sent after the server certificate",
    ),
    d(
        "TLSCACertificateFile",
        S,
        Args::exact(1).checked(c::abs_path),
        false,
        "PEM file of CA certificates trusted for client certificates",
    ),
    d(
        "TLSVerifyClient",
        S,
        Args::exact(1).checked(verify_client),
        false,
        "whether clients must present a certificate signed by a trusted CA",
    ),
    partial(
        "TLSOptions",
        S,
        Args::at_least(1).checked(options),
        true,
        "only NoSessionReuseRequired, UseImplicitSSL, AllowDotLogin, IgnoreSNI and StdEnvVars (no effect: no CGI) act",
        "NoSessionReuseRequired, UseImplicitSSL and other behaviour switches",
    ),
    d(
        "TLSTimeoutHandshake",
        S,
        Args::exact(1).checked(c::timeout),
        false,
        "seconds a TLS handshake may take",
    ),
    d(
        "TLSLog",
        S,
        Args::exact(1).checked(c::abs_path_or_none),
        false,
        "file where TLS events are logged",
    ),
    partial(
        "TLSRenegotiate",
        S,
        Args::at_least(1),
        false,
        "never renegotiates: TLSv1.3 has no renegotiation and TLSv1.2 renegotiation is refused",
        "accepted for compatibility; renegotiation is not done",
    ),
    d(
        "TLSUserName",
        S,
        Args::exact(1).checked(user_name),
        false,
        "client certificate field (CommonName, EmailSubjAltName or an OID) that logs the USER in without a password",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn v(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn protocols_accept_modern_and_refuse_old() {
        assert_eq!(parse_protocols(&v(&["TLSv1.2"])), Ok((true, false)));
        assert_eq!(
            parse_protocols(&v(&["TLSv1.2", "TLSv1.3"])),
            Ok((true, true))
        );
        assert_eq!(
            parse_protocols(&v(&["ALL", "-TLSv1.1", "-TLSv1"])),
            Ok((true, true))
        );
        assert_eq!(parse_protocols(&v(&["ALL", "-TLSv1.3"])), Ok((true, false)));
        let err = parse_protocols(&v(&["TLSv1.1"])).unwrap_err();
        assert!(err.contains("TLSv1.1 is not supported"), "{err}");
        assert!(parse_protocols(&v(&["TLSv1.2", "SSLv3"])).is_err());
        assert!(parse_protocols(&v(&["-TLSv1.2"])).is_err());
    }

    #[test]
    fn required_forms() {
        assert_eq!(parse_required("on"), Some((true, true, false)));
        assert_eq!(parse_required("off"), Some((false, false, false)));
        assert_eq!(parse_required("!ctrl"), Some((false, true, false)));
        assert_eq!(parse_required("auth+data"), Some((false, true, true)));
        assert_eq!(parse_required("both"), None);
    }

    #[test]
    fn renegotiation_option_refused() {
        assert!(options(&v(&["AllowClientRenegotiations"])).is_err());
        assert!(options(&v(&["NoSessionReuseRequired", "UseImplicitSSL"])).is_ok());
    }
}
