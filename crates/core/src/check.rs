//! Every check leakcheck runs, in one table: its id, family, what it looks
//! at, what each of its verdicts means, and how to re-check it with another
//! tool. The verification panel, `show` and the README's check tables are
//! written from (or tested against) this table, so a check cannot exist
//! without its words, and the words under a finding follow its verdict.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Verdict;

/// A check's stable id. The serialised names are the JSON contract
/// (`"check": "email.dkim"`) and the catalog's `check_id` column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum CheckId {
    /// `email.dkim`
    #[serde(rename = "email.dkim")]
    EmailDkim,
    /// `email.arc`
    #[serde(rename = "email.arc")]
    EmailArc,
    /// `archive.provenance`
    #[serde(rename = "archive.provenance")]
    ArchiveProvenance,
    /// `email.duplicate-message-id`
    #[serde(rename = "email.duplicate-message-id")]
    EmailDuplicateMessageId,
    /// `email.leak-window`
    #[serde(rename = "email.leak-window")]
    EmailLeakWindow,
    /// `email.received-chain`
    #[serde(rename = "email.received-chain")]
    EmailReceivedChain,
    /// `email.date-skew`
    #[serde(rename = "email.date-skew")]
    EmailDateSkew,
    /// `email.message-id`
    #[serde(rename = "email.message-id")]
    EmailMessageId,
    /// `email.thread-order`
    #[serde(rename = "email.thread-order")]
    EmailThreadOrder,
    /// `email.thread-quote`
    #[serde(rename = "email.thread-quote")]
    EmailThreadQuote,
    /// `email.signature-time`
    #[serde(rename = "email.signature-time")]
    EmailSignatureTime,
    /// `archive.near-duplicate`
    #[serde(rename = "archive.near-duplicate")]
    ArchiveNearDuplicate,
    /// `doc.dates`
    #[serde(rename = "doc.dates")]
    DocDates,
    /// `doc.authorship`
    #[serde(rename = "doc.authorship")]
    DocAuthorship,
    /// `doc.script`
    #[serde(rename = "doc.script")]
    DocScript,
    /// `doc.pdf-revisions`
    #[serde(rename = "doc.pdf-revisions")]
    DocPdfRevisions,
    /// `doc.pdf-xmp-info`
    #[serde(rename = "doc.pdf-xmp-info")]
    DocPdfXmpInfo,
    /// `doc.software`
    #[serde(rename = "doc.software")]
    DocSoftware,
    /// `image.exif`
    #[serde(rename = "image.exif")]
    ImageExif,
    /// `image.thumbnail`
    #[serde(rename = "image.thumbnail")]
    ImageThumbnail,
    /// `image.software`
    #[serde(rename = "image.software")]
    ImageSoftware,
    /// `doc.text-layer`
    #[serde(rename = "doc.text-layer")]
    DocTextLayer,
}

/// What kind of item a check reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    /// An email on its own or against the other emails of the dump.
    Email,
    /// An item against the dump's proven items (any kind).
    Archive,
    /// A document's metadata.
    Doc,
    /// An image's metadata and pixels.
    Image,
}

/// One row of the table.
#[derive(Clone, Copy, Debug)]
pub struct CheckInfo {
    /// The check.
    pub id: CheckId,
    /// Its serialised id.
    pub name: &'static str,
    /// What it reads.
    pub family: Family,
    /// What it looks at, for a reader who is not a specialist (neutral:
    /// shown whatever the verdict).
    pub looks_at: &'static str,
    /// The verdicts it can give.
    pub gives: &'static [Verdict],
    /// What an authentic or consistent finding means.
    pub passes: &'static str,
    /// What an altered or suspicious finding means.
    pub flags: &'static str,
    /// What an unverifiable finding means, or when the check makes no
    /// finding at all.
    pub not_run: &'static str,
    /// How to check the same thing elsewhere, from the original download.
    pub recheck: &'static str,
}

use Verdict::{Altered, Authentic, Consistent, Suspicious, Unverifiable};

/// The table, in the order the README lists the checks.
pub const CHECKS: [CheckInfo; 22] = [
    CheckInfo {
        id: CheckId::EmailDkim,
        name: "email.dkim",
        family: Family::Email,
        looks_at: "Every DKIM-Signature: the sending domain signs the message with its private key, and the signature is verified offline with the case's archived public keys.",
        gives: &[Authentic, Altered, Suspicious, Consistent, Unverifiable],
        passes: "Authentic: a signature verifies with an archived key and covers From and the whole body, so the signed headers and text are exactly as sent. Consistent: it verifies only with a key recovered from the dump's own signatures, so the same private key signed it, but nothing independent says whose key that is.",
        flags: "Altered: a signature's body hash or header signature fails, so the text or a signed header changed after signing. Suspicious: a signature verifies but proves nothing about what a reader sees (a body-length limit leaves text unsigned, From is not signed, or From is duplicated), or it was made far (over 180 days) outside the dates a key archive saw the key in DNS.",
        not_run: "Unverifiable: there is no signature, no usable key for it in the case, the signature is malformed, the message was rebuilt from Outlook properties (its bytes are not the original's), or the key's private half was public when it was signed (anyone could have signed).",
        recheck: "Download the original and run dkimpy's `dkimverify < original.eml` with the same public key (shown in Keys) as DNS record, or `opendkim-testmsg`.",
    },
    CheckInfo {
        id: CheckId::EmailArc,
        name: "email.arc",
        family: Family::Email,
        looks_at: "The ARC seals added by mail servers along the way (RFC 8617): each records what that server saw, verified offline with the case's keys.",
        gives: &[Consistent, Suspicious, Unverifiable],
        passes: "Consistent: every seal and the newest message signature verify, so the chain of servers that handled the message is intact. It shows who handled it, not that the author sent these bytes.",
        flags: "Suspicious: the chain is broken (a seal or the newest message signature fails, or the sets are malformed), or a server along the way already marked it failed.",
        not_run: "Unverifiable: a key the chain needs is missing from the case or unusable, so nothing is shown either way.",
        recheck: "Run dkimpy's `arcverify < original.eml` with the same keys.",
    },
    CheckInfo {
        id: CheckId::ArchiveProvenance,
        name: "archive.provenance",
        family: Family::Archive,
        looks_at: "Whether these exact bytes travel inside an email whose DKIM signature verifies (as an attachment, or inside one, at any depth).",
        gives: &[Authentic],
        passes: "Authentic: the bytes are inside a DKIM-authentic email, so that signature's body hash covers them wherever else they occur.",
        flags: "This check never flags: it only reports proof.",
        not_run: "No finding: the item is not carried by any DKIM-authentic email.",
        recheck: "Verify the signed email named in the evidence, then compare this file's SHA-256 with its attachment's (`sha256sum`).",
    },
    CheckInfo {
        id: CheckId::EmailDuplicateMessageId,
        name: "email.duplicate-message-id",
        family: Family::Email,
        looks_at: "Other emails in the dump with the same Message-ID: one message should exist once, so copies must agree on what a reader sees; a DKIM-authentic copy says what the message was.",
        gives: &[Altered, Suspicious, Consistent],
        passes: "Consistent: the copies agree on From, To, Cc, Subject, Date and text (a date a format derives, as Outlook's, is not compared); only transport or folder headers differ.",
        flags: "Altered: this copy differs from a DKIM-authentic copy in what its signature covers (the differences are listed), so it was changed. Suspicious: the copies disagree and none can be proven, or this copy differs from the authentic one only in fields its signature does not cover.",
        not_run: "No finding: no other email in the dump has this Message-ID.",
        recheck: "Open both items (listed in the evidence) and compare them with `diff`; verify the authentic copy's signature.",
    },
    CheckInfo {
        id: CheckId::EmailLeakWindow,
        name: "email.leak-window",
        family: Family::Email,
        looks_at: "The message's Date against the period the leak is said to cover (the case's leak window).",
        gives: &[Suspicious, Consistent],
        passes: "Consistent: the message is dated inside the leak window.",
        flags: "Suspicious: the message is dated outside the period the leak is said to cover.",
        not_run: "No finding: the case has no leak window, or the message has no Date that parses.",
        recheck: "Compare the Date header with the leak window in the case folder's `case.toml` (set by `leakcheck init --window`).",
    },
    CheckInfo {
        id: CheckId::EmailReceivedChain,
        name: "email.received-chain",
        family: Family::Email,
        looks_at: "The Received lines each mail server adds with a time, read along the route.",
        gives: &[Suspicious, Consistent],
        passes: "Consistent: the Received times run in order along the route (small clock differences are allowed).",
        flags: "Suspicious: times run backwards along the route by more than two hours, a sign of edited headers.",
        not_run: "No finding: fewer than two Received lines carry a time.",
        recheck: "Read the Received headers of the original from the bottom up and compare their dates.",
    },
    CheckInfo {
        id: CheckId::EmailDateSkew,
        name: "email.date-skew",
        family: Family::Email,
        looks_at: "The Date the sender's program wrote against the time the first server received the message.",
        gives: &[Suspicious, Consistent],
        passes: "Consistent: the Date agrees with the first server's receipt time.",
        flags: "Suspicious: the Date contradicts the receipt: it is hours after the first server received the message, or the first receipt is days after it.",
        not_run: "No finding: the message has no Date that parses, or no Received line with a time.",
        recheck: "Compare the Date header with the lowest Received header's time in the original.",
    },
    CheckInfo {
        id: CheckId::EmailMessageId,
        name: "email.message-id",
        family: Family::Email,
        looks_at: "The form of the Message-ID header, which mail programs write as <left@right>.",
        gives: &[Suspicious, Consistent],
        passes: "Consistent: the Message-ID is well formed (<left@right>).",
        flags: "Suspicious: the Message-ID is malformed (not <left@right>), which mail programs do not write.",
        not_run: "No finding: the message has no Message-ID header.",
        recheck: "Read the Message-ID and From headers of the original.",
    },
    CheckInfo {
        id: CheckId::EmailThreadOrder,
        name: "email.thread-order",
        family: Family::Email,
        looks_at: "This reply's Date against the Date of the message it answers (its In-Reply-To), when that message is in the dump.",
        gives: &[Suspicious, Consistent],
        passes: "Consistent: the reply is dated after the message it answers (within a few minutes of clock difference).",
        flags: "Suspicious: the reply is dated before the message it answers.",
        not_run: "No finding: the message is not a reply, its parent is not in the dump, or a Date is missing.",
        recheck: "Compare this message's Date with its parent's (In-Reply-To).",
    },
    CheckInfo {
        id: CheckId::EmailThreadQuote,
        name: "email.thread-quote",
        family: Family::Email,
        looks_at: "The lines this reply quotes (`>`) against the text of the message it answers, when that message is in the dump.",
        gives: &[Suspicious, Consistent],
        passes: "Consistent: every quoted word is in the parent's text (leaving parts out or re-wrapping is ordinary quoting).",
        flags: "Suspicious: the quote contains words its parent does not have, so the quote or the parent was changed.",
        not_run: "No finding: the message quotes fewer than five words, or its parent is not in the dump.",
        recheck: "Compare the quoted lines with the parent message's text.",
    },
    CheckInfo {
        id: CheckId::EmailSignatureTime,
        name: "email.signature-time",
        family: Family::Email,
        looks_at: "When each DKIM signature says it was made (its t= tag), against the message's Date and the time the first server received it.",
        gives: &[Suspicious, Consistent],
        passes: "Consistent: the message was signed when it was sent (within a week of its Date or first receipt), or by a server on its path when that server received it.",
        flags: "Suspicious: the message was signed long after (or before) it says it was sent, and by no server on its path then: the signature proves who held the key at that time, which contradicts the Date.",
        not_run: "No finding: no signature carries a t= tag, or the message has neither a Date nor a Received time.",
        recheck: "Compare the t= tag of the DKIM-Signature header (Unix seconds, `date -d @T`) with the Date and the lowest Received header of the original.",
    },
    CheckInfo {
        id: CheckId::ArchiveNearDuplicate,
        name: "archive.near-duplicate",
        family: Family::Archive,
        looks_at: "Documents, attachments, files and forwarded message bodies whose text nearly repeats a DKIM-authentic item's (MinHash resemblance); replies and their quotes are not compared.",
        gives: &[Suspicious, Consistent],
        passes: "Consistent: the text is the same as the authentic item's; only the bytes around it differ.",
        flags: "Suspicious: the text claims to be the authentic item's but differs from it; the word changes listed are what was changed.",
        not_run: "No finding: no authentic item has nearly the same text.",
        recheck: "Open both items and compare their text with `diff`.",
    },
    CheckInfo {
        id: CheckId::DocDates,
        name: "doc.dates",
        family: Family::Doc,
        looks_at: "The document's own dates (created, modified, printed, revisions) in every metadata store.",
        gives: &[Suspicious, Consistent],
        passes: "Consistent: every date is possible and none is after the leak window or the dump's first ingest.",
        flags: "Suspicious: a date is impossible (modified before created, a zeroed or default clock) or after the leak window or the dump's first ingest.",
        not_run: "No finding: the document records no dates.",
        recheck: "`exiftool -a -G1 original` lists every date field with the store it comes from.",
    },
    CheckInfo {
        id: CheckId::DocAuthorship,
        name: "doc.authorship",
        family: Family::Doc,
        looks_at: "The author, company and other names recorded in the file, against the dump's documents and the organisation's circle (its names, its senders, the people who correspond with it).",
        gives: &[Suspicious, Consistent],
        passes: "Consistent: the names are common in the dump, in the organisation's circle, or default account names.",
        flags: "Suspicious: a name is rare in this dump (a handful of documents) and nobody in the organisation's circle.",
        not_run: "No finding: the file records no names.",
        recheck: "`exiftool -a -G1 -Author -Creator -LastModifiedBy -Company original`.",
    },
    CheckInfo {
        id: CheckId::DocScript,
        name: "doc.script",
        family: Family::Doc,
        looks_at: "The writing systems (and code pages) of the document's names, titles and keywords, against the dump's documents and emails.",
        gives: &[Suspicious, Consistent],
        passes: "Consistent: the document's writing systems are common in the dump.",
        flags: "Suspicious: the document uses a writing system (or code page) that is rare in the dump.",
        not_run: "No finding: the metadata holds no letters to classify.",
        recheck: "Open the text and `exiftool -a -G1 original` for code pages and languages.",
    },
    CheckInfo {
        id: CheckId::DocPdfRevisions,
        name: "doc.pdf-revisions",
        family: Family::Doc,
        looks_at: "The PDF's revisions, read from its raw bytes (incremental updates appended after it was first written).",
        gives: &[Suspicious, Consistent],
        passes: "Consistent: the PDF was written once (one revision, nothing after its end).",
        flags: "Suspicious: the PDF was changed after it was first written (saved again as an incremental update), or has bytes after its end; earlier versions are kept as items of their own.",
        not_run: "No finding: the item is not a PDF whose structure could be read.",
        recheck: "`pdfresurrect -l original.pdf` lists the versions; `qpdf --show-xref` shows each update.",
    },
    CheckInfo {
        id: CheckId::DocPdfXmpInfo,
        name: "doc.pdf-xmp-info",
        family: Family::Doc,
        looks_at: "The PDF's two metadata stores (the Info dictionary and XMP): title, author, dates, producer, creator tool.",
        gives: &[Suspicious, Consistent],
        passes: "Consistent: the two stores agree.",
        flags: "Suspicious: the two stores disagree, which happens when one program edits a file written by another.",
        not_run: "No finding: the PDF lacks one of the two stores.",
        recheck: "`exiftool -a -G1 -PDF:all -XMP:all original.pdf`.",
    },
    CheckInfo {
        id: CheckId::DocSoftware,
        name: "doc.software",
        family: Family::Doc,
        looks_at: "The program that wrote the file (application, PDF producer, Office version, ZIP entry dates), against the dump's documents.",
        gives: &[Suspicious, Consistent],
        passes: "Consistent: the program is common in the dump and fits the file's dates and packaging, or the packaging is the dump's norm (shared by a large share of its documents).",
        flags: "Suspicious: the program is rare in the dump, repacked the package while the dump's other packages were not, or did not exist yet at the claimed date.",
        not_run: "No finding: the file does not name the program that wrote it.",
        recheck: "`exiftool -a -G1 -Producer -Creator -Application -AppVersion original`; `unzip -l` for Office packages.",
    },
    CheckInfo {
        id: CheckId::ImageExif,
        name: "image.exif",
        family: Family::Image,
        looks_at: "The photo's EXIF data (pixel size, dates, IPTC digest) against the picture itself.",
        gives: &[Suspicious, Consistent],
        passes: "Consistent: the EXIF size, dates and digest fit the picture.",
        flags: "Suspicious: the EXIF data contradicts the picture (another size, a stale IPTC digest, or taken after it was last modified).",
        not_run: "No finding: the image carries no EXIF data to compare.",
        recheck: "`exiftool -a -G1 original.jpg` and compare with the real pixel size.",
    },
    CheckInfo {
        id: CheckId::ImageThumbnail,
        name: "image.thumbnail",
        family: Family::Image,
        looks_at: "The small preview stored inside the photo, against the picture scaled down, as a whole and region by region.",
        gives: &[Suspicious, Consistent],
        passes: "Consistent: the preview shows the same picture in every region (a picture turned since is reported as such).",
        flags: "Suspicious: the preview does not show the same picture (or has other proportions), or one region of it has changed: the main image was edited and the preview left behind; a difference picture shows where.",
        not_run: "No finding: the image has no embedded preview, or it cannot be decoded.",
        recheck: "`exiftool -b -ThumbnailImage original.jpg > thumb.jpg` and look at it.",
    },
    CheckInfo {
        id: CheckId::ImageSoftware,
        name: "image.software",
        family: Family::Image,
        looks_at: "The programs the photo's metadata records (EXIF Software, XMP CreatorTool and history), against the dump's other pictures from the same camera.",
        gives: &[Suspicious, Consistent],
        passes: "Consistent: no recorded program is a known editor, or the editor is this camera's workflow (more than a handful of its pictures) or has no sibling pictures to compare with.",
        flags: "Suspicious: an image or metadata editor is recorded in this photo while the camera's other pictures in the dump lack it: this one was treated apart.",
        not_run: "No finding: the photo records no program.",
        recheck: "`exiftool -a -G1 -Software -CreatorTool original.jpg`.",
    },
    CheckInfo {
        id: CheckId::DocTextLayer,
        name: "doc.text-layer",
        family: Family::Doc,
        looks_at: "A PDF page's text layer (what search and copy-paste read) against OCR of the page as it is drawn (what a person sees).",
        gives: &[Suspicious, Consistent],
        passes: "Consistent: the text layer says what the page shows, within OCR's own errors (look-alike letters, lost accents).",
        flags: "Suspicious: the page does not show what its text layer says: a different figure, or words only one of them has (text edited in an invisible layer, or an image pasted over text); both versions and the differing words are shown.",
        not_run: "No finding: the PDF has no text layer, OCR has not read its pages (`leakcheck ocr`), or OCR read them with too little confidence to compare.",
        recheck: "`pdftotext -f N -l N original.pdf -` against `pdftoppm -f N -l N -r 300 -png original.pdf p && tesseract p-N.png - -l fra+eng`.",
    },
];

impl CheckId {
    /// Every check, in the table's order.
    pub fn all() -> impl Iterator<Item = CheckId> {
        CHECKS.iter().map(|c| c.id)
    }

    /// Its row of the table.
    pub fn info(self) -> &'static CheckInfo {
        // The table is in declaration order (a test holds it).
        &CHECKS[self as usize]
    }

    /// The stable id, e.g. `email.dkim`.
    pub fn as_str(self) -> &'static str {
        self.info().name
    }

    /// Parses a stable id.
    pub fn parse(s: &str) -> Option<CheckId> {
        CHECKS.iter().find(|c| c.name == s).map(|c| c.id)
    }

    /// What a finding of this check with `verdict` means.
    pub fn meaning(self, verdict: Verdict) -> &'static str {
        let info = self.info();
        match verdict {
            Authentic | Consistent => info.passes,
            Altered | Suspicious => info.flags,
            Unverifiable => info.not_run,
        }
    }
}

impl fmt::Display for CheckId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Lets tests and callers compare with a written id (`f.check == "email.dkim"`).
impl PartialEq<&str> for CheckId {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_in_declaration_order_and_names_match_serde() {
        for (i, c) in CHECKS.iter().enumerate() {
            assert_eq!(c.id as usize, i, "{} out of order", c.name);
            assert_eq!(
                serde_json::to_value(c.id).unwrap(),
                serde_json::json!(c.name)
            );
            assert_eq!(CheckId::parse(c.name), Some(c.id));
            let prefix = match c.family {
                Family::Email => "email.",
                Family::Archive => "archive.",
                Family::Doc => "doc.",
                Family::Image => "image.",
            };
            assert!(c.name.starts_with(prefix), "{} is not {prefix}*", c.name);
        }
        assert_eq!(CheckId::parse("email.nothing"), None);
        assert_eq!(CheckId::EmailDkim, "email.dkim");
    }

    #[test]
    fn every_check_has_every_field() {
        for c in &CHECKS {
            for (field, text) in [
                ("looks_at", c.looks_at),
                ("passes", c.passes),
                ("flags", c.flags),
                ("not_run", c.not_run),
                ("recheck", c.recheck),
            ] {
                assert!(
                    text.trim().len() > 10 && text.ends_with(['.', ')']),
                    "{}: {field} missing or not a sentence: {text:?}",
                    c.name
                );
            }
            assert!(!c.gives.is_empty(), "{}: gives no verdict", c.name);
        }
    }

    /// Words that say something is wrong. The words shown under a passing
    /// finding must not use them (issue 22: "inside the leak window" above
    /// "dated outside the period"), and the words under a flag must.
    const ALARM: [&str; 14] = [
        "outside",
        "malformed",
        "changed",
        "fails",
        "broken",
        "before the message",
        "backwards",
        "contradicts",
        "disagree",
        "rare in",
        "impossible",
        "editor is recorded",
        "does not show",
        "does not have",
    ];

    #[test]
    fn the_words_under_a_finding_match_its_verdict() {
        for c in &CHECKS {
            for v in Verdict::PRECEDENCE {
                let words = c.id.meaning(v);
                let alarm: Vec<_> = ALARM.iter().filter(|a| words.contains(*a)).collect();
                let given = c.gives.contains(&v);
                match v {
                    Authentic | Consistent => {
                        assert!(
                            alarm.is_empty(),
                            "{} {v}: alarm words {alarm:?} in {words:?}",
                            c.name
                        );
                    }
                    Altered | Suspicious if given => assert!(
                        !alarm.is_empty(),
                        "{} {v}: says nothing is wrong: {words:?}",
                        c.name
                    ),
                    Unverifiable if given => assert!(
                        words.starts_with("Unverifiable:"),
                        "{} {v}: {words:?}",
                        c.name
                    ),
                    _ => {}
                }
                // A verdict the check gives is named by its words.
                if given {
                    let name = v.as_str();
                    let capital = format!("{}{}:", name[..1].to_uppercase(), &name[1..]);
                    assert!(
                        words.contains(&capital),
                        "{} {v}: the words do not name the verdict: {words:?}",
                        c.name
                    );
                }
                // Never the words of another outcome.
                for other in [c.passes, c.flags, c.not_run] {
                    if other != words {
                        assert!(!words.contains(other), "{} {v}", c.name);
                    }
                }
            }
            assert!(
                !ALARM.iter().any(|a| c.looks_at.contains(a)),
                "{}: looks_at is shown under every verdict and must be neutral: {:?}",
                c.name,
                c.looks_at
            );
        }
    }

    #[test]
    fn the_readme_tables_list_every_check_with_its_verdicts() {
        let readme = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md"),
        )
        .unwrap();
        let rows: Vec<&str> = readme.lines().filter(|l| l.starts_with("| `")).collect();
        for c in &CHECKS {
            let cell = format!("| `{}` |", c.name);
            let row = rows
                .iter()
                .find(|r| r.starts_with(&cell))
                .unwrap_or_else(|| panic!("README has no table row for {}", c.name));
            // The last column names the verdicts given (the metadata table
            // says "suspicious when": those checks give suspicious or consistent).
            let last = row.trim_end_matches('|').rsplit('|').next().unwrap();
            let doc_table = matches!(c.family, Family::Doc | Family::Image);
            for v in Verdict::PRECEDENCE {
                let named = last.contains(v.as_str());
                if doc_table {
                    continue;
                }
                assert_eq!(
                    named,
                    c.gives.contains(&v),
                    "README row for {}: verdict {v} in {last:?} vs the table's {:?}",
                    c.name,
                    c.gives
                );
            }
            if doc_table {
                assert_eq!(c.gives, &[Suspicious, Consistent], "{}", c.name);
            }
        }
        for r in rows.iter().filter(|r| {
            ["| `email.", "| `doc.", "| `image.", "| `archive."]
                .iter()
                .any(|p| r.starts_with(p))
        }) {
            let id = r[3..].split('`').next().unwrap();
            assert!(
                CheckId::parse(id).is_some(),
                "README lists unknown check {id}"
            );
        }
    }
}
