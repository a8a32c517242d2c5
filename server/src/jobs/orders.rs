//! Order time-outs: an unpaid order is cancelled and its stock returned once its payment
//! deadline (`ORDER_PAY_TIMEOUT_SECS` after it was made) has passed.
//!
//! Two paths lead there, and [`crate::db::orders::cancel`] makes sure only one of them (or
//! the shopper's own cancel) has an effect:
//! - the delayed [`OrderTimeoutJob`] queued when the order is made, run at the deadline;
//! - the sweep ([`run_periodic`]), run by every worker process at start and every
//!   `ORDER_SWEEP_SECS`, which catches orders whose job was lost (the broker was down when
//!   the order was made, Redis lost its data, a queue was purged).
//!
//! With online payment on, the time-out first asks the gateway (`alipay.trade.query`) and
//! applies a payment it reports instead of cancelling, and the reconciliation
//! ([`reconcile`], every `ALIPAY_RECONCILE_SECS`) asks about unpaid orders within
//! [`RECONCILE_WINDOW_SECS`] of their deadline and orders whose shopper came back from the
//! gateway without a notification following: a lost notification still ends paid.

use std::time::Duration;

use apalis::prelude::{Attempt, BoxDynError, Data};

use super::{JobContext, OrderTimeoutJob, TryError, settle};
use crate::db::orders::{self, Cancelled, Canceller};
use crate::db::payments::{self, Applied, Source};
use crate::reconcile::{self, GatewayAnswer};

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

/// The cancellation of [`expire`] itself.
async fn cancel_for_time_out(ctx: &JobContext, order_id: &str) -> Result<bool, sqlx::Error> {
    match orders::cancel(&ctx.db, order_id, Canceller::Timeout, crate::db::now_secs()).await? {
        Cancelled::Done { restocked } => {
            tracing::info!(order_id, "unpaid order cancelled at its payment deadline");
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

/// Cancels every unpaid order past its deadline (in batches of [`SWEEP_BATCH`]); returns how
/// many this call cancelled.
pub async fn sweep(ctx: &JobContext) -> Result<usize, sqlx::Error> {
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
}

/// Runs `task` at once and then at its interval, until `stop` turns true or its sender is
/// dropped. A failed run is logged and tried again at the next tick.
pub async fn run_periodic(
    ctx: JobContext,
    task: Periodic,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let secs = match task {
        Periodic::Sweep => ctx.order_sweep_secs,
        Periodic::Reconcile => ctx.reconcile_secs,
    };
    let every = Duration::from_secs(secs.max(1));
    loop {
        let result = match task {
            Periodic::Sweep => sweep(&ctx).await,
            Periodic::Reconcile => reconcile(&ctx).await,
        };
        match (task, result) {
            (_, Ok(0)) => {}
            (Periodic::Sweep, Ok(n)) => tracing::info!(
                cancelled = n,
                "order sweep cancelled unpaid orders past their deadline"
            ),
            (Periodic::Reconcile, Ok(n)) => tracing::info!(
                changed = n,
                "payment reconciliation applied payments the gateway reported"
            ),
            (_, Err(e)) => {
                tracing::warn!(error = %e, task = ?task, "periodic order task failed; trying again later");
            }
        }
        tokio::select! {
            changed = stop.changed() => {
                if changed.is_err() || *stop.borrow() {
                    return;
                }
            }
            () = tokio::time::sleep(every) => {}
        }
    }
}
