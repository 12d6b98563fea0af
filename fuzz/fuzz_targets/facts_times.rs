#![no_main]
//! cargo-fuzz target `facts_times`: the body is `oxftpd_fuzz::facts::run`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| oxftpd_fuzz::facts::run(data));
