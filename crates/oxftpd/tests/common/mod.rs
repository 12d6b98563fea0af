//! Helpers shared by the protocol test files: a server with user alice, files owned by her,
//! and one-line command helpers.

#![allow(dead_code)]

use std::path::Path;

use oxftpd_client::{Client, Reply};
use oxftpd_testkit::{Setup, TestServer, TestUser};

/// The modules ProFTPD's Debian build loads from disk (oxftpd has them compiled in).
pub const LOAD_MODULES: &str =
    "LoadModule mod_copy.c\nLoadModule mod_digest.c\nLoadModule mod_site_misc.c\n";

/// A server with user alice/secret, the loadable modules, and `extra` config lines.
pub fn server_with(extra: &str) -> (TestServer, TestUser) {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("test setup");
    let alice = setup.add_user("alice", "secret").expect("add alice");
    if target.is_proftpd() {
        setup.config(LOAD_MODULES);
    }
    setup.config(extra);
    (
        TestServer::start(setup).unwrap_or_else(|e| panic!("start the daemon: {e}")),
        alice,
    )
}

/// Writes a file owned by `user` (mode 0644).
pub fn file(user: &TestUser, rel: &str, bytes: &[u8]) {
    let path = user.home.join(rel);
    std::fs::write(&path, bytes).expect("write test file");
    own(user, &path);
}

/// Creates a directory owned by `user`.
pub fn dir(user: &TestUser, rel: &str) {
    let path = user.home.join(rel);
    std::fs::create_dir(&path).expect("create test dir");
    own(user, &path);
}

/// Makes `path` belong to `user` (tests run as root).
pub fn own(user: &TestUser, path: &Path) {
    let _ = std::os::unix::fs::lchown(path, Some(user.uid), Some(user.gid));
}

/// A root-owned directory with a root-owned file `f` inside: alice may read, not write.
pub fn root_dir(user: &TestUser, rel: &str) {
    let path = user.home.join(rel);
    std::fs::create_dir(&path).expect("create root dir");
    std::fs::write(path.join("f"), b"r\n").expect("write root file");
}

pub async fn login(server: &TestServer) -> Client {
    server
        .login("alice", "secret")
        .await
        .expect("alice logs in")
}

pub async fn cmd(c: &mut Client, line: &str) -> Reply {
    c.cmd(line).await.unwrap_or_else(|e| panic!("{line}: {e}"))
}

/// The first line of the reply, code included.
#[allow(unused_imports)]
pub use oxftpd_testkit::replies::line;

/// Every line of the reply, codes included.
pub async fn lines(c: &mut Client, command: &str) -> Vec<String> {
    cmd(c, command).await.lines
}
