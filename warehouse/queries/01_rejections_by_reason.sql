-- What did the pipeline reject, at which stage, and why? One example of the evidence per reason.
SELECT stage, reason, rejected, files, example_detail
FROM rejections_summary
ORDER BY rejected DESC, stage, reason;
