//! `TLSOptions CommonNameRequired`, `dNSNameRequired`, `iPAddressRequired`: after the control
//! connection's handshake, the client certificate must name the client (its reverse-DNS name,
//! or its address); otherwise mod_tls closes the session. The checks run only with
//! `TLSVerifyClient on` (not `optional`), and without `UseReverseDNS` the two name checks are
//! disabled, as in ProFTPD 1.3.8 (observed).

use std::net::IpAddr;

use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};

use super::settings::CertChecks;

/// The outcome of the checks: the `TLSLog` lines to write, and whether the session may go on.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Verdict {
    /// Lines for the `TLSLog`, in ProFTPD's words.
    pub log: Vec<String>,
    /// Every enabled check passed.
    pub ok: bool,
}

/// Runs the enabled checks on the DER certificate `der` of a client at `ip`, whose reverse
/// lookup gave `name` (`reverse_dns` says whether `UseReverseDNS` is on).
pub fn check(
    checks: CertChecks,
    der: &[u8],
    ip: IpAddr,
    name: Option<&str>,
    reverse_dns: bool,
) -> Verdict {
    let mut v = Verdict {
        log: Vec::new(),
        ok: true,
    };
    let Ok((_, cert)) = X509Certificate::from_der(der) else {
        v.log
            .push("unable to parse client certificate, rejecting".to_string());
        v.ok = false;
        return v;
    };
    let sans: Vec<GeneralName<'_>> = cert
        .subject_alternative_name()
        .ok()
        .flatten()
        .map(|s| s.value.general_names.clone())
        .unwrap_or_default();
    let ip = canonical(ip);
    if checks.ip_address {
        let matched = sans.iter().any(|n| match n {
            GeneralName::IPAddress(b) => san_ip(b).is_some_and(|a| a == ip),
            _ => false,
        });
        v.log.push(if matched {
            format!("client cert iPAddress SAN matches client IP '{ip}'")
        } else {
            format!("client cert iPAddress SANs do not match client IP '{ip}'")
        });
        v.ok &= matched;
    }
    let wanted = |on: bool, option: &str, v: &mut Verdict| -> bool {
        if on && !reverse_dns {
            v.log
                .push(format!("reverse DNS off, disabling TLSOption {option}"));
            return false;
        }
        on
    };
    // A session without a name (lookup failed) compares against its address text, as
    // ProFTPD's remote name then is.
    let remote = name.map_or_else(|| ip.to_string(), str::to_string);
    if wanted(checks.dns_name, "dNSNameRequired", &mut v) {
        let matched = sans.iter().any(|n| match n {
            GeneralName::DNSName(d) => d.eq_ignore_ascii_case(&remote),
            _ => false,
        });
        v.log.push(if matched {
            format!("client cert dNSName SAN matches remote name '{remote}'")
        } else {
            format!("client cert dNSName SANs do not match remote name '{remote}'")
        });
        v.ok &= matched;
    }
    if wanted(checks.common_name, "CommonNameRequired", &mut v) {
        let matched = cert
            .subject()
            .iter_common_name()
            .any(|cn| cn.as_str().is_ok_and(|c| c.eq_ignore_ascii_case(&remote)));
        v.log.push(if matched {
            format!("client cert CommonName matches client FQDN '{remote}'")
        } else {
            format!("client cert CommonName does not match client FQDN '{remote}'")
        });
        v.ok &= matched;
    }
    v
}

/// Whether any check is enabled.
pub fn any(checks: CertChecks) -> bool {
    checks.common_name || checks.dns_name || checks.ip_address
}

/// An IPv4-mapped IPv6 address as IPv4 (how a dual-stack listener sees IPv4 clients).
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

fn san_ip(bytes: &[u8]) -> Option<IpAddr> {
    match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes).ok().map(IpAddr::from),
        16 => <[u8; 16]>::try_from(bytes)
            .ok()
            .map(|b| canonical(IpAddr::from(b))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::{CertificateParams, DnType, KeyPair, SanType};

    fn cert(cn: &str, sans: Vec<SanType>) -> Vec<u8> {
        let key = KeyPair::generate().expect("key");
        let mut p = CertificateParams::new(Vec::<String>::new()).expect("params");
        p.distinguished_name.push(DnType::CommonName, cn);
        p.subject_alt_names = sans;
        p.self_signed(&key).expect("sign").der().to_vec()
    }

    const LOOPBACK: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    fn only(ip: bool, dns: bool, cn: bool) -> CertChecks {
        CertChecks {
            common_name: cn,
            dns_name: dns,
            ip_address: ip,
        }
    }

    #[test]
    fn ip_address_must_be_a_san() {
        let good = cert("x", vec![SanType::IpAddress(LOOPBACK)]);
        let v = check(only(true, false, false), &good, LOOPBACK, None, false);
        assert!(v.ok);
        assert_eq!(
            v.log,
            ["client cert iPAddress SAN matches client IP '127.0.0.1'"]
        );
        let mapped: IpAddr = "::ffff:127.0.0.1".parse().expect("ip");
        assert!(check(only(true, false, false), &good, mapped, None, false).ok);
        let other = cert(
            "127.0.0.1",
            vec![SanType::IpAddress("10.0.0.1".parse().expect("ip"))],
        );
        let v = check(only(true, false, false), &other, LOOPBACK, None, false);
        assert!(!v.ok);
        assert_eq!(
            v.log,
            ["client cert iPAddress SANs do not match client IP '127.0.0.1'"]
        );
    }

    #[test]
    fn name_checks_compare_the_reverse_name_and_need_reverse_dns() {
        let c = cert(
            "localhost",
            vec![SanType::DnsName("localhost".try_into().expect("ia5"))],
        );
        let v = check(
            only(false, true, true),
            &c,
            LOOPBACK,
            Some("localhost"),
            true,
        );
        assert!(v.ok, "{:?}", v.log);
        let v = check(
            only(false, true, true),
            &c,
            LOOPBACK,
            Some("elsewhere"),
            true,
        );
        assert!(!v.ok);
        assert_eq!(
            v.log,
            [
                "client cert dNSName SANs do not match remote name 'elsewhere'",
                "client cert CommonName does not match client FQDN 'elsewhere'"
            ]
        );
        let v = check(only(false, true, true), &c, LOOPBACK, None, false);
        assert!(v.ok);
        assert_eq!(
            v.log,
            [
                "reverse DNS off, disabling TLSOption dNSNameRequired",
                "reverse DNS off, disabling TLSOption CommonNameRequired"
            ]
        );
    }

    #[test]
    fn garbage_is_refused() {
        assert!(!check(only(true, false, false), b"junk", LOOPBACK, None, true).ok);
    }
}
