//! Goods as the home page shows them.

use dadashop_types::goods::{IndexCatalog, IndexSku};
use leptos::prelude::*;

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
/// price ("¥199.00").
#[component]
pub fn SkuCard(
    /// The SKU.
    sku: IndexSku,
    /// `base_url` of the answer.
    base_url: String,
) -> impl IntoView {
    let src = image_url(&base_url, &sku.image);
    // A missing or broken image shows a neutral placeholder, not the browser's broken icon.
    let broken = RwSignal::new(false);
    let name = sku.name.clone();
    let alt = sku.name.clone();
    view! {
        <article class="sku-card" data-testid="sku">
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
                        on:error=move |_| broken.set(true)
                    />
                </Show>
            </div>
            <h3 class="sku-name">{sku.name}</h3>
            <p class="sku-caption">{sku.caption}</p>
            <p class="sku-price">{format!("¥{}", sku.price)}</p>
        </article>
    }
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
