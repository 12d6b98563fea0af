//! `ServerType inetd`: one session on the connection inetd/xinetd (or systemd with
//! `Accept=yes`) put on standard input.

// This file calls libc (or other C APIs): unsafe code is allowed here only, each block
// with a SAFETY comment saying why it is sound.
#![allow(unsafe_code)]

use std::os::fd::{FromRawFd, RawFd};

use anyhow::{Result, bail};

/// Takes the client connection from fd 0 (moved to a new fd; 0 and 1 then point at
/// /dev/null so nothing else writes into the session), or says why fd 0 is not one.
pub fn take_stdin_socket() -> Result<std::net::TcpStream> {
    // SAFETY: isatty only inspects the fd.
    if unsafe { libc::isatty(0) } == 1 {
        bail!(
            "ServerType inetd, but standard input is a terminal: in inetd mode oxftpd expects \
             inetd/xinetd (or a systemd socket with Accept=yes) to start it with the client's \
             connection on stdin. Run it yourself with 'ServerType standalone' instead \
             (ProFTPD says \"Socket operation on non-socket\" here)"
        );
    }
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: fstat into a zeroed stat buffer.
    if unsafe { libc::fstat(0, &mut st) } != 0 {
        bail!(
            "ServerType inetd: standard input is closed ({})",
            std::io::Error::last_os_error()
        );
    }
    if st.st_mode & libc::S_IFMT != libc::S_IFSOCK {
        bail!(
            "ServerType inetd: standard input is not a socket (Socket operation on non-socket): \
             oxftpd was not started by inetd/xinetd; use 'ServerType standalone'"
        );
    }
    // SAFETY: dup of fd 0, checked below.
    let fd: RawFd = unsafe { libc::fcntl(0, libc::F_DUPFD_CLOEXEC, 3) };
    if fd < 0 {
        bail!("dup of stdin: {}", std::io::Error::last_os_error());
    }
    if let Ok(null) = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/null")
    {
        use std::os::fd::AsRawFd;
        // SAFETY: dup2 of a valid fd onto 0 and 1.
        unsafe {
            libc::dup2(null.as_raw_fd(), 0);
            libc::dup2(null.as_raw_fd(), 1);
        }
    }
    // SAFETY: fd is our own duplicate of the socket.
    let stream = unsafe { std::net::TcpStream::from_raw_fd(fd) };
    stream.set_nonblocking(true)?;
    Ok(stream)
}
