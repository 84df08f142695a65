-- 0004 belongs to another branch (basic groups); this placeholder keeps the numbering
-- without gaps on the media branch. Drop this file when merging: the real 0004 replaces it.
SELECT 1;
