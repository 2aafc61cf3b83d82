-- Reporting: each author's published posts and the votes they received.
CREATE VIEW author_stats AS
    SELECT u.id AS author_id,
           u.email,
           count(DISTINCT p.id) AS published_posts,
           coalesce(sum(v.value), 0) AS score
    FROM users u
    LEFT JOIN posts p ON p.author_id = u.id AND p.published
    LEFT JOIN votes v ON v.post_id = p.id
    WHERE u.deleted_at IS NULL
    GROUP BY u.id, u.email;

COMMENT ON VIEW author_stats IS 'Published posts and total score per active author';
