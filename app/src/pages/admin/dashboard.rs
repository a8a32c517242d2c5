//! `/admin`: 统计, the shop today and over the last 30 days (`GET /v1/admin/dashboard`).

use dadashop_types::admin::{Dashboard as Figures, DayOrders};
use dadashop_types::money::format_fen;
use leptos::prelude::*;

use super::ORDERS;
use super::chart::{Axis, Chart, Mark, Series};
use super::session::use_console;
use super::widgets::day_label;
use crate::api;
use crate::components::{ErrorNotice, Loading};
use crate::pages::set_title;
use crate::state::Remote;

/// The figures as cards, the two charts, today's visits per catalog and the SKUs low on
/// stock.
#[component]
pub fn Dashboard() -> impl IntoView {
    set_title(Some("统计 · 运营后台"));
    let console = use_console();
    let data = Remote::new();
    let load = move || {
        data.load(async move {
            let staff = console.require()?;
            console.check(api::admin::dashboard(&staff).await)
        });
    };
    load();
    let retry = Callback::new(move |()| load());
    let body = move || match data.get() {
        None => view! { <Loading text="正在加载统计…" /> }.into_any(),
        Some(Err(error)) => {
            view! { <ErrorNotice message=error.to_string() on_retry=retry /> }.into_any()
        }
        Some(Ok(answer)) => view! { <Board figures=answer.data /> }.into_any(),
    };
    view! {
        <div class="console-head">
            <h1>"统计"</h1>
            <button type="button" class="btn small" on:click=move |_| load()>"刷新"</button>
        </div>
        {body}
    }
}

/// A figure card; `href` makes it a link to the list behind it.
#[component]
fn Stat(
    label: &'static str,
    value: String,
    #[prop(optional)] note: Option<String>,
    #[prop(default = None)] href: Option<String>,
    #[prop(optional)] alert: bool,
    test_id: &'static str,
) -> impl IntoView {
    let class = if alert { "stat alert" } else { "stat" };
    let inner = view! {
        <span class="stat-label">{label}</span>
        <strong class="stat-value" data-testid=test_id>{value}</strong>
        {note.map(|n| view! { <span class="stat-note">{n}</span> })}
    };
    match href {
        Some(href) => view! { <a class=class href=href>{inner}</a> }.into_any(),
        None => view! { <div class=class>{inner}</div> }.into_any(),
    }
}

/// The paid amount of a day in yuan (a chart value).
fn paid_yuan(day: &DayOrders) -> f64 {
    // Fen to yuan for drawing only: a day's takings are far inside f64's exact range.
    day.paid_fen as f64 / 100.0
}

#[component]
fn Board(figures: Figures) -> impl IntoView {
    let console = use_console();
    let f = figures;
    let orders_link = move |status: i64| {
        console
            .can("orders.view")
            .then(|| format!("{ORDERS}?status={status}"))
    };

    let day_labels: Vec<String> = f
        .new_users_by_day
        .iter()
        .map(|d| day_label(&d.day))
        .collect();
    let new_total: i64 = f.new_users_by_day.iter().map(|d| d.count).sum();
    let users_chart = Series {
        name: "新增用户",
        values: f.new_users_by_day.iter().map(|d| d.count as f64).collect(),
        mark: Mark::Bars,
        axis: Axis::Left,
        format: |v| format!("{v} 人"),
    };
    let order_labels: Vec<String> = f.orders_by_day.iter().map(|d| day_label(&d.day)).collect();
    let orders_total: i64 = f.orders_by_day.iter().map(|d| d.orders).sum();
    let paid_total: i64 = f.orders_by_day.iter().map(|d| d.paid_fen).sum();
    let order_series = vec![
        Series {
            name: "下单数",
            values: f.orders_by_day.iter().map(|d| d.orders as f64).collect(),
            mark: Mark::Bars,
            axis: Axis::Left,
            format: |v| format!("{v} 单"),
        },
        Series {
            name: "支付金额",
            values: f.orders_by_day.iter().map(paid_yuan).collect(),
            mark: Mark::Line,
            axis: Axis::Right,
            format: |v| format!("¥{v:.2}"),
        },
    ];

    let most = f
        .catalog_visits_today
        .iter()
        .map(|c| c.visits)
        .max()
        .unwrap_or(0)
        .max(1);
    let visits = if f.catalog_visits_today.is_empty() {
        view! { <p class="status empty">"今天还没有商品浏览"</p> }.into_any()
    } else {
        let rows = f
            .catalog_visits_today
            .iter()
            .map(|c| {
                let width = format!("{:.1}", c.visits as f64 * 100.0 / most as f64);
                view! {
                    <li>
                        <span class="visit-name">{c.name.clone()}</span>
                        <svg class="visit-bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
                            <rect width=width height="10" />
                        </svg>
                        <span class="visit-count">{c.visits}</span>
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="visits" aria-label="今日各分类浏览量">{rows}</ul> }.into_any()
    };

    let low_stock = if f.low_stock.is_empty() {
        view! { <p class="status empty">"没有库存预警的商品"</p> }.into_any()
    } else {
        let rows = f
            .low_stock
            .iter()
            .map(|s| {
                view! {
                    <tr>
                        <td>{s.sku_id}</td>
                        <td>{s.name.clone()}</td>
                        <td class=if s.stock == 0 { "num danger-text" } else { "num" }>{s.stock}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <div class="table-wrap">
                <table class="table compact" data-testid="low-stock">
                    <thead>
                        <tr>
                            <th scope="col">"SKU"</th>
                            <th scope="col">"商品"</th>
                            <th scope="col" class="num">"库存"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };

    view! {
        <p class="console-sub">{format!("今天 {}（北京时间）", f.today)}</p>
        <div class="stats" data-testid="stats">
            <Stat label="总用户" value=f.total_users.to_string() test_id="stat-total-users" />
            <Stat label="今日新增" value=f.new_users_today.to_string() test_id="stat-new-users" />
            <Stat label="今日活跃" value=f.active_users_today.to_string() test_id="stat-active-users" />
            <Stat label="今日下单用户" value=f.ordering_users_today.to_string() test_id="stat-ordering-users" />
            <Stat
                label="待发货"
                value=f.awaiting_shipment.to_string()
                href=orders_link(2)
                test_id="stat-awaiting-shipment"
                alert={f.awaiting_shipment > 0}
            />
            <Stat
                label="待退款"
                value=f.refunds_due.to_string()
                href=orders_link(6)
                test_id="stat-refunds-due"
                alert={f.refunds_due > 0}
            />
            <Stat
                label="库存预警"
                value=f.low_stock_count.to_string()
                note=format!("库存 ≤ {} 件", f.low_stock_threshold)
                test_id="stat-low-stock"
                alert={f.low_stock_count > 0}
            />
        </div>
        <div class="dash-charts">
            <section class="panel">
                <Chart
                    title="近30天新增用户"
                    labels=day_labels
                    series=vec![users_chart]
                    left_unit="人"
                    summary=format!("近30天共新增 {new_total} 人")
                />
            </section>
            <section class="panel">
                <Chart
                    title="近30天订单与支付金额"
                    labels=order_labels
                    series=order_series
                    left_unit="单"
                    right_unit="元"
                    summary=format!("近30天共 {orders_total} 单，支付 ¥{}", format_fen(paid_total))
                />
            </section>
        </div>
        <div class="dash-lists">
            <section class="panel" aria-labelledby="visits-title">
                <h2 id="visits-title">"今日各分类浏览量"</h2>
                {visits}
            </section>
            <section class="panel" aria-labelledby="low-stock-title">
                <h2 id="low-stock-title">
                    {format!("库存预警（{} 个 SKU，库存 ≤ {}）", f.low_stock_count, f.low_stock_threshold)}
                </h2>
                {low_stock}
            </section>
        </div>
    }
}
