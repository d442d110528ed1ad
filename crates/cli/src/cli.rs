//! Command-line flags. Each flag has a one-line `-h` text and a longer
//! `--help` text (the doc comment).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Ingest a leaked dump, see what is in it, and verify it item by item.
#[derive(Parser, Debug)]
#[command(
    name = "leakcheck",
    version,
    max_term_width = 100,
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create a new case folder.
    ///
    /// A case holds the originals (content-addressed, read-only), the
    /// catalog, and the custody log of one investigation.
    Init(InitArgs),
    /// Add files, folders and archives to a case.
    ///
    /// Sources are walked recursively; archives (zip, tar, gzip, bzip2, xz,
    /// zstd, 7z, RAR and their volume sets, self-extracting .exe), TNEF,
    /// mailboxes (mbox, maildir, .emlx) and emails are opened and every member,
    /// message and attachment becomes an item. Formats are recognised by
    /// content, not by name. Running the same command again adds nothing;
    /// after an interruption it picks up where it stopped.
    Ingest(IngestArgs),
    /// Show what a case holds; the counts always add up.
    Stats(CaseArgs),
    /// Take jobs from a team case's queue (ingest pages, emails to verify)
    /// until stopped.
    ///
    /// Run any number, on any machine that reaches the case's PostgreSQL
    /// and sees the case folder and the sources at the same paths. A
    /// worker killed at any moment loses nothing: its lease expires and
    /// another worker does the job again.
    Worker(crate::cmd_team::WorkerArgs),
    /// Show a team case's job queue: queued, running, done, failed.
    Jobs(crate::cmd_team::JobsArgs),
    /// Move an embedded case to team mode: its catalog copied into
    /// PostgreSQL, without ingesting again.
    ///
    /// What ingest and verify recorded is copied row for row, and every
    /// table's count checked; `stats` and `verify --json` give what they
    /// gave. The SQLite catalog is kept beside as catalog.sqlite.migrated.
    /// A case whose workbench holds people, tags, notes, redaction
    /// decisions, an access log or imported posts is refused: a team
    /// catalog cannot hold those yet.
    Migrate(MigrateArgs),
    /// List items.
    Ls(LsArgs),
    /// Show one item: where it was found, its email fields, its children.
    Show(ShowArgs),
    /// List every recorded problem: unreadable places and item errors.
    Errors(ErrorsArgs),
    /// Re-hash every original in the blob store and report any mismatch.
    Audit(CaseArgs),
    /// Manage the DKIM keys verification uses (never fetched behind your back).
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Verify every item: DKIM, dates, duplicate copies; a verdict per item.
    ///
    /// Verdicts: authentic (cryptographic proof), altered (proof of change),
    /// suspicious (anomalies to look at), consistent (checks ran, nothing
    /// found), unverifiable (nothing could be checked). Every verdict lists
    /// the findings that decided it, each with its evidence. Works offline:
    /// DKIM keys come only from the case (`leakcheck keys`).
    Verify(VerifyArgs),
    /// Search the case: words, "phrases", AND/OR/NOT, fields, dates, facets.
    ///
    /// Words are ANDed; `-word` or NOT excludes; `from:`, `to:`, `cc:`,
    /// `subject:`, `author:`, `body:`, `path:`, `kind:`, `verdict:`, `check:`,
    /// `lang:`, `tag:`, `domain:`, `attachment:` name a field; `date:2017-04-01..2017-04-24` (or `date:2017-04`,
    /// `date:..2017-04-24`) a period; `word*` is a prefix and `word~` a fuzzy
    /// match. Accents and case do not matter, and French and English words
    /// match their other forms ("réunions" finds "réunion"). A query that
    /// cannot be fully understood still runs; a note says what was ignored.
    /// The index is brought up to date first (ingest and verify do it too).
    Search(SearchArgs),
    /// Rebuild the case's search index from the catalog.
    Reindex(CaseArgs),
    /// Bring the case's search index up to date with its catalog; with
    /// --follow, keep doing so until stopped: the indexer of a team case,
    /// whose workers write the catalog from other machines.
    Index(IndexArgs),
    /// Read the text in scans and pictures (Tesseract): what waits, resumable.
    Ocr(crate::cmd_ocr::OcrArgs),
    /// Groups of near-copies in the dump, and what each copy changes.
    ///
    /// Texts (emails, documents, attachments, plain text) are compared by
    /// MinHash over 4-word shingles: copies sharing half their shingles or
    /// more are grouped. Images are compared by a 64-bit perceptual hash:
    /// 4 bits apart or fewer (re-encoded, resized). Each group names its
    /// reference, the best-proven member (authentic first), and the word-level
    /// changes of every other member from it.
    Variants(VariantsArgs),
    /// Is this outside file in the dump, and was it changed?
    ///
    /// Exact when its SHA-256 is an item's; near when its text or picture
    /// resembles an item's (as `variants` measures it), with the changes;
    /// none otherwise. Works for emails (.eml), PDFs, office documents,
    /// images and plain text (e.g. text copied from a post). Exits 0 when
    /// every file is an exact copy, 1 otherwise.
    Check(CheckArgs),
    /// Build a small sample dump, ingest it into ./demo-case, verify it, and show what came out.
    Demo(DemoArgs),
    /// Show the conversation an email belongs to, as a tree.
    ///
    /// Messages are linked by their References and In-Reply-To headers
    /// (Jamie Zawinski's algorithm). A message the others refer to that is
    /// not in the dump is shown as "(not in the dump) <Message-ID>"; copies
    /// of one Message-ID are one line listing every item. Only a message with
    /// neither header and a "Re:", "Fwd:", "TR:"... subject is placed by its
    /// subject, under the latest earlier message with the same subject, and
    /// is marked "(by subject)".
    Thread(ThreadArgs),
    /// Who wrote to whom: sender → recipient pairs and each person's totals.
    ///
    /// Each message counts once from each From address to each To and Cc
    /// address, compared in lower case; copies of one Message-ID count once.
    /// A person's name is the display name written most often beside the
    /// address.
    People(PeopleArgs),
    /// How many emails were sent per day, week or month (by their Date, in UTC).
    ///
    /// Copies of one Message-ID count once; emails whose Date could not be
    /// read are counted apart, so the totals add up to the emails of the case.
    Timeline(TimelineArgs),
    /// Manage who may log in to the workbench (`serve`), and their roles.
    ///
    /// Roles are per case: admin (users, keys, the access log), editor
    /// (tags, notes, verification) and viewer (read only). Passwords are kept
    /// as argon2id hashes in the case's catalog.
    #[command(subcommand)]
    User(UserCommand),
    /// Serve the web workbench: search, read, verify, with logins.
    ///
    /// Everything but the login page needs a session; every download of an
    /// original, every export and every login is written to the case's
    /// append-only access log. Binds to loopback by default: put it behind
    /// an HTTPS proxy (and pass --secure-cookies) to share it.
    Serve(ServeArgs),
    /// Import posts from outside the dump (X, Telegram, 4chan, CSV) and
    /// match each against it.
    ///
    /// Posts are kept apart from the dump's items, and each import is
    /// written to the custody log. Each post's media files are matched by
    /// SHA-256, 4chan's MD5, picture hash and document text; its text by
    /// the share of it a dump text contains (a quote), with the words that
    /// differ. `leakcheck spread` then shows what spread and who spread it.
    #[command(subcommand)]
    Posts(PostsCommand),
    /// How the dump's material spread outside: posts per hour by class, the
    /// first post of each dump item, accounts ranked by the altered and
    /// invented material they posted.
    ///
    /// Classes, decided now from each post's matches and the matched items'
    /// verdicts: altered-material (differs from the item, or the item is
    /// altered or suspicious), authentic-material (carries an authentic item
    /// unchanged), unverifiable-material (carries an item not proven either
    /// way), not-in-dump (says it comes from the leak, matches nothing),
    /// unrelated.
    Spread(SpreadArgs),
    /// Write an evidence report anyone can re-check without leakcheck.
    ///
    /// For each chosen item (ids, queries, `--verdict`): a self-contained
    /// HTML page and its JSON twin with the hashes and places, the verdict
    /// and every finding with its evidence, each DKIM signature's signed
    /// header block and body hashes, and the keys with their provenance;
    /// beside them the case report (custody, counts, verdicts by kind,
    /// check and month, DKIM coverage by sender domain, what could not be
    /// read), the originals, the keys as files, and `recheck.py`, which
    /// re-checks the hashes, signatures and metadata with sha256, dkimpy,
    /// exiftool and pdfresurrect (see RECHECK.md in the report).
    Report(crate::cmd_publish::ReportArgs),
    /// Export items with their verdicts and findings: JSON lines, CSV, or
    /// FollowTheMoney entities for OCCRP Aleph.
    Export(crate::cmd_publish::ExportArgs),
    /// Write redacted copies of chosen items for publication.
    ///
    /// Finds personal data in each item's headers and text (email
    /// addresses, phone numbers checked by libphonenumber, IBANs and card
    /// numbers by their checksums, French social security numbers by their
    /// key, dates of birth after a cue, French postal addresses, and the
    /// private persons named in --names), and writes the text and HTML with
    /// each replaced by its kind (`[PHONE]`), and a log of every span
    /// (item, rule, position, replacement, who ran it), never the value.
    /// Originals are not touched. Pictures and scans are not rendered.
    Redact(crate::cmd_publish::RedactArgs),
}

#[derive(Subcommand, Debug)]
pub enum PostsCommand {
    /// Import an export: X `tweets.js` (or the archive folder), twarc JSON
    /// lines, Telegram `result.json` (or its folder), 4chan thread JSON, or
    /// a CSV with `time,author,text,url,media_path` columns.
    Import(PostsImportArgs),
    /// List imported posts with their class and matches.
    List(PostsListArgs),
}

#[derive(Args, Debug)]
pub struct PostsImportArgs {
    /// The case folder.
    pub case: PathBuf,
    /// The export file or folder.
    pub export: PathBuf,
    /// A name for this import (default: the export's file name).
    #[arg(long)]
    pub source: Option<String>,
    /// A word, tag or link part by which a post says it comes from the leak
    /// (may repeat; case-insensitive). Default: leak, fuite, dump, piratage.
    #[arg(long = "claim", value_name = "WORD")]
    pub claims: Vec<String>,
    #[command(flatten)]
    pub out: Output,
}

#[derive(Args, Debug, Clone)]
pub struct SpreadFilterArgs {
    /// Only this platform (x, telegram, 4chan, csv).
    #[arg(long)]
    pub platform: Option<String>,
    /// Only this class.
    #[arg(long)]
    pub class: Option<String>,
    /// Only this account (name or id).
    #[arg(long)]
    pub account: Option<String>,
    /// Only posts at or after this time (RFC 3339 or YYYY-MM-DD).
    #[arg(long)]
    pub since: Option<String>,
    /// Only posts before this time (RFC 3339 or YYYY-MM-DD).
    #[arg(long)]
    pub until: Option<String>,
}

#[derive(Args, Debug)]
pub struct PostsListArgs {
    /// The case folder.
    pub case: PathBuf,
    #[command(flatten)]
    pub filter: SpreadFilterArgs,
    /// Only posts that carried this item (id or prefix).
    #[arg(long)]
    pub item: Option<String>,
    /// How many posts.
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    /// Skip this many first.
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    #[command(flatten)]
    pub out: Output,
}

#[derive(Args, Debug)]
pub struct SpreadArgs {
    /// The case folder.
    pub case: PathBuf,
    #[command(flatten)]
    pub filter: SpreadFilterArgs,
    /// Rows per table (first appearances, accounts).
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// Write posts per hour by class as CSV to this file.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Write the chart of posts per hour by class as SVG to this file.
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
    /// Write the same chart as PNG to this file (twice the SVG's size; its
    /// text needs a system font such as Debian's fonts-dejavu-core).
    #[arg(long, value_name = "FILE")]
    pub png: Option<PathBuf>,
    /// Write the first-appearance table (first post outside of each dump
    /// item) as CSV to this file.
    #[arg(long, value_name = "FILE")]
    pub first_seen_csv: Option<PathBuf>,
    /// Write the accounts table as CSV to this file.
    #[arg(long, value_name = "FILE")]
    pub accounts_csv: Option<PathBuf>,
    #[command(flatten)]
    pub out: Output,
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Add a user, or change one's role and password.
    Add(UserAddArgs),
    /// List users and roles.
    List(CaseArgs),
    /// Remove a user.
    Remove(UserRemoveArgs),
    /// The workbench's access log: logins, downloads, exports, changes.
    Log(UserLogArgs),
}

#[derive(Args, Debug)]
pub struct UserAddArgs {
    /// The case folder.
    pub case: PathBuf,
    /// Login name (ASCII letters, digits, '-', '_', '.', '@').
    pub name: String,
    /// What the user may do.
    #[arg(long, value_enum, default_value_t = RoleArg::Viewer)]
    pub role: RoleArg,
    /// Read the password from the first line of standard input instead of
    /// asking for it.
    #[arg(long)]
    pub password_stdin: bool,
    #[command(flatten)]
    pub out: Output,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum RoleArg {
    Admin,
    Editor,
    Viewer,
}

#[derive(Args, Debug)]
pub struct UserRemoveArgs {
    /// The case folder.
    pub case: PathBuf,
    /// Login name.
    pub name: String,
    #[command(flatten)]
    pub out: Output,
}

#[derive(Args, Debug)]
pub struct UserLogArgs {
    /// The case folder.
    pub case: PathBuf,
    /// How many entries, newest first.
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    #[command(flatten)]
    pub out: Output,
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// The case folder.
    pub case: PathBuf,
    /// Address and port to listen on (port 0: any free port, printed).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub bind: std::net::SocketAddr,
    /// Mark the session cookie Secure (when served behind HTTPS).
    #[arg(long)]
    pub secure_cookies: bool,
    /// Also answer requests addressed to HOST (`name` or `name:port`; may
    /// repeat): the bind address and localhost always are, any other
    /// `Host` is refused (DNS rebinding).
    #[arg(long = "allow-host", value_name = "HOST")]
    pub allow_hosts: Vec<String>,
    /// On a team case: the folder of this server's local replica of the
    /// catalog (default: the case's `replica/`). Give each server on
    /// another machine its own, on a local disk.
    #[arg(long, value_name = "DIR")]
    pub replica: Option<PathBuf>,
    #[command(flatten)]
    pub out: Output,
}

#[derive(Args, Debug)]
pub struct Output {
    /// Print JSON for machines instead of text.
    ///
    /// Commands that list things print one JSON object per line; the others
    /// print one object. The fields are a contract: they may grow, not break.
    #[arg(long, global = true)]
    pub json: bool,
    /// Print nothing but errors (the exit code still tells).
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

#[derive(Args, Debug)]
pub struct CaseArgs {
    /// The case folder.
    pub case: PathBuf,
    #[command(flatten)]
    pub out: Output,
}

#[derive(Args, Debug)]
pub struct IndexArgs {
    /// The case folder.
    pub case: PathBuf,
    /// Keep following the catalog: sync again every --every seconds. An
    /// error is said and tried again at the next round.
    #[arg(long)]
    pub follow: bool,
    /// Seconds between syncs, with --follow.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub every: u64,
    #[command(flatten)]
    pub out: Output,
}

#[derive(Args, Debug)]
pub struct InitArgs {
    /// The case folder to create (must not exist, or be empty).
    pub case: PathBuf,
    /// A name for the case (default: the folder name).
    #[arg(long)]
    pub name: Option<String>,
    /// The claimed leak period, START..END, e.g. 2017-01-01..2017-04-24.
    ///
    /// Items dated outside it are flagged for a look by verification.
    #[arg(long, value_name = "START..END")]
    pub window: Option<String>,
    /// A mail domain of the organisation the dump comes from (repeatable).
    #[arg(long = "org-domain", value_name = "DOMAIN")]
    pub org_domains: Vec<String>,
    /// A person or company of the organisation (repeatable). Document
    /// authors and companies that match one are not flagged as outsiders.
    #[arg(long = "org-name", value_name = "NAME")]
    pub org_names: Vec<String>,
    /// Make a team case: its catalog and job queue in this PostgreSQL
    /// database (postgres://USER@HOST:PORT/DATABASE), shared by workers on
    /// many machines.
    ///
    /// Never put the password in the address: give it in
    /// LEAKCHECK_CATALOG_PASSWORD or with --catalog-password-file.
    #[arg(long, value_name = "URL")]
    pub catalog: Option<String>,
    /// Where the originals go: a folder (a shared mount; relative to the
    /// case), or s3://BUCKET/PREFIX on S3-compatible storage, with the
    /// case's blobs/ as this machine's cache.
    ///
    /// S3 credentials come from the environment (AWS_ACCESS_KEY_ID,
    /// AWS_SECRET_ACCESS_KEY, AWS_REGION; AWS_ENDPOINT for another
    /// provider, AWS_ALLOW_HTTP=true for plain HTTP).
    #[arg(long, value_name = "FOLDER|URL")]
    pub blobs: Option<String>,
    #[command(flatten)]
    pub team: TeamOptions,
    #[command(flatten)]
    pub out: Output,
}

/// How a team case reaches its PostgreSQL catalog, besides the address.
#[derive(Args, Debug)]
pub struct TeamOptions {
    /// The schema of the database the case's tables go in (several cases
    /// can share one database).
    #[arg(long, value_name = "NAME")]
    pub schema: Option<String>,
    /// A file whose first line is the catalog's password.
    #[arg(long, value_name = "FILE")]
    pub catalog_password_file: Option<PathBuf>,
    /// PEM certificates to trust for the catalog's TLS besides the system's
    /// (a private CA, or the server's certificate). TLS is used when the
    /// address says sslmode=require; the server's name is always checked.
    #[arg(long, value_name = "FILE")]
    pub catalog_ca_file: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct MigrateArgs {
    /// The embedded case to move.
    pub case: PathBuf,
    /// The PostgreSQL database to move its catalog to
    /// (postgres://USER@HOST:PORT/DATABASE; the password as for `init
    /// --catalog`).
    #[arg(long, value_name = "URL")]
    pub to: String,
    #[command(flatten)]
    pub team: TeamOptions,
    #[command(flatten)]
    pub out: Output,
}

#[derive(Args, Debug)]
pub struct IngestArgs {
    /// The case folder.
    pub case: PathBuf,
    /// Files, folders or archives to add.
    #[arg(required = true)]
    pub sources: Vec<PathBuf>,
    /// Where the sources came from, for the custody log.
    ///
    /// Written with each source's hash, size and time to custody.jsonl.
    #[arg(long)]
    pub note: Option<String>,
    /// Worker threads (default: one per core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Passwords to try on encrypted RAR, zip and 7z archives, one per line.
    ///
    /// Leaks are often published with their password. Each is tried in
    /// order; the one that opened a container is recorded on it (`show`).
    #[arg(long, value_name = "FILE")]
    pub passwords: Option<PathBuf>,
    /// Leave OCR for `leakcheck ocr` instead of reading scans now.
    ///
    /// OCR reads about a page a second per core: on a large dump it takes
    /// longer than the rest of ingest. Ingest then says how many pages wait.
    #[arg(long)]
    pub ocr_later: bool,
    /// Team cases: top-level files in each job the workers take.
    ///
    /// Smaller jobs share a small dump among more workers and cost less to
    /// redo when a worker dies; larger ones cost the queue less.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub job_files: u64,
    #[command(flatten)]
    pub out: Output,
}

#[derive(Args, Debug)]
pub struct LsArgs {
    /// The case folder.
    pub case: PathBuf,
    /// Only items of this kind (email, mbox, zip, pdf, ...).
    #[arg(long)]
    pub kind: Option<String>,
    /// Only items with this verdict (authentic, altered, suspicious, consistent, unverifiable).
    #[arg(long)]
    pub verdict: Option<String>,
    /// At most this many items.
    #[arg(long, default_value_t = 50)]
    pub limit: u64,
    /// Skip this many items first.
    #[arg(long, default_value_t = 0)]
    pub offset: u64,
    #[command(flatten)]
    pub out: Output,
}

#[derive(Args, Debug)]
pub struct ShowArgs {
    /// The case folder.
    pub case: PathBuf,
    /// An item id (SHA-256), or a unique prefix of one.
    pub item: String,
    /// Show every header and the whole text.
    #[arg(long)]
    pub full: bool,
    /// Write the original bytes to stdout (to re-check with other tools).
    ///
    /// For example `leakcheck show CASE ID --raw | dkimverify`. Refused when
    /// stdout is a terminal: a dump's bytes can hold escape sequences.
    #[arg(long, conflicts_with_all = ["full", "json"])]
    pub raw: bool,
    #[command(flatten)]
    pub out: Output,
}

#[derive(Args, Debug)]
pub struct ErrorsArgs {
    /// The case folder.
    pub case: PathBuf,
    /// At most this many problems.
    #[arg(long, default_value_t = 1000)]
    pub limit: u64,
    #[command(flatten)]
    pub out: Output,
}

#[derive(Subcommand, Debug)]
pub enum KeysCommand {
    /// Add one key record, with where it came from.
    Add(KeysAddArgs),
    /// Add keys from a file of `<selector>._domainkey.<domain> <TXT value>` lines.
    Import(KeysImportArgs),
    /// List the case's keys and their provenance.
    List(CaseArgs),
    /// List the keys signatures in the dump need and the case lacks.
    ///
    /// Each line is a `selector._domainkey.domain` name with how many
    /// signatures use it and the dates of those emails: what to look for in
    /// web archives and key collections.
    Missing(CaseArgs),
    /// Recompute RSA keys from the dump's own signatures.
    ///
    /// For each RSA key name with two or more signatures whose body hash
    /// matches, the modulus is the GCD of `s^e − m` over a pair of them
    /// (GMP; about a minute for a 2048-bit key). A pair holding a message
    /// whose signed headers were changed gives no modulus and the next pair
    /// is tried; signatures that do not verify with the key found are
    /// listed. The key is stored as *recovered* with its provenance and
    /// printed as a DNS TXT record to compare with archives: a signature
    /// that verifies with it is *consistent* (the same key signed), and
    /// *authentic* only once the same key is imported from an independent
    /// source.
    Recover(KeysRecoverArgs),
    /// Look missing keys up in live DNS (the only network access leakcheck makes).
    ///
    /// A key served today is today's key: for an old leak it has often been
    /// rotated (the signature then fails as header-modified) or revoked. Each
    /// key found is stored with "live DNS" as its source and the time of the
    /// lookup, so later runs are reproducible offline.
    Fetch(KeysFetchArgs),
}

#[derive(Args, Debug)]
pub struct KeysRecoverArgs {
    /// The case folder.
    pub case: PathBuf,
    /// Only this key (`selector._domainkey.domain`, or a selector).
    #[arg(long, value_name = "NAME")]
    pub selector: Option<String>,
    /// Stop the work after this many seconds (the GCD runs in a child
    /// process, killed when the time is up).
    #[arg(long, value_name = "N", default_value_t = 600)]
    pub max_seconds: u64,
    #[command(flatten)]
    pub out: Output,
}

#[derive(Args, Debug)]
pub struct KeysFetchArgs {
    /// The case folder.
    pub case: PathBuf,
    /// Look up these names (`selector._domainkey.domain`) instead of the missing ones.
    #[arg(long = "name", value_name = "NAME")]
    pub names: Vec<String>,
    #[command(flatten)]
    pub out: Output,
}

#[derive(Args, Debug)]
pub struct KeysAddArgs {
    /// The case folder.
    pub case: PathBuf,
    /// `<selector>._domainkey.<domain> <TXT value>`, e.g. "20120113._domainkey.gmail.com v=DKIM1; k=rsa; p=MIIB...".
    #[arg(long, required_unless_present = "private_key")]
    pub record: Option<String>,
    /// A published PEM RSA private key (PKCS#8 or PKCS#1): its public half
    /// is derived and added under --name.
    #[arg(long, value_name = "FILE", conflicts_with = "record", requires_all = ["name", "private_key_published"])]
    pub private_key: Option<PathBuf>,
    /// The key's name (`selector._domainkey.domain`), with --private-key.
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Since when the key's private half has been public (YYYY-MM-DD):
    /// a signature made after that date proves nothing (unverifiable).
    #[arg(long, value_name = "DATE")]
    pub private_key_published: Option<String>,
    #[command(flatten)]
    pub provenance: Provenance,
    #[command(flatten)]
    pub out: Output,
}

/// Where keys came from, recorded with each one.
#[derive(Args, Debug)]
pub struct Provenance {
    /// Where the key was obtained (archive snapshot, DNS query, vendor page...).
    #[arg(long)]
    pub source: String,
    /// When it was obtained (e.g. 2015-06-01).
    #[arg(long)]
    pub obtained: Option<String>,
}

#[derive(Args, Debug)]
pub struct KeysImportArgs {
    /// The case folder.
    pub case: PathBuf,
    /// File of `<selector>._domainkey.<domain> <TXT value>` lines (# comments allowed).
    pub file: PathBuf,
    /// FILE is a key archive's export: CSV with a header row, or JSON
    /// lines, with domain, selector, key (TXT value or bare `p=`),
    /// first_seen and last_seen. The dates are kept as the key's observed
    /// window: a signature made outside it is qualified, far outside it
    /// (over 180 days) suspicious.
    #[arg(long)]
    pub archive: bool,
    #[command(flatten)]
    pub provenance: Provenance,
    #[command(flatten)]
    pub out: Output,
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The case folder.
    pub case: PathBuf,
    /// Re-check every item, even what has not changed since the last pass.
    #[arg(long)]
    pub all: bool,
    /// Also print where the time went, step by step.
    #[arg(long)]
    pub verbose: bool,
    /// On a team case: emails per job handed to the workers (smaller jobs
    /// share a small case among more workers, larger ones cost the queue
    /// less).
    #[arg(long, default_value_t = 250, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub job_emails: u64,
    #[command(flatten)]
    pub out: Output,
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Where to put the sample dump and the case.
    #[arg(long, default_value = ".")]
    pub dir: PathBuf,
    #[command(flatten)]
    pub out: Output,
}

#[derive(Args, Debug)]
pub struct SearchArgs {
    /// The case folder.
    pub case: PathBuf,
    /// The query (see `leakcheck search --help`); empty matches everything.
    pub query: Option<String>,
    /// Run every query of FILE (one per line; `#` starts a comment) and
    /// print one CSV row per query: query, total, first hits, notes.
    #[arg(long, value_name = "FILE", conflicts_with = "query")]
    pub batch: Option<PathBuf>,
    /// Hits per page.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// Hits to skip (the next page starts at offset + limit).
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    /// Order of the hits.
    #[arg(long, value_enum, default_value_t = SortArg::Relevance)]
    pub sort: SortArg,
    #[command(flatten)]
    pub out: Output,
}

#[derive(Args, Debug)]
pub struct ThreadArgs {
    /// The case folder.
    pub case: PathBuf,
    /// An email's item id (SHA-256), or a unique prefix of one.
    pub item: String,
    #[command(flatten)]
    pub out: Output,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum SortArg {
    /// Best match first.
    Relevance,
    /// Newest first.
    Newest,
    /// Oldest first.
    Oldest,
}

#[derive(Args, Debug)]
pub struct PeopleArgs {
    /// The case folder.
    pub case: PathBuf,
    /// At most this many pairs, and this many people.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    #[command(flatten)]
    pub out: Output,
}

#[derive(Args, Debug)]
pub struct TimelineArgs {
    /// The case folder.
    pub case: PathBuf,
    /// The length of a period.
    ///
    /// Weeks are ISO 8601 weeks (Monday to Sunday), named like 2017-W15.
    #[arg(long, value_enum, default_value_t = By::Month)]
    pub by: By,
    #[command(flatten)]
    pub out: Output,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum By {
    /// Calendar days (UTC).
    Day,
    /// ISO weeks.
    Week,
    /// Calendar months.
    Month,
}

#[derive(Args, Debug)]
pub struct VariantsArgs {
    /// The case folder.
    pub case: PathBuf,
    /// Groups printed at most (JSON lists them all).
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    #[command(flatten)]
    pub out: Output,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The case folder.
    pub case: PathBuf,
    /// The outside files to check.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub out: Output,
}
