//! The case's DKIM keys, shared by DKIM and ARC: the key set, how a key is
//! named, the weak-key rule, which of several archived keys for one name
//! decides a signature, and what a key's provenance says about a signature
//! made at a given time (archive window, published private half, recovered
//! from the dump itself).

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use leakcheck_core::{KeyOrigin, KeyRecord};
use mail_auth::common::crypto::Algorithm;
use mail_auth::common::parse::TxtRecordParser;
use mail_auth::common::verify::DomainKey;
use mail_auth::dkim::DkimError;
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePublicKey};
use rsa::traits::PublicKeyParts;

/// RSA keys below this many bits can be factored: their signatures prove
/// nothing and are not checked (RFC 8301).
pub const MIN_RSA_BITS: usize = 1024;

/// The DNS name a signature's key is published at, lower case.
pub fn key_name(selector: &str, domain: &str) -> String {
    format!("{selector}._domainkey.{domain}").to_ascii_lowercase()
}

/// The case's DKIM keys, by `selector._domainkey.domain`, each parsed once
/// (a dump signs thousands of messages with the same few keys).
#[derive(Default)]
pub struct KeySet {
    by_name: HashMap<String, Vec<CaseKey>>,
}

/// A signature time this many seconds outside a key's archive window is
/// "far" outside it: archives look at DNS now and then, so a key is often
/// in use a little before it is first seen and after it is last seen.
pub const FAR_OUTSIDE_WINDOW_SECS: i64 = 180 * 86_400;

/// A key of the case and what its TXT record gives.
pub(crate) struct CaseKey {
    pub(crate) record: KeyRecord,
    parsed: Result<ParsedKey, KeyProblem>,
    /// The RSA modulus, to match a recovered key with an imported one.
    modulus: Option<Vec<u8>>,
    /// The source of a key of the other origin with the same modulus and
    /// name: for a recovered key, the independent record that attests it.
    pub(crate) twin: Option<String>,
}

/// A usable key record.
struct ParsedKey {
    key: DomainKey,
    /// The modulus size of an RSA key (an Ed25519 key is always 256 bits).
    rsa_bits: usize,
}

/// Why a key record cannot verify anything.
enum KeyProblem {
    /// `p=` is empty.
    Revoked,
    /// The record does not parse, in mail-auth's words.
    Unusable(String),
}

/// What one key made of a signature.
#[derive(Debug, PartialEq)]
pub(crate) enum KeyOutcome {
    /// The signature verifies with it.
    Verified {
        /// The key's size.
        bits: usize,
    },
    /// The signature does not verify with it (mail-auth's words).
    Fails {
        /// The key's size.
        bits: usize,
        /// Why, in mail-auth's words.
        error: String,
    },
    /// An RSA key under [`MIN_RSA_BITS`]: not checked.
    Weak {
        /// The key's size.
        bits: usize,
    },
    /// `p=` is empty.
    Revoked,
    /// The record does not parse.
    Unusable(String),
}

impl KeyOutcome {
    /// Which outcome wins when a name has several keys: a key that verifies,
    /// then one that at least could check, then a revoked one.
    fn rank(&self) -> u8 {
        match self {
            KeyOutcome::Verified { .. } => 3,
            KeyOutcome::Fails { .. } => 2,
            KeyOutcome::Revoked => 1,
            KeyOutcome::Weak { .. } | KeyOutcome::Unusable(_) => 0,
        }
    }

    /// The key's size, when it is usable.
    pub(crate) fn bits(&self) -> Option<usize> {
        match self {
            KeyOutcome::Verified { bits }
            | KeyOutcome::Fails { bits, .. }
            | KeyOutcome::Weak { bits } => Some(*bits),
            KeyOutcome::Revoked | KeyOutcome::Unusable(_) => None,
        }
    }

    /// Why a key that could not check anything could not, for the key named
    /// `name` (`None` when it checked).
    pub(crate) fn key_problem(&self, name: &str) -> Option<String> {
        match self {
            KeyOutcome::Revoked => Some(format!("the key record for {name} is revoked (empty p=)")),
            KeyOutcome::Unusable(e) => Some(format!("the key record for {name} is unusable: {e}")),
            _ => None,
        }
    }
}

impl KeySet {
    /// Indexes keys by name and parses their records.
    pub fn new(keys: Vec<KeyRecord>) -> KeySet {
        let mut by_name: HashMap<String, Vec<CaseKey>> = HashMap::new();
        let mut keys = keys;
        // An independent key decides before a recovered one of equal rank.
        keys.sort_by_key(|k| k.origin == KeyOrigin::Recovered);
        for record in keys {
            let parsed = match DomainKey::parse(record.txt.as_bytes()) {
                Ok(key) => Ok(ParsedKey {
                    rsa_bits: key.p.public_key_bits(),
                    key,
                }),
                Err(mail_auth::Error::Dkim(DkimError::RevokedPublicKey)) => {
                    Err(KeyProblem::Revoked)
                }
                Err(e) => Err(KeyProblem::Unusable(e.to_string())),
            };
            let modulus = rsa_modulus(&record.txt);
            by_name
                .entry(record.name.clone())
                .or_default()
                .push(CaseKey {
                    record,
                    parsed,
                    modulus,
                    twin: None,
                });
        }
        for keys in by_name.values_mut() {
            let sources: Vec<(KeyOrigin, Option<Vec<u8>>, String)> = keys
                .iter()
                .map(|k| (k.record.origin, k.modulus.clone(), k.record.source.clone()))
                .collect();
            for k in keys.iter_mut() {
                k.twin = sources
                    .iter()
                    .find(|(o, m, _)| *o != k.record.origin && m.is_some() && *m == k.modulus)
                    .map(|(_, _, s)| s.clone());
            }
        }
        KeySet { by_name }
    }

    /// Does the case hold any key for `name`?
    pub fn has(&self, name: &str) -> bool {
        self.by_name.contains_key(name)
    }

    /// Tries every key the case holds for `name` on a signature made with
    /// `algorithm`; `verify` checks the signature with one key. The best
    /// outcome decides (the first of equals, in the order keys were added);
    /// `None` when the case has no key for `name`.
    pub(crate) fn best<E: std::fmt::Display>(
        &self,
        name: &str,
        algorithm: Algorithm,
        mut verify: impl FnMut(&DomainKey) -> Result<(), E>,
    ) -> Option<(&CaseKey, KeyOutcome)> {
        let mut best: Option<(&CaseKey, KeyOutcome)> = None;
        for key in self.by_name.get(name).into_iter().flatten() {
            let outcome = match &key.parsed {
                Err(KeyProblem::Revoked) => KeyOutcome::Revoked,
                Err(KeyProblem::Unusable(e)) => KeyOutcome::Unusable(e.clone()),
                Ok(pk) => {
                    let bits = match algorithm {
                        Algorithm::Ed25519Sha256 => 256,
                        _ => pk.rsa_bits,
                    };
                    if is_weak(algorithm, bits) {
                        KeyOutcome::Weak { bits }
                    } else {
                        match verify(&pk.key) {
                            Ok(()) => KeyOutcome::Verified { bits },
                            Err(e) => KeyOutcome::Fails {
                                bits,
                                error: e.to_string(),
                            },
                        }
                    }
                }
            };
            if best.as_ref().is_none_or(|(_, b)| outcome.rank() > b.rank()) {
                let done = matches!(outcome, KeyOutcome::Verified { .. });
                best = Some((key, outcome));
                if done {
                    break;
                }
            }
        }
        best
    }
}

/// What a key's provenance says about a signature made at `at` (Unix
/// seconds, `None` when neither `t=` nor a Date gives it).
#[derive(Debug, PartialEq)]
pub(crate) enum KeyTime {
    /// Nothing to say.
    Usual,
    /// The private half was public at `at`: anyone could have signed.
    PrivatePublic(String),
    /// The private half became public later (noted, not held against it).
    PrivatePublicLater(String),
    /// Outside the archive window, by this many days.
    OutsideWindow { days: i64, far: bool },
}

impl CaseKey {
    /// Checks `at` against the key's publication date and archive window.
    pub(crate) fn at(&self, at: Option<i64>) -> KeyTime {
        let r = &self.record;
        if let Some(published) = &r.private_published {
            return match (at, parse_date(published, false)) {
                (Some(t), Some(p)) if t < p => KeyTime::PrivatePublicLater(published.clone()),
                _ => KeyTime::PrivatePublic(published.clone()),
            };
        }
        let (Some(t), first, last) = (
            at,
            r.first_seen.as_deref().and_then(|d| parse_date(d, false)),
            r.last_seen.as_deref().and_then(|d| parse_date(d, true)),
        ) else {
            return KeyTime::Usual;
        };
        let outside = match (first, last) {
            (Some(f), _) if t < f => f - t,
            (_, Some(l)) if t > l => t - l,
            _ => return KeyTime::Usual,
        };
        KeyTime::OutsideWindow {
            days: outside / 86_400,
            far: outside > FAR_OUTSIDE_WINDOW_SECS,
        }
    }
}

/// A date (`2017-04-10`, its start, or its end when `end_of_day`) or an
/// RFC 3339 time, as Unix seconds.
pub fn parse_date(s: &str, end_of_day: bool) -> Option<i64> {
    let s = s.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp());
    }
    let day = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    let start = day.and_hms_opt(0, 0, 0)?.and_utc().timestamp();
    Some(if end_of_day { start + 86_399 } else { start })
}

/// The `p=` value of a key record, decoded (`None` when absent or not base64).
fn public_key_der(txt: &str) -> Option<Vec<u8>> {
    let p = txt.split(';').find_map(|part| {
        let (k, v) = part.split_once('=')?;
        (k.trim() == "p").then(|| v.split_whitespace().collect::<String>())
    })?;
    STANDARD.decode(p).ok()
}

/// The modulus of an RSA key record, big-endian without leading zeros.
pub fn rsa_modulus(txt: &str) -> Option<Vec<u8>> {
    let der = public_key_der(txt)?;
    // DKIM publishes SubjectPublicKeyInfo; some records carry a bare PKCS#1 key.
    let key = rsa::RsaPublicKey::from_public_key_der(&der)
        .or_else(|_| rsa::RsaPublicKey::from_pkcs1_der(&der))
        .ok()?;
    Some(key.n().to_bytes_be())
}

/// The DKIM TXT record of the RSA key with modulus `n` and exponent `e`
/// (both big-endian).
pub fn rsa_txt(n: &[u8], e: &[u8]) -> Result<String, String> {
    let key = rsa::RsaPublicKey::new_unchecked(
        rsa::BigUint::from_bytes_be(n),
        rsa::BigUint::from_bytes_be(e),
    );
    let der = key.to_public_key_der().map_err(|e| e.to_string())?;
    Ok(format!(
        "v=DKIM1; k=rsa; p={}",
        STANDARD.encode(der.as_bytes())
    ))
}

/// The DKIM TXT record of the public half of a PEM RSA private key
/// (PKCS#8 `PRIVATE KEY` or PKCS#1 `RSA PRIVATE KEY`).
pub fn txt_from_private_pem(pem: &str) -> Result<String, String> {
    let key = rsa::RsaPrivateKey::from_pkcs8_pem(pem)
        .or_else(|_| rsa::RsaPrivateKey::from_pkcs1_pem(pem))
        .map_err(|e| format!("not a PEM RSA private key (PKCS#8 or PKCS#1): {e}"))?;
    rsa_txt(&key.n().to_bytes_be(), &key.e().to_bytes_be())
}

/// The weak-key rule: an RSA key under [`MIN_RSA_BITS`] (Ed25519 keys are
/// never weak).
pub fn is_weak(algorithm: Algorithm, bits: usize) -> bool {
    algorithm != Algorithm::Ed25519Sha256 && bits < MIN_RSA_BITS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(name: &str, txt: &str) -> KeyRecord {
        KeyRecord {
            name: name.into(),
            txt: txt.into(),
            source: format!("test {txt}"),
            ..KeyRecord::default()
        }
    }

    #[test]
    fn names_and_the_weak_key_rule() {
        assert_eq!(key_name("S1", "Example.ORG"), "s1._domainkey.example.org");
        assert!(is_weak(Algorithm::RsaSha256, 512));
        assert!(!is_weak(Algorithm::RsaSha256, 1024));
        assert!(!is_weak(Algorithm::Ed25519Sha256, 256));
    }

    #[test]
    fn the_best_of_several_keys_decides() {
        let ed = mail_auth::dkim::generate::DkimKeyPair::generate_ed25519().unwrap();
        let good = format!("v=DKIM1; k=ed25519; p={}", ed.encoded_public_key());
        let name = "s._domainkey.x.org";
        let keys = KeySet::new(vec![
            record(name, "v=DKIM1; p="),
            record(name, "v=DKIM1; k=rsa; p=!!"),
            record(name, &good),
        ]);
        // Every key is tried: the revoked and unusable ones first in the
        // case do not hide the one that verifies.
        let (key, outcome) = keys
            .best(name, Algorithm::Ed25519Sha256, |_| Ok::<(), String>(()))
            .unwrap();
        assert_eq!(outcome, KeyOutcome::Verified { bits: 256 });
        assert_eq!(key.record.txt, good);
        // When none verifies, a key that could check beats a revoked one.
        let (_, outcome) = keys
            .best(name, Algorithm::Ed25519Sha256, |_| Err("no"))
            .unwrap();
        assert_eq!(
            outcome,
            KeyOutcome::Fails {
                bits: 256,
                error: "no".into()
            }
        );
        let revoked = KeySet::new(vec![record(name, "v=DKIM1; p=")]);
        let (_, outcome) = revoked
            .best(name, Algorithm::RsaSha256, |_| Ok::<(), String>(()))
            .unwrap();
        assert_eq!(outcome, KeyOutcome::Revoked);
        assert_eq!(
            outcome.key_problem(name).as_deref(),
            Some("the key record for s._domainkey.x.org is revoked (empty p=)")
        );
        assert!(
            keys.best("other", Algorithm::RsaSha256, |_| Err("x"))
                .is_none()
        );
    }
}
