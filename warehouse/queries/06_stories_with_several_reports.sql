-- Stories covered by more than one article: near-copies, rewrites and translations of one report.
SELECT story_id, article_count, first_published, last_published, publishers, files
FROM story_overview
WHERE article_count > 1
ORDER BY article_count DESC, first_published;
