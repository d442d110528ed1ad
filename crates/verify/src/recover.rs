//! Recovering an RSA DKIM key from the dump's own signatures.
//!
//! For a signature `s` over the encoded message `m` (EMSA-PKCS1-v1_5 of the
//! hash of the signed headers, RFC 8017 9.2), `s^e ≡ m (mod n)`: `s^e − m`
//! is a multiple of the modulus `n`, and the GCD of two such numbers is `n`
//! times, at most, a few small factors. With `e = 65537` and a 2048-bit key
//! the two numbers have 134 million bits each, which only a subquadratic
//! GCD handles in reasonable time: GMP's, through the `rug` crate.
//!
//! A message whose signed headers were changed gives a wrong `m`, so a
//! pair holding it has GCD 1: further pairs are tried, and once a modulus is
//! found every signature is checked against it; those that do not verify
//! are reported (altered, or signed by another key with the same name).
//!
//! The GCD of one pair can take a minute and cannot be interrupted inside
//! GMP: the CLI runs it in a child process ([`serve_gcd_child`]) that it
//! kills when the time given is up.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use leakcheck_core::ItemId;
use mail_auth::AuthenticatedMessage;
use mail_auth::common::crypto::{Algorithm, HashAlgorithm};
use rug::Integer;
use rug::integer::Order;
use rug::ops::Pow;
use serde::{Deserialize, Serialize};

use crate::dkim::normalise;
use crate::keys::key_name;
use crate::signed::{body_hash_matches, strip_b_value};

/// The public exponent tried: DKIM keys use 65537 (RFC 8301 does not
/// require it, but every key generator in use picks it).
pub const EXPONENT: u32 = 65_537;

/// Signature sizes recovered, in bytes: 512 to 4096-bit keys. A larger
/// `b=` in a hostile dump would make `s^e` too big to hold (a 1 MB one,
/// 500 billion bits).
pub const SIGNATURE_BYTES: std::ops::RangeInclusive<usize> = 64..=512;

/// Pairs tried per key before giving up: each costs up to a minute.
pub const MAX_PAIRS: usize = 10;

/// DigestInfo prefixes (RFC 8017 9.2, note 1).
const SHA256_PREFIX: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];
const SHA1_PREFIX: [u8; 15] = [
    0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14,
];

/// One RSA DKIM signature whose body hash matches, with what it signs.
#[derive(Clone, Debug)]
pub struct Signed {
    /// The email it is in.
    pub item: ItemId,
    /// `selector._domainkey.domain`.
    pub name: String,
    /// `b=`, decoded: as many bytes as the modulus.
    pub signature: Vec<u8>,
    /// The EMSA-PKCS1-v1_5 encoding of the signed headers' hash, as long
    /// as the signature.
    pub encoded: Vec<u8>,
}

/// The RSA DKIM signatures of `raw` whose body hash matches, with the
/// signed data recomputed exactly as `email.dkim` verifies it.
pub fn signed_data(item: &ItemId, raw: &[u8]) -> Vec<Signed> {
    let (bytes, _) = normalise(raw);
    let Some(msg) = AuthenticatedMessage::parse_with_opts(&bytes, None, false) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for h in &msg.dkim_headers {
        let sig = &h.header;
        if sig.a == Algorithm::Ed25519Sha256
            || !SIGNATURE_BYTES.contains(&sig.b.len())
            || !body_hash_matches(&msg, sig.cb, sig.a, sig.l, &sig.bh)
        {
            continue;
        }
        let stripped = strip_b_value(h.value);
        let mut data = Vec::with_capacity(512);
        sig.ch
            .canonicalize_headers(msg.signed_headers(&sig.h, h.name, &stripped), &mut data);
        let hash = HashAlgorithm::from(sig.a).hash(data.as_slice());
        let prefix: &[u8] = if sig.a == Algorithm::RsaSha1 {
            &SHA1_PREFIX
        } else {
            &SHA256_PREFIX
        };
        let Some(encoded) = emsa_pkcs1_v15(prefix, hash.as_ref(), sig.b.len()) else {
            continue;
        };
        out.push(Signed {
            item: item.clone(),
            name: key_name(&sig.s, &sig.d),
            signature: sig.b.clone(),
            encoded,
        });
    }
    out
}

/// `00 01 FF..FF 00 DigestInfo` in `k` bytes (`None` when it cannot fit).
fn emsa_pkcs1_v15(prefix: &[u8], hash: &[u8], k: usize) -> Option<Vec<u8>> {
    let t = prefix.len() + hash.len();
    if k < t + 11 {
        return None;
    }
    let mut em = Vec::with_capacity(k);
    em.extend_from_slice(&[0x00, 0x01]);
    em.resize(k - t - 1, 0xff);
    em.push(0x00);
    em.extend_from_slice(prefix);
    em.extend_from_slice(hash);
    Some(em)
}

/// `gcd(s1^e − m1, s2^e − m2)` with factors under 2^16 divided out,
/// big-endian. This is the minute-long step.
pub fn pair_gcd(e: u32, a: (&[u8], &[u8]), b: (&[u8], &[u8])) -> Vec<u8> {
    gcd_without_small(e, a, b, u16::MAX as u32)
}

/// [`pair_gcd`], dividing out factors up to `small`.
fn gcd_without_small(e: u32, a: (&[u8], &[u8]), b: (&[u8], &[u8]), small: u32) -> Vec<u8> {
    let power = |(s, m): (&[u8], &[u8])| {
        let mut x = Integer::from_digits(s, Order::Msf).pow(e);
        x -= Integer::from_digits(m, Order::Msf);
        x
    };
    let mut g = power(a);
    g.gcd_mut(&power(b));
    // A random multiple of n carries small factors; two of them often share
    // some (2 always, when both s and m are odd). n has none.
    for p in 2..=small {
        while g != p && g.is_divisible_u(p) {
            g.div_exact_u_mut(p);
        }
    }
    g.to_digits(Order::Msf)
}

/// Does `s^e mod n` equal `m`? (A signature verified against a modulus.)
pub fn verifies(n: &[u8], e: u32, s: &[u8], m: &[u8]) -> bool {
    let n = Integer::from_digits(n, Order::Msf);
    let s = Integer::from_digits(s, Order::Msf);
    if n.significant_bits() < 2 || s >= n {
        return false;
    }
    s.pow_mod(&Integer::from(e), &n)
        .is_ok_and(|x| x == Integer::from_digits(m, Order::Msf))
}

/// How a key's recovery went.
#[derive(Debug)]
pub enum Outcome {
    /// The modulus, and which signatures verify with it and which do not.
    Recovered {
        /// The modulus, big-endian.
        modulus: Vec<u8>,
        /// The signatures that verify with it.
        verified: Vec<Signed>,
        /// Those that do not: altered in their signed headers, or signed by
        /// another key published under the same name.
        failed: Vec<Signed>,
        /// Pairs whose GCD gave no modulus before one did.
        no_common_factor: Vec<(ItemId, ItemId)>,
    },
    /// Every pair tried had no common factor of the modulus's size.
    NotFound {
        /// The pairs tried.
        no_common_factor: Vec<(ItemId, ItemId)>,
    },
    /// Fewer than two usable signatures of one modulus size.
    TooFew {
        /// How many there are.
        signatures: usize,
    },
    /// The time given ran out (or the GCD could not run: the reason).
    Stopped(String),
}

/// Recovers the key of `signatures` (all naming the same key), computing
/// each pair's GCD with `gcd`, which returns `Err` with a reason when it
/// could not finish (its time ran out).
pub fn recover(
    signatures: &[Signed],
    mut gcd: impl FnMut(&Signed, &Signed) -> Result<Vec<u8>, String>,
) -> Outcome {
    // The modulus is as long as the signatures: use the most common length.
    let mut lengths: Vec<usize> = signatures.iter().map(|s| s.signature.len()).collect();
    lengths.sort_unstable();
    let k = lengths
        .chunk_by(|a, b| a == b)
        .max_by_key(|c| c.len())
        .map_or(0, |c| c[0]);
    let same: Vec<&Signed> = signatures
        .iter()
        .filter(|s| s.signature.len() == k)
        .collect();
    if same.len() < 2 {
        return Outcome::TooFew {
            signatures: same.len(),
        };
    }
    let mut no_common_factor = Vec::new();
    let pairs = (1..same.len()).flat_map(|j| (0..j).map(move |i| (i, j)));
    for (i, j) in pairs.take(MAX_PAIRS) {
        let (a, b) = (same[i], same[j]);
        let g = match gcd(a, b) {
            Ok(g) => g,
            Err(why) => return Outcome::Stopped(why),
        };
        let bits = Integer::from_digits(&g, Order::Msf).significant_bits() as usize;
        // A modulus of k bytes has between 8k − 7 and 8k bits.
        if bits + 7 < 8 * k || bits > 8 * k || !verifies(&g, EXPONENT, &a.signature, &a.encoded) {
            no_common_factor.push((a.item.clone(), b.item.clone()));
            continue;
        }
        let (verified, failed) = signatures
            .iter()
            .cloned()
            .partition(|s| verifies(&g, EXPONENT, &s.signature, &s.encoded));
        return Outcome::Recovered {
            modulus: g,
            verified,
            failed,
            no_common_factor,
        };
    }
    Outcome::NotFound { no_common_factor }
}

/// One GCD job for a child process.
#[derive(Serialize, Deserialize)]
struct Job {
    e: u32,
    /// Base64 signature and encoded message of each of the two signatures.
    a: [String; 2],
    b: [String; 2],
}

/// How to start a GCD child (the leakcheck binary's hidden `keys-gcd`
/// command, in normal use).
#[derive(Clone, Debug)]
pub struct GcdChild {
    /// The program.
    pub program: PathBuf,
    /// Arguments that make it a GCD child.
    pub args: Vec<String>,
}

impl GcdChild {
    /// [`pair_gcd`] in a child process, killed at `deadline`.
    pub fn gcd(&self, a: &Signed, b: &Signed, deadline: Instant) -> Result<Vec<u8>, String> {
        let job = Job {
            e: EXPONENT,
            a: [STANDARD.encode(&a.signature), STANDARD.encode(&a.encoded)],
            b: [STANDARD.encode(&b.signature), STANDARD.encode(&b.encoded)],
        };
        let mut child = Command::new(&self.program)
            .args(&self.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start the GCD process: {e}"))?;
        let sent = child
            .stdin
            .take()
            .map(|mut i| serde_json::to_writer(&mut i, &job).map_err(|e| e.to_string()));
        if let Some(Err(e)) = sent {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("cannot send the GCD job: {e}"));
        }
        // The answer is a few hundred bytes: it fits the pipe, so waiting
        // for the exit before reading cannot block the child.
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() >= deadline => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err("the time given (--max-seconds) ran out".into());
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                Err(e) => return Err(format!("waiting for the GCD process: {e}")),
            }
        };
        let mut out = String::new();
        if let Some(mut o) = child.stdout.take() {
            o.read_to_string(&mut out)
                .map_err(|e| format!("reading the GCD process: {e}"))?;
        }
        if !status.success() {
            return Err(format!("the GCD process failed ({status})"));
        }
        STANDARD
            .decode(out.trim())
            .map_err(|e| format!("the GCD process answered nonsense: {e}"))
    }
}

/// The child side: reads one job from stdin, writes the GCD (base64) to stdout.
pub fn serve_gcd_child() -> Result<(), String> {
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .map_err(|e| e.to_string())?;
    let job: Job = serde_json::from_str(&input).map_err(|e| e.to_string())?;
    let decode = |x: &String| STANDARD.decode(x).map_err(|e| e.to_string());
    let (sa, ma, sb, mb) = (
        decode(&job.a[0])?,
        decode(&job.a[1])?,
        decode(&job.b[0])?,
        decode(&job.b[1])?,
    );
    let g = pair_gcd(job.e, (&sa, &ma), (&sb, &mb));
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", STANDARD.encode(g)).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_pkcs1_v15() {
        let em = emsa_pkcs1_v15(&SHA256_PREFIX, &[7; 32], 128).unwrap();
        assert_eq!(em.len(), 128);
        assert_eq!(&em[..3], &[0, 1, 0xff]);
        assert_eq!(em[128 - 52], 0);
        assert!(em[2..128 - 52].iter().all(|&b| b == 0xff));
        assert!(emsa_pkcs1_v15(&SHA256_PREFIX, &[7; 32], 61).is_none());
    }

    #[test]
    fn the_gcd_of_two_toy_signatures_is_the_modulus() {
        // n = 61 · 53 = 3233, e = 17, d = 2753 (the textbook key).
        let n = 3233u32;
        let sign = |m: u32| {
            Integer::from(m)
                .pow_mod(&Integer::from(2753), &Integer::from(n))
                .unwrap()
                .to_digits::<u8>(Order::Msf)
        };
        let m1 = Integer::from(65).to_digits::<u8>(Order::Msf);
        let m2 = Integer::from(1000).to_digits::<u8>(Order::Msf);
        let g = gcd_without_small(17, (&sign(65), &m1), (&sign(1000), &m2), 50);
        assert_eq!(Integer::from_digits(&g, Order::Msf), n);
        assert!(verifies(&g, 17, &sign(65), &m1));
        assert!(!verifies(&g, 17, &sign(65), &m2));
    }
}
