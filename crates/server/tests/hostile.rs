//! A hostile client against a real server: every finding of the security
//! probe (issue 24) replayed over TCP against `leakcheck_server::serve` run
//! in a child process (this test binary again, see `child_server`), which
//! must answer each with a clear refusal, stay up, and keep its peak memory
//! (VmHWM) under [`PEAK_RSS_BYTES`] for the whole run.

#[path = "common/case.rs"]
mod case;

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use leakcheck_server::{Options, hash_password};
use leakcheck_store::{Case, Role};
use serde_json::{Value, json};

/// The bound on the server's peak resident memory over the whole run.
const PEAK_RSS_BYTES: u64 = 500 << 20;
const CHILD_ENV: &str = "LEAKCHECK_HOSTILE_CASE";

fn email(n: usize, subject: &str, body: &str) -> String {
    format!(
        "From: Anne <anne@campaign.example>\r\nTo: bob@campaign.example\r\nSubject: {subject}\r\n\
         Date: Wed, 12 Apr 2017 18:0{n}:00 +0200\r\nMessage-ID: <h{n}@campaign.example>\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    )
}

/// A case with planted formulas in subjects and a file name with a bidi
/// override, and its users.
fn make_case(dir: &Path) -> PathBuf {
    let planted = [
        "=HYPERLINK(\"http://evil.example\")",
        "-2+3 budget",
        "\u{FF1D}1+1 budget",
        "@SUM(A1) budget",
    ];
    let mails: Vec<(String, String)> = planted
        .iter()
        .enumerate()
        .map(|(n, s)| {
            let body = format!("budget campagne planted {n}");
            (format!("m{n}.eml"), email(n, s, &body))
        })
        .collect();
    let mut files: Vec<(&str, &[u8])> = mails
        .iter()
        .map(|(name, mail)| (name.as_str(), mail.as_bytes()))
        .collect();
    files.push(("invoice\u{202E}fdp.exe.txt", b"budget invoice bidi"));
    let case = case::ingested(dir, "hostile", &files);
    leakcheck_search::sync(&case, &AtomicU64::new(0)).unwrap();
    let mut cat = case.catalog().unwrap();
    for (name, role) in [
        ("ada", Role::Admin),
        ("vic", Role::Viewer),
        ("target", Role::Viewer),
        ("demoted", Role::Admin),
        ("renewed", Role::Viewer),
        ("removed", Role::Viewer),
    ] {
        let hash = hash_password(&password(name)).unwrap();
        cat.put_user(name, role, &hash).unwrap();
    }
    dir.join("case")
}

fn password(name: &str) -> String {
    format!("{name}-Password-1")
}

/// Not a test on its own: the server the hostile test talks to, when this
/// binary is started again with the case in `LEAKCHECK_HOSTILE_CASE`.
#[test]
fn child_server() {
    let Ok(root) = std::env::var(CHILD_ENV) else {
        return;
    };
    let case = Case::open(Path::new(&root)).unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let options = Options {
            bind: Some(addr),
            ..Options::default()
        };
        let state = leakcheck_server::AppState::new(case, options, None).unwrap();
        println!("LISTENING {}", addr.port());
        leakcheck_server::serve(state, listener).await.unwrap();
    });
}

struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(case: &Path) -> Server {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["child_server", "--exact", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, case)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut out = child.stdout.take().unwrap();
        let mut seen = Vec::new();
        let mut byte = [0u8; 1];
        let port = loop {
            assert_eq!(out.read(&mut byte).unwrap(), 1, "the server ended early");
            seen.push(byte[0]);
            let text = String::from_utf8_lossy(&seen);
            // The test harness may print `test child_server ... ` first.
            if text.ends_with('\n')
                && let Some(at) = text.find("LISTENING ")
            {
                let rest = &text[at + 10..];
                break rest.lines().next().unwrap().trim().parse().unwrap();
            }
        };
        // Keep reading (and dropping) what the child prints.
        std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
        Server { child, port }
    }

    fn peak_rss(&self) -> u64 {
        status_kb(self.child.id(), "VmHWM:") * 1024
    }

    fn alive(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }
}

fn status_kb(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// A connection from `from` (any 127.0.0.0/8 address is this machine: the
/// limiter sees each as another client).
fn connect(from: &str, port: u16) -> TcpStream {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let stream = runtime.block_on(async {
        let s = tokio::net::TcpSocket::new_v4().unwrap();
        s.bind(SocketAddr::new(from.parse::<IpAddr>().unwrap(), 0))
            .unwrap();
        s.connect(SocketAddr::from(([127, 0, 0, 1], port)))
            .await
            .unwrap()
    });
    let stream = stream.into_std().unwrap();
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(120)))
        .unwrap();
    stream
}

struct Answer {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }
}

fn exchange(stream: TcpStream, raw: &[u8]) -> Answer {
    try_exchange(stream, raw).expect("an answer")
}

/// Sends `raw` (as much as the server takes) and reads the answer, if any
/// came before the server closed the connection.
fn try_exchange(mut stream: TcpStream, raw: &[u8]) -> Option<Answer> {
    let _ = stream.write_all(raw);
    let mut all = Vec::new();
    let _ = stream.read_to_end(&mut all);
    let split = all.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&all[..split]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap();
    let mut body = all[split + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = unchunk(&body);
    }
    Some(Answer { status, head, body })
}

fn unchunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = b.windows(2).position(|w| w == b"\r\n") {
        let len = usize::from_str_radix(String::from_utf8_lossy(&b[..end]).trim(), 16).unwrap_or(0);
        if len == 0 {
            break;
        }
        out.extend_from_slice(&b[end + 2..end + 2 + len]);
        b = &b[end + 4 + len..];
    }
    out
}

/// Percent-encodes everything but unreserved characters.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[derive(Clone)]
struct Client {
    port: u16,
    from: &'static str,
    cookie: String,
    csrf: String,
}

impl Client {
    fn anonymous(port: u16, from: &'static str) -> Client {
        Client {
            port,
            from,
            cookie: String::new(),
            csrf: String::new(),
        }
    }

    fn request(&self, method: &str, path: &str, extra: &str, body: &str) -> Answer {
        let raw = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\
             Cookie: {cookie}\r\nX-CSRF-Token: {csrf}\r\nContent-Type: application/json\r\n\
             Content-Length: {len}\r\n{extra}\r\n{body}",
            port = self.port,
            cookie = self.cookie,
            csrf = self.csrf,
            len = body.len()
        );
        exchange(connect(self.from, self.port), raw.as_bytes())
    }

    fn get(&self, path: &str) -> Answer {
        self.request("GET", path, "", "")
    }

    fn post(&self, path: &str, body: Value) -> Answer {
        self.request("POST", path, "", &body.to_string())
    }

    fn login(&self, user: &str, pass: &str) -> Answer {
        self.post("/api/v1/login", json!({"user": user, "password": pass}))
    }

    fn logged_in(port: u16, from: &'static str, user: &str) -> Client {
        let mut c = Client::anonymous(port, from);
        let a = c.login(user, &password(user));
        assert_eq!(a.status, 200, "login {user}: {}", a.text());
        c.cookie = a
            .header("set-cookie")
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        c.csrf = a.json()["csrf"].as_str().unwrap().to_string();
        c
    }

    fn search(&self, q: &str, extra: &str) -> Answer {
        self.get(&format!("/api/v1/search?q={}{extra}", enc(q)))
    }
}

#[test]
fn a_hostile_client_cannot_crash_bloat_or_outguess_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let root = make_case(dir.path());
    let mut server = Server::start(&root);
    let port = server.port;
    let started = Instant::now();

    // Half-sent requests, left hanging while the rest runs: the header
    // wait and the body wait both end on the server's side.
    let slow_head = std::thread::spawn(move || {
        let mut s = connect("127.0.0.9", port);
        s.write_all(b"GET /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            .unwrap();
        let t = Instant::now();
        let mut buf = Vec::new();
        let _ = s.read_to_end(&mut buf);
        t.elapsed()
    });
    let slow_body = std::thread::spawn(move || {
        let s = connect("127.0.0.9", port);
        let t = Instant::now();
        let a = exchange(
            s,
            b"POST /api/v1/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"user\":",
        );
        (a, t.elapsed())
    });

    let ada = Client::logged_in(port, "127.0.0.1", "ada");
    let vic = Client::logged_in(port, "127.0.0.1", "vic");
    let demoted = Client::logged_in(port, "127.0.0.1", "demoted");
    let renewed = Client::logged_in(port, "127.0.0.1", "renewed");
    let removed = Client::logged_in(port, "127.0.0.1", "removed");

    // 1. Nested queries: 300 `-`, 9,000 parentheses, 17 levels.
    for q in [
        format!("{}budget", "-".repeat(300)),
        format!("{}budget", "(".repeat(9_000)),
        format!("{}budget{}", "(".repeat(17), ")".repeat(17)),
    ] {
        let a = vic.search(&q, "");
        assert_eq!(a.status, 400, "{}", a.text());
        assert!(
            a.json()["error"]
                .as_str()
                .unwrap()
                .contains("query refused")
        );
    }
    // The same limits for export.
    let a = vic.get(&format!("/api/v1/export?q={}", enc(&"-".repeat(300))));
    assert_eq!(a.status, 400, "{}", a.text());

    eprintln!("before 2: peak RSS {} MiB", server.peak_rss() >> 20);
    // 2. Offsets: refused before any memory is taken.
    for extra in [
        "&sort=oldest&offset=1000000000000",
        "&sort=newest&offset=18446744073709551615",
        "&offset=100001",
        "&offset=99999999999999999999999999",
    ] {
        let a = vic.search("budget", extra);
        assert_eq!(a.status, 400, "{extra}: {}", a.text());
    }
    let a = vic.search("budget", "&offset=100000");
    assert_eq!(a.status, 200, "the largest offset allowed: {}", a.text());

    eprintln!("before 4b: peak RSS {} MiB", server.peak_rss() >> 20);
    // 4b. Fuzzy words: the probe's 5 KB of `~2` is refused; four searches
    // at the limit (8 fuzzy words of 24 letters) at once run and end.
    let probe = "campaignbudget~2 ".repeat(300);
    let a = vic.search(&probe, "");
    assert_eq!(a.status, 400, "{}", a.text());
    let heavy: String = (0..8)
        .map(|i| {
            format!(
                "{}~2 ",
                "abcdefghijklmnopqrstuvwx".replace('a', &i.to_string())
            )
        })
        .collect();
    let runs: Vec<_> = (0..4)
        .map(|_| {
            let (c, q) = (vic.clone(), heavy.clone());
            std::thread::spawn(move || c.search(&q, "").status)
        })
        .collect();
    for r in runs {
        assert_eq!(r.join().unwrap(), 200);
    }

    eprintln!("before 3: peak RSS {} MiB", server.peak_rss() >> 20);
    // 3. The login race: 60 guesses at once for one name from one address;
    // only 5 get a password check, the rest wait (429).
    let barrier = Arc::new(Barrier::new(60));
    let guesses: Vec<_> = (0..60)
        .map(|i| {
            let b = barrier.clone();
            std::thread::spawn(move || {
                let c = Client::anonymous(port, "127.0.0.2");
                let pass = if i == 56 {
                    password("target")
                } else {
                    format!("wrong-guess-{i}")
                };
                b.wait();
                c.login("target", &pass).status
            })
        })
        .collect();
    let statuses: Vec<u16> = guesses.into_iter().map(|g| g.join().unwrap()).collect();
    let checked = statuses.iter().filter(|s| **s != 429).count();
    assert!(checked <= 5, "{checked} passwords checked: {statuses:?}");
    assert!(
        statuses.iter().all(|s| [200, 401, 429].contains(s)),
        "{statuses:?}"
    );

    eprintln!("before 6a: peak RSS {} MiB", server.peak_rss() >> 20);
    // 6a. Failing a password from one place does not lock the account for
    // another: after 5 failures from 127.0.0.6 even the right password
    // waits there, and is let in from 127.0.0.3.
    for _ in 0..5 {
        let a = Client::anonymous(port, "127.0.0.6").login("target", "wrong-guess");
        assert_eq!(a.status, 401);
    }
    let a = Client::anonymous(port, "127.0.0.6").login("target", &password("target"));
    assert_eq!(a.status, 429);
    assert!(a.header("retry-after").is_some());
    Client::logged_in(port, "127.0.0.3", "target");

    eprintln!("before 4a: peak RSS {} MiB", server.peak_rss() >> 20);
    // 4a. Unique 1.9 MB names: refused at the body limit, nothing kept;
    // unique valid names stop at the per-address limit, and are not kept.
    // (The server may close the connection before the client has sent the
    // whole body, and the client then see a reset rather than the 413.)
    let huge = "n".repeat(1_900_000);
    for i in 0..300 {
        let body = json!({"user": format!("{huge}{i}"), "password": "x"}).to_string();
        let raw = format!(
            "POST /api/v1/login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        if let Some(a) = try_exchange(connect("127.0.0.4", port), raw.as_bytes()) {
            assert_eq!(a.status, 413, "{}", a.text());
        }
    }
    let refused = (0..300)
        .filter(|i| {
            Client::anonymous(port, "127.0.0.5")
                .login(&format!("nobody{i}"), "wrong")
                .status
                == 429
        })
        .count();
    assert_eq!(refused, 300 - leakcheck_server::limiter::ADDRESS_FAILURES);

    eprintln!("before 5: peak RSS {} MiB", server.peak_rss() >> 20);
    // 5. User changes made outside the server (as `leakcheck user` does)
    // end the sessions at their next request.
    let case = Case::open(&root).unwrap();
    let mut cat = case.catalog().unwrap();
    assert_eq!(demoted.get("/api/v1/users").status, 200);
    let same = cat.user("demoted").unwrap().unwrap().password;
    cat.put_user("demoted", Role::Viewer, &same).unwrap();
    let new_hash = hash_password("a-New-Password-2").unwrap();
    cat.put_user("renewed", Role::Viewer, &new_hash).unwrap();
    cat.remove_user("removed").unwrap();
    for (who, c) in [
        ("demoted", &demoted),
        ("renewed", &renewed),
        ("removed", &removed),
    ] {
        let a = c.get("/api/v1/session");
        assert_eq!(a.status, 401, "{who}'s session outlived the change");
    }
    assert_eq!(vic.get("/api/v1/session").status, 200);

    // 6b. CSV export: formulas planted in subjects stay text.
    let a = vic.get("/api/v1/export?q=planted");
    assert_eq!(a.status, 200);
    let csv = a.text();
    for planted in ["=HYPERLINK", "-2+3", "\u{FF1D}1+1", "@SUM"] {
        assert!(
            csv.contains(&format!("\"'{planted}")),
            "{planted:?} not neutralised: {csv}"
        );
    }
    // 6b'. The same hits as JSON lines and FollowTheMoney entities; an
    // unknown format is refused with the reason.
    let total = csv.lines().count() - 1;
    let a = vic.get("/api/v1/export?q=planted&format=jsonl");
    assert_eq!(a.status, 200);
    let lines: Vec<serde_json::Value> = a
        .text()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), total);
    assert!(
        lines
            .iter()
            .all(|l| l["verdict"].is_string() && l["findings"].is_array())
    );
    let a = vic.get("/api/v1/export?q=planted&format=ftm");
    assert_eq!(a.status, 200);
    let emails = a
        .text()
        .lines()
        .filter(|l| l.contains("\"schema\":\"Email\""))
        .count();
    assert_eq!(emails, total);
    assert_eq!(vic.get("/api/v1/export?q=planted&format=xml").status, 400);
    // 6c. No caching of what the API says.
    for path in [
        "/api/v1/session",
        "/api/v1/search?q=budget",
        "/api/v1/export?q=budget",
    ] {
        assert_eq!(
            vic.get(path).header("cache-control").as_deref(),
            Some("no-store"),
            "{path}"
        );
    }
    // 6d. Confusable names and weak passwords.
    for (name, pass) in [
        ("\u{430}da", "a-Strong-Pass-9"),
        ("ad\u{FF41}", "a-Strong-Pass-9"),
        ("newbie", "aaaaaaaaaa"),
        ("newbie", "0123456789"),
        ("newbie", "Password123"),
        ("newbie", "short1!"),
    ] {
        let a = ada.post(
            "/api/v1/users",
            json!({"name": name, "role": "viewer", "password": pass}),
        );
        assert_eq!(a.status, 400, "{name} / {pass}: {}", a.text());
    }
    // 6e. A bidi override in a file name is shown written out, and no
    // path shows the operator's folders.
    let a = vic.search("bidi", "");
    let hit = &a.json()["hits"][0];
    let path = hit["path"].as_str().unwrap();
    assert!(
        path.contains("\\u{202e}") && !path.contains('\u{202E}'),
        "{path}"
    );
    let operator = dir.path().display().to_string();
    assert!(!path.contains(&operator), "{path}");
    let item = vic.get(&format!("/api/v1/items/{}", hit["id"].as_str().unwrap()));
    assert!(!item.text().contains(&operator), "{}", item.text());
    assert!(!vic.search("budget", "&limit=50").text().contains(&operator));
    // 6f. Host and Origin: a rebinding name and a foreign scheme.
    let a = vic.request("GET", "/api/v1/session", "", "");
    assert_eq!(a.status, 200);
    let raw = format!(
        "GET /api/v1/session HTTP/1.1\r\nHost: attacker.example:{port}\r\nConnection: close\r\nCookie: {}\r\n\r\n",
        vic.cookie
    );
    assert_eq!(
        exchange(connect("127.0.0.1", port), raw.as_bytes()).status,
        421
    );
    for origin in ["ftp://127.0.0.1", "null", "http://attacker.example"] {
        let a = vic.request(
            "POST",
            "/api/v1/logout",
            &format!(
                "Origin: {}\r\n",
                origin.replace("127.0.0.1", &format!("127.0.0.1:{port}"))
            ),
            "{}",
        );
        assert_eq!(a.status, 403, "{origin}");
    }

    // 6g. Publication: spans far out of the text or with a forged kind,
    // a report past its limit, reports raced, a chart named like a path.
    let planted = vic.search("campagne planted", "");
    let id = planted.json()["hits"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let review = format!("/api/v1/items/{id}/redaction");
    for (start, end, kind) in [
        (u64::MAX - 1, u64::MAX, "name"),
        (0, 1 << 40, "name"),
        (0, 4, "name\u{202e}"),
        (0, 4, "__proto__"),
    ] {
        let a = ada.post(
            &review,
            json!({"decision": "manual", "start": start, "end": end, "kind": kind}),
        );
        assert_eq!(a.status, 400, "{start}..{end} {kind}: {}", a.text());
    }
    assert_eq!(vic.get(&review).json()["manual"], json!([]));
    let many: Vec<String> = (0..300).map(|i| format!("{i:064x}")).collect();
    let a = vic.post("/api/v1/report", json!({"ids": many}));
    assert_eq!(a.status, 400, "{}", a.text());
    let reports: Vec<_> = (0..4)
        .map(|_| {
            let c = vic.clone();
            std::thread::spawn(move || c.post("/api/v1/report", json!({"query": "budget"})).status)
        })
        .collect();
    for r in reports {
        let status = r.join().unwrap();
        assert!(status == 200 || status == 503, "a raced report: {status}");
    }
    for name in [
        "..%2F..%2Fcatalog.sqlite",
        "%00",
        "verdicts%2F..%2Fby-month",
    ] {
        let a = vic.get(&format!("/api/v1/charts/{name}"));
        assert_eq!(a.status, 404, "{name}: {}", a.text());
    }

    // The half-sent requests ended on the server's side.
    let waited = slow_head.join().unwrap();
    assert!(
        waited < Duration::from_secs(30),
        "headers waited {waited:?}"
    );
    let (a, waited) = slow_body.join().unwrap();
    assert_eq!(a.status, 408, "{}", a.text());
    assert!(waited < Duration::from_secs(30), "body waited {waited:?}");

    // Still up, still answering, and never above the bound.
    assert!(server.alive(), "the server died");
    assert_eq!(vic.get("/api/v1/session").status, 200);
    let peak = server.peak_rss();
    eprintln!(
        "hostile run: {:.1} s, server peak RSS {} MiB",
        started.elapsed().as_secs_f64(),
        peak >> 20
    );
    assert!(peak > 0, "no VmHWM for the server");
    assert!(peak < PEAK_RSS_BYTES, "peak RSS {} MiB", peak >> 20);
}
