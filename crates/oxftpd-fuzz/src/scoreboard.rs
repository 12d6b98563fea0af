//! The ProFTPD scoreboard file: header and entries, as `ftpwho` reads them.

use oxftpd_server::scoreboard::layout::{ENTRY_LEN, Entry, HEADER_LEN, Header};

/// Decodes `data` as a scoreboard file; what decodes encodes and decodes back the same.
pub fn run(data: &[u8]) {
    if let Some(h) = Header::decode(data) {
        assert_eq!(Header::decode(&h.encode()), Some(h));
    }
    let body = data.get(HEADER_LEN..).unwrap_or_default();
    for raw in body.chunks(ENTRY_LEN).chain([data]) {
        if let Some(e) = Entry::decode(raw) {
            let again = Entry::decode(&e.encode());
            let Some(again) = again else {
                panic!("an encoded entry does not decode: {e:?}");
            };
            assert_eq!(Entry::decode(&again.encode()), Some(again));
        }
    }
}
