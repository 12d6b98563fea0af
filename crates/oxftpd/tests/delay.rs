//! `DelayEngine` (ProFTPD's mod_delay): USER/PASS replies held back so that their timing
//! does not reveal which users exist. `DelayTable none` turns learning off, leaving only the
//! explicit `DelayOnEvent` minimums, which are what these tests can time without flakiness:
//! only lower bounds are asserted, except for one generous upper bound with the engine off.

mod wire;

use std::time::{Duration, Instant};

use wire::Raw;

/// A server with mod_delay's learning off and `events` as its `DelayOnEvent` lines.
fn server(engine: &str, events: &str) -> (oxftpd_testkit::TestServer, oxftpd_testkit::TestUser) {
    wire::server(&format!("DelayEngine {engine}\nDelayTable none\n{events}"))
}

/// Sends `line` and returns the reply with how long it took.
fn timed(c: &mut Raw, line: &str) -> (String, Duration) {
    let t = Instant::now();
    let reply = c.cmd(line);
    (reply, t.elapsed())
}

#[test]
fn delay_on_event_user_holds_the_user_reply_for_known_and_unknown_users() {
    let (s, _) = server("on", "DelayOnEvent USER 300ms");
    let mut c = Raw::connect(s.addr());
    let (reply, took) = timed(&mut c, "USER alice");
    assert_eq!(reply, "331 Password required for alice");
    assert!(
        took >= Duration::from_millis(300),
        "USER alice took {took:?}"
    );
    let (reply, took) = timed(&mut c, "USER nosuchuser");
    assert_eq!(reply, "331 Password required for nosuchuser");
    assert!(
        took >= Duration::from_millis(300),
        "USER nosuchuser took {took:?}"
    );
}

#[test]
fn delay_on_event_pass_holds_good_and_bad_passwords_alike() {
    let (s, _) = server("on", "DelayOnEvent PASS 300ms");
    let mut c = Raw::connect(s.addr());
    assert_eq!(c.cmd("USER alice"), "331 Password required for alice");
    let (reply, took) = timed(&mut c, "PASS wrong");
    assert_eq!(reply, "530 Login incorrect.");
    assert!(
        took >= Duration::from_millis(300),
        "failed PASS took {took:?}"
    );
    assert_eq!(c.cmd("USER alice"), "331 Password required for alice");
    let (reply, took) = timed(&mut c, "PASS secret");
    assert_eq!(reply, "230 User alice logged in");
    assert!(
        took >= Duration::from_millis(300),
        "good PASS took {took:?}"
    );
}

#[test]
fn failed_login_event_delays_only_failures() {
    let (s, _) = server("on", "DelayOnEvent FailedLogin 600ms");
    let mut c = Raw::connect(s.addr());
    assert_eq!(
        c.cmd("USER nosuchuser"),
        "331 Password required for nosuchuser"
    );
    let (reply, took) = timed(&mut c, "PASS wrong");
    assert_eq!(reply, "530 Login incorrect.");
    assert!(
        took >= Duration::from_millis(600),
        "failed PASS took {took:?}"
    );
    assert_eq!(c.cmd("USER alice"), "331 Password required for alice");
    let (reply, took) = timed(&mut c, "PASS secret");
    assert_eq!(reply, "230 User alice logged in");
    assert!(took < Duration::from_millis(600), "good PASS took {took:?}");
}

#[test]
fn delay_engine_off_ignores_delay_on_event() {
    let (s, _) = server("off", "DelayOnEvent USER 3s\nDelayOnEvent FailedLogin 3s");
    let mut c = Raw::connect(s.addr());
    let (reply, took) = timed(&mut c, "USER alice");
    assert_eq!(reply, "331 Password required for alice");
    assert!(took < Duration::from_secs(2), "USER took {took:?}");
    let (reply, took) = timed(&mut c, "PASS wrong");
    assert_eq!(reply, "530 Login incorrect.");
    assert!(took < Duration::from_secs(2), "PASS took {took:?}");
}

#[test]
fn unknown_delay_events_are_refused_at_startup() {
    let target = oxftpd_testkit::target!();
    let mut setup = oxftpd_testkit::Setup::new(&target).expect("setup");
    setup.config("DelayOnEvent LOGIN 100ms\n");
    let err = oxftpd_testkit::TestServer::start(setup)
        .err()
        .expect("an unknown event must stop the daemon");
    let text = err.to_string();
    assert!(text.contains("unknown/unsupported event: LOGIN"), "{text}");
}
