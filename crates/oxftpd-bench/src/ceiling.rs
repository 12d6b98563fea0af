//! `ceiling`: what loopback TCP carries on this machine, as a yardstick for the FTP figures:
//! one sendfile→recv stream of our own, and iperf3 when it is installed.

// This file calls libc (or other C APIs): unsafe code is allowed here only, each block
// with a SAFETY comment saying why it is sound.
#![allow(unsafe_code)]

use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::report::Record;
use crate::stats::mb_per_s;

/// Size of the in-memory file sendfile reads from.
const SOURCE_SIZE: usize = 64 << 20;

/// Sends `bytes` from a memory-backed file over one loopback TCP stream with sendfile(2)
/// and receives them with plain reads; the rate is taken at the receiver.
pub fn sendfile_pair(bytes: u64) -> Result<Record> {
    let source = memfd(SOURCE_SIZE)?;
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let sender = std::thread::spawn(move || -> Result<()> {
        let tcp = TcpStream::connect(addr)?;
        tcp.set_write_timeout(Some(Duration::from_secs(30)))?;
        let mut left = bytes;
        while left > 0 {
            let mut off: libc::off_t = 0;
            while off < SOURCE_SIZE as libc::off_t && left > 0 {
                let want = (SOURCE_SIZE - off as usize).min(left.min(usize::MAX as u64) as usize);
                // SAFETY: valid fds, a live offset pointer, a count within the file.
                let n =
                    unsafe { libc::sendfile(tcp.as_raw_fd(), source.as_raw_fd(), &mut off, want) };
                if n <= 0 {
                    return Err(std::io::Error::last_os_error()).context("sendfile");
                }
                left -= n as u64;
            }
        }
        Ok(())
    });
    let (mut rx, _) = listener.accept()?;
    rx.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut buf = vec![0u8; 256 << 10];
    let start = Instant::now();
    let mut got = 0u64;
    loop {
        let n = rx.read(&mut buf)?;
        if n == 0 {
            break;
        }
        got += n as u64;
    }
    let secs = start.elapsed().as_secs_f64();
    match sender.join() {
        Ok(r) => r?,
        Err(_) => bail!("sender thread panicked"),
    }
    if got != bytes {
        bail!("received {got} of {bytes} bytes");
    }
    Ok(Record::new("ceiling-sendfile")
        .int("bytes", got)
        .num("secs", secs)
        .num("mb_s", mb_per_s(got, secs)))
}

/// An anonymous memory file of `size` bytes (zeros), for sendfile to read.
fn memfd(size: usize) -> Result<OwnedFd> {
    // SAFETY: a NUL-terminated name and valid flags.
    let fd = unsafe { libc::memfd_create(c"oxftpd-bench".as_ptr(), libc::MFD_CLOEXEC) };
    if fd < 0 {
        return Err(std::io::Error::last_os_error()).context("memfd_create");
    }
    // SAFETY: fd was just returned by memfd_create and is owned by nobody else.
    let owned = unsafe { OwnedFd::from_raw_fd(fd) };
    let file = std::fs::File::from(owned);
    file.set_len(size as u64)?;
    // Touch every page so that sendfile reads memory, not holes.
    let page = vec![1u8; 1 << 20];
    for i in 0..size / page.len() {
        std::os::unix::fs::FileExt::write_all_at(&file, &page, (i * page.len()) as u64)?;
    }
    Ok(OwnedFd::from(file))
}

/// One iperf3 stream over loopback for `secs` seconds, on `port`.
pub fn iperf3(port: u16, secs: u32) -> Result<Record> {
    let mut server = Command::new("iperf3")
        .args(["-s", "-B", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("starting iperf3 -s (is iperf3 installed?)")?;
    let result = iperf3_client(port, secs);
    let _ = server.kill();
    let _ = server.wait();
    result
}

fn iperf3_client(port: u16, secs: u32) -> Result<Record> {
    let deadline = Instant::now() + Duration::from_secs(5);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            bail!("iperf3 server did not listen on port {port}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    // The probe above may be taken for a test that fails; the server then listens again,
    // so the client gets a few bounded tries.
    let mut last = String::new();
    for _ in 0..5 {
        let out = Command::new("timeout")
            .args([
                &(secs + 20).to_string(),
                "iperf3",
                "-c",
                "127.0.0.1",
                "-p",
                &port.to_string(),
                "-t",
                &secs.to_string(),
                "-J",
            ])
            .output()
            .context("running iperf3 -c")?;
        last = String::from_utf8_lossy(&out.stdout).into_owned();
        if let Some(bps) = received_bps(&last) {
            return Ok(Record::new("ceiling-iperf3")
                .int("secs", u64::from(secs))
                .num("mb_s", bps / 8e6));
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    let error = last
        .lines()
        .find(|l| l.contains("\"error\""))
        .unwrap_or("no result")
        .trim()
        .to_string();
    bail!("iperf3 gave no sum_received: {error}")
}

/// `end.sum_received.bits_per_second` from iperf3's JSON, found by key order.
fn received_bps(json: &str) -> Option<f64> {
    let at = json.find("\"sum_received\"")?;
    let rest = &json[at..];
    let key = rest.find("\"bits_per_second\"")?;
    let value = rest[key + "\"bits_per_second\"".len()..]
        .trim_start()
        .strip_prefix(':')?
        .trim_start();
    let end = value.find(|c: char| {
        !(c.is_ascii_digit() || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')
    })?;
    value[..end].parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iperf3_json() {
        let j = r#"{"end":{"sum_sent":{"bits_per_second":1.5e10},"sum_received":{"seconds":5,"bytes":9,"bits_per_second":12000000000.5,"sender":true}}}"#;
        assert_eq!(received_bps(j), Some(12_000_000_000.5));
        assert_eq!(received_bps("{}"), None);
    }

    #[test]
    fn sendfile_moves_every_byte() {
        let r = sendfile_pair(3 * SOURCE_SIZE as u64 / 2).expect("pair");
        assert_eq!(
            r.fields[0],
            (
                "bytes",
                crate::report::Value::Int(3 * SOURCE_SIZE as u64 / 2)
            )
        );
    }
}
