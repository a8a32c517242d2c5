//! `/order/result?order_id=`: the order just placed, its amount and, while it is unpaid,
//! the time left to pay. Online payment comes with the payment issue; until then the page
//! says so and the order waits, unpaid, for its time-out.

use dadashop_types::orders::STATUS_UNPAID;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::{not_logged_in, set_title};
use crate::Page;
use crate::api;
use crate::components::{Countdown, ErrorNotice, Loading};
use crate::format::{fen, yuan};
use crate::state::{Remote, use_auth};

/// Fetches the order of `?order_id=` and shows the outcome.
#[component]
pub fn OrderResultPage() -> impl IntoView {
    set_title(Some("订单已提交"));
    let auth = use_auth();
    let order_id = use_query_map()
        .get_untracked()
        .get("order_id")
        .unwrap_or_default();
    let order = Remote::new();
    let load = move || {
        let order_id = order_id.clone();
        order.load(async move {
            let credentials = auth.credentials().ok_or_else(not_logged_in)?;
            auth.check(api::orders::detail(&credentials, &order_id).await)
        });
    };
    load();
    let retry = Callback::new(move |()| load());
    let body = move || match order.get() {
        None => view! { <Loading text="正在加载订单…" /> }.into_any(),
        Some(Err(error)) => {
            view! { <ErrorNotice message=error.to_string() on_retry=retry /> }.into_any()
        }
        Some(Ok(answer)) => {
            let order = answer.data;
            let unpaid = order.status == STATUS_UNPAID;
            let seconds = order.pay_remaining_secs;
            view! {
                <p class="notice success" role="status">"订单提交成功！"</p>
                <dl class="order-sums">
                    <dt>"订单号"</dt>
                    <dd data-testid="order-id">{order.order_id}</dd>
                    <dt>"应付金额"</dt>
                    <dd>
                        <strong class="payable" data-testid="order-amount">
                            {yuan(fen(&order.order_total_amount))}
                        </strong>
                    </dd>
                    <dt>"订单状态"</dt>
                    <dd>{order.status_name}</dd>
                </dl>
                {unpaid
                    .then(|| {
                        view! {
                            <p class="notice info" data-testid="pay-notice">
                                "在线支付暂未开放，订单已为您保留，等待付款。请在 "
                                <Countdown seconds />
                                " 内完成支付，超时订单将自动取消。"
                            </p>
                        }
                    })}
            }
            .into_any()
        }
    };
    view! {
        <section class="panel result-page" aria-labelledby="result-title">
            <h1 id="result-title">"订单已提交"</h1>
            {body}
            <p class="actions">
                <a class="btn primary" href=Page::Orders.path()>"查看我的订单"</a>
                <a class="btn" href=Page::Home.path()>"继续购物"</a>
            </p>
        </section>
    }
}
