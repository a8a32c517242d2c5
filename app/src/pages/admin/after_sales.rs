//! `/admin/reviews?...` (评价) and `/admin/returns?...` (退货): the console's after-sale pages
//! (issue 27). Two routed pages in one file: they share their filter tabs and the dialog that
//! asks for a note.
//!
//! 评价 lists the shoppers' reviews, newest first, with the real name behind an anonymous one
//! (`goods.view`). 隐藏 takes one off the product page and 恢复显示 puts it back
//! (`goods.change`), each confirmed with an optional reason for the audit log. A review's text
//! is the shopper's own: it is shown as text, never as markup.
//!
//! 退货 lists the returns by status (`refunds.view`), with the shopper's reason and pictures.
//! A requested return is approved, with an optional message (where to send the goods), or
//! refused with a message the shopper reads (`orders.change`). Once the goods of an approved
//! return are back, 确认收货并退款 puts their units back in stock and refunds the return's
//! amount through Alipay (`refunds.change`). When the gateway cannot be reached the server
//! answers 503 after restocking: the return stays 退款中 and 重试退款 asks the gateway again
//! under the same refund number, never paying twice.
//!
//! Every decision sends the `version` of the row on screen: when someone acted first the
//! server answers 409, and the page shows its message with the list as it is now rather than
//! acting on what the operator no longer sees. Filters and page live in the URL under the
//! API's own names (`hidden`, `status`, `page`), as in the other console lists.

use dadashop_types::admin::AdminPageResponse;
use dadashop_types::after_sales::{
    AdminReview, OrderReturn, RETURN_REASON_MAX_CHARS, ReturnDecisionRequest,
    ReviewVisibilityRequest,
};
use dadashop_types::rules;
use leptos::html;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::session::{Console, use_console};
use super::widgets::{ConsolePager, Question, money};
use super::{RETURNS, REVIEWS, order_path};
use crate::api::admin::ListQuery;
use crate::api::admin_after_sales::ReturnDecision;
use crate::api::{self, ApiError};
use crate::components::{EmptyNotice, ErrorNotice, FormError, Loading};
use crate::pages::set_title;
use crate::state::{Remote, Task};

/// The URL's (and the API's) query keys of 评价.
const REVIEW_KEYS: [&str; 2] = ["hidden", "page"];
/// 评价's filter: the value of `hidden` and its tab.
const REVIEW_FILTERS: [(&str, &str); 3] = [("", "全部"), ("0", "显示中"), ("1", "已隐藏")];

/// The URL's (and the API's) query keys of 退货.
const RETURN_KEYS: [&str; 2] = ["status", "page"];
/// 退货's filter: the value of `status` and its tab, in the order a return goes through them.
const RETURN_FILTERS: [(&str, &str); 6] = [
    ("", "全部"),
    ("requested", "待审核"),
    ("approved", "待寄回"),
    ("received", "退款中"),
    ("refunded", "已退款"),
    ("refused", "已拒绝"),
];

/// A text typed in the dialog before going ahead: a reason or a message to the shopper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct NoteField {
    label: &'static str,
    /// What the server calls it in its messages (`处理意见最多200个字符`).
    what: &'static str,
    /// The message when it is left empty; `None`: it may be.
    required: Option<&'static str>,
    placeholder: &'static str,
}

/// A question before a write, with a note to type when `note` is given.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Ask {
    question: Question,
    note: Option<NoteField>,
}

/// The message of a note, by the server's rule (`bounded_text`): invisible format characters
/// dropped and the rest trimmed, then at most [`RETURN_REASON_MAX_CHARS`] characters and no
/// control characters (so no line breaks); an empty note is refused with `required` only.
fn check_note(text: &str, what: &'static str, required: Option<&'static str>) -> Option<String> {
    let visible = rules::strip_invisible(text);
    let value = visible.trim();
    if value.is_empty() {
        return required.map(str::to_owned);
    }
    rules::check_text(value, RETURN_REASON_MAX_CHARS, what).err()
}

/// A note as sent: as the server keeps it, `None` when empty.
fn note_value(text: &str) -> Option<String> {
    let visible = rules::strip_invisible(text);
    Some(visible.trim().to_owned()).filter(|t| !t.is_empty())
}

/// A score as stars: `★★★★☆` for 4 (out of 5).
fn stars(score: i64) -> String {
    let full = usize::try_from(score.clamp(0, 5)).unwrap_or(0);
    format!("{}{}", "★".repeat(full), "☆".repeat(5 - full))
}

/// An answer's `YYYY-mm-dd HH:MM:SS` to the minute, as the console shows times.
fn to_minute(time: &str) -> &str {
    time.get(..16).unwrap_or(time)
}

/// The badge class of a return's status (its colour).
fn return_badge(status: &str) -> &'static str {
    match status {
        "requested" => "badge warn",
        "approved" => "badge todo",
        "received" => "badge info",
        "refunded" => "badge ok",
        "refused" => "badge off",
        _ => "badge",
    }
}

/// What may be done with a return now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Act {
    /// 同意 (`orders.change`, a requested return).
    Approve,
    /// 拒绝 (`orders.change`, a requested return).
    Refuse,
    /// 确认收货并退款 (`refunds.change`, an approved return).
    Receive,
    /// 重试退款 (`refunds.change`, a received return whose refund did not go through): the
    /// same endpoint as [`Act::Receive`].
    Retry,
}

impl Act {
    fn decision(self) -> ReturnDecision {
        match self {
            Act::Approve => ReturnDecision::Approve,
            Act::Refuse => ReturnDecision::Refuse,
            Act::Receive | Act::Retry => ReturnDecision::Receive,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Act::Approve => "同意",
            Act::Refuse => "拒绝",
            Act::Receive => "确认收货并退款",
            Act::Retry => "重试退款",
        }
    }
}

/// The acts a return in `status` offers to an operator who may decide returns
/// (`orders.change`) and receive them (`refunds.change`).
fn return_acts(status: &str, may_decide: bool, may_receive: bool) -> Vec<Act> {
    match status {
        "requested" if may_decide => vec![Act::Approve, Act::Refuse],
        "approved" if may_receive => vec![Act::Receive],
        "received" if may_receive => vec![Act::Retry],
        _ => Vec::new(),
    }
}

/// The question before `act` on `r`.
fn return_question(act: Act, r: &OrderReturn) -> Ask {
    let what = format!("退货 #{}（订单 {}）", r.id, r.order_id);
    let amount = money(&r.amount);
    let (title, detail, yes, danger, note) = match act {
        Act::Approve => (
            "同意退货",
            format!("{what}将被同意，买家随后寄回商品；收到商品后再退款 {amount}。"),
            "同意",
            false,
            Some(NoteField {
                label: "给买家的留言（选填）",
                what: "处理意见",
                required: None,
                placeholder: "如：请寄回 北京市海淀区… 收件人 …",
            }),
        ),
        Act::Refuse => (
            "拒绝退货",
            format!("{what}将被拒绝，买家会看到拒绝的原因。拒绝后不能撤销。"),
            "拒绝",
            true,
            Some(NoteField {
                label: "拒绝的原因",
                what: "处理意见",
                required: Some("请填写拒绝的原因"),
                placeholder: "买家会看到这段话",
            }),
        ),
        Act::Receive => (
            "确认收货并退款",
            format!(
                "确认已收到{what}寄回的商品：商品退回库存，{amount} 原路退回买家支付宝。退款后不能撤销。"
            ),
            "确认收货并退款",
            true,
            None,
        ),
        Act::Retry => (
            "重试退款",
            format!(
                "{what}的商品已退回库存，退款尚未完成：再次向支付宝申请退款 {amount}（同一退款单号，不会重复退款）。"
            ),
            "重试退款",
            true,
            None,
        ),
    };
    Ask {
        question: Question {
            title: title.to_owned(),
            detail,
            yes,
            danger,
        },
        note,
    }
}

/// The question before hiding a review (or showing it again).
fn review_question(r: &AdminReview, hide: bool) -> Ask {
    let (title, detail, yes) = if hide {
        (
            "隐藏评价",
            format!(
                "{} 对「{}」的评价将不再显示在商品页，评分也不再计入。可以随时恢复显示。",
                r.username, r.sku_name
            ),
            "隐藏",
        )
    } else {
        (
            "恢复显示评价",
            format!(
                "{} 对「{}」的评价将重新显示在商品页。",
                r.username, r.sku_name
            ),
            "恢复显示",
        )
    };
    Ask {
        question: Question {
            title: title.to_owned(),
            detail,
            yes,
            danger: hide,
        },
        note: Some(NoteField {
            label: "原因（选填，记入操作日志）",
            what: "原因",
            required: None,
            placeholder: "如：含广告或辱骂内容",
        }),
    }
}

/// The list of `KEYS` of the page's URL, the list's answer, and `load` / `reload`.
struct Listing<T: Clone + Send + Sync + 'static> {
    query: Memo<ListQuery>,
    remote: Remote<AdminPageResponse<T>>,
    loading: RwSignal<bool>,
    load: Callback<ListQuery>,
}

impl<T: Clone + Send + Sync + 'static> Clone for Listing<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Clone + Send + Sync + 'static> Copy for Listing<T> {}

impl<T: Clone + Send + Sync + 'static> Listing<T> {
    /// Loads the list of `keys` of the URL with `fetch`, and again whenever the URL changes.
    fn new<F, Fut>(keys: &'static [&'static str], fetch: F) -> Self
    where
        F: Fn(Console, ListQuery) -> Fut + Copy + Send + Sync + 'static,
        Fut: Future<Output = Result<AdminPageResponse<T>, ApiError>> + 'static,
    {
        let console = use_console();
        let query_map = use_query_map();
        let query = Memo::new(move |_| query_map.with(|q| ListQuery::read(keys, |k| q.get(k))));
        let remote = Remote::new();
        let loading = RwSignal::new(false);
        let load = Callback::new(move |q: ListQuery| {
            loading.set(true);
            remote.load(async move {
                let answer = fetch(console, q).await;
                loading.try_set(false);
                answer
            });
        });
        Effect::new(move |_| load.run(query.get()));
        Self {
            query,
            remote,
            loading,
            load,
        }
    }

    /// The list again, as it is now (nothing once the page is gone).
    fn reload(self) {
        if let Some(q) = self.query.try_get_untracked() {
            self.load.run(q);
        }
    }
}

/// `/admin/reviews`: the filter, the reviews and 隐藏 / 恢复显示.
#[component]
pub fn ReviewList() -> impl IntoView {
    set_title(Some("评价 · 运营后台"));
    let console = use_console();
    let list = Listing::<AdminReview>::new(&REVIEW_KEYS, |console, q| async move {
        let staff = console.require()?;
        console.check(api::admin_after_sales::reviews(&staff, &q).await)
    });
    let retry = Callback::new(move |()| list.reload());

    let task = Task::new();
    let busy = task.pending();
    let done = RwSignal::new(None::<String>);
    let note = RwSignal::new(String::new());
    // The question and the change: the review and whether it is to be hidden.
    let asking = RwSignal::new(None::<(Ask, i64, bool)>);
    let ask = Signal::derive(move || asking.with(|a| a.as_ref().map(|(ask, ..)| ask.clone())));
    let on_ask = Callback::new(move |(r, hide): (AdminReview, bool)| {
        done.set(None);
        note.set(String::new());
        asking.set(Some((review_question(&r, hide), r.id, hide)));
    });
    let on_answer = Callback::new(move |yes: bool| {
        let Some((_, id, hide)) = asking.get_untracked() else {
            return;
        };
        asking.set(None);
        if !yes {
            return;
        }
        let body = ReviewVisibilityRequest {
            hidden: Some(hide),
            reason: note_value(&note.get_untracked()),
        };
        task.run(async move {
            let staff = console.require()?;
            let result = console
                .check(api::admin_after_sales::set_review_visibility(&staff, id, &body).await);
            // Shown as it is now, whatever the answer (a 404: the review is gone).
            list.reload();
            result?;
            done.set(Some(
                if hide {
                    "评价已隐藏，不再显示在商品页"
                } else {
                    "评价已恢复显示"
                }
                .to_owned(),
            ));
            Ok(())
        });
    });

    let table = move || match list.remote.get() {
        None => view! { <Loading text="正在加载评价…" /> }.into_any(),
        Some(Err(error)) => {
            view! { <ErrorNotice message=error.to_string() on_retry=retry /> }.into_any()
        }
        Some(Ok(answer)) => {
            let page = answer.data;
            let q = list.query.get_untracked();
            let pager = view! {
                <ConsolePager
                    total=page.total
                    capped=page.total_capped
                    page=page.page
                    page_size=page.page_size
                    rows=page.items.len()
                    href=Callback::new(move |n: u64| q.clone().on_page(n).href(REVIEWS))
                />
            };
            if page.items.is_empty() {
                return view! {
                    <EmptyNotice text="没有符合条件的评价" />
                    {pager}
                }
                .into_any();
            }
            let may_change = console.can("goods.change");
            let may_see_orders = console.can("orders.view");
            let rows = page
                .items
                .into_iter()
                .map(|r| review_row(r, may_change, may_see_orders, busy, on_ask))
                .collect_view();
            view! {
                <div class="table-wrap">
                    <table class="table console-after-sale console-reviews" data-testid="reviews-table" aria-busy=move || list.loading.get().to_string()>
                        <thead>
                            <tr>
                                <th scope="col">"时间"</th>
                                <th scope="col">"商品"</th>
                                <th scope="col">"用户"</th>
                                <th scope="col">"评分"</th>
                                <th scope="col">"内容"</th>
                                <th scope="col">"状态"</th>
                                {may_change.then(|| view! { <th scope="col">"操作"</th> })}
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
                {pager}
            }
            .into_any()
        }
    };

    view! {
        <div class="console-head">
            <h1>"评价"</h1>
        </div>
        <FilterTabs label="按显示状态筛选评价" path=REVIEWS key="hidden" choices=&REVIEW_FILTERS query=list.query />
        {move || done.get().map(|text| view! { <p class="notice success" role="status">{text}</p> })}
        <FormError message=task.error() />
        {table}
        <NoteDialog ask note on_answer />
    }
}

/// A review's row.
fn review_row(
    r: AdminReview,
    may_change: bool,
    may_see_orders: bool,
    busy: ReadSignal<bool>,
    ask: Callback<(AdminReview, bool)>,
) -> impl IntoView {
    let order = if may_see_orders {
        view! { <a class="mono" href=order_path(&r.order_id)>{r.order_id.clone()}</a> }.into_any()
    } else {
        view! { <span class="mono">{r.order_id.clone()}</span> }.into_any()
    };
    let hidden = r.hidden;
    let action = may_change.then(|| {
        let r = r.clone();
        view! {
            <td data-label="操作">
                <div class="row-actions nowrap">
                    <button
                        type="button"
                        class=if hidden { "btn small" } else { "btn small danger" }
                        disabled=move || busy.get()
                        on:click=move |_| ask.run((r.clone(), !hidden))
                    >
                        {if hidden { "恢复显示" } else { "隐藏" }}
                    </button>
                </div>
            </td>
        }
    });
    view! {
        <tr data-testid="review-row" data-review-id=r.id.to_string()>
            <td class="nowrap" data-label="时间">{to_minute(&r.time).to_owned()}</td>
            <td class="console-goods-cell" data-label="商品">
                <a href=crate::Page::product(r.sku_id) target="_blank" rel="noopener" data-testid="review-sku">
                    {r.sku_name.clone()}
                </a>
                <span class="sub">"订单 " {order}</span>
            </td>
            <td class="nowrap" data-label="用户" data-testid="review-user">
                {r.username.clone()}
                {r.anonymous.then(|| view! { <span class="tag">"匿名"</span> })}
            </td>
            <td class="nowrap" data-label="评分">
                <span class="console-stars" role="img" aria-label=format!("{} 星", r.score)>{stars(r.score)}</span>
            </td>
            // The shopper's text, as text.
            <td class="console-text-cell" data-label="内容" data-testid="review-content">{r.content.clone()}</td>
            <td data-label="状态">
                {if hidden {
                    view! { <span class="badge off" data-testid="review-state">"已隐藏"</span> }
                } else {
                    view! { <span class="badge ok" data-testid="review-state">"显示中"</span> }
                }}
            </td>
            {action}
        </tr>
    }
}

/// `/admin/returns`: the status filter, the returns and what may be done with each.
#[component]
pub fn ReturnList() -> impl IntoView {
    set_title(Some("退货 · 运营后台"));
    let console = use_console();
    let list = Listing::<OrderReturn>::new(&RETURN_KEYS, |console, q| async move {
        let staff = console.require()?;
        console.check(api::admin_after_sales::returns(&staff, &q).await)
    });
    let retry = Callback::new(move |()| list.reload());

    let task = Task::new();
    let busy = task.pending();
    let done = RwSignal::new(None::<String>);
    let note = RwSignal::new(String::new());
    // The question, the act and the return as shown (its id and version).
    let asking = RwSignal::new(None::<(Ask, Act, i64, i64)>);
    let ask = Signal::derive(move || asking.with(|a| a.as_ref().map(|(ask, ..)| ask.clone())));
    let on_ask = Callback::new(move |(act, r): (Act, OrderReturn)| {
        done.set(None);
        note.set(String::new());
        asking.set(Some((return_question(act, &r), act, r.id, r.version)));
    });
    let on_answer = Callback::new(move |yes: bool| {
        let Some((_, act, id, version)) = asking.get_untracked() else {
            return;
        };
        asking.set(None);
        if !yes {
            return;
        }
        let body = ReturnDecisionRequest {
            message: match act {
                Act::Approve | Act::Refuse => note_value(&note.get_untracked()),
                Act::Receive | Act::Retry => None,
            },
            version: Some(version),
        };
        task.run(async move {
            let staff = console.require()?;
            let result = console.check(
                api::admin_after_sales::decide_return(&staff, id, act.decision(), &body).await,
            );
            match result {
                Ok(answer) => {
                    let r = answer.data;
                    done.set(Some(match act {
                        Act::Approve => format!("退货 #{id} 已同意，等待买家寄回商品"),
                        Act::Refuse => format!("退货 #{id} 已拒绝"),
                        Act::Receive | Act::Retry => format!(
                            "退货 #{id} 已退款 {}",
                            money(r.refunded_amount.as_deref().unwrap_or(&r.amount))
                        ),
                    }));
                    list.reload();
                    Ok(())
                }
                // The gateway could not be reached (or online payment is off): say whether
                // the goods are back in stock already, which makes 重试退款 the way on.
                Err(ApiError::Api {
                    status: 503,
                    code,
                    message,
                }) => {
                    let now = api::admin_after_sales::one_return(&staff, id).await;
                    list.reload();
                    let restocked = now.is_ok_and(|r| r.data.status == "received");
                    Err(ApiError::Api {
                        status: 503,
                        code,
                        message: if restocked {
                            format!(
                                "{message}。退货 #{id} 的商品已退回库存，退款尚未完成：可稍后点「重试退款」。"
                            )
                        } else {
                            message
                        },
                    })
                }
                // 409 (someone acted first, or the gateway refused), 404: the server's
                // message, with the list as it is now.
                Err(error) => {
                    list.reload();
                    Err(error)
                }
            }
        });
    });

    let table = move || match list.remote.get() {
        None => view! { <Loading text="正在加载退货…" /> }.into_any(),
        Some(Err(error)) => {
            view! { <ErrorNotice message=error.to_string() on_retry=retry /> }.into_any()
        }
        Some(Ok(answer)) => {
            let page = answer.data;
            let q = list.query.get_untracked();
            let pager = view! {
                <ConsolePager
                    total=page.total
                    capped=page.total_capped
                    page=page.page
                    page_size=page.page_size
                    rows=page.items.len()
                    href=Callback::new(move |n: u64| q.clone().on_page(n).href(RETURNS))
                />
            };
            if page.items.is_empty() {
                return view! {
                    <EmptyNotice text="没有符合条件的退货申请" />
                    {pager}
                }
                .into_any();
            }
            let may_decide = console.can("orders.change");
            let may_receive = console.can("refunds.change");
            let may_see_orders = console.can("orders.view");
            let may_act = may_decide || may_receive;
            let rows = page
                .items
                .into_iter()
                .map(|r| {
                    let acts = may_act.then(|| return_acts(&r.status, may_decide, may_receive));
                    return_row(r, acts, may_see_orders, busy, on_ask)
                })
                .collect_view();
            view! {
                <div class="table-wrap">
                    <table class="table console-after-sale console-returns" data-testid="returns-table" aria-busy=move || list.loading.get().to_string()>
                        <thead>
                            <tr>
                                <th scope="col">"退货 / 订单"</th>
                                <th scope="col">"商品"</th>
                                <th scope="col" class="num">"退款金额"</th>
                                <th scope="col">"原因"</th>
                                <th scope="col">"状态"</th>
                                <th scope="col">"处理意见"</th>
                                {may_act.then(|| view! { <th scope="col">"操作"</th> })}
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
                {pager}
            }
            .into_any()
        }
    };

    view! {
        <div class="console-head">
            <h1>"退货"</h1>
        </div>
        <FilterTabs label="按状态筛选退货" path=RETURNS key="status" choices=&RETURN_FILTERS query=list.query />
        {move || done.get().map(|text| view! { <p class="notice success" role="status">{text}</p> })}
        <FormError message=task.error() />
        {table}
        <NoteDialog ask note on_answer />
    }
}

/// A return's row; `acts` is `None` when the operator may do nothing with returns (no 操作
/// column at all).
fn return_row(
    r: OrderReturn,
    acts: Option<Vec<Act>>,
    may_see_orders: bool,
    busy: ReadSignal<bool>,
    ask: Callback<(Act, OrderReturn)>,
) -> impl IntoView {
    let order = if may_see_orders {
        view! { <a class="mono" href=order_path(&r.order_id)>{r.order_id.clone()}</a> }.into_any()
    } else {
        view! { <span class="mono">{r.order_id.clone()}</span> }.into_any()
    };
    let lines = r
        .lines
        .iter()
        .map(|l| view! { <li>{format!("{} × {}", l.name, l.count)}</li> })
        .collect_view();
    // The shopper's pictures (what arrived broken, say), each opening full size.
    let pictures = r
        .pictures
        .iter()
        .enumerate()
        .map(|(n, url)| {
            view! {
                <a href=url.clone() target="_blank" rel="noopener" data-testid="return-picture">
                    <img
                        class="console-thumb small"
                        src=url.clone()
                        alt=format!("退货图片 {}", n + 1)
                        width="40"
                        height="40"
                        loading="lazy"
                    />
                </a>
            }
        })
        .collect_view();
    let refunded = r
        .refunded_amount
        .as_deref()
        .filter(|amount| *amount != r.amount)
        .map(|amount| view! { <span class="sub">{format!("实退 {}", money(amount))}</span> });
    let refunded_time = r
        .refunded_time
        .as_deref()
        .map(|t| view! { <span class="sub">{format!("退款 {}", to_minute(t))}</span> });
    let actions = acts.map(|acts| {
        // Nothing to do with it: an empty cell, which a phone's card leaves out.
        if acts.is_empty() {
            return view! { <td></td> }.into_any();
        }
        let buttons = acts
            .into_iter()
            .map(|act| {
                let r = r.clone();
                let class = match act {
                    Act::Refuse => "btn small danger",
                    Act::Approve | Act::Receive | Act::Retry => "btn small primary",
                };
                view! {
                    <button type="button" class=class disabled=move || busy.get() on:click=move |_| ask.run((act, r.clone()))>
                        {act.label()}
                    </button>
                }
            })
            .collect_view();
        view! { <td data-label="操作"><div class="row-actions nowrap">{buttons}</div></td> }
            .into_any()
    });
    // Seven columns, the return's number, order and time in one, so that the actions show
    // at 1366 px without scrolling the table.
    view! {
        <tr data-testid="return-row" data-return-id=r.id.to_string()>
            <td class="nowrap" data-label="退货">
                <strong>{format!("#{}", r.id)}</strong>
                <span class="sub">"订单 " {order}</span>
                <span class="sub">{format!("申请 {}", to_minute(&r.time))}</span>
                {refunded_time}
            </td>
            <td data-label="商品">
                <ul class="console-return-lines">{lines}</ul>
            </td>
            <td class="num" data-label="退款金额" data-testid="return-amount">
                {money(&r.amount)}
                {refunded}
            </td>
            <td class="console-text-cell" data-label="原因">
                {r.reason.clone()}
                {(!r.pictures.is_empty()).then(|| view! { <div class="console-return-pictures">{pictures}</div> })}
            </td>
            <td data-label="状态">
                <span class=return_badge(&r.status) data-testid="return-status">{r.status_name.clone()}</span>
            </td>
            <td class="console-text-cell" data-label="处理意见" data-testid="return-reply">
                {r.reply.clone().filter(|m| !m.is_empty()).unwrap_or_else(|| "—".to_owned())}
            </td>
            {actions}
        </tr>
    }
}

/// A list's filter as tabs: links to `path` with `key` set to each choice (and page 1), the
/// one in the URL marked.
#[component]
fn FilterTabs(
    label: &'static str,
    path: &'static str,
    key: &'static str,
    /// `(value, name)`; the value `""` is no filter.
    choices: &'static [(&'static str, &'static str)],
    query: Memo<ListQuery>,
) -> impl IntoView {
    let links = choices
        .iter()
        .map(|&(value, name)| {
            let href = move || query.with(|q| q.clone().with(key, value).on_page(1).href(path));
            let current = move || query.with(|q| q.get(key) == value).then_some("page");
            view! { <a href=href aria-current=current>{name}</a> }
        })
        .collect_view();
    view! { <nav class="tabs console-tabs" aria-label=label>{links}</nav> }
}

/// The dialog before a write, with the note to type when the question has one (checked by the
/// server's rule before going ahead). Like `widgets::ConfirmDialog`: Escape or 取消 answer
/// `false`. Focus starts on the note, or on 取消 when there is none, so that a stray Enter
/// does not go ahead.
#[component]
fn NoteDialog(
    /// The question shown, `None` while closed.
    #[prop(into)]
    ask: Signal<Option<Ask>>,
    /// The note's text; the caller empties it before asking.
    note: RwSignal<String>,
    /// Called with the answer; the caller closes the dialog.
    on_answer: Callback<bool>,
) -> impl IntoView {
    move || {
        ask.get().map(|asked| {
            let (q, field) = (asked.question, asked.note);
            // Made anew with each question: the element to focus is this dialog's.
            let cancel_button = NodeRef::<html::Button>::new();
            let note_input = NodeRef::<html::Input>::new();
            let tried = RwSignal::new(false);
            if field.is_some() {
                note_input.on_load(|input| {
                    let _ = input.focus();
                });
            } else {
                cancel_button.on_load(|button| {
                    let _ = button.focus();
                });
            }
            let error =
                move || field.and_then(|f| note.with(|n| check_note(n, f.what, f.required)));
            let on_yes = move |_| {
                tried.set(true);
                if error().is_none() {
                    on_answer.run(true);
                }
            };
            let yes_class = if q.danger {
                "btn danger-fill"
            } else {
                "btn primary"
            };
            let note_view = field.map(|f| {
                let shown = move || tried.get().then(error).flatten();
                view! {
                    <div class="field">
                        <label for="dialog-note">{f.label}</label>
                        <input
                            id="dialog-note"
                            name="dialog-note"
                            type="text"
                            autocomplete="off"
                            placeholder=f.placeholder
                            maxlength=RETURN_REASON_MAX_CHARS.to_string()
                            node_ref=note_input
                            bind:value=note
                            aria-invalid=move || if shown().is_some() { "true" } else { "false" }
                            aria-describedby="dialog-note-error"
                        />
                        <p class="field-error" id="dialog-note-error" aria-live="polite">{shown}</p>
                    </div>
                }
            });
            view! {
                <div class="dialog-backdrop">
                    <div
                        class="dialog"
                        role="alertdialog"
                        aria-modal="true"
                        aria-labelledby="dialog-title"
                        aria-describedby="dialog-detail"
                        on:keydown=move |ev| {
                            if ev.key() == "Escape" {
                                on_answer.run(false);
                            }
                        }
                    >
                        <h2 id="dialog-title">{q.title}</h2>
                        <p id="dialog-detail">{q.detail}</p>
                        {note_view}
                        <div class="dialog-actions">
                            <button
                                type="button"
                                class="btn"
                                node_ref=cancel_button
                                on:click=move |_| on_answer.run(false)
                            >
                                "取消"
                            </button>
                            <button type="button" class=yes_class on:click=on_yes>
                                {q.yes}
                            </button>
                        </div>
                    </div>
                </div>
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dadashop_types::after_sales::ReturnLine;

    fn a_return(status: &str) -> OrderReturn {
        OrderReturn {
            id: 7,
            order_id: "20261205123456789000000012".into(),
            status: status.into(),
            status_name: String::new(),
            reason: "尺码不合适".into(),
            reply: None,
            lines: vec![ReturnLine {
                sku_id: 5,
                name: "卫衣".into(),
                count: 1,
                price: "199.00".into(),
            }],
            amount: "199.00".into(),
            pictures: Vec::new(),
            time: "2026-12-05 14:03:27".into(),
            refunded_amount: None,
            refunded_time: None,
            version: 3,
        }
    }

    #[test]
    fn each_status_offers_what_the_role_may_do_with_it() {
        use Act::*;
        let cases: [(&str, bool, bool, Vec<Act>, &str); 8] = [
            (
                "requested",
                true,
                true,
                vec![Approve, Refuse],
                "decided by orders.change",
            ),
            ("requested", false, true, vec![], "finance may not decide"),
            (
                "approved",
                true,
                true,
                vec![Receive],
                "received by refunds.change",
            ),
            (
                "approved",
                true,
                false,
                vec![],
                "an order operator may not refund",
            ),
            (
                "received",
                false,
                true,
                vec![Retry],
                "a refund that did not go through",
            ),
            ("refunded", true, true, vec![], "done"),
            ("refused", true, true, vec![], "done"),
            (
                "unheard-of",
                true,
                true,
                vec![],
                "a status this page does not know",
            ),
        ];
        for (status, decide, receive, acts, why) in cases {
            assert_eq!(
                return_acts(status, decide, receive),
                acts,
                "{status}: {why}"
            );
        }
        assert_eq!(Retry.decision(), ReturnDecision::Receive);
        assert_eq!(Refuse.decision(), ReturnDecision::Refuse);
    }

    #[test]
    fn notes_are_checked_by_the_servers_rule() {
        let required = Some("请填写拒绝的原因");
        assert_eq!(check_note("", "处理意见", None), None);
        assert_eq!(
            check_note(" \u{200B} ", "处理意见", required).as_deref(),
            required
        );
        assert_eq!(check_note("已超过七天", "处理意见", required), None);
        assert_eq!(check_note(&"长".repeat(200), "处理意见", required), None);
        assert_eq!(
            check_note(&"长".repeat(201), "处理意见", None).as_deref(),
            Some("处理意见最多200个字符")
        );
        assert_eq!(
            check_note("第一行\n第二行", "原因", None).as_deref(),
            Some("原因含有非法字符")
        );
        assert_eq!(
            note_value("  寄回仓库 \u{200B}"),
            Some("寄回仓库".to_owned())
        );
        assert_eq!(note_value(" \u{FEFF} "), None);
    }

    #[test]
    fn questions_name_the_return_and_ask_for_a_note_where_one_is_wanted() {
        let r = a_return("requested");
        let refuse = return_question(Act::Refuse, &r);
        assert!(refuse.question.detail.contains("退货 #7"));
        assert!(refuse.question.danger);
        assert_eq!(
            refuse.note.and_then(|n| n.required),
            Some("请填写拒绝的原因")
        );
        let approve = return_question(Act::Approve, &r);
        assert_eq!(approve.note.map(|n| n.required), Some(None));
        let receive = return_question(Act::Receive, &a_return("approved"));
        assert!(receive.question.detail.contains("¥199.00"));
        assert_eq!(receive.note, None);
    }

    #[test]
    fn figures_read_as_the_console_shows_them() {
        assert_eq!(stars(4), "★★★★☆");
        assert_eq!(stars(5), "★★★★★");
        assert_eq!(stars(9), "★★★★★");
        assert_eq!(stars(-1), "☆☆☆☆☆");
        assert_eq!(to_minute("2026-12-05 14:03:27"), "2026-12-05 14:03");
        assert_eq!(to_minute("today"), "today");
        assert_eq!(return_badge("refunded"), "badge ok");
        assert_eq!(return_badge("requested"), "badge warn");
    }
}
