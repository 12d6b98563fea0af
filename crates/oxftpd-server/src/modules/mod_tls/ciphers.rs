//! `TLSCipherSuite`: OpenSSL cipher strings mapped onto the suites rustls offers.

use rustls::SupportedCipherSuite;
use rustls::crypto::ring::cipher_suite as cs;

/// One rustls suite with its OpenSSL name and the OpenSSL classes it belongs to.
struct Entry {
    openssl: &'static str,
    suite: SupportedCipherSuite,
    classes: &'static [&'static str],
}

const TLS12_CLASSES_ECDSA: &[&str] = &[
    "ECDHE", "EECDH", "KECDHE", "AECDSA", "ECDSA", "TLSV1.2", "AEAD",
];
const TLS12_CLASSES_RSA: &[&str] = &["ECDHE", "EECDH", "KECDHE", "ARSA", "RSA", "TLSV1.2", "AEAD"];

fn tls12() -> [Entry; 6] {
    [
        Entry {
            openssl: "ECDHE-ECDSA-AES256-GCM-SHA384",
            suite: cs::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            classes: TLS12_CLASSES_ECDSA,
        },
        Entry {
            openssl: "ECDHE-RSA-AES256-GCM-SHA384",
            suite: cs::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
            classes: TLS12_CLASSES_RSA,
        },
        Entry {
            openssl: "ECDHE-ECDSA-CHACHA20-POLY1305",
            suite: cs::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
            classes: TLS12_CLASSES_ECDSA,
        },
        Entry {
            openssl: "ECDHE-RSA-CHACHA20-POLY1305",
            suite: cs::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
            classes: TLS12_CLASSES_RSA,
        },
        Entry {
            openssl: "ECDHE-ECDSA-AES128-GCM-SHA256",
            suite: cs::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            classes: TLS12_CLASSES_ECDSA,
        },
        Entry {
            openssl: "ECDHE-RSA-AES128-GCM-SHA256",
            suite: cs::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            classes: TLS12_CLASSES_RSA,
        },
    ]
}

fn tls13() -> [Entry; 3] {
    [
        Entry {
            openssl: "TLS_AES_256_GCM_SHA384",
            suite: cs::TLS13_AES_256_GCM_SHA384,
            classes: &[],
        },
        Entry {
            openssl: "TLS_CHACHA20_POLY1305_SHA256",
            suite: cs::TLS13_CHACHA20_POLY1305_SHA256,
            classes: &[],
        },
        Entry {
            openssl: "TLS_AES_128_GCM_SHA256",
            suite: cs::TLS13_AES_128_GCM_SHA256,
            classes: &[],
        },
    ]
}

/// OpenSSL classes that select every suite rustls has.
const EVERYTHING: &[&str] = &[
    "ALL",
    "DEFAULT",
    "HIGH",
    "COMPLEMENTOFDEFAULT",
    "FIPS",
    "SUITEB128",
    "SUITEB192",
    "SUITEB128ONLY",
];
/// OpenSSL classes that select none of them (weak or absent in rustls).
const NOTHING: &[&str] = &[
    "MEDIUM",
    "LOW",
    "EXPORT",
    "EXP",
    "ANULL",
    "ENULL",
    "NULL",
    "ADH",
    "AECDH",
    "RC4",
    "DES",
    "3DES",
    "MD5",
    "SHA1",
    "SHA",
    "KRSA",
    "PSK",
    "SRP",
    "CAMELLIA",
    "IDEA",
    "SEED",
    "ARIA",
    "DSS",
    "ADSS",
    "DHE",
    "EDH",
    "KEDH",
    "KDHE",
    "CBC",
    "COMPLEMENTOFALL",
    "SSLV3",
    "TLSV1",
    "TLSV1.0",
    "RSAPSK",
    "DHEPSK",
    "ECDHEPSK",
    "KPSK",
    "APSK",
    "KECDHEPSK",
    "GOST",
    "AES128CCM",
    "AESCCM",
    "CAMELLIA128",
    "CAMELLIA256",
    "ARIA128",
    "ARIA256",
    "AESCCM8",
];

fn algorithm_classes(name: &str) -> Vec<&'static str> {
    let mut v = Vec::new();
    if name.contains("AES") {
        v.push("AES");
        v.push("AESGCM");
    }
    if name.contains("AES128") {
        v.push("AES128");
    }
    if name.contains("AES256") {
        v.push("AES256");
    }
    if name.contains("CHACHA20") {
        v.push("CHACHA20");
    }
    if name.ends_with("SHA384") {
        v.push("SHA384");
    } else {
        v.push("SHA256");
    }
    v
}

/// Whether `entry` is selected by `term` (a name or `A+B` intersection); `None` when unknown.
fn selects(entry: &Entry, term: &str) -> Option<bool> {
    let mut all = true;
    for part in term.split('+') {
        let up = part.to_ascii_uppercase();
        let hit = if EVERYTHING.contains(&up.as_str()) {
            true
        } else if NOTHING.contains(&up.as_str()) {
            false
        } else if entry.classes.contains(&up.as_str())
            || algorithm_classes(entry.openssl).contains(&up.as_str())
            || up == entry.openssl
        {
            true
        } else if is_known_name(&up) {
            false
        } else {
            return None;
        };
        all &= hit;
    }
    Some(all)
}

fn is_known_name(up: &str) -> bool {
    tls12().iter().any(|e| {
        e.openssl == up || e.classes.contains(&up) || algorithm_classes(e.openssl).contains(&up)
    })
}

/// The TLSv1.2 suites an OpenSSL cipher list selects, in rustls's preference order.
pub fn select_tls12(list: &str) -> Result<Vec<SupportedCipherSuite>, String> {
    let entries = tls12();
    let mut chosen = vec![false; entries.len()];
    let mut removed = vec![false; entries.len()];
    for token in list.split([':', ',', ' ']).filter(|t| !t.is_empty()) {
        if token.starts_with('@') || token.starts_with('+') {
            continue; // ordering and security-level hints: rustls keeps its own order
        }
        let (op, term) = match token.as_bytes()[0] {
            b'!' | b'-' => (token.as_bytes()[0], &token[1..]),
            _ => (b' ', token),
        };
        for (i, e) in entries.iter().enumerate() {
            let Some(hit) = selects(e, term) else {
                return Err(format!(
                    "cipher '{term}' has no rustls equivalent (rustls offers {})",
                    entries
                        .iter()
                        .map(|e| e.openssl)
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            };
            if hit {
                match op {
                    b'!' => removed[i] = true,
                    b'-' => chosen[i] = false,
                    _ => chosen[i] = true,
                }
            }
        }
    }
    Ok(entries
        .iter()
        .enumerate()
        .filter(|(i, _)| chosen[*i] && !removed[*i])
        .map(|(_, e)| e.suite)
        .collect())
}

/// The TLSv1.3 suites an OpenSSL `ciphersuites` list (`TLS_AES_128_GCM_SHA256:…`) names.
pub fn select_tls13(list: &str) -> Result<Vec<SupportedCipherSuite>, String> {
    let entries = tls13();
    let mut out = Vec::new();
    for name in list.split([':', ',', ' ']).filter(|t| !t.is_empty()) {
        let Some(e) = entries
            .iter()
            .find(|e| e.openssl.eq_ignore_ascii_case(name))
        else {
            return Err(format!(
                "TLSv1.3 cipher suite '{name}' has no rustls equivalent"
            ));
        };
        out.push(e.suite);
    }
    Ok(out)
}

/// Every TLSv1.3 suite rustls offers.
pub fn all_tls13() -> Vec<SupportedCipherSuite> {
    tls13().iter().map(|e| e.suite).collect()
}

/// Every TLSv1.2 suite rustls offers.
pub fn all_tls12() -> Vec<SupportedCipherSuite> {
    tls12().iter().map(|e| e.suite).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proftpd_default_selects_every_suite() {
        assert_eq!(
            select_tls12("DEFAULT:!ADH:!EXPORT:!DES").map(|v| v.len()),
            Ok(6)
        );
        assert_eq!(
            select_tls12("HIGH:MEDIUM:+3DES:!aNULL").map(|v| v.len()),
            Ok(6)
        );
    }

    #[test]
    fn classes_and_names_narrow_the_set() {
        let v = select_tls12("ECDHE+AESGCM:!AES128").unwrap_or_default();
        assert_eq!(
            v,
            vec![
                cs::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
                cs::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
            ]
        );
        let v = select_tls12("ECDHE-RSA-CHACHA20-POLY1305").unwrap_or_default();
        assert_eq!(v, vec![cs::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256]);
    }

    #[test]
    fn unmappable_names_are_errors() {
        let err = select_tls12("RC4-SHA").unwrap_err();
        assert!(err.contains("RC4-SHA"), "{err}");
        assert!(select_tls13("TLS_AES_128_CCM_SHA256").is_err());
        assert_eq!(
            select_tls13("TLS_AES_128_GCM_SHA256").map(|v| v.len()),
            Ok(1)
        );
    }
}
