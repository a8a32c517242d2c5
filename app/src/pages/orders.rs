//! `/user/orders?type=&page=` (and the legacy `/dadashop/templates/myorders.html`): my
//! orders by status (全部 / 待付款 / 待发货 / 待收货 / 已完成), newest first, five a page. An
//! unpaid order counts down to its time-out and can be paid (去支付: Alipay's cashier) or
//! cancelled (its stock returns); a paid one waits for shipping (待发货); a shipped one can
//! be confirmed as received. Orders paid after their cancellation show as 已取消，退款中 and
//! then 已取消，已退款 (the server's status names; only the 全部 tab lists them).

use dadashop_types::codes;
use dadashop_types::orders::{
    ORDERS_PAGE_SIZE, OrderSummary, STATUS_DONE, STATUS_PAID, STATUS_SHIPPED, STATUS_UNPAID,
};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::{go_to_payment, not_logged_in, set_title};
use crate::Page;
use crate::api::{self, ApiError};
use crate::components::{
    Countdown, EmptyNotice, ErrorNotice, FormError, Loading, OrderLines, Pager, UserNav,
};
use crate::format::{fen, mask_phone, yuan};
use crate::state::{Remote, Task, use_auth};

/// The tabs: list `type` and its name.
const TABS: [(i64, &str); 5] = [
    (0, "全部"),
    (STATUS_UNPAID, "待付款"),
    (STATUS_PAID, "待发货"),
    (STATUS_SHIPPED, "待收货"),
    (STATUS_DONE, "已完成"),
];

/// A shopper's change to an order.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Change {
    /// 去支付: on to Alipay's cashier.
    Pay(String),
    Cancel(String),
    ConfirmReceipt(String),
}

/// Tabs, the orders of the tab's page, and the pager.
#[component]
pub fn OrdersPage() -> impl IntoView {
    set_title(Some("我的订单"));
    let auth = use_auth();
    let query = use_query_map();
    let status = move || {
        query
            .read()
            .get("type")
            .and_then(|t| t.parse::<i64>().ok())
            .filter(|t| TABS.iter().any(|(s, _)| s == t))
            .unwrap_or(0)
    };
    let page = move || {
        query
            .read()
            .get("page")
            .and_then(|p| p.parse::<u64>().ok())
            .filter(|p| *p >= 1)
            .unwrap_or(1)
    };
    let orders = Remote::new();
    let load = move |status: i64, page: u64| {
        orders.load(async move {
            let credentials = auth.credentials().ok_or_else(not_logged_in)?;
            auth.check(api::orders::list(&credentials, status, page).await)
        });
    };
    // Each tab and page of the query is loaded when the shopper goes there.
    Effect::new(move |_| load(status(), page()));
    let reload = move || load(untrack(status), untrack(page));
    let notice = RwSignal::new(None::<&'static str>);
    let change = Task::new();
    let busy = change.pending();
    let on_change = Callback::new(move |c: Change| {
        notice.set(None);
        change.run(async move {
            let credentials = auth.credentials().ok_or_else(not_logged_in)?;
            let (result, done) = match &c {
                Change::Pay(id) => {
                    let paying = go_to_payment(auth, id).await;
                    // No longer payable (paid meanwhile, cancelled, timed out): the message
                    // says so, and the list shows the order as it is now.
                    if let Err(ApiError::Api {
                        code: codes::ORDER_WRONG_STATUS,
                        ..
                    }) = &paying
                    {
                        reload();
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
            reload();
            Ok(())
        });
    });
    let retry = Callback::new(move |()| reload());

    let tabs = TABS
        .iter()
        .map(|&(kind, name)| {
            // Plain links: `A` would mark every tab current, as they share one path.
            view! {
                <a href=Page::orders(kind, 1) aria-current=move || (status() == kind).then_some("page")>
                    {name}
                </a>
            }
        })
        .collect_view();
    let body = move || match orders.get() {
        None => view! { <Loading text="正在加载订单…" /> }.into_any(),
        Some(Err(error)) => {
            view! { <ErrorNotice message=error.to_string() on_retry=retry /> }.into_any()
        }
        Some(Ok(answer)) if answer.data.orders_list.is_empty() => {
            view! { <EmptyNotice text="还没有这类订单" /> }.into_any()
        }
        Some(Ok(answer)) => {
            let total = answer.data.paginator.total;
            let size = match answer.data.paginator.pagesize {
                0 => u64::from(ORDERS_PAGE_SIZE),
                n => u64::from(n),
            };
            let pages = total.div_ceil(size).max(1);
            let kind = status();
            let cards = answer
                .data
                .orders_list
                .into_iter()
                .map(|order| {
                    view! { <OrderCard order base_url=answer.base_url.clone() busy on_change /> }
                })
                .collect_view();
            view! {
                <ul class="order-list" aria-label="订单列表">{cards}</ul>
                <Pager
                    page=page()
                    pages
                    href=Callback::new(move |n: u64| Page::orders(kind, n))
                />
            }
            .into_any()
        }
    };
    view! {
        <div class="user-center">
            <UserNav />
            <section class="panel" aria-labelledby="orders-title">
                <h1 id="orders-title">"我的订单"</h1>
                <nav class="tabs" aria-label="订单状态">{tabs}</nav>
                {move || {
                    notice.get().map(|text| view! { <p class="notice success" role="status">{text}</p> })
                }}
                <FormError message=change.error() />
                {body}
            </section>
        </div>
    }
}

/// One order: id, time and status, lines, address, totals, the countdown and the buttons.
#[component]
fn OrderCard(
    order: OrderSummary,
    base_url: String,
    #[prop(into)] busy: Signal<bool>,
    on_change: Callback<Change>,
) -> impl IntoView {
    let id = order.order_id.clone();
    let status = order.status;
    let address = order.address;
    let seconds = order.pay_remaining_secs;
    let confirming = RwSignal::new(false);
    let actions = match status {
        STATUS_UNPAID => {
            let id = id.clone();
            Some(
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
            )
        }
        STATUS_SHIPPED => {
            let id = id.clone();
            Some(
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
            )
        }
        _ => None,
    };
    // Once shipped: the carrier and the tracking number, for the shopper to follow.
    let shipment = order.tracking_no.as_ref().map(|no| {
        match order.carrier.as_deref().filter(|c| !c.is_empty()) {
            Some(carrier) => format!("物流：{carrier}，运单号 {no}"),
            None => format!("物流：运单号 {no}"),
        }
    });
    view! {
        <li class="order-card" data-testid="order" data-order-id=id>
            <div class="order-head">
                <span>{format!("订单号：{}", order.order_id)}</span>
                <span class="order-time">{order.order_time}</span>
                <strong class="order-status" data-testid="order-status">{order.status_name}</strong>
            </div>
            <OrderLines lines=order.order_sku base_url />
            <p class="order-address">
                {format!(
                    "{} {} {} {}",
                    address.receiver,
                    mask_phone(&address.mobile),
                    address.title,
                    address.address,
                )}
            </p>
            {shipment
                .map(|text| {
                    view! {
                        <p class="order-shipment" data-testid="order-shipment">
                            {text}
                        </p>
                    }
                })}
            <p class="order-total">
                {format!(
                    "共 {} 件，运费 {}，{} ",
                    order.order_total_count,
                    yuan(fen(&order.order_freight)),
                    amount_label(order.status),
                )}
                <strong>{yuan(fen(&order.order_total_amount))}</strong>
            </p>
            <div class="actions">{actions}</div>
        </li>
    }
}

/// What the order's amount is called: 实付 only for money that was paid (paid, shipped, done,
/// and cancelled orders whose payment came: refund due or refunded); 应付 while unpaid;
/// 订单金额 for an order cancelled before it was paid.
fn amount_label(status: i64) -> &'static str {
    match status {
        STATUS_UNPAID => "应付",
        dadashop_types::orders::STATUS_CANCELLED => "订单金额",
        _ => "实付",
    }
}

#[cfg(test)]
mod tests {
    use dadashop_types::orders::{
        STATUS_CANCELLED, STATUS_DONE, STATUS_PAID, STATUS_REFUND_DUE, STATUS_REFUNDED,
        STATUS_SHIPPED, STATUS_UNPAID,
    };

    use super::amount_label;

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
}
