//! The web origin that serves the SPA.

use reqwest::StatusCode;

use crate::common::{Backend, Options, TestApp};

const INDEX: &str = r#"<!doctype html><html><head><meta name="dadashop-api-url" content="http://placeholder"/><link rel="modulepreload" href="/frontend-0123456789abcdef.js"></head><body><script type="module">import init from '/frontend-0123456789abcdef.js';await init();</script></body></html>"#;

async fn web_app() -> (TestApp, String) {
    web_app_with(false).await
}

async fn web_app_with(seed_demo: bool) -> (TestApp, String) {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        Options {
            dist_dir: Some(test_dist()),
            seed_demo,
            ..Options::default()
        },
    )
    .await;
    let web = app.web_base.clone().expect("web origin runs");
    (app, web)
}

/// A built SPA's folder as the web origin needs it (index.html naming a module, the module,
/// its precompressed copy, favicon and robots.txt), in a temporary directory kept for the
/// test's life.
pub(crate) fn test_dist() -> std::path::PathBuf {
    let dist = tempfile::tempdir().expect("dist").keep();
    std::fs::write(dist.join("index.html"), INDEX).expect("index");
    std::fs::write(
        dist.join("frontend-0123456789abcdef.js"),
        "export default function init() {}",
    )
    .expect("js");
    std::fs::write(
        dist.join("favicon.svg"),
        "<svg xmlns='http://www.w3.org/2000/svg'/>",
    )
    .expect("icon");
    std::fs::write(dist.join("robots.txt"), "User-agent: *\nDisallow: /user\n").expect("robots");
    // A precompressed copy, as scripts/precompress.mjs writes it (the bytes only need to
    // differ from the original here).
    std::fs::write(
        dist.join("frontend-0123456789abcdef.js.br"),
        b"brotli bytes",
    )
    .expect("br");
    dist
}

#[tokio::test]
async fn every_app_route_gets_the_page_with_the_api_origin_and_a_strict_policy() {
    let (app, web) = web_app().await;
    for path in [
        "/",
        "/login",
        "/user/address",
        "/dadashop/templates/login.html",
        "/dadashop/templates/callback.html",
    ] {
        let res = app
            .client
            .get(format!("{web}{path}"))
            .send()
            .await
            .expect("sent");
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let h = res.headers().clone();
        assert_eq!(h["cache-control"], "no-cache", "{path}");
        let csp = h["content-security-policy"]
            .to_str()
            .expect("ascii")
            .to_owned();
        assert!(csp.contains("default-src 'self'"), "{csp}");
        assert!(
            csp.contains("base-uri 'none'") && csp.contains("object-src 'none'"),
            "{csp}"
        );
        assert!(
            csp.contains("connect-src 'self' http://127.0.0.1:8000"),
            "{csp}"
        );
        assert!(
            csp.contains("'sha256-"),
            "the inline loader is allowed by hash: {csp}"
        );
        assert!(
            !csp.contains("'unsafe-eval'") && !csp.contains("script-src 'self' 'unsafe-inline'"),
            "{csp}"
        );
        assert_eq!(h["x-content-type-options"], "nosniff");
        let html = res.text().await.expect("html");
        assert!(
            html.contains(r#"<meta name="dadashop-api-url" content="http://127.0.0.1:8000">"#),
            "{html}"
        );
    }
}

#[tokio::test]
async fn hashed_assets_are_cached_for_a_year_and_others_briefly() {
    let (app, web) = web_app().await;
    let res = app
        .client
        .get(format!("{web}/frontend-0123456789abcdef.js"))
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert!(
        res.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .contains("javascript")
    );
    let res = app
        .client
        .get(format!("{web}/favicon.svg"))
        .send()
        .await
        .expect("sent");
    assert_eq!(res.headers()["cache-control"], "public, max-age=3600");
}

#[tokio::test]
async fn precompressed_files_are_sent_when_the_browser_accepts_them() {
    let (app, web) = web_app().await;
    let url = format!("{web}/frontend-0123456789abcdef.js");
    let res = app
        .client
        .get(&url)
        .header("Accept-Encoding", "br, gzip")
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-encoding"], "br");
    assert_eq!(res.bytes().await.expect("body").as_ref(), b"brotli bytes");
    let plain = app.client.get(&url).send().await.expect("sent");
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(
        plain.text().await.expect("body"),
        "export default function init() {}"
    );
}

/// Whether some tag of `html` holds all of `parts` (attributes in any order).
fn has_tag(html: &str, parts: &[&str]) -> bool {
    html.split('<')
        .map(|tag| tag.split('>').next().unwrap_or_default())
        .any(|tag| parts.iter().all(|p| tag.contains(p)))
}

/// The markup of `<body>`, what a shopper without JavaScript reads, without the comments
/// that mark dynamic parts for hydration (`<!>`, `<!--<() />-->`).
pub(crate) fn body_of(html: &str) -> String {
    let start = html.find("<body").expect("a body");
    html[start..]
        .replace("<!>", "")
        .replace("<!---->", "")
        .replace("<!--<() />-->", "")
}

pub(crate) async fn fetch(app: &TestApp, url: &str) -> (StatusCode, String) {
    let res = app.client.get(url).send().await.expect("sent");
    let status = res.status();
    (status, res.text().await.expect("text"))
}

#[tokio::test]
async fn product_pages_carry_their_own_metadata_and_unknown_paths_answer_404() {
    let (app, web) = web_app_with(true).await;
    let (status, html) = fetch(&app, &format!("{web}/product/5")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("<title>达达旅行 轻盈拉杆箱 深蓝 24寸 - 达达商城</title>"),
        "{html}"
    );
    assert!(
        has_tag(
            &html,
            &[
                "link",
                r#"rel="canonical""#,
                r#"href="http://127.0.0.1:7000/product/5""#
            ]
        ),
        "{html}"
    );
    assert!(has_tag(
        &html,
        &[
            r#"property="og:title""#,
            r#"content="达达旅行 轻盈拉杆箱 深蓝 24寸""#
        ]
    ));
    assert!(has_tag(
        &html,
        &[
            r#"property="og:image""#,
            r#"content="http://127.0.0.1:8000/media/sku/5.svg""#
        ]
    ));
    let ld_tag = html.find(r#"type="application/ld+json""#).expect("JSON-LD");
    let ld_start = ld_tag + html[ld_tag..].find('>').expect("tag end") + 1;
    let ld_end = ld_start + html[ld_start..].find("</script>").expect("end");
    let ld: serde_json::Value = serde_json::from_str(&html[ld_start..ld_end]).expect("json");
    assert_eq!(ld["@type"], "Product");
    assert_eq!(ld["name"], "达达旅行 轻盈拉杆箱 深蓝 24寸");
    assert_eq!(ld["offers"]["price"], "359.00");
    assert_eq!(ld["offers"]["priceCurrency"], "CNY");
    assert_eq!(ld["offers"]["availability"], "https://schema.org/InStock");
    assert!(html.contains(r#"<meta name="dadashop-api-url" content="http://127.0.0.1:8000">"#));

    let (status, html) = fetch(&app, &format!("{web}/catalog/2")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<title>双肩包 - 达达商城</title>"), "{html}");

    // What a shopper reads, in the body itself (rendered on the server): name, caption,
    // price, stock, the pictures with their size, the breadcrumb, the sale attributes as links.
    let (_, html) = fetch(&app, &format!("{web}/product/5")).await;
    let body = &body_of(&html);
    assert!(
        body.contains("达达旅行 轻盈拉杆箱 深蓝 24寸</h1>"),
        "{body}"
    );
    assert!(body.contains("¥359.00"), "{body}");
    assert!(body.contains("有货"), "{body}");
    assert!(
        has_tag(
            body,
            &[
                "img",
                r#"src="http://127.0.0.1:8000/media/sku/5.svg""#,
                r#"width="400""#,
                r#"height="400""#
            ]
        ),
        "{body}"
    );
    assert!(has_tag(body, &["a", r#"href="/catalog/1""#]), "{body}");
    // 黑色 (another colour of this SPU) as a link that keeps the size.
    let (status, _) = fetch(&app, &format!("{web}/product/5?attr=1&value=1")).await;
    assert_eq!(status, StatusCode::OK);
    let res = no_redirects()
        .get(format!("{web}/product/5?attr=1&value=1"))
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let (_, other) = fetch(&app, &format!("{web}{to}")).await;
    assert!(
        body_of(&other).contains("达达旅行 轻盈拉杆箱 黑色 24寸</h1>"),
        "{to}"
    );
    assert!(
        body.contains(r#"href="/product/5?attr="#),
        "the sale attribute values are links: {body}"
    );

    // Unknown products, catalogs and paths: 404 with the page (its own 404 view), not indexed.
    for path in [
        "/product/99999",
        "/product/abc",
        "/catalog/999",
        "/wp-login.php",
        "/user/nothing",
    ] {
        let (status, html) = fetch(&app, &format!("{web}{path}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(
            html.contains(r#"<meta name="robots" content="noindex">"#),
            "{path}"
        );
        assert!(html.contains("dadashop-api-url"), "{path}");
        assert!(
            body_of(&html).contains("页面不存在"),
            "the shop's 404 body: {path}"
        );
    }
    // The browser's own pages, and the original client's paths, still answer 200 (the
    // latter through a permanent redirect to the page that replaced them).
    for path in [
        "/search?q=x",
        "/user/history",
        "/dadashop/templates/product_details.html?skuid=5",
    ] {
        let (status, _) = fetch(&app, &format!("{web}{path}")).await;
        assert_eq!(status, StatusCode::OK, "{path}");
    }
    let res = no_redirects()
        .get(format!(
            "{web}/dadashop/templates/product_list.html?catalog_id=2&page=1"
        ))
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(res.headers()["location"], "/catalog/2");

    // robots.txt names the sitemap; the sitemap lists launched products only.
    let (_, robots) = fetch(&app, &format!("{web}/robots.txt")).await;
    assert!(robots.contains("Disallow: /user"), "{robots}");
    assert!(
        robots.contains("Sitemap: http://127.0.0.1:7000/sitemap.xml"),
        "{robots}"
    );
    let (status, xml) = fetch(&app, &format!("{web}/sitemap.xml")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        xml.contains("<loc>http://127.0.0.1:7000/product/6</loc>"),
        "{xml}"
    );
    assert!(
        xml.contains("<loc>http://127.0.0.1:7000/catalog/1</loc>"),
        "{xml}"
    );
    sqlx::query("UPDATE skus SET is_launched = 0 WHERE id = 6")
        .execute(&app.state.db)
        .await
        .expect("update");
    app.goods_changed().await;
    let (_, xml) = fetch(&app, &format!("{web}/sitemap.xml")).await;
    assert!(!xml.contains("/product/6<"), "{xml}");
    assert!(xml.contains("/product/7<"), "{xml}");
    let (status, html) = fetch(&app, &format!("{web}/product/6")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no stale rendered page");
    assert!(body_of(&html).contains("页面不存在"));
}

/// A client that does not follow redirects.
fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

#[tokio::test]
async fn catalog_and_search_pages_are_rendered_with_their_goods() {
    let (app, web) = web_app_with(true).await;
    // Nine products of 拉杆箱 (19 in all) and a link to page 2.
    let (status, html) = fetch(&app, &format!("{web}/catalog/1")).await;
    assert_eq!(status, StatusCode::OK);
    let body = &body_of(&html);
    assert_eq!(body.matches(r#"data-testid="sku""#).count(), 9, "{body}");
    assert!(
        has_tag(body, &["a", r#"href="/catalog/1?page=2""#]),
        "{body}"
    );
    assert!(body.contains("共 19 件商品"), "{body}");
    // Sort and price filter from the URL; the filter form works without JavaScript.
    let (_, html) = fetch(&app, &format!("{web}/catalog/1?sort=-price&page=2")).await;
    let body = &body_of(&html);
    assert!(
        has_tag(body, &["form", r#"method="get""#, r#"action="/catalog/1""#]),
        "{body}"
    );
    assert!(has_tag(
        body,
        &["input", r#"name="sort""#, r#"value="-price""#]
    ));
    assert!(has_tag(body, &[r#"aria-current="page""#, ">2"]) || body.contains(">2</a>"));
    // The page's data is in the page for hydration, as JSON the browser does not run.
    assert!(html.contains(r#"<script type="application/json" id="dadashop-preloaded">"#));

    // A search for a Chinese word holds the matching names (and the header's GET form).
    let (status, html) = fetch(&app, &format!("{web}/search?q=%E9%92%B1%E5%8C%85")).await;
    assert_eq!(status, StatusCode::OK);
    let body = &body_of(&html);
    assert!(body.contains("北岸 牛皮短款钱包"), "{body}");
    assert!(body.contains("木棉 长款拉链钱包"), "{body}");
    assert!(!body.contains("拉杆箱 黑色"), "{body}");
    assert!(
        has_tag(body, &["form", r#"method="get""#, r#"action="/search""#]),
        "{body}"
    );
    assert!(
        has_tag(body, &["input", r#"name="q""#, r#"value="钱包""#]),
        "{body}"
    );

    // The home page: every catalog block with its products, links to every catalog.
    let (status, html) = fetch(&app, &format!("{web}/")).await;
    assert_eq!(status, StatusCode::OK);
    let body = &body_of(&html);
    assert_eq!(
        body.matches(r#"data-testid="catalog""#).count(),
        4,
        "{body}"
    );
    for id in 1..=4 {
        assert!(
            has_tag(body, &["a", &format!(r#"href="/catalog/{id}""#)]),
            "{id}"
        );
    }
    // The policy allows the inline scripts the page has, by hash, and no other.
    let csp = app
        .client
        .get(format!("{web}/"))
        .send()
        .await
        .expect("sent")
        .headers()["content-security-policy"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        !csp.contains("unsafe-inline') ") && csp.contains("script-src 'self'"),
        "{csp}"
    );

    // An operator's rename reaches the rendered pages at once (a new goods generation).
    let (_, before) = fetch(&app, &format!("{web}/product/58")).await;
    assert!(body_of(&before).contains("北岸 牛皮短款钱包 黑色 小号</h1>"));
    sqlx::query("UPDATE skus SET name = '北岸 牛皮短款钱包 限量款' WHERE id = 58")
        .execute(&app.state.db)
        .await
        .expect("rename");
    app.goods_changed().await;
    let (_, html) = fetch(&app, &format!("{web}/product/58")).await;
    assert!(body_of(&html).contains("北岸 牛皮短款钱包 限量款</h1>"));
}
