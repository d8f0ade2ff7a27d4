ALTER TABLE ops.runs ADD COLUMN warnings VARCHAR[];
COMMENT ON COLUMN ops.runs.warnings IS 'What a run that ended "completed with warnings" wants the analyst to know, one line each (a source or the outcome without rows for the latest revisit).';
COMMENT ON COLUMN ops.runs.status IS 'running; completed; completed with warnings (see warnings); nothing new (no new file and the same journey: marts kept); failed (see error); killed (found unfinished by a later run, or stopped by Ctrl-C/SIGTERM).';
COMMENT ON COLUMN ops.runs.error IS 'Why a run failed or was killed, one line. A run that could not open the working database (held by another process) is recorded by the next run that can.';
