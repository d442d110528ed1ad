//! One verification pass over a case: every email checked, cross-message
//! checks, proof carried to attachments, a verdict for every item, all
//! saved to the catalog (replacing the previous pass at once).
//!
//! Memory does not grow with the case's content: emails, documents and
//! items are read a page at a time, findings are written to the catalog as
//! they are made (in one transaction), and what is kept across pages is
//! the authentic emails. The threading links and the near-copy signatures
//! go to temporary databases on disk ([`crate::links`], [`crate::near`]).
//!
//! A pass follows change: what it was derived from (the keys, the case's
//! settings, the items, the checks) is recorded with it, and the next run
//! re-checks only what changed: nothing at all when nothing did; the new
//! emails and the emails signed with a key that changed (their DKIM and
//! other per-email checks), then the cross-item checks, which read the
//! stored per-email findings of the rest.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use chrono::{DateTime, Utc};
use leakcheck_core::parallel::par_map_on;
use leakcheck_core::{CheckId, EmailMeta, Finding, ItemId, Verdict};
use leakcheck_store::{Case, Catalog, VerifyCatalog};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::links::Links;
use crate::{
    KeySet, dkim, doc, duplicates, headers, near, outlook, signature_time, thread, thread_quote,
    window,
};
use leakcheck_store::scratch::IdMap;

/// Emails, documents or items read from the catalog at a time.
const PAGE: usize = 1000;

/// One item's verification, as `verify --json` prints it.
#[derive(Clone, Debug, Serialize)]
pub struct ItemReport {
    /// Item id.
    pub id: String,
    /// Where it was found.
    pub paths: Vec<String>,
    /// Its kind.
    pub kind: String,
    /// The verdict its findings decide.
    pub verdict: Verdict,
    /// Every finding, with evidence.
    pub findings: Vec<Finding>,
}

/// How much a run re-checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Every item (first run, `--all`, or the checks or settings changed).
    Full,
    /// The emails a change can affect, then the cross-item checks.
    Incremental,
    /// Nothing changed since the last pass: its results stand.
    Unchanged,
}

/// Seconds spent in each step of a pass (`verify --verbose`).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Profile {
    /// Reading emails and their originals, DKIM/ARC and the other per-email checks.
    pub emails: f64,
    /// Duplicates, thread order and thread quotes.
    pub cross_message: f64,
    /// Documents and images against the dump's population.
    pub documents: f64,
    /// Proof carried to attachments.
    pub provenance: f64,
    /// Near-copy signatures, pairs and their comparison.
    pub near_copies: f64,
    /// Verdicts rolled up, written, and the pass committed.
    pub verdicts: f64,
}

/// Totals of a pass.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    /// Items given a verdict.
    pub items: u64,
    /// Emails checked.
    pub emails: u64,
    /// Emails with at least one DKIM-Signature.
    pub signed: u64,
    /// Documents and images whose metadata was checked.
    pub documents: u64,
    /// Items per verdict.
    pub by_verdict: BTreeMap<String, u64>,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Full, incremental or unchanged.
    pub mode: Mode,
    /// Emails whose own checks (DKIM, ARC, dates, headers) ran in this run;
    /// the others' were read from the last pass.
    pub emails_rechecked: u64,
    /// Items whose findings were derived again (every item unless nothing
    /// changed: the cross-item checks read the whole case).
    pub items_rechecked: u64,
    /// Why the run re-checked what it did.
    pub reason: String,
    /// Where the time went.
    pub profile: Profile,
}

/// What a pass was derived from, recorded with it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct State {
    /// The checks this binary knows, and the version it is.
    checks: String,
    /// The case's settings (window, organisation, limits), hashed.
    settings: String,
    /// Each key name's records, hashed.
    keys: BTreeMap<String, String>,
    /// Items and places in the case.
    items: [u64; 2],
    /// The OCR layer: items read and characters of text (`leakcheck ocr`
    /// changes what `doc.text-layer` and the near-copies see).
    #[serde(default)]
    ocr: [u64; 2],
    /// Checks the per-email step has produced (kept for the emails an
    /// incremental pass does not re-check).
    per_email_checks: BTreeSet<String>,
}

fn hash(s: &str) -> String {
    let d = Sha256::digest(s.as_bytes());
    d.iter().take(12).map(|b| format!("{b:02x}")).collect()
}

impl State {
    fn now(case: &Case, catalog: &mut impl VerifyCatalog) -> leakcheck_store::Result<State> {
        let checks: Vec<&str> = CheckId::all().map(|c| c.as_str()).collect();
        let mut keys: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for k in catalog.keys()? {
            let record = serde_json::to_string(&k).unwrap_or_default();
            keys.entry(k.name.to_lowercase()).or_default().push(record);
        }
        let stats = catalog.stats()?;
        // Where the catalog lives changes no finding: a case moved to team
        // mode keeps its last pass.
        let settings = leakcheck_store::CaseSettings {
            blobs: None,
            team: None,
            ..case.settings.clone()
        };
        Ok(State {
            checks: format!("{} {}", env!("CARGO_PKG_VERSION"), hash(&checks.join(","))),
            settings: hash(&serde_json::to_string(&settings).unwrap_or_default()),
            keys: keys
                .into_iter()
                .map(|(name, mut records)| {
                    records.sort();
                    (name, hash(&records.join("\n")))
                })
                .collect(),
            items: [stats.items, stats.files_seen],
            ocr: catalog.ocr_stamp()?,
            per_email_checks: BTreeSet::new(),
        })
    }

    /// Key names added, removed or changed between `self` and `then`.
    fn changed_keys(&self, then: &State) -> HashSet<String> {
        let names: BTreeSet<&String> = self.keys.keys().chain(then.keys.keys()).collect();
        names
            .into_iter()
            .filter(|n| self.keys.get(*n) != then.keys.get(*n))
            .cloned()
            .collect()
    }
}

/// What to re-check.
enum Plan {
    Full(String),
    Emails(HashSet<ItemId>, String),
    Nothing,
}

fn plan(
    catalog: &mut impl VerifyCatalog,
    now: &State,
    then: Option<&State>,
    all: bool,
) -> leakcheck_store::Result<Plan> {
    let Some(then) = then else {
        return Ok(Plan::Full("no earlier pass".into()));
    };
    if all {
        return Ok(Plan::Full("--all".into()));
    }
    if now.checks != then.checks {
        return Ok(Plan::Full("the checks changed".into()));
    }
    if now.settings != then.settings {
        return Ok(Plan::Full("the case's settings changed".into()));
    }
    let keys = now.changed_keys(then);
    if keys.is_empty() && now.items == then.items && now.ocr == then.ocr {
        return Ok(Plan::Nothing);
    }
    let mut redo: HashSet<ItemId> = HashSet::new();
    let new: Vec<ItemId> = catalog
        .items_without_verdict()?
        .into_iter()
        .filter_map(|(id, email)| email.then_some(id))
        .collect();
    let mut why = Vec::new();
    if now.ocr != then.ocr {
        why.push("the OCR layer changed".into());
    }
    if now.items != then.items {
        why.push(format!("{} new emails", new.len()));
    }
    redo.extend(new);
    if !keys.is_empty() {
        let signed = catalog.emails_signed_with(&keys)?;
        why.push(format!(
            "{} emails signed with {} changed key(s)",
            signed.len(),
            keys.len()
        ));
        redo.extend(signed);
        // ARC seals use the same keys; they are few, re-check them all.
        redo.extend(catalog.items_with_check(CheckId::EmailArc)?);
    }
    Ok(Plan::Emails(redo, why.join(", ")))
}

/// Verifies `case`: only what changed since the last pass unless `all`.
/// `done` counts emails read, for a progress bar.
pub fn run(case: &Case, all: bool, done: &AtomicU64) -> leakcheck_store::Result<Summary> {
    run_on(case, case.catalog()?, all, done)
}

/// Verifies `case` as [`run`] does, its catalog given: the embedded one or
/// a team case's.
pub fn run_on<C: VerifyCatalog>(
    case: &Case,
    catalog: C,
    all: bool,
    done: &AtomicU64,
) -> leakcheck_store::Result<Summary> {
    run_with(case, catalog, all, done, None)
}

/// Reads the findings of the per-email step for these emails (each
/// email's, in their order), made elsewhere: by workers, in team mode.
pub type Staged<'a> = &'a mut dyn FnMut(&[ItemId]) -> leakcheck_store::Result<Vec<Vec<Finding>>>;

/// What a pass was to be derived from when [`emails_to_check`] listed
/// its emails: the pass that reads their findings must start from the same.
pub struct Snapshot(String);

/// Verifies `case` as [`run_on`] does, except that the per-email step's
/// findings are read with `staged` rather than made here: workers made
/// them for the emails [`emails_to_check`] listed. Fails, changing
/// nothing, when the case changed since (keys, settings, items).
pub fn run_staged<C: VerifyCatalog>(
    case: &Case,
    catalog: C,
    all: bool,
    done: &AtomicU64,
    staged: (&Snapshot, Staged<'_>),
) -> leakcheck_store::Result<Summary> {
    run_with(case, catalog, all, done, Some(staged))
}

/// The emails whose own checks a pass run now would make (every email,
/// or those a change can affect; none when nothing changed), a page at a
/// time, each with where it was rebuilt from when Outlook properties are
/// all there is of it: what team mode hands workers.
pub fn emails_to_check<C: VerifyCatalog>(
    case: &Case,
    catalog: &mut C,
    all: bool,
    mut each: impl FnMut(Vec<(ItemId, Option<serde_json::Value>)>) -> leakcheck_store::Result<()>,
) -> leakcheck_store::Result<Snapshot> {
    let now = State::now(case, catalog)?;
    let snapshot = Snapshot(serde_json::to_string(&now).unwrap_or_default());
    let then: Option<State> = catalog
        .verify_state()?
        .and_then(|s| serde_json::from_str(&s).ok());
    let redo = match plan(catalog, &now, then.as_ref(), all)? {
        Plan::Nothing => return Ok(snapshot),
        Plan::Full(_) => None,
        Plan::Emails(redo, _) => Some(redo),
    };
    let rebuilt = rebuilt(catalog)?;
    let mut after: Option<ItemId> = None;
    loop {
        let page = catalog.emails_page(after.as_ref(), PAGE)?;
        let Some(last) = page.last() else {
            return Ok(snapshot);
        };
        after = Some(last.0.clone());
        let mut todo = Vec::new();
        for (id, _) in page {
            if redo.as_ref().is_none_or(|r| r.contains(&id)) {
                let origin = rebuilt.get(&id)?;
                todo.push((id, origin));
            }
        }
        if !todo.is_empty() {
            each(todo)?;
        }
    }
}

/// Every email's own checks (DKIM and ARC, or why they cannot say
/// anything; dates against the window and the signatures; headers), on
/// `threads` threads (0: every core), given the case's keys and, for each
/// email rebuilt from Outlook properties, where from.
pub fn check_emails(
    case: &Case,
    keys: &KeySet,
    emails: &[(&ItemId, &EmailMeta, Option<&serde_json::Value>)],
    threads: usize,
) -> Vec<Vec<Finding>> {
    let window = case.settings.window.as_ref();
    let blobs = case.blobs();
    par_map_on(threads, emails, |(id, meta, origin)| {
        let mut findings = Vec::new();
        match (blobs.read(id), origin) {
            // Our bytes, not the sender's: a signature over them
            // proves nothing either way.
            (Ok(raw), Some(origin)) => findings.push(outlook::not_original(&raw, origin)),
            (Ok(raw), None) => {
                let (dkim, arc) = dkim::check_signed(&raw, keys, meta.date_unix);
                findings.extend(signature_time::check(meta, &dkim));
                findings.push(dkim);
                findings.extend(arc);
            }
            (Err(e), _) => findings.push(Finding {
                check: CheckId::EmailDkim,
                verdict: Verdict::Unverifiable,
                summary: format!("the original could not be read: {e}"),
                evidence: json!({}),
            }),
        }
        findings.extend(window::check(meta, window));
        findings.extend(headers::check(meta));
        findings
    })
}

fn run_with<C: VerifyCatalog>(
    case: &Case,
    mut catalog: C,
    all: bool,
    done: &AtomicU64,
    staged: Option<(&Snapshot, Staged<'_>)>,
) -> leakcheck_store::Result<Summary> {
    let started = Instant::now();
    let mut now = State::now(case, &mut catalog)?;
    if let Some((snapshot, _)) = &staged
        && serde_json::to_string(&now).unwrap_or_default() != snapshot.0
    {
        return Err(leakcheck_store::Error::Invalid(
            "the case changed (its keys, settings or items) while the workers checked its \
             emails: the last pass stands; run verify again"
                .into(),
        ));
    }
    let staged = staged.map(|(_, read)| read);
    let then: Option<State> = catalog
        .verify_state()?
        .and_then(|s| serde_json::from_str(&s).ok());
    let (redo, reason) = match plan(&mut catalog, &now, then.as_ref(), all)? {
        Plan::Nothing => return unchanged(&mut catalog, started),
        Plan::Full(why) => (None, why),
        Plan::Emails(redo, why) => (Some(redo), why),
    };
    let keep: Vec<CheckId> = match (&redo, &then) {
        (Some(_), Some(t)) => t
            .per_email_checks
            .iter()
            .filter_map(|c| CheckId::parse(c))
            .collect(),
        _ => Vec::new(),
    };
    if let (Some(_), Some(t)) = (&redo, &then) {
        now.per_email_checks = t.per_email_checks.clone();
    }
    let mut redo_list: Vec<ItemId> = redo.iter().flatten().cloned().collect();
    redo_list.sort_unstable();
    catalog.begin_verification(&keep, &redo_list)?;
    let mut pass = Pass {
        case,
        catalog,
        profile: Profile::default(),
        state: now,
        staged,
    };
    let totals = pass.run(redo.as_ref(), done)?;
    let profile = pass.profile;
    Ok(Summary {
        items: totals.items,
        emails: totals.emails,
        signed: totals.signed,
        documents: totals.documents,
        by_verdict: totals.by_verdict,
        seconds: started.elapsed().as_secs_f64(),
        mode: if redo.is_some() {
            Mode::Incremental
        } else {
            Mode::Full
        },
        emails_rechecked: redo.as_ref().map_or(totals.emails, |r| r.len() as u64),
        items_rechecked: totals.items,
        reason,
        profile,
    })
}

/// The last pass's totals, when nothing changed since.
fn unchanged(
    catalog: &mut impl VerifyCatalog,
    started: Instant,
) -> leakcheck_store::Result<Summary> {
    let (counts, _) = catalog.verdict_counts()?;
    let stats = catalog.stats()?;
    Ok(Summary {
        items: counts.iter().map(|c| c.1).sum(),
        emails: catalog.email_count()?,
        signed: catalog.signed_email_count()?,
        documents: catalog.document_count()?,
        by_verdict: counts
            .into_iter()
            .map(|(v, n)| (v.as_str().to_string(), n))
            .collect(),
        seconds: started.elapsed().as_secs_f64(),
        mode: Mode::Unchanged,
        emails_rechecked: 0,
        items_rechecked: 0,
        reason: format!(
            "nothing changed since the last pass ({} items)",
            stats.items
        ),
        profile: Profile::default(),
    })
}

#[derive(Default)]
struct Totals {
    items: u64,
    emails: u64,
    signed: u64,
    documents: u64,
    by_verdict: BTreeMap<String, u64>,
}

/// One pass under way, its findings written to `catalog` as they come.
struct Pass<'a, 's, C> {
    case: &'a Case,
    catalog: C,
    profile: Profile,
    state: State,
    staged: Option<Staged<'s>>,
}

/// What the steps after the per-email one need of every email.
struct EmailFacts {
    /// Emails whose DKIM is authentic, each with the header names its
    /// passing signatures cover (lower case).
    authentic: IdMap,
    /// Emails with at least one DKIM-Signature.
    signed: u64,
    emails: u64,
    org: doc::OrgNamesBuilder,
    population: doc::Population,
}

impl<C: VerifyCatalog> Pass<'_, '_, C> {
    fn run(
        &mut self,
        redo: Option<&HashSet<ItemId>>,
        done: &AtomicU64,
    ) -> leakcheck_store::Result<Totals> {
        let links = Links::read(&mut self.catalog)?;

        let t = Instant::now();
        let rebuilt = rebuilt(&mut self.catalog)?;
        let facts = self.emails(redo, &rebuilt, done)?;
        self.profile.emails = t.elapsed().as_secs_f64();

        let t = Instant::now();
        self.cross_message(&links, &facts.authentic, &rebuilt)?;
        self.profile.cross_message = t.elapsed().as_secs_f64();

        let t = Instant::now();
        let documents = self.documents(facts.population, facts.org.finish())?;
        // PDFs whose text layer OCR read beside their own (issue 18).
        let layers: Vec<(ItemId, Finding)> = self
            .catalog
            .ocr_with_embedded()?
            .into_iter()
            .filter_map(|(id, layer)| doc::text_layer::check(&layer).map(|f| (id, f)))
            .collect();
        self.catalog.add_findings(&layers)?;
        self.profile.documents = t.elapsed().as_secs_f64();

        let t = Instant::now();
        self.provenance(&facts.authentic)?;
        self.profile.provenance = t.elapsed().as_secs_f64();

        // Near-copies of what is now proven authentic.
        let t = Instant::now();
        near::check(self.case, &mut self.catalog)?;
        self.profile.near_copies = t.elapsed().as_secs_f64();

        let t = Instant::now();
        let mut totals = self.verdicts()?;
        let state = serde_json::to_string(&self.state).unwrap_or_default();
        self.catalog.finish_verification(&state)?;
        self.profile.verdicts = t.elapsed().as_secs_f64();
        totals.emails = facts.emails;
        totals.signed = facts.signed;
        totals.documents = documents;
        Ok(totals)
    }

    /// Every email's own checks (only `redo`'s when given: the others'
    /// findings stand), a page at a time on every core.
    fn emails(
        &mut self,
        redo: Option<&HashSet<ItemId>>,
        rebuilt: &IdMap,
        done: &AtomicU64,
    ) -> leakcheck_store::Result<EmailFacts> {
        let keys = KeySet::new(self.catalog.keys()?);
        let mut facts = EmailFacts {
            authentic: IdMap::new()?,
            signed: 0,
            emails: 0,
            org: doc::OrgNames::builder(
                &self.case.settings.org_names,
                &self.case.settings.org_domains,
            ),
            population: doc::Population::default(),
        };
        let mut after: Option<ItemId> = None;
        loop {
            let page = self.catalog.emails_page(after.as_ref(), PAGE)?;
            let (Some(first), Some(last)) = (page.first(), page.last()) else {
                break;
            };
            let (first, last) = (first.0.clone(), last.0.clone());
            let todo: Vec<&(ItemId, EmailMeta)> = page
                .iter()
                .filter(|(id, _)| redo.is_none_or(|r| r.contains(id)))
                .collect();
            let per_email = match &mut self.staged {
                Some(read) => {
                    let ids: Vec<ItemId> = todo.iter().map(|(id, _)| id.clone()).collect();
                    read(&ids)?
                }
                None => {
                    let mut origins = HashMap::new();
                    for (id, _) in &todo {
                        if let Some(origin) = rebuilt.get(id)? {
                            origins.insert(id, origin);
                        }
                    }
                    let emails: Vec<_> = todo
                        .iter()
                        .map(|(id, meta)| (id, meta, origins.get(id)))
                        .collect();
                    check_emails(self.case, &keys, &emails, 0)
                }
            };
            let mut written = Vec::new();
            for ((id, _), findings) in todo.iter().zip(per_email) {
                for f in findings {
                    self.state
                        .per_email_checks
                        .insert(f.check.as_str().to_string());
                    written.push((id.clone(), f));
                }
            }
            self.catalog.add_findings(&written)?;
            drop(written);
            // What later steps need, read back alike for the emails
            // checked now and those whose findings stand.
            let mut authentic = Vec::new();
            for (id, f) in self.catalog.findings_between(&first, &last)? {
                if f.check != CheckId::EmailDkim {
                    continue;
                }
                let signatures = f.evidence["signatures"].as_array();
                if signatures.is_some_and(|s| !s.is_empty()) {
                    facts.signed += 1;
                }
                if f.verdict != Verdict::Authentic {
                    continue;
                }
                let signed: BTreeSet<String> = signatures
                    .into_iter()
                    .flatten()
                    .filter(|s| s["result"] == "pass")
                    .flat_map(|s| s["signed_headers"].as_array().into_iter().flatten())
                    .filter_map(|h| h.as_str().map(str::to_ascii_lowercase))
                    .collect();
                authentic.push((id, json!(signed)));
            }
            facts.authentic.insert_new(&authentic)?;
            for (_, meta) in &page {
                facts.org.add_email(meta);
                facts.population.add_email(meta);
            }
            facts.emails += page.len() as u64;
            done.fetch_add(page.len() as u64, Ordering::Relaxed);
            after = Some(last);
        }
        Ok(facts)
    }

    /// Duplicates, thread order and thread quotes, over groups of emails
    /// read together: each Message-ID's copies, each reply with every copy
    /// of the messages it answers (all the checks compare).
    fn cross_message(
        &mut self,
        links: &Links,
        authentic: &IdMap,
        rebuilt: &IdMap,
    ) -> leakcheck_store::Result<()> {
        let mut batch: Vec<ItemId> = Vec::new();
        let flush = |catalog: &mut C, batch: &mut Vec<ItemId>| {
            let emails = catalog.emails_of(batch)?;
            let proof = proof_of(batch, authentic, rebuilt)?;
            batch.clear();
            catalog.add_findings(&duplicates::check(&emails, &proof))
        };
        links.copies(|group| {
            batch.extend(group);
            if batch.len() >= PAGE {
                flush(&mut self.catalog, &mut batch)?;
            }
            Ok(())
        })?;
        if !batch.is_empty() {
            flush(&mut self.catalog, &mut batch)?;
        }

        // Replies whose parent is in the dump, with every copy of every
        // message they answer (the checks pick the parent by one rule).
        let mut replies: Vec<ItemId> = Vec::new();
        let mut with_parents: Vec<ItemId> = Vec::new();
        let flush = |catalog: &mut C, replies: &mut Vec<ItemId>, all: &mut Vec<ItemId>| {
            let emails = catalog.emails_of(all)?;
            let mine: HashSet<&ItemId> = replies.iter().collect();
            let found: Vec<(ItemId, Finding)> = thread::check(&emails)
                .into_iter()
                .chain(thread_quote::check(&emails))
                .filter(|(id, _)| mine.contains(id))
                .collect();
            replies.clear();
            all.clear();
            catalog.add_findings(&found)
        };
        links.replies(|reply, parents| {
            replies.push(reply.clone());
            with_parents.push(reply);
            with_parents.extend(parents);
            if with_parents.len() >= PAGE {
                flush(&mut self.catalog, &mut replies, &mut with_parents)?;
            }
            Ok(())
        })?;
        if !replies.is_empty() {
            flush(&mut self.catalog, &mut replies, &mut with_parents)?;
        }
        Ok(())
    }

    /// Documents against the case and against the dump's own population
    /// (the files found in it, not the revisions cut from them): one read
    /// to count the population, one to check. Returns how many were checked.
    fn documents(
        &mut self,
        mut population: doc::Population,
        org: doc::OrgNames,
    ) -> leakcheck_store::Result<u64> {
        let mut after: Option<ItemId> = None;
        loop {
            let page = self.catalog.documents_page(after.as_ref(), PAGE)?;
            let Some(last) = page.last() else { break };
            after = Some(last.0.clone());
            for (_, meta, derived) in &page {
                if !derived {
                    population.add_document(meta);
                }
            }
        }
        let ctx = doc::Context {
            window: self.case.settings.window.clone(),
            org,
            ingested: first_ingest(self.case)?,
        };
        let mut count = 0;
        let mut after: Option<ItemId> = None;
        loop {
            let page = self.catalog.documents_page(after.as_ref(), PAGE)?;
            let Some(last) = page.last() else { break };
            after = Some(last.0.clone());
            count += page.len() as u64;
            let mut found = Vec::new();
            for (id, meta, _) in &page {
                let mut f = doc::check(meta, &population, &ctx);
                for x in f.iter_mut().filter(|x| x.check == CheckId::ImageThumbnail) {
                    doc::attach_difference_picture(self.case, id, meta, x);
                }
                found.extend(f.into_iter().map(|f| (id.clone(), f)));
            }
            self.catalog.add_findings(&found)?;
        }
        Ok(count)
    }

    /// Proof travels with bytes: whatever an authentic email's body carries
    /// (attachments, their members...) is authentic too.
    fn provenance(&mut self, authentic: &IdMap) -> leakcheck_store::Result<()> {
        let catalog = &mut self.catalog;
        // Each item is given provenance once, by the first email to reach it.
        let mut given = IdMap::new()?;
        let mut found = Vec::new();
        authentic.for_each_id(|email| {
            let mut stack = vec![(email.clone(), String::new())];
            while let Some((parent, via)) = stack.pop() {
                for child in catalog.child_items(&parent)? {
                    if child == email || !given.insert(&child, &serde_json::Value::Null)? {
                        continue;
                    }
                    let route = if via.is_empty() {
                        parent.to_string()
                    } else {
                        format!("{via} > {parent}")
                    };
                    found.push((child.clone(), Finding {
                        check: CheckId::ArchiveProvenance,
                        verdict: Verdict::Authentic,
                        summary: format!(
                            "carried inside DKIM-authentic email {}: its bytes are covered by that signature's body hash",
                            &email.as_str()[..12]
                        ),
                        evidence: json!({"signed_email": email.as_str(), "route": route}),
                    }));
                    stack.push((child, route));
                }
            }
            if found.len() >= PAGE {
                catalog.add_findings(&std::mem::take(&mut found))?;
            }
            Ok(())
        })?;
        catalog.add_findings(&found)
    }

    /// Every item's verdict from its findings, a page at a time.
    fn verdicts(&mut self) -> leakcheck_store::Result<Totals> {
        let mut totals = Totals::default();
        let mut after: Option<ItemId> = None;
        loop {
            let page = self.catalog.items_page(after.as_ref(), PAGE)?;
            let (Some(first), Some(last)) = (page.first(), page.last()) else {
                break;
            };
            let mut findings: HashMap<ItemId, Vec<Finding>> = HashMap::new();
            for (id, f) in self.catalog.findings_between(&first.0, &last.0)? {
                findings.entry(id).or_default().push(f);
            }
            let verdicts: Vec<(ItemId, Verdict)> = page
                .iter()
                .map(|(id, _, _)| {
                    let v = Verdict::roll_up(findings.get(id).map_or(&[][..], Vec::as_slice));
                    (id.clone(), v)
                })
                .collect();
            for (_, v) in &verdicts {
                *totals.by_verdict.entry(v.as_str().to_string()).or_insert(0) += 1;
            }
            totals.items += verdicts.len() as u64;
            self.catalog.add_verdicts(&verdicts)?;
            after = Some(last.0.clone());
        }
        Ok(totals)
    }
}

/// Every item's report as the catalog holds it, in id order, a page at a
/// time (for `verify --json`, whatever the case's size).
pub fn reports<E: From<leakcheck_store::Error>>(
    catalog: &Catalog,
    mut each: impl FnMut(ItemReport) -> Result<(), E>,
) -> Result<(), E> {
    let mut after: Option<ItemId> = None;
    while let Some(last) = report_page(
        catalog.items_page(after.as_ref(), PAGE)?,
        |first, last| catalog.findings_between(first, last),
        &mut each,
    )? {
        after = Some(last);
    }
    Ok(())
}

/// [`reports`] from either catalog (a team case's among them).
pub fn reports_on<E: From<leakcheck_store::Error>>(
    catalog: &mut impl VerifyCatalog,
    mut each: impl FnMut(ItemReport) -> Result<(), E>,
) -> Result<(), E> {
    let mut after: Option<ItemId> = None;
    loop {
        let page = catalog.items_page(after.as_ref(), PAGE)?;
        let findings = |first: &ItemId, last: &ItemId| catalog.findings_between(first, last);
        match report_page(page, findings, &mut each)? {
            Some(last) => after = Some(last),
            None => return Ok(()),
        }
    }
}

/// Hands one page of items to `each` as reports, with their findings;
/// returns the page's last id, or None when the page is empty.
fn report_page<E: From<leakcheck_store::Error>>(
    page: Vec<(ItemId, String, Vec<String>)>,
    mut findings_between: impl FnMut(
        &ItemId,
        &ItemId,
    ) -> leakcheck_store::Result<Vec<(ItemId, Finding)>>,
    each: &mut impl FnMut(ItemReport) -> Result<(), E>,
) -> Result<Option<ItemId>, E> {
    let (Some(first), Some(last)) = (page.first(), page.last()) else {
        return Ok(None);
    };
    let last = last.0.clone();
    let mut findings: HashMap<ItemId, Vec<Finding>> = HashMap::new();
    for (id, f) in findings_between(&first.0, &last)? {
        findings.entry(id).or_default().push(f);
    }
    for (id, kind, paths) in page {
        let findings = findings.remove(&id).unwrap_or_default();
        each(ItemReport {
            id: id.to_string(),
            paths,
            kind,
            verdict: Verdict::roll_up(&findings),
            findings,
        })?;
    }
    Ok(Some(last))
}

/// The emails rebuilt from Outlook properties, with where from.
fn rebuilt(catalog: &mut impl VerifyCatalog) -> leakcheck_store::Result<IdMap> {
    let mut rebuilt = IdMap::new()?;
    let mut batch = Vec::new();
    catalog.for_each_rebuilt_from_outlook(|id, origin| {
        batch.push((id, origin));
        if batch.len() >= PAGE {
            rebuilt.insert_new(&std::mem::take(&mut batch))?;
        }
        Ok(())
    })?;
    rebuilt.insert_new(&batch)?;
    Ok(rebuilt)
}

/// What the duplicate checks need to know of `ids` beyond their fields.
fn proof_of(
    ids: &[ItemId],
    authentic: &IdMap,
    rebuilt: &IdMap,
) -> leakcheck_store::Result<duplicates::Proof> {
    let mut proof = duplicates::Proof::default();
    for id in ids {
        if let Some(signed) = authentic.get(id)? {
            let signed = signed.as_array().into_iter().flatten();
            let signed = signed.filter_map(|h| h.as_str().map(str::to_string));
            proof.authentic.insert(id.clone(), signed.collect());
        }
        if rebuilt.contains(id)? {
            proof.rebuilt.insert(id.clone());
        }
    }
    Ok(proof)
}

/// When the dump first reached the case (its first ingest), or now if it
/// never did: no file in it can have been saved later.
fn first_ingest(case: &Case) -> leakcheck_store::Result<DateTime<Utc>> {
    let entries = case.custody()?.entries()?;
    Ok(entries
        .iter()
        .filter_map(|e| DateTime::parse_from_rfc3339(&e.time).ok())
        .map(|t| t.with_timezone(&Utc))
        .min()
        .unwrap_or_else(Utc::now))
}
