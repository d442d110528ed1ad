use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{Error, Result};

/// The identity of an item: the lower-case hex SHA-256 of its bytes.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ItemId(String);

impl ItemId {
    /// Hashes `bytes` into their id.
    pub fn of(bytes: &[u8]) -> ItemId {
        ItemId::from_digest(Sha256::digest(bytes).into())
    }

    /// Wraps a finished SHA-256 digest.
    pub fn from_digest(digest: [u8; 32]) -> ItemId {
        ItemId(hex::encode(digest))
    }

    /// Parses a full id; upper case is accepted and folded.
    pub fn parse(s: &str) -> Result<ItemId> {
        let lower = s.trim().to_ascii_lowercase();
        if lower.len() == 64 && lower.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(ItemId(lower))
        } else {
            Err(Error::BadItemId(s.to_string()))
        }
    }

    /// True when `s` could be the start of an id (1 to 64 hex digits).
    pub fn is_prefix(s: &str) -> bool {
        !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
    }

    /// The hex string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ItemId {
    type Error = Error;
    fn try_from(s: String) -> Result<ItemId> {
        ItemId::parse(&s)
    }
}

impl From<ItemId> for String {
    fn from(id: ItemId) -> String {
        id.0
    }
}

impl fmt::Display for ItemId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for ItemId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ItemId({})", &self.0[..12])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_like_sha256sum() {
        assert_eq!(
            ItemId::of(b"abc").as_str(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn parse_folds_case_and_rejects_junk() {
        let id = ItemId::of(b"x");
        assert_eq!(ItemId::parse(&id.as_str().to_uppercase()).unwrap(), id);
        assert!(ItemId::parse("abc").is_err());
        assert!(ItemId::parse(&"g".repeat(64)).is_err());
        assert!(ItemId::is_prefix("ab12"));
        assert!(!ItemId::is_prefix("../etc"));
    }
}
