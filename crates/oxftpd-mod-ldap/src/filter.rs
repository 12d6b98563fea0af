//! Search filters from `LDAPUsers`/`LDAPGroups` templates.
//!
//! The value (a user name a client typed, a uid) is escaped as RFC 4515 says before it takes
//! the place of `%u`/`%v`: `(`, `)`, `*`, `\` and NUL become `\28`, `\29`, `\2a`, `\5c`,
//! `\00`, so a name like `*)(uid=*` matches itself and nothing else. ProFTPD escapes the same
//! characters (but NUL) with a backslash; the hex form is the one the RFC defines.

/// `template` with every `%u` and `%v` replaced by `value`, escaped.
pub fn interpolate(template: &str, value: &str) -> String {
    let escaped = ldap3::ldap_escape(value);
    let mut out = String::with_capacity(template.len() + escaped.len());
    let mut rest = template;
    while let Some(i) = rest.find('%') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with("%u") || tail.starts_with("%v") {
            out.push_str(&escaped);
            rest = &tail[2..];
        } else {
            out.push('%');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out
}

/// A base DN from a template (`LDAPUsers "ou=%u,dc=example,dc=com"`): `%u`/`%v` replaced by
/// the value with RFC 4514 escapes, so a name cannot add RDNs.
pub fn interpolate_dn(template: &str, value: &str) -> String {
    if !template.contains("%u") && !template.contains("%v") {
        return template.to_string();
    }
    let escaped = ldap3::dn_escape(value);
    template.replace("%u", &escaped).replace("%v", &escaped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped() {
        let t = "(&(uid=%u)(objectclass=posixAccount))";
        assert_eq!(
            interpolate(t, "alice"),
            "(&(uid=alice)(objectclass=posixAccount))"
        );
        assert_eq!(
            interpolate(t, "*)(uid=*"),
            "(&(uid=\\2a\\29\\28uid=\\2a)(objectclass=posixAccount))"
        );
        assert_eq!(interpolate("(uid=%v)", "a\\b\0"), "(uid=a\\5cb\\00)");
        // Other `%` sequences stay as written; the value is never read twice.
        assert_eq!(interpolate("(x=%d%u)", "%u"), "(x=%d%u)");
        assert_eq!(interpolate("(x=%)", "a"), "(x=%)");
    }

    #[test]
    fn dn_values_are_escaped() {
        assert_eq!(interpolate_dn("ou=people,dc=x", "a,b"), "ou=people,dc=x");
        assert_eq!(
            interpolate_dn("uid=%u,dc=x", "a,dc=y"),
            "uid=a\\2cdc\\3dy,dc=x"
        );
    }
}
