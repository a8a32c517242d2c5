//! `/`: the catalog blocks of the home page.

use leptos::prelude::*;

use crate::Page;
use crate::components::{CatalogBlock, EmptyNotice, ErrorNotice, HeadInfo, Loading, PageHead};
use crate::state::{GoodsIndex, Remote, use_flash};

/// Shows a block per catalog of `GET /v1/goods/index` (the answer the shell loaded, see
/// [`GoodsIndex`]); 重试 fetches it again. A flash of the page before (registration's "check
/// your mail") shows above the blocks for this visit.
#[component]
pub fn HomePage() -> impl IntoView {
    let head = HeadInfo {
        description: "达达商城：精品箱包在线商城，正品保障，7天无理由退换".to_owned(),
        canonical: Some(Page::Home.path().to_owned()),
        og_type: "website",
        ..Default::default()
    };
    let flash = use_flash().take();
    let index = use_context::<GoodsIndex>().unwrap_or_else(|| {
        let own = GoodsIndex(Remote::new());
        own.load();
        own
    });
    let retry = Callback::new(move |()| index.load());
    let body = move || match index.0.get() {
        None => view! { <Loading text="正在加载商品…" /> }.into_any(),
        Some(Err(error)) => {
            view! { <ErrorNotice message=error.to_string() on_retry=retry /> }.into_any()
        }
        Some(Ok(answer)) if answer.data.is_empty() => {
            view! { <EmptyNotice text="暂无商品，敬请期待" /> }.into_any()
        }
        Some(Ok(answer)) => {
            let base_url = answer.base_url;
            answer
                .data
                .into_iter()
                .map(|catalog| view! { <CatalogBlock catalog base_url=base_url.clone() /> })
                .collect_view()
                .into_any()
        }
    };
    view! {
        <PageHead head />
        <section class="home">
            <div class="hero">
                <h1>"达达商城"</h1>
                <p>"精品箱包，品质出行"</p>
            </div>
            {flash
                .map(|text| {
                    view! {
                        <p class="notice success" role="status" data-testid="flash">
                            {text}
                        </p>
                    }
                })}
            {body}
        </section>
    }
}
