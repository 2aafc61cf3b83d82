-- revision: 20261204113720
-- parents: 20261204110419
-- message: partitioned post_views
-- created: 2026-12-04T11:37:20Z

-- migrate:up
-- hazard: none
CREATE TABLE "public"."post_views" (
    "post_id" bigint NOT NULL,
    "viewed_at" timestamp with time zone NOT NULL,
    CONSTRAINT "post_views_pkey" PRIMARY KEY ("post_id", "viewed_at")
) PARTITION BY RANGE (viewed_at);
-- hazard: access-exclusive-lock
CREATE TABLE "public"."post_views_2026_12" PARTITION OF "public"."post_views" FOR VALUES FROM ('2026-12-01 00:00:00+00') TO ('2027-01-01 00:00:00+00');
-- hazard: access-exclusive-lock
CREATE TABLE "public"."post_views_default" PARTITION OF "public"."post_views" DEFAULT;
-- hazard: none
ALTER TABLE "public"."post_views" ADD CONSTRAINT "post_views_post_id_fkey" FOREIGN KEY ("post_id") REFERENCES "public"."posts" ("id") ON DELETE CASCADE;

-- migrate:down
-- hazard: access-exclusive-lock
ALTER TABLE "public"."post_views" DROP CONSTRAINT "post_views_post_id_fkey";
-- hazard: data-loss, access-exclusive-lock
DROP TABLE "public"."post_views_2026_12";
-- hazard: data-loss, access-exclusive-lock
DROP TABLE "public"."post_views_default";
-- hazard: data-loss, access-exclusive-lock
DROP TABLE "public"."post_views";
