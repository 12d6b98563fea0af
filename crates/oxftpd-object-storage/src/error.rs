//! Why an object-storage operation failed, in FTP's terms.

/// An object-storage failure.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ObjectError {
    /// No such file or directory.
    #[error("{0}: No such file or directory")]
    NotFound(String),
    /// The name is taken.
    #[error("{0}: File exists")]
    Exists(String),
    /// A directory where a file is needed.
    #[error("{0}: Is a directory")]
    IsADirectory(String),
    /// A file where a directory is needed.
    #[error("{0}: Not a directory")]
    NotADirectory(String),
    /// `RMD` of a directory with something in it.
    #[error("{0}: Directory not empty")]
    NotEmpty(String),
    /// What objects cannot do (appending, renaming a directory).
    #[error("{0}: Operation not supported on object storage")]
    Unsupported(String),
    /// A path that leaves the root or cannot be a key.
    #[error("{0}: Invalid path")]
    BadPath(String),
    /// The settings are wrong (a bad URL or option).
    #[error("object storage: {0}")]
    Settings(String),
    /// The server failed or could not be reached.
    #[error("object storage: {0}")]
    Backend(String),
}

impl ObjectError {
    pub(crate) fn backend(e: object_store::Error) -> ObjectError {
        ObjectError::Backend(e.to_string())
    }

    /// Whether it is [`ObjectError::NotFound`].
    pub fn is_not_found(&self) -> bool {
        matches!(self, ObjectError::NotFound(_))
    }
}
