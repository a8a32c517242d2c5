//! `/catalog/:id`: one page of a catalog, with sorting and a price filter in the URL's query
//! (`page`, `sort`, `min_price`, `max_price`, as the API takes them).

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

use super::{NotFoundPage, is_not_found, set_title};
use crate::Page;
use crate::api;
use crate::api::goods::ListFilter;
use crate::components::{EmptyNotice, ErrorNotice, Loading, Pager, SkuGrid};
use crate::state::Remote;

/// The sort links: label and `sort` value.
const SORTS: [(&str, &str); 5] = [
    ("默认", ""),
    ("价格↑", "price"),
    ("价格↓", "-price"),
    ("销量", "sales"),
    ("新品", "new"),
];

/// The list filter of the current URL's query.
fn filter_of(query: &leptos_router::params::ParamsMap) -> ListFilter {
    ListFilter {
        page: query
            .get("page")
            .and_then(|p| p.parse().ok())
            .filter(|p| *p >= 1)
            .unwrap_or(1),
        sort: query.get("sort").unwrap_or_default(),
        min_price: query.get("min_price").unwrap_or_default(),
        max_price: query.get("max_price").unwrap_or_default(),
    }
}

/// Fetches `GET /v1/goods/catalogs/<id>` for the URL's query and shows it.
#[component]
pub fn CatalogPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    };
    let filter = move || filter_of(&query.read());
    let list = Remote::new();
    let load = move |id: Option<i64>, filter: ListFilter| {
        list.load(async move {
            match id {
                Some(id) => api::goods::catalog(id, &filter).await.map(|a| (id, a)),
                None => Err(api::ApiError::Api {
                    status: 404,
                    code: dadashop_types::codes::CATALOG_NOT_FOUND,
                    message: "分类不存在".into(),
                }),
            }
        });
    };
    // Each catalog, page and filter of the URL is loaded when the shopper goes there.
    Effect::new(move |_| load(id(), filter()));
    let retry = Callback::new(move |()| load(untrack(id), untrack(filter)));
    let navigate = use_navigate();
    let min = RwSignal::new(String::new());
    let max = RwSignal::new(String::new());
    Effect::new(move |_| {
        let f = filter();
        min.set(f.min_price);
        max.set(f.max_price);
    });
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Some(id) = id() {
            let f = ListFilter {
                page: 1,
                min_price: min.get_untracked(),
                max_price: max.get_untracked(),
                ..filter()
            };
            navigate(&Page::catalog_with(id, &f), Default::default());
        }
    };

    let body = move || match list.get() {
        None => view! { <Loading text="正在加载商品…" /> }.into_any(),
        Some(Err(error)) if is_not_found(&error) => view! { <NotFoundPage /> }.into_any(),
        Some(Err(error)) => {
            view! { <ErrorNotice message=error.to_string() on_retry=retry /> }.into_any()
        }
        Some(Ok((id, answer))) => {
            set_title(Some(&answer.catalog_name));
            let f = filter();
            let pages = answer.paginator.pages();
            let sorts = SORTS
                .iter()
                .map(|(label, value)| {
                    let link = Page::catalog_with(
                        id,
                        &ListFilter {
                            page: 1,
                            sort: (*value).to_owned(),
                            ..f.clone()
                        },
                    );
                    let current = (f.sort == *value).then_some("true");
                    view! { <a href=link aria-current=current>{*label}</a> }
                })
                .collect_view();
            let pager_filter = f.clone();
            let href = Callback::new(move |n: u64| {
                Page::catalog_with(
                    id,
                    &ListFilter {
                        page: n,
                        ..pager_filter.clone()
                    },
                )
            });
            let grid = if answer.data.is_empty() {
                view! { <EmptyNotice text="这个价格区间暂无商品" /> }.into_any()
            } else {
                view! { <SkuGrid skus=answer.data base_url=answer.base_url /> }.into_any()
            };
            view! {
                <h1 data-testid="catalog-name">{answer.catalog_name}</h1>
                <div class="list-tools">
                    <nav class="sorts" aria-label="排序">{sorts}</nav>
                    <span class="list-total">{format!("共 {} 件商品", answer.paginator.total)}</span>
                </div>
                {grid}
                <Pager page=f.page pages href />
            }
            .into_any()
        }
    };
    view! {
        <section class="catalog-page">
            <form class="price-filter" on:submit=apply>
                <label>
                    "价格 ¥"
                    <input
                        type="text"
                        inputmode="decimal"
                        name="min_price"
                        placeholder="最低"
                        size="6"
                        bind:value=min
                    />
                </label>
                <label>
                    "- ¥"
                    <input
                        type="text"
                        inputmode="decimal"
                        name="max_price"
                        placeholder="最高"
                        size="6"
                        bind:value=max
                    />
                </label>
                <button type="submit" class="btn">"筛选"</button>
            </form>
            {body}
        </section>
    }
}
