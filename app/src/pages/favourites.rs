//! `/user/favourites`: the shopper's favourites, 我的收藏 (personal center), newest first,
//! each as it is now: picture, name (a link to the product while it is on sale), price,
//! 有货 / 无货 / 已下架, 加入购物车 (one unit into the server cart; not for a SKU sold out or
//! off sale) and 取消收藏. The hearts of the other pages follow what happens here
//! (`state::Favourites`).

use dadashop_types::goods::{Favourite, FavouritesResponse};
use dadashop_types::orders::CartItem;
use leptos::prelude::*;

use super::{not_logged_in, set_title};
use crate::Page;
use crate::api;
use crate::components::{ErrorNotice, FormError, Loading, Toast, UserNav, image_url};
use crate::format::{beijing_time, fen, yuan};
use crate::state::{CartOp, Remote, Task, use_auth, use_cart, use_favourites};

/// Fetches `GET /v1/users/<username>/favourites` and shows the list.
#[component]
pub fn FavouritesPage() -> impl IntoView {
    set_title(Some("我的收藏"));
    let auth = use_auth();
    let favourites = use_favourites();
    let list = Remote::new();
    let load = move || {
        list.load(async move {
            let credentials = auth.credentials().ok_or_else(not_logged_in)?;
            let answer = auth.check(api::favourites::list(&credentials).await)?;
            // The hearts of the next pages start from this list.
            favourites.store(&credentials.username, &answer);
            Ok(answer)
        });
    };
    load();
    let retry = Callback::new(move |()| load());
    let toast = RwSignal::new(None::<String>);
    // 取消收藏 answers the list without the SKU: shown at once.
    let on_removed = Callback::new(move |answer: FavouritesResponse| list.set(Ok(answer)));
    let body = move || match list.get() {
        None => view! { <Loading text="正在加载收藏…" /> }.into_any(),
        Some(Err(error)) => {
            view! { <ErrorNotice message=error.to_string() on_retry=retry /> }.into_any()
        }
        Some(Ok(answer)) if answer.data.is_empty() => view! {
            <div class="empty-cart" data-testid="favourites-empty">
                <p class="status empty">"还没有收藏商品"</p>
                <a class="btn primary" href=Page::Home.path()>"去首页逛逛"</a>
            </div>
        }
        .into_any(),
        Some(Ok(answer)) => {
            let count = answer.data.len();
            let rows = answer
                .data
                .into_iter()
                .map(|favourite| {
                    view! {
                        <FavouriteLine
                            favourite
                            base_url=answer.base_url.clone()
                            toast
                            on_removed
                        />
                    }
                })
                .collect_view();
            view! {
                <p class="list-total" data-testid="favourites-total">
                    {format!("共 {count} 件商品")}
                </p>
                <ul class="lines favourite-lines" aria-label="收藏的商品">{rows}</ul>
            }
            .into_any()
        }
    };
    view! {
        <div class="user-center">
            <UserNav />
            <section class="panel" aria-labelledby="favourites-title">
                <h1 id="favourites-title">"我的收藏"</h1>
                {body}
            </section>
        </div>
        <Toast message=toast />
    }
}

/// What can be done with a favourite now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Availability {
    InStock,
    SoldOut,
    /// Taken off sale by the shop: shown, not for sale.
    OffSale,
}

impl Availability {
    fn of(favourite: &Favourite) -> Self {
        if !favourite.is_launched {
            Self::OffSale
        } else if favourite.stock <= 0 {
            Self::SoldOut
        } else {
            Self::InStock
        }
    }

    fn text(self) -> &'static str {
        match self {
            Self::InStock => "有货",
            Self::SoldOut => "无货",
            Self::OffSale => "已下架",
        }
    }
}

/// One favourite: picture, name, price, stock state, when it was added, and its buttons,
/// with the failure of the last one under them (the server's message).
#[component]
fn FavouriteLine(
    favourite: Favourite,
    base_url: String,
    /// Says "已加入购物车".
    toast: RwSignal<Option<String>>,
    /// Gets the list after 取消收藏.
    on_removed: Callback<FavouritesResponse>,
) -> impl IntoView {
    let cart = use_cart();
    let favourites = use_favourites();
    let sku_id = favourite.skuid;
    let availability = Availability::of(&favourite);
    let for_sale = availability == Availability::InStock;
    let product = Page::product(sku_id);
    let picture = if favourite.image.is_empty() {
        view! { <span class="line-image" aria-hidden="true"></span> }.into_any()
    } else {
        view! {
            <img
                class="line-image"
                src=image_url(&base_url, &favourite.image)
                alt=""
                width="72"
                height="72"
                loading="lazy"
                decoding="async"
            />
        }
        .into_any()
    };
    // Off sale, the product page is gone (404): the name is plain text then.
    let name = if availability == Availability::OffSale {
        view! { <span class="line-name">{favourite.name.clone()}</span> }.into_any()
    } else {
        view! { <a class="line-name" href=product>{favourite.name.clone()}</a> }.into_any()
    };
    // The offline cart's fields are not needed (the shopper is logged in): the server looks
    // the SKU up itself.
    let line = CartItem {
        id: sku_id,
        name: favourite.name,
        count: 1,
        selected: true,
        default_image_url: favourite.image,
        price: favourite.price.clone(),
        sku_sale_attr_name: Vec::new(),
        sku_sale_attr_val: Vec::new(),
        stock: favourite.stock,
    };
    let work = Task::new();
    let busy = work.pending();
    let on_add = move |_| {
        let line = line.clone();
        work.run(async move {
            // The header's count follows the answer (`Cart::apply`).
            cart.apply(CartOp::Add(line)).await?;
            toast.set(Some("已加入购物车".to_owned()));
            Ok(())
        });
    };
    let on_remove = move |_| {
        work.run(async move {
            let answer = favourites.set(sku_id, false).await?;
            on_removed.run(answer);
            Ok(())
        });
    };
    view! {
        <li class="line favourite-line" data-testid="favourite" data-sku-id=sku_id>
            {picture}
            <div class="line-info">
                {name}
                <span class="favourite-meta">
                    <strong class="favourite-price" data-testid="favourite-price">
                        {yuan(fen(&favourite.price))}
                    </strong>
                    <span
                        class="stock-state"
                        class:sold-out=availability == Availability::SoldOut
                        class:off-sale=availability == Availability::OffSale
                        data-testid="favourite-stock"
                    >
                        {availability.text()}
                    </span>
                </span>
                <span class="line-attrs">
                    {format!("收藏于 {}", beijing_time(favourite.created_at))}
                </span>
            </div>
            <div class="actions">
                <button
                    type="button"
                    class="btn small primary"
                    disabled=move || !for_sale || busy.get()
                    on:click=on_add
                >
                    "加入购物车"
                </button>
                <button
                    type="button"
                    class="btn small"
                    disabled=move || busy.get()
                    on:click=on_remove
                >
                    "取消收藏"
                </button>
            </div>
            <div class="line-error">
                <FormError message=work.error() />
            </div>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use dadashop_types::goods::Favourite;

    use super::Availability;

    fn favourite(stock: i64, is_launched: bool) -> Favourite {
        Favourite {
            skuid: 1,
            name: "拉杆箱".into(),
            price: "199.00".into(),
            image: String::new(),
            stock,
            is_launched,
            created_at: 0,
        }
    }

    #[test]
    fn a_favourite_is_for_sale_only_while_launched_and_in_stock() {
        assert_eq!(Availability::of(&favourite(3, true)).text(), "有货");
        assert_eq!(Availability::of(&favourite(0, true)).text(), "无货");
        assert_eq!(Availability::of(&favourite(3, false)).text(), "已下架");
        assert_eq!(Availability::of(&favourite(0, false)).text(), "已下架");
    }
}
