use serde::{Deserialize, Serialize};

/// A DKIM public key record kept in the case, with where it came from: a key
/// is evidence, and a verification is only as good as its key's provenance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
