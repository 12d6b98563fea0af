//! `MODE Z` (ProFTPD's mod_deflate): zlib-compressed data connections, `OPTS MODE Z`, and
//! the `MODE Z` FEAT line that only `DeflateEngine on` brings. Reply texts are ProFTPD
//! 1.3.8's with Debian's mod_deflate/0.6 (observed on loopback); bytes are checked after
//! inflating them here with flate2.

mod wire;
mod zlib;

use wire::{Raw, get, put, random_bytes};
use zlib::{deflate, inflate, load_deflate};

/// A server with the test user and `extra` (mod_deflate loaded for ProFTPD).
fn server(extra: &str) -> (oxftpd_testkit::TestServer, oxftpd_testkit::TestUser) {
    let target = oxftpd_testkit::target!();
    wire::server_for(&target, &format!("{}{extra}", load_deflate(&target)))
}

/// Text that compresses well: numbered lines.
fn text(lines: usize) -> Vec<u8> {
    (0..lines)
        .flat_map(|i| format!("line {i} of the MODE Z test\n").into_bytes())
        .collect()
}

fn feat(c: &mut Raw) -> Vec<String> {
    c.cmd("FEAT").lines().map(str::to_string).collect()
}

#[test]
fn without_deflate_engine_mode_z_is_refused_and_not_advertised() {
    let (s, _) = server("");
    let mut c = Raw::login(s.addr());
    assert!(!feat(&mut c).iter().any(|l| l.trim() == "MODE Z"));
    assert_eq!(c.cmd("MODE Z"), "501 'MODE Z' unrecognized transfer mode");
    assert_eq!(c.cmd("OPTS MODE Z LEVEL 3"), "500 OPTS MODE not understood");
    assert_eq!(c.cmd("MODE S"), "200 Mode set to S");
}

#[test]
fn deflate_engine_on_advertises_mode_z() {
    let (s, _) = server("DeflateEngine on");
    let mut c = Raw::login(s.addr());
    let lines = feat(&mut c);
    assert!(lines.iter().any(|l| l == " MODE Z"), "{lines:?}");
    // FEAT is sorted: MODE Z sits between MLST and REST.
    let at = |name: &str| lines.iter().position(|l| l.starts_with(name));
    assert!(at(" MLST") < at(" MODE Z") && at(" MODE Z") < at(" REST"));
}

#[test]
fn mode_replies() {
    let (s, _) = server("DeflateEngine on");
    let mut c = Raw::login(s.addr());
    assert_eq!(c.cmd("MODE Z"), "200 OK");
    assert_eq!(c.cmd("MODE z"), "200 OK");
    assert_eq!(c.cmd("MODE Z X"), "501 'MODE Z X' not understood");
    assert_eq!(c.cmd("MODE"), "501 'MODE' not understood");
    assert_eq!(c.cmd("MODE S"), "200 Mode set to S");
    assert_eq!(c.cmd("MODE B"), "504 'MODE B' unsupported transfer mode");
    assert_eq!(c.cmd("MODE C"), "504 'MODE C' unsupported transfer mode");
    assert_eq!(c.cmd("MODE X"), "501 'MODE X' unrecognized transfer mode");
}

#[test]
fn opts_mode_z_replies() {
    let (s, _) = server("DeflateEngine on");
    let mut c = Raw::login(s.addr());
    let cases = [
        ("OPTS MODE Z LEVEL 3", "200 OPTS MODE Z OK"),
        ("OPTS mode z Level 2", "200 OPTS MODE Z OK"),
        ("OPTS MODE Z LEVEL 5 LEVEL 6", "200 OPTS MODE Z OK"),
        ("OPTS MODE Z LEVEL x", "200 OPTS MODE Z OK"),
        ("OPTS MODE Z LEVEL", "200 OPTS_MODE OK"),
        (
            "OPTS MODE Z LEVEL 10",
            "501 OPTS_MODE: bad MODE Z option value: LEVEL 10",
        ),
        (
            "OPTS MODE Z LEVEL -1",
            "501 OPTS_MODE: bad MODE Z option value: LEVEL -1",
        ),
        (
            "OPTS MODE Z BLOCKSIZE 3",
            "501 OPTS_MODE: unsupported MODE Z option: BLOCKSIZE",
        ),
        (
            "OPTS MODE Z ENGINE x",
            "501 OPTS_MODE: unsupported MODE Z option: ENGINE",
        ),
        (
            "OPTS MODE Z FOO 1",
            "501 OPTS_MODE: unknown MODE Z option: FOO",
        ),
        ("OPTS MODE Z LEVEL 3 LEVEL", "501 Bad number of parameters"),
        ("OPTS MODE Z", "500 OPTS MODE not understood"),
        ("OPTS MODE X LEVEL 3", "500 OPTS MODE not understood"),
        ("OPTS MODE", "500 OPTS MODE not understood"),
    ];
    for (command, want) in cases {
        assert_eq!(c.cmd(command), want, "{command}");
    }
}

#[test]
fn retr_in_mode_z_sends_a_zlib_stream_of_the_file() {
    let (s, alice) = server("DeflateEngine on");
    let body = text(20_000);
    put(&alice, "t.txt", &body);
    let mut c = Raw::login(s.addr());
    c.cmd("TYPE I");
    assert_eq!(c.cmd("MODE Z"), "200 OK");
    let (first, wire, last) = c.download("RETR t.txt");
    assert_eq!(
        first,
        format!(
            "150 Opening BINARY mode data connection for t.txt ({} bytes)",
            body.len()
        )
    );
    assert_eq!(last, "226 Transfer complete");
    assert!(
        wire.len() < body.len() / 4,
        "{} bytes on the wire",
        wire.len()
    );
    assert!(inflate(&wire) == body, "inflated bytes differ");
    // Back to MODE S: the same file, uncompressed.
    assert_eq!(c.cmd("MODE S"), "200 Mode set to S");
    let (_, plain, _) = c.download("RETR t.txt");
    assert!(plain == body);
}

#[test]
fn retr_of_incompressible_bytes_round_trips() {
    let (s, alice) = server("DeflateEngine on");
    let body = random_bytes(1_500_000, 11);
    put(&alice, "r.bin", &body);
    let mut c = Raw::login(s.addr());
    c.cmd("TYPE I");
    c.cmd("MODE Z");
    let (_, wire, last) = c.download("RETR r.bin");
    assert_eq!(last, "226 Transfer complete");
    assert!(inflate(&wire) == body, "inflated bytes differ");
}

#[test]
fn the_level_option_changes_the_compression() {
    let (s, alice) = server("DeflateEngine on");
    let body = text(20_000);
    put(&alice, "t.txt", &body);
    let mut c = Raw::login(s.addr());
    c.cmd("TYPE I");
    c.cmd("MODE Z");
    assert_eq!(c.cmd("OPTS MODE Z LEVEL 0"), "200 OPTS MODE Z OK");
    let (_, stored, _) = c.download("RETR t.txt");
    assert_eq!(c.cmd("OPTS MODE Z LEVEL 9"), "200 OPTS MODE Z OK");
    let (_, best, _) = c.download("RETR t.txt");
    // Level 0 stores the bytes (a little larger than the file); level 9 compresses.
    assert!(stored.len() > body.len(), "level 0: {}", stored.len());
    assert!(best.len() < body.len() / 4, "level 9: {}", best.len());
    assert!(inflate(&stored) == body && inflate(&best) == body);
}

#[test]
fn ascii_retr_in_mode_z_converts_before_compressing() {
    let (s, alice) = server("DeflateEngine on");
    put(&alice, "a.txt", b"one\ntwo\r\nthree\n");
    let mut c = Raw::login(s.addr());
    c.cmd("TYPE A");
    c.cmd("MODE Z");
    let (first, wire, last) = c.download("RETR a.txt");
    assert_eq!(
        first,
        "150 Opening ASCII mode data connection for a.txt (15 bytes)"
    );
    assert_eq!(last, "226 Transfer complete");
    assert_eq!(inflate(&wire), b"one\r\ntwo\r\nthree\r\n");
}

/// Uploads `body` compressed in MODE Z; returns (150 reply, final reply).
fn upload_z(c: &mut Raw, name: &str, body: &[u8]) -> (String, String) {
    c.cmd("TYPE I");
    c.cmd("MODE Z");
    c.upload(&format!("STOR {name}"), &deflate(body))
}

#[test]
fn stor_in_mode_z_inflates_into_the_file() {
    let (s, alice) = server("DeflateEngine on");
    // Half random, half text: compresses, but less than 8 to 1 (see the next test).
    let mut body = random_bytes(200_000, 5);
    body.extend_from_slice(&text(5_000));
    let mut c = Raw::login(s.addr());
    let (first, last) = upload_z(&mut c, "up.bin", &body);
    assert_eq!(first, "150 Opening BINARY mode data connection for up.bin");
    assert_eq!(last, "226 Transfer complete");
    assert!(
        get(&alice.home.join("up.bin")) == Some(body.clone()),
        "stored bytes differ"
    );
    assert_eq!(c.cmd("SIZE up.bin"), format!("213 {}", body.len()));
}

#[test]
fn stor_in_mode_z_of_highly_compressible_data() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::deliberately_differs!(
        target,
        "mod_deflate/0.6 loses input when one read inflates to more than its buffer \
         (451 Input/output error for data compressing better than 8 to 1)"
    );
    let (s, alice) = server("DeflateEngine on");
    let body = text(30_000);
    let mut c = Raw::login(s.addr());
    let (_, last) = upload_z(&mut c, "up.txt", &body);
    assert_eq!(last, "226 Transfer complete");
    assert!(
        get(&alice.home.join("up.txt")) == Some(body),
        "stored bytes differ"
    );
}

#[test]
fn a_corrupt_mode_z_upload_fails_with_an_io_error() {
    let (s, alice) = server("DeflateEngine on");
    let mut c = Raw::login(s.addr());
    c.cmd("TYPE I");
    c.cmd("MODE Z");
    let (first, last) = c.upload("STOR bad.bin", b"this is not a zlib stream at all");
    assert_eq!(first, "150 Opening BINARY mode data connection for bad.bin");
    assert_eq!(last, "451 Transfer aborted. Input/output error");
    let _ = alice;
}

#[test]
fn list_and_nlst_in_mode_z_are_compressed_listings() {
    let (s, alice) = server("DeflateEngine on");
    for name in ["a.txt", "b.txt", "c.txt"] {
        put(&alice, name, b"x\n");
    }
    let mut c = Raw::login(s.addr());
    let (_, plain_list, _) = c.download("LIST");
    let (_, plain_nlst, _) = c.download("NLST");
    c.cmd("MODE Z");
    let (first, wire, last) = c.download("LIST");
    assert_eq!(
        first,
        "150 Opening ASCII mode data connection for file list"
    );
    assert_eq!(last, "226 Transfer complete");
    assert_eq!(
        String::from_utf8_lossy(&inflate(&wire)),
        String::from_utf8_lossy(&plain_list)
    );
    let (_, wire, _) = c.download("NLST");
    assert_eq!(inflate(&wire), plain_nlst);
    // Directory order (see DIFFERENCES.md), so the names are compared sorted.
    let text = String::from_utf8_lossy(&plain_nlst).to_string();
    let mut names: Vec<&str> = text.split_inclusive("\r\n").collect();
    names.sort_unstable();
    assert_eq!(names, ["a.txt\r\n", "b.txt\r\n", "c.txt\r\n"]);
}
