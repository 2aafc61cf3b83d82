-- The down section of that revision (`autogen-bench adopt --prelude-down`).
DROP TEXT SEARCH CONFIGURATION musicbrainz.mb_simple;
