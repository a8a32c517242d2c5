-- The catalog issue (#8), MySQL / MariaDB. The SQLite twin is migrations/sqlite/0004_catalog.sql.

-- One row: a counter bumped in the same transaction as every change of goods data (price,
-- stock shown to shoppers, launch state, names, images). The search index records the version
-- it was built from and is rebuilt when the database is ahead (crate::catalog).
CREATE TABLE goods_state (
    id      BIGINT NOT NULL PRIMARY KEY,
    version BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT INTO goods_state (id, version) VALUES (1, 1);

-- Browsing history: the last SKUs each shopper viewed (at most 5 kept per user).
CREATE TABLE browse_history (
    user_id   BIGINT NOT NULL REFERENCES users(id),
    sku_id    BIGINT NOT NULL REFERENCES skus(id),
    -- Unix milliseconds of the latest view.
    viewed_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, sku_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Catalog lists: launched SKUs of a catalog's SPUs in each sort order.
CREATE INDEX spus_catalog ON spus (catalog_id);
CREATE INDEX skus_launched_price ON skus (is_launched, price);
