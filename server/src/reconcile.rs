//! Applying what the Alipay gateway reports about an order: the one step the result page,
//! the time-out and the reconciliation job share ([`ask_and_apply`]), and the log and metric
//! of every applied payment ([`log_applied`]).

use sqlx::AnyPool;

use crate::alipay::{AlipayClient, AlipayError, PaidTrade, TradeState};
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
