//! mod_unique_id (ProFTPD 1.3.8's contrib/mod_unique_id.c, loaded with `LoadModule` for
//! ProFTPD): every session has a 24-character `UNIQUE_ID`, in the environment and the notes
//! a `LogFormat` reads.

mod wire;

use oxftpd_testkit::{Setup, TestServer};
use wire::{Raw, wait_until};

fn server(extra: &str) -> TestServer {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    setup.add_user("alice", "secret").expect("alice");
    let d = setup.dir().display().to_string();
    setup.config(&format!(
        "LoadModule mod_unique_id.c\nLogFormat uid \"%m %{{UNIQUE_ID}}e %{{note:UNIQUE_ID}}\"\n\
         ExtendedLog {d}/ext.log ALL uid\n{extra}\n"
    ));
    TestServer::start(setup).expect("start")
}

/// The ext.log lines of NOOP commands, once there are `n`.
fn noop_lines(s: &TestServer, n: usize) -> Vec<String> {
    let path = s.dir().join("ext.log");
    let read = || -> Vec<String> {
        std::fs::read_to_string(&path)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.starts_with("NOOP "))
            .map(str::to_string)
            .collect()
    };
    assert!(wait_until(|| read().len() >= n), "{:?}", read());
    read()
}

#[test]
fn each_session_has_its_own_id() {
    let s = server("");
    for _ in 0..2 {
        let mut raw = Raw::login(s.addr());
        assert!(raw.cmd("NOOP").starts_with("200"));
        assert!(raw.cmd("QUIT").starts_with("221"));
    }
    let lines = noop_lines(&s, 2);
    let ids: Vec<(&str, &str)> = lines
        .iter()
        .map(|l| {
            let w: Vec<&str> = l.split(' ').collect();
            (w[1], w[2])
        })
        .collect();
    for (env, note) in &ids {
        assert_eq!(env.len(), 24, "{lines:?}");
        assert_eq!(env, note, "{lines:?}");
        assert!(
            env.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '/')
        );
    }
    assert_ne!(ids[0].0, ids[1].0, "{lines:?}");
}

#[test]
fn the_engine_can_be_turned_off() {
    let s = server("UniqueIDEngine off");
    let mut raw = Raw::login(s.addr());
    assert!(raw.cmd("NOOP").starts_with("200"));
    assert!(raw.cmd("QUIT").starts_with("221"));
    // Both variables are empty (ProFTPD writes nothing for an unset one here).
    assert_eq!(noop_lines(&s, 1), vec!["NOOP  ".to_string()]);
}
