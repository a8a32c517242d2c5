//! The SPA's route table as path patterns, shared by the app (whose `<Routes>` must list the
//! same paths: a test in `app` checks every `Page` against it) and the server's web origin,
//! which answers 200 with the page for these paths and 404 for every other path that is not
//! a file.

/// Path patterns of the SPA: `:name` matches one non-empty segment, a trailing `/*` any
/// rest (including nothing).
pub const APP_ROUTES: &[&str] = &[
    "/",
    "/login",
    "/register",
    "/user",
    "/user/password",
    "/user/address",
    "/user/history",
    "/user/orders",
    "/user/orders/:order_id",
    "/user/favourites",
    "/catalog/:id",
    "/product/:id",
    "/search",
    "/cart",
    "/order/confirm",
    "/order/result",
    // The activation mail's link and the forgotten-password page.
    "/activation",
    "/password/forgot",
    // Where Weibo sends the shopper back (the default `WEIBO_REDIRECT_URI`).
    "/weibo/callback",
    // Where Alipay sends the shopper back after paying (the default `ALIPAY_RETURN_URL`).
    "/payment/result",
    // The operator console (app `pages::admin`): its home, and every page below it.
    "/admin",
    "/admin/*",
    // The original shop's page paths, kept for old links and bookmarks.
    "/index.html",
    "/dadashop/templates/index.html",
    "/dadashop/templates/login.html",
    "/dadashop/templates/register.html",
    "/dadashop/templates/callback.html",
    "/dadashop/templates/active.html",
    "/dadashop/templates/product_list.html",
    "/dadashop/templates/product_details.html",
    "/dadashop/templates/search_list.html",
    "/dadashop/templates/cart.html",
    "/dadashop/templates/orders.html",
    "/dadashop/templates/myorders.html",
    "/dadashop/templates/pay_success.html",
];

/// The pattern of [`APP_ROUTES`] that `path` (without query) matches, if any. A trailing
/// slash is ignored (`/user/` is `/user`).
pub fn app_route(path: &str) -> Option<&'static str> {
    let path = if path.len() > 1 {
        path.trim_end_matches('/')
    } else {
        path
    };
    APP_ROUTES
        .iter()
        .copied()
        .find(|pattern| pattern_matches(pattern, path))
}

fn pattern_matches(pattern: &str, path: &str) -> bool {
    if let Some(prefix) = pattern.strip_suffix("/*") {
        return path == prefix || path.starts_with(&format!("{prefix}/"));
    }
    let mut want = pattern.split('/');
    let mut got = path.split('/');
    loop {
        match (want.next(), got.next()) {
            (None, None) => return true,
            (Some(w), Some(g)) if w.starts_with(':') => {
                if g.is_empty() {
                    return false;
                }
            }
            (Some(w), Some(g)) if w == g => {}
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{APP_ROUTES, app_route};

    /// nginx's location for the app's pages (deploy/nginx/dadashop-spa.inc) lists every
    /// route of the table, in its regex form (`:id` as `[^/]+`, `/*` as `/.*`), so that a
    /// page added to the app is not a 404 behind nginx.
    #[test]
    fn nginx_serves_every_app_route() {
        let conf = include_str!("../../deploy/nginx/dadashop-spa.inc");
        let regex = conf
            .lines()
            .find(|l| l.starts_with("location ~ \"^/("))
            .expect("the app routes' location");
        for route in APP_ROUTES.iter().filter(|r| **r != "/") {
            let mut form = String::new();
            for (i, part) in route.trim_start_matches('/').split('/').enumerate() {
                if i > 0 {
                    form.push('/');
                }
                form.push_str(match part {
                    "*" => ".*",
                    p if p.starts_with(':') => "[^/]+",
                    p => p,
                });
            }
            let form = form.replace(".html", "\\.html");
            let in_templates = route.starts_with("/dadashop/templates/");
            assert!(
                in_templates
                    || regex.contains(&format!("|{form}|"))
                    || regex.contains(&format!("({form}|")),
                "{route} ({form}) is not in nginx's app location"
            );
        }
    }

    #[test]
    fn paths_match_their_patterns() {
        assert_eq!(app_route("/"), Some("/"));
        assert_eq!(app_route("/product/12"), Some("/product/:id"));
        assert_eq!(app_route("/product/12/"), Some("/product/:id"));
        assert_eq!(app_route("/weibo/callback"), Some("/weibo/callback"));
        assert_eq!(app_route("/payment/result"), Some("/payment/result"));
        assert_eq!(
            app_route("/dadashop/templates/pay_success.html"),
            Some("/dadashop/templates/pay_success.html")
        );
        assert_eq!(app_route("/user/"), Some("/user"));
        assert_eq!(app_route("/admin"), Some("/admin"));
        assert_eq!(app_route("/admin/"), Some("/admin"));
        assert_eq!(app_route("/admin/orders"), Some("/admin/*"));
        assert_eq!(
            app_route("/admin/orders/20261205000000000000001"),
            Some("/admin/*")
        );
        for unknown in [
            "/product",
            "/product/",
            "/product/1/x",
            "/wp-admin",
            "/administrator",
            "/admin.php",
            "/userx",
            "/x.php",
        ] {
            assert_eq!(app_route(unknown), None, "{unknown}");
        }
    }
}
