//! One user against another's files (issue 19): an upload over an existing file needs the
//! permission the kernel applies to writing that file, as the session's user, whatever the
//! directory allows; a replaced file keeps its owner, group and mode; `CWD` into a directory
//! the user may not search is refused. Two users, alice and bob, share the group `ftpusers`
//! and a group-writable, set-group-id (2775) directory. Replies are ProFTPD 1.3.8's (observed).

mod wire;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use oxftpd_testkit::{Setup, TestServer, TestUser};
use wire::{Raw, get};

/// The test group's gid (the testkit's `ftpusers`).
const GROUP: u32 = 60001;

/// A server with alice and bob, `AllowOverwrite on` and `extra`; the shared 2775 directory
/// `shared` in alice's home (root-owned, group `ftpusers`).
fn shared_server(extra: &str) -> (TestServer, TestUser, TestUser, PathBuf) {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("test setup");
    let alice = setup.add_user("alice", "secret").expect("add alice");
    let bob = setup.add_user("bob", "secret").expect("add bob");
    setup.config(&format!("AllowOverwrite on\n{extra}\n"));
    let shared = alice.home.join("shared");
    std::fs::create_dir(&shared).expect("create shared");
    std::os::unix::fs::chown(&shared, Some(0), Some(GROUP)).expect("chown shared");
    set_mode(&shared, 0o2775);
    let server = TestServer::start(setup).unwrap_or_else(|e| panic!("start the daemon: {e}"));
    (server, alice, bob, shared)
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .unwrap_or_else(|e| panic!("chmod {}: {e}", path.display()));
}

/// Writes `path` with `bytes`, owned by `uid`:`gid` with `mode`.
fn place(path: &Path, bytes: &[u8], uid: u32, gid: u32, mode: u32) {
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    std::os::unix::fs::chown(path, Some(uid), Some(gid)).expect("chown");
    set_mode(path, mode);
}

/// Owner, group and permission bits of `path`.
fn owner_mode(path: &Path) -> (u32, u32, u32) {
    let m = std::fs::metadata(path).unwrap_or_else(|e| panic!("stat {}: {e}", path.display()));
    (m.uid(), m.gid(), m.mode() & 0o7777)
}

/// Names in `dir` (to see that nothing was left behind).
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// The files of the matrix: (name, uid, gid, mode, may alice write it).
fn matrix(alice: &TestUser, bob: &TestUser) -> Vec<(&'static str, u32, u32, u32, bool)> {
    vec![
        ("bob_report.txt", bob.uid, GROUP, 0o644, false),
        ("root_secret.txt", 0, 0, 0o600, false),
        ("alice_readonly.txt", alice.uid, GROUP, 0o444, false),
        ("alice_own.txt", alice.uid, GROUP, 0o640, true),
        ("bob_groupwritable.txt", bob.uid, GROUP, 0o664, true),
    ]
}

/// alice's STOR over every file of the matrix, under the configuration `extra`.
fn stor_over_the_matrix(extra: &str) {
    let (s, alice, bob, shared) = shared_server(extra);
    let files = matrix(&alice, &bob);
    for (name, uid, gid, mode, _) in &files {
        place(&shared.join(name), b"original\n", *uid, *gid, *mode);
    }
    let before = names(&shared);
    let mut c = Raw::login(s.addr());
    assert_eq!(c.cmd("TYPE I"), "200 Type set to I");
    assert_eq!(c.cmd("CWD shared"), "250 CWD command successful");
    for (name, uid, gid, mode, writable) in &files {
        let path = shared.join(name);
        let (first, last) = c.upload(&format!("STOR {name}"), b"replaced by alice\n");
        if *writable {
            assert_eq!(
                first,
                format!("150 Opening BINARY mode data connection for {name}"),
                "{extra}: STOR {name}"
            );
            assert_eq!(last, "226 Transfer complete", "{extra}: STOR {name}");
            assert_eq!(
                get(&path).as_deref(),
                Some(&b"replaced by alice\n"[..]),
                "{extra}: {name}"
            );
        } else {
            assert_eq!(
                first,
                format!("550 {name}: Permission denied"),
                "{extra}: STOR {name}"
            );
            assert_eq!(
                get(&path).as_deref(),
                Some(&b"original\n"[..]),
                "{extra}: {name} was changed"
            );
        }
        assert_eq!(
            owner_mode(&path),
            (*uid, *gid, *mode),
            "{extra}: owner, group or mode of {name} changed"
        );
    }
    assert_eq!(c.cmd("NOOP"), "200 NOOP command successful");
    assert_eq!(names(&shared), before, "{extra}: files left behind or lost");
}

#[test]
fn stor_over_a_file_needs_write_permission_on_the_file() {
    stor_over_the_matrix("");
}

#[test]
fn stor_over_a_file_needs_write_permission_with_hidden_stores() {
    oxftpd_testkit::deliberately_differs!(
        oxftpd_testkit::target!(),
        "ProFTPD 1.3.8's HiddenStores renames the upload over any file of a writable directory \
         (another user's, root's, a read-only one), which then belongs to the uploader with 0644"
    );
    stor_over_the_matrix("HiddenStores on");
}

#[test]
fn a_limit_on_dele_and_rename_does_not_decide_an_overwrite() {
    stor_over_the_matrix("<Limit DELE RNFR RNTO>\n  DenyAll\n</Limit>");
}

#[test]
fn cwd_into_another_users_private_directory_is_refused() {
    let (s, _alice, bob, shared) = shared_server("");
    let private = shared.join("bob_private");
    std::fs::create_dir(&private).expect("create private");
    std::os::unix::fs::chown(&private, Some(bob.uid), Some(GROUP)).expect("chown");
    set_mode(&private, 0o700);
    let mut c = Raw::login(s.addr());
    assert_eq!(c.cmd("CWD shared"), "250 CWD command successful");
    assert_eq!(
        c.cmd("CWD bob_private"),
        "550 bob_private: Permission denied"
    );
    assert_eq!(c.cmd("PWD"), "257 \"/shared\" is the current directory");
    assert_eq!(
        c.cmd("CWD /shared/bob_private"),
        "550 /shared/bob_private: Permission denied"
    );
    assert_eq!(c.cmd("PWD"), "257 \"/shared\" is the current directory");
}

/// The process that serves the session on `server`'s only connection: ProFTPD's child of
/// the daemon, or oxftpd's daemon itself.
fn session_process(server: &TestServer) -> i32 {
    let daemon = server
        .pid()
        .and_then(|p| i32::try_from(p).ok())
        .expect("daemon pid");
    if !server.target().is_proftpd() {
        return daemon;
    }
    let child = std::fs::read_dir("/proc")
        .expect("read /proc")
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .find(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
                // "pid (comm) state ppid …": the comm may hold spaces, so split after ')'.
                stat.rsplit_once(')')
                    .and_then(|(_, rest)| rest.split_whitespace().nth(1)?.parse::<i32>().ok())
                    == Some(daemon)
            })
        });
    child.expect("ProFTPD's session process")
}

#[test]
fn a_hidden_store_left_by_a_killed_upload_does_not_block_the_next_one() {
    oxftpd_testkit::deliberately_differs!(
        oxftpd_testkit::target!(),
        "ProFTPD 1.3.8 keeps refusing the name (550 up.bin: Temporary hidden file \
         /.in.up.bin. already exists) until someone removes the file a killed upload left"
    );
    let (first, alice, _bob, _shared) = shared_server("HiddenStores on");
    let path = alice.home.join("up.bin");
    place(&path, b"original\n", alice.uid, GROUP, 0o640);
    let hidden = alice.home.join(".in.up.bin.");
    let mut c = Raw::login(first.addr());
    c.cmd("TYPE I");
    let mut data = c.pasv(None);
    assert_eq!(
        c.cmd("STOR up.bin"),
        "150 Opening BINARY mode data connection for up.bin"
    );
    std::io::Write::write_all(&mut data, &[7u8; 10_000]).expect("send");
    assert!(wire::wait_until(
        || get(&hidden).is_some_and(|b| b.len() == 10_000)
    ));
    let victim = session_process(&first);
    assert!(oxftpd_testkit::signal(victim, oxftpd_testkit::Signal::KILL));
    assert!(wire::wait_until(|| !oxftpd_testkit::pid_alive(victim)));
    drop((c, data));
    assert!(
        get(&hidden).is_some(),
        "the killed upload left no hidden file"
    );
    assert_eq!(get(&path).as_deref(), Some(&b"original\n"[..]));

    // A second server on the same files (its alice has the same uid).
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("test setup");
    let alice2 = setup.add_user("alice", "secret").expect("add alice");
    setup.config("AllowOverwrite on\nHiddenStores on\n");
    std::fs::remove_dir(&alice2.home).expect("remove the second home");
    std::os::unix::fs::symlink(&alice.home, &alice2.home).expect("link the first home");
    let second = TestServer::start(setup).unwrap_or_else(|e| panic!("start the daemon: {e}"));
    let mut c = Raw::login(second.addr());
    c.cmd("TYPE I");
    let (first_reply, last) = c.upload("STOR up.bin", b"the next upload\n");
    assert_eq!(
        first_reply,
        "150 Opening BINARY mode data connection for up.bin"
    );
    assert_eq!(last, "226 Transfer complete");
    assert_eq!(get(&path).as_deref(), Some(&b"the next upload\n"[..]));
    assert_eq!(owner_mode(&path), (alice.uid, GROUP, 0o640));
    assert!(
        get(&hidden).is_none(),
        "the stale hidden file is still there"
    );
    assert_eq!(names(&alice.home), ["shared", "up.bin"]);
}

#[test]
fn a_hidden_store_in_progress_blocks_a_second_upload_of_the_name() {
    let (s, alice, _bob, _shared) = shared_server("HiddenStores on");
    let hidden = alice.home.join(".in.up.bin.");
    let mut c = Raw::login(s.addr());
    c.cmd("TYPE I");
    let mut data = c.pasv(None);
    assert_eq!(
        c.cmd("STOR up.bin"),
        "150 Opening BINARY mode data connection for up.bin"
    );
    std::io::Write::write_all(&mut data, b"first ").expect("send");
    assert!(wire::wait_until(
        || get(&hidden).is_some_and(|b| b.len() == 6)
    ));
    let mut other = Raw::login(s.addr());
    other.cmd("TYPE I");
    let (refused, _) = other.upload("STOR up.bin", b"second\n");
    assert_eq!(
        refused,
        "550 up.bin: Temporary hidden file /.in.up.bin. already exists"
    );
    std::io::Write::write_all(&mut data, b"upload\n").expect("send");
    drop(data);
    assert_eq!(c.reply(), "226 Transfer complete");
    assert_eq!(
        get(&alice.home.join("up.bin")).as_deref(),
        Some(&b"first upload\n"[..])
    );
    assert!(get(&hidden).is_none());
}

#[test]
fn stor_over_a_linked_file_writes_the_file_as_proftpd_does() {
    let (s, alice, _bob, shared) = shared_server("");
    let target = shared.join("target.txt");
    place(&target, b"original\n", alice.uid, GROUP, 0o640);
    std::os::unix::fs::symlink("target.txt", shared.join("link.txt")).expect("symlink");
    let other = shared.join("other.txt");
    place(&other, b"original\n", alice.uid, GROUP, 0o640);
    std::fs::hard_link(&other, shared.join("hard.txt")).expect("hard link");
    let mut c = Raw::login(s.addr());
    c.cmd("TYPE I");
    c.cmd("CWD shared");
    let (_, last) = c.upload("STOR link.txt", b"through the link\n");
    assert_eq!(last, "226 Transfer complete");
    let link = std::fs::symlink_metadata(shared.join("link.txt")).expect("lstat");
    assert!(link.file_type().is_symlink(), "the link was replaced");
    assert_eq!(get(&target).as_deref(), Some(&b"through the link\n"[..]));
    assert_eq!(owner_mode(&target), (alice.uid, GROUP, 0o640));
    let (_, last) = c.upload("STOR hard.txt", b"both names\n");
    assert_eq!(last, "226 Transfer complete");
    assert_eq!(get(&other).as_deref(), Some(&b"both names\n"[..]));
    assert_eq!(std::fs::metadata(&other).expect("stat").nlink(), 2);
    assert_eq!(
        names(&shared),
        ["hard.txt", "link.txt", "other.txt", "target.txt"]
    );
}
