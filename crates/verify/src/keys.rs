//! The case's DKIM keys, shared by DKIM and ARC: the key set, how a key is
//! named, the weak-key rule, and which of several archived keys for one
//! name decides a signature.

use std::collections::HashMap;

use leakcheck_core::KeyRecord;
use mail_auth::common::crypto::Algorithm;
use mail_auth::common::parse::TxtRecordParser;
use mail_auth::common::verify::DomainKey;
use mail_auth::dkim::DkimError;

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

/// A key of the case and what its TXT record gives.
pub(crate) struct CaseKey {
    pub(crate) record: KeyRecord,
    parsed: Result<ParsedKey, KeyProblem>,
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
            by_name
                .entry(record.name.clone())
                .or_default()
                .push(CaseKey { record, parsed });
        }
        KeySet { by_name }
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
            obtained: None,
            added_by: None,
            added_at: String::new(),
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
