#![no_main]
//! cargo-fuzz target `hosts_allow`: the body is `oxftpd_fuzz::hosts_allow::run`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| oxftpd_fuzz::hosts_allow::run(data));
