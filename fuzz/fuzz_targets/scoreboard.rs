#![no_main]
//! cargo-fuzz target `scoreboard`: the body is `oxftpd_fuzz::scoreboard::run`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| oxftpd_fuzz::scoreboard::run(data));
