//! MLST's `perm` fact and `<Limit>`: ProFTPD 1.3.8's mod_facts computes `perm` from the
//! file's mode and owner only; a `<Limit>` that refuses STOR, DELE, RNFR, MKD, CWD, RETR…
//! in the directory leaves the letters as they are (observed), and so does oxftpd.

mod wire;

use wire::{Raw, put};

/// The `perm` fact of `MLST path`.
fn perm(c: &mut Raw, path: &str) -> String {
    let reply = c.cmd(&format!("MLST {path}"));
    let facts = reply
        .lines()
        .nth(1)
        .unwrap_or_else(|| panic!("no facts line in {reply:?}"));
    facts
        .split(';')
        .find_map(|f| f.trim().strip_prefix("perm="))
        .unwrap_or_else(|| panic!("no perm in {facts:?}"))
        .to_string()
}

#[test]
fn limits_do_not_change_the_perm_fact() {
    let target = oxftpd_testkit::target!();
    let mut setup = oxftpd_testkit::Setup::new(&target).expect("setup");
    let alice = setup.add_user("alice", "secret").expect("alice");
    let lim = alice.home.join("lim");
    std::fs::create_dir(&lim).expect("lim");
    std::os::unix::fs::chown(&lim, Some(alice.uid), Some(alice.gid)).expect("chown");
    put(&alice, "lim/f", b"hi");
    std::fs::create_dir(lim.join("sub")).expect("sub");
    std::os::unix::fs::chown(lim.join("sub"), Some(alice.uid), Some(alice.gid)).expect("chown");
    setup.config(&format!(
        "DefaultRoot ~\n<Directory {}>\n<Limit STOR APPE DELE RNFR MKD RMD CWD RETR>\nDenyAll\n</Limit>\n</Directory>\n",
        lim.display()
    ));
    let s = oxftpd_testkit::TestServer::start(setup).expect("start");
    let mut c = Raw::login(s.addr());
    // The <Limit> is in force…
    assert_eq!(c.cmd("DELE /lim/f"), "550 /lim/f: Operation not permitted");
    // …and the perm facts are the mode's.
    assert_eq!(perm(&mut c, "/lim/f"), "adfrw");
    assert_eq!(perm(&mut c, "/lim/sub"), "flcdmpe");
}
