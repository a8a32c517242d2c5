//! `/product/:id`: a SKU with its gallery, prices, stock state, sale attribute selectors and
//! specs. Choosing another value asks `POST /v1/goods/sku` for the SKU with the new set of
//! values and moves to its URL; a logged-in shopper's view is added to the browsing history.
//! 加入购物车 puts the chosen count into the cart (the offline cart when logged out), 立即购买
//! goes to the order confirmation of that one line (by the login page when logged out), and
//! the heart beside them (收藏) keeps the SKU in the shopper's favourites. Below the details,
//! 商品评价 (`product_reviews.rs`), loaded once the product shows.

use dadashop_types::after_sales::ReviewsResponse;
use dadashop_types::goods::SkuDetail;
use dadashop_types::orders::{CartItem, MAX_LINE_COUNT};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};

use super::product_reviews::ProductReviews;
use super::{NotFoundPage, is_not_found};
use crate::api::orders::Settle;
use crate::api::{self, ApiError};
use crate::components::{
    ErrorNotice, FavouriteToggle, FormError, HeadInfo, Loading, PageHead, Toast, image_url,
};
use crate::preload::use_preload;
use crate::state::{CartOp, Remote, Task, use_auth, use_cart};
use crate::{Page, login_returning_to};

/// Fetches `GET /v1/goods/detail/<id>` and shows the product; on a page the web origin
/// rendered, the first product (and its first page of reviews) comes with the page.
#[component]
pub fn ProductPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    };
    let detail = Remote::new();
    let load = move |id: Option<i64>| {
        detail.load(async move {
            match id {
                Some(id) => api::goods::detail(id).await,
                None => Err(api::ApiError::Api {
                    status: 404,
                    code: dadashop_types::codes::SKU_NOT_FOUND,
                    message: "商品不存在".into(),
                }),
            }
        });
    };
    let preload = use_preload();
    let first = untrack(id);
    // A path that names no SKU needs no answer: it is the 404 page at once.
    let preloaded = match first {
        Some(id) => preload.and_then(|p| p.take_product(id)),
        None => Some(Err(api::ApiError::Api {
            status: 404,
            code: dadashop_types::codes::SKU_NOT_FOUND,
            message: "商品不存在".into(),
        })),
    };
    let reviews = first.and_then(|id| preload.and_then(|p| p.take_reviews(id)));
    let came_with_page = preloaded.is_some();
    if let Some(answer) = preloaded {
        detail.set(answer);
    }
    // Effects run in the browser only: the first product of a server-rendered page is
    // already there; every other one (and every product of the browser's own rendering) is
    // fetched.
    Effect::new(move |ran: Option<()>| {
        let id = id();
        if ran.is_some() || !came_with_page {
            load(id);
        }
    });
    // The first page of reviews, for the product the page came with.
    let reviews = StoredValue::new(reviews.map(|r| (first, r)));
    let auth = use_auth();
    // Record the view once per product shown (best effort: a failure changes nothing here).
    Effect::new(move |previous: Option<Option<i64>>| {
        let shown = detail
            .get()
            .and_then(|r| r.ok())
            .map(|answer| answer.data.skuid);
        if let (Some(sku), Some(credentials)) = (shown, auth.credentials())
            && previous.flatten() != Some(sku)
        {
            leptos::task::spawn_local(async move {
                let _ = api::goods::record_view(&credentials, sku).await;
            });
        }
        shown
    });
    let retry = Callback::new(move |()| load(untrack(id)));
    let body = move || match detail.get() {
        None => view! { <Loading text="正在加载商品…" /> }.into_any(),
        Some(Err(error)) if is_not_found(&error) => view! { <NotFoundPage /> }.into_any(),
        Some(Err(error)) => {
            view! { <ErrorNotice message=error.to_string() on_retry=retry /> }.into_any()
        }
        Some(Ok(answer)) => {
            let shown = Some(answer.data.skuid);
            let reviews = reviews
                .try_update_value(Option::take)
                .flatten()
                .filter(|(for_id, _)| *for_id == shown)
                .map(|(_, r)| r);
            view! { <Product sku=answer.data base_url=answer.base_url reviews /> }.into_any()
        }
    };
    view! { <section class="product-page">{body}</section> }
}

/// Below this many units the stock line says how many are left.
pub const LOW_STOCK: i64 = 10;

/// The stock line as shoppers expect it: 有货, 仅剩 N 件 (under [`LOW_STOCK`]) or 无货.
fn stock_text(stock: i64) -> String {
    match stock {
        s if s <= 0 => "无货".to_owned(),
        s if s < LOW_STOCK => format!("仅剩 {s} 件"),
        _ => "有货".to_owned(),
    }
}

/// The page's head tags: title, description, canonical link, Open Graph and a schema.org
/// `Product` (name, images, price in CNY, availability, and the rating once reviewed).
fn product_head(sku: &SkuDetail, images: &[String], reviews: Option<&ReviewsResponse>) -> HeadInfo {
    let url = Page::product(sku.skuid);
    let availability = if sku.stock > 0 {
        "https://schema.org/InStock"
    } else {
        "https://schema.org/OutOfStock"
    };
    let mut ld = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "Product",
        "name": sku.name,
        "sku": sku.skuid.to_string(),
        "image": images,
        "description": sku.caption,
        "category": sku.catalog_name,
        "offers": {
            "@type": "Offer",
            "url": url,
            "priceCurrency": "CNY",
            "price": sku.price,
            "availability": availability,
        },
    });
    if !sku.brand.is_empty() {
        ld["brand"] = serde_json::json!({"@type": "Brand", "name": sku.brand});
    }
    if let Some(ReviewsResponse {
        count,
        average: Some(average),
        ..
    }) = reviews
        && *count > 0
    {
        ld["aggregateRating"] = serde_json::json!({
            "@type": "AggregateRating",
            "ratingValue": average,
            "reviewCount": count,
            "bestRating": 5,
            "worstRating": 1,
        });
    }
    HeadInfo {
        title: Some(sku.name.clone()),
        description: format!("{}。{} ¥{}", sku.caption, sku.name, sku.price),
        canonical: Some(url),
        og_type: "product",
        image: images.first().cloned(),
        price: Some(sku.price.clone()),
        json_ld: Some(ld),
        noindex: false,
    }
}

/// Where a sale attribute's value leads without JavaScript: this product's page with the
/// value asked for (`?attr=<sale attribute id>&value=<value id>`); the web origin answers it
/// with a redirect to the SKU that has that value and this SKU's other values (or back to this
/// product when there is none).
pub fn choice_href(sku_id: i64, attr: i64, value: i64) -> String {
    format!("{}?attr={attr}&value={value}", Page::product(sku_id))
}

#[component]
fn Product(
    sku: SkuDetail,
    base_url: String,
    /// The first page of reviews when it came with the page (server rendering).
    reviews: Option<Result<ReviewsResponse, ApiError>>,
) -> impl IntoView {
    let buy = view! { <BuyBox sku=sku.clone() /> };
    let selected = RwSignal::new(0usize);
    let images: Vec<String> = sku.images.iter().map(|i| image_url(&base_url, i)).collect();
    let head = product_head(
        &sku,
        &images,
        reviews.as_ref().and_then(|r| r.as_ref().ok()),
    );
    let main_images = images.clone();
    let main_src = move || main_images.get(selected.get()).cloned().unwrap_or_default();
    let thumbs = images
        .into_iter()
        .enumerate()
        .map(|(i, src)| {
            let label = format!("查看第 {} 张图片", i + 1);
            view! {
                <li>
                    <button
                        type="button"
                        class="thumb"
                        aria-label=label
                        aria-pressed=move || (selected.get() == i).to_string()
                        on:click=move |_| selected.set(i)
                    >
                        <img src=src alt="" width="64" height="64" loading="lazy" />
                    </button>
                </li>
            }
        })
        .collect_view();

    let sku_id = sku.skuid;
    let switch_error = RwSignal::new(None::<String>);
    let navigate = use_navigate();
    let spu = sku.spu;
    let current: Vec<(i64, i64)> = sku
        .sku_sale_attr_id
        .iter()
        .copied()
        .zip(sku.sku_sale_attr_val_id.iter().copied())
        .collect();
    let selectors = sku
        .sku_sale_attr_id
        .iter()
        .zip(&sku.sku_sale_attr_names)
        .map(|(attr, attr_name)| {
            let key = attr.to_string();
            let ids = sku
                .sku_all_sale_attr_vals_id
                .get(&key)
                .cloned()
                .unwrap_or_default();
            let names = sku
                .sku_all_sale_attr_vals_name
                .get(&key)
                .cloned()
                .unwrap_or_default();
            let buttons = ids
                .into_iter()
                .zip(names)
                .map(|(value, name)| {
                    let chosen = current.iter().any(|(_, v)| *v == value);
                    let mut wanted = current.clone();
                    for pair in &mut wanted {
                        if pair.0 == *attr {
                            pair.1 = value;
                        }
                    }
                    let navigate = navigate.clone();
                    let href = if chosen {
                        Page::product(sku_id)
                    } else {
                        choice_href(sku_id, *attr, value)
                    };
                    let on_click = move |ev: leptos::ev::MouseEvent| {
                        // A plain click switches in place; a modified one (new tab) follows
                        // the link.
                        if ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.button() != 0 {
                            return;
                        }
                        ev.prevent_default();
                        if chosen {
                            return;
                        }
                        let wanted = wanted.clone();
                        let navigate = navigate.clone();
                        switch_error.set(None);
                        leptos::task::spawn_local(async move {
                            match api::goods::switch_sku(spu, &wanted).await {
                                Ok(sku) => navigate(&Page::product(sku), Default::default()),
                                Err(_) => switch_error.set(Some("该规格暂无商品".to_owned())),
                            }
                        });
                    };
                    view! {
                        <a
                            class="attr-value"
                            class:chosen=chosen
                            href=href
                            aria-current=chosen.then_some("true")
                            on:click=on_click
                        >
                            {name}
                        </a>
                    }
                })
                .collect_view();
            view! {
                <div class="sale-attr" data-testid="sale-attr">
                    <span class="sale-attr-name">{attr_name.clone()}</span>
                    <div class="sale-attr-values">{buttons}</div>
                </div>
            }
        })
        .collect_view();
    // The SPU's description is plain text: a text node (never markup), its line breaks
    // kept by the style sheet (`white-space: pre-line`).
    let description = (!sku.description.is_empty()).then(|| {
        let text = sku.description.clone();
        view! {
            <section class="description" data-testid="description">
                <h2>"商品介绍"</h2>
                <p class="description-text">{text}</p>
            </section>
        }
    });
    // 规格参数 only when the SKU has spec values.
    let specs = (!sku.spec.is_empty()).then(|| {
        let rows = sku
            .spec
            .into_iter()
            .map(|(name, value)| view! { <tr><th scope="row">{name}</th><td>{value}</td></tr> })
            .collect_view();
        view! {
            <section class="specs" aria-labelledby="specs-title">
                <h2 id="specs-title">"规格参数"</h2>
                <table>
                    <tbody>{rows}</tbody>
                </table>
            </section>
        }
    });
    let catalog_link = Page::catalog(sku.catalog_id);
    let alt = sku.name.clone();
    view! {
        <PageHead head />
        <nav class="breadcrumb" aria-label="位置">
            <a href=Page::Home.path()>"首页"</a>
            " › "
            <a href=catalog_link>{sku.catalog_name}</a>
        </nav>
        <div class="product">
            <div class="gallery">
                <div class="gallery-main">
                    <img src=main_src alt=alt width="400" height="400" data-testid="main-image" />
                </div>
                <ul class="gallery-thumbs">{thumbs}</ul>
            </div>
            <div class="product-info">
                <h1 data-testid="product-name">{sku.name}</h1>
                <p class="product-caption">{sku.caption}</p>
                {(!sku.brand.is_empty())
                    .then(|| view! { <p class="product-brand">{format!("品牌：{}", sku.brand)}</p> })}
                <p class="product-prices">
                    <span class="price" data-testid="price">{format!("¥{}", sku.price)}</span>
                    <del class="market-price">{format!("¥{}", sku.market_price)}</del>
                </p>
                <p
                    class="stock"
                    class:sold-out={sku.stock <= 0}
                    class:low-stock={sku.stock > 0 && sku.stock < LOW_STOCK}
                    data-testid="stock"
                >
                    {stock_text(sku.stock)}
                </p>
                {selectors}
                {move || switch_error.get().map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
                {buy}
                <p class="sales">{format!("累计销量 {}", sku.sales)}</p>
            </div>
        </div>
        {specs}
        {description}
        <ProductReviews sku_id initial=reviews />
    }
}

/// The count input with 加入购物车, 立即购买 and the heart (收藏).
#[component]
fn BuyBox(sku: SkuDetail) -> impl IntoView {
    let auth = use_auth();
    let cart = use_cart();
    let navigate = use_navigate();
    let most = sku.stock.clamp(0, MAX_LINE_COUNT);
    let sold_out = most < 1;
    let count_text = RwSignal::new("1".to_owned());
    // The typed count, kept between 1 and what may be bought.
    let count = move || {
        count_text
            .with_untracked(|t| t.trim().parse::<i64>().unwrap_or(1))
            .clamp(1, most.max(1))
    };
    let toast = RwSignal::new(None::<String>);
    let line = CartItem {
        id: sku.skuid,
        name: sku.name,
        count: 1,
        selected: true,
        default_image_url: sku.image,
        price: sku.price,
        sku_sale_attr_name: sku.sku_sale_attr_names,
        sku_sale_attr_val: sku.sku_sale_attr_val_names,
        stock: sku.stock,
    };
    let add = Task::new();
    let pending = add.pending();
    let on_add = move |_| {
        let n = count();
        count_text.set(n.to_string());
        let item = CartItem {
            count: n,
            ..line.clone()
        };
        add.run(async move {
            cart.apply(CartOp::Add(item)).await?;
            toast.set(Some("已加入购物车".to_owned()));
            Ok(())
        });
    };
    let sku_id = sku.skuid;
    let on_buy = move |_| {
        let n = count();
        let confirm = Page::confirm(Settle::BuyNow { sku_id, count: n });
        if auth.is_logged_in_untracked() {
            navigate(&confirm, Default::default());
        } else {
            navigate(&login_returning_to(&confirm), Default::default());
        }
    };
    // The stepper's − and + move the count by one within 1..=most.
    let step = move |by: i64| {
        let n = (count() + by).clamp(1, most.max(1));
        count_text.set(n.to_string());
    };
    let at_least = move || count_text.with(|t| t.trim().parse::<i64>().unwrap_or(1) <= 1);
    let at_most = move || count_text.with(|t| t.trim().parse::<i64>().unwrap_or(1) >= most);
    view! {
        <div class="buy-box">
            <div class="field count-field">
                <label for="buy-count">"数量"</label>
                <div class="stepper">
                    <button
                        type="button"
                        class="step"
                        aria-label="减少数量"
                        disabled=move || sold_out || at_least()
                        on:click=move |_| step(-1)
                    >
                        "−"
                    </button>
                    <input
                        id="buy-count"
                        type="number"
                        inputmode="numeric"
                        min="1"
                        max=most.max(1).to_string()
                        // The starting count as an attribute too: what the page shows before
                        // the wasm runs (or without it).
                        value="1"
                        bind:value=count_text
                        on:change=move |_| count_text.set(count().to_string())
                        disabled=sold_out
                    />
                    <button
                        type="button"
                        class="step"
                        aria-label="增加数量"
                        disabled=move || sold_out || at_most()
                        on:click=move |_| step(1)
                    >
                        "+"
                    </button>
                </div>
                {move || {
                    (!sold_out && at_most())
                        .then(|| {
                            view! {
                                <span class="count-limit" role="status">
                                    {format!("最多可买 {most} 件")}
                                </span>
                            }
                        })
                }}
            </div>
            {sold_out.then(|| view! { <p class="sold-out-note" data-testid="sold-out">"该商品暂时无货，看看其他规格吧"</p> })}
            <div class="actions">
                <button
                    type="button"
                    class="btn"
                    disabled=move || sold_out || pending.get()
                    on:click=on_add
                >
                    "加入购物车"
                </button>
                <button type="button" class="btn primary" disabled=sold_out on:click=on_buy>
                    "立即购买"
                </button>
                <FavouriteToggle sku_id labelled=true />
            </div>
            <FormError message=add.error() />
            <Toast message=toast />
        </div>
    }
}
