-- Every spelling seen for each entity: check that variants were resolved into one entity.
SELECT e.canonical_name, e.label, e.mention_count, list(a.alias ORDER BY a.alias) AS spellings
FROM entities e JOIN entity_aliases a USING (entity_id)
GROUP BY ALL
HAVING count(*) > 1
ORDER BY e.mention_count DESC;
