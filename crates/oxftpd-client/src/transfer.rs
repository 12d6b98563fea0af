//! The outcome of one data transfer, with every reply the server sent for it.

use crate::Reply;

/// What a data command produced: its preliminary reply (150/125) if the server started the
/// transfer, the completion reply (226, 426, 550 ...), and the bytes moved.
#[derive(Debug, Clone)]
pub struct Transfer {
    /// The 1xx reply; `None` when the server refused the command outright.
    pub preliminary: Option<Reply>,
    /// The final reply: 226 on success, or the refusal/abort reply.
    pub completion: Reply,
    /// The bytes received (downloads through [`crate::Client::transfer_in`] only).
    pub data: Vec<u8>,
    /// The number of bytes moved over the data connection.
    pub bytes: u64,
}

impl Transfer {
    pub(crate) fn refused(reply: Reply) -> Transfer {
        Transfer {
            preliminary: None,
            completion: reply,
            data: Vec::new(),
            bytes: 0,
        }
    }
}
