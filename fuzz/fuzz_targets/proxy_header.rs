#![no_main]
//! cargo-fuzz target `proxy_header`: the body is `oxftpd_fuzz::proxy_header::run`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| oxftpd_fuzz::proxy_header::run(data));
