//! Claims asked in batches: a page's items are claimed a batch at a time
//! when the claims say a round trip is worth saving, and each item is
//! still opened once, whether its copies come in the same batch or not.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use leakcheck_core::{ItemId, Record};
use leakcheck_ingest::{Claims, Openers, Options, plan, run_page};
use leakcheck_store::{Case, CaseSettings};

/// Claims kept in memory that note the size of every batch asked.
#[derive(Default)]
struct Counted {
    taken: Mutex<HashMap<ItemId, usize>>,
    batches: Mutex<Vec<usize>>,
}

struct Batched(Arc<Counted>, usize);

impl Claims for Batched {
    fn claim(&self, ids: &[ItemId]) -> Result<Vec<bool>, String> {
        self.0.batches.lock().unwrap().push(ids.len());
        let mut taken = self.0.taken.lock().unwrap();
        Ok(ids
            .iter()
            .map(|id| {
                let n = taken.entry(id.clone()).or_default();
                *n += 1;
                *n == 1
            })
            .collect())
    }

    fn batch(&self) -> usize {
        self.1
    }
}

fn email(n: usize) -> String {
    format!(
        "From: a{n}@example.org\r\nTo: b@example.org\r\nSubject: note {n}\r\n\
         Message-ID: <{n}@example.org>\r\nDate: Mon, 1 May 2017 10:00:00 +0200\r\n\r\nbody {n}\r\n"
    )
}

#[test]
fn a_page_is_claimed_in_batches_and_each_item_opened_once() {
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump");
    std::fs::create_dir_all(&dump).unwrap();
    // 30 distinct emails, 10 copies of the first ten, and an mbox of 12
    // more: its messages are found inside it, while the queue is full.
    for n in 0..30 {
        std::fs::write(dump.join(format!("{n:02}.eml")), email(n)).unwrap();
    }
    for n in 0..10 {
        std::fs::write(dump.join(format!("copy-{n:02}.eml")), email(n)).unwrap();
    }
    let mbox: String = (0..3)
        .chain(100..109)
        .map(|n| {
            format!(
                "From a{n}@example.org Mon May  1 10:00:00 2017\n{}\n",
                email(n).replace("\r\n", "\n")
            )
        })
        .collect();
    std::fs::write(dump.join("box.mbox"), mbox).unwrap();

    let case = Case::init(&dir.path().join("case"), CaseSettings::named("claims")).unwrap();
    let options = Options {
        note: None,
        operator: None,
        threads: 1,
    };
    let plan = plan(&case, &[dump], &options).unwrap();
    let mut pages = Vec::new();
    plan.jobs(1000, |p| {
        pages.push(p);
        Ok(())
    })
    .unwrap();
    assert_eq!(pages.len(), 1);

    let counted = Arc::new(Counted::default());
    let emails = Arc::new(Mutex::new(Vec::new()));
    let seen = emails.clone();
    let openers = Openers {
        decoder: None,
        passwords: Vec::new(),
    };
    run_page(
        &case,
        pages.pop().unwrap(),
        &openers,
        Box::new(Batched(counted.clone(), 8)),
        1,
        move |batch: &[Record]| {
            for r in batch {
                if let Record::Email { id, .. } = r {
                    seen.lock().unwrap().push(id.clone());
                }
            }
            Ok(())
        },
    )
    .unwrap();

    let taken = counted.taken.lock().unwrap();
    let batches = counted.batches.lock().unwrap();
    // 41 files and 12 messages: 53 places, each claimed; at least 40
    // items (30 emails, the mbox, 9 messages of its own).
    assert_eq!(batches.iter().sum::<usize>(), 53, "batches {batches:?}");
    assert!(taken.len() >= 40, "{} items", taken.len());
    assert!(batches.iter().all(|b| *b <= 8), "batches {batches:?}");
    assert!(
        batches.len() < 53 / 2,
        "claims were not batched: {batches:?}"
    );
    let mut emails = emails.lock().unwrap().clone();
    let opened = emails.len();
    emails.sort();
    emails.dedup();
    assert_eq!(emails.len(), opened, "an email read twice");
    assert_eq!(opened, taken.len() - 1, "every email read, once");
}
