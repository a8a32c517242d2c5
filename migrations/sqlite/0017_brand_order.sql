-- Brands ordered and hidden in the console like catalogs (issue 25, item 1), SQLite. The
-- MySQL / MariaDB twin is migrations/mysql/0017_brand_order.sql.

-- A brand's place in the console's list and the SPU editor's choice (lowest first, then by
-- first letter and name), and whether shoppers see its name (a hidden brand is named
-- neither on its products' pages nor in search; its products stay on sale).
ALTER TABLE brands ADD COLUMN sort_order INTEGER NOT NULL DEFAULT 0;
ALTER TABLE brands ADD COLUMN is_hidden INTEGER NOT NULL DEFAULT 0;
