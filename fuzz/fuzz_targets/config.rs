#![no_main]
//! cargo-fuzz target `config`: the body is `oxftpd_fuzz::config::run`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| oxftpd_fuzz::config::run(data));
