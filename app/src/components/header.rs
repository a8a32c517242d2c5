//! The frame around every page: header with the shopper's links, footer, and the user-center
//! navigation.

use leptos::either::Either;
use leptos::ev::MouseEvent;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::Page;
use crate::state::use_auth;

/// Shop name linking home, then "欢迎，<name>" with 个人中心 / 收货地址 / 退出 when logged in,
/// or 登录 / 注册 when not.
#[component]
pub fn SiteHeader(
    /// Runs when the shopper clicks 退出.
    on_logout: Callback<()>,
) -> impl IntoView {
    let auth = use_auth();
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
    }
}

/// The footer line.
#[component]
pub fn SiteFooter() -> impl IntoView {
    view! {
        <footer class="site-footer">
            <div class="container">
                <p>"达达商城 · 精品箱包 · 正品保障 · 7天无理由退换"</p>
            </div>
        </footer>
    }
}

/// Side navigation of the personal center.
#[component]
pub fn UserNav() -> impl IntoView {
    view! {
        <nav class="user-center-nav" aria-label="个人中心导航">
            <A href=Page::Profile.path() exact=true>"个人信息"</A>
            <A href=Page::Addresses.path() exact=true>"地址管理"</A>
            <A href=Page::Password.path() exact=true>"修改密码"</A>
        </nav>
    }
}
