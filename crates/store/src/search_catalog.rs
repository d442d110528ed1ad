//! What the search index reads and writes in a catalog, as one interface
//! that the embedded catalog and a team case's PostgreSQL catalog both
//! implement: the index itself stays a folder of the case, kept by the
//! process that syncs it.

use leakcheck_core::ItemId;

use crate::BlobStore;
use crate::catalog::Catalog;
use crate::error::Result;
use crate::ocr_rows::OcrLayer;
use crate::search_rows::SearchRow;

/// A catalog the search index follows.
pub trait SearchCatalog {
    /// The search generation now, and the one the index was last brought
    /// up to (see [`Catalog::search_generation`]).
    fn search_generation(&mut self) -> Result<(i64, Option<i64>)>;
    /// Records that the index is up to date as of `generation`.
    fn set_search_synced(&mut self, generation: i64) -> Result<()>;
    /// How many items the catalog holds.
    fn item_count(&mut self) -> Result<u64>;
    /// How many items the index is recorded as holding.
    fn indexed_count(&mut self) -> Result<u64>;
    /// Forgets what the index holds (before a rebuild).
    fn clear_indexed(&mut self) -> Result<()>;
    /// Items in id order after `after` (at most `limit`): every one when
    /// `all`, else those the index does not hold as they are now.
    fn search_rows(
        &mut self,
        all: bool,
        after: Option<&ItemId>,
        limit: usize,
    ) -> Result<Vec<SearchRow>>;
    /// One item as the index sees it, stale or not.
    fn search_row(&mut self, id: &ItemId) -> Result<Option<SearchRow>>;
    /// Records that the index now holds these items in these states, with
    /// the language code each text was indexed as.
    fn mark_indexed(&mut self, done: &[(ItemId, String, String)]) -> Result<()>;
    /// One item's text, as a hit's snippet is cut from.
    fn hit_text(&mut self, blobs: &BlobStore, id: &ItemId, kind: &str) -> Result<Option<String>>;
    /// What OCR read in an item, page by page.
    fn ocr_layer(&mut self, id: &ItemId) -> Result<Option<OcrLayer>>;
}

impl SearchCatalog for Catalog {
    fn search_generation(&mut self) -> Result<(i64, Option<i64>)> {
        Catalog::search_generation(self)
    }
    fn set_search_synced(&mut self, generation: i64) -> Result<()> {
        Catalog::set_search_synced(self, generation)
    }
    fn item_count(&mut self) -> Result<u64> {
        Catalog::item_count(self)
    }
    fn indexed_count(&mut self) -> Result<u64> {
        Catalog::indexed_count(self)
    }
    fn clear_indexed(&mut self) -> Result<()> {
        Catalog::clear_indexed(self)
    }
    fn search_rows(
        &mut self,
        all: bool,
        after: Option<&ItemId>,
        limit: usize,
    ) -> Result<Vec<SearchRow>> {
        Catalog::search_rows(self, all, after, limit)
    }
    fn search_row(&mut self, id: &ItemId) -> Result<Option<SearchRow>> {
        Catalog::search_row(self, id)
    }
    fn mark_indexed(&mut self, done: &[(ItemId, String, String)]) -> Result<()> {
        Catalog::mark_indexed(self, done)
    }
    fn hit_text(&mut self, blobs: &BlobStore, id: &ItemId, kind: &str) -> Result<Option<String>> {
        Catalog::item_text(self, blobs, id, kind)
    }
    fn ocr_layer(&mut self, id: &ItemId) -> Result<Option<OcrLayer>> {
        Catalog::ocr_layer(self, id)
    }
}
