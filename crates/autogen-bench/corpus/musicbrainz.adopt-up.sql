-- The up section of the hand-written first revision of an adopted MusicBrainz
-- (`autogen-bench adopt --prelude-up`): the text search configuration autogen does not model,
-- with the schema and the extension it needs, before the baseline creates what uses it.
CREATE SCHEMA IF NOT EXISTS musicbrainz;
CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public VERSION '1.1';
CREATE TEXT SEARCH CONFIGURATION musicbrainz.mb_simple (COPY = pg_catalog.simple);
ALTER TEXT SEARCH CONFIGURATION musicbrainz.mb_simple ALTER MAPPING FOR word, numword, hword, numhword, hword_part, hword_numpart WITH public.unaccent, simple;
