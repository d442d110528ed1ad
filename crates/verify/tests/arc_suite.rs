//! The ValiMail ARC validation suite (shared corpus; skipped, saying so,
//! without it or without python3 and PyYAML to read its YAML).

use std::path::Path;
use std::process::Command;

use leakcheck_core::KeyRecord;
use leakcheck_verify::KeySet;
use leakcheck_verify::arc::{ChainResult, validate};
use mail_auth::AuthenticatedMessage;

#[test]
fn valimail_arc_validation_suite() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let suite = root
        .join("../shared/corpus/dkim/mailauth-postalsys/arc-suite/arc-draft-validation-tests.yml");
    if !suite.exists() {
        leakcheck_core::testing::skip(&format!("ARC suite not found at {}", suite.display()));
        return;
    }
    let out = match Command::new("python3")
        .arg(root.join("tests/oracle/arc_suite.py"))
        .arg(&suite)
        .output()
    {
        Ok(o) if o.status.success() => o,
        other => {
            leakcheck_core::testing::skip(&format!(
                "could not convert the suite with python3/PyYAML: {other:?}"
            ));
            return;
        }
    };
    let (mut passed, mut failed) = (0, Vec::new());
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let t: serde_json::Value = serde_json::from_str(line).unwrap();
        let keys = KeySet::new(
            t["keys"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(name, txt)| KeyRecord {
                    name: name.clone(),
                    txt: txt.as_str().unwrap().to_string(),
                    source: "ARC suite".into(),
                    obtained: None,
                    added_by: None,
                    added_at: String::new(),
                    ..KeyRecord::default()
                })
                .collect(),
        );
        let raw = t["message"]
            .as_str()
            .unwrap()
            .replace("\r\n", "\n")
            .replace('\n', "\r\n");
        let (got, why) = match AuthenticatedMessage::parse_with_opts(raw.as_bytes(), None, false) {
            Some(msg) => {
                let (r, why, _) = validate(&msg, &keys);
                (r, why)
            }
            None => (ChainResult::None, "no headers".to_string()),
        };
        let want = t["cv"].as_str().unwrap();
        let agrees = match got {
            ChainResult::Pass => want == "Pass",
            ChainResult::Fail(_) => want == "Fail",
            ChainResult::None => want != "Pass" && want != "Fail",
        };
        if agrees {
            passed += 1;
        } else {
            failed.push(format!(
                "{} (want {want:?}, got {got:?}: {why}): {}",
                t["name"], t["description"]
            ));
        }
    }
    let total = passed + failed.len();
    eprintln!("ARC suite: {passed} of {total} pass");
    for f in &failed {
        eprintln!("  {f}");
    }
    assert_eq!(total, 171);
    assert!(passed >= 168, "{passed} of {total}");
}
