//! The dadashop (达达商城) app: Leptos 0.8. The web origin renders its public pages on the
//! server (feature `ssr`, [`Document`]) and the browser hydrates them (feature `hydrate`); the
//! pages whose data is private are rendered in the browser alone (docs/architecture.md,
//! "Server rendering").
//!
//! Layout (docs/architecture.md "Code layout"): [`pages`] holds one routed page per file,
//! [`components`] the route-agnostic pieces (no network calls), [`api`] the only code that
//! talks HTTP, [`state`] the auth and flash contexts. This file holds [`App`] and the route table, the single source
//! of the app's path strings ([`Page`] and the `<Routes>` below must agree; they sit together
//! so that they do).
//!
//! The API lives on another origin (see [`api::base_url`]); this crate only needs the shared
//! wire types of `dadashop-types`.

// The console's largest views are deep types when rendered on the server (the wasm build
// erases them: `erase_components`, .cargo/config.toml); their layout needs more than the
// default 128 levels.
#![recursion_limit = "256"]

pub mod api;
pub mod components;
mod format;
pub mod pages;
pub mod preload;
pub mod state;

use leptos::prelude::*;
use leptos_router::components::{ProtectedRoute, Route, Router, Routes};
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::path;

use crate::components::{SiteFooter, SiteHeader};
use crate::pages::{HomePage, NotFoundPage};
use crate::state::{Auth, Cart, Favourites, Flash, use_auth, use_favourites, use_flash};

/// The route view of the page `lazy::X` (`pages::XPage`): with the `split` feature, a
/// [`leptos_router::Lazy`] route whose code scripts/build-spa.sh puts in the wasm module of
/// its group, fetched when a page of the group is first shown (home and the 404 page stay in
/// the main module, so the first load of the home page fetches no other); without it, the
/// page itself.
#[cfg(feature = "split")]
macro_rules! page {
    ($name:ident) => {
        leptos_router::Lazy::<lazy::$name>::new()
    };
}
#[cfg(not(feature = "split"))]
macro_rules! page {
    ($name:ident) => {
        lazy::$name
    };
}

/// [`page!`] for a `<ProtectedRoute>`, whose view must be a plain function: with the `split`
/// feature the page's module is fetched inside the route's own `<Transition>` once the
/// condition has let the shopper in (a shopper sent to the login page fetches nothing).
#[cfg(feature = "split")]
macro_rules! guarded_page {
    ($name:ident) => {
        || {
            leptos::prelude::Suspend::new(leptos_router::ChooseView::choose(leptos_router::Lazy::<
                lazy::$name,
            >::new()))
        }
    };
}
#[cfg(not(feature = "split"))]
macro_rules! guarded_page {
    ($name:ident) => {
        lazy::$name
    };
}

/// The pages shown through [`page!`]. With the `split` feature each is a
/// [`leptos_router::LazyRoute`] whose view is a `#[lazy(<group>)]` function: a split point
/// (`wasm_split_helpers`) whose code wasm-split moves out of the main module, into one module
/// per group (plus chunks of code that several groups share). Pages a shopper visits together
/// share a group, so a page costs a few requests, not dozens (one module per page made 170
/// small ones). A split point declares an `extern` import of the module loader: the only
/// unsafe code of the crate. Without the feature each name is the page component itself.
///
/// `#[lazy]` names a split module after its argument and the place of the macro call, so
/// every page of a group must stay in the one `lazy_pages!` call below. In the wasm it also
/// makes `__preload_<view>`, which fetches the module without rendering: each entry names it
/// (`Product => ProductPage as product_view / __preload_product_view`) for
/// [`leptos_router::LazyRoute::preload`].
#[allow(unsafe_code)]
mod lazy {
    #[cfg(feature = "split")]
    use leptos::prelude::*;
    #[cfg(feature = "split")]
    use leptos_router::LazyRoute;

    macro_rules! lazy_pages {
        ($($group:ident { $($name:ident => $page:ident as $view:ident / $preload:ident),* $(,)? })*) => {$($(
            #[cfg(feature = "split")]
            #[doc = concat!("`pages::", stringify!($page), "`, loaded on demand with the `",
                stringify!($group), "` pages.")]
            pub struct $name;

            #[cfg(feature = "split")]
            impl LazyRoute for $name {
                fn data() -> Self {
                    $name
                }

                async fn view(_this: Self) -> AnyView {
                    $view().await
                }

                // Fetches the page's module: hydrating a server-rendered page waits for it
                // (`hydrate_lazy`), so that the page's view is there to take over the HTML.
                async fn preload() {
                    #[cfg(feature = "hydrate")]
                    $preload().await;
                }
            }

            #[cfg(feature = "split")]
            #[lazy($group)]
            fn $view() -> AnyView {
                crate::pages::$page().into_any()
            }

            #[cfg(not(feature = "split"))]
            pub use crate::pages::$page as $name;
        )*)*};
    }

    lazy_pages! {
        // Browsing: what a shopper coming from a search engine or a shared link sees first.
        shop {
            Catalog => CatalogPage as catalog_view / __preload_catalog_view,
            Product => ProductPage as product_view / __preload_product_view,
            Search => SearchPage as search_view / __preload_search_view,
            Cart => CartPage as cart_view / __preload_cart_view,
            Legacy => LegacyPage as legacy_view / __preload_legacy_view,
        }
        // Signing in and up.
        account {
            Login => LoginPage as login_view / __preload_login_view,
            Register => RegisterPage as register_view / __preload_register_view,
            WeiboCallback => WeiboCallbackPage as weibo_callback_view / __preload_weibo_callback_view,
            Activation => ActivationPage as activation_view / __preload_activation_view,
            ForgotPassword => ForgotPasswordPage as forgot_password_view / __preload_forgot_password_view,
        }
        // The logged-in shopper's pages: the personal center, ordering and paying.
        member {
            Profile => ProfilePage as profile_view / __preload_profile_view,
            Password => PasswordPage as password_view / __preload_password_view,
            Address => AddressPage as address_view / __preload_address_view,
            History => HistoryPage as history_view / __preload_history_view,
            Orders => OrdersPage as orders_view / __preload_orders_view,
            OrderDetail => OrderDetailPage as order_detail_view / __preload_order_detail_view,
            Favourites => FavouritesPage as favourites_view / __preload_favourites_view,
            OrderConfirm => OrderConfirmPage as order_confirm_view / __preload_order_confirm_view,
            OrderResult => OrderResultPage as order_result_view / __preload_order_result_view,
            PaymentResult => PaymentResultPage as payment_result_view / __preload_payment_result_view,
        }
        // The operator console (`/admin/...`): operators only, so no shopper ever fetches it.
        admin {
            Admin => AdminPage as admin_view / __preload_admin_view,
        }
    }
}

/// Every page of the app, for links and navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// `/`: the catalog blocks.
    Home,
    /// `/login`.
    Login,
    /// `/register`.
    Register,
    /// `/user`: the profile (login required).
    Profile,
    /// `/user/password`: change the password (login required).
    Password,
    /// `/user/address`: the address book (login required).
    Addresses,
    /// `/weibo/callback`: where Weibo sends the shopper back (the default
    /// `WEIBO_REDIRECT_URI`; the legacy `/dadashop/templates/callback.html` answers too).
    WeiboCallback,
    /// `/user/history`: the browsing history (login required).
    History,
    /// `/cart`: the cart (the server cart when logged in, else the offline cart).
    Cart,
    /// `/order/confirm?settlement_type=0` (the cart's selected lines) or
    /// `?settlement_type=1&sku_id=&buy_num=` (buy now): address, lines, total, 提交订单
    /// (login required).
    OrderConfirm,
    /// `/order/result?order_id=`: the order just placed (login required).
    OrderResult,
    /// `/user/orders?type=&page=`: my orders by status (login required). One order's page
    /// is [`Page::order_detail`].
    Orders,
    /// `/user/favourites`: the shopper's favourites, 我的收藏 (login required).
    Favourites,
    /// `/payment/result?<Alipay's return parameters>`: where Alipay sends the shopper back
    /// (the default `ALIPAY_RETURN_URL`; the legacy `/dadashop/templates/pay_success.html`
    /// leads here too; login required).
    PaymentResult,
    /// `/activation?code=`: the page of the activation mail's link.
    Activation,
    /// `/password/forgot`: reset a forgotten password by mail.
    ForgotPassword,
    /// `/admin`: the operator console (its own login, then 统计); its other pages are under
    /// it (`pages::admin`).
    Admin,
}

impl Page {
    /// The page's path. Keep in step with the `<Routes>` in [`App`].
    pub const fn path(self) -> &'static str {
        match self {
            Page::Home => "/",
            Page::Login => "/login",
            Page::Register => "/register",
            Page::Profile => "/user",
            Page::Password => "/user/password",
            Page::Addresses => "/user/address",
            Page::History => "/user/history",
            Page::Cart => "/cart",
            Page::OrderConfirm => "/order/confirm",
            Page::OrderResult => "/order/result",
            Page::Orders => "/user/orders",
            Page::Favourites => "/user/favourites",
            Page::PaymentResult => "/payment/result",
            Page::WeiboCallback => "/weibo/callback",
            Page::Activation => "/activation",
            Page::ForgotPassword => "/password/forgot",
            Page::Admin => CONSOLE_PREFIX,
        }
    }

    /// `/product/<sku_id>`: a product page (route `/product/:id`).
    pub fn product(sku_id: i64) -> String {
        format!("/product/{sku_id}")
    }

    /// `/order/confirm?<settlement>`: the confirmation page of the cart or of a buy-now line.
    pub fn confirm(what: api::orders::Settle) -> String {
        format!("{}?{}", Page::OrderConfirm.path(), what.query())
    }

    /// `/order/result?order_id=<id>`.
    pub fn order_result(order_id: &str) -> String {
        format!(
            "{}?order_id={}",
            Page::OrderResult.path(),
            encode_component(order_id)
        )
    }

    /// `/user/orders?type=<status>&page=<n>` (type 0 and page 1 left out).
    pub fn orders(status: i64, page: u64) -> String {
        let mut parts = Vec::new();
        if status != 0 {
            parts.push(format!("type={status}"));
        }
        if page > 1 {
            parts.push(format!("page={page}"));
        }
        if parts.is_empty() {
            Page::Orders.path().to_owned()
        } else {
            format!("{}?{}", Page::Orders.path(), parts.join("&"))
        }
    }

    /// `/user/orders/<order_id>`: one order of the shopper, 订单详情 (route
    /// `/user/orders/:order_id`, login required).
    pub fn order_detail(order_id: &str) -> String {
        format!("{}/{}", Page::Orders.path(), encode_component(order_id))
    }

    /// `/catalog/<id>`: page 1 of a catalog (route `/catalog/:id`).
    pub fn catalog(id: i64) -> String {
        format!("/catalog/{id}")
    }

    /// `/catalog/<id>?<filter>`: a catalog page with a sort, price range and page.
    pub fn catalog_with(id: i64, filter: &api::goods::ListFilter) -> String {
        let query = filter.query();
        if query.is_empty() {
            Self::catalog(id)
        } else {
            format!("/catalog/{id}?{query}")
        }
    }

    /// `/search`, the results page without a query (the search form's `action`).
    pub const fn search_path() -> &'static str {
        "/search"
    }

    /// `/search?q=<q>&page=<n>` (route `/search`).
    pub fn search(q: &str, page: u64) -> String {
        if page > 1 {
            format!(
                "{}?q={}&page={page}",
                Self::search_path(),
                encode_component(q)
            )
        } else {
            format!("{}?q={}", Self::search_path(), encode_component(q))
        }
    }

    /// The login page that returns here afterwards: `/login?next=%2Fuser%2Faddress`.
    pub fn login_then(self) -> String {
        format!(
            "{}?next={}",
            Page::Login.path(),
            self.path().replace('/', "%2F")
        )
    }
}

/// The login page that returns to the page shown now (path and query) afterwards: the
/// redirect of protected pages whose query matters.
pub fn login_returning_here() -> String {
    let here = web_sys::window()
        .and_then(|w| {
            let l = w.location();
            Some(format!("{}{}", l.pathname().ok()?, l.search().ok()?))
        })
        .unwrap_or_default();
    login_returning_to(&here)
}

/// The login page that returns to `path` (a path of this site, with its query) afterwards.
pub fn login_returning_to(path: &str) -> String {
    format!("{}?next={}", Page::Login.path(), encode_component(path))
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub(crate) fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Where to go after logging in: `next` when it is a page of this app, else home.
///
/// `next` must be a path of the app's route table ([`dadashop_types::routes::app_route`]),
/// with an optional query and fragment, written plainly: it starts with one `/`, and holds
/// no backslash, whitespace or control character. Browsers strip tabs and newlines from a
/// URL and read `\` as `/` (WHATWG URL, "basic URL parser"), so `/\t/host` or `/\\host`
/// would leave the site; such a `next` is refused rather than cleaned. In the browser the
/// path is also resolved against the page's origin and the origins compared (OWASP
/// "Unvalidated Redirects and Forwards").
pub fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(target) if is_app_path(target) && same_origin(target) => target,
        _ => Page::Home.path(),
    }
}

/// Whether `target` is written as a plain path of the app's route table (see [`safe_next`]).
fn is_app_path(target: &str) -> bool {
    let plain = target
        .chars()
        .all(|c| !c.is_control() && !c.is_whitespace() && c != '\\');
    let path = target.split(['?', '#']).next().unwrap_or_default();
    plain
        && path.starts_with('/')
        && !path.starts_with("//")
        && dadashop_types::routes::app_route(path).is_some()
}

/// Whether `target`, resolved against the page's URL, stays on the page's origin.
#[cfg(target_arch = "wasm32")]
fn same_origin(target: &str) -> bool {
    let Some(location) = web_sys::window().map(|w| w.location()) else {
        return false;
    };
    let (Ok(here), Ok(origin)) = (location.href(), location.origin()) else {
        return false;
    };
    web_sys::Url::new_with_base(target, &here).is_ok_and(|url| url.origin() == origin)
}

/// Outside a browser only the written form is checked ([`is_app_path`]).
#[cfg(not(target_arch = "wasm32"))]
fn same_origin(_target: &str) -> bool {
    true
}

/// The app: restores the session from browser storage, then renders the router.
///
/// On a page the web origin rendered (a [`preload::Preload`] context is present: the server
/// renders with one, and the browser hydrates with one) the app first renders logged out and
/// with an empty offline cart, as the server did, and reads the session from storage once
/// hydration is done; the header then changes to the shopper's links.
#[component]
pub fn App() -> impl IntoView {
    leptos_meta::provide_meta_context();
    let server_rendered = preload::use_preload().is_some();
    let (auth, cart) = if server_rendered {
        let auth = Auth::logged_out();
        (auth, Cart::not_read(auth))
    } else {
        // Restored synchronously before any route renders: protected routes never redirect
        // a shopper whose session is merely not loaded yet.
        let auth = Auth::restore();
        (auth, Cart::new(auth))
    };
    if server_rendered {
        // Effects run in the browser only, after hydration.
        Effect::new(move |_| {
            cart.reload_offline();
            leptos::task::spawn_local(auth.restore_stored());
            // `<html data-hydrated="true">`: the page answers clicks now (tests and
            // monitoring read it; `<html>` is outside what hydration owns).
            #[cfg(target_arch = "wasm32")]
            if let Some(root) = document().document_element() {
                let _ = root.set_attribute("data-hydrated", "true");
            }
        });
    }
    provide_context(auth);
    provide_context(cart);
    provide_context(Favourites::new(auth));
    provide_context(Flash::new());
    view! {
        <Router>
            <Shell />
        </Router>
    }
}

/// The whole document of a server-rendered page (feature `ssr`): `<head>` with the tags the
/// page's components give through `leptos_meta` ([`components::PageHead`]), and [`App`] as the
/// body. The web origin adds the build's own head (style sheet, wasm boot tag, API origin) and
/// the page's [`preload::Preloaded`] JSON.
#[cfg(feature = "ssr")]
#[component]
pub fn Document() -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="zh-CN">
            <head>
                <leptos_meta::MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The path prefix of the operator console (`pages::admin`).
const CONSOLE_PREFIX: &str = "/admin";

/// Whether `path` is a page of the operator console: `/admin` or below it.
fn is_console_path(path: &str) -> bool {
    path.strip_prefix(CONSOLE_PREFIX)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// The shop's frame, or under `/admin` the operator console alone (its own frame: no shop
/// header, footer or catalog request). Switches only when the path crosses that line, not on
/// every navigation.
#[component]
fn Shell() -> impl IntoView {
    let location = use_location();
    let console = Memo::new(move |_| location.pathname.with(|path| is_console_path(path)));
    move || {
        if console.get() {
            view! { <ConsoleShell /> }.into_any()
        } else {
            view! { <ShopShell /> }.into_any()
        }
    }
}

/// The console's routes: every path under `/admin` is the one lazily loaded console page,
/// which picks its sub-page from the path (`pages::admin::Section`). `/admin/*any` matches
/// `/admin` too; a separate `/admin` route would make the router rebuild the console each
/// time the operator goes between 统计 and another page.
#[component]
fn ConsoleShell() -> impl IntoView {
    view! {
        <Routes fallback=NotFoundPage>
            <Route path=path!("/admin/*any") view=page!(Admin) />
        </Routes>
    }
}

/// Header, routes and footer; inside the router so that it can navigate.
#[component]
fn ShopShell() -> impl IntoView {
    let auth = use_auth();
    let flash = use_flash();
    let navigate = use_navigate();

    // When any authorized call gets a 401, `Auth::expire` has already forgotten the session:
    // say so and go to the login page.
    // The login page keeps the way back (`?next=`), so logging in again returns the shopper
    // to the page they were on.
    let to_login = navigate.clone();
    let location = use_location();
    Effect::new(move |previous: Option<u32>| {
        let now = auth.expirations().get();
        if previous.is_some_and(|before| before != now) {
            flash.set("登录已过期，请重新登录");
            let search = location.search.get_untracked();
            let here = format!(
                "{}{}{search}",
                location.pathname.get_untracked(),
                if search.is_empty() { "" } else { "?" }
            );
            let target = if here.starts_with(Page::Login.path()) {
                Page::Login.path().to_owned()
            } else {
                login_returning_to(&here)
            };
            to_login(&target, Default::default());
        }
        now
    });

    // 退出: forget the session at once and go home; revoking the token on the server is best
    // effort (a failure there changes nothing for this browser).
    let on_logout = Callback::new(move |()| {
        let credentials = auth.credentials();
        auth.log_out();
        navigate(Page::Home.path(), Default::default());
        if let Some(credentials) = credentials {
            leptos::task::spawn_local(async move {
                let _ = api::users::logout(&credentials).await;
            });
        }
    });

    // A protected page is checked when it is entered, not on every change of the session:
    // logging out on /user must end on the home page, not bounce through the login page.
    let allowed = move || Some(auth.is_logged_in_untracked());

    // The home page's catalogs, fetched once and shared: the header's catalog links and the
    // home page read the same answer (one request on the first page view).
    let catalogs = state::Remote::new();
    let index = state::GoodsIndex(catalogs);
    match preload::use_preload().and_then(|p| p.take_index()) {
        Some(answer) => catalogs.set(answer),
        None => index.load(),
    }
    provide_context(index);
    let nav_catalogs = Signal::derive(move || {
        catalogs
            .get()
            .and_then(Result::ok)
            .map(|answer| {
                answer
                    .data
                    .into_iter()
                    .map(|c| (c.catalog_id, c.catalog_name))
                    .collect::<Vec<(i64, String)>>()
            })
            .unwrap_or_default()
    });

    // A heart's failure (the network, a product taken off sale meanwhile), for a moment.
    let favourites = use_favourites();
    let favourite_error = move || {
        favourites.error().map(|text| {
            view! {
                <div class="toast-region">
                    <p class="toast" role="alert">{text}</p>
                </div>
            }
        })
    };

    view! {
        <SiteHeader on_logout catalogs=nav_catalogs />
        <main id="main" class="container main">
            <Routes fallback=NotFoundPage>
                <Route path=path!("/") view=HomePage />
                <Route path=path!("/login") view=page!(Login) />
                <Route path=path!("/register") view=page!(Register) />
                <Route path=path!("/weibo/callback") view=page!(WeiboCallback) />
                <Route path=path!("/catalog/:id") view=page!(Catalog) />
                <Route path=path!("/product/:id") view=page!(Product) />
                <Route path=path!("/search") view=page!(Search) />
                <Route path=path!("/cart") view=page!(Cart) />
                <ProtectedRoute
                    path=path!("/order/confirm")
                    view=guarded_page!(OrderConfirm)
                    condition=allowed
                    redirect_path=login_returning_here
                />
                <ProtectedRoute
                    path=path!("/order/result")
                    view=guarded_page!(OrderResult)
                    condition=allowed
                    redirect_path=login_returning_here
                />
                <ProtectedRoute
                    path=path!("/payment/result")
                    view=guarded_page!(PaymentResult)
                    condition=allowed
                    redirect_path=login_returning_here
                />
                <ProtectedRoute
                    path=path!("/user/orders")
                    view=guarded_page!(Orders)
                    condition=allowed
                    redirect_path=login_returning_here
                />
                <ProtectedRoute
                    path=path!("/user/orders/:order_id")
                    view=guarded_page!(OrderDetail)
                    condition=allowed
                    redirect_path=login_returning_here
                />
                <ProtectedRoute
                    path=path!("/user/favourites")
                    view=guarded_page!(Favourites)
                    condition=allowed
                    redirect_path=|| Page::Favourites.login_then()
                />
                <ProtectedRoute
                    path=path!("/user/history")
                    view=guarded_page!(History)
                    condition=allowed
                    redirect_path=|| Page::History.login_then()
                />
                <Route path=path!("/activation") view=page!(Activation) />
                <Route path=path!("/password/forgot") view=page!(ForgotPassword) />
                <ProtectedRoute
                    path=path!("/user")
                    view=guarded_page!(Profile)
                    condition=allowed
                    redirect_path=|| Page::Profile.login_then()
                />
                <ProtectedRoute
                    path=path!("/user/password")
                    view=guarded_page!(Password)
                    condition=allowed
                    redirect_path=|| Page::Password.login_then()
                />
                <ProtectedRoute
                    path=path!("/user/address")
                    view=guarded_page!(Address)
                    condition=allowed
                    redirect_path=|| Page::Addresses.login_then()
                />
                // The original shop's page paths (`legacy.rs`), one route for all of them but
                // Weibo's redirect, which keeps its address.
                <Route path=path!("/dadashop/templates/callback.html") view=page!(WeiboCallback) />
                <Route path=path!("/dadashop/templates/:file") view=page!(Legacy) />
            </Routes>
        </main>
        {favourite_error}
        <SiteFooter />
    }
}

#[cfg(test)]
mod tests {
    use super::{Page, safe_next};

    #[test]
    fn login_redirects_only_to_paths_of_this_site() {
        assert_eq!(safe_next(Some("/user/address")), "/user/address");
        assert_eq!(
            safe_next(Some("/user/orders?type=1&page=2")),
            "/user/orders?type=1&page=2"
        );
        assert_eq!(safe_next(Some("/product/3#buy")), "/product/3#buy");
        assert_eq!(
            safe_next(Some("/search?q=%E6%8B%89")),
            "/search?q=%E6%8B%89"
        );
        assert_eq!(safe_next(None), "/");
        for hostile in [
            "//evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/\t/evil.example/pwned",
            "/\n/evil.example",
            "/\r/evil.example",
            "\t//evil.example",
            " //evil.example",
            "/%09/evil.example",
            "/%2F/evil.example",
            "https://evil.example",
            "http:evil.example",
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "data:text/html,x",
            "/nowhere",
            "/user/x/y",
            "",
        ] {
            assert_eq!(safe_next(Some(hostile)), "/", "{hostile}");
        }
    }

    #[test]
    fn every_page_is_in_the_shared_route_table_of_the_web_origin() {
        use dadashop_types::routes::app_route;
        for page in [
            Page::Home,
            Page::Login,
            Page::Register,
            Page::Profile,
            Page::Password,
            Page::Addresses,
            Page::History,
            Page::Cart,
            Page::OrderConfirm,
            Page::OrderResult,
            Page::Orders,
            Page::PaymentResult,
            Page::WeiboCallback,
            Page::Activation,
            Page::ForgotPassword,
            Page::Admin,
        ] {
            assert!(app_route(page.path()).is_some(), "{}", page.path());
        }
        assert_eq!(app_route("/admin/orders/1"), Some("/admin/*"));
        for legacy in [
            "/dadashop/templates/cart.html",
            "/dadashop/templates/orders.html",
            "/dadashop/templates/myorders.html",
            "/dadashop/templates/pay_success.html",
        ] {
            assert_eq!(app_route(legacy), Some(legacy));
        }
        assert_eq!(app_route(&Page::product(7)), Some("/product/:id"));
        assert_eq!(app_route(&Page::catalog(2)), Some("/catalog/:id"));
        let search = Page::search("拉杆 箱", 2);
        assert_eq!(search, "/search?q=%E6%8B%89%E6%9D%86%20%E7%AE%B1&page=2");
        assert_eq!(
            app_route(search.split('?').next().unwrap_or("")),
            Some("/search")
        );
    }

    #[test]
    fn an_order_s_page_is_below_my_orders() {
        assert_eq!(
            Page::order_detail("20261205093000000000000042"),
            "/user/orders/20261205093000000000000042"
        );
        assert_eq!(Page::order_detail("a/b?"), "/user/orders/a%2Fb%3F");
    }

    /// `Page::Favourites` and `Page::order_detail` are in the web origin's table
    /// (`dadashop_types::routes::APP_ROUTES`): a direct load answers 200 and the login page
    /// takes them as `next`.
    #[test]
    fn the_favourites_and_order_pages_are_in_the_shared_route_table() {
        use dadashop_types::routes::app_route;
        assert_eq!(app_route(Page::Favourites.path()), Some("/user/favourites"));
        let order = Page::order_detail("20261205093000000000000042");
        assert_eq!(app_route(&order), Some("/user/orders/:order_id"));
        assert_eq!(safe_next(Some(&order)), order);
        assert_eq!(safe_next(Some("/user/favourites")), "/user/favourites");
    }

    #[test]
    fn only_paths_under_admin_are_the_console() {
        use super::is_console_path;
        assert!(is_console_path("/admin"));
        assert!(is_console_path("/admin/"));
        assert!(is_console_path("/admin/orders/12"));
        assert!(!is_console_path("/administrator"));
        assert!(!is_console_path("/"));
        assert!(!is_console_path("/user/orders"));
    }

    #[test]
    fn protected_pages_send_their_path_to_the_login_page() {
        assert_eq!(
            Page::Addresses.login_then(),
            "/login?next=%2Fuser%2Faddress"
        );
        assert_eq!(
            super::login_returning_to("/user/address?x=1&y=中"),
            "/login?next=%2Fuser%2Faddress%3Fx%3D1%26y%3D%E4%B8%AD"
        );
    }
}
