use serde::{Deserialize, Serialize};

/// A DKIM public key record kept in the case, with where it came from: a key
/// is evidence, and a verification is only as good as its key's provenance.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRecord {
    /// `<selector>._domainkey.<domain>`, lower case, no trailing dot.
    pub name: String,
    /// The TXT value (`v=DKIM1; k=rsa; p=...`), its strings joined.
    pub txt: String,
    /// Where it was obtained (an archive snapshot, a DNS query, a vendor page).
    pub source: String,
    /// When it was obtained, if known (RFC 3339 or a date).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub obtained: Option<String>,
    /// Who added it to the case.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub added_by: Option<String>,
    /// When it was added to the case (RFC 3339).
    pub added_at: String,
    /// Whether the key comes from outside the dump or was recomputed from
    /// the dump's own signatures.
    #[serde(default)]
    pub origin: KeyOrigin,
    /// When a key archive first saw the key in DNS (a date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<String>,
    /// When a key archive last saw the key in DNS (a date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<String>,
    /// Since when the key's private half has been public (a date): anyone
    /// could sign with it from then on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_published: Option<String>,
}

/// Where a key's value comes from: this decides what a signature that
/// verifies with it proves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyOrigin {
    /// From a source independent of the dump (DNS, an archive, a vendor page).
    #[default]
    Imported,
    /// Recomputed from signatures in the dump: it shows which messages the
    /// same private key signed, not whose key it is.
    Recovered,
}

impl KeyOrigin {
    /// Stable lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyOrigin::Imported => "imported",
            KeyOrigin::Recovered => "recovered",
        }
    }
}

impl KeyRecord {
    /// Splits a `<selector>._domainkey.<domain> <TXT value>` line (a trailing
    /// dot on the name, and quotes around TXT strings, are accepted).
    pub fn parse_line(line: &str) -> Option<(String, String)> {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            return None;
        }
        let (name, txt) = line.split_once(char::is_whitespace)?;
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        if !name.contains("._domainkey.") {
            return None;
        }
        let txt = txt.trim();
        // `"v=DKIM1; k=rsa; " "p=MIIB..."`: DNS zone style, strings joined.
        let txt = if txt.starts_with('"') {
            txt.split('"').skip(1).step_by(2).collect::<String>()
        } else {
            txt.to_string()
        };
        Some((name, txt))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_key_lines() {
        assert_eq!(
            KeyRecord::parse_line("S1._DomainKey.Example.COM. v=DKIM1; p=AB"),
            Some(("s1._domainkey.example.com".into(), "v=DKIM1; p=AB".into()))
        );
        assert_eq!(
            KeyRecord::parse_line(r#"s._domainkey.x.org "v=DKIM1; k=rsa; " "p=MII""#),
            Some(("s._domainkey.x.org".into(), "v=DKIM1; k=rsa; p=MII".into()))
        );
        assert_eq!(KeyRecord::parse_line("# comment"), None);
        assert_eq!(KeyRecord::parse_line("example.com v=spf1"), None);
    }
}
