//! An upload in progress: one S3 multipart upload, sent in parts as the data comes (never the
//! whole file in memory), made visible only by [`Upload::finish`]. Dropped or aborted, it is
//! cancelled on the server, so no object, partial or whole, appears.

use object_store::{MultipartUpload, WriteMultipart};

use crate::ObjectError;

/// Parts in flight at once, each [`PART`] bytes: what an upload holds in memory at most.
const IN_FLIGHT: usize = 2;
/// The part size (S3's minimum but for the last part).
const PART: usize = 5 * 1024 * 1024;

/// An upload in progress.
pub struct Upload {
    writer: Option<WriteMultipart>,
    bytes: u64,
}

impl Upload {
    pub(crate) fn new(upload: Box<dyn MultipartUpload>) -> Upload {
        Upload {
            writer: Some(WriteMultipart::new_with_chunk_size(upload, PART)),
            bytes: 0,
        }
    }

    /// Sends `data` on (waiting while [`IN_FLIGHT`] parts are being sent).
    pub async fn write(&mut self, data: &[u8]) -> Result<(), ObjectError> {
        let Some(w) = self.writer.as_mut() else {
            return Err(ObjectError::Backend("the upload has ended".into()));
        };
        w.wait_for_capacity(IN_FLIGHT)
            .await
            .map_err(ObjectError::backend)?;
        w.write(data);
        self.bytes += data.len() as u64;
        Ok(())
    }

    /// Bytes written so far.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Completes the upload: the object appears, whole. Returns its size.
    pub async fn finish(mut self) -> Result<u64, ObjectError> {
        let Some(w) = self.writer.take() else {
            return Err(ObjectError::Backend("the upload has ended".into()));
        };
        w.finish().await.map_err(ObjectError::backend)?;
        Ok(self.bytes)
    }

    /// Cancels the upload: nothing appears, and the parts sent are freed on the server.
    pub async fn abort(mut self) -> Result<(), ObjectError> {
        match self.writer.take() {
            Some(w) => w.abort().await.map_err(ObjectError::backend),
            None => Ok(()),
        }
    }
}

impl Drop for Upload {
    fn drop(&mut self) {
        if let Some(w) = self.writer.take()
            && let Ok(rt) = tokio::runtime::Handle::try_current()
        {
            rt.spawn(async move {
                let _ = w.abort().await;
            });
        }
    }
}
