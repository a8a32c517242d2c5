-- The operator console (issue 24), SQLite. The MySQL / MariaDB twin is
-- migrations/mysql/0010_console.sql; keep them in step.

-- Staff accounts, separate from shoppers: their own table, their own token audience.
-- `role` is one of the roles of dadashop_types::admin::ROLES (superuser, catalog, orders,
-- finance, readonly); the permissions come from the role. Bumping `token_version`
-- (disabling, a role change, a new password) revokes every token issued before.
CREATE TABLE staff (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    username       TEXT    NOT NULL UNIQUE,
    password_hash  TEXT    NOT NULL,
    role           TEXT    NOT NULL,
    is_active      INTEGER NOT NULL DEFAULT 1,
    token_version  INTEGER NOT NULL DEFAULT 0,
    last_login_at  INTEGER NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);

-- Every write made through the console, in the same transaction as the change. Never
-- updated or deleted by the application. `before_json` / `after_json`: the changed values.
CREATE TABLE audit_log (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    staff_id       INTEGER NOT NULL,
    staff_username TEXT    NOT NULL,
    ip             TEXT    NOT NULL,
    resource       TEXT    NOT NULL,
    resource_id    TEXT    NOT NULL,
    action         TEXT    NOT NULL,
    before_json    TEXT    NOT NULL,
    after_json     TEXT    NOT NULL,
    created_at     INTEGER NOT NULL
);
CREATE INDEX audit_log_created ON audit_log (created_at);
CREATE INDEX audit_log_staff ON audit_log (staff_id, created_at);
CREATE INDEX audit_log_resource ON audit_log (resource, created_at);

-- Shoppers: an operator can disable an account; the last login feeds the dashboard.
ALTER TABLE users ADD COLUMN is_disabled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN last_login_at INTEGER NULL;
CREATE INDEX users_created ON users (created_at);
CREATE INDEX users_last_login ON users (last_login_at);
CREATE INDEX users_phone ON users (phone);
CREATE INDEX users_email ON users (email);

-- Orders: a version for the console's optimistic writes, the shipment, and who and when of
-- each status change (the timeline of the order's detail).
ALTER TABLE orders ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN carrier TEXT NULL;
ALTER TABLE orders ADD COLUMN tracking_no TEXT NULL;
ALTER TABLE orders ADD COLUMN shipped_at INTEGER NULL;
ALTER TABLE orders ADD COLUMN shipped_by TEXT NULL;
ALTER TABLE orders ADD COLUMN received_at INTEGER NULL;
ALTER TABLE orders ADD COLUMN cancelled_at INTEGER NULL;
ALTER TABLE orders ADD COLUMN cancelled_by TEXT NULL;
-- The list's sorts end on the order id (a stable page order): each index carries it.
CREATE INDEX orders_created ON orders (created_at, order_id);
CREATE INDEX orders_status_created ON orders (status, created_at, order_id);
CREATE INDEX orders_amount ON orders (total_amount, order_id);
CREATE INDEX orders_receiver_mobile ON orders (receiver_mobile);

-- Refunds through the gateway (alipay.trade.refund): the request number that makes a retry
-- safe, what was refunded (fen), by whom and why.
ALTER TABLE payments ADD COLUMN refund_no TEXT NULL;
ALTER TABLE payments ADD COLUMN refund_amount INTEGER NULL;
ALTER TABLE payments ADD COLUMN refund_reason TEXT NULL;
CREATE INDEX payments_paid_at ON payments (paid_at);
ALTER TABLE payments ADD COLUMN refunded_by TEXT NULL;

-- The dashboard's low-stock list.
CREATE INDEX skus_stock ON skus (stock);

-- Product views per catalog per China day (the original's GoodsVisitCount), added up from
-- each API process's counters every few seconds.
CREATE TABLE catalog_visits (
    catalog_id INTEGER NOT NULL,
    day        TEXT    NOT NULL,
    visits     INTEGER NOT NULL,
    PRIMARY KEY (catalog_id, day)
);
