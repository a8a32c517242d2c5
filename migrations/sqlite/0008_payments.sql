-- Alipay payments (issue #10), SQLite. The MySQL twin is migrations/mysql/0008_payments.sql.

-- One row per paid trade: at most one per order and one per Alipay trade number, so a
-- replayed notification, a return and a reconciliation query can never apply a payment
-- twice. `outcome` says what the payment did: 'paid' (the order went 1 -> 2) or 'refund'
-- (it arrived for an order already cancelled, which went 5 -> 6 and waits for a refund).
CREATE TABLE payments (
    order_id    TEXT    NOT NULL PRIMARY KEY REFERENCES orders(order_id),
    trade_no    TEXT    NOT NULL UNIQUE,
    -- total_amount in fen, as the gateway reported it (equal to the order's).
    amount      INTEGER NOT NULL,
    buyer_id    TEXT    NULL,
    -- gmt_payment, Unix seconds.
    paid_at     INTEGER NOT NULL,
    -- How the shop learnt of it: 'notify', 'return' or 'query'.
    source      TEXT    NOT NULL,
    outcome     TEXT    NOT NULL,
    -- When an operator recorded the refund as made (`dadashop orders refunded`).
    refunded_at INTEGER NULL,
    created_at  INTEGER NOT NULL
);

-- Unix seconds of the first return to the result page while the order was still unpaid:
-- the reconciliation job asks the gateway about such orders (a lost notification).
ALTER TABLE orders ADD COLUMN return_seen_at INTEGER NULL;
