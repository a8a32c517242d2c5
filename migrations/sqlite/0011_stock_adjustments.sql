-- Stock adjustments made in the console (issue 25), SQLite. The MySQL / MariaDB twin is
-- migrations/mysql/0011_stock_adjustments.sql.

-- One row per adjustment: who, when, the SKU's stock before and after (read in the
-- adjustment's own transaction), the change in units and why. Never updated or deleted.
CREATE TABLE stock_adjustments (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    sku_id         INTEGER NOT NULL,
    staff_id       INTEGER NOT NULL,
    staff_username TEXT    NOT NULL,
    stock_before   INTEGER NOT NULL,
    stock_after    INTEGER NOT NULL,
    delta          INTEGER NOT NULL,
    reason         TEXT    NOT NULL,
    created_at     INTEGER NOT NULL
);
CREATE INDEX stock_adjustments_sku ON stock_adjustments (sku_id, created_at);
