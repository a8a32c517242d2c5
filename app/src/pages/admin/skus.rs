//! `/admin/skus?...`: 商品, the SKUs (`goods.view`), searched by name and filtered by catalog
//! and launch state on the server (`GET /v1/admin/skus`; the API has no brand filter for
//! SKUs: the SPU list has one). The filters and the page live in the URL under the API's own
//! names, as in the orders list. Each row leads to the SKU's editor.
//!
//! 导出 CSV saves every SKU as the server writes it (UTF-8 with a BOM, for Excel); 导入 CSV
//! (`goods.change`) sends a file of the same columns for a preview of what would change and
//! of every bad line, and 应用 saves it all in one transaction.

use dadashop_types::admin::{AdminPageResponse, AdminSku, ImportChange, ImportError};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::goods::{Choices, launch_badge, save_blob, today_stamp};
use super::session::use_console;
use super::widgets::{ConsolePager, SelectField, money};
use super::{SKUS, sku_path};
use crate::api;
use crate::api::admin::ListQuery;
use crate::api::admin_catalog::Imported;
use crate::components::{EmptyNotice, ErrorNotice, FormError, Loading, TextField};
use crate::pages::set_title;
use crate::state::{Remote, Task};

/// The URL's (and the API's) query keys of the list.
const KEYS: [&str; 5] = ["q", "catalog_id", "brand_id", "launched", "page"];

/// What a column of the import reads as.
pub fn field_label(field: &str) -> &str {
    match field {
        "price" => "售价",
        "market_price" => "市场价",
        "stock" => "库存",
        "launched" => "上架",
        other => other,
    }
}

/// A value of the import as read: money with ¥, launch state in words.
fn import_value(field: &str, value: &str) -> String {
    match (field, value) {
        ("launched", "1") => "上架".to_owned(),
        ("launched", "0") => "未上架".to_owned(),
        ("price" | "market_price", v) => money(v),
        (_, v) => v.to_owned(),
    }
}

/// The search form, 导出 / 导入, the table and the pager.
#[component]
pub fn SkuList() -> impl IntoView {
    set_title(Some("商品 · 运营后台"));
    let console = use_console();
    let query_map = use_query_map();
    let navigate = use_navigate();
    let query = Memo::new(move |_| query_map.with(|q| ListQuery::read(&KEYS, |k| q.get(k))));
    let field = |key: &'static str| {
        let signal = RwSignal::new(query.with_untracked(|q| q.get(key).to_owned()));
        Effect::new(move |_| signal.set(query.with(|q| q.get(key).to_owned())));
        signal
    };
    let q = field("q");
    let catalog_id = field("catalog_id");
    let brand_id = field("brand_id");
    let launched = field("launched");
    let submitted = RwSignal::new(false);
    let q_error = Signal::derive(move || {
        q.with(|q| (q.trim().chars().count() > 50).then(|| "搜索词最多50个字".to_owned()))
    });
    let choices = Choices::load();

    let skus: Remote<AdminPageResponse<AdminSku>> = Remote::new();
    let loading = RwSignal::new(false);
    let load = move |q: ListQuery| {
        loading.set(true);
        skus.load(async move {
            let staff = console.require()?;
            let answer = console.check(api::admin_catalog::skus(&staff, &q).await);
            loading.try_set(false);
            answer
        });
    };
    Effect::new(move |_| load(query.get()));
    let reload = move || load(query.get_untracked());
    let retry = Callback::new(move |()| reload());

    let on_submit = {
        let navigate = navigate.clone();
        move |ev: SubmitEvent| {
            ev.prevent_default();
            submitted.set(true);
            if q_error.get_untracked().is_some() {
                return;
            }
            let next = ListQuery::new()
                .with("q", &q.get_untracked())
                .with("catalog_id", &catalog_id.get_untracked())
                .with("brand_id", &brand_id.get_untracked())
                .with("launched", &launched.get_untracked());
            if next == query.get_untracked() {
                load(next);
            } else {
                navigate(&next.href(SKUS), Default::default());
            }
        }
    };
    let on_reset = move |_| {
        submitted.set(false);
        navigate(SKUS, Default::default());
    };

    // 导出 CSV: the file as the server wrote it, saved under today's name.
    let export = Task::new();
    let exporting = export.pending();
    let on_export = move |_| {
        export.run(async move {
            let staff = console.require()?;
            let blob = console.check(api::admin_catalog::export_skus(&staff).await)?;
            save_blob(&blob, &format!("skus-{}.csv", today_stamp()));
            Ok(())
        });
    };
    let importing = RwSignal::new(false);
    let done = RwSignal::new(None::<String>);
    let imported = Callback::new(move |message: String| {
        importing.set(false);
        done.set(Some(message));
        reload();
    });

    let launch_options = vec![
        (String::new(), "全部".to_owned()),
        ("1".to_owned(), "已上架".to_owned()),
        ("0".to_owned(), "未上架".to_owned()),
    ];
    let catalog_select = move || {
        view! {
            <SelectField id="f-catalog" label="分类" value=catalog_id options=choices.catalog_options("全部") />
        }
    };

    let table = move || match skus.get() {
        None => view! { <Loading text="正在加载商品…" /> }.into_any(),
        Some(Err(error)) => {
            view! { <ErrorNotice message=error.to_string() on_retry=retry /> }.into_any()
        }
        Some(Ok(answer)) => {
            let page = answer.data;
            let q = query.get_untracked();
            let pager = view! {
                <ConsolePager
                    total=page.total
                    capped=page.total_capped
                    page=page.page
                    page_size=page.page_size
                    rows=page.items.len()
                    href=Callback::new(move |n: u64| q.clone().on_page(n).href(SKUS))
                />
            };
            if page.items.is_empty() {
                return view! {
                    <EmptyNotice text="没有符合条件的商品" />
                    {pager}
                }
                .into_any();
            }
            let rows = page.items.into_iter().map(sku_row).collect_view();
            view! {
                <div class="table-wrap">
                    <table class="table" data-testid="skus-table" aria-busy=move || loading.get().to_string()>
                        <thead>
                            <tr>
                                <th scope="col">"商品"</th>
                                <th scope="col">"分类"</th>
                                <th scope="col" class="num">"售价"</th>
                                <th scope="col" class="num">"市场价"</th>
                                <th scope="col" class="num">"库存"</th>
                                <th scope="col" class="num">"销量"</th>
                                <th scope="col">"状态"</th>
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
            <h1>"商品"</h1>
            <div class="head-actions">
                <button type="button" class="btn small" disabled=move || exporting.get() on:click=on_export>
                    {move || if exporting.get() { "正在导出…" } else { "导出 CSV" }}
                </button>
                {move || {
                    (console.can("goods.change") && !importing.get())
                        .then(|| {
                            view! {
                                <button
                                    type="button"
                                    class="btn small"
                                    on:click=move |_| {
                                        done.set(None);
                                        importing.set(true);
                                    }
                                >
                                    "导入 CSV"
                                </button>
                            }
                        })
                }}
            </div>
        </div>
        {move || done.get().map(|text| view! { <p class="notice success" role="status">{text}</p> })}
        <FormError message=export.error() />
        {move || {
            (console.can("goods.change") && importing.get())
                .then(|| view! { <ImportPanel on_done=imported on_close=Callback::new(move |()| importing.set(false)) /> })
        }}
        <form class="filters" on:submit=on_submit novalidate aria-label="筛选商品">
            <div class="filter-wide">
                <TextField id="f-q" label="搜索" value=q error=q_error reveal=submitted placeholder="商品名称中的词" maxlength=50 />
            </div>
            {catalog_select}
            {move || view! {
                <SelectField id="f-brand" label="品牌" value=brand_id options=choices.brand_options("全部") />
            }}
            <SelectField id="f-launched" label="状态" value=launched options=launch_options />
            <div class="filter-actions">
                <button type="submit" class="btn primary">"查询"</button>
                <button type="button" class="btn" on:click=on_reset>"重置"</button>
            </div>
        </form>
        {table}
    }
}

/// A row: picture, name (to the editor) and SPU, catalog, prices, stock, sales, state.
fn sku_row(s: AdminSku) -> impl IntoView {
    let href = sku_path(s.id);
    let picture = (!s.image.is_empty()).then(|| {
        view! { <img class="console-thumb small" src=s.image.clone() alt="" width="40" height="40" loading="lazy" /> }
    });
    view! {
        <tr data-testid="sku-row" data-sku-id=s.id.to_string()>
            <td class="line-cell">
                {picture}
                <span>
                    <a href=href data-testid="sku-name">{s.name.clone()}</a>
                    <span class="sub">{format!("#{} · {}", s.id, s.spu_name)}</span>
                </span>
            </td>
            <td class="nowrap">{s.catalog_name.clone()}</td>
            <td class="num" data-testid="sku-price">{money(&s.price)}</td>
            <td class="num">{money(&s.market_price)}</td>
            <td class="num" data-testid="sku-stock">{s.stock}</td>
            <td class="num">{s.sales}</td>
            <td>{launch_badge(s.is_launched)}</td>
        </tr>
    }
}

/// 导入 CSV: a file, its preview (changes and bad lines), then 应用.
#[component]
fn ImportPanel(on_done: Callback<String>, on_close: Callback<()>) -> impl IntoView {
    let console = use_console();
    // The file chosen (a browser object: this tab's only, never sent across threads).
    let file = StoredValue::new_local(None::<web_sys::File>);
    let chosen = RwSignal::new(String::new());
    let preview = RwSignal::new(None::<Imported>);
    let task = Task::new();
    let busy = task.pending();

    let read = move |apply: bool| {
        let Some(chosen) = file.get_value() else {
            return;
        };
        task.run(async move {
            let staff = console.require()?;
            let answer =
                console.check(api::admin_catalog::import_skus(&staff, &chosen, apply).await)?;
            if apply && answer.refused.is_none() {
                let n = answer.report.changes.len();
                on_done.run(format!("导入完成：已应用 {n} 项修改"));
            } else {
                preview.set(Some(answer));
            }
            Ok(())
        });
    };
    let on_pick = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let picked = input.files().and_then(|list| list.get(0));
        preview.set(None);
        chosen.set(picked.as_ref().map(web_sys::File::name).unwrap_or_default());
        file.set_value(picked);
        // The same file may be chosen again (after fixing it).
        input.set_value("");
        read(false);
    };

    let report = move || {
        preview.get().map(|Imported { report, refused }| {
            let bad = report.errors.len();
            let changes = report.changes.len();
            let summary = format!("共 {} 行：{changes} 项修改，{bad} 行有误", report.rows);
            let may_apply = bad == 0 && changes > 0;
            view! {
                {refused.map(|text| view! { <p class="notice error" role="alert">{text}</p> })}
                <p class="import-summary" data-testid="import-summary">{summary}</p>
                {(!report.errors.is_empty()).then(|| errors_table(report.errors.clone()))}
                {(!report.changes.is_empty()).then(|| changes_table(report.changes.clone()))}
                {(bad == 0 && changes == 0).then(|| view! { <p class="muted">"文件与当前的商品相同，没有要修改的。"</p> })}
                <div class="filter-actions">
                    <button
                        type="button"
                        class="btn primary"
                        disabled=move || busy.get() || !may_apply
                        on:click=move |_| read(true)
                    >
                        "应用"
                    </button>
                    {(bad > 0).then(|| view! { <span class="muted">"请先改正有误的行，再重新选择文件"</span> })}
                </div>
            }
        })
    };

    view! {
        <section class="panel import-panel" aria-labelledby="import-title" data-testid="import-panel">
            <div class="panel-head">
                <h2 id="import-title">"导入 CSV"</h2>
                <button type="button" class="btn small" on:click=move |_| on_close.run(())>"关闭"</button>
            </div>
            <p class="muted">
                "列须与导出的文件相同：id,name,price,market_price,stock,launched（名称不会被修改）。先预览，确认后再应用；全部修改在一个事务中保存。"
            </p>
            <div class="import-file">
                <label class="btn small primary file-button">
                    "选择 CSV 文件"
                    <input id="import-file" type="file" accept=".csv,text/csv" on:change=on_pick />
                </label>
                <span class="muted" data-testid="import-file-name">{move || chosen.get()}</span>
            </div>
            {move || busy.get().then(|| view! { <Loading text="正在读取文件…" /> })}
            <FormError message=task.error() />
            {report}
        </section>
    }
}

/// The changes an import would make: line, SKU, field, before → after.
fn changes_table(changes: Vec<ImportChange>) -> impl IntoView {
    let rows = changes
        .into_iter()
        .map(|c| {
            view! {
                <tr data-testid="import-change" data-sku-id=c.sku_id.to_string()>
                    <td class="num">{c.line}</td>
                    <td>
                        <a href=sku_path(c.sku_id)>{format!("#{}", c.sku_id)}</a>
                        <span class="sub">{c.name.clone()}</span>
                    </td>
                    <td class="nowrap">{field_label(&c.field).to_owned()}</td>
                    <td class="nowrap">
                        <span class="diff-before">{import_value(&c.field, &c.before)}</span>
                        " → "
                        <strong class="diff-after" data-testid="import-after">{import_value(&c.field, &c.after)}</strong>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h3 class="import-title">"将要修改"</h3>
        <div class="table-wrap">
            <table class="table compact" data-testid="import-changes">
                <thead>
                    <tr>
                        <th scope="col" class="num">"行"</th>
                        <th scope="col">"商品"</th>
                        <th scope="col">"字段"</th>
                        <th scope="col">"修改前 → 修改后"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// The lines an import refuses: line and reason.
fn errors_table(errors: Vec<ImportError>) -> impl IntoView {
    let rows = errors
        .into_iter()
        .map(|e| {
            view! {
                <tr data-testid="import-error">
                    <td class="num">{e.line}</td>
                    <td class="wrap">{e.reason}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h3 class="import-title danger-text">"有误的行"</h3>
        <div class="table-wrap">
            <table class="table compact" data-testid="import-errors">
                <thead>
                    <tr>
                        <th scope="col" class="num">"行"</th>
                        <th scope="col">"原因"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::{field_label, import_value};

    #[test]
    fn import_values_read_as_the_console_shows_them() {
        assert_eq!(field_label("market_price"), "市场价");
        assert_eq!(import_value("price", "199.5"), "¥199.50");
        assert_eq!(import_value("launched", "0"), "未上架");
        assert_eq!(import_value("stock", "12"), "12");
    }
}
