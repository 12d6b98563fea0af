//! A disk that fills up during an upload: the home is a 1 MiB tmpfs. An upload that does not
//! fit gets a clear 4xx/5xx reply (no hang, no 226); with `HiddenStores` the complete file it
//! would have replaced is still there, unchanged, and no temporary file is left; the same
//! session goes on (a small upload succeeds once the space is back), and so does another
//! session. Tests run as root (they mount the tmpfs).

use std::path::Path;
use std::process::Command;

use oxftpd_testkit::fixtures::random_bytes;
use oxftpd_testkit::{Setup, TestServer};

/// A tmpfs of `size` on `dir` for `uid:gid`, unmounted when dropped.
struct Tmpfs(std::path::PathBuf);

impl Tmpfs {
    fn mount(dir: &Path, size: &str, uid: u32, gid: u32) -> Option<Tmpfs> {
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o"])
            .arg(format!("size={size},uid={uid},gid={gid},mode=0755"))
            .arg("tmpfs")
            .arg(dir)
            .output()
            .ok()?;
        if !out.status.success() {
            eprintln!(
                "note: skipped, cannot mount a tmpfs: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            return None;
        }
        Some(Tmpfs(dir.to_path_buf()))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

#[tokio::test]
async fn a_full_disk_refuses_the_upload_keeps_the_old_file_and_the_sessions_go_on() {
    if !rustix::process::geteuid().is_root() {
        eprintln!("note: skipped, mounting a tmpfs needs root");
        return;
    }
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    let alice = setup.add_user("alice", "secret").expect("alice");
    setup.add_user("bob", "secret").expect("bob");
    setup.config("AllowOverwrite on\nHiddenStores on\n");
    let Some(_fs) = Tmpfs::mount(&alice.home, "1m", alice.uid, alice.gid) else {
        assert!(
            std::env::var_os("OXFTPD_REQUIRE_CLIENTS").is_none(),
            "a tmpfs is required"
        );
        return;
    };
    let keep = alice.home.join("keep.bin");
    let original = random_bytes(200_000, 3);
    std::fs::write(&keep, &original).expect("keep.bin");
    std::os::unix::fs::chown(&keep, Some(alice.uid), Some(alice.gid)).expect("chown");
    let s = TestServer::start(setup).expect("start");
    let mut c = s.login("alice", "secret").await.expect("alice");
    c.cmd_expect("TYPE I", 200).await.expect("TYPE I");
    // 4 MiB into 1 MiB, replacing keep.bin.
    let big = random_bytes(4 << 20, 4);
    let mut input = &big[..];
    let reply = match c.transfer_out("STOR keep.bin", &mut input).await {
        Ok(t) => t.completion,
        // The server may close the data connection under the client's feet; the reply
        // still comes on the control connection.
        Err(oxftpd_client::Error::Io(_)) => c.read_reply().await.expect("the STOR reply"),
        Err(e) => panic!("STOR: {e}\n{}", s.log()),
    };
    assert!(
        (400..600).contains(&reply.code),
        "a full disk is an error: {reply:?}"
    );
    // oxftpd says why (`452 Transfer aborted. No space left on device`); ProFTPD 1.3.8
    // answers `451 Transfer aborted. Input/output error` (DIFFERENCES.md).
    if s.target().is_oxftpd() {
        assert_eq!(
            (reply.code, reply.text()),
            (452, "Transfer aborted. No space left on device"),
            "the reply says why"
        );
    }
    assert_eq!(
        std::fs::read(&keep).expect("keep.bin is still there"),
        original,
        "the complete file stood before the upload and stands after it"
    );
    let left: Vec<_> = std::fs::read_dir(&alice.home)
        .expect("home")
        .map(|e| e.expect("entry").file_name())
        .filter(|n| n != "keep.bin")
        .collect();
    assert!(left.is_empty(), "no temporary file is left: {left:?}");
    // The session goes on, and a small upload fits again.
    c.noop().await.expect("NOOP after the full disk");
    let small = c.stor("small.txt", b"fits").await.expect("small upload");
    assert_eq!(small.code, 226, "{small:?}");
    assert_eq!(
        std::fs::read(alice.home.join("small.txt")).expect("small"),
        b"fits"
    );
    // Another session is served.
    let mut b = s.login("bob", "secret").await.expect("bob logs in");
    b.noop().await.expect("bob's NOOP");
}
