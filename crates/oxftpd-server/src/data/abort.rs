//! The reply to a data transfer that failed, as ProFTPD's `pr_data_abort` words it from the
//! error: the client closing or resetting its end is `426 Transfer aborted. Data connection
//! closed`; a full disk `452`; a quota or size limit `552`; I/O and memory trouble `451`; a lost
//! network file system `450 … Link to file server lost`; anything else `426` with the error's
//! text.

use std::io;

/// The code and text of the reply for a transfer that failed with `e`.
pub fn reply_for(e: &io::Error) -> (u16, String) {
    let (code, text): (u16, Option<&str>) = match e.raw_os_error() {
        Some(libc::ECONNABORTED | libc::ECONNRESET | libc::EPIPE) => {
            (426, Some("Data connection closed"))
        }
        Some(libc::ENXIO) => (451, Some("Unexpected streams hangup")),
        Some(libc::EAGAIN | libc::ENOMEM) => (451, Some("Insufficient memory or file locked")),
        Some(libc::ETXTBSY | libc::EBUSY) => (451, None),
        Some(libc::ENOSPC) => (452, None),
        Some(libc::EDQUOT | libc::EFBIG) => (552, None),
        Some(
            libc::ECOMM
            | libc::EDEADLK
            | libc::EXFULL
            | libc::ENOSR
            | libc::EPROTO
            | libc::ETIME
            | libc::EIO
            | libc::EFAULT
            | libc::ESPIPE,
        ) => (451, None),
        Some(
            libc::EREMCHG
            | libc::ESRMNT
            | libc::ESTALE
            | libc::ENOLINK
            | libc::ENOLCK
            | libc::ENETRESET
            | libc::ETIMEDOUT,
        ) => (450, Some("Link to file server lost")),
        Some(_) => (426, None),
        None => match e.kind() {
            io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe
            | io::ErrorKind::UnexpectedEof => (426, Some("Data connection closed")),
            _ => (426, None),
        },
    };
    let text = match text {
        Some(t) => t.to_string(),
        None => crate::errors::io_text(e),
    };
    (code, format!("Transfer aborted. {text}"))
}

#[cfg(test)]
mod tests {
    use super::reply_for;
    use std::io;

    #[test]
    fn a_closed_data_connection_is_said_as_proftpd_says_it() {
        for errno in [libc::EPIPE, libc::ECONNRESET, libc::ECONNABORTED] {
            assert_eq!(
                reply_for(&io::Error::from_raw_os_error(errno)),
                (426, "Transfer aborted. Data connection closed".to_string())
            );
        }
        assert_eq!(
            reply_for(&io::Error::from(io::ErrorKind::BrokenPipe)).0,
            426
        );
    }

    #[test]
    fn disk_and_io_errors_get_their_codes() {
        let (code, text) = reply_for(&io::Error::from_raw_os_error(libc::ENOSPC));
        assert_eq!(code, 452);
        assert_eq!(text, "Transfer aborted. No space left on device");
        assert_eq!(
            reply_for(&io::Error::from_raw_os_error(libc::EDQUOT)).0,
            552
        );
        assert_eq!(reply_for(&io::Error::from_raw_os_error(libc::EIO)).0, 451);
        assert_eq!(
            reply_for(&io::Error::from_raw_os_error(libc::ETIMEDOUT)),
            (
                450,
                "Transfer aborted. Link to file server lost".to_string()
            )
        );
        assert_eq!(
            reply_for(&io::Error::from_raw_os_error(libc::EACCES)).0,
            426
        );
    }
}
