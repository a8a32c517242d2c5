//! `/admin/...`: the operator console (issue 24 item 7), in a wasm module of its own (the
//! `admin` group of `lazy` in lib.rs): a shopper never downloads it.
//!
//! The console has its own session (the staff token, [`session`]) and its own frame: no shop
//! header or footer (the app shell leaves them out under `/admin`), a top bar with the
//! operator's name, role and 退出, and a side menu built from the role's permissions. Its
//! pages are picked here from the path ([`Section`]): the app's router has the one route
//! `/admin/*any` for all of them (it matches `/admin` too). One route, not `/admin` beside
//! it: the router rebuilds a page when the matched route changes, so going from 统计 to 订单
//! would rebuild the whole console (its frame, its session check) on every such click.
//!
//! Without a session every console path shows the login form, and the page asked for shows
//! once logged in. A 401 on any call (the token expired, was revoked, or the account was
//! changed or disabled) ends the session and brings the form back with a message. What the
//! role does not grant is not shown (menu entries, buttons); the server checks every call
//! again (403 / 60101).
//!
//! The catalog pages (issue 25: SKUs, SPUs, catalogs, brands) need `goods.view`; their
//! buttons `goods.add`, `goods.change` or `goods.delete`.
//!
//! After the sale (issue 27, [`after_sales`]): 评价 needs `goods.view` (隐藏 / 恢复显示
//! `goods.change`); 退货 needs `refunds.view` (同意 / 拒绝 `orders.change`, 确认收货并退款
//! `refunds.change`).

mod after_sales;
mod audit;
mod brands;
mod catalog;
mod chart;
mod dashboard;
mod goods;
mod login;
mod order;
mod orders;
mod pictures;
mod session;
mod sku;
mod skus;
mod spu;
mod spus;
mod staff;
mod users;
mod widgets;

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate, use_query_map};

use crate::api;
use session::{Console, use_console};

/// The console's home (统计), and its login form when there is no session.
pub const CONSOLE: &str = crate::Page::Admin.path();
/// The orders list; `?status=6` lists the refunds due.
pub const ORDERS: &str = "/admin/orders";
/// The shoppers list.
pub const USERS: &str = "/admin/users";
/// The staff accounts.
pub const STAFF: &str = "/admin/staff";
/// The audit log.
pub const AUDIT: &str = "/admin/audit";
/// The SKUs (商品) list.
pub const SKUS: &str = "/admin/skus";
/// The SPUs list.
pub const SPUS: &str = "/admin/spus";
/// A new SPU's form.
pub const NEW_SPU: &str = "/admin/spus/new";
/// The catalogs (分类).
pub const CATALOGS: &str = "/admin/catalogs";
/// The brands (品牌).
pub const BRANDS: &str = "/admin/brands";
/// The reviews (评价); `?hidden=1` lists the hidden ones.
pub const REVIEWS: &str = "/admin/reviews";
/// The returns (退货); `?status=requested` lists those waiting for a decision.
pub const RETURNS: &str = "/admin/returns";

/// `/admin/orders/<id>`: an order's detail.
pub fn order_path(order_id: &str) -> String {
    format!("{ORDERS}/{}", crate::encode_component(order_id))
}

/// `/admin/users/<id>`: a shopper's detail.
pub fn user_path(id: i64) -> String {
    format!("{USERS}/{id}")
}

/// `/admin/skus/<id>`: a SKU's editor.
pub fn sku_path(id: i64) -> String {
    format!("{SKUS}/{id}")
}

/// `/admin/spus/<id>`: an SPU's editor.
pub fn spu_path(id: i64) -> String {
    format!("{SPUS}/{id}")
}

/// A page of the console, from its path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Section {
    /// `/admin`: 统计.
    Dashboard,
    /// `/admin/orders?...`: orders (and refunds with `status=6`).
    Orders,
    /// `/admin/orders/<id>`.
    Order(String),
    /// `/admin/users?...`.
    Users,
    /// `/admin/users/<id>`.
    User(i64),
    /// `/admin/staff`.
    Staff,
    /// `/admin/audit?...`.
    Audit,
    /// `/admin/skus?...`: 商品.
    Skus,
    /// `/admin/skus/<id>`.
    Sku(i64),
    /// `/admin/spus?...`.
    Spus,
    /// `/admin/spus/new`.
    NewSpu,
    /// `/admin/spus/<id>`.
    Spu(i64),
    /// `/admin/catalogs`: 分类.
    Catalogs,
    /// `/admin/brands`: 品牌.
    Brands,
    /// `/admin/reviews?...`: 评价.
    Reviews,
    /// `/admin/returns?...`: 退货.
    Returns,
    /// Any other path under `/admin`.
    Unknown,
}

impl Section {
    /// The section of a path under `/admin` (a trailing slash is ignored).
    pub fn parse(path: &str) -> Self {
        let path = path.trim_end_matches('/');
        let Some(rest) = path
            .strip_prefix(CONSOLE)
            .filter(|rest| rest.is_empty() || rest.starts_with('/'))
        else {
            return Section::Unknown;
        };
        let parts: Vec<&str> = rest.split('/').skip(1).collect();
        let id = |id: &str, section: fn(i64) -> Section| {
            id.parse::<i64>()
                .ok()
                .filter(|id| *id > 0)
                .map_or(Section::Unknown, section)
        };
        match parts.as_slice() {
            [] => Section::Dashboard,
            ["orders"] => Section::Orders,
            ["orders", id] if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) => {
                Section::Order((*id).to_owned())
            }
            ["users"] => Section::Users,
            ["users", n] => id(n, Section::User),
            ["staff"] => Section::Staff,
            ["audit"] => Section::Audit,
            ["skus"] => Section::Skus,
            ["skus", n] => id(n, Section::Sku),
            ["spus"] => Section::Spus,
            ["spus", "new"] => Section::NewSpu,
            ["spus", n] => id(n, Section::Spu),
            ["catalogs"] => Section::Catalogs,
            ["brands"] => Section::Brands,
            ["reviews"] => Section::Reviews,
            ["returns"] => Section::Returns,
            _ => Section::Unknown,
        }
    }

    /// The permission the section needs (`None`: any operator).
    pub fn permission(&self) -> Option<&'static str> {
        match self {
            Section::Dashboard => Some("dashboard.view"),
            Section::Orders | Section::Order(_) => Some("orders.view"),
            Section::Users | Section::User(_) => Some("users.view"),
            Section::Staff => Some("staff.view"),
            Section::Audit => Some("audit.view"),
            Section::NewSpu => Some("goods.add"),
            Section::Skus
            | Section::Sku(_)
            | Section::Spus
            | Section::Spu(_)
            | Section::Catalogs
            | Section::Brands
            | Section::Reviews => Some("goods.view"),
            Section::Returns => Some("refunds.view"),
            Section::Unknown => None,
        }
    }
}

/// The side menu: name, link, the permission that shows it.
const MENU: [(&str, &str, &str); 12] = [
    ("统计", CONSOLE, "dashboard.view"),
    ("订单", ORDERS, "orders.view"),
    ("退款", "/admin/orders?status=6", "refunds.view"),
    ("退货", RETURNS, "refunds.view"),
    ("用户", USERS, "users.view"),
    ("商品", SKUS, "goods.view"),
    ("SPU", SPUS, "goods.view"),
    ("分类", CATALOGS, "goods.view"),
    ("品牌", BRANDS, "goods.view"),
    ("评价", REVIEWS, "goods.view"),
    ("员工", STAFF, "staff.view"),
    ("操作日志", AUDIT, "audit.view"),
];

/// Whether the menu entry `href` is the page shown (`status` is the query's).
fn menu_current(href: &str, section: &Section, status: Option<&str>) -> bool {
    let refunds = status == Some("6");
    match section {
        Section::Dashboard => href == CONSOLE,
        Section::Orders => {
            (href == ORDERS && !refunds) || (href.starts_with(ORDERS) && href != ORDERS && refunds)
        }
        Section::Order(_) => href == ORDERS,
        Section::Users | Section::User(_) => href == USERS,
        Section::Staff => href == STAFF,
        Section::Audit => href == AUDIT,
        Section::Skus | Section::Sku(_) => href == SKUS,
        Section::Spus | Section::NewSpu | Section::Spu(_) => href == SPUS,
        Section::Catalogs => href == CATALOGS,
        Section::Brands => href == BRANDS,
        Section::Reviews => href == REVIEWS,
        Section::Returns => href == RETURNS,
        Section::Unknown => false,
    }
}

/// The console: the login form without a session, else the frame and the page of the path.
#[component]
pub fn AdminPage() -> impl IntoView {
    let console = Console::restore();
    provide_context(console);
    // The role may have changed since this tab logged in (a change revokes the token, which
    // then answers 401): take the permissions as they are now.
    if let Some(staff) = console.credentials() {
        leptos::task::spawn_local(async move {
            if let Ok(answer) = console.check(api::admin::session(&staff).await) {
                console.refresh(answer.data);
            }
        });
    }
    let logged_in = Memo::new(move |_| console.is_logged_in());
    move || {
        if logged_in.get() {
            view! { <Frame /> }.into_any()
        } else {
            view! { <login::ConsoleLogin /> }.into_any()
        }
    }
}

/// Top bar, side menu and the page.
#[component]
fn Frame() -> impl IntoView {
    let console = use_console();
    let location = use_location();
    let query = use_query_map();
    let navigate = use_navigate();
    let section = Memo::new(move |_| location.pathname.with(|p| Section::parse(p)));
    let status = Memo::new(move |_| query.with(|q| q.get("status")));
    // The page to show: the section, or `None` when the role may not see it. One memo that
    // the page's view reads alone: a view reading both the section and a memo derived from it
    // missed navigations in a console first shown by a direct load.
    let shown = Memo::new(move |_| {
        let section = section.get();
        let allowed = section
            .permission()
            .is_none_or(|permission| console.can(permission));
        allowed.then_some(section)
    });

    // 退出: forget the session at once; revoking the tokens on the server is best effort.
    let on_logout = move |_| {
        let staff = console.credentials();
        navigate(CONSOLE, Default::default());
        console.end("已退出登录");
        if let Some(staff) = staff {
            leptos::task::spawn_local(async move {
                let _ = api::admin::logout(&staff).await;
            });
        }
    };

    let menu = move || {
        MENU.iter()
            .filter(|(_, _, permission)| console.can(permission))
            .map(|&(name, href, _)| {
                let current = move || {
                    status
                        .with(|s| menu_current(href, &section.get(), s.as_deref()))
                        .then_some("page")
                };
                view! { <a href=href aria-current=current>{name}</a> }
            })
            .collect_view()
    };
    let who = move || console.session().map(|s| (s.username, s.role_label));

    let page = move || {
        let Some(section) = shown.get() else {
            return view! {
                <div class="notice error" role="alert">
                    <p>"没有权限访问此页面"</p>
                </div>
            }
            .into_any();
        };
        match section {
            Section::Dashboard => view! { <dashboard::Dashboard /> }.into_any(),
            Section::Orders => view! { <orders::OrderList /> }.into_any(),
            Section::Order(id) => view! { <order::OrderDetail order_id=id /> }.into_any(),
            Section::Users => view! { <users::UserList /> }.into_any(),
            Section::User(id) => view! { <users::UserDetail id /> }.into_any(),
            Section::Staff => view! { <staff::StaffList /> }.into_any(),
            Section::Audit => view! { <audit::AuditLog /> }.into_any(),
            Section::Skus => view! { <skus::SkuList /> }.into_any(),
            Section::Sku(id) => view! { <sku::SkuEditor id /> }.into_any(),
            Section::Spus => view! { <spus::SpuList /> }.into_any(),
            Section::NewSpu => view! { <spu::SpuEditor id=None /> }.into_any(),
            Section::Spu(id) => view! { <spu::SpuEditor id=Some(id) /> }.into_any(),
            Section::Catalogs => view! { <catalog::CatalogList /> }.into_any(),
            Section::Brands => view! { <brands::BrandList /> }.into_any(),
            Section::Reviews => view! { <after_sales::ReviewList /> }.into_any(),
            Section::Returns => view! { <after_sales::ReturnList /> }.into_any(),
            Section::Unknown => view! {
                <div class="status empty">
                    "页面不存在。" <a href=CONSOLE>"回到统计"</a>
                </div>
            }
            .into_any(),
        }
    };

    view! {
        <div class="console">
            <header class="console-top">
                <a class="console-brand" href=CONSOLE aria-label="达达商城 · 运营后台">
                    <span class="brand-mark" aria-hidden="true">"达"</span>
                    <span class="console-brand-name">"达达商城 · 运营后台"</span>
                </a>
                <div class="console-user">
                    {move || {
                        who()
                            .map(|(name, role)| {
                                view! {
                                    <span class="console-name" data-testid="operator">{name}</span>
                                    <span class="console-role" data-testid="operator-role">{role}</span>
                                }
                            })
                    }}
                    <a class="console-shop" href="/">"商城首页"</a>
                    <button type="button" class="btn small" on:click=on_logout>"退出"</button>
                </div>
            </header>
            <div class="console-body">
                <nav class="console-menu" aria-label="后台菜单">{menu}</nav>
                <main id="main" class="console-main">{page}</main>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::{Section, menu_current, order_path, sku_path, spu_path, user_path};

    #[test]
    fn console_paths_pick_their_page() {
        assert_eq!(Section::parse("/admin"), Section::Dashboard);
        assert_eq!(Section::parse("/admin/"), Section::Dashboard);
        assert_eq!(Section::parse("/admin/orders"), Section::Orders);
        assert_eq!(
            Section::parse("/admin/orders/20261205123456789000000012"),
            Section::Order("20261205123456789000000012".into())
        );
        assert_eq!(Section::parse("/admin/users/7"), Section::User(7));
        assert_eq!(Section::parse("/admin/staff"), Section::Staff);
        assert_eq!(Section::parse("/admin/audit/"), Section::Audit);
        assert_eq!(Section::parse("/admin/skus"), Section::Skus);
        assert_eq!(Section::parse("/admin/skus/12"), Section::Sku(12));
        assert_eq!(Section::parse("/admin/spus"), Section::Spus);
        assert_eq!(Section::parse("/admin/spus/new"), Section::NewSpu);
        assert_eq!(Section::parse("/admin/spus/3/"), Section::Spu(3));
        assert_eq!(Section::parse("/admin/catalogs"), Section::Catalogs);
        assert_eq!(Section::parse("/admin/brands"), Section::Brands);
        assert_eq!(Section::parse("/admin/reviews"), Section::Reviews);
        assert_eq!(Section::parse("/admin/returns/"), Section::Returns);
        assert_eq!(Section::NewSpu.permission(), Some("goods.add"));
        assert_eq!(Section::Sku(1).permission(), Some("goods.view"));
        assert_eq!(Section::Reviews.permission(), Some("goods.view"));
        assert_eq!(Section::Returns.permission(), Some("refunds.view"));
        for unknown in [
            "/admin/orders/x1",
            "/admin/users/0",
            "/admin/users/-3",
            "/admin/nothing",
            "/admin/orders/1/ship",
            "/admin/skus/0",
            "/admin/skus/export",
            "/admin/spus/x",
            "/admin/reviews/3",
            "/admin/returns/7/approve",
            "/administrator",
        ] {
            assert_eq!(Section::parse(unknown), Section::Unknown, "{unknown}");
        }
        assert_eq!(order_path("123"), "/admin/orders/123");
        assert_eq!(user_path(7), "/admin/users/7");
        assert_eq!(sku_path(12), "/admin/skus/12");
        assert_eq!(spu_path(3), "/admin/spus/3");
    }

    #[test]
    fn the_menu_marks_orders_and_refunds_apart() {
        let refunds = "/admin/orders?status=6";
        assert!(menu_current("/admin/orders", &Section::Orders, None));
        assert!(menu_current("/admin/orders", &Section::Orders, Some("2")));
        assert!(!menu_current(refunds, &Section::Orders, Some("2")));
        assert!(menu_current(refunds, &Section::Orders, Some("6")));
        assert!(!menu_current("/admin/orders", &Section::Orders, Some("6")));
        assert!(menu_current(
            "/admin/orders",
            &Section::Order("1".into()),
            None
        ));
        assert!(menu_current("/admin", &Section::Dashboard, None));
        assert!(menu_current("/admin/skus", &Section::Sku(3), None));
        assert!(menu_current("/admin/spus", &Section::NewSpu, None));
        assert!(!menu_current("/admin/skus", &Section::Spu(3), None));
    }

    #[test]
    fn returns_and_refunds_are_apart_in_the_menu() {
        // 退货 (a shopper's return of goods) is not 退款 (an order's refund due).
        assert!(menu_current("/admin/returns", &Section::Returns, None));
        assert!(menu_current(
            "/admin/returns",
            &Section::Returns,
            Some("requested")
        ));
        assert!(!menu_current(
            "/admin/orders?status=6",
            &Section::Returns,
            Some("requested")
        ));
        assert!(!menu_current("/admin/orders", &Section::Returns, None));
        assert!(menu_current("/admin/reviews", &Section::Reviews, None));
        assert!(!menu_current("/admin/skus", &Section::Reviews, None));
        // Each entry is shown by the permission its page asks for.
        for (name, href, permission) in super::MENU {
            // 退款 is the orders list filtered, which asks for `orders.view` as well.
            if name != "退款" {
                assert_eq!(
                    Section::parse(href).permission(),
                    Some(permission),
                    "{name}"
                );
            }
        }
    }
}
