//! Blobs on S3-compatible object storage, through the `object_store` crate:
//! `s3://bucket/prefix` holds every original as `prefix/ab/<sha256>`, and
//! each machine keeps the blobs it has read or written in its case's
//! `blobs/` folder, as a cache. What is in the bucket is never trusted
//! blindly: a blob fetched is hashed, and refused when it does not hash to
//! its name.
//!
//! Credentials and the endpoint come from the environment, as AWS tools
//! read them (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`,
//! `AWS_ENDPOINT` for another provider, `AWS_ALLOW_HTTP=true` for a plain
//! HTTP endpoint), never from `case.toml`.

use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;

use futures_util::StreamExt;
use leakcheck_core::ItemId;
use object_store::aws::AmazonS3Builder;
use object_store::path::Path as Key;
use object_store::{ObjectStore, PutPayload, WriteMultipart};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result, io};

/// Blobs larger than this go up in parts (S3's smallest part is 5 MiB).
const PART: usize = 8 << 20;

/// A bucket (and prefix) of blobs, and the runtime its calls run on.
#[derive(Debug)]
pub struct Remote {
    url: String,
    store: Box<dyn ObjectStore>,
    prefix: Key,
    runtime: tokio::runtime::Runtime,
}

fn remote(url: &str) -> impl Fn(object_store::Error) -> Error + '_ {
    move |e| Error::Blobs(format!("{url}: {e}"))
}

impl Remote {
    /// The store at `url` (`s3://bucket/prefix`).
    pub fn open(url: &str) -> Result<Remote> {
        let rest = url.strip_prefix("s3://").ok_or_else(|| {
            Error::Invalid(format!(
                "{url:?}: blobs go to a folder or to s3://bucket/prefix"
            ))
        })?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(Error::Invalid(format!("{url:?}: no bucket named")));
        }
        let store = AmazonS3Builder::from_env()
            .with_bucket_name(bucket)
            .build()
            .map_err(remote(url))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Blobs(format!("{url}: starting its client: {e}")))?;
        Ok(Remote {
            url: url.to_string(),
            store: Box::new(store),
            prefix: Key::from(prefix.trim_matches('/')),
            runtime,
        })
    }

    fn key(&self, id: &ItemId) -> Key {
        let s = id.as_str();
        self.prefix.child(&s[0..2]).child(s)
    }

    /// Whether the bucket holds the blob of `id`.
    pub fn contains(&self, id: &ItemId) -> Result<bool> {
        match self.runtime.block_on(self.store.head(&self.key(id))) {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(remote(&self.url)(e)),
        }
    }

    /// Uploads the blob of `id` from the file `from`, unless the bucket has
    /// it already (it would be the same bytes: the name is their hash).
    pub fn upload(&self, id: &ItemId, from: &Path) -> Result<()> {
        if self.contains(id)? {
            return Ok(());
        }
        let key = self.key(id);
        let mut file = File::open(from).map_err(io(from))?;
        let size = file.metadata().map_err(io(from))?.len();
        self.runtime.block_on(async {
            if size as usize <= PART {
                let mut bytes = Vec::with_capacity(size as usize);
                file.read_to_end(&mut bytes).map_err(io(from))?;
                self.store
                    .put(&key, PutPayload::from(bytes))
                    .await
                    .map_err(remote(&self.url))?;
                return Ok(());
            }
            let upload = self
                .store
                .put_multipart(&key)
                .await
                .map_err(remote(&self.url))?;
            let mut parts = WriteMultipart::new_with_chunk_size(upload, PART);
            let mut buf = vec![0u8; PART];
            loop {
                let n = file.read(&mut buf).map_err(io(from))?;
                if n == 0 {
                    break;
                }
                parts
                    .wait_for_capacity(4)
                    .await
                    .map_err(remote(&self.url))?;
                parts.write(&buf[..n]);
            }
            parts.finish().await.map_err(remote(&self.url))?;
            Ok(())
        })
    }

    /// Streams the blob of `id` into `to` while hashing it: its id and
    /// size, or none when the bucket does not hold it.
    pub fn download(
        &self,
        id: &ItemId,
        to: &mut dyn Write,
        at: &Path,
    ) -> Result<Option<(ItemId, u64)>> {
        self.runtime.block_on(async {
            let got = match self.store.get(&self.key(id)).await {
                Ok(g) => g,
                Err(object_store::Error::NotFound { .. }) => return Ok(None),
                Err(e) => return Err(remote(&self.url)(e)),
            };
            let mut stream = got.into_stream();
            let mut hasher = Sha256::new();
            let mut size = 0u64;
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.map_err(remote(&self.url))?;
                hasher.update(&chunk);
                size += chunk.len() as u64;
                to.write_all(&chunk).map_err(io(at))?;
            }
            Ok(Some((ItemId::from_digest(hasher.finalize().into()), size)))
        })
    }

    /// The address given.
    pub fn url(&self) -> &str {
        &self.url
    }
}
