//! Reads of the goods model (catalog, SPU, SKU) for the home page.

use sqlx::{AnyPool, FromRow};

/// How many launched SKUs each catalog shows on the home page (docs/api.md, `GET /v1/goods/index`).
pub const INDEX_SKUS_PER_CATALOG: i64 = 3;

/// A catalog row.
#[derive(Debug, Clone, FromRow)]
pub struct CatalogRow {
    pub id: i64,
    pub name: String,
}

/// A SKU as the home page shows it.
#[derive(Debug, Clone, FromRow)]
pub struct IndexSkuRow {
    pub catalog_id: i64,
    pub id: i64,
    pub name: String,
    pub caption: String,
    /// Fen.
    pub price: i64,
    /// Path relative to the media directory.
    pub default_image_url: String,
}

/// Every catalog, by id.
pub async fn catalogs(pool: &AnyPool) -> Result<Vec<CatalogRow>, sqlx::Error> {
    sqlx::query_as::<_, CatalogRow>("SELECT id, name FROM catalogs ORDER BY id")
        .fetch_all(pool)
        .await
}

/// The first [`INDEX_SKUS_PER_CATALOG`] launched SKUs of every catalog (lowest ids first),
/// in one query: `ROW_NUMBER()` runs on SQLite ≥ 3.25, MySQL 8 and MariaDB ≥ 10.2.
pub async fn index_skus(pool: &AnyPool) -> Result<Vec<IndexSkuRow>, sqlx::Error> {
    sqlx::query_as::<_, IndexSkuRow>(
        "SELECT catalog_id, id, name, caption, price, default_image_url FROM ( \
           SELECT p.catalog_id AS catalog_id, k.id AS id, k.name AS name, k.caption AS caption, \
                  k.price AS price, k.default_image_url AS default_image_url, \
                  ROW_NUMBER() OVER (PARTITION BY p.catalog_id ORDER BY k.id) AS rn \
           FROM skus k JOIN spus p ON p.id = k.spu_id WHERE k.is_launched = 1 \
         ) ranked WHERE rn <= ? ORDER BY catalog_id, id",
    )
    .bind(INDEX_SKUS_PER_CATALOG)
    .fetch_all(pool)
    .await
}
