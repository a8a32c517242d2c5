//! The read replica (issue #11, item 3): catalog reads go to `DATABASE_REPLICA_URL` while
//! it answers, stay on the primary for a while after a goods change, and fall back to the
//! primary when the replica fails. MariaDB only (SQLite has no replicas).
//!
//! The "replica" here is a second database on the test server with the demo catalog and
//! one price that differs from the primary's, so an answer shows which one it came from.
//! It is not a binlog replica, so its delay cannot be measured and it counts as current
//! (crate::db::replica); the stack test (scripts/stack-test.sh) uses a real GTID replica.

use std::time::Duration;

use reqwest::StatusCode;

use crate::common::{Backend, Options, TestApp, admin_pool, create_database};

/// Price of SKU 1 on the replica only, in fen.
const REPLICA_PRICE_FEN: i64 = 12_345;

/// Makes a database named like the test's with the demo catalog, SKU 1 at
/// [`REPLICA_PRICE_FEN`]; returns its URL and name.
async fn replica_database(server_url: &str) -> (String, String) {
    let name = format!(
        "dadashop_r_{}",
        &uuid::Uuid::new_v4().simple().to_string()[..16]
    );
    create_database(server_url, &name).await;
    let url = format!("{server_url}/{name}");
    let db = dadashop_server::db::connect(&url).await.expect("connect");
    dadashop_server::db::migrate(&db, true)
        .await
        .expect("migrate");
    let media = tempfile::tempdir().expect("media dir");
    dadashop_server::seed::seed_demo(
        &db,
        &dadashop_server::media::MediaStore::local(media.path()).expect("media store"),
    )
    .await
    .expect("seed")
    .expect("seeded");
    sqlx::query("UPDATE skus SET price = ? WHERE id = 1")
        .bind(REPLICA_PRICE_FEN)
        .execute(&db)
        .await
        .expect("replica price");
    db.close().await;
    (url, name)
}

async fn drop_database(server_url: &str, name: &str) {
    let admin = admin_pool(server_url).await;
    sqlx::query(&format!("DROP DATABASE IF EXISTS `{name}`"))
        .execute(&admin)
        .await
        .expect("drop");
    admin.close().await;
}

async fn price(app: &TestApp, sku: i64) -> String {
    let (status, body) = app.get(&format!("/v1/goods/detail/{sku}"), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["data"]["price"].as_str().expect("price").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(mariadb_tests), ignore = "TEST_MYSQL_URL is not set")]
async fn catalog_reads_use_the_replica_wait_out_goods_changes_and_survive_its_loss() {
    let Some(backend) = Backend::mariadb() else {
        return;
    };
    let Backend::Mariadb { server_url, .. } = &backend else {
        return;
    };
    let server_url = server_url.clone();
    let (replica_url, replica_name) = replica_database(&server_url).await;
    let app = TestApp::spawn_with(
        backend,
        Options {
            seed_demo: true,
            database_replica_url: Some(replica_url),
            ..Options::default()
        },
    )
    .await;
    let primary_price: i64 = sqlx::query_scalar("SELECT price FROM skus WHERE id = 1")
        .fetch_one(&app.state.db)
        .await
        .expect("primary price");
    assert_ne!(primary_price, REPLICA_PRICE_FEN);

    // The seeding announced a goods change: for the lag bound (1 s) plus one check
    // interval (1 s) reads stay on the primary.
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    assert_eq!(
        price(&app, 1).await,
        "123.45",
        "a catalog read comes from the replica"
    );
    let (_, ready) = app.get("/readyz", None).await;
    assert_eq!(ready["replica"], "ok", "{ready}");

    // A price change on the primary: the next read is from the primary, not the
    // replica that may not have it yet (and would be cached under the new generation).
    app.exec("UPDATE skus SET price = price + 100 WHERE id = 1", &[])
        .await;
    app.goods_changed().await;
    let changed = dadashop_types::money::format_fen(primary_price + 100);
    assert_eq!(price(&app, 1).await, changed);

    // Once the bound has passed, the replica serves again: the first read of SKU 1's
    // catalog list (not cached yet) shows the replica's price.
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    let (_, detail) = app.get("/v1/goods/detail/1", None).await;
    let catalog = detail["data"]["catalog_id"].as_i64().expect("catalog id");
    let (status, list) = app
        .get(&format!("/v1/goods/catalogs/{catalog}"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let listed = list["data"]
        .as_array()
        .expect("list")
        .iter()
        .find(|s| s["skuid"] == 1)
        .map(|s| s["price"].as_str().unwrap_or_default().to_owned());
    assert_eq!(listed.as_deref(), Some("123.45"), "{list}");

    // The replica's database goes away: reads answer from the primary, no failure.
    drop_database(&server_url, &replica_name).await;
    for sku in [2, 3] {
        let (status, body) = app.get(&format!("/v1/goods/detail/{sku}"), None).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "detail {sku} after the replica went: {body}"
        );
    }
    let (status, body) = app.get("/v1/goods/catalogs/1?page=2", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app.search(&[("q", "手机")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        !app.state.replica.as_ref().expect("replica").is_usable(),
        "a failed read marks the replica unusable"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(mariadb_tests), ignore = "TEST_MYSQL_URL is not set")]
async fn a_replica_that_is_down_at_start_leaves_the_shop_on_the_primary() {
    let Some(backend) = Backend::mariadb() else {
        return;
    };
    let app = TestApp::spawn_with(
        backend,
        Options {
            seed_demo: true,
            // Nothing listens on port 1.
            database_replica_url: Some("mysql://dadashop:dadashop@127.0.0.1:1/shop".into()),
            ..Options::default()
        },
    )
    .await;
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    let (status, body) = app.get("/v1/goods/index", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app.get("/v1/goods/detail/1", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app.get("/readyz", None).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a lost replica does not make the API unready"
    );
    assert_eq!(body["replica"], "unusable", "{body}");
}
