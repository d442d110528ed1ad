//! The query language end to end: a small French and English mailbox is
//! ingested into a case, indexed, and searched with every operator.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use leakcheck_core::ItemId;
use leakcheck_search::{Page, SearchIndex, SearchResult, Sort, search, sync};
use leakcheck_store::{Case, CaseSettings};

/// (file, from, to, date, subject, body, attachment)
const MAILS: [(&str, &str, &str, &str, &str, &str, bool); 6] = [
    (
        "elysee",
        "Emmanuel Macron <macron@en-marche.fr>",
        "Anne Martin <anne@en-marche.fr>",
        "Mon, 03 Apr 2017 09:00:00 +0200",
        "Réunion à l'Élysée",
        "Les réunions de campagne auront lieu à l'Élysée lundi prochain, avec toute l'équipe.",
        false,
    ),
    (
        "offshore",
        "Bob Stone <bob@bank.example>",
        "Anne Martin <anne@en-marche.fr>",
        "Thu, 20 Apr 2017 15:00:00 +0000",
        "Transfer",
        "The offshore account in Cyprus received the transfer yesterday. All further meetings are cancelled until next week.",
        true,
    ),
    (
        "meeting",
        "Anne Martin <anne@en-marche.fr>",
        "Bob Stone <bob@bank.example>",
        "Tue, 02 May 2017 10:00:00 +0200",
        "Budget meeting",
        "The budget meeting moved to Tuesday afternoon, please bring the printed figures with you.",
        false,
    ),
    (
        "affiches",
        "Claire Roux <claire@en-marche.fr>",
        "Anne Martin <anne@en-marche.fr>",
        "Wed, 15 Mar 2017 18:00:00 +0100",
        "Budget de la campagne",
        "Le budget des affiches est validé par le trésorier, la commande part demain matin.",
        false,
    ),
    (
        "press",
        "Press Office <press@news.example>",
        "Claire Roux <claire@en-marche.fr>",
        "Fri, 21 Apr 2017 08:00:00 +0000",
        "Interview request",
        "Would the candidate be available for an interview on Friday morning at the studio?",
        false,
    ),
    (
        "cc",
        "Claire Roux <claire@en-marche.fr>",
        "Press Office <press@news.example>",
        "Sat, 22 Apr 2017 08:00:00 +0000",
        "Re: Interview request",
        "Yes, Friday works; our spokesperson will confirm the exact time tomorrow.",
        false,
    ),
];

fn write_mails(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    for (name, from, to, date, subject, body, attach) in MAILS {
        let head = format!(
            "From: {from}\r\nTo: {to}\r\nDate: {date}\r\nSubject: {subject}\r\nMessage-ID: <{name}@test>\r\nMIME-Version: 1.0\r\n"
        );
        let msg = if attach {
            format!(
                "{head}Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n--b\r\nContent-Type: text/plain; name=\"wire.txt\"\r\nContent-Disposition: attachment; filename=\"wire.txt\"\r\n\r\nwire reference 4471\r\n--b--\r\n"
            )
        } else {
            format!("{head}Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n")
        };
        std::fs::write(dir.join(format!("{name}.eml")), msg).unwrap();
    }
}

struct Fixture {
    _dir: tempfile::TempDir,
    case: Case,
    idx: SearchIndex,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        write_mails(&dir.path().join("dump"));
        let settings = CaseSettings {
            name: "search test".into(),
            window: None,
            org_domains: vec![],
            org_names: vec![],
            limits: Default::default(),
            ocr: Default::default(),
            blobs: None,
            team: None,
        };
        let case = Case::init(&dir.path().join("case"), settings).unwrap();
        let options = leakcheck_ingest::Options {
            note: None,
            operator: None,
            threads: 1,
        };
        leakcheck_ingest::run(
            &case,
            &[dir.path().join("dump")],
            &options,
            Arc::new(leakcheck_ingest::Progress::default()),
        )
        .unwrap();
        let stats = sync(&case, &AtomicU64::new(0)).unwrap();
        assert_eq!(stats.total, 7, "six mails and one attachment");
        let idx = SearchIndex::of_case(&case).unwrap();
        Fixture {
            _dir: dir,
            case,
            idx,
        }
    }

    fn run(&self, q: &str, page: Page) -> SearchResult {
        search(&self.case, &self.idx, q, page).unwrap()
    }

    /// Subjects of the hits, sorted.
    fn subjects(&self, q: &str) -> Vec<String> {
        let r = self.run(q, Page::default());
        assert_eq!(r.total as usize, r.hits.len(), "{q}");
        let mut s: Vec<String> = r.hits.into_iter().map(|h| h.title).collect();
        s.sort();
        s
    }
}

#[test]
fn every_operator() {
    let f = Fixture::new();
    let s = |q: &str| f.subjects(q);
    assert_eq!(s("budget"), ["Budget de la campagne", "Budget meeting"]);
    assert_eq!(s("budget meeting"), ["Budget meeting"], "words are ANDed");
    assert_eq!(s("budget AND meeting"), ["Budget meeting"]);
    assert_eq!(
        s("cyprus OR affiches"),
        ["Budget de la campagne", "Transfer"]
    );
    assert_eq!(s("budget -affiches"), ["Budget meeting"]);
    assert_eq!(s("budget AND NOT affiches"), ["Budget meeting"]);
    assert_eq!(s("NOT budget").len(), 5);
    assert_eq!(s(r#""offshore account""#), ["Transfer"]);
    assert!(
        s(r#""account offshore""#).is_empty(),
        "a phrase keeps its order"
    );
    assert_eq!(s("(budget OR interview) -meeting").len(), 3);
    // Fields.
    assert_eq!(s("from:macron"), ["Réunion à l'Élysée"]);
    assert_eq!(s("from:bob@bank.example"), ["Transfer"]);
    assert_eq!(s("to:press"), ["Re: Interview request"]);
    assert_eq!(
        s("subject:interview"),
        ["Interview request", "Re: Interview request"]
    );
    assert_eq!(s("kind:text"), [""], "the attachment");
    assert_eq!(s("path:wire"), [""]);
    // Prefix and fuzzy.
    assert_eq!(s("cypr*"), ["Transfer"]);
    assert_eq!(s("cyprys~"), ["Transfer"]);
    assert_eq!(s("spokesprson~2"), ["Re: Interview request"]);
}

#[test]
fn french_and_english_forms_and_accents() {
    let f = Fixture::new();
    let s = |q: &str| f.subjects(q);
    assert_eq!(s("elysee"), ["Réunion à l'Élysée"]);
    assert_eq!(s("ÉLYSÉE"), ["Réunion à l'Élysée"]);
    assert_eq!(
        s("reunion"),
        ["Réunion à l'Élysée"],
        "the body says réunions"
    );
    assert_eq!(
        s("valide"),
        ["Budget de la campagne"],
        "the body says validé"
    );
    assert_eq!(s("meetings"), ["Budget meeting", "Transfer"]);
    assert_eq!(s("lang:fr").len(), 2);
}

#[test]
fn dates_sorting_pages_and_facets() {
    let f = Fixture::new();
    let s = |q: &str| f.subjects(q);
    assert_eq!(s("date:2017-04").len(), 4);
    assert_eq!(
        s("date:2017-04-01..2017-04-20"),
        ["Réunion à l'Élysée", "Transfer"]
    );
    assert_eq!(s("date:..2017-03"), ["Budget de la campagne"]);
    assert_eq!(s("date:2017-05-02.."), ["Budget meeting"]);
    assert_eq!(
        s("budget date:2017"),
        ["Budget de la campagne", "Budget meeting"]
    );

    let page = Page {
        limit: 2,
        offset: 0,
        sort: Sort::Newest,
    };
    let r = f.run("from:claire OR from:anne", page);
    assert_eq!(r.total, 3, "total counts every match, not the page");
    let titles: Vec<&str> = r.hits.iter().map(|h| h.title.as_str()).collect();
    assert_eq!(titles, ["Budget meeting", "Re: Interview request"]);
    let next = f.run("from:claire OR from:anne", Page { offset: 2, ..page });
    assert_eq!(next.hits.len(), 1);
    assert_eq!(next.hits[0].title, "Budget de la campagne");

    let r = f.run("", Page::default());
    assert_eq!(r.total, 7);
    let facet = |name: &str, value: &str| r.facets[name].get(value).copied().unwrap_or(0);
    assert_eq!(facet("kind", "email"), 6);
    assert_eq!(facet("kind", "text"), 1);
    assert_eq!(facet("domain", "en-marche.fr"), 4);
    assert_eq!(facet("month", "2017-04"), 4);
    assert_eq!(facet("attachment", "yes"), 1);
    assert_eq!(facet("verdict", "unverified"), 7);

    // A facet value the page shows is a query too.
    assert_eq!(s("domain:bank.example"), ["Transfer"]);
    assert_eq!(s("attachment:yes"), ["Transfer"]);
    assert_eq!(s("domain:EN-MARCHE.FR budget").len(), 2);
    assert!(s("domain:nowhere.example").is_empty());
}

#[test]
fn snippets_and_broken_queries() {
    let f = Fixture::new();
    let r = f.run("cyprus transfer", Page::default());
    assert_eq!(r.hits.len(), 1);
    let hit = &r.hits[0];
    assert!(hit.snippet.contains("«Cyprus»"), "{}", hit.snippet);
    assert!(hit.snippet.contains("«transfer»"), "{}", hit.snippet);
    assert!(hit.snippet_html.contains("<b>Cyprus</b>"));
    let r = f.run("réunions", Page::default());
    assert!(
        r.hits[0].snippet.contains("«réunions»"),
        "{}",
        r.hits[0].snippet
    );

    let broken = f.run(r#"(budget "de la"#, Page::default());
    assert_eq!(broken.total, 1);
    assert_eq!(broken.notes.len(), 2, "{:?}", broken.notes);
    let unknown = f.run("colour:red budget", Page::default());
    assert!(unknown.notes[0].contains("unknown field \"colour\""));
    let bad_date = f.run("date:soon budget", Page::default());
    assert_eq!(bad_date.total, 2);
    assert!(bad_date.notes[0].contains("not a date range"));
}

#[test]
fn sync_reads_the_catalog_only_after_a_change() {
    let f = Fixture::new();
    let again = sync(&f.case, &AtomicU64::new(0)).unwrap();
    assert_eq!((again.indexed, again.total), (0, 7), "nothing changed");

    // A tag changes what the index shows: that item, and only it, again.
    let hit = &f.run("cyprus", Page::default()).hits[0];
    let id = ItemId::parse(&hit.id).unwrap();
    assert!(
        f.case
            .catalog()
            .unwrap()
            .add_tag(&id, "checked", "test")
            .unwrap()
    );
    let after = sync(&f.case, &AtomicU64::new(0)).unwrap();
    assert_eq!((after.indexed, after.total), (1, 7));
    let idx = SearchIndex::of_case(&f.case).unwrap();
    let tagged = search(&f.case, &idx, "tag:checked", Page::default()).unwrap();
    assert_eq!(tagged.hits.len(), 1);
    assert_eq!(tagged.hits[0].id, hit.id);
    drop(idx);

    // An index folder deleted behind the catalog's back is filled again.
    std::fs::remove_dir_all(f.case.root().join("index")).unwrap();
    let refilled = sync(&f.case, &AtomicU64::new(0)).unwrap();
    assert_eq!((refilled.indexed, refilled.total), (7, 7));
}
