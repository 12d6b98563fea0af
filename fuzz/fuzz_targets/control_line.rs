#![no_main]
//! cargo-fuzz target `control_line`: the body is `oxftpd_fuzz::control::run`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| oxftpd_fuzz::control::run(data));
