#![no_main]
//! cargo-fuzz target `list_args`: the body is `oxftpd_fuzz::listing::run`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| oxftpd_fuzz::listing::run(data));
