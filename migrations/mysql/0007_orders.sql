-- Carts and orders (issue #9), MySQL / MariaDB. The SQLite twin is migrations/sqlite/0007_orders.sql.

-- The server cart: one line per (user, SKU), kept in the shop's database so that order
-- creation takes its lines in the same transaction that takes the stock.
CREATE TABLE cart_lines (
    user_id    BIGINT NOT NULL REFERENCES users(id),
    sku_id     BIGINT NOT NULL REFERENCES skus(id),
    -- Units, 1 to 999.
    count      BIGINT NOT NULL,
    selected   BIGINT NOT NULL DEFAULT 1,
    -- Unix milliseconds: lines are shown oldest first.
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, sku_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Orders. `order_id` is YYYYmmddHHMMSS (China Standard Time) + the user id on 9 digits + a
-- 2-digit sequence for several orders of one user in one second. Amounts in fen.
CREATE TABLE orders (
    order_id        VARCHAR(32)  NOT NULL PRIMARY KEY,
    user_id         BIGINT       NOT NULL REFERENCES users(id),
    -- The delivery address, copied: later edits of the address book do not change it.
    receiver        VARCHAR(128) NOT NULL,
    address         VARCHAR(512) NOT NULL,
    receiver_mobile VARCHAR(32)  NOT NULL,
    tag             VARCHAR(64)  NOT NULL,
    total_count     BIGINT       NOT NULL,
    goods_amount    BIGINT       NOT NULL,
    freight         BIGINT       NOT NULL,
    -- Goods and freight: what the shopper pays.
    total_amount    BIGINT       NOT NULL,
    -- 1 unpaid, 2 paid, 3 shipped, 4 done, 5 cancelled.
    status          BIGINT       NOT NULL,
    -- Unix seconds after which an unpaid order is cancelled.
    pay_deadline    BIGINT       NOT NULL,
    -- The client's Idempotency-Key and a hash of its request: a retry answers this order.
    idempotency_key VARCHAR(64)  NULL,
    request_hash    VARCHAR(64)  NULL,
    -- Cart lines left after the order was made (its creation answer is rebuilt from this).
    carts_count     BIGINT       NOT NULL DEFAULT 0,
    -- 'shopper' or 'timeout' once cancelled.
    cancel_reason   VARCHAR(16)  NULL,
    created_at      BIGINT       NOT NULL,
    updated_at      BIGINT       NOT NULL,
    UNIQUE KEY orders_idempotency (user_id, idempotency_key),
    KEY orders_user_status (user_id, status, created_at),
    KEY orders_unpaid (status, pay_deadline)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The lines of an order as they were ordered (name, price and sale attributes copied).
CREATE TABLE order_lines (
    order_id          VARCHAR(32)  NOT NULL REFERENCES orders(order_id),
    sku_id            BIGINT       NOT NULL REFERENCES skus(id),
    name              VARCHAR(512) NOT NULL,
    -- Unit price in fen.
    price             BIGINT       NOT NULL,
    count             BIGINT       NOT NULL,
    default_image_url VARCHAR(512) NOT NULL,
    -- JSON: [["颜色", "红色"], ["尺寸", "L"]].
    sale_attrs        VARCHAR(2048) NOT NULL,
    PRIMARY KEY (order_id, sku_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
