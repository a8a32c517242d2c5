//! `/catalog/:id`: one page of a catalog, with sorting and a price filter in the URL's query
//! (`page`, `sort`, `min_price`, `max_price`, as the API takes them).

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

use super::{NotFoundPage, is_not_found};
use crate::Page;
use crate::api;
use crate::api::goods::ListFilter;
use crate::components::{EmptyNotice, ErrorNotice, HeadInfo, Loading, PageHead, Pager, SkuGrid};
use crate::preload::use_preload;
use crate::state::Remote;
use dadashop_types::codes;
use dadashop_types::money::parse_yuan;

/// The sort links: label and `sort` value.
const SORTS: [(&str, &str); 5] = [
    ("默认", ""),
    ("价格↑", "price"),
    ("价格↓", "-price"),
    ("销量", "sales"),
    ("新品", "new"),
];

/// What is wrong with a list filter, said so that the shopper knows what to change, with the
/// filter that fixes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterProblem {
    /// The message, e.g. "最低价“abc”不是价格：请填写数字，如 199 或 199.50".
    pub message: String,
    /// The same filter without what was wrong.
    pub fixed: ListFilter,
    /// The fix link's text, e.g. "清除价格筛选".
    pub fix_label: &'static str,
}

/// Checks a filter with the API's rules (`GET /v1/goods/catalogs/<id>`: a known `sort`,
/// prices in yuan with at most two decimals, the lowest not above the highest), so that a
/// bad one is never sent.
pub fn check_filter(f: &ListFilter) -> Result<(), FilterProblem> {
    if !SORTS.iter().any(|(_, value)| *value == f.sort.trim()) {
        return Err(FilterProblem {
            message: format!(
                "没有“{}”这种排序方式，可按默认、价格、销量或新品排序",
                f.sort
            ),
            fixed: ListFilter {
                sort: String::new(),
                page: 1,
                ..f.clone()
            },
            fix_label: "按默认排序",
        });
    }
    let without_prices = || ListFilter {
        min_price: String::new(),
        max_price: String::new(),
        page: 1,
        ..f.clone()
    };
    let price = |label: &str, text: &str| -> Result<Option<i64>, FilterProblem> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        parse_yuan(text).map(Some).ok_or_else(|| FilterProblem {
            message: format!("{label}“{text}”不是价格：请填写数字，最多两位小数，如 199 或 199.50"),
            fixed: without_prices(),
            fix_label: "清除价格筛选",
        })
    };
    let low = price("最低价", &f.min_price)?;
    let high = price("最高价", &f.max_price)?;
    if let (Some(low), Some(high)) = (low, high)
        && low > high
    {
        return Err(FilterProblem {
            message: "最低价高于最高价：请把较小的数填在“最低”里".to_owned(),
            fixed: ListFilter {
                min_price: f.max_price.clone(),
                max_price: f.min_price.clone(),
                page: 1,
                ..f.clone()
            },
            fix_label: "交换最低价和最高价",
        });
    }
    Ok(())
}

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

/// Fetches `GET /v1/goods/catalogs/<id>` for the URL's query and shows it (on a page the web
/// origin rendered, the first list comes with the page). Without JavaScript the price filter
/// is a GET form of this page and every sort and page a link.
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
                    code: codes::CATALOG_NOT_FOUND,
                    message: "分类不存在".into(),
                }),
            }
        });
    };
    // A URL whose filter the API would refuse is not sent: the page says what to change.
    let url_problem = Memo::new(move |_| check_filter(&filter()).err());
    // A path that names no catalog needs no answer: it is the 404 page at once.
    let preloaded = match untrack(id) {
        Some(id) => use_preload()
            .and_then(|p| p.take_catalog(id, &untrack(filter)))
            .map(|answer| answer.map(|a| (id, a))),
        None => Some(Err(api::ApiError::Api {
            status: 404,
            code: codes::CATALOG_NOT_FOUND,
            message: "分类不存在".into(),
        })),
    };
    let came_with_page = preloaded.is_some();
    if let Some(answer) = preloaded {
        list.set(answer);
    }
    // Each catalog, page and filter of the URL is loaded when the shopper goes there.
    // (The check runs here again rather than through `url_problem`: an effect that reads a
    // memo derived from the query, and the query itself, was not rerun when the query
    // changed but the memo's value did not.)
    // (Effects run in the browser only; the first list of a server-rendered page is there.)
    Effect::new(move |ran: Option<()>| {
        let (id, filter) = (id(), filter());
        if check_filter(&filter).is_ok() && (ran.is_some() || !came_with_page) {
            load(id, filter);
        }
    });
    let retry = Callback::new(move |()| load(untrack(id), untrack(filter)));
    let navigate = use_navigate();
    // The price inputs start with the URL's prices (the server renders them so).
    let min = RwSignal::new(untrack(filter).min_price);
    let max = RwSignal::new(untrack(filter).max_price);
    // Also as the inputs' attributes: what a page without JavaScript shows.
    let (initial_min, initial_max) = (min.get_untracked(), max.get_untracked());
    Effect::new(move |_| {
        let f = filter();
        min.set(f.min_price);
        max.set(f.max_price);
    });
    // What is wrong with the typed prices, shown under the form until they are changed.
    let form_problem = RwSignal::new(None::<String>);
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(id) = id() else {
            return;
        };
        let f = ListFilter {
            page: 1,
            min_price: min.get_untracked().trim().to_owned(),
            max_price: max.get_untracked().trim().to_owned(),
            ..filter()
        };
        match check_filter(&f) {
            Ok(()) => {
                form_problem.set(None);
                navigate(&Page::catalog_with(id, &f), Default::default());
            }
            Err(problem) => form_problem.set(Some(problem.message)),
        }
    };

    let body = move || match (url_problem.get(), list.get()) {
        (Some(problem), _) => {
            let fix = id()
                .map(|id| Page::catalog_with(id, &problem.fixed))
                .unwrap_or_default();
            view! {
                <div class="notice error" role="alert" data-testid="filter-problem">
                    <p>{problem.message}</p>
                    <a class="btn" href=fix>{problem.fix_label}</a>
                </div>
            }
            .into_any()
        }
        (None, None) => view! { <Loading text="正在加载商品…" /> }.into_any(),
        (None, Some(Err(error))) if is_not_found(&error) => view! { <NotFoundPage /> }.into_any(),
        // A page past the last one (the catalog shrank since the link was made).
        (
            None,
            Some(Err(api::ApiError::Api {
                code: codes::BAD_PAGE,
                ..
            })),
        ) => {
            let first = id()
                .map(|id| {
                    Page::catalog_with(
                        id,
                        &ListFilter {
                            page: 1,
                            ..filter()
                        },
                    )
                })
                .unwrap_or_default();
            view! {
                <div class="notice info" role="status" data-testid="filter-problem">
                    <p>{format!("没有第 {} 页了：这个分类的商品没有那么多", filter().page)}</p>
                    <a class="btn" href=first>"回到第 1 页"</a>
                </div>
            }
            .into_any()
        }
        (None, Some(Err(error))) => {
            view! { <ErrorNotice message=error.to_string() on_retry=retry /> }.into_any()
        }
        (None, Some(Ok((id, answer)))) => {
            let f = filter();
            let head = HeadInfo {
                title: Some(answer.catalog_name.clone()),
                description: format!(
                    "达达商城{name}：精选{name}，正品保障",
                    name = answer.catalog_name
                ),
                // Each page of the catalog in its default order; sorts and price ranges
                // point to it.
                canonical: Some(Page::catalog_with(
                    id,
                    &ListFilter {
                        page: f.page,
                        ..Default::default()
                    },
                )),
                og_type: "website",
                ..Default::default()
            };
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
                <PageHead head />
                <nav class="breadcrumb" aria-label="位置">
                    <a href=Page::Home.path()>"首页"</a>
                    " › "
                    <span aria-current="page">{answer.catalog_name.clone()}</span>
                </nav>
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
    // An unknown catalog shows only the 404 page: no filter above it.
    let known = move || !matches!(list.get(), Some(Err(ref error)) if is_not_found(error));
    view! {
        <section class="catalog-page">
            <form
                class="price-filter"
                method="get"
                action=move || id().map(Page::catalog).unwrap_or_default()
                on:submit=apply
                novalidate
                hidden=move || !known()
            >
                // Without JavaScript the form itself keeps the chosen sort.
                {move || {
                    let sort = filter().sort;
                    (!sort.is_empty()).then(|| view! { <input type="hidden" name="sort" value=sort /> })
                }}
                <label>
                    "价格 ¥"
                    <input
                        type="text"
                        inputmode="decimal"
                        name="min_price"
                        placeholder="最低"
                        size="6"
                        value=initial_min
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
                        value=initial_max
                        bind:value=max
                    />
                </label>
                <button type="submit" class="btn">"筛选"</button>
                {move || {
                    form_problem
                        .get()
                        .map(|m| {
                            view! {
                                <p class="form-error" role="alert" data-testid="price-error">
                                    {m}
                                </p>
                            }
                        })
                }}
            </form>
            {body}
        </section>
    }
}
