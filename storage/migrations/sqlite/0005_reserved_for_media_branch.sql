-- 0005 is taken by the media branch; this empty step only keeps the numbers gapless
-- on the features branch. Delete this file when merging that branch.
SELECT 1;
