//! How LIST and NLST read their argument, as ProFTPD 1.3.8's mod_ls: a pattern in LIST too
//! (an empty listing when nothing matches, a name with pattern characters that exists listed
//! as itself), options split from a path that starts with blanks, a one-word `-name` that
//! exists is a path.

mod common;

use common::{cmd, file, login, server_with};
use tokio::io::AsyncReadExt;

/// The data of a listing command and its final reply.
async fn listing(c: &mut oxftpd_client::Client, command: &str) -> (String, u16) {
    let pasv = cmd(c, "PASV").await;
    let addr = oxftpd_client::parse_pasv(&pasv).expect("PASV address");
    let mut d = tokio::net::TcpStream::connect(addr).await.expect("data");
    let r = cmd(c, command).await;
    if r.code != 150 {
        return (String::new(), r.code);
    }
    let mut text = String::new();
    d.read_to_string(&mut text).await.expect("listing");
    drop(d);
    let done = c.read_reply().await.expect("end of listing");
    (text, done.code)
}

fn last_words(text: &str) -> Vec<String> {
    let mut names: Vec<String> = text
        .lines()
        .filter_map(|l| l.rsplit(' ').next().map(str::to_string))
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn list_takes_a_pattern() {
    let (server, alice) = server_with("");
    file(&alice, "a.conf", b"x\n");
    file(&alice, "b.conf", b"x\n");
    file(&alice, "c.txt", b"x\n");
    file(&alice, ".hidden.conf", b"x\n");
    let mut c = login(&server).await;
    let (text, code) = listing(&mut c, "LIST *.conf").await;
    assert_eq!(code, 226);
    assert_eq!(last_words(&text), ["a.conf", "b.conf"], "{text}");
    let (text, code) = listing(&mut c, "LIST *nothing").await;
    assert_eq!((text.as_str(), code), ("", 226));
    let (text, code) = listing(&mut c, "NLST *.conf").await;
    assert_eq!(code, 226);
    assert_eq!(last_words(&text), ["a.conf", "b.conf"], "{text}");
}

#[tokio::test]
async fn a_pattern_nothing_matches_is_a_name() {
    let (server, alice) = server_with("");
    common::dir(&alice, "[foo]");
    file(&alice, "[foo]/inside.txt", b"x\n");
    file(&alice, "x", b"x\n");
    let mut c = login(&server).await;
    // Nothing is called f or o: the directory `[foo]` is listed.
    let (text, code) = listing(&mut c, "LIST [foo]").await;
    assert_eq!(code, 226);
    assert_eq!(last_words(&text), ["inside.txt"], "{text}");
    // `[x]` matches `x`.
    let (text, code) = listing(&mut c, "LIST [x]").await;
    assert_eq!(code, 226);
    assert_eq!(last_words(&text), ["x"], "{text}");
}

#[tokio::test]
async fn blanks_before_a_name_are_part_of_it() {
    let (server, alice) = server_with("");
    file(&alice, " test.txt", b"x\n");
    let mut c = login(&server).await;
    for command in ["NLST  test.txt", "NLST -a  test.txt", "NLST  -l  test.txt"] {
        let (text, code) = listing(&mut c, command).await;
        assert_eq!(code, 226, "{command}");
        assert_eq!(text.trim_end(), " test.txt", "{command}");
    }
    let (text, code) = listing(&mut c, "LIST -a  test.txt").await;
    assert_eq!(code, 226);
    assert!(text.trim_end().ends_with("  test.txt"), "{text:?}");
}

#[tokio::test]
async fn a_dash_name_that_exists_is_a_path() {
    let (server, alice) = server_with("");
    file(&alice, "-test.txt", b"x\n");
    file(&alice, "other.txt", b"x\n");
    let mut c = login(&server).await;
    let (text, code) = listing(&mut c, "NLST -test.txt").await;
    assert_eq!(code, 226);
    assert_eq!(text.trim_end(), "-test.txt");
}

#[tokio::test]
async fn list_f_marks_types() {
    let (server, alice) = server_with("");
    common::dir(&alice, "d");
    file(&alice, "plain.txt", b"x\n");
    file(&alice, "run.sh", b"#!/bin/sh\n");
    std::fs::set_permissions(
        alice.home.join("run.sh"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .expect("chmod");
    std::os::unix::fs::symlink("d", alice.home.join("l")).expect("symlink");
    let mut c = login(&server).await;
    let (text, code) = listing(&mut c, "LIST -F").await;
    assert_eq!(code, 226);
    let ends: Vec<&str> = text
        .lines()
        .map(|l| {
            l.split(':')
                .next_back()
                .unwrap_or("")
                .trim_start_matches(|c: char| c.is_ascii_digit())
        })
        .collect();
    for want in [" d/", " plain.txt", " run.sh*", " l -> d/"] {
        assert!(ends.contains(&want), "{want:?} in {text}");
    }
}
