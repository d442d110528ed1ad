-- What ingest writes: the same tables, keys and meaning as the embedded
-- catalog's (crates/store/src/schema.rs, migration 1 and 3), so that every
-- figure of `stats` is the same query over the same rows. JSON is kept as
-- text, as there: jsonb would refuse the \u0000 a hostile dump can carry.
CREATE TABLE items (
    id    text PRIMARY KEY,          -- sha256 hex
    size  bigint NOT NULL,
    kind  text NOT NULL,
    done  integer NOT NULL DEFAULT 0 -- 1 once everything below it is recorded
);
CREATE INDEX items_kind ON items (kind);

CREATE TABLE occurrences (
    parent   text NOT NULL,          -- item id, or dir:/maildir: key
    path     text NOT NULL,
    position bigint NOT NULL,
    display  text NOT NULL,
    depth    integer NOT NULL,
    item     text,                   -- NULL when the bytes could not be read
    stage    text,
    error    text,
    extra    text,                   -- JSON
    PRIMARY KEY (parent, path, position)
);
CREATE INDEX occurrences_item ON occurrences (item);

CREATE TABLE item_errors (
    item   text NOT NULL,
    stage  text NOT NULL,
    reason text NOT NULL,
    PRIMARY KEY (item, stage)
);

CREATE TABLE containers (
    key      text PRIMARY KEY,
    kind     text NOT NULL,
    expected bigint NOT NULL,
    detail   text                    -- JSON
);

CREATE TABLE emails (
    item        text PRIMARY KEY,
    message_id  text,
    subject     text,
    date_unix   bigint,
    from_addr   text,
    meta        text NOT NULL         -- JSON EmailMeta
);
CREATE INDEX emails_message_id ON emails (message_id);

CREATE TABLE documents (
    item   text PRIMARY KEY,
    format text NOT NULL,
    meta   text NOT NULL,            -- JSON DocMeta
    text   text NOT NULL
);

-- The search generation: bumped by every write the index must follow.
CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL);
