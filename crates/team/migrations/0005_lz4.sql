-- The large texts (an email's stored fields, a document's text, findings'
-- evidence, what OCR read) are compressed with lz4 where the server was
-- built with it. The default, pglz, made inserting emails the costliest
-- statement of a team ingest: 1.2 s of the 3.3 s PostgreSQL spent in
-- statements on the generator's scale-0.1 dump, 0.28 s with lz4. Values
-- already stored keep their compression; a server without lz4 keeps pglz.
DO $$
BEGIN
    ALTER TABLE emails ALTER COLUMN meta SET COMPRESSION lz4;
    ALTER TABLE documents ALTER COLUMN meta SET COMPRESSION lz4,
                          ALTER COLUMN text SET COMPRESSION lz4;
    ALTER TABLE findings ALTER COLUMN evidence SET COMPRESSION lz4;
    ALTER TABLE verify_staged ALTER COLUMN evidence SET COMPRESSION lz4;
    ALTER TABLE ocr_pages ALTER COLUMN text SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    NULL;
END
$$;
