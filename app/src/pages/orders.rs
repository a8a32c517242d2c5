//! `/user/orders?type=&page=` (and the legacy `/dadashop/templates/myorders.html`): my
//! orders by status (全部 / 待付款 / 待发货 / 待收货 / 已完成), newest first, five a page. An
//! unpaid order counts down to its time-out and can be paid (去支付: Alipay's cashier) or
//! cancelled (its stock returns); a paid one waits for shipping (待发货); a shipped one can
//! be confirmed as received. Orders paid after their cancellation show as 已取消，退款中 and
//! then 已取消，已退款 (the server's status names; only the 全部 tab lists them). The order
//! number and 订单详情 lead to the order's own page (`order_detail.rs`), which has the same
//! buttons (`order_actions.rs`).

use dadashop_types::orders::{
    ORDERS_PAGE_SIZE, OrderSummary, STATUS_DONE, STATUS_PAID, STATUS_SHIPPED, STATUS_UNPAID,
};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::order_actions::{Change, OrderActions, amount_label, order_changes, shipment};
use super::{not_logged_in, set_title};
use crate::Page;
use crate::api;
use crate::components::{EmptyNotice, ErrorNotice, FormError, Loading, OrderLines, Pager, UserNav};
use crate::format::{fen, mask_phone, yuan};
use crate::state::{Remote, use_auth};

/// The tabs: list `type` and its name.
const TABS: [(i64, &str); 5] = [
    (0, "全部"),
    (STATUS_UNPAID, "待付款"),
    (STATUS_PAID, "待发货"),
    (STATUS_SHIPPED, "待收货"),
    (STATUS_DONE, "已完成"),
];

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
    let reload = Callback::new(move |()| load(untrack(status), untrack(page)));
    let notice = RwSignal::new(None::<&'static str>);
    let (change, on_change) = order_changes(notice, reload);
    let busy = change.pending();

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
            view! { <ErrorNotice message=error.to_string() on_retry=reload /> }.into_any()
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

/// One order: id (a link to its page), time and status, lines, address, totals, the
/// countdown and the buttons, and 订单详情.
#[component]
fn OrderCard(
    order: OrderSummary,
    base_url: String,
    #[prop(into)] busy: Signal<bool>,
    on_change: Callback<Change>,
) -> impl IntoView {
    let id = order.order_id;
    let detail = Page::order_detail(&id);
    let (shown, marked) = (id.clone(), id.clone());
    let address = order.address;
    let shipment = shipment(order.carrier.as_deref(), order.tracking_no.as_deref());
    view! {
        <li class="order-card" data-testid="order" data-order-id=marked>
            <div class="order-head">
                <span>"订单号：" <a href=detail.clone() data-testid="order-link">{shown}</a></span>
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
            <div class="actions">
                <OrderActions
                    order_id=id
                    status=order.status
                    pay_remaining_secs=order.pay_remaining_secs
                    busy
                    on_change
                />
                <a class="btn small" href=detail>"订单详情"</a>
            </div>
        </li>
    }
}
