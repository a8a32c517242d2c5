-- Catalogs and brands managed in the console (issue 25), SQLite. The MySQL / MariaDB twin is
-- migrations/mysql/0012_catalog_order.sql.

-- A catalog's place in the shop's navigation and home page (lowest first, then by id), and
-- whether shoppers see it (a hidden catalog is neither listed nor browsable; its products
-- stay reachable by search and link). `version`: console writes carry the one they read.
ALTER TABLE catalogs ADD COLUMN sort_order INTEGER NOT NULL DEFAULT 0;
ALTER TABLE catalogs ADD COLUMN is_hidden INTEGER NOT NULL DEFAULT 0;
ALTER TABLE catalogs ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE brands ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
