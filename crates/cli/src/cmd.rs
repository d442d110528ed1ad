//! One function per command. Data goes to stdout, progress and errors to stderr.

use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use leakcheck_core::sanitize::for_terminal;
use leakcheck_core::words::{count, noun};
use leakcheck_core::{ItemId, Kind};
use leakcheck_store::{Case, CaseSettings, Stats, VerifyCatalog, Window};
use serde::Serialize;

use crate::cli::{
    Cli, Command, DemoArgs, ErrorsArgs, IngestArgs, InitArgs, KeysAddArgs, KeysCommand,
    KeysFetchArgs, KeysImportArgs, LsArgs, Output, PostsCommand, ShowArgs, VerifyArgs,
};
use crate::common::{human_bytes, invocation, json_line, open, operator, readable, stdout};
use crate::{
    cmd_explore, cmd_keys, cmd_search, cmd_serve, cmd_spread, cmd_variants, demo, progress, show,
};

pub fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Init(a) => init(a),
        Command::Ingest(a) => ingest(a),
        Command::Stats(a) => stats(&open(&a.case)?, &a.out),
        Command::Worker(a) => crate::cmd_team::worker(a),
        Command::Jobs(a) => crate::cmd_team::jobs(a),
        Command::Migrate(a) => crate::cmd_team::migrate(a),
        Command::Ls(a) => ls(a),
        Command::Show(a) => show_item(a),
        Command::Errors(a) => errors(a),
        Command::Audit(a) => audit(&open(&a.case)?, &a.out),
        Command::Keys(KeysCommand::Add(a)) => keys_add(a),
        Command::Keys(KeysCommand::Import(a)) => keys_import(a),
        Command::Keys(KeysCommand::List(a)) => keys_list(&open(&a.case)?, &a.out),
        Command::Keys(KeysCommand::Missing(a)) => keys_missing(&readable(&a.case)?, &a.out),
        Command::Keys(KeysCommand::Fetch(a)) => keys_fetch(a),
        Command::Keys(KeysCommand::Recover(a)) => cmd_keys::recover(a),
        Command::Verify(a) => verify(a),
        Command::Search(a) => cmd_search::search(a),
        Command::Reindex(a) => cmd_search::reindex(a),
        Command::Index(a) => cmd_search::index(a),
        Command::Ocr(a) => crate::cmd_ocr::ocr_cmd(a),
        Command::Variants(a) => cmd_variants::variants(a),
        Command::Check(a) => cmd_variants::check(a),
        Command::Demo(a) => demo_cmd(a),
        Command::Thread(a) => cmd_explore::thread(a),
        Command::People(a) => cmd_explore::people(a),
        Command::Timeline(a) => cmd_explore::timeline(a),
        Command::User(c) => cmd_serve::user(c),
        Command::Serve(a) => cmd_serve::serve(a),
        Command::Posts(PostsCommand::Import(a)) => cmd_spread::import(a),
        Command::Posts(PostsCommand::List(a)) => cmd_spread::list(a),
        Command::Spread(a) => cmd_spread::spread(a),
        Command::Report(a) => crate::cmd_publish::report(a),
        Command::Export(a) => crate::cmd_publish::export(a),
        Command::Redact(a) => crate::cmd_publish::redact(a),
    }
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
        blobs: a.blobs.clone(),
        team: crate::cmd_team::team_settings(a.catalog.as_deref(), &a.team)?,
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
            "next: {} ingest {} <files, folders or archives>",
            invocation(),
            case.root().display()
        )?;
    }
    out.flush()?;
    Ok(0)
}

fn ingest(a: IngestArgs) -> Result<u8> {
    let case = open(&a.case)?;
    if case.settings.team.is_some() {
        return crate::cmd_team::ingest(&case, &a);
    }
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
    crate::cmd_ocr::after_ingest(&case, &mut io::stderr(), show_bar, quiet, a.ocr_later)?;
    let index = cmd_search::index_as_is(&case)?;
    let stats = case.catalog()?.stats()?;
    let mut out = stdout();
    if a.out.json {
        json_line(
            &mut out,
            &serde_json::json!({"type": "ingest", "summary": summary, "stats": stats, "index": index}),
        )?;
    } else if !a.out.quiet {
        print_ingested(&mut out, &summary, &stats, case.root())?;
    }
    out.flush()?;
    Ok(if summary.problems > 0 { 1 } else { 0 })
}

/// What an ingest run did, source by source, then the case's figures.
pub fn print_ingested(
    out: &mut impl Write,
    summary: &leakcheck_ingest::Summary,
    stats: &Stats,
    root: &Path,
) -> Result<()> {
    for s in &summary.sources {
        writeln!(
            out,
            "ingested {} ({}, {}, {}, sha256 {})",
            for_terminal(&s.path),
            s.kind,
            count(s.files, "file", "files"),
            human_bytes(s.bytes),
            s.sha256.as_deref().unwrap_or("-")
        )?;
    }
    writeln!(
        out,
        "{} recorded in {:.1}s, {}\n",
        count(summary.places, "place", "places"),
        summary.seconds,
        count(summary.problems, "problem", "problems")
    )?;
    print_stats(out, stats, root)
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
pub fn read_passwords(file: &Path) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("reading passwords from {}", file.display()))?;
    Ok(text
        .lines()
        .map(|l| l.strip_suffix('\r').unwrap_or(l).to_string())
        .filter(|l| !l.is_empty())
        .collect())
}

fn stats(case: &Case, o: &Output) -> Result<u8> {
    if case.settings.team.is_some() {
        return crate::cmd_team::stats(case, o);
    }
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

pub fn print_stats(out: &mut impl Write, s: &Stats, root: &Path) -> Result<()> {
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
            "outlook      {:>10}  {} + {} .msg: {} declared, {} rebuilt, {} failed; {} listed, {} written",
            o.stores,
            noun(o.stores, "store", "stores"),
            o.msg_files,
            count(o.messages_expected, "message", "messages"),
            o.messages_emitted,
            o.messages_failed,
            count(o.attachments_expected, "attachment", "attachments"),
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
            "unsupported  {:>10}  {} stored but not opened yet",
            s.unsupported,
            noun(s.unsupported, "container", "containers")
        )?;
    }
    if s.errors + s.item_errors > 0 {
        writeln!(
            out,
            "problems     {:>10}  unreadable {} + {}: {} errors {}",
            s.errors,
            noun(s.errors, "place", "places"),
            count(s.item_errors, "item with errors", "items with errors"),
            invocation(),
            root.display()
        )?;
    }
    Ok(())
}

fn ls(a: LsArgs) -> Result<u8> {
    let case = readable(&a.case)?;
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
    let case = readable(&a.case)?;
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
    let rows = if case.settings.team.is_some() {
        crate::cmd_team::problems(&case, a.limit)?
    } else {
        case.catalog()?.problems(a.limit)?
    };
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
    let items = if case.settings.team.is_some() {
        crate::cmd_team::all_items(case)?
    } else {
        case.catalog()?.all_items()?
    };
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
        blobs: None,
        team: None,
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
            "$ {} ingest {} {} --passwords {}",
            invocation(),
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
        ocr_later: false,
        job_files: 64,
        out: Output {
            json: a.out.json,
            quiet: a.out.quiet,
        },
    })?;
    if human {
        println!("\n$ {} verify {}", invocation(), case_dir.display());
    }
    let verified = verify(VerifyArgs {
        case: case_dir.clone(),
        all: false,
        verbose: false,
        job_emails: 250,
        out: quiet,
    })?;
    let keys_verified = demo_key_recovery(&a.dir, human)?;
    // Posts from outside that spread the dump: imported, matched, classed.
    let exports =
        crate::demo_posts::write(&a.dir.join("demo-posts")).context("writing the demo's posts")?;
    for (export, source) in exports.iter().zip(["telegram", "x"]) {
        if human {
            println!(
                "\n$ {} posts import {} {} --source {source}",
                invocation(),
                case_dir.display(),
                export.display()
            );
        }
        crate::cmd_spread::import(crate::cli::PostsImportArgs {
            case: case_dir.clone(),
            export: export.clone(),
            source: Some(source.into()),
            claims: Vec::new(),
            out: Output {
                json: false,
                quiet: true,
            },
        })?;
    }
    if human {
        println!(
            "\n$ {} spread {} --limit 5",
            invocation(),
            case_dir.display()
        );
        crate::cmd_spread::spread(crate::cli::SpreadArgs {
            case: case_dir.clone(),
            filter: crate::cli::SpreadFilterArgs {
                platform: None,
                class: None,
                account: None,
                since: None,
                until: None,
            },
            limit: 5,
            csv: None,
            svg: None,
            png: None,
            first_seen_csv: None,
            accounts_csv: None,
            out: Output {
                json: false,
                quiet: false,
            },
        })?;
    }
    // Publication: the evidence behind the proofs, re-checkable without
    // leakcheck (the report replaces an earlier demo's).
    let report = a.dir.join("demo-report");
    if human {
        println!(
            "\nevidence for publication: the proven items, with what anyone can re-check them with\n\n$ {} report {} --verdict altered,authentic --out {}",
            invocation(),
            case_dir.display(),
            report.display()
        );
    }
    crate::cmd_publish::report(crate::cmd_publish::ReportArgs {
        case: case_dir.clone(),
        select: Vec::new(),
        verdict: vec![
            crate::cmd_publish::VerdictArg::Altered,
            crate::cmd_publish::VerdictArg::Authentic,
        ],
        out: report,
        no_originals: false,
        max_items: 5_000,
        output: Output {
            json: false,
            quiet: !human,
        },
    })?;
    if human {
        let (c, lc) = (case_dir.display(), invocation());
        println!(
            "\nnext:\n  {lc} search {c} 'budget'\n  {lc} search {c} 'verdict:suspicious (kind:pdf OR kind:xlsx)'\n  {lc} ls {c} --kind email\n  {lc} show {c} <id prefix from ls>   (the evidence behind a verdict)\n  {lc} thread {c} <id of an email>\n  {lc} people {c}\n  {lc} export {c} --format csv --out items.csv   (or jsonl, or ftm for Aleph)\n  {lc} errors {c}\n  {lc} audit {c}\n\nthe web workbench (search, read, verification panels):\n  {lc} user add {c} me --role admin\n  {lc} serve {c}        then open http://127.0.0.1:8080"
        );
        if lc != "leakcheck" {
            println!(
                "\n(to type `leakcheck` instead of {lc}: cargo install --locked --path crates/cli)"
            );
        }
    }
    // The demo holds a truncated zip and altered mail on purpose: problems
    // and findings are expected.
    Ok(if code == 2 || verified == 2 || keys_verified == 2 {
        2
    } else {
        0
    })
}

/// The demo's key archaeology: a second small case whose signing key is
/// withheld, recovered from its signatures (verdicts: consistent), then
/// imported as if from an archive (verdicts: authentic).
fn demo_key_recovery(dir: &Path, human: bool) -> Result<u8> {
    let dump = dir.join("demo-keys-dump");
    let case_dir = dir.join("demo-keys-case");
    const NAME: &str = "leakcheck demo: key recovery";
    if case_dir.exists() {
        match Case::open(&case_dir) {
            Ok(c) if c.settings.name == NAME => std::fs::remove_dir_all(&case_dir)
                .with_context(|| format!("removing the old demo case {}", case_dir.display()))?,
            _ => bail!(
                "{} exists and is not a leakcheck demo case; not touching it",
                case_dir.display()
            ),
        }
    }
    let key = demo::write_key_dump(&dump)
        .with_context(|| format!("writing the key sample to {}", dump.display()))?;
    let settings = CaseSettings {
        name: NAME.into(),
        window: None,
        org_domains: vec![],
        org_names: vec![],
        limits: Default::default(),
        ocr: Default::default(),
        blobs: None,
        team: None,
    };
    Case::init(&case_dir, settings)?;
    let quiet = || Output {
        json: false,
        quiet: true,
    };
    let (c, lc) = (case_dir.display(), invocation());
    if human {
        println!(
            "\nkey archaeology: two emails signed by news.example, whose key the case does not have\n\n$ {lc} ingest {c} {}\n$ {lc} verify {c}",
            dump.display()
        );
    }
    ingest(IngestArgs {
        case: case_dir.clone(),
        sources: vec![dump],
        note: Some("leakcheck demo key-recovery sample".into()),
        threads: 0,
        passwords: None,
        ocr_later: false,
        job_files: 64,
        out: quiet(),
    })?;
    let code = verify(VerifyArgs {
        case: case_dir.clone(),
        all: false,
        verbose: false,
        job_emails: 250,
        out: quiet(),
    })?;
    let case = open(&case_dir)?;
    show_dkim_verdicts(&case, human)?;
    if human {
        println!("\n$ {lc} keys recover {c}");
    }
    cmd_keys::recover(crate::cli::KeysRecoverArgs {
        case: case_dir.clone(),
        selector: None,
        max_seconds: 300,
        out: Output {
            json: false,
            quiet: !human,
        },
    })?;
    verify(VerifyArgs {
        case: case_dir.clone(),
        all: false,
        verbose: false,
        job_emails: 250,
        out: quiet(),
    })?;
    if human {
        println!("$ {lc} verify {c}");
    }
    show_dkim_verdicts(&case, human)?;
    let (name, txt) =
        leakcheck_core::KeyRecord::parse_line(&key).expect("the demo key line parses");
    let source =
        "the newspaper's key, as a key archive would hold it (generated by leakcheck demo)";
    case.catalog()?
        .add_keys(&[key_record(name, txt, source, &None)])?;
    if human {
        println!(
            "\n$ {lc} keys add {c} --record '{}…' --source '{source}'\n$ {lc} verify {c}",
            key.chars().take(60).collect::<String>()
        );
    }
    let last = verify(VerifyArgs {
        case: case_dir.clone(),
        all: false,
        verbose: false,
        job_emails: 250,
        out: quiet(),
    })?;
    show_dkim_verdicts(&case, human)?;
    Ok(code.max(last))
}

/// Each email's `email.dkim` verdict and summary.
fn show_dkim_verdicts(case: &Case, human: bool) -> Result<()> {
    if !human {
        return Ok(());
    }
    let catalog = case.catalog()?;
    for (id, meta) in catalog.emails()? {
        let Some((_, findings)) = catalog.verification(&id)? else {
            continue;
        };
        for f in findings
            .iter()
            .filter(|f| f.check == leakcheck_core::CheckId::EmailDkim)
        {
            println!(
                "  {:<12} {}  {}",
                f.verdict.as_str(),
                for_terminal(meta.subject.as_deref().unwrap_or("")),
                for_terminal(&f.summary)
            );
        }
    }
    Ok(())
}

pub fn key_record(
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
        ..Default::default()
    }
}

pub fn save_keys(case: &Case, keys: Vec<leakcheck_core::KeyRecord>, o: &Output) -> Result<u8> {
    let added = crate::cmd_team::add_keys(case, &keys)?;
    let mut out = stdout();
    if o.json {
        json_line(
            &mut out,
            &serde_json::json!({"read": keys.len(), "added": added}),
        )?;
    } else if !o.quiet {
        writeln!(
            out,
            "{} ({} already present)",
            count(added, "key added", "keys added"),
            keys.len() - added
        )?;
    }
    out.flush()?;
    Ok(0)
}

fn keys_add(a: KeysAddArgs) -> Result<u8> {
    let case = open(&a.case)?;
    let (name, txt) = match (&a.record, &a.private_key, &a.name) {
        (Some(record), _, _) => {
            leakcheck_core::KeyRecord::parse_line(record).with_context(|| {
                format!(
                    "--record {record:?}: expected \"<selector>._domainkey.<domain> <TXT value>\""
                )
            })?
        }
        (None, Some(pem), Some(name)) => cmd_keys::public_half(pem, name)?,
        _ => bail!("give --record, or --private-key with --name"),
    };
    let mut key = key_record(name, txt, &a.provenance.source, &a.provenance.obtained);
    key.private_published = cmd_keys::checked_date(a.private_key_published.as_deref())?;
    save_keys(&case, vec![key], &a.out)
}

fn keys_import(a: KeysImportArgs) -> Result<u8> {
    let case = open(&a.case)?;
    if a.archive {
        return cmd_keys::import_archive(&case, &a);
    }
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
    let keys = match case.settings.team {
        Some(_) => VerifyCatalog::keys(&mut crate::cmd_team::catalog(case)?)?,
        None => case.catalog()?.keys()?,
    };
    let mut out = stdout();
    for k in &keys {
        if o.json {
            json_line(&mut out, k)?;
        } else if !o.quiet {
            let txt: String = k.txt.chars().take(40).collect();
            writeln!(
                out,
                "{}  {}…\n    {}: {}{}",
                for_terminal(&k.name),
                for_terminal(&txt),
                k.origin.as_str(),
                for_terminal(&k.source),
                k.obtained
                    .as_deref()
                    .map(|d| format!(" (obtained {d})"))
                    .unwrap_or_default()
            )?;
            if k.first_seen.is_some() || k.last_seen.is_some() {
                writeln!(
                    out,
                    "    seen in DNS by the archive: {} to {}",
                    for_terminal(k.first_seen.as_deref().unwrap_or("?")),
                    for_terminal(k.last_seen.as_deref().unwrap_or("?"))
                )?;
            }
            if let Some(d) = &k.private_published {
                writeln!(
                    out,
                    "    private key public since {}: later signatures prove nothing",
                    for_terminal(d)
                )?;
            }
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
            let recover = if m.rsa_dkim_signatures >= 2 {
                format!(
                    "; recoverable from its {} RSA signatures with `leakcheck keys recover` \
                     if two of them are intact",
                    m.rsa_dkim_signatures
                )
            } else {
                String::new()
            };
            writeln!(
                out,
                "{}  ({}{span}{recover})",
                for_terminal(&m.name),
                count(m.signatures, "signature", "signatures")
            )?;
        }
    }
    out.flush()?;
    Ok(if missing.is_empty() { 0 } else { 1 })
}

fn keys_fetch(a: KeysFetchArgs) -> Result<u8> {
    let case = open(&a.case)?;
    let names: Vec<String> = if a.names.is_empty() {
        missing_keys(&readable(&a.case)?)?
            .into_iter()
            .map(|m| m.name)
            .collect()
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
    crate::cmd_team::add_keys(&case, &found)?;
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
    if case.settings.team.is_some() {
        let summary = crate::cmd_team::verify(&case, &a)
            .with_context(|| format!("verifying {}", case.root().display()))?;
        let show_bar = !a.out.json && !a.out.quiet && io::stderr().is_terminal();
        let indexed = cmd_search::sync_index(&case, show_bar, false)?.indexed;
        return verify_report(
            &case,
            &a,
            summary,
            crate::cmd_team::catalog(&case)?,
            indexed,
        );
    }
    let done = std::sync::atomic::AtomicU64::new(0);
    let show_bar = !a.out.json && !a.out.quiet && io::stderr().is_terminal();
    let emails = case.catalog()?.email_count()?;
    let summary = progress::counted(show_bar, "emails read", emails, &done, || {
        leakcheck_verify::run(&case, a.all, &done)
    })
    .with_context(|| format!("verifying {}", case.root().display()))?;
    // Verdicts are searchable (`verdict:`, `check:`): the index follows them.
    let indexed = cmd_search::sync_index(&case, show_bar, false)?.indexed;
    verify_report(&case, &a, summary, case.catalog()?, indexed)
}

/// What `verify` prints once its pass is done, from either catalog.
fn verify_report(
    case: &Case,
    a: &VerifyArgs,
    summary: leakcheck_verify::Summary,
    mut catalog: impl VerifyCatalog,
    indexed: u64,
) -> Result<u8> {
    let tally =
        |v: leakcheck_core::Verdict| summary.by_verdict.get(v.as_str()).copied().unwrap_or(0);
    let needs_look =
        tally(leakcheck_core::Verdict::Altered) + tally(leakcheck_core::Verdict::Suspicious) > 0;
    let mut out = stdout();
    if a.out.json {
        leakcheck_verify::reports_on(&mut catalog, |r| json_line(&mut out, &r))?;
    } else if !a.out.quiet {
        let how = match summary.mode {
            leakcheck_verify::Mode::Unchanged => "nothing re-checked".to_string(),
            _ => format!(
                "{} re-checked, cross-item checks over {}",
                count(summary.emails_rechecked, "email", "emails"),
                count(summary.items_rechecked, "item", "items")
            ),
        };
        writeln!(
            out,
            "{} verified in {:.1}s ({}, {} with DKIM signatures; {})\n{how}: {}\n",
            count(summary.items, "item", "items"),
            summary.seconds,
            count(summary.emails, "email", "emails"),
            summary.signed,
            count(
                summary.documents,
                "document or image",
                "documents and images"
            ),
            summary.reason
        )?;
        for v in leakcheck_core::Verdict::PRECEDENCE {
            writeln!(out, "  {:<13}{:>8}", v.as_str(), tally(v))?;
        }
        for v in [
            leakcheck_core::Verdict::Altered,
            leakcheck_core::Verdict::Suspicious,
        ] {
            let hits = catalog.items_judged(v, 20)?;
            if hits.is_empty() {
                continue;
            }
            writeln!(out, "\n{v}:")?;
            for id in &hits {
                let places = catalog.places(id)?;
                let why = catalog
                    .findings_between(id, id)?
                    .into_iter()
                    .find(|(_, f)| f.verdict == v)
                    .map(|(_, f)| f.summary)
                    .unwrap_or_default();
                writeln!(
                    out,
                    "  {}  {}\n                {}",
                    &id.as_str()[..12],
                    for_terminal(places.first().map_or("", String::as_str)),
                    for_terminal(&why)
                )?;
            }
            if tally(v) > 20 {
                writeln!(
                    out,
                    "  … {} more ({} verify {} --json)",
                    tally(v) - 20,
                    invocation(),
                    case.root().display()
                )?;
            }
        }
        if a.verbose {
            let p = &summary.profile;
            writeln!(
                out,
                "\ntime: emails {:.1}s · cross-message {:.1}s · documents {:.1}s · provenance {:.1}s · near-copies {:.1}s · verdicts {:.1}s · index {}",
                p.emails,
                p.cross_message,
                p.documents,
                p.provenance,
                p.near_copies,
                p.verdicts,
                count(indexed, "item", "items")
            )?;
        }
        // `show` does not read a team catalog yet.
        if case.settings.team.is_none() {
            writeln!(
                out,
                "\nsee one item's evidence: {} show {} <id>",
                invocation(),
                case.root().display()
            )?;
        }
    }
    out.flush()?;
    Ok(if needs_look { 1 } else { 0 })
}
