//! The reply to a data transfer that failed, as ProFTPD's `pr_data_abort` words it from the
//! error: the client closing or resetting its end is `426 Transfer aborted. Data connection
//! closed`; a full disk `452`; a quota or size limit `552`; I/O and memory trouble `451`; a lost
//! network file system `450 … Link to file server lost`; anything else `426` with the error's
//! text.

use std::io;

use oxftpd_proto::reply::codes;

/// The code and text of the reply for a transfer that failed with `e`.
pub fn reply_for(e: &io::Error) -> (u16, String) {
    let (code, text): (u16, Option<&str>) = match e.raw_os_error() {
        Some(libc::ECONNABORTED | libc::ECONNRESET | libc::EPIPE) => {
            (codes::TRANSFER_ABORTED, Some("Data connection closed"))
        }
        Some(libc::ENXIO) => (codes::LOCAL_ERROR, Some("Unexpected streams hangup")),
        Some(libc::EAGAIN | libc::ENOMEM) => (
            codes::LOCAL_ERROR,
            Some("Insufficient memory or file locked"),
        ),
        Some(libc::ETXTBSY | libc::EBUSY) => (codes::LOCAL_ERROR, None),
        Some(libc::ENOSPC) => (codes::INSUFFICIENT_STORAGE, None),
        Some(libc::EDQUOT | libc::EFBIG) => (codes::EXCEEDED_STORAGE, None),
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
        ) => (codes::LOCAL_ERROR, None),
        Some(
            libc::EREMCHG
            | libc::ESRMNT
            | libc::ESTALE
            | libc::ENOLINK
            | libc::ENOLCK
            | libc::ENETRESET
            | libc::ETIMEDOUT,
        ) => (
            codes::FILE_ACTION_NOT_TAKEN,
            Some("Link to file server lost"),
        ),
        Some(_) => (codes::TRANSFER_ABORTED, None),
        None => match e.kind() {
            io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe
            | io::ErrorKind::UnexpectedEof => {
                (codes::TRANSFER_ABORTED, Some("Data connection closed"))
            }
            _ => (codes::TRANSFER_ABORTED, None),
        },
    };
    let text = match text {
        Some(t) => t.to_string(),
        None => io_text(e),
    };
    (code, format!("Transfer aborted. {text}"))
}

/// A short text for an I/O error, without the "(os error N)" suffix.
pub fn io_text(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
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
