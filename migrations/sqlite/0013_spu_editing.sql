-- SPUs edited in the console (issue 25), SQLite. The MySQL / MariaDB twin is
-- migrations/mysql/0013_spu_editing.sql.

-- The SPU's description (plain text with line breaks, at most 2,000 characters; the shop
-- shows it as text, never as markup) and the version console writes carry.
ALTER TABLE spus ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE spus ADD COLUMN version INTEGER NOT NULL DEFAULT 0;

-- A SKU made in the console carries its SPU and sale attribute values as a key
-- (`<spu id>:<value id>,<value id>...`, ids ascending): two SKUs of one SPU cannot have the
-- same combination, even when two operators create it at the same moment. NULL for SKUs
-- made before (the console checks those by their values).
ALTER TABLE skus ADD COLUMN combination_key TEXT NULL;
CREATE UNIQUE INDEX skus_combination ON skus (combination_key);
