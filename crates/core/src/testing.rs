//! For tests that need something outside the repository (the shared corpus,
//! python3, an oracle program): when it is missing they say so where a
//! person running `cargo test` sees it, and under CI they fail instead, so
//! that a count such as the corpus's 6,046 SpamAssassin messages cannot pass
//! without being checked.

use std::io::Write;

/// Is this a CI run (`CI=true`, as CI services and `.ci/run` set it)?
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| matches!(v.trim(), "true" | "1" | "yes"))
}

/// Reports that a test could not run and why. Written to the process's
/// stderr directly: the test harness captures `eprintln!`, and shows it only
/// for failures, which would make the skip invisible.
///
/// # Panics
/// Under CI, where a skip would be a pass that checked nothing.
pub fn skip(why: &str) {
    // The harness names each test's thread after the test.
    let current = std::thread::current();
    let test = current.name().unwrap_or("a test");
    let line = format!("\nSKIPPED {test}: {why}\n");
    assert!(!in_ci(), "{test} cannot run under CI: {why}");
    let _ = std::io::stderr().write_all(line.as_bytes());
}
