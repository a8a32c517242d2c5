//! `/admin/orders/<id>`: an order's detail (lines with pictures, address, amounts, the
//! payment record, the timeline) and what the operator may do with it now: 发货 (a paid
//! order, `orders.change`), 取消订单 (an unpaid one, `orders.change`), 退款 (a paid one with a
//! reason, or one waiting for its refund, `refunds.change`).
//!
//! Every write sends the `version` of the detail on screen: when someone changed the order
//! meanwhile the server answers 409 / 60102, and the page says so and shows the order as it
//! is now instead of acting on what the operator no longer sees. Each write is confirmed in a
//! dialog first: none can be undone.

use dadashop_types::admin::{
    AdminOrderDetail, AdminOrderDetailResponse, AdminPayment, OrderActionRequest, REASON_MAX_CHARS,
    ShipRequest, check_tracking_no,
};
use dadashop_types::codes;
use dadashop_types::orders::{STATUS_PAID, STATUS_REFUND_DUE, STATUS_UNPAID};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::session::use_console;
use super::widgets::{
    ConfirmDialog, Question, SelectField, actor, maybe_when, money, status_class, when,
};
use super::{ORDERS, user_path};
use crate::api::{self, ApiError};
use crate::components::{ErrorNotice, FormError, Loading, TextField};
use crate::pages::{is_not_found, set_title};
use crate::state::{Remote, Task};

/// The carriers of the 快递公司 choice.
pub const CARRIERS: [&str; 8] = [
    "顺丰速运",
    "中通快递",
    "圆通速递",
    "韵达快递",
    "申通快递",
    "京东物流",
    "EMS",
    "邮政快递包裹",
];

/// A write on the order, with the version it was asked against.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Change {
    Ship {
        carrier: String,
        tracking_no: String,
    },
    Cancel {
        reason: String,
    },
    Refund {
        reason: String,
    },
}

/// The message of a reason: `required` (a paid order's refund) and at most 200 characters.
fn check_reason(reason: &str, required: bool) -> Option<String> {
    let n = reason.trim().chars().count();
    if required && n == 0 {
        Some("请填写原因".to_owned())
    } else if n > REASON_MAX_CHARS {
        Some(format!("原因最多{REASON_MAX_CHARS}个字"))
    } else {
        None
    }
}

/// What the payment record's `source` means.
fn source_label(source: &str) -> &str {
    match source {
        "notify" => "支付宝异步通知",
        "return" => "支付返回页",
        "query" => "主动查询",
        other => other,
    }
}

/// The order, its actions and the confirmation dialog.
#[component]
pub fn OrderDetail(order_id: String) -> impl IntoView {
    set_title(Some("订单详情 · 运营后台"));
    let console = use_console();
    let id = StoredValue::new(order_id);
    let detail: Remote<AdminOrderDetailResponse> = Remote::new();
    let load = move || {
        detail.load(async move {
            let staff = console.require()?;
            console.check(api::admin::order(&staff, &id.get_value()).await)
        });
    };
    load();
    let retry = Callback::new(move |()| load());

    // The forms' fields live as long as the page: a reload after a conflict keeps what the
    // operator typed.
    let carrier = RwSignal::new(String::new());
    let tracking_no = RwSignal::new(String::new());
    let cancel_reason = RwSignal::new(String::new());
    let refund_reason = RwSignal::new(String::new());

    let task = Task::new();
    let busy = task.pending();
    let done = RwSignal::new(None::<&'static str>);
    let asking = RwSignal::new(None::<(Question, Change)>);
    let question = Signal::derive(move || asking.with(|a| a.as_ref().map(|(q, _)| q.clone())));
    let ask = Callback::new(move |(q, change): (Question, Change)| {
        done.set(None);
        asking.set(Some((q, change)));
    });
    let on_answer = Callback::new(move |yes: bool| {
        let Some((_, change)) = asking.get_untracked() else {
            return;
        };
        asking.set(None);
        if !yes {
            return;
        }
        let version = untrack(|| detail.get())
            .and_then(Result::ok)
            .map(|d| d.data.order.version);
        let order_id = id.get_value();
        task.run(async move {
            let staff = console.require()?;
            let (result, message) = match &change {
                Change::Ship {
                    carrier,
                    tracking_no,
                } => {
                    let body = ShipRequest {
                        carrier: Some(carrier.clone()),
                        tracking_no: Some(tracking_no.clone()),
                        version,
                    };
                    (api::admin::ship(&staff, &order_id, &body).await, "已发货")
                }
                Change::Cancel { reason } => {
                    let body = OrderActionRequest {
                        reason: Some(reason.clone()).filter(|r| !r.is_empty()),
                        version,
                    };
                    (
                        api::admin::cancel(&staff, &order_id, &body).await,
                        "订单已取消",
                    )
                }
                Change::Refund { reason } => {
                    let body = OrderActionRequest {
                        reason: Some(reason.clone()).filter(|r| !r.is_empty()),
                        version,
                    };
                    (api::admin::refund(&staff, &order_id, &body).await, "已退款")
                }
            };
            match console.check(result) {
                Ok(answer) => {
                    detail.set(Ok(answer));
                    done.set(Some(message));
                    Ok(())
                }
                Err(ApiError::Api {
                    status,
                    code: codes::ADMIN_STALE,
                    ..
                }) => {
                    load();
                    Err(ApiError::Api {
                        status,
                        code: codes::ADMIN_STALE,
                        message: "订单已被他人修改，已显示最新状态，请确认后再操作".to_owned(),
                    })
                }
                Err(e) => Err(e),
            }
        });
    });

    let forms = Forms {
        carrier,
        tracking_no,
        cancel_reason,
        refund_reason,
        busy,
        ask,
    };
    let body = move || match detail.get() {
        None => view! { <Loading text="正在加载订单…" /> }.into_any(),
        Some(Err(error)) if is_not_found(&error) => view! {
            <div class="status empty">"订单不存在。" <a href=ORDERS>"返回订单列表"</a></div>
        }
        .into_any(),
        Some(Err(error)) => {
            view! { <ErrorNotice message=error.to_string() on_retry=retry /> }.into_any()
        }
        Some(Ok(answer)) => view! { <Order order=answer.data forms /> }.into_any(),
    };

    view! {
        <p class="console-back">
            <a href=ORDERS>"← 订单列表"</a>
        </p>
        {move || done.get().map(|text| view! { <p class="notice success" role="status">{text}</p> })}
        <FormError message=task.error() />
        {body}
        <ConfirmDialog question on_answer />
    }
}

/// The fields and callbacks the action forms share with the page.
#[derive(Clone, Copy)]
struct Forms {
    carrier: RwSignal<String>,
    tracking_no: RwSignal<String>,
    cancel_reason: RwSignal<String>,
    refund_reason: RwSignal<String>,
    busy: ReadSignal<bool>,
    ask: Callback<(Question, Change)>,
}

#[component]
fn Order(order: AdminOrderDetail, forms: Forms) -> impl IntoView {
    let console = use_console();
    let o = &order.order;
    let lines = order
        .lines
        .iter()
        .map(|l| {
            let attrs = l
                .sale_attrs
                .iter()
                .map(|(name, value)| format!("{name}：{value}"))
                .collect::<Vec<_>>()
                .join(" ");
            let subtotal = crate::format::yuan(crate::format::fen(&l.price).saturating_mul(l.count));
            view! {
                <tr>
                    <td class="line-cell">
                        <img class="console-thumb" src=l.image.clone() alt="" width="56" height="56" loading="lazy" />
                        <span>
                            {l.name.clone()}
                            <span class="sub">{format!("SKU {} {attrs}", l.sku_id)}</span>
                        </span>
                    </td>
                    <td class="num">{money(&l.price)}</td>
                    <td class="num">{l.count}</td>
                    <td class="num">{subtotal}</td>
                </tr>
            }
        })
        .collect_view();
    let events = order
        .events
        .iter()
        .map(|e| {
            view! {
                <li>
                    <span class="timeline-time">{when(e.at)}</span>
                    <strong>{e.what.clone()}</strong>
                    <span class="timeline-by">{actor(&e.by)}</span>
                    {(!e.note.is_empty()).then(|| view! { <span class="timeline-note">{e.note.clone()}</span> })}
                </li>
            }
        })
        .collect_view();
    let shipment = order.tracking_no.clone().map(|no| {
        view! {
            <dt>"物流"</dt>
            <dd data-testid="shipment">
                {format!("{} {no}", order.carrier.clone().unwrap_or_default()).trim().to_owned()}
            </dd>
        }
    });
    let user = if console.can("users.view") {
        view! { <a href=user_path(order.user_id)>{o.username.clone()}</a> }.into_any()
    } else {
        view! { <span>{o.username.clone()}</span> }.into_any()
    };
    let status = o.status;
    let actions = view! {
        <Actions
            order_id=o.order_id.clone()
            status
            amount=o.total_amount.clone()
            trade_no=order.payment.as_ref().map(|p| p.trade_no.clone())
            forms
        />
    };

    view! {
        <div class="console-head">
            <h1>
                "订单 " <span class="mono" data-testid="order-id">{o.order_id.clone()}</span>
            </h1>
            <span class=status_class(status) data-testid="order-status">{o.status_name.clone()}</span>
        </div>
        <div class="detail-grid">
            <div class="detail-main">
                <section class="panel" aria-labelledby="lines-title">
                    <h2 id="lines-title">"商品"</h2>
                    <div class="table-wrap">
                        <table class="table">
                            <thead>
                                <tr>
                                    <th scope="col">"商品"</th>
                                    <th scope="col" class="num">"单价"</th>
                                    <th scope="col" class="num">"数量"</th>
                                    <th scope="col" class="num">"小计"</th>
                                </tr>
                            </thead>
                            <tbody>{lines}</tbody>
                        </table>
                    </div>
                    <dl class="amounts">
                        <dt>"商品金额"</dt>
                        <dd>{money(&order.goods_amount)}</dd>
                        <dt>"运费"</dt>
                        <dd>{money(&order.freight)}</dd>
                        <dt>"订单金额"</dt>
                        <dd><strong data-testid="order-amount">{money(&o.total_amount)}</strong></dd>
                    </dl>
                </section>
                <section class="panel" aria-labelledby="payment-title">
                    <h2 id="payment-title">"支付记录"</h2>
                    {match order.payment.clone() {
                        Some(p) => view! { <Payment payment=p /> }.into_any(),
                        None => view! { <p class="muted">"未付款"</p> }.into_any(),
                    }}
                </section>
                <section class="panel" aria-labelledby="timeline-title">
                    <h2 id="timeline-title">"订单进度"</h2>
                    <ol class="timeline" data-testid="timeline">{events}</ol>
                </section>
            </div>
            <aside class="detail-side">
                {actions}
                <section class="panel" aria-labelledby="buyer-title">
                    <h2 id="buyer-title">"买家与收货"</h2>
                    <dl class="facts">
                        <dt>"用户"</dt>
                        <dd>{user}</dd>
                        <dt>"手机"</dt>
                        <dd>{o.phone.clone()}</dd>
                        <dt>"收货人"</dt>
                        <dd>{format!("{} {}", o.receiver, o.receiver_mobile)}</dd>
                        <dt>"地址"</dt>
                        <dd>
                            {order.address.clone()}
                            {(!order.tag.is_empty()).then(|| view! { <span class="tag">{order.tag.clone()}</span> })}
                        </dd>
                        {shipment}
                        <dt>"下单时间"</dt>
                        <dd>{when(o.created_at)}</dd>
                        {(status == STATUS_UNPAID).then(|| view! {
                            <dt>"支付截止"</dt>
                            <dd>{when(order.pay_deadline)}</dd>
                        })}
                        <dt>"件数"</dt>
                        <dd>{o.total_count}</dd>
                    </dl>
                </section>
            </aside>
        </div>
    }
}

#[component]
fn Payment(payment: AdminPayment) -> impl IntoView {
    let p = payment;
    let refund = p.refund_no.clone().map(|no| {
        let done = p.refunded_at.is_some();
        view! {
            <dt>"退款单号"</dt>
            <dd class="mono">{no}</dd>
            <dt>"退款状态"</dt>
            <dd>{if done { "已退款" } else { "退款处理中" }}</dd>
            <dt>"退款金额"</dt>
            <dd>{p.refund_amount.as_deref().map_or_else(|| "—".to_owned(), money)}</dd>
            <dt>"退款时间"</dt>
            <dd>{maybe_when(p.refunded_at)}</dd>
            <dt>"经办人"</dt>
            <dd>{p.refunded_by.as_deref().map_or_else(|| "—".to_owned(), actor)}</dd>
            <dt>"退款原因"</dt>
            <dd>{p.refund_reason.clone().filter(|r| !r.is_empty()).unwrap_or_else(|| "—".to_owned())}</dd>
        }
    });
    view! {
        <dl class="facts" data-testid="payment">
            <dt>"支付宝交易号"</dt>
            <dd class="mono" data-testid="trade-no">{p.trade_no.clone()}</dd>
            <dt>"支付金额"</dt>
            <dd>{money(&p.amount)}</dd>
            <dt>"支付时间"</dt>
            <dd>{when(p.paid_at)}</dd>
            <dt>"确认方式"</dt>
            <dd>{source_label(&p.source).to_owned()}</dd>
            {refund}
        </dl>
    }
}

/// The forms of what the operator may do with the order now; nothing at all for a role
/// that may not change it (只读) or an order past every action.
#[component]
fn Actions(
    order_id: String,
    status: i64,
    amount: String,
    trade_no: Option<String>,
    forms: Forms,
) -> impl IntoView {
    let console = use_console();
    let may_ship = move || console.can("orders.change") && status == STATUS_PAID;
    let may_cancel = move || console.can("orders.change") && status == STATUS_UNPAID;
    let may_refund = move || {
        console.can("refunds.change") && (status == STATUS_PAID || status == STATUS_REFUND_DUE)
    };
    let Forms {
        carrier,
        tracking_no,
        cancel_reason,
        refund_reason,
        busy,
        ask,
    } = forms;

    // 发货.
    let ship_tried = RwSignal::new(false);
    let carrier_error = Signal::derive(move || {
        (ship_tried.get() && carrier.with(String::is_empty)).then(|| "请选择快递公司".to_owned())
    });
    let tracking_error = Signal::derive(move || {
        tracking_no.with(|t| check_tracking_no(t.trim()).err().map(str::to_owned))
    });
    let ship_id = order_id.clone();
    let on_ship = move |ev: SubmitEvent| {
        ev.prevent_default();
        ship_tried.set(true);
        if carrier.with_untracked(String::is_empty) || tracking_error.get_untracked().is_some() {
            return;
        }
        let carrier = carrier.get_untracked();
        let no = tracking_no.get_untracked().trim().to_owned();
        ask.run((
            Question {
                title: "确认发货".to_owned(),
                detail: format!("订单 {ship_id} 将由{carrier}发出，运单号 {no}。发货后不能撤销。"),
                yes: "确认发货",
                danger: false,
            },
            Change::Ship {
                carrier,
                tracking_no: no,
            },
        ));
    };
    let mut carriers = vec![(String::new(), "请选择快递公司".to_owned())];
    carriers.extend(CARRIERS.iter().map(|c| ((*c).to_owned(), (*c).to_owned())));

    // 取消订单.
    let cancel_tried = RwSignal::new(false);
    let cancel_error = Signal::derive(move || cancel_reason.with(|r| check_reason(r, false)));
    let cancel_id = order_id.clone();
    let on_cancel = move |ev: SubmitEvent| {
        ev.prevent_default();
        cancel_tried.set(true);
        if cancel_error.get_untracked().is_some() {
            return;
        }
        ask.run((
            Question {
                title: "确认取消订单".to_owned(),
                detail: format!("订单 {cancel_id} 将被取消，库存退回。取消后不能恢复。"),
                yes: "确认取消订单",
                danger: true,
            },
            Change::Cancel {
                reason: cancel_reason.get_untracked().trim().to_owned(),
            },
        ));
    };

    // 退款: a paid order needs a reason (it is cancelled too).
    let reason_required = status == STATUS_PAID;
    let refund_tried = RwSignal::new(false);
    let refund_error =
        Signal::derive(move || refund_reason.with(|r| check_reason(r, reason_required)));
    let refund_id = order_id.clone();
    let on_refund = move |ev: SubmitEvent| {
        ev.prevent_default();
        refund_tried.set(true);
        if refund_error.get_untracked().is_some() {
            return;
        }
        let trade = trade_no
            .clone()
            .map(|t| format!("（支付宝交易号 {t}）"))
            .unwrap_or_default();
        let also = if reason_required {
            "订单将被取消、库存退回，"
        } else {
            ""
        };
        ask.run((
            Question {
                title: "确认退款".to_owned(),
                detail: format!(
                    "订单 {refund_id} 的 {} 将原路退回买家支付宝{trade}，{also}退款后不能撤销。",
                    money(&amount)
                ),
                yes: "确认退款",
                danger: true,
            },
            Change::Refund {
                reason: refund_reason.get_untracked().trim().to_owned(),
            },
        ));
    };

    move || {
        let ship = may_ship().then(|| {
            view! {
                <form class="action-form" on:submit=on_ship.clone() novalidate aria-label="发货">
                    <h3>"发货"</h3>
                    <SelectField id="ship-carrier" label="快递公司" value=carrier options=carriers.clone() error=carrier_error />
                    <TextField
                        id="ship-tracking-no"
                        label="运单号"
                        value=tracking_no
                        error=tracking_error
                        reveal=ship_tried
                        maxlength=40
                        autocomplete="off"
                    />
                    <button type="submit" class="btn primary" disabled=move || busy.get()>"发货"</button>
                </form>
            }
        });
        let cancel = may_cancel().then(|| {
            view! {
                <form class="action-form" on:submit=on_cancel.clone() novalidate aria-label="取消订单">
                    <h3>"取消订单"</h3>
                    <ReasonField id="cancel-reason" label="取消原因（选填）" value=cancel_reason error=cancel_error reveal=cancel_tried />
                    <button type="submit" class="btn danger" disabled=move || busy.get()>"取消订单"</button>
                </form>
            }
        });
        let refund = may_refund().then(|| {
            view! {
                <form class="action-form" on:submit=on_refund.clone() novalidate aria-label="退款">
                    <h3>{if reason_required { "退款并取消订单" } else { "退款" }}</h3>
                    <ReasonField
                        id="refund-reason"
                        label=if reason_required { "退款原因" } else { "退款原因（选填）" }
                        value=refund_reason
                        error=refund_error
                        reveal=refund_tried
                    />
                    <button type="submit" class="btn danger" disabled=move || busy.get()>"退款"</button>
                </form>
            }
        });
        // Nothing at all when nothing may be done (a 只读 operator, a finished order).
        (ship.is_some() || cancel.is_some() || refund.is_some()).then(|| {
            view! {
                <section class="panel actions-panel" aria-labelledby="actions-title" data-testid="order-actions">
                    <h2 id="actions-title">"操作"</h2>
                    {ship}
                    {cancel}
                    {refund}
                </section>
            }
        })
    }
}

/// A labelled `<textarea>` for a reason, with its message.
#[component]
fn ReasonField(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(into)] reveal: Signal<bool>,
) -> impl IntoView {
    let touched = RwSignal::new(false);
    let shown = move || {
        (touched.get() || reveal.get())
            .then(|| error.get())
            .flatten()
    };
    let error_id = format!("{id}-error");
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <textarea
                id=id
                name=id
                rows="2"
                maxlength=REASON_MAX_CHARS.to_string()
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
                on:blur=move |_| touched.set(true)
                aria-invalid=move || if shown().is_some() { "true" } else { "false" }
                aria-describedby=error_id.clone()
            ></textarea>
            <p class="field-error" id=error_id aria-live="polite">{shown}</p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::check_reason;

    #[test]
    fn reasons_are_required_only_where_the_server_wants_one() {
        assert_eq!(check_reason("", false), None);
        assert_eq!(check_reason("  ", true).as_deref(), Some("请填写原因"));
        assert_eq!(check_reason("买家要求", true), None);
        assert!(check_reason(&"长".repeat(201), false).is_some());
        assert_eq!(check_reason(&"长".repeat(200), true), None);
    }
}
