-- Workers and the commands that wait on them are told when a job moves
-- (queued, leased, done or failed, with that word as the payload) rather
-- than asking every half second: a job is taken the moment it is queued,
-- and a run is finished the moment its last job is. The channel names the
-- schema, as several cases may share one database.
CREATE FUNCTION job_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('leakcheck jobs ' || TG_TABLE_SCHEMA, NEW.state);
    RETURN NULL;
END
$$;

CREATE TRIGGER job_queued AFTER INSERT ON jobs
    FOR EACH ROW EXECUTE FUNCTION job_moved();
CREATE TRIGGER job_moved AFTER UPDATE OF state ON jobs
    FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state) EXECUTE FUNCTION job_moved();
