//! `/search?q=&page=`: search results with a pager.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::Page;
use crate::api;
use crate::components::{ErrorNotice, HeadInfo, Loading, PageHead, Pager, SkuGrid};
use crate::preload::use_preload;
use crate::state::Remote;

/// Search results are not indexed (their links are followed).
fn search_head(title: String) -> HeadInfo {
    HeadInfo {
        description: format!("达达商城 · {title}"),
        title: Some(title),
        og_type: "website",
        noindex: true,
        ..Default::default()
    }
}

/// Posts the URL's `q` to `POST /v1/goods/search` and shows the hits. The query is shown as
/// text, never as markup. Partial matches say so; a near miss offers "你是不是要找" with a
/// link to the suggested search.
#[component]
pub fn SearchPage() -> impl IntoView {
    let query = use_query_map();
    let q = move || query.read().get("q").unwrap_or_default().trim().to_owned();
    let page = move || {
        query
            .read()
            .get("page")
            .and_then(|p| p.parse::<u64>().ok())
            .filter(|p| *p >= 1)
            .unwrap_or(1)
    };
    let results = Remote::new();
    let load = move |q: String, page: u64| {
        results.load(async move {
            if q.is_empty() {
                return Ok(None);
            }
            api::goods::search(&q, page).await.map(Some)
        });
    };
    // An empty query needs no answer; the first results of a server-rendered page came with
    // it. (Effects run in the browser only.)
    let (first_q, first_page) = (untrack(q), untrack(page));
    let preloaded = if first_q.is_empty() {
        Some(Ok(None))
    } else {
        use_preload()
            .and_then(|p| p.take_search(&first_q, first_page))
            .map(|answer| answer.map(Some))
    };
    let came_with_page = preloaded.is_some();
    if let Some(answer) = preloaded {
        results.set(answer);
    }
    Effect::new(move |ran: Option<()>| {
        let (q, page) = (q(), page());
        if ran.is_some() || !came_with_page {
            load(q, page);
        }
    });
    let retry = Callback::new(move |()| load(untrack(q), untrack(page)));
    let body = move || match results.get() {
        None => view! { <Loading text="正在搜索…" /> }.into_any(),
        Some(Err(error)) => {
            view! { <ErrorNotice message=error.to_string() on_retry=retry /> }.into_any()
        }
        Some(Ok(None)) => view! {
            <PageHead head=search_head("搜索".to_owned()) />
            <p class="status empty">"请输入要搜索的商品"</p>
        }
        .into_any(),
        Some(Ok(Some(answer))) => {
            let head = search_head(format!("搜索：{}", answer.q));
            let heading = format!("“{}”的搜索结果", answer.q);
            // "你是不是要找": a link to the search that would find goods.
            let suggestion = answer.suggestion.clone().map(|s| {
                let href = Page::search(&s, 1);
                view! {
                    <p class="search-suggestion" data-testid="search-suggestion">
                        "你是不是要找："
                        <a href=href>{s}</a>
                    </p>
                }
            });
            if answer.data.is_empty() {
                let text = format!("没有找到与“{}”相关的商品，换个词试试", answer.q);
                return view! {
                    <PageHead head />
                    <h1>{heading}</h1>
                    {suggestion}
                    <p class="status empty" data-testid="search-empty">{text}</p>
                }
                .into_any();
            }
            let pages = answer.paginator.pages();
            let q = answer.q.clone();
            let href = Callback::new(move |n: u64| Page::search(&q, n));
            let partial = answer.partial.then(|| {
                view! {
                    <p class="notice search-partial" data-testid="search-partial">
                        {format!("没有同时符合“{}”全部词语的商品，以下是部分符合的商品", answer.q)}
                    </p>
                }
            });
            view! {
                <PageHead head />
                <h1>{heading}</h1>
                {suggestion}
                {partial}
                <p class="list-total" data-testid="search-total">
                    {format!("共 {} 件商品", answer.paginator.total)}
                </p>
                <SkuGrid skus=answer.data base_url=answer.base_url />
                <Pager page=page() pages href />
            }
            .into_any()
        }
    };
    view! { <section class="search-page">{body}</section> }
}
