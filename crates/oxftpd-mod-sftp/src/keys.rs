//! `SFTPAuthorizedUserKeys file:…`: the user's key files, in OpenSSH's `authorized_keys`
//! format or RFC 4716's (`---- BEGIN SSH2 PUBLIC KEY ----`, what ProFTPD's docs show).

use base64::Engine;
use oxftpd_auth::Identity;
use russh::keys::PublicKey;

/// Expands `~` (the user's home) and `%u` (the user name) in a key file pattern.
pub fn expand(pattern: &str, identity: &Identity) -> String {
    let home = identity.home.to_string_lossy();
    let with_home = match pattern.strip_prefix('~') {
        Some(rest) => format!("{}{rest}", home.trim_end_matches('/')),
        None => pattern.to_string(),
    };
    with_home.replace("%u", &identity.name)
}

/// Whether `key` is listed in any of `files` (read with the caller's credentials; a file
/// that cannot be read lists nothing). With `subject_of` (`SFTPOptions MatchKeySubject`), an
/// RFC 4716 key whose `Subject:` header names another user does not count.
pub fn authorized(files: &[String], key: &PublicKey, subject_of: Option<&str>) -> bool {
    files.iter().any(|f| match std::fs::read_to_string(f) {
        Ok(text) => listed(&text, key, subject_of),
        Err(_) => false,
    })
}

/// Whether `key` is among the keys of `text` (either format), as [`authorized`] counts.
pub fn listed(text: &str, key: &PublicKey, subject_of: Option<&str>) -> bool {
    parse_with_subjects(text).iter().any(|(k, subject)| {
        k.key_data() == key.key_data()
            && match (subject_of, subject) {
                (Some(user), Some(s)) => s == user,
                _ => true,
            }
    })
}

/// Whether `key` is in one value of a database row (mod_sftp_sql): RFC 4716 blocks or
/// OpenSSH lines as in a file, or else the key alone in base64 (what ProFTPD's docs store).
pub fn listed_value(value: &str, key: &PublicKey, subject_of: Option<&str>) -> bool {
    if listed(value, key, subject_of) {
        return true;
    }
    let bare: String = value.split_whitespace().collect();
    base64::engine::general_purpose::STANDARD
        .decode(bare.as_bytes())
        .ok()
        .and_then(|bytes| PublicKey::from_bytes(&bytes).ok())
        .is_some_and(|k| k.key_data() == key.key_data())
}

/// Every public key in a file of either format; lines that are not keys are skipped.
pub fn parse(text: &str) -> Vec<PublicKey> {
    parse_with_subjects(text)
        .into_iter()
        .map(|(k, _)| k)
        .collect()
}

/// Every public key in a file of either format, with the `Subject:` header of an RFC 4716
/// key.
pub fn parse_with_subjects(text: &str) -> Vec<(PublicKey, Option<String>)> {
    let mut keys = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with("---- BEGIN SSH2 PUBLIC KEY ----") {
            let mut body = String::new();
            let mut continued = false;
            let mut subject = None;
            for inner in lines.by_ref() {
                let inner = inner.trim();
                if inner.starts_with("---- END SSH2 PUBLIC KEY ----") {
                    break;
                }
                if continued {
                    continued = inner.ends_with('\\');
                    continue;
                }
                if let Some((name, value)) = inner.split_once(':') {
                    if name.trim().eq_ignore_ascii_case("Subject") {
                        subject = Some(value.trim().trim_matches('"').to_string());
                    }
                    continued = inner.ends_with('\\');
                    continue;
                }
                body.push_str(inner);
            }
            if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(body.as_bytes())
                && let Ok(k) = PublicKey::from_bytes(&bytes)
            {
                keys.push((k, subject));
            }
            continue;
        }
        if let Some(k) = openssh_line(line) {
            keys.push((k, None));
        }
    }
    keys
}

/// A key from one `authorized_keys` line, options before the key type skipped.
fn openssh_line(line: &str) -> Option<PublicKey> {
    if let Ok(k) = PublicKey::from_openssh(line) {
        return Some(k);
    }
    // Options come first: try from each word that names a key type.
    let words: Vec<&str> = line.split_whitespace().collect();
    (1..words.len()).find_map(|i| {
        let rest = words[i..].join(" ");
        PublicKey::from_openssh(&rest).ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ED: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl test";

    #[test]
    fn both_formats_are_read() {
        let openssh = parse(&format!("# comment\n{ED}\n"));
        assert_eq!(openssh.len(), 1);
        let body = ED.split_whitespace().nth(1).unwrap_or_default();
        let rfc = format!(
            "---- BEGIN SSH2 PUBLIC KEY ----\nComment: \"a long \\\ncomment\"\n{}\n{}\n---- END SSH2 PUBLIC KEY ----\n",
            &body[..40],
            &body[40..]
        );
        let rfc = parse(&rfc);
        assert_eq!(rfc.len(), 1);
        assert_eq!(rfc[0].key_data(), openssh[0].key_data());
        let with_options = parse(&format!("no-pty,from=\"127.0.0.1\" {ED}"));
        assert_eq!(with_options.len(), 1);
    }
}
