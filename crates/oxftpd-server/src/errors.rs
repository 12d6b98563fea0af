//! The one place where storage and data-connection errors become FTP replies.

use oxftpd_proto::reply::Reply;
use oxftpd_storage::StorageError;

use crate::data::channel::DataError;

/// The `strerror`-style text ProFTPD puts after the path.
pub fn reason(e: &StorageError) -> String {
    match e {
        StorageError::NotFound => "No such file or directory".into(),
        StorageError::PermissionDenied => "Permission denied".into(),
        StorageError::AlreadyExists => "File exists".into(),
        StorageError::NotADirectory => "Not a directory".into(),
        StorageError::IsADirectory => "Is a directory".into(),
        StorageError::DirectoryNotEmpty => "Directory not empty".into(),
        StorageError::NoSpace => "No space left on device".into(),
        StorageError::InvalidPath(_) => "Invalid path".into(),
        StorageError::NotRegularFile => "Not a regular file".into(),
        other => other.to_string(),
    }
}

/// `550 path: reason` (`code` overrides 550, e.g. 450 for listings, 552 for a full disk).
pub fn fs_reply(code: u16, path: &str, e: &StorageError) -> Reply {
    let code = match e {
        StorageError::NoSpace if code == 550 => 552,
        _ => code,
    };
    Reply::new(code, format!("{path}: {}", reason(e)))
}

/// The reply when a data connection can't be made.
pub fn data_reply(e: &DataError) -> Reply {
    match e {
        DataError::NotPrepared => Reply::new(
            425,
            "Unable to build data connection: No PORT or PASV command given",
        ),
        DataError::Io(io) => Reply::new(
            425,
            format!("Unable to build data connection: {}", io_text(io)),
        ),
    }
}

/// A short text for an I/O error, without the "(os error N)" suffix.
pub fn io_text(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}
