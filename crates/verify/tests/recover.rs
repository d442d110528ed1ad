//! Key archaeology on messages these tests sign with RSA keys they generate
//! and then withhold: the key recomputed from two signatures, an altered
//! message skipped and reported, and what recovered, archived and
//! published keys make of a signature.

use leakcheck_core::{Finding, ItemId, KeyOrigin, KeyRecord, Verdict};
use leakcheck_verify::keys::{rsa_modulus, rsa_txt, txt_from_private_pem};
use leakcheck_verify::recover::{self, EXPONENT, Outcome};
use leakcheck_verify::{KeySet, dkim};
use mail_auth::common::crypto::{Algorithm, CryptoError, Sha256, SigningKey};
use mail_auth::common::headers::{HeaderWriter, Writable};
use mail_auth::dkim::generate::DkimKeyPair;
use mail_auth::dkim::{Canonicalization, DkimSigner};
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::{EncodePrivateKey, LineEnding};
use rsa::traits::PublicKeyParts;

const NAME: &str = "s1._domainkey.campaign.example";

/// RSA signing of any size (ring will not sign with a 1024-bit key).
struct AnyRsa(rsa::RsaPrivateKey);

impl SigningKey for AnyRsa {
    type Hasher = Sha256;

    fn sign(&self, input: impl Writable) -> mail_auth::Result<Vec<u8>> {
        let digest = self.hash(input);
        self.0
            .sign(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), digest.as_ref())
            .map_err(|e| mail_auth::Error::Crypto(CryptoError::Library(e.to_string())))
    }

    fn algorithm(&self) -> Algorithm {
        Algorithm::RsaSha256
    }
}

fn key(bits: usize) -> rsa::RsaPrivateKey {
    let pair = DkimKeyPair::generate_rsa(bits).unwrap();
    rsa::RsaPrivateKey::from_pkcs1_der(pair.private_key()).unwrap()
}

fn message(n: u32) -> String {
    format!(
        "From: Anne <anne@campaign.example>\r\nTo: bob@campaign.example\r\n\
         Subject: Budget {n}\r\nDate: Mon, 10 Apr 2017 09:00:00 +0200\r\n\
         Message-ID: <b{n}@campaign.example>\r\n\r\nThe total is {n}000 euros.\r\n"
    )
}

fn sign(key: &rsa::RsaPrivateKey, msg: &str) -> String {
    let header = DkimSigner::from_key(AnyRsa(key.clone()))
        .domain("campaign.example")
        .selector("s1")
        .headers(["From", "To", "Subject", "Date", "Message-ID"])
        .header_canonicalization(Canonicalization::Relaxed)
        .body_canonicalization(Canonicalization::Relaxed)
        .sign(msg.as_bytes())
        .unwrap()
        .to_header();
    format!("{header}{msg}")
}

/// The key's TXT record as an independent source would publish it.
fn published(key: &rsa::RsaPrivateKey) -> KeyRecord {
    KeyRecord {
        name: NAME.into(),
        txt: rsa_txt(&key.n().to_bytes_be(), &key.e().to_bytes_be()).unwrap(),
        source: "key archive export".into(),
        added_at: "2026-01-01T00:00:00Z".into(),
        ..KeyRecord::default()
    }
}

fn check(raw: &str, keys: &[KeyRecord]) -> Finding {
    dkim::check(raw.as_bytes(), &KeySet::new(keys.to_vec()), None)
}

fn qualifiers(f: &Finding) -> Vec<String> {
    serde_json::from_value(f.evidence["signatures"][0]["qualifiers"].clone()).unwrap()
}

fn day(offset_days: i64) -> String {
    let t = chrono::Utc::now() + chrono::Duration::days(offset_days);
    t.format("%Y-%m-%d").to_string()
}

/// Recovers the key of `mails` in process (no time limit).
fn recover_from(mails: &[(ItemId, String)]) -> Outcome {
    let signed: Vec<_> = mails
        .iter()
        .flat_map(|(id, raw)| recover::signed_data(id, raw.as_bytes()))
        .collect();
    recover::recover(&signed, |a, b| {
        Ok(recover::pair_gcd(
            EXPONENT,
            (&a.signature, &a.encoded),
            (&b.signature, &b.encoded),
        ))
    })
}

#[test]
fn a_withheld_1024_bit_key_is_recovered_and_an_altered_message_reported() {
    let k = key(1024);
    let intact = [sign(&k, &message(1)), sign(&k, &message(2))];
    // Signed, then its Subject changed: the body hash still matches, the
    // signed headers do not.
    let altered = sign(&k, &message(3)).replace("Subject: Budget 3", "Subject: Budget 9");
    let mails = vec![
        (ItemId::of(b"one"), intact[0].clone()),
        (ItemId::of(b"altered"), altered.clone()),
        (ItemId::of(b"two"), intact[1].clone()),
    ];
    let Outcome::Recovered {
        modulus,
        verified,
        failed,
        no_common_factor,
    } = recover_from(&mails)
    else {
        panic!("not recovered");
    };
    assert_eq!(modulus, k.n().to_bytes_be());
    let items = |v: &[recover::Signed]| v.iter().map(|s| s.item.clone()).collect::<Vec<_>>();
    assert_eq!(
        items(&verified),
        vec![ItemId::of(b"one"), ItemId::of(b"two")]
    );
    assert_eq!(items(&failed), vec![ItemId::of(b"altered")]);
    // The first pair held the altered message and gave no modulus; the
    // next one did.
    assert_eq!(
        no_common_factor,
        vec![(ItemId::of(b"one"), ItemId::of(b"altered"))]
    );

    // With the recovered key: consistent, not authentic.
    let recovered = KeyRecord {
        name: NAME.into(),
        txt: rsa_txt(&modulus, &EXPONENT.to_be_bytes()).unwrap(),
        source: "recovered from signatures of 2 items".into(),
        origin: KeyOrigin::Recovered,
        ..KeyRecord::default()
    };
    assert_eq!(
        rsa_modulus(&recovered.txt),
        Some(k.n().to_bytes_be()),
        "the TXT record carries the modulus"
    );
    let f = check(&intact[0], std::slice::from_ref(&recovered));
    assert_eq!(f.verdict, Verdict::Consistent, "{}", f.summary);
    assert!(f.summary.contains("not independently attested"));
    assert!(qualifiers(&f).contains(&"recovered-key".to_string()));
    let f = check(&altered, std::slice::from_ref(&recovered));
    assert_eq!(f.verdict, Verdict::Altered, "{}", f.summary);

    // The same key from an independent source: authentic, naming both.
    let both = [recovered.clone(), published(&k)];
    let f = check(&intact[1], &both);
    assert_eq!(f.verdict, Verdict::Authentic, "{}", f.summary);
    let sig = &f.evidence["signatures"][0];
    assert_eq!(sig["key_source"], "key archive export");
    assert_eq!(sig["key_origin"], "imported");
    assert_eq!(sig["key_twin"], "recovered from signatures of 2 items");

    // A different imported key does not attest the recovered one.
    let other = published(&key(1024));
    let f = check(&intact[1], &[recovered, other]);
    assert_eq!(f.verdict, Verdict::Consistent, "{}", f.summary);
}

#[test]
fn two_signatures_are_needed_and_a_mismatched_pair_recovers_nothing() {
    let (a, b) = (key(1024), key(1024));
    let one = [(ItemId::of(b"1"), sign(&a, &message(1)))];
    assert!(matches!(
        recover_from(&one),
        Outcome::TooFew { signatures: 1 }
    ));
    // Two keys under one name: their signatures share no modulus.
    let mixed = [
        (ItemId::of(b"1"), sign(&a, &message(1))),
        (ItemId::of(b"2"), sign(&b, &message(2))),
    ];
    let Outcome::NotFound { no_common_factor } = recover_from(&mixed) else {
        panic!("a modulus from two different keys");
    };
    assert_eq!(no_common_factor.len(), 1);
    // A body changed after signing: the signature is not used at all.
    let body = sign(&a, &message(4)).replace("4000 euros", "9000 euros");
    assert!(recover::signed_data(&ItemId::of(b"x"), body.as_bytes()).is_empty());
}

#[test]
fn a_published_private_key_makes_later_signatures_unverifiable() {
    let k = key(1024);
    // mail-auth's signer dates its signature now (t=).
    let mail = sign(&k, &message(1));
    let mut key = published(&k);
    key.private_published = Some(day(-1));
    let f = check(&mail, std::slice::from_ref(&key));
    assert_eq!(f.verdict, Verdict::Unverifiable, "{}", f.summary);
    assert!(
        f.summary.contains(&format!(
            "the signing key's private half has been public since {}: anyone could have signed",
            day(-1)
        )),
        "{}",
        f.summary
    );
    assert_eq!(f.evidence["signatures"][0]["result"], "private-key-public");
    key.private_published = Some(day(1));
    let f = check(&mail, &[key]);
    assert_eq!(f.verdict, Verdict::Authentic, "{}", f.summary);
    assert!(qualifiers(&f).contains(&"private-key-published-later".to_string()));

    // The public half of an imported PEM private key is the key's record.
    let pem = k.to_pkcs8_pem(LineEnding::LF).unwrap();
    let txt = txt_from_private_pem(&pem).unwrap();
    assert_eq!(rsa_modulus(&txt), Some(k.n().to_bytes_be()));
    assert!(txt_from_private_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n").is_err());
}

#[test]
fn a_signature_outside_the_archive_window_is_qualified_and_far_outside_suspicious() {
    let k = key(1024);
    let mail = sign(&k, &message(1));
    let windowed = |first: &str, last: &str| KeyRecord {
        first_seen: Some(first.into()),
        last_seen: Some(last.into()),
        ..published(&k)
    };
    // Inside: nothing to say.
    let f = check(&mail, &[windowed(&day(-10), &day(10))]);
    assert_eq!(f.verdict, Verdict::Authentic, "{}", f.summary);
    assert!(!qualifiers(&f).iter().any(|q| q.contains("window")));
    // Last seen a month ago: a qualifier, still authentic.
    let f = check(&mail, &[windowed(&day(-400), &day(-30))]);
    assert_eq!(f.verdict, Verdict::Authentic, "{}", f.summary);
    assert!(qualifiers(&f).contains(&"outside-key-window".to_string()));
    // First seen a year from now: far outside, suspicious.
    let f = check(&mail, &[windowed(&day(365), &day(700))]);
    assert_eq!(f.verdict, Verdict::Suspicious, "{}", f.summary);
    assert!(qualifiers(&f).contains(&"far-outside-key-window".to_string()));
}
