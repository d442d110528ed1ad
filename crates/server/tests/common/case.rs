//! A case made from a few files, as every server test starts.

use std::path::Path;
use std::sync::Arc;

use leakcheck_store::{Case, CaseSettings};

/// A case named `name` in `dir/case`, with `files` written to `dir/dump`
/// and ingested.
pub fn ingested(dir: &Path, name: &str, files: &[(&str, &[u8])]) -> Case {
    let dump = dir.join("dump");
    std::fs::create_dir_all(&dump).unwrap();
    for (file, bytes) in files {
        std::fs::write(dump.join(file), bytes).unwrap();
    }
    let settings = CaseSettings::named(name);
    let case = Case::init(&dir.join("case"), settings).unwrap();
    leakcheck_ingest::run(
        &case,
        &[dump],
        &leakcheck_ingest::Options::default(),
        Arc::new(leakcheck_ingest::Progress::default()),
    )
    .unwrap();
    case
}
