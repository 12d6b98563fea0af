//! Helpers for the shutdown message file tests: a server reading the file, ftpshut's time
//! field and a raw first reply.

// This file calls libc (or other C APIs): unsafe code is allowed here only, each block
// with a SAFETY comment saying why it is sound.
#![allow(unsafe_code)]
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use oxftpd_testkit::{Setup, Target, TestServer};

/// A server with alice/secret that reads its shutdown message file from the returned path
/// (`OXFTPD_SHUTMSG`, set for the whole test binary: call it from the binary's only test).
pub fn server_reading_shutmsg(target: &Target) -> (TestServer, PathBuf) {
    let mut setup = Setup::new(target).expect("setup");
    setup.add_user("alice", "secret").expect("alice");
    let shutmsg = setup.dir().join("shutmsg");
    // SAFETY: the only test of this binary; no other thread reads the environment yet.
    unsafe { std::env::set_var("OXFTPD_SHUTMSG", &shutmsg) };
    let server = TestServer::start(setup).expect("start");
    (server, shutmsg)
}

/// ftpshut's `YEAR MONTH DAY HOUR MINUTE SECOND` for `secs` from now, in local time.
pub fn shutmsg_time(secs: i64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;
    let out = std::process::Command::new("date")
        .arg("-d")
        .arg(format!("@{}", now + secs))
        .arg("+%Y %m %d %H %M %S")
        .output()
        .expect("date");
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .trim()
        .to_string()
}

/// Everything the server says to a new connection before it closes it (bounded).
pub async fn first_reply(addr: SocketAddr) -> String {
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(
        Duration::from_secs(5),
        tokio::io::AsyncReadExt::read(&mut s, &mut buf),
    )
    .await
    .expect("reply in time")
    .expect("read");
    String::from_utf8_lossy(&buf[..n]).into_owned()
}
