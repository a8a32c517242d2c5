-- The catalog issue (#8), SQLite. The MySQL twin is migrations/mysql/0004_catalog.sql.

-- One row: a counter bumped in the same transaction as every change of goods data (price,
-- stock shown to shoppers, launch state, names, images). The search index records the version
-- it was built from and is rebuilt when the database is ahead (crate::catalog).
CREATE TABLE goods_state (
    id      INTEGER PRIMARY KEY,
    version INTEGER NOT NULL
);
INSERT INTO goods_state (id, version) VALUES (1, 1);

-- Browsing history: the last SKUs each shopper viewed (at most 5 kept per user).
CREATE TABLE browse_history (
    user_id   INTEGER NOT NULL REFERENCES users(id),
    sku_id    INTEGER NOT NULL REFERENCES skus(id),
    -- Unix milliseconds of the latest view.
    viewed_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, sku_id)
);

-- Catalog lists: launched SKUs of a catalog's SPUs in each sort order.
CREATE INDEX spus_catalog ON spus (catalog_id);
CREATE INDEX skus_launched_price ON skus (is_launched, price);
