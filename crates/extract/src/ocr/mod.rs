//! Optical character recognition: pictures of text become a text layer.
//!
//! The engine is Tesseract 5's command-line program, run once per page in a
//! child process with a time limit ([`engine`]): a crash, a hang or a page
//! that eats memory costs that page, never the run, and a machine without
//! Tesseract builds and runs, reporting OCR as unavailable. PDF pages are
//! rendered by poppler's `pdftoppm` the same way ([`render`]). Which images
//! are worth an OCR call is decided from their pixels first ([`decide`]).

pub mod decide;
pub mod engine;
pub mod render;

pub use decide::{TextLikelihood, carries_text};
pub use engine::{Engine, OcrError, Page, Unavailable};

/// Debian's packages that make OCR available, for messages that tell the
/// user what to install.
pub const PACKAGES: &str = "tesseract-ocr tesseract-ocr-fra tesseract-ocr-eng poppler-utils";
