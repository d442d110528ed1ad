//! Originals on S3-compatible storage (`init --blobs s3://bucket/prefix`),
//! against the endpoint and bucket that `LEAKCHECK_TEST_S3` names
//! (`http://host:port/bucket`; `.ci/run` starts moto's S3 server for it).
//! Without it these tests say SKIPPED, and fail under CI.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;

use crate::util::{Run, demo, lc, lc_with};

/// The endpoint and the bucket.
fn s3() -> Option<(String, String)> {
    let Ok(url) = std::env::var("LEAKCHECK_TEST_S3") else {
        leakcheck_core::testing::skip(
            "LEAKCHECK_TEST_S3 is not set (http://host:port/bucket of an S3-compatible server)",
        );
        return None;
    };
    let (endpoint, bucket) = url.trim_end_matches('/').rsplit_once('/').unwrap();
    Some((endpoint.to_string(), bucket.to_string()))
}

/// Runs `leakcheck ARGS` with the S3 settings in its environment.
fn lc_s3<I, S>(endpoint: &str, args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    lc_with(
        args,
        &[
            ("AWS_ENDPOINT", endpoint),
            ("AWS_ALLOW_HTTP", "true"),
            ("AWS_ACCESS_KEY_ID", "test"),
            ("AWS_SECRET_ACCESS_KEY", "test"),
            ("AWS_REGION", "us-east-1"),
        ],
    )
}

/// Each item's verdict, from `verify --json`.
fn verdicts(run: &Run) -> BTreeMap<String, String> {
    assert!(run.code <= 1, "verify: {}", run.stderr);
    run.stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["id"].is_string())
        .map(|v| {
            (
                v["id"].as_str().unwrap().to_string(),
                v["verdict"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn cached(case: &Path) -> usize {
    walk(&case.join("blobs"))
}

fn walk(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                walk(&e.path())
            } else {
                1
            }
        })
        .sum()
}

#[test]
fn originals_on_s3_give_the_same_figures_and_are_checked_when_fetched() {
    let Some((endpoint, bucket)) = s3() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let dump = dir.path().join("demo-dump");
    let passwords = dir.path().join("demo-passwords.txt");
    let prefix = format!("t{}", std::process::id());
    let run = |case: &Path, args: &[&OsStr]| {
        lc_s3(
            &endpoint,
            [args[0], case.as_os_str()]
                .into_iter()
                .chain(args[1..].iter().copied()),
        )
    };

    let embedded = dir.path().join("embedded");
    let remote = dir.path().join("s3");
    let url = format!("s3://{bucket}/{prefix}");
    assert_eq!(run(&embedded, &["init".as_ref(), "-q".as_ref()]).code, 0);
    let init = run(
        &remote,
        &[
            "init".as_ref(),
            "--blobs".as_ref(),
            url.as_ref(),
            "-q".as_ref(),
        ],
    );
    assert_eq!(init.code, 0, "{}", init.stderr);
    for case in [&embedded, &remote] {
        let ingest = run(
            case,
            &[
                "ingest".as_ref(),
                dump.as_os_str(),
                "--passwords".as_ref(),
                passwords.as_os_str(),
                "-q".as_ref(),
            ],
        );
        assert!(ingest.code <= 1, "{}", ingest.stderr);
    }
    let stats = |case: &Path| run(case, &["stats".as_ref(), "--json".as_ref()]).stdout;
    assert_eq!(stats(&remote), stats(&embedded), "stats --json");
    let items = lc(["stats".as_ref(), embedded.as_os_str(), "--json".as_ref()]).json()["items"]
        .as_u64()
        .unwrap() as usize;

    // The cache emptied: verify and audit read every original from S3.
    for b in std::fs::read_dir(remote.join("blobs")).unwrap() {
        for f in std::fs::read_dir(b.unwrap().path()).unwrap() {
            std::fs::remove_file(f.unwrap().path()).unwrap();
        }
    }
    let verify = |case: &Path| run(case, &["verify".as_ref(), "--json".as_ref()]);
    let checked = verify(&embedded);
    let expected = verdicts(&checked);
    assert_eq!(verdicts(&verify(&remote)), expected, "verify --json");
    assert!(cached(&remote) > 0, "verify fetched no original");
    let audit = run(&remote, &["audit".as_ref(), "--json".as_ref()]);
    assert_eq!(audit.code, 0, "{}\n{}", audit.stdout, audit.stderr);
    assert!(
        audit.stdout.contains(&format!("{items}")),
        "{}",
        audit.stdout
    );

    // An email's object changed in the bucket: audit says which, and a
    // pass that reads it refuses the bytes, and keeps none.
    let email: serde_json::Value = checked
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| v["kind"] == "email")
        .unwrap();
    let id = email["id"].as_str().unwrap();
    // boto3 comes with moto; it signs the request as the server wants.
    let key = format!("{prefix}/{}/{id}", &id[0..2]);
    let put = Command::new("python3")
        .args([
            "-c",
            "import sys, boto3; boto3.client('s3', endpoint_url=sys.argv[1], region_name='us-east-1', \
             aws_access_key_id='test', aws_secret_access_key='test')\
             .put_object(Bucket=sys.argv[2], Key=sys.argv[3], Body=b'forged')",
            &endpoint,
            &bucket,
            &key,
        ])
        .status()
        .unwrap();
    assert!(put.success(), "could not replace {key}");
    let cache = remote.join("blobs").join(&id[0..2]).join(id);
    if cache.exists() {
        std::fs::remove_file(&cache).unwrap();
    }
    let audit = run(&remote, &["audit".as_ref(), "--json".as_ref()]);
    assert_ne!(audit.code, 0, "{}", audit.stdout);
    assert!(audit.stdout.contains(id), "{}", audit.stdout);
    let again = run(
        &remote,
        &["verify".as_ref(), "--all".as_ref(), "--json".as_ref()],
    );
    let line = again
        .stdout
        .lines()
        .find(|l| l.contains(&format!("\"id\":\"{id}\"")))
        .unwrap_or_else(|| panic!("{id} not verified: {}", again.stderr));
    assert!(
        line.contains("could not be read") && line.contains("refused"),
        "{line}"
    );
    assert!(!cache.exists(), "a forged original was kept in the cache");
}
