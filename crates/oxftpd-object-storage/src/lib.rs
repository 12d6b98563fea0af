//! Object storage with FTP's file semantics: an S3 bucket (or any S3-compatible server: a
//! custom endpoint, path-style addressing, a region) seen as a tree of files and directories,
//! through the `object_store` crate. What an FTP session does maps onto objects like this
//! (`docs/storage.md` says it for administrators):
//!
//! - a file is an object; its size and modification time are the object's (`Last-Modified`);
//!   there is no owner, group or mode;
//! - a directory is a key prefix; `MKD` leaves a zero-byte marker object ([`DIR_MARKER`]) in it
//!   so an empty directory exists, and listings never show the marker;
//! - an upload is one multipart upload, completed only when the client's data ended well: an
//!   aborted or failed upload leaves no object, partial or whole ([`Upload`]), so uploads are
//!   atomic as `HiddenStores` makes them on disk;
//! - a download is a ranged `GET` from an offset (`REST` then `RETR`);
//! - a rename is a server-side copy then a delete (files only: a directory is refused);
//! - appending (`APPE`, `REST` then `STOR`) is not possible: an object is written whole.
//!
//! The FTP daemon does not mount it yet: `docs/storage.md` says what is left.

mod error;
mod path;
mod root;
mod settings;
mod upload;

pub use error::ObjectError;
pub use root::{DIR_MARKER, Entry, Kind, ObjectRoot};
pub use settings::S3Settings;
pub use upload::Upload;
