-- The job queue. Times are the database's own (now()), so workers on
-- machines whose clocks disagree still agree on when a lease expires.
CREATE TABLE jobs (
    id           bigserial PRIMARY KEY,
    kind         text NOT NULL,
    payload      jsonb NOT NULL,
    state        text NOT NULL DEFAULT 'queued'
                 CHECK (state IN ('queued', 'leased', 'done', 'failed')),
    -- Leases taken so far; a lease is known by (id, attempts).
    attempts     integer NOT NULL DEFAULT 0,
    max_attempts integer NOT NULL CHECK (max_attempts > 0),
    leased_by    text,
    lease_until  timestamptz,
    error        text,
    created      timestamptz NOT NULL DEFAULT now(),
    finished     timestamptz
);
-- What a worker looks for: the jobs not done, oldest first.
CREATE INDEX jobs_open ON jobs (id) WHERE state IN ('queued', 'leased');
