-- What the search index holds, for the process that keeps it (`leakcheck
-- index`, `search`, `verify`): each item in the state it was indexed in
-- (verdict and flagging checks), and the language its text was indexed
-- as, as in the embedded catalog's search_indexed. The index itself is a
-- folder of the case, on the machine of that process.
CREATE TABLE search_indexed (
    item  text COLLATE "C" PRIMARY KEY,
    state text NOT NULL,
    lang  text
);
