-- The operator console (issue 24), MySQL / MariaDB. The SQLite twin is
-- migrations/sqlite/0010_console.sql; keep them in step.

-- Staff accounts, separate from shoppers: their own table, their own token audience.
-- `role` is one of the roles of dadashop_types::admin::ROLES (superuser, catalog, orders,
-- finance, readonly); the permissions come from the role. Bumping `token_version`
-- (disabling, a role change, a new password) revokes every token issued before.
CREATE TABLE staff (
    id             BIGINT PRIMARY KEY AUTO_INCREMENT,
    username       VARCHAR(64)  NOT NULL UNIQUE,
    password_hash  VARCHAR(255) NOT NULL,
    role           VARCHAR(32)  NOT NULL,
    is_active      BIGINT NOT NULL DEFAULT 1,
    token_version  BIGINT NOT NULL DEFAULT 0,
    last_login_at  BIGINT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Every write made through the console, in the same transaction as the change. Never
-- updated or deleted by the application. `before_json` / `after_json`: the changed values.
CREATE TABLE audit_log (
    id             BIGINT PRIMARY KEY AUTO_INCREMENT,
    staff_id       BIGINT NOT NULL,
    staff_username VARCHAR(64)  NOT NULL,
    ip             VARCHAR(64)  NOT NULL,
    resource       VARCHAR(32)  NOT NULL,
    resource_id    VARCHAR(64)  NOT NULL,
    action         VARCHAR(32)  NOT NULL,
    before_json    VARCHAR(6000) NOT NULL,
    after_json     VARCHAR(6000) NOT NULL,
    created_at     BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX audit_log_created ON audit_log (created_at);
CREATE INDEX audit_log_staff ON audit_log (staff_id, created_at);
CREATE INDEX audit_log_resource ON audit_log (resource, created_at);

-- Shoppers: an operator can disable an account; the last login feeds the dashboard.
ALTER TABLE users ADD COLUMN is_disabled BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN last_login_at BIGINT NULL;
CREATE INDEX users_created ON users (created_at);
CREATE INDEX users_last_login ON users (last_login_at);
CREATE INDEX users_phone ON users (phone);
CREATE INDEX users_email ON users (email);

-- Orders: a version for the console's optimistic writes, the shipment, and who and when of
-- each status change (the timeline of the order's detail).
ALTER TABLE orders ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN carrier VARCHAR(64) NULL;
ALTER TABLE orders ADD COLUMN tracking_no VARCHAR(64) NULL;
ALTER TABLE orders ADD COLUMN shipped_at BIGINT NULL;
ALTER TABLE orders ADD COLUMN shipped_by VARCHAR(64) NULL;
ALTER TABLE orders ADD COLUMN received_at BIGINT NULL;
ALTER TABLE orders ADD COLUMN cancelled_at BIGINT NULL;
ALTER TABLE orders ADD COLUMN cancelled_by VARCHAR(64) NULL;
-- The list's sorts end on the order id (a stable page order): each index carries it.
CREATE INDEX orders_created ON orders (created_at, order_id);
CREATE INDEX orders_status_created ON orders (status, created_at, order_id);
CREATE INDEX orders_amount ON orders (total_amount, order_id);
CREATE INDEX orders_receiver_mobile ON orders (receiver_mobile);

-- Refunds through the gateway (alipay.trade.refund): the request number that makes a retry
-- safe, what was refunded (fen), by whom and why.
ALTER TABLE payments ADD COLUMN refund_no VARCHAR(64) NULL;
ALTER TABLE payments ADD COLUMN refund_amount BIGINT NULL;
ALTER TABLE payments ADD COLUMN refund_reason VARCHAR(512) NULL;
CREATE INDEX payments_paid_at ON payments (paid_at);
ALTER TABLE payments ADD COLUMN refunded_by VARCHAR(64) NULL;

-- The dashboard's low-stock list.
CREATE INDEX skus_stock ON skus (stock);

-- Product views per catalog per China day (the original's GoodsVisitCount), added up from
-- each API process's counters every few seconds.
CREATE TABLE catalog_visits (
    catalog_id BIGINT NOT NULL,
    day        VARCHAR(10)  NOT NULL,
    visits     BIGINT NOT NULL,
    PRIMARY KEY (catalog_id, day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
