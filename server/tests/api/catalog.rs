//! The catalog: lists, detail, SKU switching, search, caching and browsing history, on the
//! demo catalog (server/data/demo_catalog.toml). Catalog 1 (拉杆箱) has 19 launched SKUs:
//! ids 1-9 are SPU 1 (3 colours × 3 sizes), 10-13 SPU 2, 14-19 SPU 3.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{Backend, Options, TestApp};
use crate::on_both_backends;

on_both_backends!(
    a_catalog_list_pages_by_nine_with_sorting_and_a_price_filter,
    bad_pages_sorts_prices_and_catalogs_get_their_codes,
    the_detail_has_every_field_and_unknown_skus_answer_40300,
    the_sku_switch_compares_values_as_a_set,
    unlaunched_skus_are_hidden_everywhere,
    search_finds_chinese_words_and_ranks_name_matches_first,
    search_understands_the_words_shoppers_type,
    a_price_change_shows_at_once_and_etags_round_trip,
    the_browsing_history_keeps_the_last_five_views_newest_first,
);

/// Several API processes share MariaDB and Redis (without Redis the ephemeral store is in
/// process, so a deployment runs one API process per database: docs/configuration.md).
mod every_process_sees_a_goods_change {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(not(mariadb_tests), ignore = "TEST_MYSQL_URL is not set")]
    async fn mariadb() {
        if let Some(backend) = crate::common::Backend::mariadb() {
            super::every_process_sees_a_goods_change(backend).await
        }
    }
}

async fn shop(b: Backend) -> TestApp {
    TestApp::spawn_with(
        b,
        Options {
            seed_demo: true,
            ..Options::default()
        },
    )
    .await
}

fn ids(body: &Value) -> Vec<i64> {
    body["data"]
        .as_array()
        .unwrap_or_else(|| panic!("data: {body}"))
        .iter()
        .map(|s| s["skuid"].as_i64().expect("skuid"))
        .collect()
}

fn prices(body: &Value) -> Vec<i64> {
    body["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|s| {
            let text = s["price"].as_str().expect("price is a string");
            dadashop_types::money::parse_yuan(text).expect("two decimals")
        })
        .collect()
}

async fn a_catalog_list_pages_by_nine_with_sorting_and_a_price_filter(b: Backend) {
    let app = shop(b).await;
    let (status, p1) = app
        .get("/v1/goods/catalogs/1?launched=true&page=1", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{p1}");
    assert_eq!(p1["paginator"], json!({"pagesize": 9, "total": 19}));
    assert_eq!(p1["base_url"], "http://127.0.0.1:8000/media/");
    assert_eq!(p1["catalog_name"], "拉杆箱");
    assert_eq!(ids(&p1), (1..=9).collect::<Vec<_>>());
    let first = &p1["data"][0];
    assert_eq!(first["image"], "sku/1.svg");
    assert!(
        first["name"]
            .as_str()
            .expect("answer shape")
            .contains("拉杆箱")
    );
    let (_, p2) = app.get("/v1/goods/catalogs/1?page=2", None).await;
    assert_eq!(ids(&p2), (10..=18).collect::<Vec<_>>());
    let (_, p3) = app.get("/v1/goods/catalogs/1?page=3", None).await;
    assert_eq!(ids(&p3), vec![19]);
    // No page parameter: page 1.
    let (_, default) = app.get("/v1/goods/catalogs/1", None).await;
    assert_eq!(ids(&default), ids(&p1));

    // Price up and down: every page in order, all 19 exactly once.
    for (sort, rising) in [("price", true), ("-price", false)] {
        let mut all = Vec::new();
        let mut seen = Vec::new();
        for page in 1..=3 {
            let (status, body) = app
                .get(
                    &format!("/v1/goods/catalogs/1?sort={sort}&page={page}"),
                    None,
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            all.extend(prices(&body));
            seen.extend(ids(&body));
        }
        let mut sorted = all.clone();
        sorted.sort_unstable();
        if !rising {
            sorted.reverse();
        }
        assert_eq!(all, sorted, "{sort}");
        seen.sort_unstable();
        assert_eq!(seen, (1..=19).collect::<Vec<_>>(), "{sort}");
    }
    // Sales: best selling first.
    let (_, by_sales) = app.get("/v1/goods/catalogs/1?sort=sales", None).await;
    let sales: Vec<i64> = {
        let mut out = Vec::new();
        for id in ids(&by_sales) {
            let (_, d) = app.get(&format!("/v1/goods/detail/{id}"), None).await;
            out.push(d["data"]["sales"].as_i64().expect("sales"));
        }
        out
    };
    assert!(sales.windows(2).all(|w| w[0] >= w[1]), "{sales:?}");
    // Newest first.
    app.exec(
        "UPDATE skus SET created_at = created_at + 100 WHERE id = ?",
        &[17],
    )
    .await;
    app.goods_changed().await;
    let (_, newest) = app.get("/v1/goods/catalogs/1?sort=new", None).await;
    assert_eq!(ids(&newest)[0], 17);

    // Price range 299.00 ..= 359 yuan, inclusive on both ends: SPU 1's 20寸 and 24寸.
    let (status, ranged) = app
        .get(
            "/v1/goods/catalogs/1?min_price=299.00&max_price=359&sort=-price",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{ranged}");
    let p = prices(&ranged);
    assert_eq!(
        p,
        vec![35900, 35900, 35900, 29900, 29900, 29900],
        "bounds are inclusive"
    );
    assert_eq!(ranged["paginator"]["total"], 6);
    // A range with nothing in it: one empty page.
    let (status, empty) = app.get("/v1/goods/catalogs/1?min_price=90000", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(empty["paginator"]["total"], 0);
    assert_eq!(ids(&empty), Vec::<i64>::new());
}

async fn bad_pages_sorts_prices_and_catalogs_get_their_codes(b: Backend) {
    let app = shop(b).await;
    let before = app.count("skus").await;
    let cases: &[(&str, StatusCode, i64, &str)] = &[
        (
            "/v1/goods/catalogs/1?page=0",
            StatusCode::BAD_REQUEST,
            40200,
            "page 0",
        ),
        (
            "/v1/goods/catalogs/1?page=-1",
            StatusCode::BAD_REQUEST,
            40200,
            "negative page",
        ),
        (
            "/v1/goods/catalogs/1?page=abc",
            StatusCode::BAD_REQUEST,
            40200,
            "not a number",
        ),
        (
            "/v1/goods/catalogs/1?page=1.5",
            StatusCode::BAD_REQUEST,
            40200,
            "a fraction",
        ),
        (
            "/v1/goods/catalogs/1?page=4",
            StatusCode::BAD_REQUEST,
            40200,
            "past the end",
        ),
        (
            "/v1/goods/catalogs/1?page=99999999999999999999999",
            StatusCode::BAD_REQUEST,
            40200,
            "huge",
        ),
        (
            "/v1/goods/catalogs/1?min_price=90000&page=2",
            StatusCode::BAD_REQUEST,
            40200,
            "past an empty list",
        ),
        (
            "/v1/goods/catalogs/1?sort=cheap",
            StatusCode::BAD_REQUEST,
            10123,
            "unknown sort",
        ),
        (
            "/v1/goods/catalogs/1?min_price=abc",
            StatusCode::BAD_REQUEST,
            10123,
            "price not a number",
        ),
        (
            "/v1/goods/catalogs/1?max_price=-5",
            StatusCode::BAD_REQUEST,
            10123,
            "negative price",
        ),
        (
            "/v1/goods/catalogs/1?max_price=1.005",
            StatusCode::BAD_REQUEST,
            10123,
            "three decimals",
        ),
        (
            "/v1/goods/catalogs/1?min_price=500&max_price=100",
            StatusCode::BAD_REQUEST,
            10123,
            "min above max",
        ),
        (
            "/v1/goods/catalogs/999",
            StatusCode::NOT_FOUND,
            40100,
            "unknown catalog",
        ),
        (
            "/v1/goods/catalogs/abc",
            StatusCode::NOT_FOUND,
            40100,
            "catalog not a number",
        ),
        (
            "/v1/goods/catalogs/0",
            StatusCode::NOT_FOUND,
            40100,
            "catalog 0",
        ),
        ("/v1/goods/detail/0", StatusCode::NOT_FOUND, 40300, "sku 0"),
        (
            "/v1/goods/detail/999999",
            StatusCode::NOT_FOUND,
            40300,
            "unknown sku",
        ),
        (
            "/v1/goods/detail/abc",
            StatusCode::NOT_FOUND,
            40300,
            "sku not a number",
        ),
        (
            "/v1/goods/detail/1%27%20OR%201=1",
            StatusCode::NOT_FOUND,
            40300,
            "injection",
        ),
    ];
    for (path, status, code, why) in cases {
        let (got, body) = app.get(path, None).await;
        assert_eq!(got, *status, "{why}: {body}");
        assert_eq!(body["code"], *code, "{why}: {body}");
        assert!(
            body["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{why}"
        );
    }
    for (fields, code, why) in [
        (
            &[("q", "拉杆箱"), ("page", "0")][..],
            40200,
            "search page 0",
        ),
        (
            &[("q", "拉杆箱"), ("page", "x")][..],
            40200,
            "search page not a number",
        ),
        (
            &[("q", "拉杆箱"), ("page", "9")][..],
            40200,
            "search page past the end",
        ),
        // A page far past the end must not make the index reserve room for every hit
        // before it (that aborted the process).
        (
            &[("q", "拉杆箱"), ("page", "87381461823402982")][..],
            40200,
            "search page far past the end",
        ),
        (
            &[("q", "拉杆箱"), ("page", "18446744073709551615")][..],
            40200,
            "search page u64::MAX",
        ),
        (&[("q", "   ")][..], 10123, "blank query"),
        (&[("page", "1")][..], 10123, "no query"),
    ] {
        let (status, body) = app.search(fields).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{why}: {body}");
        assert_eq!(body["code"], code, "{why}: {body}");
    }
    assert_eq!(app.count("skus").await, before, "nothing changed");
}

async fn the_detail_has_every_field_and_unknown_skus_answer_40300(b: Backend) {
    let app = shop(b).await;
    let (status, body) = app.get("/v1/goods/detail/5", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["base_url"], "http://127.0.0.1:8000/media/");
    let d = &body["data"];
    assert_eq!(d["skuid"], 5);
    assert_eq!(d["spu"], 1);
    assert_eq!(d["catalog_id"], 1);
    assert_eq!(d["catalog_name"], "拉杆箱");
    assert_eq!(d["brand"], "达达旅行");
    assert_eq!(d["name"], "达达旅行 轻盈拉杆箱 深蓝 24寸");
    assert!(!d["caption"].as_str().expect("answer shape").is_empty());
    assert_eq!(d["price"], "359.00");
    let market =
        dadashop_types::money::parse_yuan(d["market_price"].as_str().expect("answer shape"))
            .expect("answer shape");
    assert!(market > 35900);
    assert_eq!(d["image"], "sku/5.svg");
    assert_eq!(
        d["images"],
        json!(["sku/5.svg", "sku/5-2.svg", "sku/5-3.svg"])
    );
    assert_eq!(d["detail_image"], "sku/5-2.svg");
    assert!(d["stock"].as_i64().expect("answer shape") > 0);
    assert_eq!(d["sku_sale_attr_names"], json!(["颜色", "尺寸"]));
    assert_eq!(d["sku_sale_attr_val_names"], json!(["深蓝", "24寸"]));
    let attr_ids: Vec<String> = d["sku_sale_attr_id"]
        .as_array()
        .expect("answer shape")
        .iter()
        .map(|v| v.as_i64().expect("answer shape").to_string())
        .collect();
    assert_eq!(attr_ids.len(), 2);
    assert_eq!(
        d["sku_all_sale_attr_vals_name"][&attr_ids[0]],
        json!(["黑色", "深蓝", "酒红"])
    );
    assert_eq!(
        d["sku_all_sale_attr_vals_name"][&attr_ids[1]],
        json!(["20寸", "24寸", "28寸"])
    );
    for (i, attr) in attr_ids.iter().enumerate() {
        let all = d["sku_all_sale_attr_vals_id"][attr]
            .as_array()
            .expect("answer shape");
        assert_eq!(all.len(), 3);
        assert!(all.contains(&d["sku_sale_attr_val_id"][i]));
    }
    assert_eq!(d["spec"]["材质"], "PC 聚碳酸酯");
    assert_eq!(d["spec"]["重量"], "3.6kg");
    assert_eq!(d["spec"]["容量"], "62L");
    // Every image is served, with a long cache lifetime.
    for image in d["images"].as_array().expect("answer shape") {
        let res = app
            .client
            .get(format!(
                "{}/media/{}",
                app.base,
                image.as_str().expect("answer shape")
            ))
            .send()
            .await
            .expect("answer shape");
        assert_eq!(res.status(), StatusCode::OK);
        let cc = res.headers()["cache-control"]
            .to_str()
            .expect("answer shape")
            .to_owned();
        assert!(cc.contains("max-age="), "{cc}");
    }
}

async fn the_sku_switch_compares_values_as_a_set(b: Backend) {
    let app = shop(b).await;
    let (_, body) = app.get("/v1/goods/detail/1", None).await;
    let d = &body["data"];
    let colour_attr = d["sku_sale_attr_id"][0]
        .as_i64()
        .expect("answer shape")
        .to_string();
    let size_attr = d["sku_sale_attr_id"][1]
        .as_i64()
        .expect("answer shape")
        .to_string();
    let colours = d["sku_all_sale_attr_vals_id"][&colour_attr].clone();
    let sizes = d["sku_all_sale_attr_vals_id"][&size_attr].clone();
    // 深蓝 (second colour) 28寸 (third size) is SKU 6: colour-major order.
    let want = |c: usize, s: usize| 1 + 3 * c as i64 + s as i64;
    for c in 0..3 {
        for s in 0..3 {
            let mut body = serde_json::Map::new();
            body.insert("spuid".into(), json!(1));
            body.insert(colour_attr.clone(), colours[c].clone());
            body.insert(size_attr.clone(), sizes[s].clone());
            let (status, got) = app.post("/v1/goods/sku", Value::Object(body), None).await;
            assert_eq!(status, StatusCode::OK, "{got}");
            assert_eq!(got, json!({"code": 200, "data": want(c, s)}));
        }
    }
    // Values in any order, under either key, as numeric strings, spuid as a string.
    let (status, got) = app
        .post(
            "/v1/goods/sku",
            json!({"spuid": "1", &size_attr: colours[1].to_string(), &colour_attr: sizes[2]}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{got}");
    assert_eq!(got["data"], want(1, 2));
    // A value of another SPU, a missing value, an extra value, unknown SPU.
    let (_, other) = app.get("/v1/goods/detail/10", None).await;
    let foreign = other["data"]["sku_sale_attr_val_id"][0].clone();
    for (body, why) in [
        (
            json!({"spuid": 1, &colour_attr: colours[0], &size_attr: foreign}),
            "another SPU's value",
        ),
        (
            json!({"spuid": 1, &colour_attr: colours[0]}),
            "one value missing",
        ),
        (
            json!({"spuid": 1, &colour_attr: colours[0], &size_attr: sizes[0], "99999": 99999}),
            "an extra value",
        ),
        (
            json!({"spuid": 999, &colour_attr: colours[0], &size_attr: sizes[0]}),
            "unknown SPU",
        ),
        (json!({"spuid": 1}), "no values"),
    ] {
        let (status, got) = app.post("/v1/goods/sku", body, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{why}: {got}");
        assert_eq!(got["code"], 40050, "{why}");
    }
    for (body, why) in [
        (json!({&colour_attr: colours[0]}), "no spuid"),
        (
            json!({"spuid": "x", &colour_attr: colours[0]}),
            "spuid not a number",
        ),
        (json!({"spuid": 1, &colour_attr: "blue"}), "value not an id"),
        (
            json!({"spuid": 1, "colour": colours[0]}),
            "key not an attribute id",
        ),
        (json!({"spuid": 1, &colour_attr: [1, 2]}), "value an array"),
    ] {
        let (status, got) = app.post("/v1/goods/sku", body, None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{why}: {got}");
        assert_eq!(got["code"], 10123, "{why}");
    }
}

async fn unlaunched_skus_are_hidden_everywhere(b: Backend) {
    let app = shop(b).await;
    let token = app.register("browser1").await;
    let (status, _) = app
        .post(
            "/v1/users/browser1/history",
            json!({"sku_id": 2}),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, d1) = app.get("/v1/goods/detail/1", None).await;
    let values: Vec<Value> = d1["data"]["sku_sale_attr_val_id"]
        .as_array()
        .expect("answer shape")
        .clone();
    let attrs: Vec<String> = d1["data"]["sku_sale_attr_id"]
        .as_array()
        .expect("answer shape")
        .iter()
        .map(|v| v.to_string())
        .collect();
    // Warm every cache, then take SKUs 1 and 2 off sale.
    app.get("/v1/goods/index", None).await;
    app.get("/v1/goods/catalogs/1", None).await;
    app.search(&[("q", "轻盈拉杆箱")]).await;
    app.exec(
        "UPDATE skus SET is_launched = 0 WHERE id IN (?, ?)",
        &[1, 2],
    )
    .await;
    app.goods_changed().await;

    let (_, index) = app.get("/v1/goods/index", None).await;
    let shown: Vec<i64> = index["data"][0]["sku"]
        .as_array()
        .expect("answer shape")
        .iter()
        .map(|s| s["skuid"].as_i64().expect("answer shape"))
        .collect();
    // One card per SPU: SPU 1's first launched SKU is 3 now; SPUs 2 and 3 keep 10 and 14.
    assert_eq!(shown, vec![3, 10, 14], "index");
    let (_, list) = app.get("/v1/goods/catalogs/1", None).await;
    assert_eq!(list["paginator"]["total"], 17, "list");
    assert!(!ids(&list).contains(&1) && !ids(&list).contains(&2));
    for id in [1, 2] {
        let (status, body) = app.get(&format!("/v1/goods/detail/{id}"), None).await;
        assert_eq!(
            (status, body["code"].clone()),
            (StatusCode::NOT_FOUND, json!(40300))
        );
    }
    let (_, found) = app.search(&[("q", "轻盈拉杆箱")]).await;
    assert_eq!(found["paginator"]["total"], 7, "search: {found}");
    assert!(!ids(&found).contains(&1) && !ids(&found).contains(&2));
    let mut body = serde_json::Map::new();
    body.insert("spuid".into(), json!(1));
    body.insert(attrs[0].clone(), values[0].clone());
    body.insert(attrs[1].clone(), values[1].clone());
    let (status, got) = app.post("/v1/goods/sku", Value::Object(body), None).await;
    assert_eq!(
        (status, got["code"].clone()),
        (StatusCode::NOT_FOUND, json!(40050))
    );
    let (_, history) = app.get("/v1/users/browser1/history", Some(&token)).await;
    assert_eq!(ids(&history), Vec::<i64>::new(), "history");
    let (status, got) = app
        .post(
            "/v1/users/browser1/history",
            json!({"sku_id": 1}),
            Some(&token),
        )
        .await;
    assert_eq!(
        (status, got["code"].clone()),
        (StatusCode::NOT_FOUND, json!(40300))
    );
}

async fn search_finds_chinese_words_and_ranks_name_matches_first(b: Backend) {
    let app = shop(b).await;
    // A word inside a longer name: 托特 in 木棉 头层牛皮托特包.
    let (status, tote) = app.search(&[("q", "托特")]).await;
    assert_eq!(status, StatusCode::OK, "{tote}");
    let totes = ids(&tote);
    assert_eq!(tote["paginator"]["total"], 9, "{tote}");
    assert_eq!(tote["q"], "托特");
    for sku in tote["data"].as_array().expect("answer shape") {
        assert!(
            sku["name"]
                .as_str()
                .expect("answer shape")
                .contains("托特包"),
            "{sku}"
        );
    }
    // A caption that mentions 托特 ranks after every SKU whose name has it.
    app.exec(
        "UPDATE skus SET caption = '放进托特包正合适的小卡包' WHERE id = ?",
        &[50],
    )
    .await;
    app.goods_changed().await;
    let mut all = Vec::new();
    for page in ["1", "2"] {
        let (status, body) = app.search(&[("q", "托特"), ("page", page)]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["paginator"]["total"], 10, "{body}");
        all.extend(ids(&body));
    }
    assert_eq!(all.last(), Some(&50), "caption match last: {all:?}");
    assert_eq!(all.len(), 10);
    assert!(totes.iter().all(|id| all.contains(id)));

    // Several words: all must match (AND); brand and catalog names count.
    let (_, both) = app.search(&[("q", "远途 双肩包")]).await;
    assert!(!ids(&both).is_empty());
    for sku in both["data"].as_array().expect("answer shape") {
        let name = sku["name"].as_str().expect("answer shape");
        assert!(name.contains("远途") && name.contains("双肩包"), "{name}");
    }
    let (_, catalog) = app.search(&[("q", "钱包")]).await;
    assert!(
        catalog["paginator"]["total"]
            .as_u64()
            .expect("answer shape")
            >= 10,
        "{catalog}"
    );
    // Latin letters ignore case; nothing found says so with an empty page.
    let (_, none) = app.search(&[("q", "潜水艇")]).await;
    assert_eq!(none["paginator"]["total"], 0);
    assert_eq!(ids(&none), Vec::<i64>::new());
    // Markup and query syntax are just text, echoed as sent (the SPA shows it as text).
    let (status, odd) = app
        .search(&[("q", "<script>alert(1)</script> name:* AND (")])
        .await;
    assert_eq!(status, StatusCode::OK, "{odd}");
    assert_eq!(odd["q"], "<script>alert(1)</script> name:* AND (");
    // A JSON body works too.
    let (status, json_body) = app
        .post("/v1/goods/search", json!({"q": "托特"}), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json_body["paginator"]["total"], 10);
}

/// Names of the SKUs of a search answer.
fn names(body: &Value) -> Vec<String> {
    body["data"]
        .as_array()
        .unwrap_or_else(|| panic!("data: {body}"))
        .iter()
        .map(|s| s["name"].as_str().expect("name").to_owned())
        .collect()
}

async fn search_understands_the_words_shoppers_type(b: Backend) {
    let app = shop(b).await;
    // Synonyms (server/data/search_words.toml): the shopper's word finds the catalog's.
    for (typed, catalog_word) in [
        ("背包", "双肩包"),
        ("书包", "双肩包"),
        ("行李箱", "拉杆箱"),
        ("旅行箱", "拉杆箱"),
        ("登机箱", "拉杆箱"),
    ] {
        let (status, body) = app.search(&[("q", typed)]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let found = names(&body);
        assert!(!found.is_empty(), "{typed}: {body}");
        assert!(
            found.iter().all(|n| n.contains(catalog_word)),
            "{typed}: {found:?}"
        );
        assert_eq!(body.get("partial"), None, "{typed}: left out when false");
        assert_eq!(body["q"], typed);
    }
    // Stop words are dropped: 的 no longer has to match.
    let (_, black) = app.search(&[("q", "黑色的拉杆箱")]).await;
    let found = names(&black);
    assert!(!found.is_empty(), "{black}");
    assert!(
        found
            .iter()
            .all(|n| n.contains("黑色") && n.contains("拉杆箱")),
        "{found:?}"
    );
    assert_eq!(black.get("partial"), None);
    // A word that matches nothing: the SKUs matching the other words, said so.
    let (status, pink) = app.search(&[("q", "粉色拉杆箱")]).await;
    assert_eq!(status, StatusCode::OK, "{pink}");
    assert_eq!(pink["partial"], true, "{pink}");
    let found = names(&pink);
    assert!(!found.is_empty(), "{pink}");
    assert!(found.iter().all(|n| n.contains("拉杆箱")), "{found:?}");
    // Pinyin and pinyin initials.
    for (typed, meant) in [
        ("lagan", "拉杆"),
        ("laganxiang", "拉杆箱"),
        ("lgx", "拉杆箱"),
        ("shuangjianbao", "双肩包"),
        ("sjb", "双肩包"),
        ("LaGan", "拉杆"),
    ] {
        let (_, body) = app.search(&[("q", typed)]).await;
        let found = names(&body);
        assert!(!found.is_empty(), "{typed}: {body}");
        assert!(
            found.iter().all(|n| n.contains(meant)),
            "{typed}: {found:?}"
        );
    }
    // A near miss: a wrong character of the same sound, or a slip in the pinyin, gets a
    // "你是不是要找" that finds goods; a far miss gets none.
    for (typed, meant) in [("拉竿箱", "拉杆箱"), ("shuangjianbo", "双肩包")] {
        let (status, body) = app.search(&[("q", typed)]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["suggestion"], meant, "{typed}: {body}");
        let (_, suggested) = app.search(&[("q", meant)]).await;
        assert!(!names(&suggested).is_empty());
    }
    let (_, far) = app.search(&[("q", "潜水艇")]).await;
    assert_eq!(far.get("suggestion"), None, "{far}");
    assert_eq!(far.get("partial"), None);
    // Only stop words: nothing to look for, nothing found.
    let (status, none) = app.search(&[("q", "的了")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(none["paginator"]["total"], 0);
    // Found answers carry no suggestion.
    let (_, exact) = app.search(&[("q", "拉杆箱")]).await;
    assert_eq!(exact.get("suggestion"), None);
}

async fn a_price_change_shows_at_once_and_etags_round_trip(b: Backend) {
    let app = shop(b).await;
    for path in [
        "/v1/goods/index",
        "/v1/goods/detail/3",
        "/v1/goods/catalogs/1?page=1",
    ] {
        let res = app
            .client
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .expect("answer shape");
        assert_eq!(res.status(), StatusCode::OK);
        let etag = res.headers()["etag"]
            .to_str()
            .expect("answer shape")
            .to_owned();
        assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");
        assert_eq!(res.headers()["cache-control"], "public, no-cache");
        let again = app
            .client
            .get(format!("{}{path}", app.base))
            .header("If-None-Match", &etag)
            .send()
            .await
            .expect("answer shape");
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path}");
        assert_eq!(
            again.headers()["etag"].to_str().expect("answer shape"),
            etag
        );
        assert!(again.bytes().await.expect("answer shape").is_empty());
        let other = app
            .client
            .get(format!("{}{path}", app.base))
            .header("If-None-Match", "\"something-else\", W/\"nope\"")
            .send()
            .await
            .expect("answer shape");
        assert_eq!(other.status(), StatusCode::OK);
    }
    let res = app
        .client
        .get(format!("{}/v1/goods/detail/3", app.base))
        .send()
        .await
        .expect("answer shape");
    let etag = res.headers()["etag"]
        .to_str()
        .expect("answer shape")
        .to_owned();
    let (_, before) = app.get("/v1/goods/detail/3", None).await;
    assert_eq!(before["data"]["price"], "429.00");
    // SKU 3 is on the catalog's first page; SKU 10 is SPU 2's card on the home page.
    app.exec("UPDATE skus SET price = 12345 WHERE id IN (?, ?)", &[3, 10])
        .await;
    app.goods_changed().await;
    let (_, after) = app.get("/v1/goods/detail/3", None).await;
    assert_eq!(after["data"]["price"], "123.45");
    let (_, index) = app.get("/v1/goods/index", None).await;
    assert_eq!(index["data"][0]["sku"][1]["skuid"], 10);
    assert_eq!(index["data"][0]["sku"][1]["price"], "123.45");
    let (_, list) = app.get("/v1/goods/catalogs/1?page=1", None).await;
    assert_eq!(list["data"][2]["price"], "123.45");
    let res = app
        .client
        .get(format!("{}/v1/goods/detail/3", app.base))
        .header("If-None-Match", &etag)
        .send()
        .await
        .expect("answer shape");
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "the old ETag no longer matches"
    );
}

async fn the_browsing_history_keeps_the_last_five_views_newest_first(b: Backend) {
    let app = shop(b).await;
    let token = app.register("browser2").await;
    let other = app.register("browser3").await;
    let (status, empty) = app.get("/v1/users/browser2/history", Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ids(&empty), Vec::<i64>::new());
    for id in [1, 2, 3, 2, 4, 5, 6, 7] {
        let (status, body) = app
            .post(
                "/v1/users/browser2/history",
                json!({"sku_id": id}),
                Some(&token),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        tokio::time::sleep(std::time::Duration::from_millis(3)).await;
    }
    let (_, history) = app.get("/v1/users/browser2/history", Some(&token)).await;
    assert_eq!(ids(&history), vec![7, 6, 5, 4, 2]);
    assert_eq!(history["base_url"], "http://127.0.0.1:8000/media/");
    assert!(
        history["data"][0]["price"]
            .as_str()
            .expect("answer shape")
            .contains('.')
    );
    // Another shopper's history is theirs alone; no token, no history.
    let (status, _) = app.get("/v1/users/browser2/history", Some(&other)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.get("/v1/users/browser2/history", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, theirs) = app.get("/v1/users/browser3/history", Some(&other)).await;
    assert_eq!(ids(&theirs), Vec::<i64>::new());
    for (body, status, code) in [
        (json!({}), StatusCode::BAD_REQUEST, 10123),
        (json!({"sku_id": "x"}), StatusCode::BAD_REQUEST, 10123),
        (json!({"sku_id": -3}), StatusCode::BAD_REQUEST, 10123),
        (json!({"sku_id": 424242}), StatusCode::NOT_FOUND, 40300),
    ] {
        let (got, answer) = app
            .post("/v1/users/browser2/history", body, Some(&token))
            .await;
        assert_eq!(
            (got, answer["code"].clone()),
            (status, json!(code)),
            "{answer}"
        );
    }
    let (_, unchanged) = app.get("/v1/users/browser2/history", Some(&token)).await;
    assert_eq!(ids(&unchanged), vec![7, 6, 5, 4, 2]);
}

async fn every_process_sees_a_goods_change(b: Backend) {
    let app = shop(b).await;
    if !app.uses_redis() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI sets TEST_REDIS_URL"
        );
        eprintln!("skipped: several API processes need Redis (TEST_REDIS_URL is not set)");
        return;
    }
    let peer = app.peer().await;
    let (_, a) = peer.get("/v1/goods/detail/4", None).await;
    assert_eq!(a["data"]["price"], "299.00");
    let (_, s) = peer.search(&[("q", "潜水艇")]).await;
    assert_eq!(s["paginator"]["total"], 0);
    // The first process changes a price and a name; the peer sees both at once.
    app.exec(
        "UPDATE skus SET price = 100, name = '潜水艇 特别版' WHERE id = ?",
        &[4],
    )
    .await;
    app.goods_changed().await;
    let (_, b2) = peer.get("/v1/goods/detail/4", None).await;
    assert_eq!(b2["data"]["price"], "1.00");
    let (_, s2) = peer.search(&[("q", "潜水艇")]).await;
    assert_eq!(ids(&s2), vec![4], "{s2}");
}

/// While Redis refuses every command (its ACL user loses all permissions: the same errors as
/// a Redis that is down, without stopping the Redis other tests share), the home page, detail,
/// list and search keep answering from the database, a price change still shows within the
/// fallback period, and the fallback is counted in /metrics.
mod catalog_reads_survive_a_redis_outage {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(not(mariadb_tests), ignore = "TEST_MYSQL_URL is not set")]
    async fn mariadb() {
        if let Some(backend) = crate::common::Backend::mariadb() {
            super::catalog_reads_survive_a_redis_outage(backend).await
        }
    }
}

async fn catalog_reads_survive_a_redis_outage(b: Backend) {
    let Backend::Mariadb {
        redis_url: Some(admin_url),
        ..
    } = &b
    else {
        eprintln!("skipped: TEST_REDIS_URL is not set");
        return;
    };
    let admin = redis::Client::open(admin_url.as_str()).expect("redis url");
    let mut admin = admin
        .get_multiplexed_async_connection()
        .await
        .expect("redis");
    let user = format!("catalog{}", uuid::Uuid::new_v4().simple());
    let acl = |rules: &'static [&'static str]| {
        let mut cmd = redis::cmd("ACL");
        cmd.arg("SETUSER").arg(&user);
        for rule in rules {
            cmd.arg(*rule);
        }
        cmd
    };
    let _: () = acl(&["reset", "on", ">catalog-secret", "~*", "&*", "+@all"])
        .query_async(&mut admin)
        .await
        .expect("ACL SETUSER");
    let url = admin_url.replacen("redis://", &format!("redis://{user}:catalog-secret@"), 1);
    let app = TestApp::spawn_with(
        b.clone(),
        Options {
            seed_demo: true,
            redis_url: Some(url),
            ..Options::default()
        },
    )
    .await;
    let reads = [
        "/v1/goods/index",
        "/v1/goods/detail/1",
        "/v1/goods/catalogs/1?page=1",
    ];
    for path in reads {
        let (status, body) = app.get(path, None).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
    }
    let (_, before) = app.get("/v1/goods/detail/1", None).await;

    // Redis "goes down" for this shop.
    let _: () = acl(&["-@all"])
        .query_async(&mut admin)
        .await
        .expect("ACL SETUSER");
    let (status, _) = app.get("/readyz", None).await;
    assert_eq!(
        status,
        StatusCode::SERVICE_UNAVAILABLE,
        "readyz tells the truth"
    );
    for path in reads {
        let (status, body) = app.get(path, None).await;
        assert_eq!(status, StatusCode::OK, "{path} without Redis: {body}");
    }
    let (_, detail) = app.get("/v1/goods/detail/1", None).await;
    assert_eq!(detail["data"]["name"], before["data"]["name"]);
    let (status, found) = app.search(&[("q", "拉杆箱")]).await;
    assert_eq!(status, StatusCode::OK, "search without Redis: {found}");
    assert!(
        found["paginator"]["total"].as_u64().is_some_and(|n| n > 0),
        "{found}"
    );
    // A price changed meanwhile (its announcement cannot reach Redis) shows within the
    // fallback period.
    sqlx::query("UPDATE skus SET price = 12345 WHERE id = 1")
        .execute(&app.state.db)
        .await
        .expect("price");
    dadashop_server::db::goods::bump_version(&app.state.db)
        .await
        .expect("version");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(6);
    loop {
        let (status, detail) = app.get("/v1/goods/detail/1", None).await;
        assert_eq!(status, StatusCode::OK);
        if detail["data"]["price"] == "123.45" {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "still {detail}");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let metrics = app
        .client
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        metrics
            .lines()
            .any(|l| l.starts_with("goods_reads_without_generation_total") && !l.ends_with(" 0")),
        "{metrics}"
    );

    // Redis is back: reads carry on under the shared generation again.
    let _: () = acl(&["+@all"])
        .query_async(&mut admin)
        .await
        .expect("ACL SETUSER");
    for path in reads {
        let (status, body) = app.get(path, None).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "{path} after Redis returned: {body}"
        );
    }
    drop(app);
    let _: () = redis::cmd("ACL")
        .arg("DELUSER")
        .arg(&user)
        .query_async(&mut admin)
        .await
        .expect("ACL DELUSER");
}
