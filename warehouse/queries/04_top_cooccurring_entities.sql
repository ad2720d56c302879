-- Which entities are mentioned in the same articles most often?
SELECT name_a, label_a, name_b, label_b, article_count
FROM entity_cooccurrence
ORDER BY article_count DESC, name_a, name_b
LIMIT 20;
