#![no_main]
//! cargo-fuzz target `ssh_input`: the body is `oxftpd_fuzz::ssh::run`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| oxftpd_fuzz::ssh::run(data));
