//! Posts from outside the dump, in each export format, against the demo's
//! case: each post gets its class with the right evidence, and the
//! first-appearance and account views show the planted order and counts.

use std::ffi::OsStr;
use std::path::Path;

use base64::Engine;
use serde_json::{Value, json};

use crate::util::lc;

fn demo(dir: &Path) -> std::path::PathBuf {
    let r = lc([
        "demo".as_ref(),
        "--dir".as_ref(),
        dir.as_os_str(),
        "-q".as_ref(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    dir.join("demo-case")
}

fn import(case: &Path, export: &Path, source: &str) -> Value {
    let r = lc([
        OsStr::new("posts"),
        OsStr::new("import"),
        case.as_os_str(),
        export.as_os_str(),
        OsStr::new("--source"),
        OsStr::new(source),
        OsStr::new("--json"),
    ]);
    assert!(r.code <= 1, "{}{}", r.stdout, r.stderr);
    r.json()
}

fn posts(case: &Path, platform: &str) -> Vec<Value> {
    let r = lc([
        OsStr::new("posts"),
        OsStr::new("list"),
        case.as_os_str(),
        OsStr::new("--platform"),
        OsStr::new(platform),
        OsStr::new("--json"),
    ]);
    r.stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn class_of<'a>(posts: &'a [Value], text_start: &str) -> &'a Value {
    let p = posts
        .iter()
        .find(|p| p["text"].as_str().unwrap_or("").starts_with(text_start))
        .unwrap_or_else(|| panic!("no post {text_start:?} in {posts:?}"));
    &p["class"]
}

/// The demo's own exports (Telegram, X archive) are imported by `demo`;
/// here their classes and evidence are read back.
#[test]
fn the_demo_posts_get_their_classes_with_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let case = demo(dir.path());
    let tg = posts(&case, "telegram");
    assert_eq!(tg.len(), 5);
    assert_eq!(class_of(&tg, "Here it is"), "authentic-material");
    let exact = &tg[0]["matches"][0];
    assert_eq!(
        (exact["basis"].as_str(), exact["changed"].as_bool()),
        (Some("sha256"), Some(false))
    );
    // The re-encoded photo: found by its picture, item not proven either way.
    assert_eq!(class_of(&tg, "A photo"), "unverifiable-material");
    // The quote with a figure changed: the change is the evidence.
    assert_eq!(class_of(&tg, "From the leak"), "altered-material");
    let quote = tg
        .iter()
        .find(|p| p["text"].as_str().unwrap().starts_with("From the leak"))
        .unwrap();
    let d = &quote["matches"][0]["evidence"]["differences"][0];
    assert_eq!(
        (d["removed"].as_str(), d["added"].as_str()),
        (Some("12"), Some("2 000")),
        "{quote}"
    );
    assert_eq!(quote["matches"][0]["evidence"]["total_differences"], 1);
    assert_eq!(class_of(&tg, "EXCLUSIVE"), "not-in-dump");
    assert_eq!(class_of(&tg, "Rain tonight"), "unrelated");
    let x = posts(&case, "x");
    assert_eq!(class_of(&x, "RT @Leaks2017"), "not-in-dump");
    assert_eq!(
        x.iter()
            .find(|p| p["text"].as_str().unwrap().starts_with("RT"))
            .unwrap()["detail"]["relations"][0]["kind"],
        "repost"
    );
    assert_eq!(class_of(&x, "Consignes"), "authentic-material");

    let spread = lc([OsStr::new("spread"), case.as_os_str(), OsStr::new("--json")]).json();
    assert_eq!(spread["totals"]["altered-material"], 1);
    assert_eq!(spread["totals"]["not-in-dump"], 2);
    // The authentic attachment was first posted at 20:38 by the channel,
    // then again (changed) at 20:45.
    let first = &spread["first_appearances"][0];
    assert_eq!(first["author"], "Leaks 2017");
    assert_eq!(
        (first["posts"].as_u64(), first["changed"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(first["verdict"], "authentic");
    let accounts = spread["accounts"].as_array().unwrap();
    assert_eq!(
        accounts[0]["author"], "Leaks 2017",
        "most altered and invented first"
    );
    assert_eq!(
        (
            accounts[0]["altered"].as_u64(),
            accounts[0]["not_in_dump"].as_u64()
        ),
        (Some(1), Some(1))
    );
    assert_eq!(
        (
            accounts[1]["author"].as_str(),
            accounts[1]["posts"].as_u64()
        ),
        (Some("relay_bot"), Some(2))
    );
}

/// `spread --png` writes the chart that `--svg` writes, drawn with its
/// text (issue 21: the chart and tables export to CSV, PNG and SVG); the
/// tables go to CSV with the rows `--json` gives.
#[test]
fn spread_exports_the_chart_as_png_and_svg_and_the_tables_as_csv() {
    let dir = tempfile::tempdir().unwrap();
    let case = demo(dir.path());
    let out = |name: &str| dir.path().join(name);
    let r = lc([
        OsStr::new("spread"),
        case.as_os_str(),
        OsStr::new("--png"),
        out("chart.png").as_os_str(),
        OsStr::new("--svg"),
        out("chart.svg").as_os_str(),
        OsStr::new("--first-seen-csv"),
        out("first.csv").as_os_str(),
        OsStr::new("--accounts-csv"),
        out("accounts.csv").as_os_str(),
        OsStr::new("--json"),
    ]);
    if r.code == 2 && r.stderr.contains("fonts-dejavu-core") {
        return leakcheck_core::testing::skip(&format!("no system font: {}", r.stderr.trim()));
    }
    assert_eq!(r.code, 0, "{}", r.stderr);
    let json = r.json();

    let svg = std::fs::read_to_string(out("chart.svg")).unwrap();
    assert!(
        svg.starts_with("<svg ") && svg.contains("altered-material"),
        "{svg}"
    );
    let png = image::open(out("chart.png")).expect("a PNG").to_rgb8();
    // Twice the SVG's 900 × 370.
    assert_eq!(png.dimensions(), (1800, 740));
    let count = |rows: std::ops::Range<u32>, want: &dyn Fn(&image::Rgb<u8>) -> bool| {
        rows.flat_map(|y| (0..png.width()).map(move |x| (x, y)))
            .filter(|&(x, y)| want(png.get_pixel(x, y)))
            .count()
    };
    let colour = |rgb: [u8; 3]| move |p: &image::Rgb<u8>| p.0 == rgb;
    let black = |p: &image::Rgb<u8>| p.0.iter().all(|&c| c < 60);
    // A white ground (not transparent, which viewers show black or checked).
    for (x, y) in [(1799, 0), (0, 739), (1799, 739)] {
        assert_eq!(png.get_pixel(x, y).0, [255, 255, 255], "at {x},{y}");
    }
    // Bars above the axis (y 600): the altered quote in red, the authentic
    // attachment in green.
    assert!(
        count(0..600, &colour([0xb3, 0x26, 0x1e])) > 100,
        "no red bar"
    );
    assert!(
        count(0..600, &colour([0x0a, 0x7d, 0x32])) > 100,
        "no green bar"
    );
    // Text is the only black: the scale at the top, the first and last
    // hours under the axis, the legend at the bottom.
    for (what, rows) in [("scale", 0..30), ("hours", 600..640), ("legend", 680..740)] {
        assert!(count(rows, &black) > 50, "the {what} text is not drawn");
    }

    let first = std::fs::read_to_string(out("first.csv")).unwrap();
    let lines: Vec<&str> = first.lines().collect();
    assert!(
        lines[0].starts_with("first_seen_utc,item,verdict,"),
        "{first}"
    );
    assert_eq!(
        lines.len(),
        1 + json["first_appearances"].as_array().unwrap().len()
    );
    assert!(
        lines[1].contains("\"Leaks 2017\",\"telegram\",\"2\",\"1\""),
        "{first}"
    );
    let accounts = std::fs::read_to_string(out("accounts.csv")).unwrap();
    assert_eq!(
        accounts.lines().count(),
        1 + json["accounts"].as_array().unwrap().len()
    );
    assert!(
        accounts
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("\"Leaks 2017\","),
        "{accounts}"
    );
}

/// twarc's API v2 lines, a 4chan thread whose file was not kept (matched
/// by its MD5 and size), and a CSV with a media file.
#[test]
fn twarc_4chan_and_csv_exports_are_matched() {
    let dir = tempfile::tempdir().unwrap();
    let case = demo(dir.path());
    let out = dir.path().join("exports");
    std::fs::create_dir_all(&out).unwrap();
    let page = json!({
        "data": [
            {"id": "1001", "author_id": "77", "created_at": "2017-05-05T22:00:00.000Z",
             "text": "Consignes pour le meeting de Lyon : rendez-vous à 8 h.",
             "referenced_tweets": [{"type": "quoted", "id": "862"}]},
            {"id": "1002", "author_id": "78", "created_at": "2017-05-05T22:05:00.000Z",
             "text": "Another #MacronLeaks file: the secret donors list, nowhere else to be found"}
        ],
        "includes": {"users": [{"id": "77", "username": "reporter"}, {"id": "78", "username": "troll"}]}
    });
    std::fs::write(out.join("tweets.jsonl"), format!("{page}\n{{not json\n")).unwrap();
    let r = import(&case, &out.join("tweets.jsonl"), "twarc");
    assert_eq!(r["posts"], 2);
    assert_eq!(
        r["problems"].as_array().unwrap().len(),
        1,
        "the broken line is reported: {r}"
    );
    let x = posts(&case, "x");
    assert_eq!(class_of(&x, "Consignes"), "authentic-material");
    assert_eq!(class_of(&x, "Another"), "not-in-dump");

    // 4chan: the attachment's MD5 and size, the file itself not kept.
    let agreement =
        std::fs::read(dir.path().join("demo-posts/telegram/files/agreement.txt")).unwrap();
    let md5 = base64::engine::general_purpose::STANDARD
        .encode(<md5::Md5 as md5::Digest>::digest(&agreement));
    let thread = json!({"posts": [
        {"no": 5001, "time": 1494021600, "name": "Anonymous", "id": "abcd", "resto": 0,
         "com": "contract from the <b>dump</b><br>read it", "filename": "contract", "ext": ".txt",
         "tim": 1494021600123u64, "md5": md5, "fsize": agreement.len()},
        {"no": 5002, "time": 1494021700, "name": "Anonymous", "id": "efgh", "resto": 5001,
         "com": "nice weather"}
    ]});
    std::fs::write(out.join("thread.json"), thread.to_string()).unwrap();
    import(&case, &out.join("thread.json"), "pol");
    let chan = posts(&case, "4chan");
    assert_eq!(
        class_of(&chan, "contract from the dump"),
        "authentic-material"
    );
    assert_eq!(chan[0]["matches"][0]["basis"], "md5");
    assert_eq!(class_of(&chan, "nice weather"), "unrelated");

    // CSV: a media file beside it, and one outside the export's folder.
    std::fs::write(out.join("memo.txt"), "Confidential memo: the campaign moved two million euros to an offshore account in the Bahamas on 2 May 2017, hidden from the electoral commission.").unwrap();
    std::fs::write(
        out.join("posts.csv"),
        "time,author,text,url,media_path\n\
         2017-05-06T08:00:00Z,forum_user,look at this leak,https://example.org/p/1,memo.txt\n\
         2017-05-06T09:00:00Z,forum_user,escape attempt,,../../etc/passwd\n\
         yesterday,someone,bad time,,\n",
    )
    .unwrap();
    let r = import(&case, &out.join("posts.csv"), "forum");
    assert_eq!(r["posts"], 3);
    assert!(r["problems"].to_string().contains("yesterday"), "{r}");
    let csv = posts(&case, "csv");
    assert_eq!(class_of(&csv, "look at this leak"), "not-in-dump");
    let escape = csv.iter().find(|p| p["text"] == "escape attempt").unwrap();
    assert_eq!(
        escape["detail"]["media"][0]["kept"], false,
        "a path out of the export is not read"
    );
}

#[test]
fn a_broken_export_is_refused_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let case = demo(dir.path());
    let bad = dir.path().join("export.json");
    std::fs::write(&bad, "{\"something\": 1}").unwrap();
    let r = lc([
        OsStr::new("posts"),
        OsStr::new("import"),
        case.as_os_str(),
        bad.as_os_str(),
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("export.json") && r.stderr.contains("not an export"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_long_export_is_read_a_post_at_a_time_and_its_problems_counted() {
    let dir = tempfile::tempdir().unwrap();
    let case = demo(dir.path());
    // 1,500 posts with a bad time each: every post kept, every problem
    // counted, the first 1,000 listed.
    let mut csv = String::from("id,time,author,text\n");
    for i in 0..1500 {
        csv.push_str(&format!(
            "p{i},yesterday,user{},chatter number {i}\n",
            i % 7
        ));
    }
    let path = dir.path().join("long.csv");
    std::fs::write(&path, csv).unwrap();
    let s = import(&case, &path, "long");
    assert_eq!(s["posts"], 1500, "{s}");
    assert_eq!(s["problems_found"], 1500, "{s}");
    assert_eq!(s["problems"].as_array().unwrap().len(), 1000, "{s}");
    assert!(
        s["problems"][0]
            .as_str()
            .unwrap()
            .starts_with("line 2: time \"yesterday\""),
        "{s}"
    );
    // JSON lines: a broken line in the middle is reported by its number,
    // the posts around it are kept.
    let lines = [
        json!({"data": [{"id": "1", "text": "first post", "created_at": "2017-05-05T20:00:00Z"}]})
            .to_string(),
        "{broken".to_string(),
        String::new(),
        json!({"id": "2", "text": "second post", "author": {"username": "b"}}).to_string(),
    ];
    let path = dir.path().join("lines.jsonl");
    std::fs::write(&path, lines.join("\n")).unwrap();
    let s = import(&case, &path, "lines");
    assert_eq!(
        (s["posts"].as_u64(), s["problems_found"].as_u64()),
        (Some(2), Some(1)),
        "{s}"
    );
    assert!(
        s["problems"][0].as_str().unwrap().starts_with("line 2: "),
        "{s}"
    );
}
