-- revision: 20261204000936
-- parents: 20261121185651
-- message: updated_at trigger and reporting view
-- created: 2026-12-04T00:09:36Z

-- migrate:up
-- hazard: none
SET check_function_bodies = false;
-- hazard: none
CREATE FUNCTION public.set_updated_at()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$function$;
-- hazard: access-exclusive-lock
ALTER TABLE "public"."posts" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;
-- hazard: none
CREATE VIEW "public"."author_stats" AS
SELECT u.id AS author_id,
    u.email,
    count(DISTINCT p.id) AS published_posts,
    COALESCE(sum(v.value), (0)::bigint) AS score
   FROM ((public.users u
     LEFT JOIN public.posts p ON (((p.author_id = u.id) AND p.published)))
     LEFT JOIN public.votes v ON ((v.post_id = p.id)))
  WHERE (u.deleted_at IS NULL)
  GROUP BY u.id, u.email;
-- hazard: behavior-change
CREATE TRIGGER posts_set_updated_at BEFORE UPDATE ON public.posts FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();
-- hazard: none
COMMENT ON FUNCTION "public"."set_updated_at"() IS 'Sets updated_at to the time of the update';
-- hazard: none
COMMENT ON VIEW "public"."author_stats" IS 'Published posts and total score per active author';
-- hazard: none
RESET check_function_bodies;

-- migrate:down
-- hazard: access-exclusive-lock, behavior-change
DROP TRIGGER "posts_set_updated_at" ON "public"."posts";
-- hazard: access-exclusive-lock
DROP VIEW "public"."author_stats";
-- hazard: data-loss, access-exclusive-lock
ALTER TABLE "public"."posts" DROP COLUMN "updated_at";
-- hazard: behavior-change
DROP FUNCTION "public"."set_updated_at"();
