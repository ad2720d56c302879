-- The spam sections cut out of articles, with the scores that condemned them.
SELECT a.file_name, s.ordinal, round(s.spam_score, 2) AS spam_score, left(s.text, 100) AS text
FROM sections s JOIN articles a USING (article_id)
WHERE s.kind = 'spam'
ORDER BY a.file_name, s.ordinal;
