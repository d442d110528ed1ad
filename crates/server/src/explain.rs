//! Plain-language words for each check: what it looks at, and how a reader
//! can check the same thing with another tool, so that a verdict can be
//! quoted and re-derived without trusting leakcheck.

use serde::Serialize;

/// What a check means and how to re-check it.
#[derive(Clone, Debug, Serialize)]
pub struct Explanation {
    /// What the check looks at, for a reader who is not a specialist.
    pub meaning: &'static str,
    /// How to check the same thing elsewhere, from the original download.
    pub recheck: &'static str,
}

/// The explanation of a check id (a general one for ids added later).
pub fn explain(check: &str) -> Explanation {
    let (meaning, recheck) = match check {
        "email.dkim" => (
            "The sending domain signed this message with its private key (DKIM). A signature that verifies proves the signed headers and body are exactly as sent; a failing body hash means the text was changed after sending.",
            "Download the original and run dkimpy's `dkimverify < original.eml` with the same public key (shown in Keys) as DNS record, or `opendkim-testmsg`.",
        ),
        "email.arc" => (
            "ARC seals added by mail servers along the way (RFC 8617). They record what each server saw; a broken chain means a seal no longer matches.",
            "Run dkimpy's `arcverify < original.eml` with the same keys.",
        ),
        "email.duplicate-message-id" => (
            "Another item in the dump has the same Message-ID but different content. One message should exist once; two versions mean one copy was altered.",
            "Open both items (listed in the evidence) and compare them with `diff`.",
        ),
        "email.received-chain" => (
            "Each mail server adds a Received line with a time. Times that go backwards along the route are a sign of edited headers.",
            "Read the Received headers of the original from the bottom up and compare their dates.",
        ),
        "email.date-skew" => (
            "The Date the sender's program wrote is far from the time the first server received it.",
            "Compare the Date header with the lowest Received header's time in the original.",
        ),
        "email.message-id" => (
            "The Message-ID is malformed, or its domain does not fit the sender's.",
            "Read the Message-ID and From headers of the original.",
        ),
        "email.leak-window" => (
            "The message is dated outside the period the leak is said to cover.",
            "Compare the Date header with the case's leak window (shown on the case page).",
        ),
        "email.thread-order" => (
            "This reply is dated before the message it answers, which is in the dump.",
            "Compare this message's Date with its parent's (In-Reply-To).",
        ),
        "email.thread-quote" => (
            "The text this reply quotes contains words its parent does not have: the quote or the parent was changed.",
            "Compare the quoted lines with the parent message's text.",
        ),
        "archive.provenance" => (
            "These exact bytes are inside a message whose signature verifies, so they are proven by that signature.",
            "Verify the signed email named in the evidence, then compare this file's SHA-256 with its attachment's (`sha256sum`).",
        ),
        "archive.near-duplicate" => (
            "A nearly identical copy of a proven item exists; the differences are what was changed.",
            "Open both items and compare their text with `diff`.",
        ),
        "doc.dates" => (
            "The document's own dates (created, modified, printed, revisions) are impossible or after the leak.",
            "`exiftool -a -G1 original` lists every date field with the store it comes from.",
        ),
        "doc.authorship" => (
            "The author or company recorded in the file is rare in this dump and not the organisation's.",
            "`exiftool -a -G1 -Author -Creator -LastModifiedBy -Company original`.",
        ),
        "doc.script" => (
            "The document uses a writing system (or code page) that is rare in the dump.",
            "Open the text and `exiftool -a -G1 original` for code pages and languages.",
        ),
        "doc.pdf-revisions" => (
            "The PDF was saved again after it was first written (incremental updates). Earlier versions are kept as items of their own.",
            "`pdfresurrect -l original.pdf` lists the versions; `qpdf --show-xref` shows each update.",
        ),
        "doc.pdf-xmp-info" => (
            "The PDF's two metadata stores (Info dictionary and XMP) disagree, which happens when one program edits a file written by another.",
            "`exiftool -a -G1 -PDF:all -XMP:all original.pdf`.",
        ),
        "doc.software" => (
            "The program that wrote the file is rare in the dump, repacked the package, or did not exist yet at the claimed date.",
            "`exiftool -a -G1 -Producer -Creator -Application -AppVersion original`; `unzip -l` for Office packages.",
        ),
        "image.exif" => (
            "The photo's EXIF data contradicts the picture (size, dates, or a stale IPTC digest).",
            "`exiftool -a -G1 original.jpg` and compare with the real pixel size.",
        ),
        "image.thumbnail" => (
            "The small preview stored inside the photo does not show the same picture: the main image was edited and the preview left behind.",
            "`exiftool -b -ThumbnailImage original.jpg > thumb.jpg` and look at it.",
        ),
        "image.software" => (
            "An editing program is recorded in the photo's metadata.",
            "`exiftool -a -G1 -Software -CreatorTool original.jpg`.",
        ),
        _ => (
            "A check leakcheck ran on this item; its evidence lists the facts it used.",
            "Download the original and inspect the facts named in the evidence.",
        ),
    };
    Explanation { meaning, recheck }
}
