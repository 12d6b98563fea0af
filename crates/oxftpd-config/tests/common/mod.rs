//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::Path;
use std::sync::LazyLock;

use oxftpd_config::{Config, ConfigErrors, ModuleSpec, ParseOptions, parse_str};

/// The directive tables of every compiled-in module, from the one module list (the server's).
pub static ALL: LazyLock<Vec<&'static ModuleSpec>> = LazyLock::new(oxftpd_server::modules::specs);

pub fn opts() -> ParseOptions<'static> {
    ParseOptions::new(&ALL)
}

pub fn parse(text: &str) -> Result<Config, ConfigErrors> {
    parse_str(text, Path::new("/etc/test.conf"), &opts())
}

pub fn ok(text: &str) -> Config {
    match parse(text) {
        Ok(c) => c,
        Err(e) => panic!("unexpected errors:\n{e}"),
    }
}

/// The errors, rendered one per entry.
pub fn errs(text: &str) -> Vec<String> {
    match parse(text) {
        Ok(_) => panic!("expected errors"),
        Err(e) => e.0.iter().map(|e| e.to_string()).collect(),
    }
}

pub fn arg0(c: Option<&oxftpd_config::Directive>) -> Option<&str> {
    c.and_then(|d| d.arg(0))
}
