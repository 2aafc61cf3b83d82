-- revision: 20261204110419
-- parents: 20261204000936
-- message: row-level security on posts
-- created: 2026-12-04T11:04:19Z

-- migrate:up
-- hazard: access-exclusive-lock, behavior-change
ALTER TABLE "public"."posts" ENABLE ROW LEVEL SECURITY;
-- hazard: access-exclusive-lock, behavior-change
CREATE POLICY "posts_published_visible" ON "public"."posts" FOR SELECT TO PUBLIC USING ((published OR (author_id = (current_setting('app.user_id'::text, true))::bigint)));

-- migrate:down
-- hazard: access-exclusive-lock, behavior-change
DROP POLICY "posts_published_visible" ON "public"."posts";
-- hazard: access-exclusive-lock, behavior-change
ALTER TABLE "public"."posts" DISABLE ROW LEVEL SECURITY;
