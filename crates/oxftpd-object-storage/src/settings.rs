//! Where a root is: `s3://bucket/prefix`, with the endpoint, region and addressing of an
//! S3-compatible server, and credentials from the environment (`AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`) or given here.

use std::sync::Arc;

use object_store::ObjectStore;
use object_store::aws::AmazonS3Builder;

use crate::ObjectError;

/// How to reach one S3 bucket.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct S3Settings {
    /// The bucket.
    pub bucket: String,
    /// The key prefix the root is under (no leading or trailing `/`; empty for the bucket).
    pub prefix: String,
    /// A custom endpoint (`http://127.0.0.1:9000`) for an S3-compatible server.
    pub endpoint: Option<String>,
    /// The region (`us-east-1` when not given).
    pub region: Option<String>,
    /// Path-style addressing (`endpoint/bucket/key`) rather than virtual-hosted.
    pub path_style: bool,
    /// Access key id and secret (else from the environment).
    pub credentials: Option<(String, String)>,
}

impl S3Settings {
    /// Reads `s3://bucket/prefix`.
    pub fn from_url(url: &str) -> Result<S3Settings, ObjectError> {
        let rest = url
            .strip_prefix("s3://")
            .ok_or_else(|| ObjectError::Settings(format!("'{url}' is not an s3:// URL")))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(ObjectError::Settings(format!("'{url}' names no bucket")));
        }
        Ok(S3Settings {
            bucket: bucket.to_string(),
            prefix: prefix.trim_matches('/').to_string(),
            ..S3Settings::default()
        })
    }

    /// The store these settings name.
    pub fn store(&self) -> Result<Arc<dyn ObjectStore>, ObjectError> {
        let mut b = AmazonS3Builder::from_env()
            .with_bucket_name(&self.bucket)
            .with_region(self.region.as_deref().unwrap_or("us-east-1"))
            .with_virtual_hosted_style_request(!self.path_style);
        if let Some(e) = &self.endpoint {
            b = b.with_endpoint(e).with_allow_http(e.starts_with("http://"));
        }
        if let Some((id, secret)) = &self.credentials {
            b = b.with_access_key_id(id).with_secret_access_key(secret);
        }
        Ok(Arc::new(
            b.build()
                .map_err(|e| ObjectError::Settings(e.to_string()))?,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let s = S3Settings::from_url("s3://bucket/some/prefix/").expect("ok");
        assert_eq!(
            (s.bucket.as_str(), s.prefix.as_str()),
            ("bucket", "some/prefix")
        );
        let s = S3Settings::from_url("s3://bucket").expect("ok");
        assert_eq!((s.bucket.as_str(), s.prefix.as_str()), ("bucket", ""));
        assert!(S3Settings::from_url("s3:///x").is_err());
        assert!(S3Settings::from_url("gs://b/x").is_err());
    }
}
