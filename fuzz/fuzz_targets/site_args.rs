#![no_main]
//! cargo-fuzz target `site_args`: the body is `oxftpd_fuzz::site::run`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| oxftpd_fuzz::site::run(data));
