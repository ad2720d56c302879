-- Articles rejected because their declared date cannot be true, with the contradicting evidence.
SELECT f.path, r.reason, r.detail
FROM rejections r JOIN (SELECT DISTINCT file_id, path FROM raw_files) f USING (file_id)
WHERE r.stage = 'date'
ORDER BY f.path, r.reason;
