//! Payments: applying a paid Alipay trade to its order exactly once, the refund list, the
//! orders the reconciliation job asks the gateway about, and the cancelled orders whose trade
//! the gateway must still close.
//!
//! **Exactly once.** A payment can be learnt of three ways (the notification, the return
//! page asking the gateway, the reconciliation job), each possibly repeated and racing the
//! others and the order's cancellation. [`apply`] runs in one write transaction whose
//! decisions are conditional `UPDATE`s on the order's status (on MySQL they lock the row and
//! read the latest committed state), and `payments` holds at most one row per order and one
//! per trade number. So of a payment and a cancellation exactly one changes an unpaid order:
//! - the payment first: 1 → 2 (paid), and the cancellation then changes nothing;
//! - the cancellation first: 1 → 5 with the stock returned, and the payment then flags the
//!   order for refund, 5 → 6, without taking the stock again;
//! - any later copy of the payment finds its row and changes nothing.

use sqlx::AnyPool;

use dadashop_types::orders::{
    STATUS_CANCELLED, STATUS_PAID, STATUS_REFUND_DUE, STATUS_REFUNDED, STATUS_UNPAID,
};

use super::{begin_write, is_unique_violation};
use crate::alipay::PaidTrade;

/// How the shop learnt of a payment (`payments.source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The gateway's asynchronous notification.
    Notify,
    /// The return page, which asked the gateway (`alipay.trade.query`).
    Return,
    /// The reconciliation job (`alipay.trade.query`).
    Query,
}

impl Source {
    /// The stored name: `notify`, `return` or `query`.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Notify => "notify",
            Source::Return => "return",
            Source::Query => "query",
        }
    }
}

/// What [`apply`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// This call marked the unpaid order paid (1 → 2).
    Paid,
    /// The order had been cancelled: this call recorded the payment and flagged the order
    /// for refund (5 → 6).
    RefundDue,
    /// This trade was applied before (a replay): nothing changed.
    Already,
    /// No such order.
    UnknownOrder,
    /// The trade's amount is not the order's (`expected` fen): nothing changed.
    AmountMismatch { expected: i64 },
    /// The order was paid by another trade, or this trade number belongs to another order:
    /// nothing changed (an operator must look).
    OtherTrade,
}

/// Applies the paid `trade` to its order, exactly once (module docs). `now` in Unix seconds.
///
/// # Errors
/// Database errors; a transient one (lock time-out, busy) leaves everything unchanged and
/// may be retried.
pub async fn apply(
    pool: &AnyPool,
    trade: &PaidTrade,
    source: Source,
    now: i64,
) -> Result<Applied, sqlx::Error> {
    // The amount never changes after creation: read it outside the transaction, so that the
    // transaction's first statements are the locking updates.
    let amount: Option<i64> =
        sqlx::query_scalar("SELECT total_amount FROM orders WHERE order_id = ?")
            .bind(&trade.order_id)
            .fetch_optional(pool)
            .await?;
    let Some(expected) = amount else {
        return Ok(Applied::UnknownOrder);
    };
    if expected != trade.amount_fen {
        return Ok(Applied::AmountMismatch { expected });
    }
    let mut tx = begin_write(pool).await?;
    for (from, to, outcome, applied) in [
        (STATUS_UNPAID, STATUS_PAID, "paid", Applied::Paid),
        (
            STATUS_CANCELLED,
            STATUS_REFUND_DUE,
            "refund",
            Applied::RefundDue,
        ),
    ] {
        let changed = sqlx::query(
            "UPDATE orders SET status = ?, version = version + 1, updated_at = ? \
             WHERE order_id = ? AND status = ?",
        )
        .bind(to)
        .bind(now)
        .bind(&trade.order_id)
        .bind(from)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() != 1 {
            continue;
        }
        let inserted = sqlx::query(
            "INSERT INTO payments (order_id, trade_no, amount, buyer_id, paid_at, source, outcome, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&trade.order_id)
        .bind(&trade.trade_no)
        .bind(trade.amount_fen)
        .bind(trade.buyer_id.as_deref())
        .bind(trade.paid_at)
        .bind(source.as_str())
        .bind(outcome)
        .bind(now)
        .execute(&mut *tx)
        .await;
        return match inserted {
            Ok(_) => {
                tx.commit().await?;
                Ok(applied)
            }
            Err(e) if is_unique_violation(&e) => {
                tx.rollback().await?;
                Ok(Applied::OtherTrade)
            }
            Err(e) => Err(e),
        };
    }
    // Neither unpaid nor cancelled: paid before (by this trade, or another), shipped, done
    // or refunded. The updates above waited for any concurrent payment to commit.
    let recorded: Option<String> =
        sqlx::query_scalar("SELECT trade_no FROM payments WHERE order_id = ?")
            .bind(&trade.order_id)
            .fetch_optional(&mut *tx)
            .await?;
    tx.rollback().await?;
    Ok(if recorded.as_deref() == Some(trade.trade_no.as_str()) {
        Applied::Already
    } else {
        Applied::OtherTrade
    })
}

/// Notes that the shopper came back from the gateway while `order_id` was unpaid, so that
/// the reconciliation job asks about it (a lost notification). Keeps the first time.
pub async fn mark_return_seen(pool: &AnyPool, order_id: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE orders SET return_seen_at = ? \
         WHERE order_id = ? AND status = ? AND return_seen_at IS NULL",
    )
    .bind(now)
    .bind(order_id)
    .bind(STATUS_UNPAID)
    .execute(pool)
    .await?;
    Ok(())
}

/// At most `limit` unpaid orders to ask the gateway about: those whose deadline is within
/// `window_secs` of `now` (or past, not yet cancelled), and those whose return was seen
/// without a notification. Soonest deadline first.
pub async fn due_for_reconciliation(
    pool: &AnyPool,
    now: i64,
    window_secs: i64,
    limit: i64,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT order_id FROM orders WHERE status = ? \
         AND (pay_deadline <= ? OR return_seen_at IS NOT NULL) \
         ORDER BY pay_deadline LIMIT ?",
    )
    .bind(STATUS_UNPAID)
    .bind(now + window_secs)
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// Whether the trade of `order_id` is still to be closed (`trade_close_due` set by
/// [`crate::db::orders::cancel`]).
pub async fn trade_close_due(pool: &AnyPool, order_id: &str) -> Result<bool, sqlx::Error> {
    let due: Option<Option<i64>> =
        sqlx::query_scalar("SELECT trade_close_due FROM orders WHERE order_id = ?")
            .bind(order_id)
            .fetch_optional(pool)
            .await?;
    Ok(matches!(due, Some(Some(_))))
}

/// Records that the gateway has answered the close of `order_id`'s trade (closed, no such
/// trade, or not waiting for payment): nothing is due any more. `false` when nothing was.
pub async fn trade_close_done(pool: &AnyPool, order_id: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE orders SET trade_close_due = NULL \
         WHERE order_id = ? AND trade_close_due IS NOT NULL",
    )
    .bind(order_id)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Makes the close of `order_id`'s trade due again from `at` (Unix seconds) instead of
/// settling it: a trade the gateway does not hold yet, or a refused close that should not
/// stay first in the sweep's list. `false` when nothing was due.
pub async fn trade_close_later(
    pool: &AnyPool,
    order_id: &str,
    at: i64,
) -> Result<bool, sqlx::Error> {
    let moved = sqlx::query(
        "UPDATE orders SET trade_close_due = ? \
         WHERE order_id = ? AND trade_close_due IS NOT NULL",
    )
    .bind(at)
    .bind(order_id)
    .execute(pool)
    .await?;
    Ok(moved.rows_affected() == 1)
}

/// The payment deadline of `order_id` (Unix seconds): its pay URLs expire then
/// (`time_expire`); `None` for an unknown order.
pub async fn pay_deadline(pool: &AnyPool, order_id: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT pay_deadline FROM orders WHERE order_id = ?")
        .bind(order_id)
        .fetch_optional(pool)
        .await
}

/// At most `limit` orders whose trade has been due for closing since `due_by` (Unix seconds)
/// or earlier, longest due first: the closes the sweep makes because their job was not
/// queued, or gave up.
pub async fn trade_closes_due(
    pool: &AnyPool,
    due_by: i64,
    limit: i64,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT order_id FROM orders WHERE trade_close_due IS NOT NULL AND trade_close_due <= ? \
         ORDER BY trade_close_due LIMIT ?",
    )
    .bind(due_by)
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// A payment that arrived for a cancelled order.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RefundRow {
    pub order_id: String,
    pub user_id: i64,
    pub username: String,
    /// Alipay's trade number, to refund against.
    pub trade_no: String,
    /// Fen.
    pub amount: i64,
    /// Unix seconds.
    pub paid_at: i64,
    /// Unix seconds, once an operator recorded the refund.
    pub refunded_at: Option<i64>,
}

/// Every payment for a cancelled order, those still to refund first, then newest first.
pub async fn refunds(pool: &AnyPool) -> Result<Vec<RefundRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT p.order_id, o.user_id, u.username, p.trade_no, p.amount, p.paid_at, p.refunded_at \
         FROM payments p JOIN orders o ON o.order_id = p.order_id JOIN users u ON u.id = o.user_id \
         WHERE p.outcome = 'refund' \
         ORDER BY CASE WHEN p.refunded_at IS NULL THEN 0 ELSE 1 END, p.paid_at DESC",
    )
    .fetch_all(pool)
    .await
}

/// Records that the refund of `order_id` was made (6 → 7). `false` when the order is not
/// waiting for a refund.
pub async fn mark_refunded(pool: &AnyPool, order_id: &str, now: i64) -> Result<bool, sqlx::Error> {
    let mut tx = begin_write(pool).await?;
    let changed = sqlx::query(
        "UPDATE orders SET status = ?, version = version + 1, updated_at = ? \
         WHERE order_id = ? AND status = ?",
    )
    .bind(STATUS_REFUNDED)
    .bind(now)
    .bind(order_id)
    .bind(STATUS_REFUND_DUE)
    .execute(&mut *tx)
    .await?;
    if changed.rows_affected() != 1 {
        tx.rollback().await?;
        return Ok(false);
    }
    sqlx::query(
        "UPDATE payments SET refunded_at = ?, refunded_by = 'cli', refund_amount = amount \
         WHERE order_id = ? AND outcome = 'refund'",
    )
    .bind(now)
    .bind(order_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Starts the refund of `order_id` through the gateway, if it is still at `version`: a paid
/// order not shipped (status 2) is cancelled first (2 → 6, its stock back once, like any
/// cancel); an order waiting for a refund (6) stays so. Either way the version moves on, the
/// payment gets the refund request number `request_no` (kept if one was set before, so that
/// every retry names the same request) and `reason`, and the audit row is written, all in
/// one transaction. Returns the SKUs restocked, or `None` when the order is not at `version`
/// or not in one of those statuses (nothing changed).
pub async fn begin_refund(
    pool: &AnyPool,
    order_id: &str,
    version: i64,
    request_no: &str,
    reason: &str,
    actor: &crate::db::audit::Actor,
    now: i64,
) -> Result<Option<Vec<i64>>, sqlx::Error> {
    let mut tx = begin_write(pool).await?;
    let cancelled = sqlx::query(
        "UPDATE orders SET status = ?, cancel_reason = 'refund', cancelled_at = ?, \
         cancelled_by = ?, version = version + 1, updated_at = ? \
         WHERE order_id = ? AND version = ? AND status = ?",
    )
    .bind(STATUS_REFUND_DUE)
    .bind(now)
    .bind(actor.label())
    .bind(now)
    .bind(order_id)
    .bind(version)
    .bind(dadashop_types::orders::STATUS_PAID)
    .execute(&mut *tx)
    .await?;
    let mut restocked = Vec::new();
    let from_status = if cancelled.rows_affected() == 1 {
        let lines: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT sku_id, count FROM order_lines WHERE order_id = ? ORDER BY sku_id",
        )
        .bind(order_id)
        .fetch_all(&mut *tx)
        .await?;
        restocked = crate::db::orders::restock(&mut tx, &lines, now).await?;
        dadashop_types::orders::STATUS_PAID
    } else {
        let due = sqlx::query(
            "UPDATE orders SET version = version + 1, updated_at = ? \
             WHERE order_id = ? AND version = ? AND status = ?",
        )
        .bind(now)
        .bind(order_id)
        .bind(version)
        .bind(STATUS_REFUND_DUE)
        .execute(&mut *tx)
        .await?;
        if due.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(None);
        }
        STATUS_REFUND_DUE
    };
    sqlx::query(
        "UPDATE payments SET refund_no = COALESCE(refund_no, ?), \
         refund_reason = CASE WHEN ? = '' THEN refund_reason ELSE ? END WHERE order_id = ?",
    )
    .bind(request_no)
    .bind(reason)
    .bind(reason)
    .bind(order_id)
    .execute(&mut *tx)
    .await?;
    crate::db::audit::record(
        &mut tx,
        actor,
        &crate::db::audit::Change {
            resource: "refunds",
            resource_id: order_id,
            action: "request",
            before: serde_json::json!({ "status": from_status, "version": version }),
            after: serde_json::json!({
                "status": STATUS_REFUND_DUE, "version": version + 1,
                "out_request_no": request_no, "reason": reason, "restocked": restocked,
            }),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Some(restocked))
}

/// Records the refund of `order_id` that the gateway confirmed (6 → 7): `amount` fen at
/// `refunded_at` (Unix seconds), by `actor`, with its audit row, in one transaction. `false`
/// when the order no longer waits for a refund (recorded already).
pub async fn finish_refund(
    pool: &AnyPool,
    order_id: &str,
    amount: i64,
    refunded_at: i64,
    actor: &crate::db::audit::Actor,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let mut tx = begin_write(pool).await?;
    let changed = sqlx::query(
        "UPDATE orders SET status = ?, version = version + 1, updated_at = ? \
         WHERE order_id = ? AND status = ?",
    )
    .bind(STATUS_REFUNDED)
    .bind(now)
    .bind(order_id)
    .bind(STATUS_REFUND_DUE)
    .execute(&mut *tx)
    .await?;
    if changed.rows_affected() != 1 {
        tx.rollback().await?;
        return Ok(false);
    }
    sqlx::query(
        "UPDATE payments SET refunded_at = ?, refund_amount = ?, refunded_by = ? WHERE order_id = ?",
    )
    .bind(refunded_at)
    .bind(amount)
    .bind(actor.label())
    .bind(order_id)
    .execute(&mut *tx)
    .await?;
    crate::db::audit::record(
        &mut tx,
        actor,
        &crate::db::audit::Change {
            resource: "refunds",
            resource_id: order_id,
            action: "refund",
            before: serde_json::json!({ "status": STATUS_REFUND_DUE }),
            after: serde_json::json!({ "status": STATUS_REFUNDED, "refund_amount": amount, "refunded_at": refunded_at }),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}
