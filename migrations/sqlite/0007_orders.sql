-- Carts and orders (issue #9), SQLite. The MySQL twin is migrations/mysql/0007_orders.sql.

-- The server cart: one line per (user, SKU), kept in the shop's database so that order
-- creation takes its lines in the same transaction that takes the stock.
CREATE TABLE cart_lines (
    user_id    INTEGER NOT NULL REFERENCES users(id),
    sku_id     INTEGER NOT NULL REFERENCES skus(id),
    -- Units, 1 to 999.
    count      INTEGER NOT NULL,
    selected   INTEGER NOT NULL DEFAULT 1,
    -- Unix milliseconds: lines are shown oldest first.
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, sku_id)
);

-- Orders. `order_id` is YYYYmmddHHMMSS (China Standard Time) + the user id on 9 digits + a
-- 2-digit sequence for several orders of one user in one second. Amounts in fen.
CREATE TABLE orders (
    order_id        TEXT    NOT NULL PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES users(id),
    -- The delivery address, copied: later edits of the address book do not change it.
    receiver        TEXT    NOT NULL,
    address         TEXT    NOT NULL,
    receiver_mobile TEXT    NOT NULL,
    tag             TEXT    NOT NULL,
    total_count     INTEGER NOT NULL,
    goods_amount    INTEGER NOT NULL,
    freight         INTEGER NOT NULL,
    -- Goods and freight: what the shopper pays.
    total_amount    INTEGER NOT NULL,
    -- 1 unpaid, 2 paid, 3 shipped, 4 done, 5 cancelled.
    status          INTEGER NOT NULL,
    -- Unix seconds after which an unpaid order is cancelled.
    pay_deadline    INTEGER NOT NULL,
    -- The client's Idempotency-Key and a hash of its request: a retry answers this order.
    idempotency_key TEXT    NULL,
    request_hash    TEXT    NULL,
    -- Cart lines left after the order was made (its creation answer is rebuilt from this).
    carts_count     INTEGER NOT NULL DEFAULT 0,
    -- 'shopper' or 'timeout' once cancelled.
    cancel_reason   TEXT    NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    UNIQUE (user_id, idempotency_key)
);
CREATE INDEX orders_user_status ON orders (user_id, status, created_at);
CREATE INDEX orders_unpaid ON orders (status, pay_deadline);

-- The lines of an order as they were ordered (name, price and sale attributes copied).
CREATE TABLE order_lines (
    order_id          TEXT    NOT NULL REFERENCES orders(order_id),
    sku_id            INTEGER NOT NULL REFERENCES skus(id),
    name              TEXT    NOT NULL,
    -- Unit price in fen.
    price             INTEGER NOT NULL,
    count             INTEGER NOT NULL,
    default_image_url TEXT    NOT NULL,
    -- JSON: [["颜色", "红色"], ["尺寸", "L"]].
    sale_attrs        TEXT    NOT NULL,
    PRIMARY KEY (order_id, sku_id)
);
