-- The partitions of post_views (the PostView model): one per month, and a default one for
-- rows outside them. A new month is a new declaration here and a new revision.
CREATE TABLE post_views_2026_12 PARTITION OF post_views
    FOR VALUES FROM ('2026-12-01 00:00:00+00') TO ('2027-01-01 00:00:00+00');
CREATE TABLE post_views_default PARTITION OF post_views DEFAULT;
