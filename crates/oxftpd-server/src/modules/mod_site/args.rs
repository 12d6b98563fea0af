//! SITE's argument text as mod_site reads it: the subcommand word, then `WORD path`.

/// Splits `SITE` text into its upper-cased subcommand and the rest (leading blanks dropped);
/// `None` when there is nothing but blanks.
pub fn subcommand(arg: &str) -> Option<(String, &str)> {
    let arg = arg.trim();
    if arg.is_empty() {
        return None;
    }
    Some(match arg.split_once(' ') {
        Some((s, r)) => (s.to_ascii_uppercase(), r.trim_start()),
        None => (arg.to_ascii_uppercase(), ""),
    })
}

/// `WORD path` (CHMOD's mode, CHGRP's group): the word and a non-empty path.
pub fn word_and_path(rest: &str) -> Option<(&str, &str)> {
    let (word, path) = rest.split_once(' ').map(|(w, p)| (w, p.trim_start()))?;
    (!path.is_empty()).then_some((word, path))
}

/// An octal mode of at most `07777`.
pub fn octal_mode(s: &str) -> Option<u32> {
    u32::from_str_radix(s, 8).ok().filter(|m| *m <= 0o7777)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        assert_eq!(
            subcommand("  chmod 644  f "),
            Some(("CHMOD".into(), "644  f"))
        );
        assert_eq!(subcommand(" "), None);
        assert_eq!(word_and_path("644  my file"), Some(("644", "my file")));
        assert_eq!(word_and_path("644 "), None);
        assert_eq!(octal_mode("0755"), Some(0o755));
        assert_eq!(octal_mode("+755"), Some(0o755));
        assert_eq!(octal_mode("17777"), None);
    }
}
