use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::sync::Arc;

use leakcheck_core::ItemId;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result, io};
use crate::remote::Remote;

/// Content-addressed store of originals: `blobs/ab/<sha256>`.
///
/// A blob is written under a temporary name in its own folder and renamed
/// into place, so a crash never leaves a partial blob under its final name;
/// it is created read-only and never written again. One level of 256 folders
/// rather than two (`ab/cd/`): measured on ext4, the second level made nearly
/// every new blob a `mkdir`, and renames across folders take a file-system
/// wide lock, which together cost more than parsing.
///
/// With a [`Remote`] (a team case's `s3://` blobs), the bucket holds every
/// blob and the folder is this machine's cache: a blob written goes up
/// once it is in place here, and one read that is not here is fetched,
/// checked against its name, and kept.
#[derive(Clone, Debug)]
pub struct BlobStore {
    root: PathBuf,
    remote: Option<Arc<Remote>>,
}

impl BlobStore {
    pub(crate) fn open(root: PathBuf, remote: Option<Arc<Remote>>) -> Result<BlobStore> {
        for b in 0..=255u8 {
            let dir = root.join(format!("{b:02x}"));
            fs::create_dir_all(&dir).map_err(io(&dir))?;
        }
        Ok(BlobStore { root, remote })
    }

    /// Where the blob of `id` lives on this machine (with a remote, it may
    /// not be there yet: [`BlobStore::local`] fetches it first).
    pub fn path(&self, id: &ItemId) -> PathBuf {
        let s = id.as_str();
        self.root.join(&s[0..2]).join(s)
    }

    /// True when the blob is in place on this machine.
    pub fn contains(&self, id: &ItemId) -> bool {
        self.path(id).exists()
    }

    /// The blob of `id` on this machine, fetched from the remote first
    /// when it is not here (and refused when the fetched bytes do not hash
    /// to `id`).
    pub fn local(&self, id: &ItemId) -> Result<PathBuf> {
        let path = self.path(id);
        let Some(remote) = &self.remote else {
            return Ok(path);
        };
        if path.exists() {
            return Ok(path);
        }
        let mut tmp = self.temp_file(&id.as_str()[0..2])?;
        let got = remote.download(id, &mut tmp.file, &tmp.path);
        match got {
            Ok(Some((got, _))) if got == *id => {
                self.commit_here(tmp, id)?;
                Ok(path)
            }
            Ok(Some((got, _))) => {
                tmp.discard();
                Err(Error::Blobs(format!(
                    "{}: the object for {id} hashes to {got}: refused",
                    remote.url()
                )))
            }
            Ok(None) => {
                tmp.discard();
                Err(Error::Blobs(format!(
                    "{}: no object for {id}",
                    remote.url()
                )))
            }
            Err(e) => {
                tmp.discard();
                Err(e)
            }
        }
    }

    /// Stores bytes whose id is already known. Does nothing if present.
    pub fn put(&self, id: &ItemId, bytes: &[u8]) -> Result<()> {
        if self.contains(id) {
            return self.sent(id);
        }
        let mut tmp = self.temp_file(&id.as_str()[0..2])?;
        tmp.file.write_all(bytes).map_err(io(&tmp.path))?;
        self.commit(tmp, id)
    }

    /// Copies a stream into the store while hashing it, refusing more than
    /// `limit` bytes. Returns the id and the size.
    pub fn put_stream(&self, reader: &mut dyn Read, limit: u64) -> Result<Spooled> {
        // The id is not known yet, so the stream lands in the first folder
        // and crosses folders once, at the end; only large items come here.
        let mut tmp = self.temp_file("00")?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 256 * 1024];
        let mut size = 0u64;
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let path = tmp.path.clone();
                    tmp.discard();
                    return Err(io(path)(e));
                }
            };
            size += n as u64;
            if size > limit {
                tmp.discard();
                return Ok(Spooled::TooLarge { read: size });
            }
            hasher.update(&buf[..n]);
            tmp.file.write_all(&buf[..n]).map_err(io(&tmp.path))?;
        }
        let id = ItemId::from_digest(hasher.finalize().into());
        if self.contains(&id) {
            tmp.discard();
            self.sent(&id)?;
        } else {
            self.commit(tmp, &id)?;
        }
        Ok(Spooled::Stored { id, size })
    }

    /// Opens a stored blob for reading.
    pub fn open_blob(&self, id: &ItemId) -> Result<File> {
        let p = self.local(id)?;
        File::open(&p).map_err(io(p))
    }

    /// Reads a stored blob whole.
    pub fn read(&self, id: &ItemId) -> Result<Vec<u8>> {
        let p = self.local(id)?;
        fs::read(&p).map_err(io(p))
    }

    /// Re-hashes a stored blob; `None` if it is missing. With a remote, the
    /// remote's copy is what is hashed: it is the one every machine reads.
    pub fn rehash(&self, id: &ItemId) -> Result<Option<(ItemId, u64)>> {
        let p = self.path(id);
        if let Some(remote) = &self.remote {
            return remote.download(id, &mut io::sink(), &p);
        }
        let mut f = match File::open(&p) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io(p)(e)),
        };
        let mut hasher = Sha256::new();
        let size = io::copy(&mut f, &mut hasher).map_err(io(&p))?;
        Ok(Some((ItemId::from_digest(hasher.finalize().into()), size)))
    }

    /// Removes temporary files left by an interrupted run; returns how many.
    pub fn clean_temp(&self) -> Result<u64> {
        let temps = self.temp_files()?;
        for t in &temps {
            fs::remove_file(t).map_err(io(t))?;
        }
        Ok(temps.len() as u64)
    }

    /// Temporary files present now (a finished run leaves none).
    pub fn temp_count(&self) -> Result<u64> {
        Ok(self.temp_files()?.len() as u64)
    }

    fn temp_files(&self) -> Result<Vec<PathBuf>> {
        let mut out = Vec::new();
        for b in 0..=255u8 {
            let dir = self.root.join(format!("{b:02x}"));
            for entry in fs::read_dir(&dir).map_err(io(&dir))? {
                let entry = entry.map_err(io(&dir))?;
                if entry
                    .file_name()
                    .as_encoded_bytes()
                    .starts_with(TEMP_PREFIX.as_bytes())
                {
                    out.push(entry.path());
                }
            }
        }
        Ok(out)
    }

    fn temp_file(&self, bucket: &str) -> Result<TempBlob> {
        use std::os::unix::fs::OpenOptionsExt;
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = self
            .root
            .join(bucket)
            .join(format!("{TEMP_PREFIX}{}-{n}", std::process::id()));
        // Created read-only: the open handle may still write it.
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o444)
            .open(&path)
            .map_err(io(&path))?;
        Ok(TempBlob { file, path })
    }

    /// Puts a written blob in place, then sends it to the remote.
    fn commit(&self, tmp: TempBlob, id: &ItemId) -> Result<()> {
        self.commit_here(tmp, id)?;
        self.sent(id)
    }

    /// Makes sure the remote holds the blob in place here (an upload that
    /// failed before is made now: the copy here proves nothing).
    fn sent(&self, id: &ItemId) -> Result<()> {
        match &self.remote {
            Some(remote) => remote.upload(id, &self.path(id)),
            None => Ok(()),
        }
    }

    fn commit_here(&self, tmp: TempBlob, id: &ItemId) -> Result<()> {
        let dest = self.path(id);
        let TempBlob { file, path } = tmp;
        drop(file);
        // Another worker may have stored the same bytes meanwhile: the rename
        // then replaces identical content, which is harmless.
        fs::rename(&path, &dest).map_err(io(&dest))
    }
}

/// The outcome of [`BlobStore::put_stream`].
#[derive(Debug, Clone, PartialEq)]
pub enum Spooled {
    /// The bytes are stored under `id`.
    Stored {
        /// Their id.
        id: ItemId,
        /// Their size.
        size: u64,
    },
    /// The stream was longer than the limit; nothing was stored.
    TooLarge {
        /// Bytes read before giving up.
        read: u64,
    },
}

/// Temporary blobs start with this; a blob's own name is 64 hex digits.
const TEMP_PREFIX: &str = ".tmp-";

struct TempBlob {
    file: File,
    path: PathBuf,
}

impl TempBlob {
    fn discard(self) {
        drop(self.file);
        let _ = fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_is_write_once_and_read_only() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path().join("blobs"), None).unwrap();
        let id = ItemId::of(b"hello");
        store.put(&id, b"hello").unwrap();
        store.put(&id, b"hello").unwrap();
        assert_eq!(store.read(&id).unwrap(), b"hello");
        assert!(store.path(&id).metadata().unwrap().permissions().readonly());
        assert_eq!(store.rehash(&id).unwrap(), Some((id, 5)));
    }

    #[test]
    fn put_stream_hashes_and_enforces_limit() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path().join("blobs"), None).unwrap();
        let got = store.put_stream(&mut &b"abc"[..], 10).unwrap();
        assert_eq!(
            got,
            Spooled::Stored {
                id: ItemId::of(b"abc"),
                size: 3
            }
        );
        let big = [0u8; 100];
        assert!(matches!(
            store.put_stream(&mut &big[..], 10).unwrap(),
            Spooled::TooLarge { .. }
        ));
        assert_eq!(store.temp_count().unwrap(), 0);
    }
}
