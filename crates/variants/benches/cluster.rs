//! Near-copy clustering at scale: generated documents with planted groups
//! of altered copies; time, peak memory, recall of the planted groups and
//! false clusters. `cargo bench -p leakcheck-variants --bench cluster --
//! --docs 200000 --groups 2000` (bench/variants.sh runs it).

use std::collections::HashMap;
use std::time::Instant;

use leakcheck_core::ItemId;
use leakcheck_variants::cluster::{Entry, text_groups};
use leakcheck_variants::minhash::{Signature, signature};

/// SplitMix64: a small deterministic generator, so every run sees the same corpus.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A vocabulary of pronounceable made-up words, common ones first.
fn vocabulary(n: usize, rng: &mut Rng) -> Vec<String> {
    const SYL: [&str; 24] = [
        "ba", "de", "ri", "mo", "tu", "la", "ne", "so", "ka", "vi", "po", "gu", "fe", "zo", "li",
        "ta", "me", "ru", "ni", "co", "sa", "pe", "do", "ve",
    ];
    (0..n)
        .map(|i| {
            let len = 1 + (i as f64).log10() as usize + rng.below(2);
            (0..len).map(|_| SYL[rng.below(SYL.len())]).collect()
        })
        .collect()
}

/// A word drawn with Zipf-like frequencies (rank ~ 1/u).
fn word<'a>(vocab: &'a [String], rng: &mut Rng) -> &'a str {
    let u = (rng.next() >> 11) as f64 / (1u64 << 53) as f64;
    let rank = ((vocab.len() as f64).powf(u) as usize).saturating_sub(1);
    &vocab[rank.min(vocab.len() - 1)]
}

/// A document of 3 to 6 paragraphs of 30 to 80 words, with figures and names.
fn document(vocab: &[String], rng: &mut Rng) -> Vec<String> {
    (0..3 + rng.below(4))
        .map(|_| {
            let n = 30 + rng.below(50);
            let mut p: Vec<String> = (0..n).map(|_| word(vocab, rng).to_string()).collect();
            let at = rng.below(n);
            p[at] = format!("{}", 1000 + rng.below(90_000));
            p.join(" ")
        })
        .collect()
}

/// An altered copy: a figure changed, a word replaced, a paragraph removed
/// or a sentence added.
fn alter(doc: &[String], vocab: &[String], rng: &mut Rng) -> Vec<String> {
    let mut d = doc.to_vec();
    let p = rng.below(d.len());
    match rng.below(4) {
        0 => {
            let mut words: Vec<String> = d[p].split(' ').map(String::from).collect();
            let at = rng.below(words.len());
            words[at] = format!("{}", 1000 + rng.below(90_000));
            d[p] = words.join(" ");
        }
        1 => {
            let mut words: Vec<String> = d[p].split(' ').map(String::from).collect();
            let at = rng.below(words.len());
            words[at] = word(vocab, rng).to_string();
            d[p] = words.join(" ");
        }
        2 if d.len() > 3 => {
            d.remove(p);
        }
        _ => {
            let extra: Vec<&str> = (0..12).map(|_| word(vocab, rng)).collect();
            d.insert(p, extra.join(" "));
        }
    }
    d
}

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    let docs = arg("--docs", 200_000);
    let groups = arg("--groups", 2_000);
    let mut rng = Rng(2017);
    let vocab = vocabulary(20_000, &mut rng);

    // The corpus: `groups` originals with 1 to 4 altered copies each, the
    // rest unrelated documents. `group[i]` is the planted group of doc i.
    let started = Instant::now();
    let mut texts: Vec<String> = Vec::with_capacity(docs);
    let mut group: Vec<Option<usize>> = Vec::with_capacity(docs);
    for g in 0..groups {
        let original = document(&vocab, &mut rng);
        let copies = 1 + rng.below(4);
        texts.push(original.join("\n"));
        group.push(Some(g));
        for _ in 0..copies {
            texts.push(alter(&original, &vocab, &mut rng).join("\n"));
            group.push(Some(g));
        }
    }
    while texts.len() < docs {
        texts.push(document(&vocab, &mut rng).join("\n"));
        group.push(None);
    }
    let bytes: usize = texts.iter().map(String::len).sum();
    let generated = started.elapsed().as_secs_f64();

    // What `variants` does: a signature per text, then LSH and grouping.
    let started = Instant::now();
    let entries: Vec<(Entry, Signature)> = texts
        .iter()
        .enumerate()
        .filter_map(|(i, t)| {
            let entry = Entry {
                id: ItemId::of(&(i as u64).to_le_bytes()),
                kind: "text".into(),
                path: format!("doc-{i}"),
                verdict: None,
            };
            Some((entry, signature(t)?))
        })
        .collect();
    let signed = started.elapsed().as_secs_f64();
    let found = text_groups(&entries);
    let clustered = started.elapsed().as_secs_f64();
    drop(texts);

    // Recall: planted groups whose members all landed in one cluster.
    // False clusters: clusters holding documents of more than one planted
    // group, or any unrelated document.
    // Entries skip texts too short to sign; the path keeps the document number.
    let planted_of = |i: usize| group[entries[i].0.path[4..].parse::<usize>().unwrap_or(0)];
    let mut cluster_of_doc: HashMap<usize, usize> = HashMap::new();
    let mut false_clusters = 0;
    for (c, members) in found.iter().enumerate() {
        let first = planted_of(members[0]);
        if first.is_none() || members.iter().any(|&m| planted_of(m) != first) {
            false_clusters += 1;
        }
        for &m in members {
            cluster_of_doc.insert(m, c);
        }
    }
    let mut members_by_group: HashMap<usize, Vec<usize>> = HashMap::new();
    for i in 0..entries.len() {
        if let Some(g) = planted_of(i) {
            members_by_group.entry(g).or_default().push(i);
        }
    }
    let recalled = members_by_group
        .values()
        .filter(|m| {
            let c = cluster_of_doc.get(&m[0]);
            c.is_some() && m.iter().all(|d| cluster_of_doc.get(d) == c)
        })
        .count();

    let result = serde_json::json!({
        "docs": docs,
        "text_mb": bytes as f64 / 1e6,
        "planted_groups": groups,
        "generate_seconds": generated,
        "signature_seconds": signed,
        "cluster_seconds": clustered,
        "clusters": found.len(),
        "recall": recalled as f64 / groups as f64,
        "false_clusters": false_clusters,
        "false_cluster_share": false_clusters as f64 / found.len().max(1) as f64,
        "peak_rss_mb": peak_rss_mb(),
    });
    println!("{result}");
}
