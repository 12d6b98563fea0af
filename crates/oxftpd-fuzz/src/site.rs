//! SITE arguments: the subcommand, CHMOD/CHGRP's `word path`, UTIME's two forms.

use oxftpd_server::modules::mod_site::args::{octal_mode, subcommand, word_and_path};
use oxftpd_server::modules::mod_site_misc::misc::utime_args;

/// Splits `data` as a SITE argument and reads every form from the rest.
pub fn run(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Some((sub, rest)) = subcommand(&text) else {
        assert!(text.trim().is_empty());
        return;
    };
    assert!(!sub.is_empty() && !sub.contains(' '));
    if let Some((word, path)) = word_and_path(rest) {
        assert!(!path.is_empty());
        if let Some(mode) = octal_mode(word) {
            assert!(mode <= 0o7777);
        }
    }
    if let Some((_, _, path)) = utime_args(rest) {
        assert!(!path.is_empty());
    }
}
