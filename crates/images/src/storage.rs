//! Where variant files live: one interface ([`FileStore`]) over the local filesystem and
//! S3-compatible object storage, both through the `object_store` crate.
//!
//! Writes are atomic on both: the local backend writes a staging file beside the target and
//! renames it into place (a reader sees the whole file or none; a failed write removes its staging
//! file), and an S3 PUT is visible only once complete. Deleting a local file removes the shard
//! directories it leaves empty.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use futures_util::stream::BoxStream;
use futures_util::{StreamExt, TryStreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{GetOptions, GetRange, ObjectStore, PutPayload};
use time::OffsetDateTime;

/// Which backend holds the files, and how to reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageConfig {
    /// A directory on this machine (created if missing), e.g. `./data/uploads`.
    Local {
        /// The root directory; keys are paths below it.
        root: PathBuf,
    },
    /// An S3-compatible bucket.
    S3(S3Config),
}

/// An S3-compatible bucket (AWS, MinIO, Ceph, …). Its `Debug` never shows the secret key.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct S3Config {
    /// The service URL, e.g. `http://127.0.0.1:9000`; `None` or empty for AWS itself.
    pub endpoint: Option<String>,
    /// The bucket (it must exist).
    pub bucket: String,
    /// The region, e.g. `eu-central-1` (`us-east-1` for most self-hosted servers).
    pub region: String,
    /// Access key id.
    pub access_key_id: String,
    /// Secret access key.
    pub secret_access_key: String,
    /// Path-style addressing (`endpoint/bucket/key`), as most self-hosted servers need; otherwise
    /// virtual-hosted style (`bucket.endpoint/key`).
    pub path_style: bool,
}

impl Default for S3Config {
    fn default() -> Self {
        S3Config {
            endpoint: None,
            bucket: String::new(),
            region: "us-east-1".to_owned(),
            access_key_id: String::new(),
            secret_access_key: String::new(),
            path_style: true,
        }
    }
}

impl std::fmt::Debug for S3Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Config")
            .field("endpoint", &self.endpoint)
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field("path_style", &self.path_style)
            .finish()
    }
}

/// A storage failure (I/O, network, permissions): a 5xx, never the uploader's fault.
#[derive(Debug, thiserror::Error)]
#[error("image storage: {0}")]
pub struct StorageError(#[from] object_store::Error);

impl StorageError {
    /// Whether the storage is full (no space left on the device, or over a quota): the 507 of
    /// an upload, not a 503 that says "try again soon".
    pub fn is_full(&self) -> bool {
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&self.0);
        while let Some(error) = source {
            if let Some(io) = error.downcast_ref::<std::io::Error>()
                && matches!(io.kind(), std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded)
            {
                return true;
            }
            source = error.source();
        }
        false
    }
}

/// One stored file, as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    /// Its key, e.g. `products/ab/cd/abcd…_800.webp`.
    pub key: String,
    /// Its size in bytes.
    pub size: u64,
    /// When it was last written.
    pub last_modified: OffsetDateTime,
}

/// Which bytes of a file to read (an HTTP `Range: bytes=…` spec).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteRange {
    /// `first-last`, both inclusive.
    FromTo(u64, u64),
    /// `first-`: from `first` to the end.
    From(u64),
    /// `-n`: the last `n` bytes.
    Last(u64),
}

/// A file being read: its bytes as a stream.
pub struct FileRead {
    /// The file's whole size.
    pub size: u64,
    /// The bytes streamed: `0..size`, or the satisfiable part of the asked range.
    pub range: std::ops::Range<u64>,
    /// The bytes.
    pub body: BoxStream<'static, Result<Bytes, StorageError>>,
}

impl std::fmt::Debug for FileRead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileRead").field("size", &self.size).field("range", &self.range).finish()
    }
}

/// What [`FileStore::read`] found.
#[derive(Debug)]
pub enum ReadOutcome {
    /// The file, or the asked part of it.
    Found(FileRead),
    /// The range asked for lies beyond the file's `size`.
    RangeNotSatisfiable {
        /// The file's size.
        size: u64,
    },
    /// No such file.
    Missing,
}

/// The variant files, behind one interface whatever the backend. Cheap to clone.
#[derive(Debug, Clone)]
pub struct FileStore {
    inner: Arc<dyn ObjectStore>,
    describe: String,
    local_root: Option<PathBuf>,
}

impl FileStore {
    /// Opens the backend `config` names. For the local backend the root directory is created.
    pub fn open(config: &StorageConfig) -> Result<FileStore, StorageError> {
        match config {
            StorageConfig::Local { root } => {
                std::fs::create_dir_all(root).map_err(|source| object_store::Error::Generic {
                    store: "LocalFileSystem",
                    source: Box::new(source),
                })?;
                let store = LocalFileSystem::new_with_prefix(root)?.with_automatic_cleanup(true);
                Ok(FileStore {
                    inner: Arc::new(store),
                    describe: format!("local:{}", root.display()),
                    local_root: Some(root.clone()),
                })
            }
            StorageConfig::S3(s3) => {
                let mut builder = AmazonS3Builder::new()
                    .with_bucket_name(&s3.bucket)
                    .with_region(&s3.region)
                    .with_access_key_id(&s3.access_key_id)
                    .with_secret_access_key(&s3.secret_access_key)
                    .with_virtual_hosted_style_request(!s3.path_style)
                    // An unreachable store fails an upload within seconds (object_store's default
                    // retries for up to 3 minutes, holding the request and its upload slot).
                    .with_retry(object_store::RetryConfig {
                        backoff: object_store::BackoffConfig::default(),
                        max_retries: 3,
                        retry_timeout: std::time::Duration::from_secs(10),
                    })
                    .with_client_options(
                        object_store::ClientOptions::new()
                            .with_connect_timeout(std::time::Duration::from_secs(5))
                            .with_timeout(std::time::Duration::from_secs(60)),
                    );
                if let Some(endpoint) = s3.endpoint.as_ref().filter(|e| !e.is_empty()) {
                    builder =
                        builder.with_endpoint(endpoint).with_allow_http(endpoint.starts_with("http://"));
                }
                let describe = format!(
                    "s3:{}/{}",
                    s3.endpoint.as_deref().filter(|e| !e.is_empty()).unwrap_or("aws").trim_end_matches('/'),
                    s3.bucket
                );
                Ok(FileStore { inner: Arc::new(builder.build()?), describe, local_root: None })
            }
        }
    }

    /// The local backend's root directory; `None` for S3.
    pub fn local_root(&self) -> Option<&Path> {
        self.local_root.as_deref()
    }

    /// `local:/path` or `s3:endpoint/bucket`, for logs.
    pub fn describe(&self) -> &str {
        &self.describe
    }

    /// Writes `bytes` at `key`, atomically, replacing any file there.
    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), StorageError> {
        self.inner.put(&ObjectPath::from(key), PutPayload::from(bytes)).await?;
        Ok(())
    }

    /// The file at `key`, whole, or `None` if there is none.
    pub async fn get(&self, key: &str) -> Result<Option<Bytes>, StorageError> {
        match self.inner.get(&ObjectPath::from(key)).await {
            Ok(result) => Ok(Some(result.bytes().await?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Streams the file at `key`, or the part of it `range` asks for, without holding it in
    /// memory.
    pub async fn read(&self, key: &str, range: Option<ByteRange>) -> Result<ReadOutcome, StorageError> {
        let path = ObjectPath::from(key);
        let options = GetOptions {
            range: range.map(|r| match r {
                ByteRange::FromTo(first, last) => GetRange::Bounded(first..last.saturating_add(1)),
                ByteRange::From(first) => GetRange::Offset(first),
                ByteRange::Last(n) => GetRange::Suffix(n),
            }),
            ..GetOptions::default()
        };
        match self.inner.get_opts(&path, options).await {
            Ok(result) => {
                let (size, range) = (result.meta.size, result.range.clone());
                let body = result.into_stream().map_err(StorageError::from).boxed();
                Ok(ReadOutcome::Found(FileRead { size, range, body }))
            }
            Err(object_store::Error::NotFound { .. }) => Ok(ReadOutcome::Missing),
            // Backends word an unsatisfiable range differently: ask for the size to tell.
            Err(error) if range.is_some() => match self.inner.head(&path).await {
                Ok(meta) if !satisfiable(range, meta.size) => {
                    Ok(ReadOutcome::RangeNotSatisfiable { size: meta.size })
                }
                Ok(_) => Err(error.into()),
                Err(object_store::Error::NotFound { .. }) => Ok(ReadOutcome::Missing),
                Err(e) => Err(e.into()),
            },
            Err(e) => Err(e.into()),
        }
    }

    /// Removes the file at `key` (and, locally, the directories it leaves empty). A missing file
    /// is not an error: the outcome is the same.
    pub async fn delete(&self, key: &str) -> Result<(), StorageError> {
        match self.inner.delete(&ObjectPath::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Every file below `prefix` (all files for `""`), in no particular order, calling `seen` with
    /// each as it arrives.
    pub async fn walk(&self, prefix: &str, mut seen: impl FnMut(StoredFile)) -> Result<(), StorageError> {
        let prefix = (!prefix.is_empty()).then(|| ObjectPath::from(prefix));
        let mut listing = self.inner.list(prefix.as_ref());
        while let Some(meta) = listing.try_next().await? {
            // object_store speaks chrono; Orion's times are `time`'s.
            let nanos = i128::from(meta.last_modified.timestamp()) * 1_000_000_000
                + i128::from(meta.last_modified.timestamp_subsec_nanos());
            seen(StoredFile {
                key: meta.location.to_string(),
                size: meta.size,
                last_modified: OffsetDateTime::from_unix_timestamp_nanos(nanos)
                    .unwrap_or(OffsetDateTime::UNIX_EPOCH),
            });
        }
        Ok(())
    }

    /// Removes the staging files a process that died mid-write left behind (`name#digits`, local
    /// backend only; an S3 PUT leaves nothing), last written before `older_than`. They were never
    /// visible as files. Returns how many were removed.
    pub fn remove_stale_staging(&self, older_than: std::time::SystemTime) -> std::io::Result<usize> {
        let Some(root) = &self.local_root else { return Ok(0) };
        let stale = stale_staging_files(root, older_than)?;
        for path in &stale {
            std::fs::remove_file(path)?;
        }
        Ok(stale.len())
    }
}

/// Does `range` ask for at least one byte of a file of `size` bytes (RFC 9110 §14.1.2)?
fn satisfiable(range: Option<ByteRange>, size: u64) -> bool {
    match range {
        None => true,
        Some(ByteRange::FromTo(first, last)) => first <= last && first < size,
        Some(ByteRange::From(first)) => first < size,
        Some(ByteRange::Last(n)) => n > 0 && size > 0,
    }
}

fn stale_staging_files(root: &Path, older_than: std::time::SystemTime) -> std::io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let entry = entry?;
            let kind = entry.file_type()?;
            if kind.is_dir() {
                dirs.push(entry.path());
            } else if is_staging_name(&entry.file_name().to_string_lossy())
                && entry.metadata()?.modified()? < older_than
            {
                found.push(entry.path());
            }
        }
    }
    Ok(found)
}

fn is_staging_name(name: &str) -> bool {
    name.rsplit_once('#')
        .is_some_and(|(_, suffix)| !suffix.is_empty() && suffix.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_is_satisfiable_when_it_starts_inside_the_file() {
        assert!(satisfiable(Some(ByteRange::FromTo(0, 0)), 1));
        assert!(satisfiable(Some(ByteRange::FromTo(5, 500)), 10));
        assert!(!satisfiable(Some(ByteRange::FromTo(10, 20)), 10));
        assert!(!satisfiable(Some(ByteRange::FromTo(5, 4)), 10));
        assert!(satisfiable(Some(ByteRange::Last(500)), 10));
        assert!(!satisfiable(Some(ByteRange::Last(0)), 10));
        assert!(!satisfiable(Some(ByteRange::From(10)), 10));
    }

    #[test]
    fn staging_names_are_the_local_backends_suffixes() {
        assert!(is_staging_name("abc_800.webp#1"));
        assert!(is_staging_name("abc_800.webp#12"));
        assert!(!is_staging_name("abc_800.webp"));
        assert!(!is_staging_name("abc_800.webp#"));
        assert!(!is_staging_name("abc#x"));
    }
}
