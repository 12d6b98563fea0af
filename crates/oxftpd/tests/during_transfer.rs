//! The control connection while a transfer runs, as ProFTPD's data loop serves it: `NOOP`
//! answers `200 NOOP: data transfer in progress`, the data commands `450 VERB: data transfer
//! in progress`, `STAT` the transfer's progress. ProFTPD reads a command between two reads
//! of the data connection, so each command here is followed by more data.

mod wire;

use std::io::Write;
use std::net::TcpStream;

use wire::{Raw, get, server, wait_until};

const CHUNK: usize = 1000;

/// Sends `line` during the upload, then one more chunk so ProFTPD's loop reads it; returns
/// the reply.
fn during(c: &mut Raw, data: &mut TcpStream, sent: &mut usize, line: &str) -> String {
    c.line(line);
    data.write_all(&[b'y'; CHUNK]).expect("send");
    *sent += CHUNK;
    c.reply()
}

#[test]
fn noop_stat_and_data_commands_during_an_upload() {
    let (s, alice) = server("");
    let mut c = Raw::login(s.addr());
    c.cmd("TYPE I");
    let mut data = c.pasv(None);
    let data_port = data.local_addr().expect("local").port();
    assert_eq!(
        c.cmd("STOR up.bin"),
        "150 Opening BINARY mode data connection for up.bin"
    );
    data.write_all(&[b'x'; CHUNK]).expect("send");
    let mut sent = CHUNK;
    let path = alice.home.join("up.bin");
    assert!(wait_until(
        || std::fs::metadata(&path).is_ok_and(|m| m.len() == CHUNK as u64)
    ));
    assert_eq!(
        during(&mut c, &mut data, &mut sent, "NOOP"),
        "200 NOOP: data transfer in progress"
    );
    for verb in [
        "LIST",
        "RETR up.bin",
        "PASV",
        "EPSV",
        "PORT 127,0,0,1,4,1",
        "RNFR up.bin",
    ] {
        let want = format!(
            "450 {}: data transfer in progress",
            verb.split(' ').next().unwrap_or("")
        );
        assert_eq!(during(&mut c, &mut data, &mut sent, verb), want);
    }
    // Everything sent so far is on disk: the server has read it.
    assert!(wait_until(
        || std::fs::metadata(&path).is_ok_and(|m| m.len() == sent as u64)
    ));
    let before = sent;
    let stat = during(&mut c, &mut data, &mut sent, "STAT");
    let lines: Vec<&str> = stat.lines().collect();
    // The byte count depends on whether the chunk after STAT was read before the answer.
    let bytes = lines
        .get(6)
        .and_then(|l| l.strip_prefix(" STOR /up.bin ("))
        .and_then(|l| l.strip_suffix(')'))
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or_else(|| panic!("STAT: {stat}"));
    assert!(
        bytes == before || bytes == sent,
        "STAT counted {bytes} of {sent}"
    );
    assert_eq!(lines[0], "211-Status of 'testkit'");
    assert_eq!(lines[1], " Connected from 127.0.0.1 (127.0.0.1)");
    assert_eq!(lines[2], " Logged in as alice");
    assert_eq!(lines[3], " TYPE: BINARY, STRUcture: File, Mode: Stream");
    assert_eq!(
        lines[4],
        format!(" Total bytes transferred for session: {bytes}")
    );
    assert_eq!(
        lines[5],
        format!(" Passive data transfer from from 127.0.0.1 port {data_port}")
    );
    assert_eq!(lines[7], "211 End of status");
    drop(data);
    assert_eq!(c.reply(), "226 Transfer complete");
    assert_eq!(get(&path).map(|b| b.len()), Some(sent));
    // Served during the transfer, so nothing is left to answer after it.
    assert_eq!(c.cmd("NOOP"), "200 NOOP command successful");
}
