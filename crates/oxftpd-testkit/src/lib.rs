//! The integration-test harness: runs the subject daemon (oxftpd, or ProFTPD when
//! `OXFTPD_TEST_SUBJECT=proftpd`) with a generated proftpd.conf on a free loopback port.
//!
//! ```no_run
//! # async fn t() {
//! use oxftpd_testkit::{Setup, TestServer};
//! // In crates/oxftpd/tests, `oxftpd_testkit::target!()` fills in the oxftpd binary.
//! let target = oxftpd_testkit::Target::from_env("target/debug/oxftpd");
//! let mut setup = Setup::new(&target).expect("setup");
//! setup.add_user("alice", "secret").expect("user");
//! let server = TestServer::start(setup).expect("start");
//! let mut client = server.client().await.expect("connect");
//! client.login("alice", "secret").await.expect("login");
//! # }
//! ```

mod detached;
mod error;
pub mod fixtures;
mod process;
pub mod redis;
pub mod replies;
mod server;
mod setup;
mod subject;
pub mod tls;
pub mod tools;

pub use detached::Detached;
pub use error::HarnessError;
pub use process::wait_until;
pub use process::{RunOutput, pid_alive, read_pid, run_bounded, signal, terminate};
pub use server::{TestServer, first_line};
pub use setup::{Setup, TestUser, free_port};
pub use subject::{Subject, Target};

/// Result type of the harness.
pub type Result<T> = std::result::Result<T, HarnessError>;

/// The [`Target`] chosen by `OXFTPD_TEST_SUBJECT`, with the calling test crate's `oxftpd`
/// binary (`CARGO_BIN_EXE_oxftpd`).
#[macro_export]
macro_rules! target {
    () => {
        $crate::Target::from_env(env!("CARGO_BIN_EXE_oxftpd"))
    };
}

/// Ends the calling test early, with a note, when the subject is ProFTPD: the test is about
/// behaviour only oxftpd has (listed in crates/oxftpd/tests/DIFFERENCES.md).
#[macro_export]
macro_rules! only_oxftpd {
    ($target:expr, $why:expr) => {
        if $target.subject == $crate::Subject::Proftpd {
            eprintln!(
                "note: skipped against ProFTPD, oxftpd-only behaviour: {}",
                $why
            );
            return;
        }
    };
}

/// Ends the calling test early, with a note, when the subject is ProFTPD and ProFTPD
/// deliberately behaves differently (listed in crates/oxftpd/tests/DIFFERENCES.md).
#[macro_export]
macro_rules! deliberately_differs {
    ($target:expr, $why:expr) => {
        if $target.subject == $crate::Subject::Proftpd {
            eprintln!(
                "note: skipped against ProFTPD, which deliberately differs: {}",
                $why
            );
            return;
        }
    };
}

/// Signal numbers for [`signal`].
pub use rustix::process::Signal;
