//! The frame around every page: header with the shopper's links, footer, and the user-center
//! navigation.

use leptos::either::Either;
use leptos::ev::MouseEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::Page;
use crate::state::{use_auth, use_cart};

/// Shop name linking home, then "欢迎，<name>" with 个人中心 / 收货地址 / 退出 when logged in,
/// or 登录 / 注册 when not; below the banner, the catalog links, the search box and the cart
/// with its number of lines.
#[component]
pub fn SiteHeader(
    /// Runs when the shopper clicks 退出.
    on_logout: Callback<()>,
    /// The catalogs to link: (id, name).
    #[prop(into)]
    catalogs: Signal<Vec<(i64, String)>>,
) -> impl IntoView {
    let query = use_query_map();
    // The query of a results page, from the start (the web origin renders it so).
    let initial_q = query.with_untracked(|m| m.get("q")).unwrap_or_default();
    let q = RwSignal::new(initial_q.clone());
    // The box shows the query of a results page.
    Effect::new(move |_| {
        if let Some(text) = query.read().get("q") {
            q.set(text);
        }
    });
    let navigate = use_navigate();
    let on_search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = q.get_untracked().trim().to_owned();
        if !text.is_empty() {
            navigate(&Page::search(&text, 1), Default::default());
        }
    };
    let catalog_links = move || {
        catalogs
            .get()
            .into_iter()
            .map(|(id, name)| view! { <A href=Page::catalog(id)>{name}</A> })
            .collect_view()
    };
    let auth = use_auth();
    let cart = use_cart();
    let links = move || match auth.username() {
        Some(name) => Either::Left(view! {
            <span class="welcome" data-testid="welcome">{format!("欢迎，{name}")}</span>
            <A href=Page::Profile.path() exact=true>"个人中心"</A>
            <A href=Page::Addresses.path() exact=true>"收货地址"</A>
            <a
                href=Page::Home.path()
                on:click=move |ev: MouseEvent| {
                    ev.prevent_default();
                    on_logout.run(());
                }
            >
                "退出"
            </a>
        }),
        None => Either::Right(view! {
            <A href=Page::Login.path() exact=true>"登录"</A>
            <A href=Page::Register.path() exact=true>"注册"</A>
        }),
    };
    view! {
        <header class="site-header">
            <div class="container header-inner">
                <a class="brand" href=Page::Home.path()>
                    <span class="brand-mark" aria-hidden="true">"达"</span>
                    "达达商城"
                </a>
                <nav class="user-nav" aria-label="用户菜单">{links}</nav>
            </div>
        </header>
        // Below the banner (its own landmark), so that the top row stays one line on a phone.
        <div class="site-subnav">
            <div class="container header-lower">
                <nav class="catalog-nav" aria-label="商品分类">
                    <A href=Page::Home.path() exact=true>"首页"</A>
                    {catalog_links}
                </nav>
                // A GET form of the results page: it works without JavaScript too.
                <form
                    class="search-box"
                    role="search"
                    method="get"
                    action=Page::search_path()
                    on:submit=on_search
                >
                    <input
                        type="search"
                        name="q"
                        value=initial_q
                        placeholder="搜索商品"
                        aria-label="搜索商品"
                        maxlength="50"
                        bind:value=q
                    />
                    <button type="submit" class="btn">"搜索"</button>
                </form>
                <a class="cart-link" href=Page::Cart.path()>
                    "购物车"
                    <span class="cart-count" data-testid="cart-count">{move || cart.count()}</span>
                </a>
            </div>
        </div>
    }
}

/// The footer line.
#[component]
pub fn SiteFooter() -> impl IntoView {
    view! {
        <footer class="site-footer">
            <div class="container">
                <p>
                    // Each promise on one line: a narrow screen wraps between them.
                    <span>"达达商城"</span>
                    " · "
                    <span>"精品箱包"</span>
                    " · "
                    <span>"正品保障"</span>
                    " · "
                    <span>"7天无理由退换"</span>
                    " · "
                    <span>"支付宝安全支付"</span>
                </p>
            </div>
        </footer>
    }
}

/// Side navigation of the personal center. 我的订单 stays current on an order's own page
/// (`/user/orders/<id>`), below it.
#[component]
pub fn UserNav() -> impl IntoView {
    view! {
        <nav class="user-center-nav" aria-label="个人中心导航">
            <A href=Page::Profile.path() exact=true>"个人信息"</A>
            <A href=Page::Orders.path()>"我的订单"</A>
            <A href=Page::Favourites.path() exact=true>"我的收藏"</A>
            <A href=Page::Addresses.path() exact=true>"地址管理"</A>
            <A href=Page::History.path() exact=true>"浏览记录"</A>
            <A href=Page::Password.path() exact=true>"修改密码"</A>
        </nav>
    }
}
