-- The queue reads open incidents most urgent first: a stored grade rank and
-- an index in queue order let it read them in order instead of sorting.
ALTER TABLE incidents ADD COLUMN grade_rank INTEGER NOT NULL DEFAULT 4;
UPDATE incidents SET grade_rank = CASE grade WHEN 'IMMEDIATE' THEN 0 WHEN 'PRIORITY' THEN 1 WHEN 'STANDARD' THEN 2 WHEN 'SCHEDULED' THEN 3 ELSE 4 END;
CREATE INDEX incidents_queue_order ON incidents (force_id, status, grade_rank, received_at, id);
