//! Goods as pages show them: catalog blocks, SKU cards (each a link to its product page, with
//! its heart), grids of list SKUs and the pager of lists.

use dadashop_types::goods::{IndexCatalog, IndexSku, ListSku};
use leptos::prelude::*;

use super::FavouriteToggle;
use crate::Page;

/// Joins the `base_url` of a goods answer and an image path without doubling the slash.
pub fn image_url(base_url: &str, image: &str) -> String {
    format!(
        "{}/{}",
        base_url.trim_end_matches('/'),
        image.trim_start_matches('/')
    )
}

/// One catalog: its name as a heading and a grid of its SKUs.
#[component]
pub fn CatalogBlock(
    /// The catalog and its first launched SKUs.
    catalog: IndexCatalog,
    /// `base_url` of the answer, `<API origin>/media/`.
    base_url: String,
) -> impl IntoView {
    let heading_id = format!("catalog-{}", catalog.catalog_id);
    let labelled_by = heading_id.clone();
    let cards = catalog
        .sku
        .into_iter()
        .map(|sku| view! { <li><SkuCard sku base_url=base_url.clone() /></li> })
        .collect_view();
    view! {
        <section class="catalog" data-testid="catalog" aria-labelledby=labelled_by>
            <h2 id=heading_id>{catalog.catalog_name}</h2>
            <ul class="sku-grid">{cards}</ul>
        </section>
    }
}

/// A SKU card: image (or a "暂无图片" placeholder when it cannot be loaded), name, caption and
/// price ("¥199.00"), and the heart (收藏) in the picture's corner. The heart is a button
/// beside the card's link, not inside it: a link may hold no other control.
#[component]
pub fn SkuCard(
    /// The SKU.
    sku: IndexSku,
    /// `base_url` of the answer.
    base_url: String,
) -> impl IntoView {
    let src = image_url(&base_url, &sku.image);
    // A missing or broken image shows a neutral placeholder, not the browser's broken icon;
    // a SKU without a picture asks for nothing.
    let broken = RwSignal::new(sku.image.is_empty());
    let name = sku.name.clone();
    let alt = sku.name.clone();
    let heart_name = sku.name.clone();
    // On a page rendered by the server the picture may have failed before the wasm could
    // listen: once the card is live, a picture that finished loading without pixels counts
    // as broken too.
    let picture = NodeRef::<leptos::html::Img>::new();
    Effect::new(move |_| {
        if let Some(img) = picture.get_untracked()
            && img.complete()
            && img.natural_width() == 0
        {
            broken.set(true);
        }
    });
    view! {
        <div class="sku-tile">
            <a class="sku-card" data-testid="sku" href=Page::product(sku.skuid)>
                <div class="sku-image">
                    <Show
                        when=move || !broken.get()
                        fallback=move || {
                            view! {
                                <div class="image-placeholder" role="img" aria-label=name.clone()>
                                    "暂无图片"
                                </div>
                            }
                        }
                    >
                        <img
                            src=src.clone()
                            alt=alt.clone()
                            width="240"
                            height="240"
                            loading="lazy"
                            decoding="async"
                            node_ref=picture
                            on:error=move |_| broken.set(true)
                        />
                    </Show>
                </div>
                <h3 class="sku-name">{sku.name}</h3>
                <p class="sku-caption">{sku.caption}</p>
                <p class="sku-price">{format!("¥{}", sku.price)}</p>
            </a>
            <FavouriteToggle sku_id=sku.skuid name=heart_name />
        </div>
    }
}

/// A grid of list SKUs (catalog lists, search results, history), each card a product link.
#[component]
pub fn SkuGrid(
    /// The SKUs, in order.
    skus: Vec<ListSku>,
    /// `base_url` of the answer.
    base_url: String,
) -> impl IntoView {
    let cards = skus
        .into_iter()
        .map(|sku| {
            let card = IndexSku {
                skuid: sku.skuid,
                caption: String::new(),
                name: sku.name,
                price: sku.price,
                image: sku.image,
            };
            view! { <li><SkuCard sku=card base_url=base_url.clone() /></li> }
        })
        .collect_view();
    // Lists come in pages of 9 (the API's `pagesize`): three columns on a desktop, one card
    // a row on a phone, so that no page ends on an orphan card.
    view! { <ul class="sku-grid list-grid">{cards}</ul> }
}

/// 上一页 / page numbers / 下一页 links of a list with `pages` pages, on page `page`;
/// `href(n)` is the link of page `n`. Nothing when there is one page.
#[component]
pub fn Pager(
    /// Current page, from 1.
    page: u64,
    /// Number of pages.
    pages: u64,
    /// The link of a page.
    href: Callback<u64, String>,
) -> impl IntoView {
    (pages > 1).then(|| {
        let numbers = (1..=pages)
            .map(|n| {
                let current = (n == page).then_some("page");
                view! { <a href=href.run(n) aria-current=current class="pager-page">{n}</a> }
            })
            .collect_view();
        let prev = (page > 1).then(|| view! { <a href=href.run(page - 1) rel="prev">"上一页"</a> });
        let next =
            (page < pages).then(|| view! { <a href=href.run(page + 1) rel="next">"下一页"</a> });
        view! {
            <nav class="pager" aria-label="分页" data-testid="pager">
                {prev}
                {numbers}
                {next}
                <span class="pager-total">{format!("共 {pages} 页")}</span>
            </nav>
        }
    })
}

#[cfg(test)]
mod tests {
    use super::image_url;

    #[test]
    fn image_urls_join_without_doubled_slashes() {
        let base = "http://127.0.0.1:8000/media/";
        assert_eq!(
            image_url(base, "sku/1.png"),
            "http://127.0.0.1:8000/media/sku/1.png"
        );
        assert_eq!(
            image_url(base, "/sku/1.png"),
            "http://127.0.0.1:8000/media/sku/1.png"
        );
        assert_eq!(image_url("http://x/media", "a.png"), "http://x/media/a.png");
    }
}
