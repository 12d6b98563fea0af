//! SITE with ProFTPD 1.3.8's replies: mod_site (HELP, CHMOD, CHGRP), mod_site_misc (UTIME,
//! MKDIR, RMDIR, SYMLINK), mod_copy (CPFR, CPTO, COPY), and `<Limit SITE_CHMOD>`.

mod common;

use std::os::unix::fs::MetadataExt;

use common::*;

fn mode(user: &oxftpd_testkit::TestUser, rel: &str) -> u32 {
    std::fs::metadata(user.home.join(rel)).expect("stat").mode() & 0o7777
}

#[tokio::test]
async fn site_help_and_unknown() {
    let (server, _) = server_with("");
    let mut c = server.client().await.expect("connect");
    let help = lines(&mut c, "SITE HELP").await;
    assert_eq!(
        help[..10],
        [
            "214-The following SITE commands are recognized (* =>'s unimplemented)",
            " UTIME <sp> YYYYMMDDhhmm[ss] <sp> path",
            " SYMLINK <sp> source <sp> destination",
            " RMDIR <sp> path",
            " MKDIR <sp> path",
            " CPFR <sp> pathname",
            " CPTO <sp> pathname",
            " HELP",
            " CHGRP",
            " CHMOD",
        ]
    );
    assert!(help[10].starts_with("214 Direct comments to "));
    c.login("alice", "secret").await.expect("login");
    assert_eq!(line(&mut c, "SITE").await, "500 'SITE' requires parameters");
    assert_eq!(
        line(&mut c, "SITE FOO").await,
        "500 'SITE FOO' not understood"
    );
    assert_eq!(
        lines(&mut c, "SITE HELP CHMOD").await[7],
        " Syntax: SITE CHMOD <sp> mode <sp> pathname"
    );
    assert_eq!(
        line(&mut c, "SITE HELP FOO").await,
        "502 Unknown command 'SITE HELP FOO'"
    );
}

#[tokio::test]
async fn site_chmod() {
    let (server, alice) = server_with("");
    file(&alice, "c.dat", b"c");
    root_dir(&alice, "ro");
    let mut c = login(&server).await;
    assert_eq!(
        line(&mut c, "SITE CHMOD 600 c.dat").await,
        "200 SITE CHMOD command successful"
    );
    assert_eq!(mode(&alice, "c.dat"), 0o600);
    assert_eq!(
        lines(&mut c, "SITE CHMOD 600").await,
        vec![
            "500-'SITE CHMOD 600' not understood",
            "500 SITE not understood"
        ]
    );
    assert_eq!(
        lines(&mut c, "SITE CHMOD").await,
        vec!["500-'SITE CHMOD' not understood", "500 SITE not understood"]
    );
    assert_eq!(
        line(&mut c, "SITE CHMOD 999 c.dat").await,
        "550 '999': invalid mode"
    );
    assert_eq!(
        line(&mut c, "SITE CHMOD 600 nonexist").await,
        "550 nonexist: No such file or directory"
    );
    assert_eq!(
        line(&mut c, "SITE CHMOD 600 ro/f").await,
        "550 CHMOD 600 ro/f: Operation not permitted"
    );
}

#[tokio::test]
async fn site_chgrp() {
    let (server, alice) = server_with("");
    file(&alice, "c.dat", b"c");
    let mut c = login(&server).await;
    assert_eq!(
        line(&mut c, &format!("SITE CHGRP {} c.dat", alice.gid)).await,
        "200 SITE CHGRP command successful"
    );
    assert_eq!(
        line(&mut c, "SITE CHGRP ftpusers c.dat").await,
        "200 SITE CHGRP command successful"
    );
    assert_eq!(
        line(&mut c, "SITE CHGRP bogus c.dat").await,
        "550 c.dat: Invalid argument"
    );
    assert_eq!(
        line(&mut c, "SITE CHGRP 0 c.dat").await,
        "550 c.dat: Operation not permitted"
    );
    assert_eq!(
        lines(&mut c, "SITE CHGRP ftpusers").await,
        vec![
            "500-'SITE CHGRP ftpusers' not understood",
            "500 SITE not understood"
        ]
    );
    assert_eq!(
        line(&mut c, "SITE CHGRP ftpusers nonexist").await,
        "550 nonexist: No such file or directory"
    );
}

#[tokio::test]
async fn site_utime() {
    let (server, alice) = server_with("");
    file(&alice, "c.dat", b"c");
    root_dir(&alice, "ro");
    let mut c = login(&server).await;
    assert_eq!(
        line(&mut c, "SITE UTIME 20200102030405 c.dat").await,
        "200 SITE UTIME command successful"
    );
    let meta = std::fs::metadata(alice.home.join("c.dat")).expect("stat");
    assert_eq!(meta.mtime(), 1_577_934_245);
    assert_eq!(
        line(&mut c, "SITE UTIME").await,
        "500 'SITE UTIME' not understood"
    );
    assert_eq!(
        line(&mut c, "SITE UTIME c.dat 20200102030405").await,
        "500 UTIME c.dat 20200102030405: Invalid argument"
    );
    assert_eq!(
        line(&mut c, "SITE UTIME 2020 c.dat").await,
        "500 UTIME 2020 c.dat: Invalid argument"
    );
    assert_eq!(
        line(&mut c, "SITE UTIME 20200102030405 nonexist").await,
        "550 UTIME 20200102030405 nonexist: No such file or directory"
    );
    assert_eq!(
        line(&mut c, "SITE UTIME 20200102030405 ro/f").await,
        "550 UTIME 20200102030405 ro/f: Operation not permitted"
    );
}

#[tokio::test]
async fn site_mkdir_and_rmdir_are_recursive() {
    let (server, alice) = server_with("");
    dir(&alice, "sub");
    root_dir(&alice, "ro");
    let mut c = login(&server).await;
    assert_eq!(
        line(&mut c, "SITE MKDIR x/y/z").await,
        "200 SITE MKDIR command successful"
    );
    assert!(alice.home.join("x/y/z").is_dir());
    assert_eq!(
        line(&mut c, "SITE MKDIR sub").await,
        "200 SITE MKDIR command successful"
    );
    assert_eq!(
        line(&mut c, "SITE MKDIR").await,
        "500 'SITE MKDIR' not understood"
    );
    assert_eq!(
        line(&mut c, "SITE MKDIR ro/q").await,
        "550 MKDIR ro/q: Permission denied"
    );
    c.stor("x/y/file", b"data").await.expect("store inside");
    assert_eq!(
        line(&mut c, "SITE RMDIR x").await,
        "200 SITE RMDIR command successful"
    );
    assert!(!alice.home.join("x").exists());
    assert_eq!(
        line(&mut c, "SITE RMDIR").await,
        "500 'SITE RMDIR' not understood"
    );
    assert_eq!(
        line(&mut c, "SITE RMDIR nonexist").await,
        "550 RMDIR nonexist: No such file or directory"
    );
    assert_eq!(
        line(&mut c, "SITE RMDIR ro").await,
        "550 RMDIR ro: Permission denied"
    );
}

#[tokio::test]
async fn site_symlink() {
    let (server, alice) = server_with("");
    file(&alice, "a.txt", b"a");
    root_dir(&alice, "ro");
    let mut c = login(&server).await;
    assert_eq!(
        line(&mut c, "SITE SYMLINK a.txt l2").await,
        "200 SITE SYMLINK command successful"
    );
    assert_eq!(
        std::fs::read_link(alice.home.join("l2")).expect("link"),
        std::path::PathBuf::from("/a.txt")
    );
    assert_eq!(
        line(&mut c, "SITE SYMLINK a.txt").await,
        "500 'SITE SYMLINK' not understood"
    );
    assert_eq!(
        line(&mut c, "SITE SYMLINK a.txt l2").await,
        "550 SYMLINK a.txt l2: File exists"
    );
    assert_eq!(
        line(&mut c, "SITE SYMLINK a.txt ro/l").await,
        "550 SYMLINK a.txt ro/l: Permission denied"
    );
}

#[tokio::test]
async fn site_copy() {
    let (server, alice) = server_with("");
    file(&alice, "a.txt", b"alpha");
    dir(&alice, "sub");
    file(&alice, "sub/inner", b"in");
    root_dir(&alice, "ro");
    let mut c = login(&server).await;
    assert_eq!(
        line(&mut c, "SITE CPTO copy.txt").await,
        "503 Bad sequence of commands"
    );
    assert_eq!(
        line(&mut c, "SITE CPFR a.txt").await,
        "350 File or directory exists, ready for destination name"
    );
    assert_eq!(
        line(&mut c, "SITE CPTO copy.txt").await,
        "250 Copy successful"
    );
    assert_eq!(
        std::fs::read(alice.home.join("copy.txt")).expect("copy"),
        b"alpha"
    );
    assert_eq!(
        line(&mut c, "SITE CPTO copy.txt").await,
        "503 Bad sequence of commands"
    );
    assert_eq!(
        line(&mut c, "SITE CPFR").await,
        "500 'SITE CPFR' not understood"
    );
    assert_eq!(
        line(&mut c, "SITE CPFR nonexist").await,
        "550 /nonexist: No such file or directory"
    );
    cmd(&mut c, "SITE CPFR a.txt").await;
    assert_eq!(
        line(&mut c, "SITE CPTO ro/c").await,
        "550 CPTO: Permission denied"
    );
    cmd(&mut c, "SITE CPFR sub").await;
    assert_eq!(line(&mut c, "SITE CPTO sub2").await, "250 Copy successful");
    assert_eq!(
        std::fs::read(alice.home.join("sub2/inner")).expect("tree copy"),
        b"in"
    );
    assert_eq!(
        line(&mut c, "SITE COPY a.txt copy2.txt").await,
        "200 SITE COPY command successful"
    );
    assert_eq!(
        std::fs::read(alice.home.join("copy2.txt")).expect("copy2"),
        b"alpha"
    );
}

#[tokio::test]
async fn limit_site_chmod_names_the_subcommand() {
    let (server, alice) = server_with("<Limit SITE_CHMOD>\n  DenyAll\n</Limit>");
    file(&alice, "c.dat", b"c");
    let mut c = login(&server).await;
    let refused = line(&mut c, "SITE CHMOD 600 c.dat").await;
    assert!(refused.starts_with("550 "), "{refused}");
    assert_eq!(mode(&alice, "c.dat"), 0o644);
    // Other subcommands are not named by the block.
    assert_eq!(
        line(&mut c, "SITE MKDIR newdir").await,
        "200 SITE MKDIR command successful"
    );
}

/// 1.3.8's mod_copy checks `SITE CPFR` as `READ` and `SITE CPTO` as `WRITE`. (Only the code
/// of a refusal is compared: the text is `access::limit::refuse`'s.)
#[tokio::test]
async fn site_cpfr_is_checked_as_read_and_cpto_as_write() {
    let (server, alice) = server_with("<Limit WRITE>\n  DenyAll\n</Limit>");
    file(&alice, "a.txt", b"alpha");
    let mut c = login(&server).await;
    assert_eq!(
        line(&mut c, "SITE CPFR a.txt").await,
        "350 File or directory exists, ready for destination name"
    );
    let refused = line(&mut c, "SITE CPTO b.txt").await;
    assert!(refused.starts_with("550 "), "{refused}");
    assert!(!alice.home.join("b.txt").exists());

    let (server, alice) = server_with("<Limit READ>\n  DenyAll\n</Limit>");
    file(&alice, "a.txt", b"alpha");
    let mut c = login(&server).await;
    let refused = line(&mut c, "SITE CPFR a.txt").await;
    assert!(refused.starts_with("550 "), "{refused}");
}
