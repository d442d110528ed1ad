//! `search` and `reindex` as a user runs them, on the demo case.

use std::ffi::OsStr;

use crate::util::{demo, lc, stats};

#[test]
fn search_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let case = demo(dir.path());
    let search = |args: &[&str]| {
        let mut v = vec![OsStr::new("search"), case.as_os_str()];
        v.extend(args.iter().map(OsStr::new));
        lc(v)
    };

    let r = search(&["réunion", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    assert_eq!(j["total"], 3);
    assert_eq!(j["facets"]["kind"]["email"], 3);
    assert!(j["hits"][0]["id"].as_str().unwrap().len() == 64);

    // Verdicts and the checks behind them are searchable after verify.
    let r = search(&["check:doc.script", "--json"]);
    let j = r.json();
    assert_eq!(j["total"], 1, "{j}");
    assert!(
        j["hits"][0]["path"]
            .as_str()
            .unwrap()
            .ends_with("virements.xlsx")
    );

    // Plain-text members are indexed too; the human output marks the match.
    let r = search(&["diffuser"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("memo.txt"), "{}", r.stdout);
    assert!(r.stdout.contains("«diffuser»"), "{}", r.stdout);

    let r = search(&["nothingmatchesthis"]);
    assert_eq!(r.code, 1, "no match exits 1");
    let r = search(&["(budget", "--json"]);
    assert_eq!(r.code, 0);
    assert!(
        r.json()["notes"][0]
            .as_str()
            .unwrap()
            .contains("parenthesis")
    );
    let r = search(&[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--batch"), "{}", r.stderr);

    let queries = dir.path().join("names.txt");
    std::fs::write(
        &queries,
        "# people to look for\nAnne Martin\n\nnobody-here\n(((((((((((((((((deep\n",
    )
    .unwrap();
    let r = search(&["--batch", queries.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines[0], "query,total,first_hits,notes");
    assert!(lines[1].starts_with("Anne Martin,"), "{}", lines[1]);
    assert!(lines[2].starts_with("nobody-here,0,"), "{}", lines[2]);
    // A query past the engine's limits gets its reason, and the batch goes on.
    assert!(
        lines[3].contains(",,,\"query refused: nested"),
        "{}",
        lines[3]
    );
    assert_eq!(lines.len(), 4);
    let r = search(&[&format!("{}deep", "(".repeat(17))]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("query refused: nested"), "{}", r.stderr);
    let r = search(&["budget", "--offset", "100001"]);
    assert!(r.stderr.contains("query refused: offset"), "{}", r.stderr);

    let r = lc([
        OsStr::new("reindex"),
        case.as_os_str(),
        OsStr::new("--json"),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["total"], stats(&case).items);
}
