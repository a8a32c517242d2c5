-- Closing the gateway's trade of a cancelled order (issue 21), MySQL / MariaDB. The SQLite
-- twin is migrations/sqlite/0009_trade_close.sql.

-- Unix seconds from which the Alipay trade of a cancelled order must be closed
-- (`alipay.trade.close`), so that the order's old pay URL can no longer pay it. Set in the
-- cancel's own transaction when online payment is on, cleared once the gateway answered
-- (closed, no such trade, or no longer waiting for payment); NULL when nothing is due. The
-- close job does it at once; the order sweep closes what is still due a minute later (a
-- job that could not be queued, or that ran out of tries).
ALTER TABLE orders ADD COLUMN trade_close_due BIGINT NULL;
CREATE INDEX orders_trade_close_due ON orders (trade_close_due);
