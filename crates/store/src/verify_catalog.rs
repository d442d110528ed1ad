//! What `verify` reads and writes, as one interface with two
//! implementations: the embedded catalog here, and the PostgreSQL catalog
//! of a team case (crates/team). A pass run on either gives the same
//! findings and verdicts from the same rows.
//!
//! Every method takes `&mut self`: a PostgreSQL connection answers one
//! query at a time, even a read.

use std::collections::HashSet;

use leakcheck_core::{CheckId, DocMeta, EmailMeta, Finding, ItemId, KeyRecord, Verdict};

use crate::search_rows::plain_text;
use crate::{BlobStore, Catalog, EmailLink, OcrLayer, Result, Stats, TextRow};

/// The catalog as one verification pass uses it. The methods mean what the
/// embedded catalog's methods of the same names mean.
pub trait VerifyCatalog {
    /// The case's counts, as `stats` prints them.
    fn stats(&mut self) -> Result<Stats>;
    /// Every DKIM key of the case: imported keys, then recovered ones.
    fn keys(&mut self) -> Result<Vec<KeyRecord>>;
    /// Items with an OCR outcome, and characters of OCR text.
    fn ocr_stamp(&mut self) -> Result<[u64; 2]>;
    /// Every item with OCR'd pages that carry their own text layer too.
    fn ocr_with_embedded(&mut self) -> Result<Vec<(ItemId, OcrLayer)>>;
    /// What the last pass was derived from, if one finished.
    fn verify_state(&mut self) -> Result<Option<String>>;
    /// Items with no verdict yet, in id order, each with whether it is an email.
    fn items_without_verdict(&mut self) -> Result<Vec<(ItemId, bool)>>;
    /// Emails whose `email.dkim` finding names a signature by one of these keys.
    fn emails_signed_with(&mut self, names: &HashSet<String>) -> Result<Vec<ItemId>>;
    /// Items with a finding of this check, in id order.
    fn items_with_check(&mut self, check: CheckId) -> Result<Vec<ItemId>>;
    /// Items per verdict, and how many items have none.
    fn verdict_counts(&mut self) -> Result<(Vec<(Verdict, u64)>, u64)>;
    /// The first `limit` items (in id order) with this verdict.
    fn items_judged(&mut self, verdict: Verdict, limit: usize) -> Result<Vec<ItemId>>;
    /// How many emails the catalog holds.
    fn email_count(&mut self) -> Result<u64>;
    /// Emails whose `email.dkim` finding lists at least one signature.
    fn signed_email_count(&mut self) -> Result<u64>;
    /// How many documents and images the catalog holds.
    fn document_count(&mut self) -> Result<u64>;
    /// The emails rebuilt from Outlook properties, with where from, in id order.
    fn for_each_rebuilt_from_outlook(
        &mut self,
        each: impl FnMut(ItemId, serde_json::Value) -> Result<()>,
    ) -> Result<()>;
    /// Emails in id order after `after`, at most `limit`.
    fn emails_page(
        &mut self,
        after: Option<&ItemId>,
        limit: usize,
    ) -> Result<Vec<(ItemId, EmailMeta)>>;
    /// These emails' fields, in id order (ids that are not emails are left out).
    fn emails_of(&mut self, ids: &[ItemId]) -> Result<Vec<(ItemId, EmailMeta)>>;
    /// One email's fields, if the item is an email.
    fn email(&mut self, id: &ItemId) -> Result<Option<EmailMeta>>;
    /// Every email's threading fields, in id order.
    fn for_each_email_link(&mut self, each: impl FnMut(EmailLink) -> Result<()>) -> Result<()>;
    /// Documents in id order after `after`, at most `limit`, each with
    /// whether it is derived from another item.
    fn documents_page(
        &mut self,
        after: Option<&ItemId>,
        limit: usize,
    ) -> Result<Vec<(ItemId, DocMeta, bool)>>;
    /// Items in id order after `after`, at most `limit`, with their kind
    /// and the places they were found (sorted).
    fn items_page(
        &mut self,
        after: Option<&ItemId>,
        limit: usize,
    ) -> Result<Vec<(ItemId, String, Vec<String>)>>;
    /// The places one item was found, sorted.
    fn places(&mut self, id: &ItemId) -> Result<Vec<String>>;
    /// The findings of the items from `first` to `last` (inclusive), in
    /// item and check order.
    fn findings_between(&mut self, first: &ItemId, last: &ItemId)
    -> Result<Vec<(ItemId, Finding)>>;
    /// The items from `first` to `last` with a finding of this verdict.
    fn with_verdict_between(
        &mut self,
        verdict: Verdict,
        first: &ItemId,
        last: &ItemId,
    ) -> Result<HashSet<ItemId>>;
    /// The items directly inside `id`.
    fn child_items(&mut self, id: &ItemId) -> Result<Vec<ItemId>>;
    /// A document's text, if the item is a document or an image.
    fn document_text(&mut self, id: &ItemId) -> Result<Option<String>>;
    /// One item's text, as the search index reads it without OCR: an
    /// email's, a document's, or a plain-text item's bytes.
    fn item_text(&mut self, blobs: &BlobStore, id: &ItemId, kind: &str) -> Result<Option<String>> {
        if let Some(e) = self.email(id)? {
            return Ok(e.text);
        }
        if let Some(t) = self.document_text(id)? {
            return Ok(Some(t));
        }
        Ok(plain_text(blobs, id, kind, 0))
    }
    /// Every item's text source in id order after `after`, at most `limit`.
    fn text_rows(&mut self, after: Option<&ItemId>, limit: usize) -> Result<Vec<TextRow>>;
    /// Starts a pass: nothing it writes is seen by others until it
    /// finishes, and one that stops half-way leaves the catalog as it was.
    fn begin_verification(&mut self, keep: &[CheckId], redo: &[ItemId]) -> Result<()>;
    /// Adds findings to the pass begun (a later one of the same item and
    /// check replaces an earlier one).
    fn add_findings(&mut self, findings: &[(ItemId, Finding)]) -> Result<()>;
    /// Records these items' verdicts in the pass begun.
    fn add_verdicts(&mut self, verdicts: &[(ItemId, Verdict)]) -> Result<()>;
    /// Ends the pass begun, recording `state` as what it was derived from.
    fn finish_verification(&mut self, state: &str) -> Result<()>;
}

impl VerifyCatalog for Catalog {
    fn stats(&mut self) -> Result<Stats> {
        Catalog::stats(self)
    }
    fn keys(&mut self) -> Result<Vec<KeyRecord>> {
        Catalog::keys(self)
    }
    fn ocr_stamp(&mut self) -> Result<[u64; 2]> {
        Catalog::ocr_stamp(self)
    }
    fn ocr_with_embedded(&mut self) -> Result<Vec<(ItemId, OcrLayer)>> {
        Catalog::ocr_with_embedded(self)
    }
    fn verify_state(&mut self) -> Result<Option<String>> {
        Catalog::verify_state(self)
    }
    fn items_without_verdict(&mut self) -> Result<Vec<(ItemId, bool)>> {
        Catalog::items_without_verdict(self)
    }
    fn emails_signed_with(&mut self, names: &HashSet<String>) -> Result<Vec<ItemId>> {
        Catalog::emails_signed_with(self, names)
    }
    fn items_with_check(&mut self, check: CheckId) -> Result<Vec<ItemId>> {
        Catalog::items_with_check(self, check)
    }
    fn verdict_counts(&mut self) -> Result<(Vec<(Verdict, u64)>, u64)> {
        Catalog::verdict_counts(self)
    }
    fn items_judged(&mut self, verdict: Verdict, limit: usize) -> Result<Vec<ItemId>> {
        Catalog::items_judged(self, verdict, limit)
    }
    fn email_count(&mut self) -> Result<u64> {
        Catalog::email_count(self)
    }
    fn signed_email_count(&mut self) -> Result<u64> {
        Catalog::signed_email_count(self)
    }
    fn document_count(&mut self) -> Result<u64> {
        Catalog::document_count(self)
    }
    fn for_each_rebuilt_from_outlook(
        &mut self,
        each: impl FnMut(ItemId, serde_json::Value) -> Result<()>,
    ) -> Result<()> {
        Catalog::for_each_rebuilt_from_outlook(self, each)
    }
    fn emails_page(
        &mut self,
        after: Option<&ItemId>,
        limit: usize,
    ) -> Result<Vec<(ItemId, EmailMeta)>> {
        Catalog::emails_page(self, after, limit)
    }
    fn emails_of(&mut self, ids: &[ItemId]) -> Result<Vec<(ItemId, EmailMeta)>> {
        Catalog::emails_of(self, ids)
    }
    fn email(&mut self, id: &ItemId) -> Result<Option<EmailMeta>> {
        Catalog::email(self, id)
    }
    fn for_each_email_link(&mut self, each: impl FnMut(EmailLink) -> Result<()>) -> Result<()> {
        Catalog::for_each_email_link(self, each)
    }
    fn documents_page(
        &mut self,
        after: Option<&ItemId>,
        limit: usize,
    ) -> Result<Vec<(ItemId, DocMeta, bool)>> {
        Catalog::documents_page(self, after, limit)
    }
    fn items_page(
        &mut self,
        after: Option<&ItemId>,
        limit: usize,
    ) -> Result<Vec<(ItemId, String, Vec<String>)>> {
        Catalog::items_page(self, after, limit)
    }
    fn places(&mut self, id: &ItemId) -> Result<Vec<String>> {
        let mut places: Vec<String> = Catalog::item(self, id)?
            .occurrences
            .into_iter()
            .map(|o| o.display)
            .collect();
        places.sort();
        Ok(places)
    }
    fn findings_between(
        &mut self,
        first: &ItemId,
        last: &ItemId,
    ) -> Result<Vec<(ItemId, Finding)>> {
        Catalog::findings_between(self, first, last)
    }
    fn with_verdict_between(
        &mut self,
        verdict: Verdict,
        first: &ItemId,
        last: &ItemId,
    ) -> Result<HashSet<ItemId>> {
        Catalog::with_verdict_between(self, verdict, first, last)
    }
    fn child_items(&mut self, id: &ItemId) -> Result<Vec<ItemId>> {
        Catalog::child_items(self, id)
    }
    fn document_text(&mut self, id: &ItemId) -> Result<Option<String>> {
        Ok(Catalog::document(self, id)?.map(|(_, text)| text))
    }
    fn text_rows(&mut self, after: Option<&ItemId>, limit: usize) -> Result<Vec<TextRow>> {
        Catalog::text_rows(self, after, limit)
    }
    fn begin_verification(&mut self, keep: &[CheckId], redo: &[ItemId]) -> Result<()> {
        Catalog::begin_verification(self, keep, redo)
    }
    fn add_findings(&mut self, findings: &[(ItemId, Finding)]) -> Result<()> {
        Catalog::add_findings(self, findings)
    }
    fn add_verdicts(&mut self, verdicts: &[(ItemId, Verdict)]) -> Result<()> {
        Catalog::add_verdicts(self, verdicts)
    }
    fn finish_verification(&mut self, state: &str) -> Result<()> {
        Catalog::finish_verification(self, state)
    }
}
