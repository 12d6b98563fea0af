//! Transfers at the wire: REST with RETR and STOR, APPE, STOU, ALLO, ABOR, HiddenStores,
//! DeleteAbortedStores, ASCII conversion, and clients that vanish mid-transfer. Reply texts
//! are ProFTPD 1.3.8's (observed on loopback).

mod wire;

use std::io::{Read, Write};
use std::time::Duration;

use wire::{Raw, get, put, random_bytes, reset, server, wait_until};

#[test]
fn rest_replies() {
    let (s, _) = server("");
    let mut c = Raw::login(s.addr());
    assert_eq!(c.cmd("REST"), "500 'REST' not understood");
    assert_eq!(
        c.cmd("REST abc"),
        "501 REST requires a value greater than or equal to 0"
    );
    assert_eq!(
        c.cmd("REST -1"),
        "501 REST requires a value greater than or equal to 0"
    );
    assert_eq!(c.cmd("TYPE I"), "200 Type set to I");
    assert_eq!(
        c.cmd("REST 50"),
        "350 Restarting at 50. Send STORE or RETRIEVE to initiate transfer"
    );
    assert_eq!(c.cmd("TYPE A"), "200 Type set to A");
    assert_eq!(
        c.cmd("REST 5"),
        "501 REST: Resuming transfers not allowed in ASCII mode"
    );
}

#[test]
fn rest_before_login_needs_login() {
    let (s, _) = server("");
    let mut c = Raw::connect(s.addr());
    assert_eq!(c.cmd("REST 5"), "530 Please login with USER and PASS");
}

#[test]
fn retr_from_offsets_start_middle_end_and_beyond() {
    let (s, alice) = server("");
    let body = random_bytes(100_000, 7);
    put(&alice, "f.bin", &body);
    let mut c = Raw::login(s.addr());
    c.cmd("TYPE I");
    for offset in [0usize, 1, 49_999, 99_999] {
        c.cmd(&format!("REST {offset}"));
        let (first, got, last) = c.download("RETR f.bin");
        assert_eq!(
            first,
            format!(
                "150 Opening BINARY mode data connection for f.bin ({} byte{})",
                body.len() - offset,
                if body.len() - offset == 1 { "" } else { "s" }
            )
        );
        assert_eq!(last, "226 Transfer complete");
        assert!(got == body[offset..], "bytes from offset {offset} differ");
    }
    c.cmd("REST 100000");
    let (first, got, last) = c.download("RETR f.bin");
    assert_eq!(first, "150 Opening BINARY mode data connection for f.bin");
    assert_eq!((got.len(), last.as_str()), (0, "226 Transfer complete"));
    c.cmd("REST 100001");
    let (first, _, _) = c.download("RETR f.bin");
    assert_eq!(first, "554 REST: invalid f.bin argument");
    // The refused offset is gone: the next RETR is whole.
    let (_, got, _) = c.download("RETR f.bin");
    assert_eq!(got.len(), body.len());
}

#[test]
fn retr_restart_can_be_refused() {
    let (s, alice) = server("AllowRetrieveRestart off");
    put(&alice, "f.bin", &random_bytes(1000, 1));
    let mut c = Raw::login(s.addr());
    c.cmd("TYPE I");
    c.cmd("REST 10");
    let (first, _, _) = c.download("RETR f.bin");
    assert_eq!(first, "451 f.bin: Restart not permitted, try again");
}

#[test]
fn store_restart_and_append_are_off_by_default() {
    let (s, alice) = server("");
    let path = put(&alice, "f.txt", b"0123456789");
    let mut c = Raw::login(s.addr());
    c.cmd("TYPE I");
    c.cmd("REST 5");
    let (first, _) = c.upload("STOR f.txt", b"abc");
    assert_eq!(first, "451 f.txt: Append/Restart not permitted, try again");
    let (first, _) = c.upload("APPE f.txt", b"abc");
    assert_eq!(first, "451 f.txt: Append/Restart not permitted, try again");
    assert_eq!(get(&path).as_deref(), Some(&b"0123456789"[..]));
}

#[test]
fn store_restart_and_append_with_allow_store_restart() {
    let (s, alice) = server("AllowStoreRestart on");
    let path = put(&alice, "f.txt", b"0123456789");
    let mut c = Raw::login(s.addr());
    c.cmd("TYPE I");
    assert_eq!(
        c.upload("APPE f.txt", b"XYZ"),
        (
            "150 Opening BINARY mode data connection for f.txt".to_string(),
            "226 Transfer complete".to_string()
        )
    );
    assert_eq!(get(&path).as_deref(), Some(&b"0123456789XYZ"[..]));
    c.cmd("REST 5");
    let (_, last) = c.upload("STOR f.txt", b"abc");
    assert_eq!(last, "226 Transfer complete");
    assert_eq!(get(&path).as_deref(), Some(&b"01234abc89XYZ"[..]));
    c.cmd("REST 500");
    let (first, _) = c.upload("STOR f.txt", b"abc");
    assert_eq!(first, "554 REST: invalid f.txt argument");
    // APPE creates a missing file.
    let (_, last) = c.upload("APPE new.txt", b"fresh");
    assert_eq!(last, "226 Transfer complete");
    assert_eq!(
        get(&alice.home.join("new.txt")).as_deref(),
        Some(&b"fresh"[..])
    );
}

#[test]
fn hidden_stores_refuse_rest() {
    let (s, alice) = server("AllowStoreRestart on\nHiddenStores on");
    put(&alice, "f.txt", b"0123456789");
    let mut c = Raw::login(s.addr());
    c.cmd("TYPE I");
    c.cmd("REST 5");
    let (first, _) = c.upload("STOR f.txt", b"abc");
    assert_eq!(first, "501 REST not compatible with server configuration");
}

#[test]
fn hidden_stores_write_a_hidden_name_then_rename() {
    let (s, alice) = server("HiddenStores on");
    let mut c = Raw::login(s.addr());
    c.cmd("TYPE I");
    let mut data = c.pasv(None);
    assert_eq!(
        c.cmd("STOR up.bin"),
        "150 Opening BINARY mode data connection for up.bin"
    );
    data.write_all(b"first half ").expect("send");
    let hidden = alice.home.join(".in.up.bin.");
    assert!(wait_until(|| get(&hidden).is_some_and(|b| b.len() == 11)));
    assert!(get(&alice.home.join("up.bin")).is_none());
    data.write_all(b"second half").expect("send");
    drop(data);
    assert_eq!(c.reply(), "226 Transfer complete");
    assert_eq!(
        get(&alice.home.join("up.bin")).as_deref(),
        Some(&b"first half second half"[..])
    );
    assert!(get(&hidden).is_none(), "hidden file left behind");
}

#[test]
fn hidden_stores_remove_the_hidden_file_of_a_failed_upload() {
    let (s, alice) = server("HiddenStores on");
    let mut c = Raw::login(s.addr());
    c.cmd("TYPE I");
    let mut data = c.pasv(None);
    c.cmd("STOR up.bin");
    data.write_all(&random_bytes(10_000, 3)).expect("send");
    let hidden = alice.home.join(".in.up.bin.");
    assert!(wait_until(
        || get(&hidden).is_some_and(|b| b.len() == 10_000)
    ));
    reset(data);
    let last = c.reply();
    assert!(last.starts_with("426 "), "{last}");
    assert!(wait_until(|| get(&hidden).is_none()), "hidden file kept");
    assert!(get(&alice.home.join("up.bin")).is_none());
    assert_eq!(c.cmd("NOOP"), "200 NOOP command successful");
}

#[test]
fn a_failed_stor_never_truncates_the_file_it_replaces() {
    oxftpd_testkit::deliberately_differs!(
        oxftpd_testkit::target!(),
        "ProFTPD truncates the file a STOR replaces before the data arrives"
    );
    let (s, alice) = server("");
    let original = random_bytes(50_000, 9);
    let path = put(&alice, "keep.bin", &original);
    let mut c = Raw::login(s.addr());
    c.cmd("TYPE I");
    let mut data = c.pasv(None);
    c.cmd("STOR keep.bin");
    data.write_all(b"partial").expect("send");
    // The upload goes to a temporary file beside the original: wait until the bytes are there.
    let arrived = wait_until(|| {
        std::fs::read_dir(&alice.home).is_ok_and(|d| {
            d.flatten().any(|e| {
                e.file_name().to_string_lossy().starts_with(".in.keep.bin.")
                    && e.metadata().is_ok_and(|m| m.len() == 7)
            })
        })
    });
    assert!(
        arrived,
        "the partial upload never reached the temporary file"
    );
    reset(data);
    let last = c.reply();
    assert!(last.starts_with("426 "), "{last}");
    assert!(get(&path) == Some(original), "the original was damaged");
}

#[test]
fn delete_aborted_stores_removes_a_partial_new_file() {
    oxftpd_testkit::deliberately_differs!(
        oxftpd_testkit::target!(),
        "ProFTPD's DeleteAbortedStores acts on ABOR only; oxftpd also on a reset data connection"
    );
    let (s, alice) = server("DeleteAbortedStores on");
    let mut c = Raw::login(s.addr());
    c.cmd("TYPE I");
    let mut data = c.pasv(None);
    c.cmd("STOR part.bin");
    data.write_all(&random_bytes(5000, 4)).expect("send");
    assert!(wait_until(
        || get(&alice.home.join("part.bin")).is_some_and(|b| b.len() == 5000)
    ));
    reset(data);
    assert!(c.reply().starts_with("426 "));
    assert!(wait_until(|| get(&alice.home.join("part.bin")).is_none()));
}

#[test]
fn stou_names_the_file_it_creates() {
    let (s, alice) = server("");
    let mut c = Raw::login(s.addr());
    c.cmd("TYPE I");
    let (first, last) = c.upload("STOU", b"unique bytes");
    let name = first
        .strip_prefix("150 FILE: ")
        .unwrap_or_else(|| panic!("{first}"));
    assert_eq!(last, "226 Transfer complete");
    assert!(name.starts_with("ftp"), "{name}");
    assert_eq!(
        get(&alice.home.join(name)).as_deref(),
        Some(&b"unique bytes"[..])
    );
    let (first2, _) = c.upload("STOU", b"other");
    assert_ne!(first, first2);
}

#[test]
fn allo_replies() {
    let (s, _) = server("");
    let mut c = Raw::login(s.addr());
    assert_eq!(c.cmd("ALLO 100"), "202 No storage allocation necessary");
    assert_eq!(
        c.cmd("ALLO 100 R 10"),
        "202 No storage allocation necessary"
    );
    assert_eq!(c.cmd("ALLO x"), "504 x: Invalid ALLO argument");
    assert_eq!(c.cmd("ALLO"), "504 'ALLO' not understood");
}

#[test]
fn abor_without_a_transfer() {
    let (s, _) = server("");
    let mut c = Raw::login(s.addr());
    assert_eq!(c.cmd("ABOR"), "226 Abort successful");
}

/// Starts a RETR of a large file and reads a little of it.
fn retr_in_progress(c: &mut Raw) -> std::net::TcpStream {
    c.cmd("TYPE I");
    let mut data = c.pasv(None);
    let first = c.cmd("RETR big.bin");
    assert!(first.starts_with("150 "), "{first}");
    let mut buf = [0u8; 4096];
    data.read_exact(&mut buf).expect("some data");
    data
}

#[test]
fn urgent_abor_during_retr_gives_426_then_226() {
    oxftpd_testkit::only_oxftpd!(
        oxftpd_testkit::target!(),
        "ProFTPD answered python's urgent ABOR (interop.rs) but not this raw client's in the \
         harness; not yet understood"
    );
    let (s, alice) = server("");
    put(&alice, "big.bin", &random_bytes(64 << 20, 5));
    let mut c = Raw::login(s.addr());
    let data = retr_in_progress(&mut c);
    // The data connection is left unread: the server is blocked writing when ABOR comes.
    wire::wait_until_filled(&data);
    c.urgent_abor();
    assert_eq!(c.reply(), "426 Transfer aborted. Data connection closed.");
    // RFC 959 and the issue: 426 for the transfer, then 226 for ABOR (ProFTPD 1.3.8 sends
    // only the 426: see DIFFERENCES.md).
    assert_eq!(c.reply(), "226 Abort successful");
    drop(data);
    assert_eq!(c.cmd("NOOP"), "200 NOOP command successful");
}

#[test]
fn plain_abor_during_retr_is_served_and_other_commands_wait() {
    oxftpd_testkit::deliberately_differs!(
        oxftpd_testkit::target!(),
        "ProFTPD reads the control connection during a transfer only after urgent data (SIGURG)"
    );
    let (s, alice) = server("");
    put(&alice, "big.bin", &random_bytes(64 << 20, 5));
    let mut c = Raw::login(s.addr());
    let data = retr_in_progress(&mut c);
    c.line("PWD");
    c.line("ABOR");
    assert_eq!(c.reply(), "426 Transfer aborted. Data connection closed.");
    assert_eq!(c.reply(), "226 Abort successful");
    assert_eq!(c.reply(), "257 \"/\" is the current directory");
    drop(data);
}

#[test]
fn abor_during_an_upload_stops_it_and_keeps_what_arrived() {
    oxftpd_testkit::deliberately_differs!(
        oxftpd_testkit::target!(),
        "ProFTPD reads the control connection during a transfer only after urgent data (SIGURG)"
    );
    let (s, alice) = server("");
    let mut c = Raw::login(s.addr());
    c.cmd("TYPE I");
    let mut data = c.pasv(None);
    let first = c.cmd("STOR part.bin");
    assert!(first.starts_with("150 "), "{first}");
    let sent = random_bytes(5000, 6);
    data.write_all(&sent).expect("send");
    let path = alice.home.join("part.bin");
    assert!(wait_until(|| get(&path).is_some_and(|b| b.len() == 5000)));
    c.line("ABOR");
    assert_eq!(c.reply(), "426 Transfer aborted. Data connection closed.");
    assert_eq!(c.reply(), "226 Abort successful");
    // The upload is over: the bytes before ABOR stay, the session goes on.
    assert!(get(&path) == Some(sent), "the partial upload changed");
    assert_eq!(c.cmd("NOOP"), "200 NOOP command successful");
    let (_, last) = c.upload("STOR whole.bin", b"after the abort");
    assert_eq!(last, "226 Transfer complete");
    drop(data);
}

#[test]
fn ascii_round_trip_with_mixed_line_endings() {
    let (s, alice) = server("");
    put(&alice, "mixed.txt", b"unix\nwindows\r\nmac\rend\n\nlast");
    let mut c = Raw::login(s.addr());
    assert_eq!(c.cmd("TYPE A"), "200 Type set to A");
    let (first, got, last) = c.download("RETR mixed.txt");
    assert!(first.starts_with("150 Opening ASCII mode data connection for mixed.txt"));
    assert_eq!(last, "226 Transfer complete");
    assert_eq!(got, b"unix\r\nwindows\r\nmac\rend\r\n\r\nlast");
    let (_, last) = c.upload("STOR back.txt", &got);
    assert_eq!(last, "226 Transfer complete");
    assert_eq!(
        get(&alice.home.join("back.txt")).as_deref(),
        Some(&b"unix\nwindows\nmac\rend\n\nlast"[..])
    );
}

#[test]
fn a_client_vanishing_mid_retr_leaves_the_server_serving() {
    let (s, alice) = server("");
    put(&alice, "big.bin", &random_bytes(64 << 20, 6));
    let mut c = Raw::login(s.addr());
    let data = retr_in_progress(&mut c);
    reset(data);
    drop(c);
    // A new session works, and (oxftpd, one process) the file is closed again.
    let mut c2 = Raw::login(s.addr());
    assert_eq!(c2.cmd("NOOP"), "200 NOOP command successful");
    if s.target().is_oxftpd() {
        let pid = s.pid().expect("daemon pid");
        let open = || {
            std::fs::read_dir(format!("/proc/{pid}/fd"))
                .map(|d| {
                    d.flatten()
                        .any(|e| std::fs::read_link(e.path()).is_ok_and(|l| l.ends_with("big.bin")))
                })
                .unwrap_or(false)
        };
        assert!(wait_until(|| !open()), "big.bin still open in the daemon");
    }
}

#[test]
fn a_client_vanishing_mid_stor_closes_the_file() {
    let (s, alice) = server("");
    let mut c = Raw::login(s.addr());
    c.cmd("TYPE I");
    let mut data = c.pasv(None);
    c.cmd("STOR gone.bin");
    data.write_all(&random_bytes(10_000, 8)).expect("send");
    assert!(wait_until(
        || get(&alice.home.join("gone.bin")).is_some_and(|b| b.len() == 10_000)
    ));
    reset(data);
    reset(c.into_stream());
    let mut c2 = Raw::login(s.addr());
    assert_eq!(c2.cmd("DELE gone.bin"), "250 DELE command successful");
}

/// SHA-256 of a file, with `sha256sum`.
fn sha256(path: &std::path::Path) -> String {
    let out = std::process::Command::new("sha256sum")
        .arg(path)
        .output()
        .expect("sha256sum");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string()
}

#[test]
#[ignore = "1 GiB each way; run with --ignored"]
fn one_gibibyte_each_way_keeps_its_sha256() {
    let (s, alice) = server("");
    let tmp = tempfile::tempdir().expect("tempdir");
    let src = tmp.path().join("src.bin");
    {
        let mut f = std::fs::File::create(&src).expect("create");
        for i in 0..1024u64 {
            f.write_all(&random_bytes(1 << 20, i + 1)).expect("write");
        }
    }
    let mut c = Raw::login(s.addr());
    c.set_timeout(Duration::from_secs(600));
    c.cmd("TYPE I");
    let mut data = c.pasv(None);
    assert!(c.cmd("STOR big.bin").starts_with("150 "));
    std::io::copy(&mut std::fs::File::open(&src).expect("open"), &mut data).expect("upload");
    drop(data);
    assert_eq!(c.reply(), "226 Transfer complete");
    assert_eq!(sha256(&alice.home.join("big.bin")), sha256(&src));
    let mut data = c.pasv(None);
    assert!(c.cmd("RETR big.bin").starts_with("150 "));
    let back = tmp.path().join("back.bin");
    std::io::copy(
        &mut data,
        &mut std::fs::File::create(&back).expect("create"),
    )
    .expect("download");
    assert_eq!(c.reply(), "226 Transfer complete");
    assert_eq!(sha256(&back), sha256(&src));
}
