-- Regions in addresses, reviews and returns (issue 27 items 1, 3, 5), SQLite. The
-- MySQL / MariaDB twin is migrations/mysql/0016_after_sales.sql.

-- The national administrative divisions (GB/T 2260) as 6-digit codes: level 1 省 (440000),
-- 2 市 (440300), 3 区/县 (440305). Loaded from data at start (server/src/regions.rs).
CREATE TABLE regions (
    code        TEXT NOT NULL PRIMARY KEY,
    parent_code TEXT NULL,
    level       INTEGER NOT NULL,
    name        TEXT NOT NULL
);
CREATE INDEX regions_parent ON regions (parent_code, code);

-- An address's region: the codes and the names as chosen (NULL: a free-text address of
-- before, shown as it is). The district is NULL for a city without districts.
ALTER TABLE addresses ADD COLUMN province_code TEXT NULL;
ALTER TABLE addresses ADD COLUMN province TEXT NULL;
ALTER TABLE addresses ADD COLUMN city_code TEXT NULL;
ALTER TABLE addresses ADD COLUMN city TEXT NULL;
ALTER TABLE addresses ADD COLUMN district_code TEXT NULL;
ALTER TABLE addresses ADD COLUMN district TEXT NULL;

-- Reviews (评价): one per line of a completed order; shown on every SKU of the line's SPU.
CREATE TABLE reviews (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id     TEXT NOT NULL,
    sku_id       INTEGER NOT NULL,
    spu_id       INTEGER NOT NULL,
    user_id      INTEGER NOT NULL,
    -- 1 to 5.
    score        INTEGER NOT NULL,
    content      TEXT NOT NULL,
    is_anonymous INTEGER NOT NULL DEFAULT 0,
    -- Hidden by an operator (with the audit log): not shown, not counted.
    is_hidden    INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE UNIQUE INDEX reviews_line ON reviews (order_id, sku_id);
CREATE INDEX reviews_spu ON reviews (spu_id, is_hidden, created_at);

-- Returns (退货退款): some lines of a received order sent back for a refund. Status:
-- requested → approved | refused; approved → received (the goods are back and the stock
-- with them; the refund is asked of the gateway) → refunded.
CREATE TABLE after_sales (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id     TEXT NOT NULL,
    user_id      INTEGER NOT NULL,
    status       TEXT NOT NULL,
    reason       TEXT NOT NULL,
    -- Fen: the returned lines' price × count.
    amount       INTEGER NOT NULL,
    -- The operator's message with an approval or a refusal.
    reply        TEXT NULL,
    decided_by   TEXT NULL,
    decided_at   INTEGER NULL,
    received_by  TEXT NULL,
    received_at  INTEGER NULL,
    -- The gateway's refund request number (out_request_no), fixed per return, and what it
    -- confirmed.
    refund_no    TEXT NULL,
    refunded_amount INTEGER NULL,
    refunded_at  INTEGER NULL,
    version      INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX after_sales_order ON after_sales (order_id);
CREATE INDEX after_sales_status ON after_sales (status, created_at);

CREATE TABLE after_sale_lines (
    after_sale_id INTEGER NOT NULL,
    sku_id        INTEGER NOT NULL,
    count         INTEGER NOT NULL,
    -- Fen, the unit price paid.
    price         INTEGER NOT NULL,
    PRIMARY KEY (after_sale_id, sku_id)
);

-- The shopper's pictures of a return (the pictures table's rules), in order.
CREATE TABLE after_sale_pictures (
    after_sale_id INTEGER NOT NULL,
    picture_id    INTEGER NOT NULL,
    position      INTEGER NOT NULL,
    PRIMARY KEY (after_sale_id, picture_id)
);
CREATE INDEX after_sale_pictures_picture ON after_sale_pictures (picture_id);
