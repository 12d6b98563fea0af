//! A reverse DNS lookup that never answers (issue 19): with `UseReverseDNS on`, lookups run
//! apart from file operations, so hanging ones freeze no session. The hang is injected in
//! debug builds (`OXFTPD_TEST_HANG_LOOKUPS=ADDR`: every lookup of ADDR blocks its thread for
//! good, as a resolver that never answers does, and sends no query); the bare connections
//! come from that loopback address, the logged-in sessions from 127.0.0.1 (/etc/hosts).

mod wire;

use std::io::{BufRead, BufReader};
use std::net::{IpAddr, Ipv4Addr, TcpStream};
use std::time::{Duration, Instant};

use oxftpd_testkit::{Setup, TestServer};
use wire::{DEADLINE, Raw};

/// How many bare connections (no login) hold lookups.
const BARE: usize = 70;

/// Where the bare connections come from: a loopback address whose lookups hang.
const HANGING: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));

/// What "promptly" means for a command while lookups hang.
const PROMPTLY: Duration = Duration::from_secs(3);

#[test]
fn lookups_that_never_answer_freeze_no_session() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(
        target,
        "the hanging lookup is injected into oxftpd (ProFTPD forks a process per session)"
    );
    let mut setup = Setup::new(&target).expect("test setup");
    let alice = setup.add_user("alice", "secret").expect("add alice");
    setup.config("UseReverseDNS on\n");
    setup.env("OXFTPD_TEST_HANG_LOOKUPS", &HANGING.to_string());
    let s = TestServer::start(setup).unwrap_or_else(|e| panic!("start the daemon: {e}"));
    std::fs::write(alice.home.join("f.txt"), b"x\n").expect("write f.txt");

    let mut logged_in = Raw::login(s.addr());
    // Bare connections, each one's lookup started: wait (bounded) for every banner, which a
    // session sends once its lookup answered, gave up or was not admitted.
    let bare: Vec<TcpStream> = (0..BARE)
        .map(|_| wire::connect_from(Some(HANGING), s.addr()))
        .collect();
    for stream in &bare {
        stream.set_read_timeout(Some(DEADLINE)).expect("timeout");
        let mut banner = String::new();
        BufReader::new(stream)
            .read_line(&mut banner)
            .expect("a banner within the deadline");
        assert!(banner.starts_with("220"), "banner: {banner}");
    }

    logged_in.set_timeout(PROMPTLY);
    assert_eq!(logged_in.cmd("TYPE A"), "200 Type set to A");
    let started = Instant::now();
    let (first, names, last) = logged_in.download("NLST");
    assert!(first.starts_with("150 "), "NLST: {first}");
    assert_eq!(names, b"f.txt\r\n");
    assert_eq!(last, "226 Transfer complete");
    assert!(
        started.elapsed() < PROMPTLY,
        "NLST took {:?}",
        started.elapsed()
    );

    let started = Instant::now();
    let mut other = Raw::connect(s.addr());
    other.set_timeout(PROMPTLY);
    assert_eq!(other.cmd("USER alice"), "331 Password required for alice");
    assert_eq!(other.cmd("PASS secret"), "230 User alice logged in");
    assert!(
        started.elapsed() < 2 * PROMPTLY,
        "a new login took {:?}",
        started.elapsed()
    );
    drop(bare);
}
