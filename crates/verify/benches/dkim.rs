//! In-process DKIM verification throughput, comparable with dkimpy verifying
//! preloaded messages (`bench/dkim_compare.py --bench N` prints both).
//!
//! `cargo bench -p leakcheck-verify --bench dkim -- MESSAGES_DIR KEYS_FILE`
//! prints one JSON object (one thread, messages and keys in memory).

use std::time::Instant;

use leakcheck_core::KeyRecord;
use leakcheck_verify::{KeySet, dkim};

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let [dir, keys_file] = args.as_slice() else {
        eprintln!("usage: cargo bench -p leakcheck-verify --bench dkim -- MESSAGES_DIR KEYS_FILE");
        return;
    };
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    let messages: Vec<Vec<u8>> = paths.iter().map(|p| std::fs::read(p).unwrap()).collect();
    let keys = KeySet::new(
        std::fs::read_to_string(keys_file)
            .unwrap()
            .lines()
            .filter_map(KeyRecord::parse_line)
            .map(|(name, txt)| KeyRecord {
                name,
                txt,
                source: "bench".into(),
                obtained: None,
                added_by: None,
                added_at: String::new(),
            })
            .collect(),
    );
    let mut best = f64::MAX;
    let mut passed = 0;
    for _ in 0..3 {
        let t = Instant::now();
        passed = messages
            .iter()
            .filter(|m| dkim::check(m, &keys, None).evidence["signatures"][0]["result"] == "pass")
            .count();
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!(
        "{{\"messages\": {}, \"passed\": {passed}, \"seconds\": {best:.4}, \"msgs_per_s\": {:.0}, \"threads\": 1}}",
        messages.len(),
        messages.len() as f64 / best
    );
}
