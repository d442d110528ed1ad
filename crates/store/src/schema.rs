//! Versioned catalog schema. Each migration runs once, in order, inside a
//! transaction; `meta.schema_version` records the last one applied.

use rusqlite::{Connection, OptionalExtension};

use crate::error::{Error, Result};

const MIGRATIONS: &[&str] = &[
    // 1: the foundation.
    r#"
    CREATE TABLE items (
        id    TEXT PRIMARY KEY,          -- sha256 hex
        size  INTEGER NOT NULL,
        kind  TEXT NOT NULL,
        done  INTEGER NOT NULL DEFAULT 0 -- 1 once everything below it is recorded
    ) WITHOUT ROWID;
    CREATE INDEX items_kind ON items(kind);

    CREATE TABLE occurrences (
        parent   TEXT NOT NULL,          -- item id, or dir:/maildir: key
        path     TEXT NOT NULL,
        position INTEGER NOT NULL,
        display  TEXT NOT NULL,
        depth    INTEGER NOT NULL,
        item     TEXT,                   -- NULL when the bytes could not be read
        stage    TEXT,
        error    TEXT,
        extra    TEXT,                   -- JSON
        PRIMARY KEY (parent, path, position)
    ) WITHOUT ROWID;
    CREATE INDEX occurrences_item ON occurrences(item);

    CREATE TABLE item_errors (
        item   TEXT NOT NULL,
        stage  TEXT NOT NULL,
        reason TEXT NOT NULL,
        PRIMARY KEY (item, stage)
    ) WITHOUT ROWID;

    CREATE TABLE containers (
        key      TEXT PRIMARY KEY,
        kind     TEXT NOT NULL,
        expected INTEGER NOT NULL,
        detail   TEXT                    -- JSON
    ) WITHOUT ROWID;

    CREATE TABLE emails (
        item        TEXT PRIMARY KEY,
        message_id  TEXT,
        subject     TEXT,
        date_unix   INTEGER,
        from_addr   TEXT,
        meta        TEXT NOT NULL         -- JSON EmailMeta
    ) WITHOUT ROWID;
    CREATE INDEX emails_message_id ON emails(message_id);
    "#,
    // 2: verification.
    r#"
    CREATE TABLE dkim_keys (
        name     TEXT NOT NULL,          -- selector._domainkey.domain
        txt      TEXT NOT NULL,
        source   TEXT NOT NULL,
        obtained TEXT,
        added_by TEXT,
        added_at TEXT NOT NULL,
        PRIMARY KEY (name, txt)
    ) WITHOUT ROWID;

    CREATE TABLE findings (
        item     TEXT NOT NULL,
        check_id TEXT NOT NULL,
        verdict  TEXT NOT NULL,
        summary  TEXT NOT NULL,
        evidence TEXT NOT NULL,          -- JSON
        PRIMARY KEY (item, check_id)
    ) WITHOUT ROWID;

    CREATE TABLE verdicts (
        item    TEXT PRIMARY KEY,
        verdict TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX verdicts_verdict ON verdicts(verdict);
    "#,
    // 3: documents and images.
    r#"
    CREATE TABLE documents (
        item   TEXT PRIMARY KEY,
        format TEXT NOT NULL,
        meta   TEXT NOT NULL,            -- JSON DocMeta
        text   TEXT NOT NULL
    ) WITHOUT ROWID;
    "#,
    // 4: what the search index holds, so that a sync adds only what changed.
    r#"
    CREATE TABLE search_indexed (
        item  TEXT PRIMARY KEY,
        state TEXT NOT NULL              -- verdict and flagging checks when indexed
    ) WITHOUT ROWID;
    "#,
    // 5: the workbench: people who log in, what they did, and their tags and notes.
    r#"
    CREATE TABLE users (
        name     TEXT PRIMARY KEY,
        role     TEXT NOT NULL,          -- admin, editor, viewer
        password TEXT NOT NULL,          -- PHC string (argon2id)
        created  TEXT NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE access_log (
        seq    INTEGER PRIMARY KEY AUTOINCREMENT,
        at     TEXT NOT NULL,
        user   TEXT NOT NULL,
        action TEXT NOT NULL,
        item   TEXT,
        detail TEXT,
        peer   TEXT
    );
    -- Append-only: an entry, once written, cannot be changed or removed
    -- through SQL (the file itself is protected by the custody of the case).
    CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
        BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
    CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
        BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;

    CREATE TABLE tags (
        item     TEXT NOT NULL,
        tag      TEXT NOT NULL,
        added_by TEXT NOT NULL,
        added_at TEXT NOT NULL,
        PRIMARY KEY (item, tag)
    ) WITHOUT ROWID;
    CREATE INDEX tags_tag ON tags(tag);

    CREATE TABLE notes (
        seq    INTEGER PRIMARY KEY AUTOINCREMENT,
        item   TEXT NOT NULL,
        author TEXT NOT NULL,
        at     TEXT NOT NULL,
        text   TEXT NOT NULL
    );
    CREATE INDEX notes_item ON notes(item);
    "#,
    // 6: the language the index detected for each text, so that re-indexing
    // an item for a new verdict does not detect it again.
    r#"
    ALTER TABLE search_indexed ADD COLUMN lang TEXT;
    "#,
    // 7: the checks that flag an item, read without the findings' evidence
    // (a findings row carries kilobytes of JSON; reading those rows was most
    // of listing 10,000 items for the index).
    r#"
    CREATE INDEX findings_flagging ON findings(item, verdict, check_id);
    "#,
    // 8: posts from outside the dump (social networks, forums) that may
    // spread its material, kept apart from its items, and what each matched.
    r#"
    CREATE TABLE posts (
        id         TEXT PRIMARY KEY,     -- platform:source:post id
        source     TEXT NOT NULL,        -- the name given at import
        platform   TEXT NOT NULL,
        post_id    TEXT NOT NULL,
        time_unix  INTEGER,
        author     TEXT,
        author_id  TEXT,
        text       TEXT NOT NULL,
        claims     INTEGER NOT NULL,     -- 1: says it comes from the leak
        detail     TEXT NOT NULL         -- JSON: links, media, relations
    ) WITHOUT ROWID;
    CREATE INDEX posts_time ON posts(time_unix);
    CREATE TABLE post_matches (
        post       TEXT NOT NULL,
        what       TEXT NOT NULL,        -- "text" or the media file's name
        item       TEXT NOT NULL,
        basis      TEXT NOT NULL,        -- sha256, md5, image, text
        similarity REAL NOT NULL,
        changed    INTEGER NOT NULL,     -- 1: differs from the item
        evidence   TEXT NOT NULL,        -- JSON: differences, picture
        PRIMARY KEY (post, what)
    ) WITHOUT ROWID;
    CREATE INDEX post_matches_item ON post_matches(item);
    "#,
    // 9: the mail's aggregates (aggregates.rs), so that the timeline, people
    // and threads are read, not computed from every email. Empty here: the
    // first refresh after this fills them (they carry no stamp until then).
    r#"
    CREATE TABLE agg_days (
        day      TEXT PRIMARY KEY,       -- YYYY-MM-DD, UTC
        messages INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE agg_people (
        rank     INTEGER PRIMARY KEY,    -- 0 = the busiest
        address  TEXT NOT NULL,
        name     TEXT,
        sent     INTEGER NOT NULL,
        received INTEGER NOT NULL
    );
    CREATE TABLE agg_pairs (
        rank      INTEGER PRIMARY KEY,   -- 0 = the most frequent
        sender    TEXT NOT NULL,
        sender_name TEXT,
        recipient TEXT NOT NULL,
        recipient_name TEXT,
        count     INTEGER NOT NULL,
        first     TEXT,
        last      TEXT
    );
    CREATE TABLE agg_threads (
        item   TEXT PRIMARY KEY,
        thread INTEGER NOT NULL          -- 0 = the oldest conversation
    ) WITHOUT ROWID;
    CREATE INDEX agg_threads_thread ON agg_threads(thread);
    "#,
    // 10: DKIM key archaeology: the window a key archive saw a key in DNS, the
    // date its private half became public, and keys recomputed from the
    // dump's own signatures (kept apart: the same value imported from an
    // independent source is a second, separate record of it).
    r#"
    ALTER TABLE dkim_keys ADD COLUMN first_seen TEXT;
    ALTER TABLE dkim_keys ADD COLUMN last_seen TEXT;
    ALTER TABLE dkim_keys ADD COLUMN private_published TEXT;
    CREATE TABLE recovered_keys (
        name     TEXT NOT NULL,          -- selector._domainkey.domain
        txt      TEXT NOT NULL,
        source   TEXT NOT NULL,          -- which signatures, when, by which version
        added_by TEXT,
        added_at TEXT NOT NULL,
        PRIMARY KEY (name, txt)
    ) WITHOUT ROWID;
    "#,
    // 11: OCR: each item's OCR outcome, and each page's text as the engine read
    // it, kept apart from the text the item carries itself. New cases and
    // old ones start with nothing OCR'd; `leakcheck ocr` fills them.
    r#"
    CREATE TABLE ocr_items (
        item      TEXT PRIMARY KEY,
        status    TEXT NOT NULL,         -- read, no-text, no-picture, failed
        engine    TEXT,                  -- e.g. "tesseract 5.3.0"
        languages TEXT,                  -- e.g. "fra+eng"
        seconds   REAL NOT NULL,
        detail    TEXT                   -- JSON: the image decision's figures, or why it failed
    ) WITHOUT ROWID;
    CREATE TABLE ocr_pages (
        item       TEXT NOT NULL,
        page       INTEGER NOT NULL,     -- from 1
        text       TEXT NOT NULL,
        confidence REAL,                 -- mean word confidence, 0-100
        words      INTEGER NOT NULL,
        embedded   TEXT,                 -- a PDF page's own text layer, for doc.text-layer
        error      TEXT,                 -- this page could not be read
        PRIMARY KEY (item, page)
    ) WITHOUT ROWID;
    "#,
    // 12: the workbench's redaction review: per item, each span of the text
    // `leakcheck redact` renders that a person accepted or rejected (a
    // detection) or marked by hand (manual), by whom and when. History
    // stays in the access log; this holds the decision in force.
    r#"
    CREATE TABLE redaction_decisions (
        item       TEXT NOT NULL,
        text       TEXT NOT NULL,        -- which text: "rendering" (the email's headers and body, or the document's text)
        start_byte INTEGER NOT NULL,     -- byte offsets in that text, end exclusive
        end_byte   INTEGER NOT NULL,
        kind       TEXT NOT NULL,        -- the rule: email, phone, iban, card, nir, birth-date, postal-address, name
        decision   TEXT NOT NULL,        -- accept, reject, manual
        user       TEXT NOT NULL,
        at         TEXT NOT NULL,
        PRIMARY KEY (item, text, start_byte, end_byte)
    ) WITHOUT ROWID;
    "#,
];

/// The newest schema version this build writes.
pub const VERSION: i64 = MIGRATIONS.len() as i64;

pub fn migrate(conn: &mut Connection) -> Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    )?;
    let current: i64 = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'schema_version'",
            [],
            |r| r.get::<_, String>(0),
        )
        .optional()?
        .map(|v| {
            v.parse()
                .map_err(|_| Error::Corrupt(format!("schema_version {v:?}")))
        })
        .transpose()?
        .unwrap_or(0);
    if current > VERSION {
        return Err(Error::NewerSchema {
            found: current,
            supported: VERSION,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?1)",
            [(i + 1).to_string()],
        )?;
        tx.commit()?;
    }
    Ok(())
}
