-- The spam sections cut out of articles, with the scores that condemned them: the learned model's spam_score,
-- the hand rules' own rule_score, and the rule that set it ('spam_model' where the model overruled the rules).
SELECT a.file_name, s.ordinal, round(s.spam_score, 2) AS spam_score, round(s.rule_score, 2) AS rule_score, s.rule,
       left(s.text, 100) AS text
FROM sections s JOIN articles a USING (article_id)
WHERE s.kind = 'spam'
ORDER BY a.file_name, s.ordinal;
