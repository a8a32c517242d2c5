//! The `<head>` tags of a public page, through `leptos_meta`: the web origin renders them into
//! the page's `<head>` (what search engines and link previews read), and in the browser they
//! follow client-side navigation.

use leptos::prelude::*;
use leptos_meta::{Link, Meta, Script, Title};

use crate::preload::use_preload;

/// The shop's name: the last part of every title, and `og:site_name`.
pub const SHOP_NAME: &str = "达达商城";

/// What a page says about itself in `<head>`.
#[derive(Debug, Clone, Default)]
pub struct HeadInfo {
    /// The page's own title (`"<title> - 达达商城"`); `None`: the shop's name alone.
    pub title: Option<String>,
    /// The meta description.
    pub description: String,
    /// The page's canonical path and query (`/product/5`); `None`: no canonical link and no
    /// `og:url` (search results, the 404 page).
    pub canonical: Option<String>,
    /// `og:type`: `website` or `product`.
    pub og_type: &'static str,
    /// `og:image`, an absolute URL.
    pub image: Option<String>,
    /// `product:price:amount` in yuan (`"199.00"`), for a product.
    pub price: Option<String>,
    /// A schema.org JSON-LD object (a `Product`), written as `application/ld+json`.
    pub json_ld: Option<serde_json::Value>,
    /// `robots: noindex` (the 404 page, search results).
    pub noindex: bool,
}

/// The site's origin for absolute links: the web origin the server named, else the page's
/// own origin in the browser.
fn site_url() -> String {
    let named = use_preload().map(|p| p.web_url()).unwrap_or_default();
    if !named.is_empty() {
        return named;
    }
    #[cfg(target_arch = "wasm32")]
    if let Some(origin) = web_sys::window().and_then(|w| w.location().origin().ok()) {
        return origin;
    }
    String::new()
}

/// JSON for a `<script>` element: `<`, `>` and `&` written as `\u003c`, `\u003e`, `\u0026`
/// (the same JSON), so that no text can end the element and HTML escaping changes nothing.
pub fn script_json(value: &serde_json::Value) -> String {
    value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// The page's `<title>`, description, canonical link, Open Graph tags and JSON-LD.
#[component]
pub fn PageHead(head: HeadInfo) -> impl IntoView {
    let title = match &head.title {
        Some(page) => format!("{page} - {SHOP_NAME}"),
        None => SHOP_NAME.to_owned(),
    };
    let og_title = head.title.clone().unwrap_or_else(|| SHOP_NAME.to_owned());
    let url = head.canonical.map(|path| format!("{}{path}", site_url()));
    let og_url = url.clone();
    view! {
        <Title text=title />
        <Meta name="description" content=head.description.clone() />
        {head.noindex.then(|| view! { <Meta name="robots" content="noindex" /> })}
        {url.map(|href| view! { <Link rel="canonical" href /> })}
        <Meta property="og:type" content=head.og_type />
        <Meta property="og:site_name" content=SHOP_NAME />
        <Meta property="og:title" content=og_title />
        <Meta property="og:description" content=head.description />
        {og_url.map(|url| view! { <Meta property="og:url" content=url /> })}
        {head.image.map(|image| view! { <Meta property="og:image" content=image /> })}
        {head
            .price
            .map(|price| {
                view! {
                    <Meta property="product:price:amount" content=price />
                    <Meta property="product:price:currency" content="CNY" />
                }
            })}
        {head
            .json_ld
            .map(|ld| view! { <Script type_="application/ld+json">{script_json(&ld)}</Script> })}
    }
}
