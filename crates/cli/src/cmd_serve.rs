//! `user` (who may log in to the workbench) and `serve` (the workbench).

use std::io::{BufRead, Write};

use anyhow::{Context, Result, bail};
use leakcheck_core::sanitize::for_terminal as t;
use leakcheck_server::cat::Cat;
use leakcheck_store::{Role, Shared};

use crate::cli::{RoleArg, ServeArgs, UserAddArgs, UserCommand, UserLogArgs, UserRemoveArgs};
use crate::common::{invocation, json_line, open, operator, served, stdout, team_shared};

pub fn user(c: UserCommand) -> Result<u8> {
    match c {
        UserCommand::Add(a) => add(a),
        UserCommand::List(a) => list(&a.case, &a.out),
        UserCommand::Remove(a) => remove(a),
        UserCommand::Log(a) => log(a),
    }
}

fn role(r: RoleArg) -> Role {
    match r {
        RoleArg::Admin => Role::Admin,
        RoleArg::Editor => Role::Editor,
        RoleArg::Viewer => Role::Viewer,
    }
}

fn read_password(name: &str, from_stdin: bool) -> Result<String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("reading the password from standard input")?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_string());
    }
    let first = rpassword::prompt_password(format!("password for {name}: "))
        .context("reading the password (use --password-stdin when there is no terminal)")?;
    let again = rpassword::prompt_password("again: ")?;
    if first != again {
        bail!("the two passwords differ");
    }
    Ok(first)
}

fn add(a: UserAddArgs) -> Result<u8> {
    let case = open(&a.case)?;
    let password = read_password(&a.name, a.password_stdin)?;
    leakcheck_server::check_password_strength(&password).map_err(|e| anyhow::anyhow!("{e}"))?;
    let hash = leakcheck_server::hash_password(&password).map_err(|e| anyhow::anyhow!(e))?;
    let role = role(a.role);
    let (case, shared) = served(case, None)?;
    let mut catalog = case.catalog()?;
    let mut catalog = Cat::new(&mut catalog, shared.as_deref());
    catalog
        .put_user(&a.name, role, &hash)
        .with_context(|| format!("adding user {:?}", a.name))?;
    let by = operator().unwrap_or_else(|| "cli".into());
    catalog.log_access(
        &by,
        "user-put",
        None,
        Some(&format!("{} as {} (command line)", a.name, role.as_str())),
        None,
    )?;
    let mut out = stdout();
    if a.out.json {
        json_line(&mut out, &serde_json::json!({"user": a.name, "role": role}))?;
    } else if !a.out.quiet {
        writeln!(out, "user {} can log in as {}", t(&a.name), role.as_str())?;
    }
    out.flush()?;
    Ok(0)
}

fn list(case: &std::path::Path, o: &crate::cli::Output) -> Result<u8> {
    let (case, _) = served(open(case)?, None)?;
    let users = case.catalog()?.users()?;
    let mut out = stdout();
    for u in &users {
        if o.json {
            json_line(&mut out, u)?;
        } else if !o.quiet {
            writeln!(
                out,
                "{:<24} {:<8} added {}",
                t(&u.name),
                u.role.as_str(),
                u.created
            )?;
        }
    }
    out.flush()?;
    Ok(if users.is_empty() { 1 } else { 0 })
}

fn remove(a: UserRemoveArgs) -> Result<u8> {
    let (case, shared) = served(open(&a.case)?, None)?;
    let mut catalog = case.catalog()?;
    let mut catalog = Cat::new(&mut catalog, shared.as_deref());
    let removed = catalog.remove_user(&a.name)?;
    if removed {
        let by = operator().unwrap_or_else(|| "cli".into());
        catalog.log_access(&by, "user-remove", None, Some(&a.name), None)?;
    }
    let mut out = stdout();
    if a.out.json {
        json_line(
            &mut out,
            &serde_json::json!({"user": a.name, "removed": removed}),
        )?;
    } else if !a.out.quiet {
        let what = if removed { "removed" } else { "was not a user" };
        writeln!(out, "{} {what}", t(&a.name))?;
    }
    out.flush()?;
    Ok(if removed { 0 } else { 1 })
}

fn log(a: UserLogArgs) -> Result<u8> {
    let case = open(&a.case)?;
    let entries = match team_shared(&case, None)? {
        Some((shared, _)) => shared.access_log(None, a.limit)?,
        None => case.catalog()?.access_log(None, a.limit)?,
    };
    let mut out = stdout();
    for e in &entries {
        if a.out.json {
            json_line(&mut out, e)?;
        } else if !a.out.quiet {
            writeln!(
                out,
                "{:>6}  {}  {:<12} {:<14} {} {}",
                e.seq,
                e.at,
                t(&e.user),
                e.action,
                e.item.as_deref().map_or("", |i| &i[..16.min(i.len())]),
                t(e.detail.as_deref().unwrap_or_default())
            )?;
        }
    }
    out.flush()?;
    Ok(0)
}

pub fn serve(a: ServeArgs) -> Result<u8> {
    let (case, shared) = served(open(&a.case)?, a.replica.as_deref())?;
    let users = case.catalog()?.users()?;
    if users.is_empty() {
        bail!(
            "{}: no user can log in yet; add one first: {} user add {} NAME --role admin",
            a.case.display(),
            invocation(),
            a.case.display()
        );
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the server's runtime")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(a.bind)
            .await
            .with_context(|| format!("listening on {}", a.bind))?;
        let addr = listener.local_addr()?;
        // Syncing the index first: the pages search what the catalog holds.
        leakcheck_search::sync(&case, &std::sync::atomic::AtomicU64::new(0))
            .context("bringing the search index up to date")?;
        let options = leakcheck_server::Options {
            secure_cookies: a.secure_cookies,
            allowed_hosts: a.allow_hosts,
            bind: Some(addr),
        };
        let state = leakcheck_server::AppState::new(case, options, shared)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let mut out = stdout();
        if a.out.json {
            json_line(
                &mut out,
                &serde_json::json!({"url": format!("http://{addr}/")}),
            )?;
        } else {
            writeln!(
                out,
                "leakcheck workbench at http://{addr}/  (Ctrl-C to stop)"
            )?;
        }
        out.flush()?;
        drop(out);
        leakcheck_server::serve(state, listener)
            .await
            .context("serving")?;
        anyhow::Ok(())
    })?;
    Ok(0)
}
