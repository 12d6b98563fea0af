#![no_main]
//! cargo-fuzz target `data_addr`: the body is `oxftpd_fuzz::data_addr::run`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| oxftpd_fuzz::data_addr::run(data));
