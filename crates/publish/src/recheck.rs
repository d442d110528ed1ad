//! What a reader re-checks without leakcheck: `expected.json` (leakcheck's
//! results, item by item, in the terms another tool gives them), the
//! script that compares (`recheck.py`), `SHA256SUMS` for `sha256sum -c`,
//! and `RECHECK.md` saying how.

use leakcheck_core::doc::key;
use serde::Serialize;
use serde_json::Value;

use crate::evidence::Evidence;

/// The script, kept as a file of its own so that it reads as Python.
pub(crate) const SCRIPT: &str = include_str!("recheck.py");

/// One signature as dkimpy should find it.
#[derive(Debug, Serialize)]
pub(crate) struct ExpectedSignature {
    index: usize,
    domain: String,
    selector: String,
    /// leakcheck's result (`pass`, `body-modified`, `key-missing`...).
    leakcheck: String,
    /// What dkimpy returns for it: `pass`, `body-modified` or `fail`.
    expect: String,
    /// The key file dkimpy is given; none when the case has no key.
    key_file: Option<String>,
}

/// One metadata value and the exiftool tags that hold the same field.
#[derive(Debug, Serialize)]
pub(crate) struct ExpectedField {
    field: String,
    store: String,
    value: String,
    exiftool: Vec<&'static str>,
}

/// One item's expected results.
#[derive(Debug, Serialize)]
pub(crate) struct Expected {
    id: String,
    original: Option<String>,
    dkim: Vec<ExpectedSignature>,
    metadata: Vec<ExpectedField>,
    pdf_saves: Option<usize>,
}

/// exiftool's tag names for a field leakcheck reads (all groups: `-a -G1`).
fn exiftool_tags(field: &str) -> Option<Vec<&'static str>> {
    Some(match field {
        key::CREATED => vec!["CreateDate", "CreationDate", "DateTimeOriginal", "Created"],
        key::MODIFIED => vec!["ModifyDate", "ModDate", "LastModified", "Modified"],
        key::AUTHOR => vec!["Author", "Creator", "Artist", "By-line"],
        key::PRODUCER => vec!["Producer"],
        key::TITLE => vec!["Title", "ObjectName"],
        _ => return None,
    })
}

impl Expected {
    /// DKIM signatures to compare.
    pub(crate) fn signatures(&self) -> usize {
        self.dkim.len()
    }

    pub(crate) fn of(e: &Evidence, original: Option<String>) -> Expected {
        let mut dkim = Vec::new();
        for f in e.of_check("email.dkim") {
            // Undoing mbox `>From ` quoting changes the bytes verified;
            // dkimpy is given the stored bytes, so those are not compared.
            let normalised_from = f
                .evidence
                .get("normalised")
                .and_then(Value::as_array)
                .is_some_and(|n| {
                    n.iter()
                        .any(|s| s.as_str().is_some_and(|s| s.contains(">From")))
                });
            let Some(sigs) = f.evidence.get("signatures").and_then(Value::as_array) else {
                continue;
            };
            for s in sigs {
                let text = |k: &str| s.get(k).and_then(Value::as_str).unwrap_or("").to_string();
                let result = text("result");
                let Some(index) = s.get("index").and_then(Value::as_u64).filter(|i| *i < 1000)
                else {
                    continue;
                };
                let name = leakcheck_verify::keys::key_name(&text("selector"), &text("domain"));
                let source = s.get("key_source").and_then(Value::as_str);
                let key_file = e
                    .keys
                    .iter()
                    .filter(|k| k.record.name == name)
                    .find(|k| source.is_none_or(|src| k.record.source == src))
                    .map(|k| k.file.clone());
                let expect = match result.as_str() {
                    _ if normalised_from => continue,
                    "pass" | "private-key-public" => "pass",
                    "body-modified" => "body-modified",
                    _ => "fail",
                };
                dkim.push(ExpectedSignature {
                    index: index as usize,
                    domain: text("domain"),
                    selector: text("selector"),
                    leakcheck: result,
                    expect: expect.into(),
                    key_file,
                });
            }
        }
        let mut metadata = Vec::new();
        let mut pdf_saves = None;
        if let Some(d) = &e.document {
            for s in &d.stores {
                for f in &s.fields {
                    if let Some(tags) = exiftool_tags(&f.key) {
                        metadata.push(ExpectedField {
                            field: f.key.clone(),
                            store: s.name.clone(),
                            value: f.value.clone(),
                            exiftool: tags,
                        });
                    }
                }
            }
            pdf_saves = d.pdf.as_ref().map(|p| p.revisions.len()).filter(|n| *n > 0);
        }
        Expected {
            id: e.id.clone(),
            original,
            dkim,
            metadata,
            pdf_saves,
        }
    }
}

/// RECHECK.md: how to re-check the report without leakcheck.
pub(crate) fn guide(items: usize, with_originals: bool) -> String {
    let originals = if with_originals {
        "`originals/` holds each item's original bytes, named by their SHA-256."
    } else {
        "This report was written without the originals (`--no-originals`): put each item's original in `originals/`, named `<sha256>.<kind>` as in `expected.json`, to re-check it."
    };
    format!(
        "# Re-checking this report without leakcheck\n\n\
This folder holds {items} items' evidence (`items/<sha256>.html` and `.json`) and the case report (`index.html`, `case.json`). {originals}\n\n\
## The hashes\n\n```\nsha256sum -c SHA256SUMS\n```\n\nEach original's SHA-256 is its name in leakcheck: an item id is the hash of its bytes.\n\n\
## Everything at once\n\n```\npip install dkimpy pynacl   # PyNaCl for Ed25519 keys\napt-get install libimage-exiftool-perl pdfresurrect   # optional\npython3 recheck.py            # or --json\n```\n\n\
`recheck.py` prints, for each item, leakcheck's result beside the one the other tool obtains:\n\n\
- **sha256**: Python's hashlib over the original.\n\
- **DKIM**: dkimpy (`dkim.DKIM(message).verify(idx, dnsfunc)`) given the key file from `keys/` in place of a DNS answer. The keys are the TXT records leakcheck used, each with its provenance in the item's page (where and when it was obtained, by whom). dkimpy says `pass`, `body-modified` (\"body hash mismatch\") or `fail`; leakcheck's `pass` and `private-key-public` (the key verifies, but anyone could have signed) expect `pass`, `body-modified` expects `body-modified`, everything else `fail`. A signature whose key the case lacks is listed, not re-checked.\n\
- **metadata**: exiftool (`-a -G1`, every group) is asked for the field's tags; each value leakcheck read should be among the values exiftool reads. exiftool does not read every store leakcheck does (OLE property sets in some formats, for one): a value not found is listed, not counted as a disagreement.\n\
- **pdf saves**: pdfresurrect's count of versions of the PDF (its first save and each incremental update).\n\n\
The script exits with 1 when a hash or a DKIM result differs.\n\n\
## By hand\n\n\
Each item's page shows, per DKIM signature, the exact block of headers it signs (canonicalised as its `c=` says, RFC 6376 3.4 and 3.7) and the body hash computed beside the one claimed (`bh=`): with the key's `p=` an RSA or Ed25519 verification of `b=` over that block can be done with any library.\n"
    )
}
