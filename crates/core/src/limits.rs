use serde::{Deserialize, Serialize};

/// Bounds on the work done for one source, set in `case.toml` under `[limits]`.
///
/// Hitting a limit is recorded as an error on the item concerned; the run goes on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Deepest nesting of containers expanded (a top-level file is depth 0).
    pub max_depth: u32,
    /// Largest single item, in bytes, after decompression.
    pub max_item_bytes: u64,
    /// Largest total of bytes expanded out of one top-level source.
    pub max_expanded_bytes: u64,
    /// Largest expansion ratio (uncompressed / compressed) of one archive member
    /// once it is past `ratio_floor_bytes`.
    pub max_ratio: u64,
    /// Size below which the ratio is not checked (small files compress well).
    pub ratio_floor_bytes: u64,
    /// Most members read from one archive or mailbox.
    pub max_entries: u64,
    /// Largest email parsed for headers and attachments (larger ones are stored only).
    pub max_email_bytes: u64,
    /// Largest document or image read for metadata and text (larger ones are stored only).
    pub max_document_bytes: u64,
    /// Longest time spent reading one document's metadata and text, in seconds.
    pub max_document_seconds: u64,
    /// Longest time spent reading one Outlook store (.pst/.ost), in seconds.
    pub max_store_seconds: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_depth: 12,
            max_item_bytes: 2 << 30,
            max_expanded_bytes: 64 << 30,
            max_ratio: 200,
            ratio_floor_bytes: 8 << 20,
            max_entries: 1_000_000,
            max_email_bytes: 256 << 20,
            max_document_bytes: 256 << 20,
            max_document_seconds: 30,
            max_store_seconds: 600,
        }
    }
}
