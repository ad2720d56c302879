-- How each article was dated: declared (ok), inferred from the body, URL or a duplicate, or undated.
SELECT date_status, date_source, count(*) AS articles, min(published_date) AS earliest, max(published_date) AS latest
FROM articles
GROUP BY ALL
ORDER BY date_status, date_source;
