//! What a shopper may do with an order, the same on 我的订单 and on the order's own page:
//! while it is unpaid, 去支付 (Alipay's cashier) and 取消订单 (asked first; its stock returns)
//! with the time left to pay; once shipped, 确认收货. Also the name of an order's amount
//! (实付 only for money that was paid).

use dadashop_types::codes;
use dadashop_types::orders::{STATUS_CANCELLED, STATUS_SHIPPED, STATUS_UNPAID};
use leptos::prelude::*;

use super::{go_to_payment, not_logged_in};
use crate::api::{self, ApiError};
use crate::components::Countdown;
use crate::state::{Task, use_auth};

/// A shopper's change to an order (its id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Change {
    /// 去支付: on to Alipay's cashier.
    Pay(String),
    Cancel(String),
    ConfirmReceipt(String),
}

/// The work behind [`OrderActions`] for a page: the task (pending while a change runs, its
/// failure's message) and the callback the buttons call. After a cancel or a confirmation
/// `notice` says what was done and `reload` shows the order as it is now; a 去支付 that
/// finds the order no longer payable (paid meanwhile, cancelled, timed out) reloads too, and
/// its message says why.
pub(super) fn order_changes(
    notice: RwSignal<Option<&'static str>>,
    reload: Callback<()>,
) -> (Task, Callback<Change>) {
    let auth = use_auth();
    let change = Task::new();
    let on_change = Callback::new(move |c: Change| {
        notice.set(None);
        change.run(async move {
            let credentials = auth.credentials().ok_or_else(not_logged_in)?;
            let (result, done) = match &c {
                Change::Pay(id) => {
                    let paying = go_to_payment(auth, id).await;
                    if let Err(ApiError::Api {
                        code: codes::ORDER_WRONG_STATUS,
                        ..
                    }) = &paying
                    {
                        reload.run(());
                    }
                    return paying;
                }
                Change::Cancel(id) => (api::orders::cancel(&credentials, id).await, "订单已取消"),
                Change::ConfirmReceipt(id) => (
                    api::orders::confirm_receipt(&credentials, id).await,
                    "已确认收货",
                ),
            };
            auth.check(result)?;
            notice.set(Some(done));
            reload.run(());
            Ok(())
        });
    });
    (change, on_change)
}

/// The buttons an order of `status` has: 去支付 and 取消订单 (with a confirmation step) after
/// the time left to pay while unpaid, 确认收货 once shipped, nothing otherwise.
#[component]
pub(super) fn OrderActions(
    order_id: String,
    status: i64,
    /// Seconds left to pay (unpaid orders).
    pay_remaining_secs: i64,
    #[prop(into)] busy: Signal<bool>,
    on_change: Callback<Change>,
) -> impl IntoView {
    let id = order_id;
    let seconds = pay_remaining_secs;
    let confirming = RwSignal::new(false);
    match status {
        STATUS_UNPAID => Some(
            view! {
                <p class="pay-wait">
                    "待付款，剩余 " <Countdown seconds /> "，超时自动取消"
                </p>
                <button
                    type="button"
                    class="btn small primary"
                    disabled=move || busy.get()
                    on:click={
                        let id = id.clone();
                        move |_| on_change.run(Change::Pay(id.clone()))
                    }
                >
                    "去支付"
                </button>
                <Show
                    when=move || confirming.get()
                    fallback=move || {
                        view! {
                            <button
                                type="button"
                                class="btn small danger"
                                disabled=move || busy.get()
                                on:click=move |_| confirming.set(true)
                            >
                                "取消订单"
                            </button>
                        }
                    }
                >
                    {
                        let id = id.clone();
                        view! {
                            <span class="confirm" role="alertdialog" aria-label="确认取消订单">
                                "确定取消这个订单吗？"
                                <button
                                    type="button"
                                    class="btn small danger"
                                    disabled=move || busy.get()
                                    on:click=move |_| on_change.run(Change::Cancel(id.clone()))
                                >
                                    "确认取消"
                                </button>
                                <button
                                    type="button"
                                    class="btn small"
                                    on:click=move |_| confirming.set(false)
                                >
                                    "再想想"
                                </button>
                            </span>
                        }
                    }
                </Show>
            }
            .into_any(),
        ),
        STATUS_SHIPPED => Some(
            view! {
                <button
                    type="button"
                    class="btn small primary"
                    disabled=move || busy.get()
                    on:click=move |_| on_change.run(Change::ConfirmReceipt(id.clone()))
                >
                    "确认收货"
                </button>
            }
            .into_any(),
        ),
        _ => None,
    }
}

/// What the order's amount is called: 实付 only for money that was paid (paid, shipped, done,
/// and cancelled orders whose payment came: refund due or refunded); 应付 while unpaid;
/// 订单金额 for an order cancelled before it was paid.
pub(super) fn amount_label(status: i64) -> &'static str {
    match status {
        STATUS_UNPAID => "应付",
        STATUS_CANCELLED => "订单金额",
        _ => "实付",
    }
}

/// The carrier and the tracking number of a shipped order, for the shopper to follow:
/// `物流：顺丰速运，运单号 SF1234`; `None` before it ships.
pub(super) fn shipment(carrier: Option<&str>, tracking_no: Option<&str>) -> Option<String> {
    let no = tracking_no?;
    Some(match carrier.filter(|c| !c.is_empty()) {
        Some(carrier) => format!("物流：{carrier}，运单号 {no}"),
        None => format!("物流：运单号 {no}"),
    })
}

#[cfg(test)]
mod tests {
    use dadashop_types::orders::{
        STATUS_CANCELLED, STATUS_DONE, STATUS_PAID, STATUS_REFUND_DUE, STATUS_REFUNDED,
        STATUS_SHIPPED, STATUS_UNPAID,
    };

    use super::{amount_label, shipment};

    #[test]
    fn only_paid_money_is_called_paid() {
        assert_eq!(amount_label(STATUS_UNPAID), "应付");
        assert_eq!(amount_label(STATUS_CANCELLED), "订单金额");
        for paid in [
            STATUS_PAID,
            STATUS_SHIPPED,
            STATUS_DONE,
            STATUS_REFUND_DUE,
            STATUS_REFUNDED,
        ] {
            assert_eq!(amount_label(paid), "实付", "{paid}");
        }
    }

    #[test]
    fn a_shipment_names_its_carrier_when_known() {
        assert_eq!(
            shipment(Some("顺丰速运"), Some("SF1234")).as_deref(),
            Some("物流：顺丰速运，运单号 SF1234")
        );
        assert_eq!(
            shipment(Some(""), Some("SF1234")).as_deref(),
            Some("物流：运单号 SF1234")
        );
        assert_eq!(shipment(Some("顺丰速运"), None), None);
    }
}
