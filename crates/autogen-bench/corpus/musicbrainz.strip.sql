-- musicbrainz's partitioned tables (and their partitions) are not managed by autogen; the
-- functions returning their row types are. Dropped with what uses them, so the plans of the
-- rest verify whole (`autogen-bench plans --strip`).
DROP TABLE musicbrainz.artist_release, musicbrainz.artist_release_group CASCADE;
