//! What every command shares: opening a case, writing to stdout, JSON lines,
//! sizes for people, and the name to print in suggested commands. Commands
//! depend on this module, never on the dispatcher (`cmd`).

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use leakcheck_store::{Case, Shared};
use leakcheck_team::TeamShared;
use leakcheck_team::copy::Bump;
use serde::Serialize;

pub fn open(path: &Path) -> Result<Case> {
    Case::open(path).with_context(|| format!("opening case {}", path.display()))
}

/// A case to read: an embedded case as it is; a team case's local replica
/// (its `replica/` folder), brought in step with the shared catalog first,
/// so that the command reads what the embedded catalog would hold.
pub fn readable(path: &Path) -> Result<Case> {
    Ok(served(open(path)?, None)?.0)
}

/// Runs `f`, which writes the catalog, on `case`: an embedded case itself;
/// for a team case, a replica of its own in a temporary folder (nobody
/// else refreshes it under `f`), whose rows of `tables` (each with its
/// key) are then sent to the shared catalog, replacing those of the same
/// key, in one transaction that moves `bump`'s generations on.
pub fn writing<T>(
    case: Case,
    tables: &[(&str, &[&str])],
    bump: Bump,
    f: impl FnOnce(&Case) -> Result<T>,
) -> Result<T> {
    let Some(team) = case.settings.team.clone() else {
        return f(&case);
    };
    let scratch = tempfile::Builder::new()
        .prefix("leakcheck-replica")
        .tempdir()
        .context("making a temporary folder for the case's replica")?;
    let (replica, _) = served(case, Some(scratch.path()))?;
    let out = f(&replica)?;
    let file = replica.catalog_file();
    let written = leakcheck_team::copy::open(&file)?;
    let mut client = leakcheck_team::open(&team)
        .with_context(|| format!("connecting to the team catalog {}", team.catalog))?;
    leakcheck_team::copy::push(&written, &mut client, tables, bump)
        .with_context(|| format!("sending {}'s rows to the team catalog", file.display()))?;
    Ok(out)
}

/// A team case's shared catalog, and its replica (not refreshed yet); none
/// on an embedded case.
pub fn team_shared(case: &Case, replica: Option<&Path>) -> Result<Option<(TeamShared, Case)>> {
    let Some(team) = &case.settings.team else {
        return Ok(None);
    };
    let client = leakcheck_team::open(team)
        .with_context(|| format!("connecting to the team catalog {}", team.catalog))?;
    let replica = case.replica(replica)?;
    let more = team.clone();
    let shared = TeamShared::new(
        client,
        move || leakcheck_team::connect(&more),
        &replica.catalog_file(),
    )?;
    Ok(Some((shared, replica)))
}

/// The case the workbench reads, and a team case's shared catalog: an
/// embedded case as it is; for a team case, its replica brought in step.
pub fn served(case: Case, replica: Option<&Path>) -> Result<(Case, Option<Arc<dyn Shared>>)> {
    let Some((shared, replica)) = team_shared(&case, replica)? else {
        return Ok((case, None));
    };
    shared.refresh_now().with_context(|| {
        format!(
            "copying the team catalog into the replica {}",
            replica.root().display()
        )
    })?;
    Ok((replica, Some(Arc::new(shared))))
}

/// Who runs the command, for the custody and access logs.
pub fn operator() -> Option<String> {
    std::env::var("USER").ok()
}

pub fn stdout() -> BufWriter<io::StdoutLock<'static>> {
    BufWriter::new(io::stdout().lock())
}

pub fn json_line(out: &mut impl Write, v: &impl Serialize) -> Result<()> {
    serde_json::to_writer(&mut *out, v)?;
    writeln!(out)?;
    Ok(())
}

pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1000.0 && u < UNITS.len() - 1 {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// How to run leakcheck in a suggested next command, so that it works when
/// pasted: `leakcheck` when that name on the PATH is this program, else
/// this program's path (`target/debug/leakcheck` after `cargo run`).
pub fn invocation() -> String {
    let Ok(me) = std::env::current_exe().and_then(|p| p.canonicalize()) else {
        return "leakcheck".into();
    };
    let on_path = std::env::var_os("PATH").is_some_and(|paths| {
        std::env::split_paths(&paths)
            .any(|dir| dir.join("leakcheck").canonicalize().is_ok_and(|p| p == me))
    });
    if on_path {
        return "leakcheck".into();
    }
    let shown: PathBuf = std::env::current_dir()
        .ok()
        .and_then(|cwd| me.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| me.clone());
    let text = shown.display().to_string();
    // A bare relative name would be looked up on the PATH: anchor it.
    if shown.is_relative() && !text.contains('/') {
        format!("./{text}")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_in_units_of_a_thousand() {
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(31_295), "31.3 KB");
        assert_eq!(human_bytes(9_000_000_000), "9.0 GB");
    }

    /// The suggested command names a program that exists: `leakcheck` on
    /// the PATH or a path to this test binary (never a bare name that the
    /// shell would not find).
    #[test]
    fn the_invocation_can_be_run() {
        let name = invocation();
        if name != "leakcheck" {
            assert!(Path::new(&name).exists(), "{name}");
        }
    }
}
