-- Alipay payments (issue #10), MySQL / MariaDB. The SQLite twin is migrations/sqlite/0008_payments.sql.

-- One row per paid trade: at most one per order and one per Alipay trade number, so a
-- replayed notification, a return and a reconciliation query can never apply a payment
-- twice. `outcome` says what the payment did: 'paid' (the order went 1 -> 2) or 'refund'
-- (it arrived for an order already cancelled, which went 5 -> 6 and waits for a refund).
CREATE TABLE payments (
    order_id    VARCHAR(32)  NOT NULL PRIMARY KEY REFERENCES orders(order_id),
    trade_no    VARCHAR(64)  NOT NULL,
    -- total_amount in fen, as the gateway reported it (equal to the order's).
    amount      BIGINT       NOT NULL,
    buyer_id    VARCHAR(32)  NULL,
    -- gmt_payment, Unix seconds.
    paid_at     BIGINT       NOT NULL,
    -- How the shop learnt of it: 'notify', 'return' or 'query'.
    source      VARCHAR(16)  NOT NULL,
    outcome     VARCHAR(16)  NOT NULL,
    -- When an operator recorded the refund as made (`dadashop orders refunded`).
    refunded_at BIGINT       NULL,
    created_at  BIGINT       NOT NULL,
    UNIQUE KEY payments_trade_no (trade_no)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Unix seconds of the first return to the result page while the order was still unpaid:
-- the reconciliation job asks the gateway about such orders (a lost notification).
ALTER TABLE orders ADD COLUMN return_seen_at BIGINT NULL;
