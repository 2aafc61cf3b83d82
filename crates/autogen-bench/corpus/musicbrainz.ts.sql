-- MusicBrainz's text search configuration, which autogen does not model and the pulled
-- indexes (on musicbrainz.mb_simple_tsvector(name)) use: a hand-written SQL declaration for
-- `autogen pull --with-sql` and the project's `[models] sql` (`autogen-bench adopt --with-sql`).
-- Its schema and the unaccent extension are pulled declarations; the baseline's chain gets
-- them, and this configuration, from musicbrainz.adopt-up.sql.
CREATE TEXT SEARCH CONFIGURATION musicbrainz.mb_simple (COPY = pg_catalog.simple);
ALTER TEXT SEARCH CONFIGURATION musicbrainz.mb_simple ALTER MAPPING FOR word, numword, hword, numhword, hword_part, hword_numpart WITH public.unaccent, simple;
