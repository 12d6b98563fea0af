//! `LDAPAuthBinds off`: the typed password compared with the entry's `userPassword`, as
//! mod_ldap does: `{crypt}` through crypt(3), `{clear}` as written, and a value without a
//! `{scheme}` as `LDAPDefaultAuthScheme` says. Other schemes (`{SSHA}`, …) are not checked
//! here and refuse the login; use `LDAPAuthBinds on` to let the directory check them.

use crate::settings::Scheme;

/// The outcome of a comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// The password matches.
    Match,
    /// It does not.
    Mismatch,
    /// The stored value's scheme is not one mod_ldap compares.
    Unsupported(String),
}

/// Compares `typed` with the stored `userPassword` value.
pub fn check(stored: &str, typed: &str, default: Scheme) -> Check {
    let (scheme, value) = match stored.strip_prefix('{').and_then(|r| r.split_once('}')) {
        Some((name, value)) => match Scheme::parse(name) {
            Ok(s) => (s, value),
            Err(_) => return Check::Unsupported(name.to_string()),
        },
        None => (default, stored),
    };
    let ok = match scheme {
        Scheme::Clear => !value.is_empty() && constant_eq(value.as_bytes(), typed.as_bytes()),
        Scheme::Crypt => {
            !value.is_empty()
                && !oxftpd_auth::crypt::is_locked(value)
                && oxftpd_auth::crypt::verify(typed, value)
        }
    };
    if ok { Check::Match } else { Check::Mismatch }
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes() {
        assert_eq!(check("{clear}pw", "pw", Scheme::Crypt), Check::Match);
        assert_eq!(check("{CLEAR}pw", "px", Scheme::Crypt), Check::Mismatch);
        assert_eq!(check("pw", "pw", Scheme::Clear), Check::Match);
        assert_eq!(check("{clear}", "", Scheme::Crypt), Check::Mismatch);
        assert!(matches!(
            check("{SSHA}abc", "pw", Scheme::Crypt),
            Check::Unsupported(_)
        ));
        let h = oxftpd_auth::crypt::hash_password("secret", Default::default()).unwrap();
        assert_eq!(
            check(&format!("{{crypt}}{h}"), "secret", Scheme::Clear),
            Check::Match
        );
        assert_eq!(check(&h, "secret", Scheme::Crypt), Check::Match);
        assert_eq!(
            check(&format!("{{crypt}}{h}"), "nope", Scheme::Clear),
            Check::Mismatch
        );
        assert_eq!(check("pw", "pw", Scheme::Crypt), Check::Mismatch);
    }
}
