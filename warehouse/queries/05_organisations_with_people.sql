-- For each organisation, the people mentioned alongside it, month by month (by publication date).
WITH org_people AS (
    SELECT DISTINCT mo.article_id, mo.entity_id AS org_id, mp.entity_id AS person_id
    FROM mentions mo JOIN mentions mp ON mo.article_id = mp.article_id
    WHERE mo.label = 'ORG' AND mp.label = 'PERSON'
)
SELECT date_trunc('month', a.published_date)::DATE AS month, o.canonical_name AS organisation,
       p.canonical_name AS person, count(*) AS articles
FROM org_people op
JOIN articles a USING (article_id)
JOIN entities o ON o.entity_id = op.org_id
JOIN entities p ON p.entity_id = op.person_id
WHERE a.published_date IS NOT NULL
GROUP BY ALL
ORDER BY month, articles DESC, organisation, person;
