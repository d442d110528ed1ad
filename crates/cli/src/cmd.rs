//! One function per command. Data goes to stdout, progress and errors to stderr.

use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use leakcheck_core::sanitize::for_terminal;
use leakcheck_core::{ItemId, Kind};
use leakcheck_store::{Case, CaseSettings, Stats, Window};
use serde::Serialize;

use crate::cli::{
    Cli, Command, DemoArgs, ErrorsArgs, IngestArgs, InitArgs, KeysAddArgs, KeysCommand,
    KeysFetchArgs, KeysImportArgs, LsArgs, Output, ShowArgs, VerifyArgs,
};
use crate::{cmd_explore, cmd_search, cmd_serve, cmd_variants, demo, progress, show};

pub fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Init(a) => init(a),
        Command::Ingest(a) => ingest(a),
        Command::Stats(a) => stats(&open(&a.case)?, &a.out),
        Command::Ls(a) => ls(a),
        Command::Show(a) => show_item(a),
        Command::Errors(a) => errors(a),
        Command::Audit(a) => audit(&open(&a.case)?, &a.out),
        Command::Keys(KeysCommand::Add(a)) => keys_add(a),
        Command::Keys(KeysCommand::Import(a)) => keys_import(a),
        Command::Keys(KeysCommand::List(a)) => keys_list(&open(&a.case)?, &a.out),
        Command::Keys(KeysCommand::Missing(a)) => keys_missing(&open(&a.case)?, &a.out),
        Command::Keys(KeysCommand::Fetch(a)) => keys_fetch(a),
        Command::Verify(a) => verify(a),
        Command::Search(a) => cmd_search::search(a),
        Command::Reindex(a) => cmd_search::reindex(a),
        Command::Ocr(a) => crate::cmd_ocr::ocr_cmd(a),
        Command::Variants(a) => cmd_variants::variants(a),
        Command::Check(a) => cmd_variants::check(a),
        Command::Demo(a) => demo_cmd(a),
        Command::Thread(a) => cmd_explore::thread(a),
        Command::People(a) => cmd_explore::people(a),
        Command::Timeline(a) => cmd_explore::timeline(a),
        Command::User(c) => cmd_serve::user(c),
        Command::Serve(a) => cmd_serve::serve(a),
    }
}

pub fn open(path: &Path) -> Result<Case> {
    Case::open(path).with_context(|| format!("opening case {}", path.display()))
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

fn init(a: InitArgs) -> Result<u8> {
    let name = a.name.clone().unwrap_or_else(|| {
        a.case
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "case".into())
    });
    let window = a
        .window
        .as_deref()
        .map(Window::parse)
        .transpose()
        .map_err(|e| anyhow::anyhow!("--window {e}"))?;
    let settings = CaseSettings {
        name,
        window,
        org_domains: a
            .org_domains
            .iter()
            .map(|d| d.trim().to_ascii_lowercase())
            .collect(),
        org_names: a.org_names.iter().map(|n| n.trim().to_string()).collect(),
        limits: Default::default(),
        ocr: Default::default(),
    };
    let case = Case::init(&a.case, settings)
        .with_context(|| format!("creating case {}", a.case.display()))?;
    let mut out = stdout();
    if a.out.json {
        json_line(
            &mut out,
            &serde_json::json!({"case": case.root(), "settings": case.settings}),
        )?;
    } else if !a.out.quiet {
        writeln!(
            out,
            "created case {:?} in {}",
            case.settings.name,
            case.root().display()
        )?;
        writeln!(
            out,
            "next: leakcheck ingest {} <files, folders or archives>",
            case.root().display()
        )?;
    }
    out.flush()?;
    Ok(0)
}

fn ingest(a: IngestArgs) -> Result<u8> {
    let case = open(&a.case)?;
    let options = leakcheck_ingest::Options {
        note: a.note.clone(),
        operator: operator(),
        threads: a.threads,
    };
    let openers = leakcheck_ingest::Openers {
        decoder: Some(decoder_command()?),
        passwords: match &a.passwords {
            Some(file) => read_passwords(file)?,
            None => Vec::new(),
        },
    };
    let counters = Arc::new(leakcheck_ingest::Progress::default());
    let show_bar = !a.out.json && !a.out.quiet && io::stderr().is_terminal();
    let bar = show_bar.then(|| progress::Bar::start(counters.clone()));
    let result = leakcheck_ingest::run_with(&case, &a.sources, &options, &openers, counters);
    if let Some(bar) = bar {
        bar.finish();
    }
    let summary = result.with_context(|| format!("ingesting into {}", case.root().display()))?;
    let quiet = a.out.json || a.out.quiet;
    crate::cmd_ocr::after_ingest(&case, &mut io::stderr(), show_bar, quiet)?;
    let index = cmd_search::sync_index(&case, show_bar, false)?;
    let stats = case.catalog()?.stats()?;
    let mut out = stdout();
    if a.out.json {
        json_line(
            &mut out,
            &serde_json::json!({"type": "ingest", "summary": summary, "stats": stats, "index": index}),
        )?;
    } else if !a.out.quiet {
        for s in &summary.sources {
            writeln!(
                out,
                "ingested {} ({}, {} files, {}, sha256 {})",
                for_terminal(&s.path),
                s.kind,
                s.files,
                human_bytes(s.bytes),
                s.sha256.as_deref().unwrap_or("-")
            )?;
        }
        writeln!(
            out,
            "{} places recorded in {:.1}s, {} problems\n",
            summary.places, summary.seconds, summary.problems
        )?;
        print_stats(&mut out, &stats, case.root())?;
    }
    out.flush()?;
    Ok(if summary.problems > 0 { 1 } else { 0 })
}

/// This binary, re-run as a native decoder's child (`main` answers the
/// hidden `decode-native` argument before parsing anything else).
pub fn decoder_command() -> Result<leakcheck_extract::native::DecoderCommand> {
    Ok(leakcheck_extract::native::DecoderCommand {
        program: std::env::current_exe().context("finding the leakcheck binary")?,
        args: vec![crate::DECODER_ARG.into()],
    })
}

/// One password per line; the line ending is not part of it, spaces are.
fn read_passwords(file: &Path) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("reading passwords from {}", file.display()))?;
    Ok(text
        .lines()
        .map(|l| l.strip_suffix('\r').unwrap_or(l).to_string())
        .filter(|l| !l.is_empty())
        .collect())
}

fn stats(case: &Case, o: &Output) -> Result<u8> {
    let stats = case.catalog()?.stats()?;
    let mut out = stdout();
    if o.json {
        json_line(&mut out, &stats)?;
    } else if !o.quiet {
        print_stats(&mut out, &stats, case.root())?;
        crate::cmd_ocr::print_waiting(&mut out, case)?;
    }
    out.flush()?;
    Ok(0)
}

fn print_stats(out: &mut impl Write, s: &Stats, root: &Path) -> Result<()> {
    writeln!(
        out,
        "files seen   {:>10}  = {} unique items + {} duplicates + {} unreadable",
        s.files_seen, s.items, s.duplicates, s.errors
    )?;
    writeln!(
        out,
        "items        {:>10}  ({})",
        s.items,
        human_bytes(s.bytes)
    )?;
    writeln!(out, "emails       {:>10}", s.emails)?;
    let mut kinds: Vec<_> = s.by_kind.iter().collect();
    kinds.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let kinds: Vec<String> = kinds.iter().map(|(k, n)| format!("{k} {n}")).collect();
    writeln!(out, "by kind      {}", kinds.join(" · "))?;
    let c = &s.containers;
    writeln!(
        out,
        "containers   {:>10}  declared {} members: {} emitted + {} failed{}",
        c.count,
        c.expected,
        c.emitted,
        c.failed,
        if c.unreconciled.is_empty() {
            " (all reconciled)".to_string()
        } else {
            format!(", {} do not reconcile:", c.unreconciled.len())
        }
    )?;
    for u in c.unreconciled.iter().take(20) {
        writeln!(
            out,
            "  {} {}: declared {}, emitted {}, failed {}",
            u.kind,
            for_terminal(&u.key),
            u.expected,
            u.emitted,
            u.failed
        )?;
    }
    let o = &s.outlook;
    if o.stores + o.msg_files > 0 {
        writeln!(
            out,
            "outlook      {:>10}  stores + {} .msg: {} messages declared, {} rebuilt, {} failed; {} attachments listed, {} written",
            o.stores,
            o.msg_files,
            o.messages_expected,
            o.messages_emitted,
            o.messages_failed,
            o.attachments_expected,
            o.attachments_emitted
        )?;
    }
    if !s.by_verdict.is_empty() {
        let verdicts: Vec<String> = leakcheck_core::Verdict::PRECEDENCE
            .iter()
            .filter_map(|v| s.by_verdict.get(v.as_str()).map(|n| format!("{v} {n}")))
            .collect();
        writeln!(out, "verdicts     {}", verdicts.join(" · "))?;
    }
    if s.unsupported > 0 {
        writeln!(
            out,
            "unsupported  {:>10}  containers stored but not opened yet",
            s.unsupported
        )?;
    }
    if s.errors + s.item_errors > 0 {
        writeln!(
            out,
            "problems     {:>10}  unreadable places + {} items with errors: leakcheck errors {}",
            s.errors,
            s.item_errors,
            root.display()
        )?;
    }
    Ok(())
}

fn ls(a: LsArgs) -> Result<u8> {
    let case = open(&a.case)?;
    if let Some(k) = &a.kind {
        k.parse::<Kind>().with_context(|| {
            let names: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
            format!("--kind: known kinds are {}", names.join(", "))
        })?;
    }
    if let Some(v) = &a.verdict
        && leakcheck_core::Verdict::parse(v).is_none()
    {
        bail!(
            "--verdict {v:?}: expected authentic, altered, suspicious, consistent or unverifiable"
        );
    }
    let rows = case
        .catalog()?
        .list(a.kind.as_deref(), a.verdict.as_deref(), a.limit, a.offset)?;
    let mut out = stdout();
    for r in &rows {
        if a.out.json {
            json_line(&mut out, r)?;
        } else if !a.out.quiet {
            let label = match (&r.subject, &r.date) {
                (Some(s), d) => format!(
                    "{}  {}",
                    d.as_deref()
                        .map(|d| &d[..10.min(d.len())])
                        .unwrap_or("????-??-??"),
                    s
                ),
                (None, _) => r.path.clone(),
            };
            writeln!(
                out,
                "{}  {:<6} {:>9}  {:<12}  {}",
                &r.id[..12],
                r.kind,
                human_bytes(r.size),
                r.verdict.as_deref().unwrap_or("-"),
                for_terminal(&label)
            )?;
        }
    }
    out.flush()?;
    Ok(if rows.is_empty() { 1 } else { 0 })
}

fn show_item(a: ShowArgs) -> Result<u8> {
    let case = open(&a.case)?;
    let catalog = case.catalog()?;
    let id = catalog.resolve(&a.item)?;
    if a.raw {
        if io::stdout().is_terminal() {
            bail!("--raw writes the original's bytes: redirect stdout to a file or a pipe");
        }
        let bytes = case.blobs().read(&id)?;
        let mut out = io::stdout().lock();
        out.write_all(&bytes)?;
        out.flush()?;
        return Ok(0);
    }
    let detail = catalog.item(&id)?;
    let verification = catalog.verification(&id)?;
    let mut out = stdout();
    if a.out.json {
        let mut v = serde_json::to_value(&detail)?;
        v["verification"] = match &verification {
            Some((verdict, findings)) => {
                serde_json::json!({"verdict": verdict, "findings": findings})
            }
            None => serde_json::Value::Null,
        };
        v["ocr"] = crate::cmd_ocr::layer_json(&catalog, &id)?;
        json_line(&mut out, &v)?;
    } else if !a.out.quiet {
        show::item(&mut out, &detail, &case, a.full)?;
        show::verification(&mut out, verification.as_ref(), &case, &id)?;
    }
    out.flush()?;
    Ok(0)
}

fn errors(a: ErrorsArgs) -> Result<u8> {
    let case = open(&a.case)?;
    let rows = case.catalog()?.problems(a.limit)?;
    let mut out = stdout();
    for r in &rows {
        if a.out.json {
            json_line(&mut out, r)?;
        } else if !a.out.quiet {
            let id = r
                .item
                .as_deref()
                .map(|i| &i[..12])
                .unwrap_or("(no bytes)  ");
            writeln!(
                out,
                "{id}  {:<5}  {}\n              {}",
                r.stage,
                for_terminal(&r.display),
                for_terminal(&r.reason)
            )?;
        }
    }
    out.flush()?;
    Ok(if rows.is_empty() { 0 } else { 1 })
}

#[derive(Serialize)]
struct Audit {
    checked: u64,
    ok: u64,
    mismatched: Vec<AuditProblem>,
    missing: Vec<String>,
}

#[derive(Serialize)]
struct AuditProblem {
    id: String,
    actual_sha256: String,
    actual_size: u64,
    catalog_size: u64,
}

fn audit(case: &Case, o: &Output) -> Result<u8> {
    let items = case.catalog()?.all_items()?;
    let blobs = case.blobs();
    let results = leakcheck_core::parallel::par_map(&items, |(id, size)| {
        (id.clone(), *size, blobs.rehash(id))
    });
    let mut report = Audit {
        checked: items.len() as u64,
        ok: 0,
        mismatched: vec![],
        missing: vec![],
    };
    for (id, size, r) in results {
        match r? {
            None => report.missing.push(id.to_string()),
            Some((actual, actual_size)) if actual == id && actual_size == size => report.ok += 1,
            Some((actual, actual_size)) => report.mismatched.push(AuditProblem {
                id: id.to_string(),
                actual_sha256: actual.to_string(),
                actual_size,
                catalog_size: size,
            }),
        }
    }
    report.missing.sort();
    report.mismatched.sort_by(|a, b| a.id.cmp(&b.id));
    let mut out = stdout();
    if o.json {
        json_line(&mut out, &report)?;
    } else if !o.quiet {
        writeln!(
            out,
            "{} originals re-hashed: {} intact",
            report.checked, report.ok
        )?;
        for m in &report.mismatched {
            writeln!(
                out,
                "MISMATCH {}: the blob now hashes to {} ({} bytes, catalog says {})",
                m.id, m.actual_sha256, m.actual_size, m.catalog_size
            )?;
        }
        for m in &report.missing {
            writeln!(
                out,
                "MISSING  {m}: the blob is gone from {}",
                blobs.path(&ItemId::parse(m)?).display()
            )?;
        }
    }
    out.flush()?;
    Ok(
        if report.mismatched.is_empty() && report.missing.is_empty() {
            0
        } else {
            1
        },
    )
}

fn demo_cmd(a: DemoArgs) -> Result<u8> {
    let dump = a.dir.join("demo-dump");
    let case_dir = a.dir.join("demo-case");
    if case_dir.exists() {
        match Case::open(&case_dir) {
            Ok(c) if c.settings.name == demo::CASE_NAME => {
                // Blobs are read-only, but removing a file needs only a writable folder.
                std::fs::remove_dir_all(&case_dir).with_context(|| {
                    format!("removing the old demo case {}", case_dir.display())
                })?;
            }
            _ => bail!(
                "{} exists and is not a leakcheck demo case; not touching it",
                case_dir.display()
            ),
        }
    }
    let key = demo::write_dump(&dump)
        .with_context(|| format!("writing the sample dump to {}", dump.display()))?;
    let settings = CaseSettings {
        name: demo::CASE_NAME.into(),
        window: Some(Window::parse("2017-01-01..2017-05-05").expect("valid window")),
        org_domains: vec!["campaign.example".into()],
        org_names: vec![crate::demo_docs::COMPANY.into()],
        limits: Default::default(),
        ocr: Default::default(),
    };
    let case = Case::init(&case_dir, settings)?;
    let (name, txt) =
        leakcheck_core::KeyRecord::parse_line(&key).expect("the demo key line parses");
    let source = "generated by leakcheck demo (its private key was not kept)";
    case.catalog()?
        .add_keys(&[key_record(name, txt, source, &None)])?;
    let human = !a.out.quiet && !a.out.json;
    if human {
        println!("sample dump written to {}\n", dump.display());
    }
    let quiet = Output {
        json: false,
        quiet: !human,
    };
    // The password published with the locked zip, kept beside the dump.
    let passwords = a.dir.join("demo-passwords.txt");
    std::fs::write(&passwords, format!("{}\n", demo::ZIP_PASSWORD))?;
    if human {
        println!(
            "locked.zip opens with the password published with it, {:?} ({})\n",
            demo::ZIP_PASSWORD,
            passwords.display()
        );
        println!(
            "$ leakcheck ingest {} {} --passwords {}",
            case_dir.display(),
            dump.display(),
            passwords.display()
        );
    }
    let code = ingest(IngestArgs {
        case: case_dir.clone(),
        sources: vec![dump],
        note: Some("leakcheck demo sample".into()),
        threads: 0,
        passwords: Some(passwords),
        out: Output {
            json: a.out.json,
            quiet: a.out.quiet,
        },
    })?;
    if human {
        println!("\n$ leakcheck verify {}", case_dir.display());
    }
    let verified = verify(VerifyArgs {
        case: case_dir.clone(),
        out: quiet,
    })?;
    if human {
        let c = case_dir.display();
        println!(
            "\nnext:\n  leakcheck search {c} 'budget'\n  leakcheck search {c} 'verdict:suspicious (kind:pdf OR kind:xlsx)'\n  leakcheck ls {c} --kind email\n  leakcheck show {c} <id prefix from ls>   (the evidence behind a verdict)\n  leakcheck thread {c} <id of an email>\n  leakcheck people {c}\n  leakcheck errors {c}\n  leakcheck audit {c}\n\nthe web workbench (search, read, verification panels):\n  leakcheck user add {c} me --role admin\n  leakcheck serve {c}        then open http://127.0.0.1:8080"
        );
    }
    // The demo holds a truncated zip and altered mail on purpose: problems
    // and findings are expected.
    Ok(if code == 2 || verified == 2 { 2 } else { 0 })
}

fn key_record(
    name: String,
    txt: String,
    source: &str,
    obtained: &Option<String>,
) -> leakcheck_core::KeyRecord {
    leakcheck_core::KeyRecord {
        name,
        txt,
        source: source.to_string(),
        obtained: obtained.clone(),
        added_by: operator(),
        added_at: chrono::Utc::now().to_rfc3339(),
    }
}

fn save_keys(case: &Case, keys: Vec<leakcheck_core::KeyRecord>, o: &Output) -> Result<u8> {
    let added = case.catalog()?.add_keys(&keys)?;
    let mut out = stdout();
    if o.json {
        json_line(
            &mut out,
            &serde_json::json!({"read": keys.len(), "added": added}),
        )?;
    } else if !o.quiet {
        writeln!(
            out,
            "{added} keys added ({} already present)",
            keys.len() - added
        )?;
    }
    out.flush()?;
    Ok(0)
}

fn keys_add(a: KeysAddArgs) -> Result<u8> {
    let case = open(&a.case)?;
    let (name, txt) = leakcheck_core::KeyRecord::parse_line(&a.record).with_context(|| {
        format!(
            "--record {:?}: expected \"<selector>._domainkey.<domain> <TXT value>\"",
            a.record
        )
    })?;
    save_keys(
        &case,
        vec![key_record(
            name,
            txt,
            &a.provenance.source,
            &a.provenance.obtained,
        )],
        &a.out,
    )
}

fn keys_import(a: KeysImportArgs) -> Result<u8> {
    let case = open(&a.case)?;
    let text = std::fs::read_to_string(&a.file)
        .with_context(|| format!("reading {}", a.file.display()))?;
    let mut keys = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let (name, txt) = leakcheck_core::KeyRecord::parse_line(line).with_context(|| {
            format!(
                "{}:{}: expected \"<selector>._domainkey.<domain> <TXT value>\"",
                a.file.display(),
                n + 1
            )
        })?;
        keys.push(key_record(
            name,
            txt,
            &a.provenance.source,
            &a.provenance.obtained,
        ));
    }
    save_keys(&case, keys, &a.out)
}

fn keys_list(case: &Case, o: &Output) -> Result<u8> {
    let keys = case.catalog()?.keys()?;
    let mut out = stdout();
    for k in &keys {
        if o.json {
            json_line(&mut out, k)?;
        } else if !o.quiet {
            let txt: String = k.txt.chars().take(40).collect();
            writeln!(
                out,
                "{}  {}…\n    source: {}{}",
                for_terminal(&k.name),
                for_terminal(&txt),
                for_terminal(&k.source),
                k.obtained
                    .as_deref()
                    .map(|d| format!(" (obtained {d})"))
                    .unwrap_or_default()
            )?;
        }
    }
    out.flush()?;
    Ok(if keys.is_empty() { 1 } else { 0 })
}

/// Key names used by signatures in the case that no archived key answers.
fn missing_keys(case: &Case) -> Result<Vec<leakcheck_verify::selectors::SelectorUse>> {
    let catalog = case.catalog()?;
    let have: std::collections::HashSet<String> =
        catalog.keys()?.into_iter().map(|k| k.name).collect();
    Ok(leakcheck_verify::selectors::seen(&catalog.emails()?)
        .into_iter()
        .filter(|u| !have.contains(&u.name))
        .collect())
}

fn keys_missing(case: &Case, o: &Output) -> Result<u8> {
    let missing = missing_keys(case)?;
    let mut out = stdout();
    for m in &missing {
        if o.json {
            json_line(&mut out, m)?;
        } else if !o.quiet {
            let span = match (&m.first_date, &m.last_date) {
                (Some(a), Some(b)) => format!(", emails dated {}..{}", &a[..10], &b[..10]),
                _ => String::new(),
            };
            writeln!(
                out,
                "{}  ({} signatures{span})",
                for_terminal(&m.name),
                m.signatures
            )?;
        }
    }
    out.flush()?;
    Ok(if missing.is_empty() { 0 } else { 1 })
}

fn keys_fetch(a: KeysFetchArgs) -> Result<u8> {
    let case = open(&a.case)?;
    let names: Vec<String> = if a.names.is_empty() {
        missing_keys(&case)?.into_iter().map(|m| m.name).collect()
    } else {
        a.names
            .iter()
            .map(|n| n.trim_end_matches('.').to_ascii_lowercase())
            .collect()
    };
    let results = leakcheck_verify::selectors::fetch(&names);
    let now = chrono::Utc::now().to_rfc3339();
    let found: Vec<_> = results
        .iter()
        .filter_map(|(name, r)| {
            r.as_ref().ok().map(|txt| {
                key_record(
                    name.clone(),
                    txt.clone(),
                    "live DNS TXT lookup (system resolver)",
                    &Some(now.clone()),
                )
            })
        })
        .collect();
    case.catalog()?.add_keys(&found)?;
    let mut out = stdout();
    for (name, r) in &results {
        if a.out.json {
            json_line(
                &mut out,
                &serde_json::json!({"name": name, "found": r.is_ok(), "txt": r.as_ref().ok(), "error": r.as_ref().err()}),
            )?;
        } else if !a.out.quiet {
            match r {
                Ok(_) => writeln!(
                    out,
                    "{}  fetched and stored (obtained {now})",
                    for_terminal(name)
                )?,
                Err(e) => writeln!(
                    out,
                    "{}  not found: {}",
                    for_terminal(name),
                    for_terminal(e)
                )?,
            }
        }
    }
    out.flush()?;
    Ok(if results.iter().all(|(_, r)| r.is_ok()) {
        0
    } else {
        1
    })
}

fn verify(a: VerifyArgs) -> Result<u8> {
    let case = open(&a.case)?;
    let done = std::sync::atomic::AtomicU64::new(0);
    let show_bar = !a.out.json && !a.out.quiet && io::stderr().is_terminal();
    let (summary, reports) = progress::spin(show_bar, "emails verified", &done, || {
        leakcheck_verify::run(&case, &done)
    })
    .with_context(|| format!("verifying {}", case.root().display()))?;
    // Verdicts are searchable (`verdict:`, `check:`): the index follows them.
    cmd_search::sync_index(&case, show_bar, false)?;
    let mut out = stdout();
    let needs_look = reports.iter().any(|r| {
        matches!(
            r.verdict,
            leakcheck_core::Verdict::Altered | leakcheck_core::Verdict::Suspicious
        )
    });
    if a.out.json {
        for r in &reports {
            json_line(&mut out, r)?;
        }
    } else if !a.out.quiet {
        writeln!(
            out,
            "{} items verified in {:.1}s ({} emails, {} with DKIM signatures; {} documents and images)\n",
            summary.items, summary.seconds, summary.emails, summary.signed, summary.documents
        )?;
        for v in leakcheck_core::Verdict::PRECEDENCE {
            writeln!(
                out,
                "  {:<13}{:>8}",
                v.as_str(),
                summary.by_verdict.get(v.as_str()).copied().unwrap_or(0)
            )?;
        }
        for v in [
            leakcheck_core::Verdict::Altered,
            leakcheck_core::Verdict::Suspicious,
        ] {
            let hits: Vec<_> = reports.iter().filter(|r| r.verdict == v).collect();
            if hits.is_empty() {
                continue;
            }
            writeln!(out, "\n{v}:")?;
            for r in hits.iter().take(20) {
                let why = r
                    .findings
                    .iter()
                    .find(|f| f.verdict == v)
                    .map(|f| f.summary.as_str())
                    .unwrap_or("");
                writeln!(
                    out,
                    "  {}  {}\n                {}",
                    &r.id[..12],
                    for_terminal(r.paths.first().map(String::as_str).unwrap_or("")),
                    for_terminal(why)
                )?;
            }
            if hits.len() > 20 {
                writeln!(
                    out,
                    "  … {} more (leakcheck verify --json)",
                    hits.len() - 20
                )?;
            }
        }
        writeln!(
            out,
            "\nsee one item's evidence: leakcheck show {} <id>",
            case.root().display()
        )?;
    }
    out.flush()?;
    Ok(if needs_look { 1 } else { 0 })
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
