-- Who sees which posts: with row-level security on (`row_level_security` on the Post model),
-- sessions other than the table's owner see published posts, and their authors (the
-- application sets `app.user_id` per request) see their drafts too.
CREATE POLICY posts_published_visible ON posts FOR SELECT
    USING (published OR author_id = current_setting('app.user_id', true)::bigint);
