//! Parse-only throughput: messages already in memory, parsed with
//! `email::parse` (headers, bodies, attachments decoded). The same work as
//! `tests/oracle/cpython_email.py --bench`, so the two figures compare.
//!
//! `cargo bench -p leakcheck-extract --bench parse -- PATH...` prints one JSON object.

use std::path::{Path, PathBuf};
use std::time::Instant;

use leakcheck_core::Kind;
use leakcheck_extract::readers::mbox;
use leakcheck_extract::{Flow, Member, MemberData, detect, email};

fn files(p: &Path, out: &mut Vec<PathBuf>) {
    if p.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for e in entries {
            files(&e, out);
        }
    } else {
        out.push(p.to_path_buf());
    }
}

fn main() {
    let paths: Vec<PathBuf> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .map(PathBuf::from)
        .collect();
    let mut all = Vec::new();
    for p in &paths {
        files(p, &mut all);
    }
    let mut messages: Vec<Vec<u8>> = Vec::new();
    for f in all {
        let bytes = std::fs::read(&f).unwrap();
        match detect(&bytes) {
            Kind::Mbox => {
                mbox::expand(&bytes[..], u64::MAX, &mut |m: Member<'_>| {
                    if let MemberData::Bytes(b) = m.data {
                        messages.push(b);
                    }
                    Flow::Continue
                })
                .unwrap();
            }
            Kind::Email => messages.push(bytes),
            _ => {}
        }
    }
    let bytes: usize = messages.iter().map(Vec::len).sum();
    let mut best = f64::MAX;
    let mut attachments = 0;
    for _ in 0..3 {
        let t = Instant::now();
        attachments = 0;
        for m in &messages {
            if let Ok(p) = email::parse(m) {
                attachments += p.attachments.len();
            }
        }
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!(
        "{{\"messages\": {}, \"bytes\": {bytes}, \"attachments\": {attachments}, \"seconds\": {best:.4}, \"msgs_per_s\": {:.0}, \"threads\": 1}}",
        messages.len(),
        messages.len() as f64 / best
    );
}
