//! `/admin/orders?...`: orders, filtered, sorted and paged on the server (`GET
//! /v1/admin/orders`); `?status=6` is the 退款 menu's list of refunds due.
//!
//! The filters, the sort and the page live in the page's URL under the API's own names, so
//! a reload, the back button and a shared link show the same list. The amounts are checked
//! before anything is sent (`dadashop_types::money::parse_yuan`, the server's own rule).

use dadashop_types::admin::{AdminOrderRow, AdminPageResponse};
use dadashop_types::money::parse_yuan;
use dadashop_types::orders::status_name;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::session::use_console;
use super::widgets::{
    ConsolePager, DateField, SelectField, check_dates, money, status_class, when,
};
use super::{ORDERS, order_path};
use crate::api;
use crate::api::admin::ListQuery;
use crate::components::{EmptyNotice, ErrorNotice, Loading, TextField};
use crate::pages::set_title;
use crate::state::Remote;

/// The URL's (and the API's) query keys of the list.
const KEYS: [&str; 10] = [
    "status",
    "date_from",
    "date_to",
    "order_id",
    "username",
    "phone",
    "min_amount",
    "max_amount",
    "sort",
    "page",
];

/// The message of an amount filter that `parse_yuan` refuses.
fn check_amount(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty() && parse_yuan(text).is_none())
        .then(|| "请输入金额，最多两位小数，如 199.50".to_owned())
}

/// The message of a 最高金额 below the 最低金额 (both readable).
fn check_amount_range(min: &str, max: &str) -> Option<String> {
    match (parse_yuan(min), parse_yuan(max)) {
        (Some(min), Some(max)) if min > max => Some("最高金额不能低于最低金额".to_owned()),
        _ => None,
    }
}

/// The sort after a click on a column's header: newest (highest) first, then the other way.
fn next_sort(now: &str, column: &str) -> String {
    let descending = format!("-{column}");
    if now == descending || (now.is_empty() && column == "created_at") {
        column.to_owned()
    } else {
        descending
    }
}

/// The `aria-sort` of a column under the sort `now` (`-created_at` when none is given).
fn aria_sort(now: &str, column: &str) -> &'static str {
    let now = if now.is_empty() { "-created_at" } else { now };
    match now.strip_prefix('-') {
        Some(c) if c == column => "descending",
        None if now == column => "ascending",
        _ => "none",
    }
}

/// The filter form, the table and the pager.
#[component]
pub fn OrderList() -> impl IntoView {
    let console = use_console();
    let query_map = use_query_map();
    let navigate = use_navigate();
    let query = Memo::new(move |_| query_map.with(|q| ListQuery::read(&KEYS, |k| q.get(k))));
    Effect::new(move |_| {
        let refunds = query.with(|q| q.get("status") == "6");
        set_title(Some(if refunds {
            "退款 · 运营后台"
        } else {
            "订单 · 运营后台"
        }));
    });

    // The form, filled from the URL (again when the back button changes it).
    let field = |key: &'static str| {
        let signal = RwSignal::new(query.with_untracked(|q| q.get(key).to_owned()));
        Effect::new(move |_| signal.set(query.with(|q| q.get(key).to_owned())));
        signal
    };
    let status = field("status");
    let date_from = field("date_from");
    let date_to = field("date_to");
    let order_id = field("order_id");
    let username = field("username");
    let phone = field("phone");
    let min_amount = field("min_amount");
    let max_amount = field("max_amount");
    let submitted = RwSignal::new(false);
    let min_error = Signal::derive(move || min_amount.with(|m| check_amount(m)));
    let max_error = Signal::derive(move || {
        max_amount
            .with(|m| check_amount(m))
            .or_else(|| check_amount_range(&min_amount.get(), &max_amount.get()))
    });
    let date_error = Signal::derive(move || check_dates(&date_from.get(), &date_to.get()));

    let orders: Remote<AdminPageResponse<AdminOrderRow>> = Remote::new();
    let loading = RwSignal::new(false);
    let load = move |q: ListQuery| {
        loading.set(true);
        orders.load(async move {
            let staff = console.require()?;
            let answer = console.check(api::admin::orders(&staff, &q).await);
            loading.try_set(false);
            answer
        });
    };
    Effect::new(move |_| load(query.get()));
    let retry = Callback::new(move |()| load(query.get_untracked()));

    let on_submit = {
        let navigate = navigate.clone();
        move |ev: SubmitEvent| {
            ev.prevent_default();
            submitted.set(true);
            if min_error.get_untracked().is_some()
                || max_error.get_untracked().is_some()
                || date_error.get_untracked().is_some()
            {
                return;
            }
            let next = ListQuery::new()
                .with("status", &status.get_untracked())
                .with("date_from", &date_from.get_untracked())
                .with("date_to", &date_to.get_untracked())
                .with("order_id", &order_id.get_untracked())
                .with("username", &username.get_untracked())
                .with("phone", &phone.get_untracked())
                .with("min_amount", &min_amount.get_untracked())
                .with("max_amount", &max_amount.get_untracked())
                .with(
                    "sort",
                    query.with_untracked(|q| q.get("sort").to_owned()).as_str(),
                );
            if next == query.get_untracked() {
                load(next);
            } else {
                navigate(&next.href(ORDERS), Default::default());
            }
        }
    };
    let on_reset = move |_| {
        submitted.set(false);
        navigate(ORDERS, Default::default());
    };

    let statuses: Vec<(String, String)> = std::iter::once((String::new(), "全部".to_owned()))
        .chain((1..=7).map(|s| (s.to_string(), status_name(s).to_owned())))
        .collect();

    let sort_link = move |column: &'static str| {
        query.with(|q| {
            let sort = next_sort(q.get("sort"), column);
            q.clone().with("sort", &sort).on_page(1).href(ORDERS)
        })
    };
    let sort_mark = move |column: &'static str| {
        query.with(|q| match aria_sort(q.get("sort"), column) {
            "descending" => " ↓",
            "ascending" => " ↑",
            _ => "",
        })
    };
    let table = move || match orders.get() {
        None => view! { <Loading text="正在加载订单…" /> }.into_any(),
        Some(Err(error)) => {
            view! { <ErrorNotice message=error.to_string() on_retry=retry /> }.into_any()
        }
        Some(Ok(answer)) => {
            let page = answer.data;
            let pager = {
                let q = query.get_untracked();
                view! {
                    <ConsolePager
                        total=page.total
                        capped=page.total_capped
                        page=page.page
                        page_size=page.page_size
                        rows=page.items.len()
                        href=Callback::new(move |n: u64| q.clone().on_page(n).href(ORDERS))
                    />
                }
            };
            if page.items.is_empty() {
                return view! {
                    <EmptyNotice text="没有符合条件的订单" />
                    {pager}
                }
                .into_any();
            }
            let rows = page.items.into_iter().map(order_row).collect_view();
            view! {
                <div class="table-wrap">
                    <table class="table" data-testid="orders-table" aria-busy=move || loading.get().to_string()>
                        <thead>
                            <tr>
                                <th scope="col">"订单号"</th>
                                <th scope="col">"用户"</th>
                                <th scope="col">"收货人"</th>
                                <th scope="col" class="num">"件数"</th>
                                <th scope="col" class="num" aria-sort=move || query.with(|q| aria_sort(q.get("sort"), "total_amount"))>
                                    <a href=move || sort_link("total_amount") data-testid="sort-amount">
                                        "金额" {move || sort_mark("total_amount")}
                                    </a>
                                </th>
                                <th scope="col">"状态"</th>
                                <th scope="col" aria-sort=move || query.with(|q| aria_sort(q.get("sort"), "created_at"))>
                                    <a href=move || sort_link("created_at") data-testid="sort-created">
                                        "下单时间" {move || sort_mark("created_at")}
                                    </a>
                                </th>
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
            <h1>{move || if query.with(|q| q.get("status") == "6") { "退款" } else { "订单" }}</h1>
        </div>
        <form class="filters" on:submit=on_submit novalidate aria-label="筛选订单">
            <SelectField id="f-status" label="状态" value=status options=statuses />
            <DateField id="f-date-from" label="开始日期" value=date_from />
            <DateField
                id="f-date-to"
                label="结束日期"
                value=date_to
                error=Signal::derive(move || if submitted.get() { date_error.get() } else { None })
            />
            <TextField id="f-order-id" label="订单号" value=order_id error=Signal::derive(|| None::<String>) reveal=submitted inputmode="numeric" maxlength=32 />
            <TextField id="f-username" label="用户名" value=username error=Signal::derive(|| None::<String>) reveal=submitted maxlength=64 />
            <TextField id="f-phone" label="手机号" value=phone error=Signal::derive(|| None::<String>) reveal=submitted input_type="tel" maxlength=32 />
            <TextField id="f-min-amount" label="最低金额" value=min_amount error=min_error reveal=submitted inputmode="decimal" placeholder="0.00" maxlength=14 />
            <TextField id="f-max-amount" label="最高金额" value=max_amount error=max_error reveal=submitted inputmode="decimal" placeholder="0.00" maxlength=14 />
            <div class="filter-actions">
                <button type="submit" class="btn primary">"查询"</button>
                <button type="button" class="btn" on:click=on_reset>"重置"</button>
            </div>
        </form>
        {table}
    }
}

/// A row of the table; the order id links to its detail.
fn order_row(o: AdminOrderRow) -> impl IntoView {
    let href = order_path(&o.order_id);
    view! {
        <tr data-testid="order-row" data-order-id=o.order_id.clone()>
            <td class="mono"><a href=href>{o.order_id.clone()}</a></td>
            <td>
                {o.username}
                <span class="sub">{o.phone}</span>
            </td>
            <td>
                {o.receiver}
                <span class="sub">{o.receiver_mobile}</span>
            </td>
            <td class="num">{o.total_count}</td>
            <td class="num">{money(&o.total_amount)}</td>
            <td>
                <span class=status_class(o.status) data-testid="order-row-status">{o.status_name}</span>
            </td>
            <td class="nowrap">{when(o.created_at)}</td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::{aria_sort, check_amount, check_amount_range, next_sort};

    #[test]
    fn amounts_are_checked_by_the_servers_rule() {
        assert_eq!(check_amount(""), None);
        assert_eq!(check_amount("199"), None);
        assert_eq!(check_amount("199.5"), None);
        for bad in ["-1", "1.234", "abc", "1e3", "¥5"] {
            assert!(check_amount(bad).is_some(), "{bad}");
        }
        assert_eq!(check_amount_range("10", "20"), None);
        assert_eq!(check_amount_range("10", ""), None);
        assert!(check_amount_range("20", "10.5").is_some());
    }

    #[test]
    fn a_header_click_sorts_newest_first_then_the_other_way() {
        assert_eq!(next_sort("", "created_at"), "created_at");
        assert_eq!(next_sort("created_at", "created_at"), "-created_at");
        assert_eq!(next_sort("-created_at", "created_at"), "created_at");
        assert_eq!(next_sort("", "total_amount"), "-total_amount");
        assert_eq!(next_sort("-total_amount", "total_amount"), "total_amount");
        assert_eq!(next_sort("-total_amount", "created_at"), "-created_at");
        assert_eq!(aria_sort("", "created_at"), "descending");
        assert_eq!(aria_sort("total_amount", "total_amount"), "ascending");
        assert_eq!(aria_sort("total_amount", "created_at"), "none");
    }
}
