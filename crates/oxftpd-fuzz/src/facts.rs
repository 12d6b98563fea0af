//! MLST fact selection (`OPTS MLST`), MFF facts and the MDTM/MFMT `YYYYMMDDHHMMSS` times.

use oxftpd_proto::listing::{opts_mlst_reply, parse_opts_mlst};
use oxftpd_proto::time::{parse_timestamp, write_timestamp};
use oxftpd_server::modules::mod_facts::facts::parse_fact;

/// Reads `data` as an `OPTS MLST` list, MFF facts and a timestamp; a timestamp that parses
/// prints back to the same second.
pub fn run(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = parse_opts_mlst(&text);
    let reply = opts_mlst_reply(&text);
    assert!(
        !reply.contains(['\r', '\n']),
        "a line end in the OPTS reply"
    );
    for fact in text.split(';') {
        let _ = parse_fact(fact);
    }
    if let Ok(ts) = parse_timestamp(&text) {
        let mut out = Vec::new();
        write_timestamp(ts.secs, &mut out);
        let again = String::from_utf8_lossy(&out);
        assert_eq!(parse_timestamp(&again).map(|t| t.secs), Ok(ts.secs));
    }
    if data.len() >= 8 {
        let mut raw = [0u8; 8];
        raw.copy_from_slice(&data[..8]);
        let secs = i64::from_le_bytes(raw) % 400_000_000_000;
        let mut out = Vec::new();
        write_timestamp(secs, &mut out);
        if let Ok(ts) = parse_timestamp(&String::from_utf8_lossy(&out)) {
            assert_eq!(ts.secs, secs, "{secs} printed as {out:?}");
        }
    }
}
