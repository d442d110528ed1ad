//! Which DKIM keys the dump needs: every `selector._domainkey.domain` named
//! by a DKIM or ARC signature, and (on request only) a live DNS lookup for
//! them, stored with when and how it was made.

use std::collections::BTreeMap;

use leakcheck_core::{EmailMeta, ItemId};
use serde::Serialize;

use crate::keys::key_name;

/// A key name signatures in the dump refer to.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SelectorUse {
    /// `selector._domainkey.domain`, lower case.
    pub name: String,
    /// Signatures (DKIM and ARC) naming it.
    pub signatures: u64,
    /// RSA DKIM signatures among them: with two whose messages are intact,
    /// `keys recover` recomputes the key (see [`crate::recover`]).
    pub rsa_dkim_signatures: u64,
    /// Earliest Date header among those emails (RFC 3339).
    pub first_date: Option<String>,
    /// Latest Date header among those emails (RFC 3339).
    pub last_date: Option<String>,
}

/// Every key name used by signatures in `emails`, by name.
pub fn seen(emails: &[(ItemId, EmailMeta)]) -> Vec<SelectorUse> {
    let mut uses: BTreeMap<String, (u64, u64, Option<i64>, Option<i64>)> = BTreeMap::new();
    for (_, meta) in emails {
        for (name, value) in &meta.headers {
            let signed = ["dkim-signature", "arc-seal", "arc-message-signature"]
                .iter()
                .any(|h| name.eq_ignore_ascii_case(h));
            if !signed {
                continue;
            }
            let (Some(d), Some(s)) = (tag(value, "d"), tag(value, "s")) else {
                continue;
            };
            let e = uses.entry(key_name(&s, &d)).or_insert((0, 0, None, None));
            e.0 += 1;
            if name.eq_ignore_ascii_case("dkim-signature")
                && tag(value, "a").is_some_and(|a| a.to_ascii_lowercase().starts_with("rsa-"))
            {
                e.1 += 1;
            }
            if let Some(t) = meta.date_unix {
                e.2 = Some(e.2.map_or(t, |x| x.min(t)));
                e.3 = Some(e.3.map_or(t, |x| x.max(t)));
            }
        }
    }
    let date = |t: Option<i64>| t.and_then(leakcheck_core::time::rfc3339);
    uses.into_iter()
        .map(|(name, (signatures, rsa, first, last))| SelectorUse {
            name,
            signatures,
            rsa_dkim_signatures: rsa,
            first_date: date(first),
            last_date: date(last),
        })
        .collect()
}

/// The value of tag `name` in a DKIM tag list (white space removed).
fn tag(list: &str, name: &str) -> Option<String> {
    list.split(';').find_map(|part| {
        let (k, v) = part.split_once('=')?;
        (k.trim() == name).then(|| v.split_whitespace().collect::<String>())
    })
}

/// Looks each name up in live DNS with the system's resolver. This is the
/// only network access leakcheck makes, and only when asked.
pub fn fetch(names: &[String]) -> Vec<(String, Result<String, String>)> {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            return names
                .iter()
                .map(|n| (n.clone(), Err(format!("no async runtime: {e}"))))
                .collect();
        }
    };
    let resolver = match mail_auth::MessageAuthenticator::new_system_conf() {
        Ok(r) => r,
        Err(e) => {
            return names
                .iter()
                .map(|n| (n.clone(), Err(format!("no DNS resolver configured: {e}"))))
                .collect();
        }
    };
    names
        .iter()
        .map(|name| {
            let fqdn = format!("{name}.");
            let answer = runtime.block_on(resolver.txt_raw_lookup(fqdn.as_str()));
            let result = match answer {
                Ok(txt) if txt.is_empty() => Err("no TXT record".to_string()),
                Ok(txt) => Ok(String::from_utf8_lossy(&txt).into_owned()),
                Err(e) => Err(e.to_string()),
            };
            (name.clone(), result)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_dkim_and_arc_headers() {
        let meta = EmailMeta {
            headers: vec![
                (
                    "DKIM-Signature".into(),
                    "v=1; a=rsa-sha256; d=Example.ORG; s=s1;\r\n\tbh=x; b=y".into(),
                ),
                (
                    "ARC-Seal".into(),
                    "i=1; a=rsa-sha256; cv=none; d=google.com; s=arc-20160816; b=z".into(),
                ),
                ("Subject".into(), "d=no; s=no".into()),
            ],
            date_unix: Some(1_491_807_600),
            ..EmailMeta::default()
        };
        let seen = seen(&[(ItemId::of(b"a"), meta.clone()), (ItemId::of(b"b"), meta)]);
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[0].name, "arc-20160816._domainkey.google.com");
        assert_eq!(seen[1].name, "s1._domainkey.example.org");
        assert_eq!(seen[1].signatures, 2);
        assert_eq!(seen[1].rsa_dkim_signatures, 2);
        assert_eq!(seen[0].rsa_dkim_signatures, 0);
        assert_eq!(
            seen[1].first_date.as_deref(),
            Some("2017-04-10T07:00:00+00:00")
        );
    }
}
