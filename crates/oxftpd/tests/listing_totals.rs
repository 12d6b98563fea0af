//! The session byte counters count directory listings (ProFTPD 1.3.8, observed): LIST, NLST
//! and MLSD add their bytes (before `MODE Z` compression) to `%{total_bytes_out}` and `%k`,
//! never to the file counters.

mod wire;

use wire::Raw;

#[test]
fn listings_count_in_the_byte_totals_only() {
    let target = oxftpd_testkit::target!();
    let mut setup = oxftpd_testkit::Setup::new(&target).expect("setup");
    let alice = setup.add_user("alice", "secret").expect("alice");
    std::fs::write(alice.home.join("a.txt"), b"abc").expect("a.txt");
    let quit = setup.dir().join("quit.msg");
    std::fs::write(
        &quit,
        "out=%{total_bytes_out} xfer=%{total_bytes_xfer} files=%{total_files_xfer} k=%k t=%t\n",
    )
    .expect("quit.msg");
    setup.config(&format!("DisplayQuit {}\n", quit.display()));
    let server = oxftpd_testkit::TestServer::start(setup).expect("start");
    let mut c = Raw::login(server.addr());
    let mut sent = 0;
    for verb in ["NLST", "LIST", "MLSD"] {
        let (_, bytes, last) = c.download(verb);
        assert_eq!(last, "226 Transfer complete", "{verb}");
        assert!(!bytes.is_empty(), "{verb}");
        sent += bytes.len();
    }
    assert_eq!(
        c.cmd("QUIT"),
        format!("221 out={sent} xfer={sent} files=0 k={sent}B t=0")
    );
}
