//! Integration tests: one binary, one module per topic. They run the real
//! `leakcheck` binary on generated dumps and, when present, on the shared corpus.

mod util;

mod archives;
mod browser;
mod cli;
mod corpus;
mod dkim;
mod doc_checks;
mod explore;
mod hostile;
mod incremental;
mod mail_rules;
mod ocr;
mod publish;
mod redact;
mod resume;
mod s3;
mod scale;
mod search;
mod spread;
mod team;
mod variants;
