//! A tree of files and directories in a bucket, under a key prefix.

use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;
use futures::stream::{self, BoxStream, StreamExt};
use object_store::path::Path;
use object_store::{GetOptions, GetRange, ObjectStore, PutPayload};

use crate::path::{key, parts};
use crate::{ObjectError, S3Settings, Upload};

/// The zero-byte object `MKD` leaves in a directory so it exists while empty; never listed,
/// and not a name a client may use.
pub const DIR_MARKER: &str = ".oxftpd-dir";

/// A file or a directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An object.
    File,
    /// A key prefix.
    Dir,
}

/// What a listing or a `stat` says of a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The last part of its path (empty for the root).
    pub name: String,
    /// File or directory.
    pub kind: Kind,
    /// Bytes (0 for a directory).
    pub size: u64,
    /// The object's `Last-Modified` (`None` for a directory).
    pub modified: Option<SystemTime>,
}

/// Files and directories in a bucket under a prefix.
#[derive(Clone)]
pub struct ObjectRoot {
    store: Arc<dyn ObjectStore>,
    prefix: Path,
}

fn dir(name: String) -> Entry {
    Entry {
        name,
        kind: Kind::Dir,
        size: 0,
        modified: None,
    }
}

fn file(name: String, meta: &object_store::ObjectMeta) -> Entry {
    Entry {
        name,
        kind: Kind::File,
        size: meta.size,
        modified: Some(meta.last_modified.into()),
    }
}

impl ObjectRoot {
    /// The tree under `prefix` of `store`.
    pub fn new(store: Arc<dyn ObjectStore>, prefix: &str) -> ObjectRoot {
        ObjectRoot {
            store,
            prefix: Path::from(prefix),
        }
    }

    /// The tree the S3 settings name.
    pub fn s3(settings: &S3Settings) -> Result<ObjectRoot, ObjectError> {
        Ok(ObjectRoot::new(settings.store()?, &settings.prefix))
    }

    /// The parts and key of a client path; the marker's name is refused.
    fn locate(&self, path: &str) -> Result<(Vec<String>, Path), ObjectError> {
        let p = parts(path)?;
        if p.last().is_some_and(|l| l == DIR_MARKER) {
            return Err(ObjectError::BadPath(path.to_string()));
        }
        let k = key(&self.prefix, &p);
        Ok((p, k))
    }

    /// Whether something is under `k` (a directory).
    async fn has_children(&self, k: &Path) -> Result<bool, ObjectError> {
        let prefix = (!k.as_ref().is_empty()).then_some(k);
        let found = self
            .store
            .list_with_delimiter(prefix)
            .await
            .map_err(ObjectError::backend)?;
        Ok(!found.objects.is_empty() || !found.common_prefixes.is_empty())
    }

    /// What `path` is.
    pub async fn metadata(&self, path: &str) -> Result<Entry, ObjectError> {
        let (p, k) = self.locate(path)?;
        let name = p.last().cloned().unwrap_or_default();
        if p.is_empty() {
            return Ok(dir(name));
        }
        match self.store.head(&k).await {
            Ok(meta) => return Ok(file(name, &meta)),
            Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => return Err(ObjectError::backend(e)),
        }
        if self.has_children(&k).await? {
            Ok(dir(name))
        } else {
            Err(ObjectError::NotFound(path.to_string()))
        }
    }

    async fn want_dir(&self, path: &str) -> Result<(), ObjectError> {
        match self.metadata(path).await?.kind {
            Kind::Dir => Ok(()),
            Kind::File => Err(ObjectError::NotADirectory(path.to_string())),
        }
    }

    /// The parent of `p` as a client path.
    fn parent(p: &[String]) -> String {
        format!("/{}", p[..p.len().saturating_sub(1)].join("/"))
    }

    /// The entries of the directory `path`, sorted by name (one directory's names are held,
    /// fetched page by page by the client crate).
    pub async fn list(&self, path: &str) -> Result<Vec<Entry>, ObjectError> {
        self.want_dir(path).await?;
        let (_, k) = self.locate(path)?;
        let prefix = (!k.as_ref().is_empty()).then_some(&k);
        let found = self
            .store
            .list_with_delimiter(prefix)
            .await
            .map_err(ObjectError::backend)?;
        let mut out: Vec<Entry> = found
            .common_prefixes
            .iter()
            .filter_map(|d| d.filename().map(|n| dir(n.to_string())))
            .chain(found.objects.iter().filter_map(|o| {
                o.location
                    .filename()
                    .filter(|n| *n != DIR_MARKER)
                    .map(|n| file(n.to_string(), o))
            }))
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// The bytes of the file `path` from `offset` on (`REST`), as they come.
    pub async fn read(
        &self,
        path: &str,
        offset: u64,
    ) -> Result<BoxStream<'static, Result<Bytes, ObjectError>>, ObjectError> {
        let meta = self.metadata(path).await?;
        if meta.kind == Kind::Dir {
            return Err(ObjectError::IsADirectory(path.to_string()));
        }
        if offset >= meta.size {
            return Ok(stream::empty().boxed());
        }
        let (_, k) = self.locate(path)?;
        let options = GetOptions {
            range: Some(GetRange::Offset(offset)),
            ..GetOptions::default()
        };
        let got = self
            .store
            .get_opts(&k, options)
            .await
            .map_err(ObjectError::backend)?;
        Ok(got
            .into_stream()
            .map(|r| r.map_err(ObjectError::backend))
            .boxed())
    }

    /// Starts an upload to `path` (its directory must exist; a directory cannot be replaced).
    pub async fn upload(&self, path: &str) -> Result<Upload, ObjectError> {
        let (p, k) = self.locate(path)?;
        if p.is_empty() {
            return Err(ObjectError::IsADirectory(path.to_string()));
        }
        self.want_dir(&Self::parent(&p)).await?;
        match self.metadata(path).await {
            Ok(e) if e.kind == Kind::Dir => {
                return Err(ObjectError::IsADirectory(path.to_string()));
            }
            Ok(_) => {}
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e),
        }
        let upload = self
            .store
            .put_multipart(&k)
            .await
            .map_err(ObjectError::backend)?;
        Ok(Upload::new(upload))
    }

    /// Deletes the file `path`.
    pub async fn remove_file(&self, path: &str) -> Result<(), ObjectError> {
        if self.metadata(path).await?.kind == Kind::Dir {
            return Err(ObjectError::IsADirectory(path.to_string()));
        }
        let (_, k) = self.locate(path)?;
        self.store.delete(&k).await.map_err(ObjectError::backend)
    }

    /// Renames the file `from` to `to` (replacing a file there): a copy on the server, then a
    /// delete. A directory is refused: it would be a copy of every object under it.
    pub async fn rename(&self, from: &str, to: &str) -> Result<(), ObjectError> {
        if self.metadata(from).await?.kind == Kind::Dir {
            return Err(ObjectError::Unsupported(from.to_string()));
        }
        let (tp, tk) = self.locate(to)?;
        if tp.is_empty() {
            return Err(ObjectError::IsADirectory(to.to_string()));
        }
        self.want_dir(&Self::parent(&tp)).await?;
        match self.metadata(to).await {
            Ok(e) if e.kind == Kind::Dir => return Err(ObjectError::IsADirectory(to.to_string())),
            Ok(_) => {}
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e),
        }
        let (_, fk) = self.locate(from)?;
        if fk == tk {
            return Ok(());
        }
        self.store
            .copy(&fk, &tk)
            .await
            .map_err(ObjectError::backend)?;
        self.store.delete(&fk).await.map_err(ObjectError::backend)
    }

    /// Makes the directory `path` (its parent must exist).
    pub async fn mkdir(&self, path: &str) -> Result<(), ObjectError> {
        let (p, k) = self.locate(path)?;
        match self.metadata(path).await {
            Ok(_) => return Err(ObjectError::Exists(path.to_string())),
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e),
        }
        self.want_dir(&Self::parent(&p)).await?;
        self.store
            .put(&k.child(DIR_MARKER), PutPayload::new())
            .await
            .map_err(ObjectError::backend)?;
        Ok(())
    }

    /// Removes the empty directory `path`.
    pub async fn rmdir(&self, path: &str) -> Result<(), ObjectError> {
        let (p, k) = self.locate(path)?;
        if p.is_empty() {
            return Err(ObjectError::BadPath(path.to_string()));
        }
        self.want_dir(path).await?;
        let found = self
            .store
            .list_with_delimiter(Some(&k))
            .await
            .map_err(ObjectError::backend)?;
        let others = found
            .objects
            .iter()
            .any(|o| o.location.filename() != Some(DIR_MARKER));
        if others || !found.common_prefixes.is_empty() {
            return Err(ObjectError::NotEmpty(path.to_string()));
        }
        self.store
            .delete(&k.child(DIR_MARKER))
            .await
            .map_err(ObjectError::backend)
    }
}
