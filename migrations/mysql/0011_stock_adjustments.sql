-- Stock adjustments made in the console (issue 25), MySQL / MariaDB. The SQLite twin is
-- migrations/sqlite/0011_stock_adjustments.sql.

-- One row per adjustment: who, when, the SKU's stock before and after (read in the
-- adjustment's own transaction), the change in units and why. Never updated or deleted.
CREATE TABLE stock_adjustments (
    id             BIGINT PRIMARY KEY AUTO_INCREMENT,
    sku_id         BIGINT NOT NULL,
    staff_id       BIGINT NOT NULL,
    staff_username VARCHAR(64)  NOT NULL,
    stock_before   BIGINT NOT NULL,
    stock_after    BIGINT NOT NULL,
    delta          BIGINT NOT NULL,
    reason         VARCHAR(512) NOT NULL,
    created_at     BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX stock_adjustments_sku ON stock_adjustments (sku_id, created_at);
