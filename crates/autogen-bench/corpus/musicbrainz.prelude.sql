-- The objects of /work/shared/corpus/real/musicbrainz.sql that autogen does not model but its
-- managed objects need: the text search configuration musicbrainz.mb_simple_tsvector uses
-- (and through it the GIN indexes on mb_simple_tsvector(name)), with the schema and extension
-- it lives on. As in the file (admin/sql/CreateSearchConfiguration.sql).
-- Used by `autogen-bench roundtrip --prelude` (run on B before the dump) and `autogen-bench
-- plans --prelude` (run on template0 of the benchmark's cluster).
CREATE SCHEMA IF NOT EXISTS musicbrainz;
CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public;
CREATE TEXT SEARCH CONFIGURATION musicbrainz.mb_simple (COPY = pg_catalog.simple);
ALTER TEXT SEARCH CONFIGURATION musicbrainz.mb_simple
    ALTER MAPPING FOR word, numword, hword, numhword, hword_part, hword_numpart
    WITH public.unaccent, simple;
