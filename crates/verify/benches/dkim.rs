//! In-process DKIM verification throughput, comparable with dkimpy verifying
//! preloaded messages (`bench/dkim_compare.py --bench N` prints both).
//!
//! `cargo bench -p leakcheck-verify --bench dkim -- MESSAGES_DIR KEYS_FILE`
//! prints two JSON lines, messages and keys in memory: one thread (what
//! dkimpy's one process does), then every core (what `verify` does).

use std::time::Instant;

// The `leakcheck` binary's allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
                ..KeyRecord::default()
            })
            .collect(),
    );
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    for n in [1, threads] {
        let (seconds, passed) = best_of_3(&messages, &keys, n);
        println!(
            "{{\"messages\": {}, \"passed\": {passed}, \"seconds\": {seconds:.4}, \"msgs_per_s\": {:.0}, \"threads\": {n}}}",
            messages.len(),
            messages.len() as f64 / seconds
        );
    }
}

/// The best of three timed passes over `messages` on `threads` threads:
/// seconds, and how many messages had a passing first signature.
fn best_of_3(messages: &[Vec<u8>], keys: &KeySet, threads: usize) -> (f64, usize) {
    let pass = |m: &Vec<u8>| {
        dkim::check_signed(m, keys, None).0.evidence["signatures"][0]["result"] == "pass"
    };
    let chunk = messages.len().div_ceil(threads).max(1);
    let mut best = (f64::MAX, 0);
    for _ in 0..3 {
        let t = Instant::now();
        let passed: usize = std::thread::scope(|s| {
            let parts: Vec<_> = messages
                .chunks(chunk)
                .map(|part| s.spawn(move || part.iter().filter(|m| pass(m)).count()))
                .collect();
            parts.into_iter().map(|p| p.join().unwrap()).sum()
        });
        let secs = t.elapsed().as_secs_f64();
        if secs < best.0 {
            best = (secs, passed);
        }
    }
    best
}
