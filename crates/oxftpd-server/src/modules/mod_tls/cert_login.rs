//! Logins vouched for by the client certificate (mod_tls): `TLSUserName` (a certificate
//! field equals the `USER` name) and `TLSOptions AllowDotLogin` (the certificate is listed in
//! the user's `~/.tlslogin`). Either way `USER` answers `232` and no password is asked for.
//!
//! Only a certificate the handshake verified (`TLSVerifyClient on` or `optional`) counts.

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};

use super::settings::UserNameField;

/// Whether the certificate's `field` names `user` (exact comparison, as mod_tls).
pub fn field_names_user(field: &UserNameField, der: &[u8], user: &str) -> bool {
    let Ok((_, cert)) = X509Certificate::from_der(der) else {
        return false;
    };
    match field {
        UserNameField::CommonName => cert
            .subject()
            .iter_common_name()
            .any(|cn| cn.as_str().is_ok_and(|v| v == user)),
        UserNameField::EmailSubjAltName => cert
            .subject_alternative_name()
            .ok()
            .flatten()
            .is_some_and(|san| {
                san.value
                    .general_names
                    .iter()
                    .any(|n| matches!(n, GeneralName::RFC822Name(e) if *e == user))
            }),
        // A custom extension: its raw value (the extension's OCTET STRING contents) is the name.
        UserNameField::Oid(oid) => cert
            .extensions()
            .iter()
            .any(|e| e.oid.to_id_string() == *oid && e.value == user.as_bytes()),
    }
}

/// Whether the PEM text of a `.tlslogin` file lists the certificate `der`.
pub fn dotlogin_lists(pem: &[u8], der: &[u8]) -> bool {
    CertificateDer::pem_slice_iter(pem)
        .filter_map(Result::ok)
        .any(|c| c.as_ref() == der)
}

/// The `TLSLog` name of a `TLSUserName` field.
pub fn field_label(field: &UserNameField) -> &str {
    match field {
        UserNameField::CommonName => "CommonName",
        UserNameField::EmailSubjAltName => "EmailSubjAltName",
        UserNameField::Oid(oid) => oid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::{CertificateParams, CustomExtension, DnType, KeyPair, SanType};

    fn cert(cn: &str, email: Option<&str>, ext: Option<&[u8]>) -> Vec<u8> {
        let key = KeyPair::generate().expect("key");
        let mut p = CertificateParams::new(Vec::<String>::new()).expect("params");
        p.distinguished_name.push(DnType::CommonName, cn);
        if let Some(e) = email {
            p.subject_alt_names
                .push(SanType::Rfc822Name(e.try_into().expect("ia5")));
        }
        if let Some(v) = ext {
            p.custom_extensions.push(CustomExtension::from_oid_content(
                &[1, 2, 3, 4, 5],
                v.to_vec(),
            ));
        }
        p.self_signed(&key).expect("sign").der().to_vec()
    }

    #[test]
    fn common_name_must_equal_the_user() {
        let der = cert("alice", None, None);
        assert!(field_names_user(&UserNameField::CommonName, &der, "alice"));
        assert!(!field_names_user(&UserNameField::CommonName, &der, "Alice"));
        assert!(!field_names_user(&UserNameField::CommonName, &der, "bob"));
        assert!(!field_names_user(
            &UserNameField::EmailSubjAltName,
            &der,
            "alice"
        ));
    }

    #[test]
    fn any_email_alt_name_may_name_the_user() {
        let der = cert("zed", Some("bob@example.com"), None);
        let f = UserNameField::EmailSubjAltName;
        assert!(field_names_user(&f, &der, "bob@example.com"));
        assert!(!field_names_user(&f, &der, "bob"));
        assert!(!field_names_user(&UserNameField::CommonName, &der, "bob"));
    }

    #[test]
    fn custom_oid_compares_the_raw_extension_value() {
        let der = cert("zed", None, Some(b"carol"));
        let f = UserNameField::Oid("1.2.3.4.5".to_string());
        assert!(field_names_user(&f, &der, "carol"));
        assert!(!field_names_user(&f, &der, "caro"));
        let other = UserNameField::Oid("1.2.3.4.6".to_string());
        assert!(!field_names_user(&other, &der, "carol"));
    }

    #[test]
    fn garbage_certificates_name_nobody() {
        assert!(!field_names_user(
            &UserNameField::CommonName,
            b"not DER",
            ""
        ));
    }

    #[test]
    fn dotlogin_matches_a_listed_certificate_only() {
        let key = KeyPair::generate().expect("key");
        let mine = CertificateParams::new(vec!["a".to_string()])
            .expect("params")
            .self_signed(&key)
            .expect("sign");
        let other = CertificateParams::new(vec!["b".to_string()])
            .expect("params")
            .self_signed(&key)
            .expect("sign");
        let file = format!("junk\n{}{}", other.pem(), mine.pem());
        assert!(dotlogin_lists(file.as_bytes(), mine.der()));
        assert!(!dotlogin_lists(other.pem().as_bytes(), mine.der()));
        assert!(!dotlogin_lists(b"", mine.der()));
    }
}
