//! Text resemblance by MinHash over word shingles, and LSH banding so that
//! only likely pairs are compared: clustering stays close to linear in the
//! size of the dump.
//!
//! Written here (about a hundred lines) rather than taken from a crate: the
//! ones that exist fix their own tokenisation and hashing, and the finding's
//! evidence must say exactly how resemblance was measured.
//!
//! Resemblance is the Jaccard index of the two texts' sets of 4-word
//! shingles (lower case, letters and digits only), estimated from 128
//! minimum hashes. With 32 bands of 4 rows, two texts that share half their
//! shingles become candidates with probability 0.87, at 0.8 with
//! probability 1.0 (to 7 decimals), at 0.3 with 0.23; candidates are then
//! kept when the estimate reaches [`NEAR`].

/// Words per shingle.
pub const SHINGLE: usize = 4;
/// Minimum hashes per signature.
pub const HASHES: usize = 128;
/// Rows per LSH band (so `HASHES / ROWS` bands).
pub const ROWS: usize = 4;
/// Estimated resemblance from which two texts are near-copies.
pub const NEAR: f64 = 0.5;
/// Texts with fewer words are too short to compare (any two notes of three
/// words would look alike).
pub const MIN_WORDS: usize = 20;
/// A band bucket holding more texts than this is boilerplate (empty
/// signatures, disclaimers): its pairs are not compared.
pub const MAX_BUCKET: usize = 500;

/// A text's MinHash signature and how many shingles it was made from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    /// The minimum hashes.
    pub mins: Vec<u64>,
    /// Shingles in the text (for containment).
    pub shingles: usize,
}

/// A 64-bit mix (SplitMix64's finaliser): cheap and well spread.
const fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// The hashes of a text's [`words`], each by FNV-1a over its UTF-8 bytes (stable across
/// runs and machines, unlike std's hasher). Lower-cased as it goes, with no
/// string per word: this runs over every text of the dump.
fn word_hashes(text: &str) -> Vec<u64> {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    let fnv = |h: u64, b: u8| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    let mut out = Vec::with_capacity(text.len() / 5);
    let mut h = OFFSET;
    let mut in_word = false;
    for c in text.chars() {
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() {
                h = fnv(h, c.to_ascii_lowercase() as u8);
                in_word = true;
                continue;
            }
        } else if c.is_alphanumeric() {
            for l in c.to_lowercase() {
                let mut buf = [0u8; 4];
                for &b in l.encode_utf8(&mut buf).as_bytes() {
                    h = fnv(h, b);
                }
            }
            in_word = true;
            continue;
        }
        if in_word {
            out.push(h);
            h = OFFSET;
            in_word = false;
        }
    }
    if in_word {
        out.push(h);
    }
    out
}

/// The words of a text as they are compared: lower case, letters and digits.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The hashes of a text's shingles, for exact comparisons of a few texts.
pub fn shingle_set(text: &str) -> std::collections::HashSet<u64> {
    word_hashes(text)
        .windows(SHINGLE)
        .map(shingle_hash)
        .collect()
}

fn shingle_hash(window: &[u64]) -> u64 {
    window.iter().fold(0u64, |acc, h| mix(acc ^ h))
}

/// The i-th of the [`HASHES`] hash functions is `x * A[i] + B[i]` (mod
/// 2^64) over a shingle's hash `x`, compared as a whole: one multiply and
/// one add where a full mix per function made signatures the costliest part
/// of `verify`. Shingle hashes are already well mixed, and an odd
/// multiplier makes each function a permutation, as MinHash wants.
const fn constants() -> ([u64; HASHES], [u64; HASHES]) {
    let mut a = [0u64; HASHES];
    let mut b = [0u64; HASHES];
    let mut i = 0;
    while i < HASHES {
        a[i] = mix(2 * i as u64 + 1) | 1;
        b[i] = mix(2 * i as u64 + 2);
        i += 1;
    }
    (a, b)
}
const FUNCTIONS: ([u64; HASHES], [u64; HASHES]) = constants();

/// The signature of a text, `None` when it has fewer than [`MIN_WORDS`] words.
pub fn signature(text: &str) -> Option<Signature> {
    let hashes = word_hashes(text);
    if hashes.len() < MIN_WORDS {
        return None;
    }
    let (a, b) = &FUNCTIONS;
    let mut sig = [u64::MAX; HASHES];
    let shingles = hashes.len() + 1 - SHINGLE;
    for window in hashes.windows(SHINGLE) {
        let x = shingle_hash(window);
        for ((slot, a), b) in sig.iter_mut().zip(a).zip(b) {
            *slot = (*slot).min(x.wrapping_mul(*a).wrapping_add(*b));
        }
    }
    Some(Signature {
        mins: sig.to_vec(),
        shingles,
    })
}

impl Signature {
    /// The signature's LSH bucket key in each band, band by band: two texts
    /// with a key in common are candidates.
    pub fn band_keys(&self) -> impl Iterator<Item = u64> + '_ {
        self.mins
            .chunks(ROWS)
            .enumerate()
            .map(|(band, rows)| rows.iter().fold(band as u64, |acc, h| mix(acc ^ h)))
    }

    /// The minimum hashes as bytes (little-endian), to keep on disk.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.mins.iter().flat_map(|m| m.to_le_bytes()).collect()
    }

    /// The signature [`Signature::to_bytes`] wrote; `None` when the bytes
    /// are not [`HASHES`] hashes.
    pub fn from_bytes(bytes: &[u8], shingles: usize) -> Option<Signature> {
        (bytes.len() == HASHES * 8).then(|| Signature {
            mins: bytes
                .chunks_exact(8)
                .map(|b| u64::from_le_bytes(b.try_into().unwrap_or_default()))
                .collect(),
            shingles,
        })
    }

    /// Estimated resemblance: the share of equal minimum hashes.
    pub fn resemblance(&self, other: &Signature) -> f64 {
        let same = self
            .mins
            .iter()
            .zip(&other.mins)
            .filter(|(a, b)| a == b)
            .count();
        same as f64 / HASHES as f64
    }

    /// Estimated share of this text's shingles that `other` also has: how
    /// much of an excerpt a longer text contains. From the resemblance J and
    /// the set sizes: |A∩B| = J(|A|+|B|)/(1+J).
    pub fn contained_in(&self, other: &Signature) -> f64 {
        let j = self.resemblance(other);
        let common = j * (self.shingles + other.shingles) as f64 / (1.0 + j);
        (common / self.shingles as f64).min(1.0)
    }
}

/// Pairs of signatures (by index) that are near-copies, each with its
/// estimated resemblance, found through LSH banding.
pub fn near_pairs(sigs: &[Option<&Signature>]) -> Vec<(usize, usize, f64)> {
    // Every (band, bucket key, text) sorted, so that a bucket is a run of
    // equal keys: a sort is several times faster than a map of vectors.
    let mut keyed: Vec<(u64, u32)> = Vec::with_capacity(sigs.len() * (HASHES / ROWS));
    for (i, sig) in sigs.iter().enumerate() {
        let Some(sig) = sig else { continue };
        keyed.extend(sig.band_keys().map(|key| (key, i as u32)));
    }
    keyed.sort_unstable();
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for bucket in keyed.chunk_by(|x, y| x.0 == y.0) {
        if bucket.len() < 2 || bucket.len() > MAX_BUCKET {
            continue;
        }
        for (x, &(_, a)) in bucket.iter().enumerate() {
            for &(_, b) in &bucket[x + 1..] {
                let (a, b) = (a as usize, b as usize);
                if a == b || !seen.insert((a, b)) {
                    continue;
                }
                if let (Some(sa), Some(sb)) = (sigs[a], sigs[b]) {
                    let r = sa.resemblance(sb);
                    if r >= NEAR {
                        out.push((a, b, r));
                    }
                }
            }
        }
    }
    out.sort_by_key(|p| (p.0, p.1));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "The board approved the budget of 12000 euros for the posters in Lyon, \
        and the treasurer will transfer the money on Monday after the weekly meeting with the \
        campaign team. Volunteers will put the posters up in every district before the rally.";

    #[test]
    fn word_hashes_are_the_words_hashed() {
        let text = "Überweisung: 12 000 € an M. DUPONT, l'été—Straße_2 ÉTÉ";
        let fnv = |w: &str| {
            w.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            })
        };
        let expected: Vec<u64> = words(text).iter().map(|w| fnv(w)).collect();
        assert_eq!(word_hashes(text), expected);
        assert_eq!(words(text)[0], "überweisung");
    }

    #[test]
    fn small_edits_stay_near_and_other_texts_do_not() {
        let a = signature(BASE).unwrap();
        let figure = signature(&BASE.replace("12000", "120000")).unwrap();
        assert!(a.resemblance(&figure) > 0.75, "{}", a.resemblance(&figure));
        let name = signature(&BASE.replace("Lyon", "Marseille")).unwrap();
        assert!(a.resemblance(&name) > 0.75);
        let other = signature(
            "Minutes of the press office: the interview with the regional newspaper is moved \
             to Thursday, the photographer needs access to the hall at noon, and the candidate \
             will answer questions about housing and transport policy for twenty minutes.",
        )
        .unwrap();
        assert!(a.resemblance(&other) < 0.1);
        assert_eq!(
            a,
            signature(&BASE.to_uppercase()).unwrap(),
            "case does not count"
        );
        assert!(signature("too short to say anything").is_none());
        let excerpt = signature(&BASE[..BASE.len() / 2]).unwrap();
        assert!(excerpt.resemblance(&a) < 0.6);
        assert!(
            excerpt.contained_in(&a) > 0.8,
            "{}",
            excerpt.contained_in(&a)
        );
        assert_eq!(
            Signature::from_bytes(&a.to_bytes(), a.shingles),
            Some(a.clone())
        );
        assert_eq!(Signature::from_bytes(&a.to_bytes()[1..], a.shingles), None);
        let pairs = near_pairs(&[Some(&a), Some(&other), None, Some(&figure)]);
        assert_eq!(pairs.len(), 1);
        assert_eq!((pairs[0].0, pairs[0].1), (0, 3));
    }
}
