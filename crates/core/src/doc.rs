//! The metadata of a document or image, store by store.
//!
//! A file often carries the same fact in several places (PDF Info and XMP,
//! OOXML core.xml and app.xml, EXIF IFD0 and XMP). Each place is a [`Store`]
//! and they are never merged: a disagreement between stores is evidence.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

/// Everything extracted from one document or image, except its text.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DocMeta {
    /// Format read, e.g. `pdf`, `docx`, `doc`, `jpeg`.
    pub format: String,
    /// Metadata stores in file order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stores: Vec<Store>,
    /// Pages (PDF, OOXML app.xml, ODF statistics), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pages: Option<u64>,
    /// Content is encrypted: only unencrypted metadata was read.
    #[serde(default, skip_serializing_if = "is_false")]
    pub encrypted: bool,
    /// Characters of text extracted (before the cut).
    #[serde(default)]
    pub text_chars: u64,
    /// The text was cut at the configured limit.
    #[serde(default, skip_serializing_if = "is_false")]
    pub text_truncated: bool,
    /// Problems that did not stop extraction (a broken xref, a bad XMP packet).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// PDF file structure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pdf: Option<PdfLayout>,
    /// ZIP entries of an OOXML/ODF package: their own dates tell about repacking.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub zip_entries: Vec<ZipEntry>,
    /// Image facts: size and the embedded thumbnail comparison.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageFacts>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// One place metadata is kept in a file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Store {
    /// Stable name; see [`store`] for the list.
    pub name: String,
    /// Its fields, in file order; a tag may repeat.
    pub fields: Vec<Field>,
}

/// One metadata value.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Field {
    /// Canonical name when the field is one of [`key`]'s, else the tag.
    pub key: String,
    /// The name as the format spells it (`/Author`, `dc:creator`, `0x0110 Model`).
    pub tag: String,
    /// The value as text (decoded, but otherwise as found).
    pub value: String,
    /// For dates: ISO 8601 `YYYY-MM-DDTHH:MM:SS`, with `Z` or `±HH:MM` when
    /// the format says which zone, without when it does not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

impl Store {
    /// A store with no fields yet.
    pub fn new(name: &str) -> Store {
        Store {
            name: name.to_string(),
            fields: Vec::new(),
        }
    }

    /// Adds a field; empty values are skipped (absent, not empty, is what
    /// the checks need).
    pub fn push(&mut self, key: &str, tag: &str, value: impl Into<String>) {
        let value = value.into();
        let value = value.trim_matches(|c: char| c.is_whitespace() || c == '\0');
        if value.is_empty() {
            return;
        }
        self.fields.push(Field {
            key: key.to_string(),
            tag: tag.to_string(),
            value: value.to_string(),
            date: None,
        });
    }

    /// Adds a date field with its normalised form (when it parsed).
    pub fn push_date(
        &mut self,
        key: &str,
        tag: &str,
        value: impl Into<String>,
        date: Option<String>,
    ) {
        let value = value.into();
        if value.trim().is_empty() && date.is_none() {
            return;
        }
        self.fields.push(Field {
            key: key.to_string(),
            tag: tag.to_string(),
            value: value.trim().to_string(),
            date,
        });
    }

    /// The first value under a canonical key.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.key == key)
            .map(|f| f.value.as_str())
    }

    /// The first field under a canonical key.
    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }
}

/// Reads a date in the normal form of [`Field::date`] back: the local time
/// and, when the format stated one, its UTC offset in minutes.
pub fn parse_date(norm: &str) -> Option<(NaiveDateTime, Option<i32>)> {
    let body = norm.get(..19)?;
    let dt = NaiveDateTime::parse_from_str(body, "%Y-%m-%dT%H:%M:%S").ok()?;
    let zone = match &norm[19..] {
        "" => None,
        "Z" => Some(0),
        z => {
            let sign = match z.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let (hh, mm) = z[1..].split_once(':')?;
            Some(sign * (hh.parse::<i32>().ok()? * 60 + mm.parse::<i32>().ok()?))
        }
    };
    Some((dt, zone))
}

impl DocMeta {
    /// A record for `format` with nothing in it yet.
    pub fn new(format: &str) -> DocMeta {
        DocMeta {
            format: format.to_string(),
            ..DocMeta::default()
        }
    }

    /// The store of that name, if the file has it.
    pub fn store(&self, name: &str) -> Option<&Store> {
        self.stores.iter().find(|s| s.name == name)
    }

    /// Every field with a canonical key, with its store name.
    pub fn fields(&self, key: &str) -> impl Iterator<Item = (&str, &Field)> {
        self.stores.iter().flat_map(move |s| {
            s.fields
                .iter()
                .filter(move |f| f.key == key)
                .map(move |f| (s.name.as_str(), f))
        })
    }

    /// Adds a store unless it is empty.
    pub fn add(&mut self, store: Store) {
        if !store.fields.is_empty() {
            self.stores.push(store);
        }
    }
}

/// PDF structure read from the raw bytes, independent of the object parser.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PdfLayout {
    /// Header version, e.g. `1.4`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Each saved state of the file, oldest first. More than one means
    /// incremental updates were appended.
    pub revisions: Vec<PdfRevision>,
    /// The first `%%EOF` belongs to a linearisation (fast web view) section,
    /// not to an edit, and is not counted as a revision.
    #[serde(default, skip_serializing_if = "is_false")]
    pub linearized: bool,
    /// Bytes after the last `%%EOF` that are not whitespace.
    #[serde(default)]
    pub trailing_bytes: u64,
    /// Counts of names worth a look (`/JavaScript`, `/Launch`, `/EmbeddedFile`, `/Encrypt`, signatures...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<(String, u64)>,
}

/// One saved state of a PDF.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PdfRevision {
    /// Byte length of the file as of this revision (just past its `%%EOF`).
    pub end: u64,
    /// Offset of its cross-reference section (`startxref`), when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub startxref: Option<u64>,
    /// Objects defined in this revision's body.
    #[serde(default)]
    pub objects: u64,
    /// The Info dictionary as of this revision, when it differs from the final one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub info: Option<Store>,
}

/// One entry of a ZIP package.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ZipEntry {
    /// Entry name.
    pub name: String,
    /// Its DOS modification time as `YYYY-MM-DDTHH:MM:SS` (local, no zone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
    /// Uncompressed size.
    pub size: u64,
}

/// Image facts beyond tags.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ImageFacts {
    /// Pixel width, when decoded or declared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    /// Pixel height.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    /// The EXIF thumbnail (IFD1) compared with the image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbnail: Option<Thumbnail>,
}

/// An embedded thumbnail and how far it is from the image it claims to show.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Thumbnail {
    /// Thumbnail width.
    pub width: u32,
    /// Thumbnail height.
    pub height: u32,
    /// Offset of the thumbnail in the file.
    pub offset: u64,
    /// Its length in bytes.
    pub length: u64,
    /// Hamming distance between the perceptual hashes (64-bit), when both decoded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash_distance: Option<u32>,
    /// Mean absolute difference, per cent of full scale, of the image scaled
    /// down to the thumbnail's size (Ghiro flags 15 % and more).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean_difference: Option<f64>,
    /// Aspect ratios (width/height) of thumbnail and image differ by more than 5 %.
    #[serde(default, skip_serializing_if = "is_false")]
    pub aspect_differs: bool,
    /// Degrees (90, 180, 270, clockwise) by which the image, turned back,
    /// matches the thumbnail best: the pixels were turned after the thumbnail
    /// was made. The other figures are measured on the turned image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub turned: Option<u16>,
    /// The same comparison region by region, so that a local edit shows
    /// even when the rest of the picture matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regions: Option<Regions>,
}

/// A grid over the thumbnail and the mean difference in each cell.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Regions {
    /// Cells across.
    pub columns: u32,
    /// Cells down.
    pub rows: u32,
    /// Mean absolute difference per cell, per cent of full scale, row by row.
    pub mean_difference: Vec<f32>,
}

/// Stable store names.
pub mod store {
    /// PDF document information dictionary (trailer `/Info`).
    pub const PDF_INFO: &str = "pdf.info";
    /// An XMP packet (PDF `/Metadata`, JPEG APP1, TIFF tag 700, PNG iTXt, sidecar).
    pub const XMP: &str = "xmp";
    /// OOXML `docProps/core.xml`.
    pub const OOXML_CORE: &str = "ooxml.core";
    /// OOXML `docProps/app.xml`.
    pub const OOXML_APP: &str = "ooxml.app";
    /// OOXML `docProps/custom.xml`.
    pub const OOXML_CUSTOM: &str = "ooxml.custom";
    /// OOXML body facts: comment and tracked-change authors, rsids, attached template.
    pub const OOXML_BODY: &str = "ooxml.body";
    /// ODF `meta.xml`.
    pub const ODF_META: &str = "odf.meta";
    /// OLE `\x05SummaryInformation`.
    pub const OLE_SUMMARY: &str = "ole.summary";
    /// OLE `\x05DocumentSummaryInformation` (first section).
    pub const OLE_DOC_SUMMARY: &str = "ole.docsummary";
    /// OLE user-defined properties (second section of DocumentSummaryInformation).
    pub const OLE_CUSTOM: &str = "ole.custom";
    /// Word binary File Information Block and DOP.
    pub const WORD_FIB: &str = "word.fib";
    /// RTF `\info` group and header controls.
    pub const RTF_INFO: &str = "rtf.info";
    /// HTML `<title>` and `<meta>`.
    pub const HTML_META: &str = "html.meta";
    /// EXIF IFD0 (main image).
    pub const EXIF_IFD0: &str = "exif.ifd0";
    /// EXIF sub-IFD (capture settings and dates).
    pub const EXIF_EXIF: &str = "exif.exif";
    /// EXIF IFD1 (thumbnail).
    pub const EXIF_IFD1: &str = "exif.ifd1";
    /// EXIF GPS IFD.
    pub const EXIF_GPS: &str = "exif.gps";
    /// IPTC IIM (Photoshop APP13).
    pub const IPTC: &str = "iptc";
    /// PNG textual chunks (tEXt, zTXt, iTXt).
    pub const PNG_TEXT: &str = "png.text";
    /// JPEG COM segments.
    pub const JPEG_COMMENT: &str = "jpeg.comment";
}

/// Canonical field keys shared by every store, so that checks can compare
/// stores without knowing each format's spelling.
pub mod key {
    /// Title.
    pub const TITLE: &str = "title";
    /// Subject.
    pub const SUBJECT: &str = "subject";
    /// Author, creator (a person).
    pub const AUTHOR: &str = "author";
    /// Last modified by / last author / operator.
    pub const LAST_MODIFIED_BY: &str = "last_modified_by";
    /// Company / organisation.
    pub const COMPANY: &str = "company";
    /// Manager.
    pub const MANAGER: &str = "manager";
    /// Template the document was made from.
    pub const TEMPLATE: &str = "template";
    /// Creation date.
    pub const CREATED: &str = "created";
    /// Last modification date.
    pub const MODIFIED: &str = "modified";
    /// Date the metadata itself was last changed (XMP).
    pub const METADATA_DATE: &str = "metadata_date";
    /// Last printed.
    pub const PRINTED: &str = "printed";
    /// The program that wrote the file format (PDF Producer).
    pub const PRODUCER: &str = "producer";
    /// The authoring application (PDF Creator, XMP CreatorTool, OOXML Application, ODF generator).
    pub const CREATOR_TOOL: &str = "creator_tool";
    /// Version of the authoring application.
    pub const APP_VERSION: &str = "app_version";
    /// EXIF Software (last program that saved the image).
    pub const SOFTWARE: &str = "software";
    /// Camera make.
    pub const MAKE: &str = "make";
    /// Camera model.
    pub const MODEL: &str = "model";
    /// When the photo was taken.
    pub const DATE_TIME_ORIGINAL: &str = "date_time_original";
    /// Pages, slides or sheets counted by the format's own metadata.
    pub const PAGES: &str = "pages";
    /// Code page (OLE property 1, RTF `\ansicpg`).
    pub const CODE_PAGE: &str = "code_page";
    /// Language.
    pub const LANGUAGE: &str = "language";
    /// Revision number.
    pub const REVISION: &str = "revision";
    /// Total editing time, in minutes.
    pub const TOTAL_TIME: &str = "total_time";
    /// Keywords.
    pub const KEYWORDS: &str = "keywords";
    /// Description / comments.
    pub const DESCRIPTION: &str = "description";
    /// Author of a comment in the body.
    pub const COMMENT_AUTHOR: &str = "comment_author";
    /// Author of a tracked change in the body.
    pub const REVISION_AUTHOR: &str = "revision_author";
    /// docx `w:rsidRoot`.
    pub const RSID_ROOT: &str = "rsid_root";
    /// Number of rsids in settings.xml.
    pub const RSID_COUNT: &str = "rsid_count";
    /// Artist / copyright holder of an image.
    pub const ARTIST: &str = "artist";
    /// Copyright notice.
    pub const COPYRIGHT: &str = "copyright";
}
