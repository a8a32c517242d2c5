//! Order time-outs: an unpaid order is cancelled and its stock returned once its payment
//! deadline (`ORDER_PAY_TIMEOUT_SECS` after it was made) has passed.
//!
//! Two paths lead there, and [`crate::db::orders::cancel`] makes sure only one of them (or
//! the shopper's own cancel) has an effect:
//! - the delayed [`OrderTimeoutJob`] queued when the order is made, run at the deadline;
//! - the sweep ([`Periodic::Sweep`], run by `crate::jobs::supervise`), run by every worker
//!   process at start, after its time-out worker recovers from an outage, and every
//!   `ORDER_SWEEP_SECS`, which catches orders whose job was lost (the broker was down when
//!   the order was made, Redis lost its data, a queue was purged).
//!
//! With online payment on, the time-out first asks the gateway (`alipay.trade.query`) and
//! applies a payment it reports instead of cancelling, and the reconciliation
//! ([`reconcile`], every `ALIPAY_RECONCILE_SECS`) asks about unpaid orders within
//! [`RECONCILE_WINDOW_SECS`] of their deadline and orders whose shopper came back from the
//! gateway without a notification following: a lost notification still ends paid.
//!
//! **Closing the trade** (issue 21). A pay URL handed out before the cancel would still pay
//! on the gateway, and each such payment needs a manual refund. So with online payment on,
//! every cancel of an unpaid order (the shopper's, the time-out job's, the sweep's) marks the
//! order's trade due for closing in its own transaction ([`crate::db::orders::cancel`]) and,
//! once committed, queues a [`TradeCloseJob`] ([`queue_trade_close`]). Its handler
//! ([`handle_trade_close`]) calls `alipay.trade.close` ([`reconcile::close_trade`]): success
//! completes it, and so does `ACQ.TRADE_NOT_EXIST` once the order's pay URLs have expired
//! (before that, a pay URL handed out earlier could still be opened and create the trade,
//! so the close stays due and the sweep makes it again); a gateway that does not
//! answer (time-out, 5xx, system error) is a transient failure the queue retries with its
//! back-off; `ACQ.TRADE_STATUS_ERROR` (paid or closed before) asks the trade query and
//! applies a payment it finds, which flags the order for refund. A close that could not be
//! queued, or whose job ran out of tries, is made by the sweep ([`close_due_trades`]) once it
//! has been due for [`CLOSE_GRACE_SECS`].

use std::time::Duration;

use apalis::prelude::{Attempt, BoxDynError, Data};

use super::{JobContext, Jobs, OrderTimeoutJob, TradeCloseJob, TryError, settle};
use crate::alipay::AlipayError;
use crate::db::orders::{self, Cancelled, Canceller};
use crate::db::payments::{self, Applied, Source};
use crate::reconcile::{self, CloseError, ClosedTrade, GatewayAnswer};

/// Most orders one sweep cancels; the next sweep takes the rest.
pub const SWEEP_BATCH: i64 = 500;
/// Longest a time-out job that runs before its deadline waits for it (the queue schedules
/// to the second, so a job may start up to a second early); an earlier job leaves the order
/// to a later sweep.
pub const EARLY_WAIT_SECS: i64 = 5;

/// How close to its deadline (in seconds) an unpaid order is asked about by [`reconcile`].
pub const RECONCILE_WINDOW_SECS: i64 = 300;
/// Most orders one reconciliation asks about; the next one takes the rest.
pub const RECONCILE_BATCH: i64 = 200;
/// Seconds a due trade close is left to its [`TradeCloseJob`] before the sweep makes it
/// ([`close_due_trades`]); closing twice is harmless, this only spares the gateway.
pub const CLOSE_GRACE_SECS: i64 = 60;

/// How long the sweep waits before it tries again a close the gateway refused, in seconds.
pub const REFUSED_CLOSE_BACKOFF_SECS: i64 = 600;

/// Asks the gateway whether `order_id` was paid and applies the payment if so
/// ([`reconcile::ask_and_apply`]); `None` when payment is off.
async fn payment_from_gateway(
    ctx: &JobContext,
    order_id: &str,
) -> Result<Option<GatewayAnswer>, sqlx::Error> {
    let Some(alipay) = &ctx.alipay else {
        return Ok(None);
    };
    let answer = reconcile::ask_and_apply(&ctx.db, alipay, order_id, Source::Query).await?;
    if let GatewayAnswer::Unreachable(e) = &answer {
        tracing::warn!(order_id, error = %e, "alipay trade query failed");
    }
    Ok(Some(answer))
}

/// Cancels `order_id` for its time-out if it is still unpaid past its deadline, and tells the
/// API processes about SKUs back in stock. With online payment on, the gateway is asked
/// first and a payment it reports is applied instead. Returns whether this call cancelled it.
pub async fn expire(ctx: &JobContext, order_id: &str) -> Result<bool, sqlx::Error> {
    Ok(expire_asking(ctx, order_id, true).await?.0)
}

/// [`expire`], asking the gateway only when `ask`; also says whether the gateway could not
/// be asked (a sweep then stops asking, rather than wait out a time-out per order).
async fn expire_asking(
    ctx: &JobContext,
    order_id: &str,
    ask: bool,
) -> Result<(bool, bool), sqlx::Error> {
    let mut unreachable = false;
    if ask {
        match payment_from_gateway(ctx, order_id).await? {
            Some(GatewayAnswer::Applied(_)) => return Ok((false, false)),
            Some(GatewayAnswer::Unreachable(_)) => unreachable = true,
            Some(GatewayAnswer::Unpaid) | None => {}
        }
    }
    let cancelled = cancel_for_time_out(ctx, order_id).await?;
    Ok((cancelled, unreachable))
}

/// The cancellation of [`expire`] itself; with online payment on it also has the trade
/// closed ([`queue_trade_close`]).
async fn cancel_for_time_out(ctx: &JobContext, order_id: &str) -> Result<bool, sqlx::Error> {
    let close_trade = ctx.alipay.is_some();
    let now = crate::db::now_secs();
    match orders::cancel(&ctx.db, order_id, Canceller::Timeout, close_trade, now).await? {
        Cancelled::Done { restocked } => {
            tracing::info!(order_id, "unpaid order cancelled at its payment deadline");
            if close_trade {
                queue_trade_close(ctx.jobs.as_ref(), order_id).await;
            }
            if let Some(kv) = &ctx.kv {
                crate::catalog::availability_changed(kv, &restocked).await;
            }
            Ok(true)
        }
        Cancelled::NotApplicable => Ok(false),
    }
}

/// The handler of [`OrderTimeoutJob`].
pub(super) async fn handle_timeout(
    job: OrderTimeoutJob,
    ctx: Data<JobContext>,
    attempt: Attempt,
) -> Result<(), BoxDynError> {
    let early = job.deadline - crate::db::now_secs();
    if early > 0 {
        if early > EARLY_WAIT_SECS {
            tracing::warn!(
                order_id = job.order_id,
                early,
                "order time-out job ran early; left to the sweep"
            );
            return Ok(());
        }
        tokio::time::sleep(Duration::from_secs(u64::try_from(early).unwrap_or(0))).await;
    }
    let result = expire(&ctx, &job.order_id)
        .await
        .map(|_| ())
        .map_err(|e| TryError::Transient(format!("database: {e}")));
    settle(result, &attempt, ctx.max_attempts, &job.order_id)
}

/// Queues the close of `order_id`'s trade after its cancel committed with the trade marked
/// due ([`crate::db::orders::cancel`] with `close_trade`). Never fails: a close that cannot
/// be queued (the broker is down, or `jobs` is `None` in a context without queues) is logged
/// and left to the sweep, which makes it after [`CLOSE_GRACE_SECS`] ([`close_due_trades`]).
pub async fn queue_trade_close(jobs: Option<&Jobs>, order_id: &str) {
    match jobs {
        Some(jobs) => {
            if let Err(e) = jobs.close_trade(order_id).await {
                tracing::warn!(
                    order_id,
                    error = %e,
                    "alipay trade close not queued; the order sweep will close the trade"
                );
            }
        }
        None => tracing::info!(
            order_id,
            "no job queue in this process; the order sweep will close the alipay trade"
        ),
    }
}

/// The handler of [`TradeCloseJob`]: closes the trade if it is still due (a redelivered job,
/// or one the sweep beat, does nothing).
pub(super) async fn handle_trade_close(
    job: TradeCloseJob,
    ctx: Data<JobContext>,
    attempt: Attempt,
) -> Result<(), BoxDynError> {
    let result = close_if_due(&ctx, &job.order_id).await;
    settle(result, &attempt, ctx.max_attempts, &job.order_id)
}

async fn close_if_due(ctx: &JobContext, order_id: &str) -> Result<(), TryError> {
    let Some(alipay) = &ctx.alipay else {
        // Online payment was switched off after the cancel: nothing can reach the gateway.
        tracing::warn!(
            order_id,
            "online payment is off; the alipay trade of the cancelled order was not closed"
        );
        return Ok(());
    };
    let due = payments::trade_close_due(&ctx.db, order_id)
        .await
        .map_err(|e| TryError::Transient(format!("database: {e}")))?;
    if !due {
        return Ok(());
    }
    match reconcile::close_trade(&ctx.db, alipay, order_id).await {
        Ok(_) => Ok(()),
        // The request itself is wrong (keys, app id, parameters): retrying cannot help. The
        // order stays due, so the sweep tries again once the operator has fixed it.
        Err(e @ CloseError::Gateway(AlipayError::Refused { .. } | AlipayError::Config(_))) => {
            Err(TryError::Permanent(e.to_string()))
        }
        Err(e) => Err(TryError::Transient(e.to_string())),
    }
}

/// Closes the trades still due [`CLOSE_GRACE_SECS`] after their cancel (a close job that
/// could not be queued, or that ran out of tries), at most [`SWEEP_BATCH`] per call, longest
/// due first; a gateway that does not answer ends the call (the next sweep tries again).
/// Returns how many were settled; nothing to do with payment off.
pub async fn close_due_trades(ctx: &JobContext) -> Result<usize, sqlx::Error> {
    let Some(alipay) = &ctx.alipay else {
        return Ok(0);
    };
    let due_by = crate::db::now_secs() - CLOSE_GRACE_SECS;
    let due = payments::trade_closes_due(&ctx.db, due_by, SWEEP_BATCH).await?;
    let mut settled = 0;
    for order_id in due {
        match reconcile::close_trade(&ctx.db, alipay, &order_id).await {
            // Still due: made again by a later sweep.
            Ok(ClosedTrade::NotYetOpened) => {}
            Ok(_) => settled += 1,
            Err(CloseError::Db(e)) => return Err(e),
            Err(CloseError::Gateway(
                e @ (AlipayError::Unavailable(_) | AlipayError::BadSignature),
            )) => {
                tracing::warn!(order_id, error = %e, "alipay trade close failed; the next order sweep tries again");
                break;
            }
            Err(CloseError::Gateway(e)) => {
                // Refused (keys, app id, parameters): the operator must act. Tried again
                // after REFUSED_CLOSE_BACKOFF_SECS, behind the other due closes, so that a
                // batch of refused ones never keeps the sweep from the rest.
                tracing::error!(order_id, error = %e, "alipay refused to close the trade of a cancelled order; the order sweep tries again later");
                let later = crate::db::now_secs() + REFUSED_CLOSE_BACKOFF_SECS;
                payments::trade_close_later(&ctx.db, &order_id, later).await?;
            }
        }
    }
    if settled > 0 {
        tracing::info!(
            closed = settled,
            "order sweep closed the alipay trades of cancelled orders whose close job did not run"
        );
    }
    Ok(settled)
}

/// Cancels every unpaid order past its deadline (in batches of [`SWEEP_BATCH`]), then closes
/// the trades still due ([`close_due_trades`]); returns how many orders this call cancelled.
pub async fn sweep(ctx: &JobContext) -> Result<usize, sqlx::Error> {
    let cancelled = cancel_overdue(ctx).await?;
    close_due_trades(ctx).await?;
    Ok(cancelled)
}

/// The cancelling part of [`sweep`].
async fn cancel_overdue(ctx: &JobContext) -> Result<usize, sqlx::Error> {
    let mut cancelled = 0;
    loop {
        let due = orders::expired_unpaid(&ctx.db, crate::db::now_secs(), SWEEP_BATCH).await?;
        let batch = due.len();
        let mut ask = true;
        for order_id in due {
            let (done, unreachable) = expire_asking(ctx, &order_id, ask).await?;
            // A gateway that is down is not asked again in this sweep: a payment it held
            // back still arrives later and is flagged for refund.
            ask &= !unreachable;
            if done {
                cancelled += 1;
            }
        }
        if i64::try_from(batch).unwrap_or(0) < SWEEP_BATCH {
            return Ok(cancelled);
        }
    }
}

/// Asks the gateway about the unpaid orders [`payments::due_for_reconciliation`] names and
/// applies the payments it reports; returns how many changed an order. Nothing to do with
/// payment off.
pub async fn reconcile(ctx: &JobContext) -> Result<usize, sqlx::Error> {
    if ctx.alipay.is_none() {
        return Ok(0);
    }
    let due = payments::due_for_reconciliation(
        &ctx.db,
        crate::db::now_secs(),
        RECONCILE_WINDOW_SECS,
        RECONCILE_BATCH,
    )
    .await?;
    let mut changed = 0;
    for order_id in due {
        match payment_from_gateway(ctx, &order_id).await? {
            Some(GatewayAnswer::Applied(Applied::Paid | Applied::RefundDue)) => changed += 1,
            // The gateway is down: the next run asks again.
            Some(GatewayAnswer::Unreachable(_)) => break,
            _ => {}
        }
    }
    Ok(changed)
}

/// The periodic tasks of a worker process.
#[derive(Debug, Clone, Copy)]
pub enum Periodic {
    /// [`sweep`], every `ORDER_SWEEP_SECS`.
    Sweep,
    /// [`reconcile`], every `ALIPAY_RECONCILE_SECS`.
    Reconcile,
    /// [`super::pictures::sweep`], every `PICTURE_SWEEP_SECS`.
    PictureSweep,
}
