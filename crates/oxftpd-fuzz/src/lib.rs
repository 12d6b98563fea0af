//! The bodies of oxftpd's fuzz targets, one plain function per target over arbitrary bytes.
//!
//! `fuzz/` (cargo-fuzz, nightly) calls each of them from a libFuzzer target of the same name;
//! this crate's tests (`tests/targets.rs`, stable) run each over its checked-in seed corpus
//! (`fuzz/corpus/NAME/`) and a bounded number of generated inputs, so CI exercises them all.
//! A target panics only on a broken invariant: that is a finding.

pub mod config;
pub mod control;
pub mod data_addr;
pub mod facts;
pub mod hosts_allow;
pub mod listing;
pub mod proxy_header;
pub mod scoreboard;
pub mod site;
pub mod ssh;

/// A target: its name (the corpus folder and the cargo-fuzz binary) and its body.
pub type Target = (&'static str, fn(&[u8]));

/// Every target, by name.
pub const TARGETS: &[Target] = &[
    ("control_line", control::run),
    ("config", config::run),
    ("data_addr", data_addr::run),
    ("list_args", listing::run),
    ("facts_times", facts::run),
    ("site_args", site::run),
    ("hosts_allow", hosts_allow::run),
    ("scoreboard", scoreboard::run),
    ("ssh_input", ssh::run),
    ("proxy_header", proxy_header::run),
];

/// Splits fuzz input at the first NUL into two texts (lossy UTF-8).
pub fn two_texts(data: &[u8]) -> (String, String) {
    let (a, b) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    (
        String::from_utf8_lossy(a).into_owned(),
        String::from_utf8_lossy(b).into_owned(),
    )
}
