-- What `verify` reads and writes: the embedded catalog's tables of the
-- same names (crates/store/src/schema.rs, migrations 2, 10 and 11). Text
-- that is sorted compares bytewise, as SQLite does, so that pages come in
-- the embedded catalog's order.
ALTER TABLE emails ALTER COLUMN item TYPE text COLLATE "C";
ALTER TABLE documents ALTER COLUMN item TYPE text COLLATE "C";

CREATE TABLE dkim_keys (
    name              text COLLATE "C" NOT NULL,  -- selector._domainkey.domain
    txt               text COLLATE "C" NOT NULL,
    source            text NOT NULL,
    obtained          text,
    added_by          text,
    added_at          text COLLATE "C" NOT NULL,
    first_seen        text,
    last_seen         text,
    private_published text,
    PRIMARY KEY (name, txt)
);

CREATE TABLE recovered_keys (
    name     text COLLATE "C" NOT NULL,
    txt      text COLLATE "C" NOT NULL,
    source   text NOT NULL,
    added_by text,
    added_at text COLLATE "C" NOT NULL,
    PRIMARY KEY (name, txt)
);

CREATE TABLE findings (
    item     text COLLATE "C" NOT NULL,
    check_id text COLLATE "C" NOT NULL,
    verdict  text NOT NULL,
    summary  text NOT NULL,
    evidence text NOT NULL,          -- JSON
    PRIMARY KEY (item, check_id)
);
CREATE INDEX findings_check ON findings (check_id);

CREATE TABLE verdicts (
    item    text COLLATE "C" PRIMARY KEY,
    verdict text NOT NULL
);
CREATE INDEX verdicts_verdict ON verdicts (verdict, item);

CREATE TABLE ocr_items (
    item      text COLLATE "C" PRIMARY KEY,
    status    text NOT NULL,
    engine    text,
    languages text,
    seconds   double precision NOT NULL,
    detail    text                   -- JSON
);
CREATE TABLE ocr_pages (
    item       text COLLATE "C" NOT NULL,
    page       bigint NOT NULL,
    text       text NOT NULL,
    confidence double precision,
    words      bigint NOT NULL,
    embedded   text,
    error      text,
    PRIMARY KEY (item, page)
);

-- One `leakcheck verify` of a team case: workers check its emails (DKIM
-- and ARC, dates, headers) as jobs, and stage their findings here; the
-- pass that follows reads them, adds the cross-item checks, and replaces
-- the last pass's results at once.
CREATE TABLE verify_runs (
    id       bigserial PRIMARY KEY,
    started  timestamptz NOT NULL DEFAULT now(),
    finished timestamptz
);
CREATE TABLE verify_staged (
    run      bigint NOT NULL REFERENCES verify_runs (id),
    item     text COLLATE "C" NOT NULL,
    check_id text COLLATE "C" NOT NULL,
    verdict  text NOT NULL,
    summary  text NOT NULL,
    evidence text NOT NULL,          -- JSON
    PRIMARY KEY (run, item, check_id)
);
CREATE INDEX jobs_verify_run ON jobs (((payload ->> 'run')::bigint)) WHERE kind = 'verify-emails';
