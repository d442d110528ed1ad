-- Ingest spread over workers. Text that is compared or sorted compares
-- bytewise, as SQLite does, so that which path `settle_paths` keeps and the
-- order `stats` lists containers in are the embedded catalog's.
ALTER TABLE items ALTER COLUMN id TYPE text COLLATE "C";
ALTER TABLE items ALTER COLUMN kind TYPE text COLLATE "C";
ALTER TABLE occurrences ALTER COLUMN parent TYPE text COLLATE "C";
ALTER TABLE occurrences ALTER COLUMN path TYPE text COLLATE "C";
ALTER TABLE occurrences ALTER COLUMN display TYPE text COLLATE "C";
ALTER TABLE occurrences ALTER COLUMN item TYPE text COLLATE "C";
ALTER TABLE containers ALTER COLUMN key TYPE text COLLATE "C";

-- One `leakcheck ingest` of a team case: its pages are jobs.
CREATE TABLE ingest_runs (
    id       bigserial PRIMARY KEY,
    started  timestamptz NOT NULL DEFAULT now(),
    finished timestamptz
);

-- Which job opens an item. A job's later attempt takes its own claims
-- back, and a claim of a job that failed for good can be taken by any
-- other: only a job still queued or leased holds one.
CREATE TABLE ingest_claims (
    item    text COLLATE "C" PRIMARY KEY,
    job     bigint NOT NULL,
    attempt integer NOT NULL
);

-- What each page's top-level files were stored as, for the custody
-- manifest; and the containers passwords opened, for the custody log.
CREATE TABLE ingest_tops (
    run  bigint NOT NULL REFERENCES ingest_runs (id),
    row  bigint NOT NULL,
    item text NOT NULL,
    PRIMARY KEY (run, row)
);
CREATE TABLE ingest_opened (
    run    bigint NOT NULL REFERENCES ingest_runs (id),
    source integer NOT NULL,
    opened text NOT NULL,            -- JSON OpenedWith
    PRIMARY KEY (run, source, opened)
);

-- A run's jobs, found without reading every payload.
CREATE INDEX jobs_run ON jobs (((payload ->> 'run')::bigint)) WHERE kind = 'ingest-page';

-- Each page job's figures, once done (a job done twice keeps one row).
CREATE TABLE ingest_pages (
    job      bigint PRIMARY KEY,
    run      bigint NOT NULL REFERENCES ingest_runs (id),
    files    bigint NOT NULL,
    bytes    bigint NOT NULL,
    places   bigint NOT NULL,
    problems bigint NOT NULL
);
CREATE INDEX ingest_pages_run ON ingest_pages (run);
