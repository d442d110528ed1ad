//! Every document and image of the shared Tika corpus either extracts or
//! gives a clear error, without a panic, each within 10 seconds (archives,
//! mail and the like are ingest's: `crates/cli/tests/corpus.rs`).

use std::path::Path;
use std::time::{Duration, Instant};

use leakcheck_extract::doc::{self, DocLimits};

#[test]
fn every_tika_document_extracts_or_says_why() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/tika");
    if !root.exists() {
        leakcheck_core::testing::skip(&format!("shared corpus not found at {}", root.display()));
        return;
    }
    let mut files: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && !p.to_string_lossy().ends_with(".exiftool.json"))
        .collect();
    files.sort();
    let (mut read, mut failed) = (0, Vec::new());
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        let kind = leakcheck_extract::sniff(&bytes);
        if !doc::handles(kind) {
            continue;
        }
        let started = Instant::now();
        let result = leakcheck_extract::guard(|| doc::extract(kind, &bytes, &DocLimits::default()));
        let took = started.elapsed();
        let name = path.file_name().unwrap().to_string_lossy();
        assert!(took < Duration::from_secs(10), "{name}: {took:?}");
        match result {
            Ok(_) => read += 1,
            Err(e) => {
                let why = e.to_string();
                assert!(!why.is_empty(), "{name}: an error with no message");
                assert!(!why.contains("panic"), "{name}: {why}");
                failed.push(format!("{name}: {why}"));
            }
        }
    }
    eprintln!(
        "{read} read, {} errors:\n{}",
        failed.len(),
        failed.join("\n")
    );
    assert!(read >= 70, "only {read} documents read");
}
