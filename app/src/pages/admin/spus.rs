//! `/admin/spus?...`: the SPUs (`goods.view`), searched by name and filtered by catalog and
//! brand on the server (`GET /v1/admin/spus`), the filters and the page kept in the URL; each
//! row leads to the SPU's editor, and 新建 SPU (`goods.add`) to an empty one.

use dadashop_types::admin::{AdminPageResponse, AdminSpuRow};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::goods::Choices;
use super::session::use_console;
use super::widgets::{ConsolePager, SelectField};
use super::{NEW_SPU, SPUS, spu_path};
use crate::api;
use crate::api::admin::ListQuery;
use crate::components::{EmptyNotice, ErrorNotice, Loading, TextField};
use crate::pages::set_title;
use crate::state::Remote;

/// The URL's (and the API's) query keys of the list.
const KEYS: [&str; 4] = ["q", "catalog_id", "brand_id", "page"];

/// The search form, the table and the pager.
#[component]
pub fn SpuList() -> impl IntoView {
    set_title(Some("SPU · 运营后台"));
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
    let submitted = RwSignal::new(false);
    let q_error = Signal::derive(move || {
        q.with(|q| (q.trim().chars().count() > 50).then(|| "搜索词最多50个字".to_owned()))
    });
    let choices = Choices::load();

    let spus: Remote<AdminPageResponse<AdminSpuRow>> = Remote::new();
    let load = move |q: ListQuery| {
        spus.load(async move {
            let staff = console.require()?;
            console.check(api::admin_catalog::spus(&staff, &q).await)
        });
    };
    Effect::new(move |_| load(query.get()));
    let retry = Callback::new(move |()| load(query.get_untracked()));

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
                .with("brand_id", &brand_id.get_untracked());
            if next == query.get_untracked() {
                load(next);
            } else {
                navigate(&next.href(SPUS), Default::default());
            }
        }
    };
    let on_reset = move |_| {
        submitted.set(false);
        navigate(SPUS, Default::default());
    };

    let table = move || match spus.get() {
        None => view! { <Loading text="正在加载 SPU…" /> }.into_any(),
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
                    href=Callback::new(move |n: u64| q.clone().on_page(n).href(SPUS))
                />
            };
            if page.items.is_empty() {
                return view! {
                    <EmptyNotice text="没有符合条件的 SPU" />
                    {pager}
                }
                .into_any();
            }
            let rows = page
                .items
                .into_iter()
                .map(|s| {
                    view! {
                        <tr data-testid="spu-row" data-spu-id=s.id.to_string()>
                            <td>
                                <a href=spu_path(s.id)>{s.name.clone()}</a>
                                <span class="sub">{format!("#{}", s.id)}</span>
                            </td>
                            <td class="nowrap">{s.catalog_name.clone()}</td>
                            <td class="nowrap">{s.brand_name.clone()}</td>
                            <td class="num">{s.sku_count}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <div class="table-wrap">
                    <table class="table" data-testid="spus-table">
                        <thead>
                            <tr>
                                <th scope="col">"名称"</th>
                                <th scope="col">"分类"</th>
                                <th scope="col">"品牌"</th>
                                <th scope="col" class="num">"SKU 数"</th>
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
            <h1>"SPU"</h1>
            <div class="head-actions">
                {move || console.can("goods.add").then(|| view! {
                    <a class="btn primary small" href=NEW_SPU>"新建 SPU"</a>
                })}
            </div>
        </div>
        <form class="filters" on:submit=on_submit novalidate aria-label="筛选 SPU">
            <div class="filter-wide">
                <TextField id="f-q" label="搜索" value=q error=q_error reveal=submitted placeholder="名称中的词" maxlength=50 />
            </div>
            {move || view! {
                <SelectField id="f-catalog" label="分类" value=catalog_id options=choices.catalog_options("全部") />
                <SelectField id="f-brand" label="品牌" value=brand_id options=choices.brand_options("全部") />
            }}
            <div class="filter-actions">
                <button type="submit" class="btn primary">"查询"</button>
                <button type="button" class="btn" on:click=on_reset>"重置"</button>
            </div>
        </form>
        {table}
    }
}
