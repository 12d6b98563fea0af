//! `TransferRate` (ProFTPD 1.3.8's mod_xfer and src/throttle.c): downloads and uploads paced to
//! `kbytes` a second after the free bytes, for plain, MODE Z and TLS data connections; a rule
//! qualified by `user` only paces that user. Then oxftpd's aggregate caps (not in ProFTPD):
//! `TransferRateUser` shared by one user's sessions, `TransferRateVirtualHost` shared by a
//! server's sessions while another server runs unlimited.
//!
//! Each test measures bytes and elapsed time from the `150` reply to the last byte, and
//! accepts a band around the expected time: never much faster than the rate allows, and
//! not much slower (the machine may be busy).

mod wire;
#[allow(dead_code)]
mod zlib;

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use oxftpd_testkit::{Setup, TestServer};
use wire::{DEADLINE, Raw, put, random_bytes};

/// 1.3.8's "kbytes" are KiB.
const KIB: f64 = 1024.0;

/// Checks `elapsed` against the time `bytes` take at `kib_per_sec`: no more than 10 % early,
/// no more than 35 % late.
fn assert_paced(what: &str, bytes: usize, kib_per_sec: f64, elapsed: Duration) {
    let expected = bytes as f64 / (kib_per_sec * KIB);
    let secs = elapsed.as_secs_f64();
    assert!(
        secs >= expected * 0.9 && secs <= expected * 1.35,
        "{what}: {bytes} bytes took {secs:.2} s, expected {expected:.2} s at {kib_per_sec} KiB/s"
    );
}

/// Downloads `name` on a passive connection; returns the bytes and the time from `150` on.
fn timed_download(c: &mut Raw, name: &str) -> (Vec<u8>, Duration) {
    let mut data = c.pasv(None);
    let first = c.cmd(&format!("RETR {name}"));
    assert!(first.starts_with("150"), "{first}");
    let start = Instant::now();
    data.set_read_timeout(Some(DEADLINE)).expect("timeout");
    let mut bytes = Vec::new();
    data.read_to_end(&mut bytes).expect("read data");
    let took = start.elapsed();
    drop(data);
    assert_eq!(c.reply(), "226 Transfer complete");
    (bytes, took)
}

#[test]
fn retr_runs_at_the_rate() {
    let (s, alice) = wire::server("TransferRate RETR 500");
    let body = random_bytes(2_560_000, 1);
    put(&alice, "big", &body);
    let mut c = Raw::login(s.addr());
    c.cmd("TYPE I");
    let (got, took) = timed_download(&mut c, "big");
    assert!(got == body);
    assert_paced("RETR at 500", body.len(), 500.0, took);
}

#[test]
fn free_bytes_go_at_full_speed_then_the_rest_is_paced() {
    let (s, alice) = wire::server("TransferRate RETR 300:1000000");
    let body = random_bytes(1_000_000 + 921_600, 2);
    put(&alice, "big", &body);
    let mut c = Raw::login(s.addr());
    c.cmd("TYPE I");
    let (got, took) = timed_download(&mut c, "big");
    assert!(got == body);
    assert_paced("RETR past 1000000 free bytes", 921_600, 300.0, took);
}

#[test]
fn stor_runs_at_the_rate() {
    let (s, alice) = wire::server("TransferRate STOR 400");
    let body = random_bytes(1_638_400, 3);
    let mut c = Raw::login(s.addr());
    c.cmd("TYPE I");
    let mut data = c.pasv(None);
    let first = c.cmd("STOR up");
    assert!(first.starts_with("150"), "{first}");
    let start = Instant::now();
    data.write_all(&body).expect("write data");
    drop(data);
    assert_eq!(c.reply(), "226 Transfer complete");
    let took = start.elapsed();
    assert!(std::fs::read(alice.home.join("up")).expect("uploaded") == body);
    assert_paced("STOR at 400", body.len(), 400.0, took);
}

#[test]
fn mode_z_downloads_are_paced() {
    let target = oxftpd_testkit::target!();
    let (s, alice) = wire::server_for(
        &target,
        &format!(
            "{}DeflateEngine on\nTransferRate RETR 400",
            zlib::load_deflate(&target)
        ),
    );
    // Random bytes do not compress: the wire carries as many bytes as the file.
    let body = random_bytes(1_638_400, 4);
    put(&alice, "big", &body);
    let mut c = Raw::login(s.addr());
    c.cmd("TYPE I");
    assert_eq!(c.cmd("MODE Z"), "200 OK");
    let (wire_bytes, took) = timed_download(&mut c, "big");
    assert!(zlib::inflate(&wire_bytes) == body);
    assert_paced("MODE Z RETR at 400", body.len(), 400.0, took);
}

#[test]
fn a_rule_for_another_user_leaves_the_transfer_alone() {
    let (s, alice) = wire::server("TransferRate RETR 50 user bob,carol");
    let body = random_bytes(1_000_000, 5);
    put(&alice, "big", &body);
    let mut c = Raw::login(s.addr());
    c.cmd("TYPE I");
    let (got, took) = timed_download(&mut c, "big");
    assert!(got == body);
    // 50 KiB/s would take 20 s.
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[test]
fn the_rule_of_the_closest_context_wins() {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    let alice = setup.add_user("alice", "secret").expect("alice");
    let home = alice.home.display().to_string();
    setup.config(&format!(
        "TransferRate RETR 50\n<Directory {home}/fast>\nTransferRate RETR 600\n</Directory>\n"
    ));
    let s = TestServer::start(setup).expect("start");
    std::fs::create_dir(alice.home.join("fast")).expect("mkdir");
    std::os::unix::fs::chown(alice.home.join("fast"), Some(alice.uid), Some(alice.gid))
        .expect("chown");
    let body = random_bytes(1_228_800, 6);
    put(&alice, "fast/big", &body);
    let mut c = Raw::login(s.addr());
    c.cmd("TYPE I");
    let (got, took) = timed_download(&mut c, "fast/big");
    assert!(got == body);
    assert_paced("RETR in <Directory> at 600", body.len(), 600.0, took);
}

#[test]
fn a_bad_transfer_rate_is_a_config_error() {
    let target = oxftpd_testkit::target!();
    for bad in [
        "TransferRate LIST 5",
        "TransferRate RETR fast",
        "TransferRate RETR 5 host x",
        "TransferRate RETR 5 user",
    ] {
        let mut setup = Setup::new(&target).expect("setup");
        setup.config(&format!("{bad}\n"));
        let out = setup.check_config().expect("run -t");
        assert!(!out.status.success(), "{bad} was accepted");
    }
}

/// Runs `n` downloads of `name` at once as alice on `addr`; returns each one's time.
fn parallel_downloads(
    addr: std::net::SocketAddr,
    name: &str,
    n: usize,
    len: usize,
) -> Vec<Duration> {
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(n));
    let threads: Vec<_> = (0..n)
        .map(|_| {
            let (barrier, name) = (barrier.clone(), name.to_string());
            std::thread::spawn(move || {
                let mut c = Raw::login(addr);
                c.cmd("TYPE I");
                barrier.wait();
                let (got, took) = timed_download(&mut c, &name);
                assert_eq!(got.len(), len);
                took
            })
        })
        .collect();
    threads
        .into_iter()
        .map(|t| t.join().expect("download thread"))
        .collect()
}

#[test]
fn a_user_cap_is_shared_by_the_users_sessions() {
    let target = oxftpd_testkit::target!();
    if target.is_proftpd() {
        return; // oxftpd's extension
    }
    let (s, alice) = wire::server("TransferRateUser RETR 1000");
    let body = random_bytes(2_560_000, 7);
    put(&alice, "big", &body);
    let times = parallel_downloads(s.addr(), "big", 2, body.len());
    // Two sessions share 1000 KiB/s: 500 each.
    for took in times {
        assert_paced(
            "one of two sessions under a 1000 KiB/s user cap",
            body.len(),
            500.0,
            took,
        );
    }
}

#[test]
fn a_vhost_cap_holds_for_five_sessions_while_another_vhost_runs_free() {
    let target = oxftpd_testkit::target!();
    if target.is_proftpd() {
        return; // oxftpd's extension
    }
    let mut setup = Setup::new(&target).expect("setup");
    let alice = setup.add_user("alice", "secret").expect("alice");
    let d = setup.dir().display().to_string();
    let port = setup.port();
    setup.config(&format!(
        "TransferRateVirtualHost RETR 2000\n\
         <VirtualHost 127.0.0.2>\nPort {port}\nAuthOrder mod_auth_file.c\n\
         AuthUserFile {d}/etc/passwd\nAuthGroupFile {d}/etc/group\nRequireValidShell off\n\
         </VirtualHost>\n"
    ));
    let s = TestServer::start(setup).expect("start");
    let body = random_bytes(2_048_000, 8);
    put(&alice, "big", &body);
    let other = std::net::SocketAddr::from(([127, 0, 0, 2], port));
    let free = std::thread::spawn(move || {
        // Starts while the five run: the other server is not held back by their cap.
        let mut c = Raw::login(other);
        c.cmd("TYPE I");
        std::thread::sleep(Duration::from_millis(500));
        timed_download(&mut c, "big").1
    });
    let start = Instant::now();
    let times = parallel_downloads(s.addr(), "big", 5, body.len());
    let all = start.elapsed();
    // Five sessions share 2000 KiB/s: 400 each, all of it in about the same time.
    for took in &times {
        assert_paced(
            "one of five sessions under a 2000 KiB/s server cap",
            body.len(),
            400.0,
            *took,
        );
    }
    assert_paced(
        "five sessions under a 2000 KiB/s server cap",
        5 * body.len(),
        2000.0,
        all,
    );
    let free = free.join().expect("free thread");
    assert!(
        free < Duration::from_secs(2),
        "the other server took {free:?}"
    );
}

#[test]
fn tls_transfers_with_curl_are_paced_both_ways() {
    use oxftpd_testkit::tools::{have, path_arg, run_ok};
    if !have("curl") {
        return;
    }
    let target = oxftpd_testkit::target!();
    let body = random_bytes(1_228_800, 9);
    let (s, alice, certs) = oxftpd_testkit::tls::tls_server(
        &target,
        "TransferRate RETR 400\nTransferRate STOR,APPE 600",
        &body,
    );
    let base = format!("ftp://alice:secret@127.0.0.1:{}/", s.port());
    let curl = |args: &[&str]| {
        let start = Instant::now();
        run_ok(
            std::process::Command::new("curl")
                .args(["-sS", "--max-time", "20", "--ssl-reqd", "--cacert"])
                .arg(path_arg(&certs.ca))
                .args(args),
        );
        start.elapsed()
    };
    let out = s.dir().join("dl.bin");
    let took = curl(&["-o", path_arg(&out), &format!("{base}fetch.bin")]);
    assert!(std::fs::read(&out).expect("download") == body);
    assert_paced("TLS RETR at 400 (curl)", body.len(), 400.0, took);
    let took = curl(&["-T", path_arg(&out), &format!("{base}up.bin")]);
    assert!(std::fs::read(alice.home.join("up.bin")).expect("upload") == body);
    assert_paced("TLS STOR at 600 (curl)", body.len(), 600.0, took);
}

#[test]
fn a_newcomer_gets_its_share_at_once_and_gives_it_back_when_done() {
    let target = oxftpd_testkit::target!();
    if target.is_proftpd() {
        return; // oxftpd's extension
    }
    let (s, alice) = wire::server("TransferRateUser RETR 1000");
    let long = random_bytes(4 * 1_024_000, 10);
    let short = random_bytes(1_024_000, 11);
    put(&alice, "long", &long);
    put(&alice, "short", &short);
    let addr = s.addr();
    let first = std::thread::spawn(move || {
        let mut c = Raw::login(addr);
        c.cmd("TYPE I");
        timed_download(&mut c, "long").1
    });
    // The second session starts once the first has run alone for a while.
    let mut c = Raw::login(addr);
    c.cmd("TYPE I");
    std::thread::sleep(Duration::from_millis(1500));
    let (got, took) = timed_download(&mut c, "short");
    assert!(got == short);
    // Half of 1000 KiB/s from its start: 1,024,000 bytes in 2 s.
    assert_paced(
        "the newcomer's half of the user cap",
        short.len(),
        500.0,
        took,
    );
    // The first session moved 5,120,000 bytes' worth of the cap's time: all of the cap while
    // alone, half while shared, all again once the newcomer was done.
    let long_took = first.join().expect("first session");
    assert_paced(
        "the first session, sharing then alone",
        long.len() + short.len(),
        1000.0,
        long_took,
    );
}

#[test]
fn a_class_cap_holds_for_the_sessions_of_the_class() {
    let target = oxftpd_testkit::target!();
    if target.is_proftpd() {
        return; // oxftpd's extension
    }
    let (s, alice) = wire::server(
        "<Class loopback>\nFrom 127.0.0.1\n</Class>\nTransferRateClass RETR 600 loopback\n\
         TransferRateClass RETR 50 elsewhere",
    );
    let body = random_bytes(1_228_800, 12);
    put(&alice, "big", &body);
    let times = parallel_downloads(s.addr(), "big", 2, body.len());
    for took in times {
        assert_paced(
            "one of two sessions of a 600 KiB/s class",
            body.len(),
            300.0,
            took,
        );
    }
}
