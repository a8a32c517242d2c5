-- Regions in addresses, reviews and returns (issue 27 items 1, 3, 5), MySQL / MariaDB. The
-- SQLite twin is migrations/sqlite/0016_after_sales.sql.

-- The national administrative divisions (GB/T 2260) as 6-digit codes: level 1 省 (440000),
-- 2 市 (440300), 3 区/县 (440305). Loaded from data at start (server/src/regions.rs).
CREATE TABLE regions (
    code        VARCHAR(6) NOT NULL PRIMARY KEY,
    parent_code VARCHAR(6) NULL,
    level       BIGINT NOT NULL,
    name        VARCHAR(64) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX regions_parent ON regions (parent_code, code);

-- An address's region: the codes and the names as chosen (NULL: a free-text address of
-- before, shown as it is). The district is NULL for a city without districts.
ALTER TABLE addresses ADD COLUMN province_code VARCHAR(6) NULL;
ALTER TABLE addresses ADD COLUMN province VARCHAR(64) NULL;
ALTER TABLE addresses ADD COLUMN city_code VARCHAR(6) NULL;
ALTER TABLE addresses ADD COLUMN city VARCHAR(64) NULL;
ALTER TABLE addresses ADD COLUMN district_code VARCHAR(6) NULL;
ALTER TABLE addresses ADD COLUMN district VARCHAR(64) NULL;

-- Reviews (评价): one per line of a completed order; shown on every SKU of the line's SPU.
CREATE TABLE reviews (
    id           BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    order_id     VARCHAR(64) NOT NULL,
    sku_id       BIGINT NOT NULL,
    spu_id       BIGINT NOT NULL,
    user_id      BIGINT NOT NULL,
    -- 1 to 5.
    score        BIGINT NOT NULL,
    content      VARCHAR(2048) NOT NULL,
    is_anonymous BIGINT NOT NULL DEFAULT 0,
    -- Hidden by an operator (with the audit log): not shown, not counted.
    is_hidden    BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE UNIQUE INDEX reviews_line ON reviews (order_id, sku_id);
CREATE INDEX reviews_spu ON reviews (spu_id, is_hidden, created_at);

-- Returns (退货退款): some lines of a received order sent back for a refund. Status:
-- requested → approved | refused; approved → received (the goods are back and the stock
-- with them; the refund is asked of the gateway) → refunded.
CREATE TABLE after_sales (
    id           BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    order_id     VARCHAR(64) NOT NULL,
    user_id      BIGINT NOT NULL,
    status       VARCHAR(16) NOT NULL,
    reason       VARCHAR(1024) NOT NULL,
    -- Fen: the returned lines' price × count.
    amount       BIGINT NOT NULL,
    -- The operator's message with an approval or a refusal.
    reply        VARCHAR(1024) NULL,
    decided_by   VARCHAR(64) NULL,
    decided_at   BIGINT NULL,
    received_by  VARCHAR(64) NULL,
    received_at  BIGINT NULL,
    -- The gateway's refund request number (out_request_no), fixed per return, and what it
    -- confirmed.
    refund_no    VARCHAR(64) NULL,
    refunded_amount BIGINT NULL,
    refunded_at  BIGINT NULL,
    version      BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX after_sales_order ON after_sales (order_id);
CREATE INDEX after_sales_status ON after_sales (status, created_at);

CREATE TABLE after_sale_lines (
    after_sale_id BIGINT NOT NULL,
    sku_id        BIGINT NOT NULL,
    count         BIGINT NOT NULL,
    -- Fen, the unit price paid.
    price         BIGINT NOT NULL,
    PRIMARY KEY (after_sale_id, sku_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The shopper's pictures of a return (the pictures table's rules), in order.
CREATE TABLE after_sale_pictures (
    after_sale_id BIGINT NOT NULL,
    picture_id    BIGINT NOT NULL,
    position      BIGINT NOT NULL,
    PRIMARY KEY (after_sale_id, picture_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX after_sale_pictures_picture ON after_sale_pictures (picture_id);
