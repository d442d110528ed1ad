//! Helpers: run the binary, build cases, find the shared corpus.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use leakcheck_store::{Case, Stats};

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(self.stdout.lines().last().unwrap_or(""))
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}\nstderr: {}", self.stdout, self.stderr))
    }
}

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_leakcheck")
}

/// Runs `leakcheck ARGS`.
pub fn lc<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    lc_with(args, &[])
}

/// Runs `leakcheck ARGS` with `env` added to its environment.
pub fn lc_with<I, S>(args: I, env: &[(&str, &str)]) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let out = Command::new(bin())
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("run leakcheck");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Creates a case at `dir/case` and ingests `sources`; returns the run.
pub fn ingest(dir: &Path, sources: &[&Path]) -> (PathBuf, Run) {
    let case = dir.join("case");
    let init = lc([OsStr::new("init"), case.as_os_str(), OsStr::new("-q")]);
    assert_eq!(init.code, 0, "init failed: {}", init.stderr);
    if sources.is_empty() {
        return (case, init);
    }
    let mut args = vec![OsStr::new("ingest"), case.as_os_str(), OsStr::new("--json")];
    args.extend(sources.iter().map(|p| p.as_os_str()));
    let run = lc(args);
    assert!(
        run.code <= 1,
        "ingest failed ({}): {}",
        run.code,
        run.stderr
    );
    (case, run)
}

/// Runs `leakcheck demo` in `dir` (quietly); returns the demo case.
pub fn demo(dir: &Path) -> PathBuf {
    let run = lc([
        OsStr::new("demo"),
        OsStr::new("--dir"),
        dir.as_os_str(),
        OsStr::new("-q"),
    ]);
    assert_eq!(run.code, 0, "demo failed: {}", run.stderr);
    dir.join("demo-case")
}

pub fn stats(case: &Path) -> Stats {
    Case::open(case)
        .unwrap()
        .catalog()
        .unwrap()
        .stats()
        .unwrap()
}

pub fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// The shared corpus, or `None` when it is absent (said on stderr; a
/// failure under CI).
pub fn corpus(sub: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus")
        .join(sub);
    if p.exists() {
        Some(p.canonicalize().unwrap())
    } else {
        leakcheck_core::testing::skip(&format!("shared corpus not found at {}", p.display()));
        None
    }
}

/// Every file below `dir`, sorted.
pub fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Builds an RFC 5322 message.
pub fn mail(n: usize, body: &str) -> String {
    format!(
        "From: sender{n}@example.org\r\nTo: team@example.org\r\nSubject: message {n}\r\n\
         Date: Mon, 10 Apr 2017 09:{:02}:00 +0200\r\nMessage-ID: <m{n}@example.org>\r\n\r\n{body}\r\n",
        n % 60
    )
}

/// Zips `(name, bytes)` members (deflated).
pub fn zip_of(members: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().large_file(false);
    for (name, bytes) in members {
        z.start_file(*name, opts).unwrap();
        z.write_all(bytes).unwrap();
    }
    z.finish().unwrap().into_inner()
}
