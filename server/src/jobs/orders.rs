//! Order time-outs: an unpaid order is cancelled and its stock returned once its payment
//! deadline (`ORDER_PAY_TIMEOUT_SECS` after it was made) has passed.
//!
//! Two paths lead there, and [`crate::db::orders::cancel`] makes sure only one of them (or
//! the shopper's own cancel) has an effect:
//! - the delayed [`OrderTimeoutJob`] queued when the order is made, run at the deadline;
//! - the sweep ([`run_sweeper`]), run by every worker process at start and every
//!   `ORDER_SWEEP_SECS`, which catches orders whose job was lost (the broker was down when
//!   the order was made, Redis lost its data, a queue was purged).

use std::time::Duration;

use apalis::prelude::{Attempt, BoxDynError, Data};

use super::{JobContext, OrderTimeoutJob, TryError, settle};
use crate::db::orders::{self, Cancelled, Canceller};

/// Most orders one sweep cancels; the next sweep takes the rest.
pub const SWEEP_BATCH: i64 = 500;
/// Longest a time-out job that runs before its deadline waits for it (the queue schedules
/// to the second, so a job may start up to a second early); an earlier job leaves the order
/// to a later sweep.
pub const EARLY_WAIT_SECS: i64 = 5;

/// Cancels `order_id` for its time-out if it is still unpaid past its deadline, and tells the
/// API processes about SKUs back in stock. Returns whether this call cancelled it.
pub async fn expire(ctx: &JobContext, order_id: &str) -> Result<bool, sqlx::Error> {
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
        for order_id in due {
            if expire(ctx, &order_id).await? {
                cancelled += 1;
            }
        }
        if i64::try_from(batch).unwrap_or(0) < SWEEP_BATCH {
            return Ok(cancelled);
        }
    }
}

/// Sweeps at once and then every `ORDER_SWEEP_SECS`, until `stop` turns true or its sender
/// is dropped. A failed sweep is logged and tried again at the next tick.
pub async fn run_sweeper(ctx: JobContext, mut stop: tokio::sync::watch::Receiver<bool>) {
    let every = Duration::from_secs(ctx.order_sweep_secs.max(1));
    loop {
        match sweep(&ctx).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                cancelled = n,
                "order sweep cancelled unpaid orders past their deadline"
            ),
            Err(e) => tracing::warn!(error = %e, "order sweep failed; trying again later"),
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
