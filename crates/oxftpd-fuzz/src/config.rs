//! proftpd.conf: lexer, parser (with every built-in module's directive table), `.ftpaccess`
//! files, and context resolution (server, `<Anonymous>`, `<Directory>`, conditionals) into
//! the typed configuration.

use std::path::Path;

use oxftpd_config::Effective;
use oxftpd_config::{ParseOptions, parse_ftpaccess};

/// Parses `data` (up to a NUL) as a configuration, resolves each server's contexts for the
/// path after the NUL, and parses the same text as a `.ftpaccess` file.
///
/// Text naming `Include` is skipped: that directive reads the files it names (a fuzzer's
/// `Include /dev/zero` would only test the machine).
pub fn run(data: &[u8]) {
    let (text, path) = crate::two_texts(data);
    if text.to_ascii_lowercase().contains("include") {
        return;
    }
    let path = if path.starts_with('/') {
        path
    } else {
        format!("/{path}")
    };
    let name = Path::new("/fuzz/proftpd.conf");
    if let Ok(config) = oxftpd_server::parse_config_str(&text, name, &[]) {
        for server in config.servers() {
            let _ = Effective::of(&server.scope(None));
            let _ = Effective::of(&server.scope(None).for_path(&path, Some("/home/u")));
            let _ = Effective::of(
                &server
                    .scope(None)
                    .with_session(&|_| true)
                    .for_path(&path, None),
            );
            for i in 0..server.anonymous().len() {
                let _ = Effective::of(&server.scope(Some(i)).for_path(&path, None));
            }
        }
    }
    let specs = oxftpd_server::modules::specs();
    let opts = ParseOptions {
        modules: &specs,
        defines: Vec::new(),
    };
    let _ = parse_ftpaccess(&text, Path::new("/fuzz/.ftpaccess"), &opts);
}
