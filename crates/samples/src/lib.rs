//! Small synthetic documents and images whose metadata is chosen by the
//! caller, for `leakcheck demo` and for tests of the forensic checks.
//!
//! Each builder writes one format by hand and returns its bytes: [`docx`] and
//! [`xlsx`] (OOXML parts in a ZIP, with the entry dates of [`ZipDate`]),
//! [`pdf`] and [`pdf_update`] (an original file and an incremental update of
//! it), [`jpeg`] (pixels from the `image` crate, EXIF written here) and
//! [`msg`] (an Outlook message, as a compound file written with `cfb`) and
//! [`winmail`] (a TNEF `winmail.dat`) and [`zipcrypto`] (a zip encrypted with
//! the traditional PKWARE cipher). The
//! formats are written here rather than by a library so that every field,
//! and every inconsistency between fields, is exactly what the caller asked.
//!
//! ```
//! use leakcheck_samples::{OfficeProps, ZipDate, docx};
//!
//! let props = OfficeProps {
//!     creator: Some("Ann Smith".into()),
//!     created: Some("2017-04-10T09:00:00Z".into()),
//!     ..OfficeProps::default()
//! };
//! let bytes = docx(&props, &["Quarterly plan"], ZipDate::OFFICE)?;
//! assert!(bytes.starts_with(b"PK"));
//! Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]

pub use jpeg::{EDITED_REGION, Exif, Thumbnail, jpeg};
pub use msg::{MsgAttachment, OutlookMessage, msg};
pub use office::{OfficeProps, ZipDate, docx, xlsx};
pub use pdf::{PdfInfo, Xmp, pdf, pdf_update, picture_pdf};
pub use tnef::winmail;
pub use zipcrypto::zipcrypto;

mod jpeg;
mod msg;
mod office;
mod pdf;
mod tnef;
mod zipcrypto;

/// Escapes text for XML element content and attribute values.
fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}
