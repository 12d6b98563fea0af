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

/// What one `TLSRequired` argument demands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TlsRequired {
    /// Every command but `AUTH`, `FEAT`, `SYST`, `HOST`, `CLNT` and `QUIT` needs a protected
    /// control connection (`on`, `ctrl`, `both`, `ctrl+data`, `ctrl+!data`).
    pub ctrl: bool,
    /// `USER`, `PASS` and `ACCT` need a protected control connection (`auth…`, and every
    /// form that sets `ctrl`).
    pub auth: bool,
    /// Data connections: `Some(true)` must be protected (`PROT P`), `Some(false)` must not be
    /// (`!data`: `PROT P` is refused), `None` as the client likes.
    pub data: Option<bool>,
}

/// The forms `TLSRequired` accepts, as ProFTPD 1.3.8 spells them (keywords are case-sensitive;
/// a Boolean may be any of on/off/yes/no/true/false/1/0).
pub const REQUIRED_FORMS: &str =
    "on, off, ctrl, data, !data, both, ctrl+data, ctrl+!data, auth, auth+data, auth+!data";

/// Parses a `TLSRequired` argument (`None` for a form ProFTPD 1.3.8 rejects, e.g. `!ctrl`).
pub fn parse_required(s: &str) -> Option<TlsRequired> {
    let r = |ctrl, auth, data| {
        Some(TlsRequired {
            ctrl,
            auth: auth || ctrl,
            data,
        })
    };
    if let Some(b) = c::parse_flag(s) {
        return if b {
            r(true, true, Some(true))
        } else {
            r(false, false, None)
        };
    }
    match s {
        "ctrl" => r(true, true, None),
        "data" => r(false, false, Some(true)),
        "!data" => r(false, false, Some(false)),
        "both" | "ctrl+data" => r(true, true, Some(true)),
        "ctrl+!data" => r(true, true, Some(false)),
        "auth" => r(false, true, None),
        "auth+data" => r(false, true, Some(true)),
        "auth+!data" => r(false, true, Some(false)),
        _ => None,
    }
}

fn required(args: &[String]) -> Result<(), String> {
    let a = args.first().map(String::as_str).unwrap_or("");
    parse_required(a)
        .map(|_| ())
        .ok_or_else(|| format!("bad parameter '{a}': expected one of {REQUIRED_FORMS}"))
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

/// The options `TLSOptions` accepts: those of ProFTPD 1.3.8, spelled as it spells them
/// (case-sensitive), but `AllowClientRenegotiation(s)`, which is refused.
pub const OPTIONS: &[&str] = &[
    "AllowDotLogin",
    "AllowPerUser",
    "AllowWeakDH",
    "AllowWeakSecurity",
    "CommonNameRequired",
    "dNSNameRequired",
    "EnableDiags",
    "ExportCertData",
    "iPAddressRequired",
    "IgnoreSNI",
    "NoAutoECDH",
    "NoEmptyFragments",
    "NoSessionReuseRequired",
    "StdEnvVars",
    "UseImplicitSSL",
];

fn options(args: &[String]) -> Result<(), String> {
    for a in args {
        if a == "AllowClientRenegotiations" || a == "AllowClientRenegotiation" {
            return Err(format!(
                "{a} is not supported: renegotiation is insecure and rustls refuses it"
            ));
        }
        if !OPTIONS.contains(&a.as_str()) {
            let hint = OPTIONS
                .iter()
                .find(|o| o.eq_ignore_ascii_case(a))
                .map(|o| format!(" (options are case-sensitive: did you mean '{o}'?)"))
                .unwrap_or_default();
            return Err(format!("unknown TLSOption '{a}'{hint}"));
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

fn verify_server(args: &[String]) -> Result<(), String> {
    let a = args.first().map(String::as_str).unwrap_or("");
    if c::parse_flag(a).is_some() || a.eq_ignore_ascii_case("NoReverseDNS") {
        Ok(())
    } else {
        Err(format!("expected on, off or NoReverseDNS, got '{a}'"))
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
        "which channels must (or, with !data, must not) be protected: on, off, ctrl, data, !data, both, ctrl+data, \
         ctrl+!data, auth, auth+data, auth+!data; in <Directory>/<Anonymous> it guards data transfers while the session \
         is there, and with TLSOptions AllowPerUser the user's own setting applies after PASS, as ProFTPD",
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
        "no effect under rustls: NoEmptyFragments (an SSLv3/TLSv1.0 CBC countermeasure; only TLSv1.2+ is spoken), \
         AllowWeakDH (no finite-field DH suites), NoAutoECDH (curves are always negotiated), AllowWeakSecurity \
         (no weak ciphers or keys exist to allow), StdEnvVars and ExportCertData (no CGI or LogFormat to read them); \
         EnableDiags logs a summary of each handshake (rustls has no OpenSSL state callbacks)",
        "behaviour switches: NoSessionReuseRequired, UseImplicitSSL, AllowPerUser, AllowDotLogin, IgnoreSNI, \
         CommonNameRequired/dNSNameRequired/iPAddressRequired, EnableDiags, and compatibility names",
    ),
    d(
        "TLSTimeoutHandshake",
        S,
        Args::duration(),
        false,
        "seconds a TLS handshake may take",
    ),
    d(
        "TLSLog",
        S,
        Args::path(),
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
    partial(
        "TLSVerifyServer",
        S,
        Args::exact(1).checked(verify_server),
        false,
        "on and NoReverseDNS both verify the other server's certificate for the address connected to \
         (FXP gives addresses, not names)",
        "whether the other server's certificate is verified on SSCN ON data connections",
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
        let r = |ctrl, auth, data| Some(TlsRequired { ctrl, auth, data });
        assert_eq!(parse_required("on"), r(true, true, Some(true)));
        assert_eq!(parse_required("yes"), r(true, true, Some(true)));
        assert_eq!(parse_required("off"), r(false, false, None));
        assert_eq!(parse_required("ctrl"), r(true, true, None));
        assert_eq!(parse_required("data"), r(false, false, Some(true)));
        assert_eq!(parse_required("!data"), r(false, false, Some(false)));
        assert_eq!(parse_required("both"), r(true, true, Some(true)));
        assert_eq!(parse_required("ctrl+data"), r(true, true, Some(true)));
        assert_eq!(parse_required("ctrl+!data"), r(true, true, Some(false)));
        assert_eq!(parse_required("auth"), r(false, true, None));
        assert_eq!(parse_required("auth+data"), r(false, true, Some(true)));
        assert_eq!(parse_required("auth+!data"), r(false, true, Some(false)));
        // ProFTPD 1.3.8 refuses these ("bad parameter").
        for bad in [
            "!ctrl",
            "!ctrl+data",
            "data+ctrl",
            "Ctrl",
            "AUTH",
            "control",
            "",
        ] {
            assert_eq!(parse_required(bad), None, "{bad}");
        }
        assert!(required(&v(&["!ctrl"])).unwrap_err().contains("ctrl+!data"));
    }

    #[test]
    fn renegotiation_option_refused() {
        assert!(options(&v(&["AllowClientRenegotiations"])).is_err());
        assert!(options(&v(&["AllowClientRenegotiation"])).is_err());
        assert!(options(&v(&["NoSessionReuseRequired", "UseImplicitSSL"])).is_ok());
    }

    #[test]
    fn options_are_those_of_1_3_8_and_case_sensitive() {
        for o in OPTIONS {
            assert!(options(&v(&[o])).is_ok(), "{o}");
        }
        let err = options(&v(&["NoCertRequest"])).unwrap_err();
        assert_eq!(err, "unknown TLSOption 'NoCertRequest'");
        let err = options(&v(&["enablediags"])).unwrap_err();
        assert!(err.contains("did you mean 'EnableDiags'"), "{err}");
    }
}

/// mod_tls's per-path settings in force for one scope (the server-wide ones are read once
/// by the server's TLS settings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    /// `TLSRequired` first argument.
    pub required: Option<String>,
    /// Where the effective `TLSRequired` was written.
    pub required_origin: Option<crate::Origin>,
}

impl View {
    /// Reads mod_tls's per-path settings from a merged scope.
    pub fn read(m: &crate::Merged<'_>) -> View {
        View {
            required: m.arg("TLSRequired", 0),
            required_origin: m.origin("TLSRequired"),
        }
    }
}

/// A server's mod_tls settings, read once when the server starts; values that name a file
/// keep where they were written, for errors found while loading it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// `TLSEngine`.
    pub engine: Option<crate::Located<bool>>,
    /// `TLSProtocol` words.
    pub protocol: Option<crate::Located<Vec<String>>>,
    /// `TLSCipherSuite [protocol] list`, every occurrence, the server's own first.
    pub cipher_suites: Vec<crate::Located<Vec<String>>>,
    /// `TLSRSACertificateFile`.
    pub rsa_certificate_file: Option<crate::Located<String>>,
    /// `TLSRSACertificateKeyFile`.
    pub rsa_certificate_key_file: Option<crate::Located<String>>,
    /// `TLSECCertificateFile`.
    pub ec_certificate_file: Option<crate::Located<String>>,
    /// `TLSECCertificateKeyFile`.
    pub ec_certificate_key_file: Option<crate::Located<String>>,
    /// `TLSCertificateChainFile`.
    pub certificate_chain_file: Option<crate::Located<String>>,
    /// `TLSCACertificateFile`.
    pub ca_certificate_file: Option<crate::Located<String>>,
    /// `TLSVerifyClient` word (`on`, `off`, `optional`).
    pub verify_client: Option<String>,
    /// `TLSVerifyServer` (on unless set off).
    pub verify_server: bool,
    /// `TLSRequired` first argument.
    pub required: Option<crate::Located<String>>,
    /// Every `TLSOptions` word.
    pub options: Vec<String>,
    /// `TLSTimeoutHandshake` seconds (`None` inside when not a duration).
    pub timeout_handshake: Option<crate::Located<Option<u64>>>,
    /// `TLSUserName` field.
    pub user_name: Option<String>,
    /// `TLSLog` path (`none` as written).
    pub log: Option<crate::Located<String>>,
}

impl Settings {
    /// Reads a server's mod_tls settings (its own level, then `<Global>`).
    pub fn of(server: &crate::Server) -> Settings {
        let m = crate::Merged::of(&server.scope(None));
        let path = |name| m.located(name, |d| d.arg(0).unwrap_or("").to_string());
        Settings {
            engine: m.located("TLSEngine", crate::Directive::flag),
            protocol: m.located("TLSProtocol", |d| d.args.clone()),
            cipher_suites: m
                .all("TLSCipherSuite")
                .map(|d| crate::Located {
                    value: d.args.clone(),
                    at: d.clone(),
                })
                .collect(),
            rsa_certificate_file: path("TLSRSACertificateFile"),
            rsa_certificate_key_file: path("TLSRSACertificateKeyFile"),
            ec_certificate_file: path("TLSECCertificateFile"),
            ec_certificate_key_file: path("TLSECCertificateKeyFile"),
            certificate_chain_file: path("TLSCertificateChainFile"),
            ca_certificate_file: path("TLSCACertificateFile"),
            verify_client: m.arg("TLSVerifyClient", 0),
            verify_server: m
                .arg("TLSVerifyServer", 0)
                .is_none_or(|a| crate::parse_flag(&a) != Some(false)),
            required: path("TLSRequired"),
            options: m.all_args("TLSOptions").into_iter().flatten().collect(),
            timeout_handshake: m.located("TLSTimeoutHandshake", |d| {
                d.arg(0).and_then(crate::parse_duration)
            }),
            user_name: m.arg("TLSUserName", 0),
            log: m.located("TLSLog", |d| d.arg(0).unwrap_or("none").to_string()),
        }
    }

    /// Whether `TLSOptions` names `option` (as written, case-sensitive).
    pub fn has_option(&self, option: &str) -> bool {
        self.options.iter().any(|o| o == option)
    }
}
