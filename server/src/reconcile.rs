//! Applying what the Alipay gateway reports about an order: the one step the result page,
//! the time-out and the reconciliation job share ([`ask_and_apply`]), closing the trade of a
//! cancelled order ([`close_trade`], shared by the close job and the sweep), and the log and
//! metric of every applied payment ([`log_applied`]).

use sqlx::AnyPool;

use crate::alipay::{AlipayClient, AlipayError, CloseOutcome, PaidTrade, TradeState};
use crate::db::payments::{self, Applied, Source};

/// What asking the gateway about an order came to.
#[derive(Debug)]
pub enum GatewayAnswer {
    /// The gateway reported a payment; this is what applying it did.
    Applied(Applied),
    /// Not paid (no trade, waiting, closed).
    Unpaid,
    /// The gateway could not be asked or answered something unusable: try again later.
    Unreachable(AlipayError),
}

/// Asks the gateway (`alipay.trade.query`) about `order_id` and applies a payment it reports
/// ([`payments::apply`], exactly once), noting `source` as how the shop learnt of it.
///
/// # Errors
/// Database errors while applying; the gateway's own failures are
/// [`GatewayAnswer::Unreachable`].
pub async fn ask_and_apply(
    db: &AnyPool,
    alipay: &AlipayClient,
    order_id: &str,
    source: Source,
) -> Result<GatewayAnswer, sqlx::Error> {
    let now = crate::db::now_secs();
    match alipay.query(order_id, now).await {
        Ok(TradeState::Paid(trade)) => {
            let applied = payments::apply(db, &trade, source, now).await?;
            log_applied(&trade, &applied, source.as_str());
            Ok(GatewayAnswer::Applied(applied))
        }
        Ok(_) => Ok(GatewayAnswer::Unpaid),
        Err(e) => Ok(GatewayAnswer::Unreachable(e)),
    }
}

/// How long after an order's payment deadline its pay URL may still create a trade at the
/// gateway, in seconds: clocks of the shop and the gateway differ a little.
pub const PAY_URL_SKEW_SECS: i64 = 60;

/// What closing the trade of a cancelled order came to; nothing is due any more
/// (`trade_close_due` cleared), except after [`ClosedTrade::NotYetOpened`].
#[derive(Debug)]
pub enum ClosedTrade {
    /// The gateway closed the trade: its pay URL can no longer pay.
    Closed,
    /// The gateway holds no trade for the order, and its pay URLs have expired: none ever
    /// will.
    NotExist,
    /// The gateway holds no trade for the order yet, but a pay URL handed out before the
    /// cancel may still be opened (until the payment deadline and [`PAY_URL_SKEW_SECS`]),
    /// which creates one. The close stays due from now on: the sweep closes it again
    /// (every [`crate::jobs::orders::CLOSE_GRACE_SECS`] or so) until the URL has expired.
    NotYetOpened,
    /// The trade was not waiting for payment (`ACQ.TRADE_STATUS_ERROR`): paid, or closed
    /// already. The gateway was then asked (`alipay.trade.query`) and a payment it reports
    /// applied, which flags the cancelled order for refund even when its notification is
    /// lost (the reconciliation only asks about unpaid orders). Holds what that came to:
    /// [`GatewayAnswer::Applied`] or [`GatewayAnswer::Unpaid`] (closed before).
    NotWaiting(GatewayAnswer),
}

/// Why a trade close must be tried again later (the order stays due for closing).
#[derive(Debug, thiserror::Error)]
pub enum CloseError {
    /// The gateway could not be reached, answered a system error or something unusable, or
    /// refused the request ([`AlipayError`]).
    #[error("alipay.trade.close: {0}")]
    Gateway(#[from] AlipayError),
    /// The database failed.
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

/// Closes the gateway's trade of the cancelled order `order_id` (`alipay.trade.close`) and
/// records that nothing is due any more; a trade that is no longer waiting for payment is
/// looked up and a payment it holds applied ([`ClosedTrade::NotWaiting`]). Idempotent: a
/// second close of the same trade changes nothing at the gateway.
///
/// # Errors
/// [`CloseError`]: the gateway's failures, including an unreachable trade query after
/// `ACQ.TRADE_STATUS_ERROR`, and database errors. The order then stays due.
pub async fn close_trade(
    db: &AnyPool,
    alipay: &AlipayClient,
    order_id: &str,
) -> Result<ClosedTrade, CloseError> {
    let outcome = alipay.close(order_id, crate::db::now_secs()).await?;
    let closed = match outcome {
        CloseOutcome::Closed => {
            tracing::info!(order_id, "alipay trade of the cancelled order closed");
            ClosedTrade::Closed
        }
        CloseOutcome::NotExist => {
            let now = crate::db::now_secs();
            let deadline = payments::pay_deadline(db, order_id).await?;
            if deadline.is_some_and(|d| now < d + PAY_URL_SKEW_SECS) {
                payments::trade_close_later(db, order_id, now).await?;
                tracing::info!(
                    order_id,
                    "no alipay trade to close yet: an old pay URL may still open one until the payment deadline, so the close is made again later"
                );
                return Ok(ClosedTrade::NotYetOpened);
            }
            tracing::info!(
                order_id,
                "no alipay trade to close: the pay URL was never opened and has expired"
            );
            ClosedTrade::NotExist
        }
        CloseOutcome::NotWaiting => {
            let answer = ask_and_apply(db, alipay, order_id, Source::Query).await?;
            if let GatewayAnswer::Unreachable(e) = answer {
                return Err(e.into());
            }
            // A payment applied here is logged (flagged for refund) by ask_and_apply.
            tracing::warn!(
                order_id,
                answer = ?answer,
                "alipay trade of the cancelled order not closed: it was no longer waiting for payment (paid or closed before)"
            );
            ClosedTrade::NotWaiting(answer)
        }
    };
    payments::trade_close_done(db, order_id).await?;
    Ok(closed)
}

/// Logs what applying `trade` (learnt of through `via`) did.
pub fn log_applied(trade: &PaidTrade, applied: &Applied, via: &str) {
    let order_id = trade.order_id.as_str();
    let trade_no = trade.trade_no.as_str();
    let outcome = match applied {
        Applied::Paid => "paid",
        Applied::RefundDue => "refund_due",
        Applied::Already => "already",
        Applied::UnknownOrder => "unknown_order",
        Applied::AmountMismatch { .. } => "amount_mismatch",
        Applied::OtherTrade => "other_trade",
    };
    metrics::counter!("payments_applied_total", "outcome" => outcome).increment(1);
    match applied {
        Applied::Paid => tracing::info!(order_id, trade_no, via, "order paid"),
        Applied::RefundDue => tracing::warn!(
            order_id,
            trade_no,
            via,
            "payment for a cancelled order: flagged for refund (dadashop orders refunds)"
        ),
        Applied::Already => tracing::debug!(order_id, trade_no, via, "payment already applied"),
        Applied::UnknownOrder => {
            tracing::warn!(order_id, trade_no, via, "payment for an unknown order")
        }
        Applied::AmountMismatch { expected } => tracing::warn!(
            order_id,
            trade_no,
            via,
            paid = trade.amount_fen,
            expected,
            "payment amount differs from the order's; not applied"
        ),
        Applied::OtherTrade => tracing::error!(
            order_id,
            trade_no,
            via,
            "order paid by another trade, or trade number of another order; not applied"
        ),
    }
}
