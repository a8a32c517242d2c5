//! Reads of the goods model (catalog, SPU, SKU, sale attributes, specs, images), the goods
//! version and the browsing history.

use sqlx::{AnyPool, FromRow};

/// How many cards (SPUs, one launched SKU each) each catalog shows on the home page
/// (docs/api.md, `GET /v1/goods/index`).
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

/// Every catalog shoppers may see (not hidden), in the operator's order (`sort_order`, then id).
pub async fn catalogs(pool: &AnyPool) -> Result<Vec<CatalogRow>, sqlx::Error> {
    sqlx::query_as::<_, CatalogRow>(
        "SELECT id, name FROM catalogs WHERE is_hidden = 0 ORDER BY sort_order, id",
    )
    .fetch_all(pool)
    .await
}

/// The home page's cards: for every catalog, its first [`INDEX_SKUS_PER_CATALOG`] SPUs with a
/// launched SKU (lowest ids first), one SKU each, so that a block shows different products
/// rather than three sizes of one. Each SPU's card is its first launched SKU in stock (lowest
/// id), or its first launched SKU when all are sold out. One query: `ROW_NUMBER()` runs on
/// SQLite ≥ 3.25, MySQL 8 and MariaDB ≥ 10.2.
pub async fn index_skus(pool: &AnyPool) -> Result<Vec<IndexSkuRow>, sqlx::Error> {
    sqlx::query_as::<_, IndexSkuRow>(
        "SELECT catalog_id, id, name, caption, price, default_image_url FROM ( \
           SELECT catalog_id, spu_id, id, name, caption, price, default_image_url, \
                  ROW_NUMBER() OVER (PARTITION BY catalog_id ORDER BY spu_id) AS rn \
           FROM ( \
             SELECT p.catalog_id AS catalog_id, k.spu_id AS spu_id, k.id AS id, k.name AS name, \
                    k.caption AS caption, k.price AS price, \
                    k.default_image_url AS default_image_url, \
                    ROW_NUMBER() OVER (PARTITION BY k.spu_id \
                      ORDER BY CASE WHEN k.stock > 0 THEN 0 ELSE 1 END, k.id) AS spu_rn \
             FROM skus k JOIN spus p ON p.id = k.spu_id WHERE k.is_launched = 1 \
           ) per_spu WHERE spu_rn = 1 \
         ) ranked WHERE rn <= ? ORDER BY catalog_id, spu_id",
    )
    .bind(INDEX_SKUS_PER_CATALOG)
    .fetch_all(pool)
    .await
}

/// The catalog `id`, if it exists and shoppers may see it (not hidden in the console).
pub async fn catalog(pool: &AnyPool, id: i64) -> Result<Option<CatalogRow>, sqlx::Error> {
    sqlx::query_as::<_, CatalogRow>("SELECT id, name FROM catalogs WHERE id = ? AND is_hidden = 0")
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// Order of a catalog list (`sort` query parameter of `GET /v1/goods/catalogs/<id>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ListOrder {
    /// Lowest SKU id first (the operator's order of entry).
    #[default]
    Default,
    /// Cheapest first.
    PriceUp,
    /// Dearest first.
    PriceDown,
    /// Best selling first.
    Sales,
    /// Newest first.
    Newest,
}

impl ListOrder {
    /// Parses the query value: `default`, `price`, `-price`, `sales`, `new`.
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "" | "default" => Self::Default,
            "price" => Self::PriceUp,
            "-price" => Self::PriceDown,
            "sales" => Self::Sales,
            "new" => Self::Newest,
            _ => return None,
        })
    }

    /// The `ORDER BY` clause; ties broken by id so pages never overlap.
    fn sql(self) -> &'static str {
        match self {
            Self::Default => "k.id",
            Self::PriceUp => "k.price, k.id",
            Self::PriceDown => "k.price DESC, k.id",
            Self::Sales => "k.sales DESC, k.id",
            Self::Newest => "k.created_at DESC, k.id DESC",
        }
    }
}

/// A SKU as lists show it.
#[derive(Debug, Clone, FromRow)]
pub struct ListSkuRow {
    pub id: i64,
    pub name: String,
    /// Fen.
    pub price: i64,
    pub default_image_url: String,
}

/// Which SKUs of a catalog list: its launched SKUs priced within `min_price ..= max_price`
/// (fen, each bound optional), in `order`.
#[derive(Debug, Clone, Copy)]
pub struct ListQuery {
    pub catalog_id: i64,
    pub order: ListOrder,
    pub min_price: Option<i64>,
    pub max_price: Option<i64>,
}

const LIST_FROM: &str = "FROM skus k JOIN spus p ON p.id = k.spu_id \
     WHERE p.catalog_id = ? AND k.is_launched = 1 AND k.price >= ? AND k.price <= ?";

/// How many SKUs `q` matches.
pub async fn count_list(pool: &AnyPool, q: &ListQuery) -> Result<i64, sqlx::Error> {
    let sql = format!("SELECT COUNT(*) {LIST_FROM}");
    let (count,): (i64,) = sqlx::query_as(&sql)
        .bind(q.catalog_id)
        .bind(q.min_price.unwrap_or(0))
        .bind(q.max_price.unwrap_or(i64::MAX))
        .fetch_one(pool)
        .await?;
    Ok(count)
}

/// `limit` SKUs of `q` after skipping `offset`.
pub async fn list(
    pool: &AnyPool,
    q: &ListQuery,
    limit: i64,
    offset: i64,
) -> Result<Vec<ListSkuRow>, sqlx::Error> {
    let sql = format!(
        "SELECT k.id AS id, k.name AS name, k.price AS price, \
         k.default_image_url AS default_image_url {LIST_FROM} ORDER BY {} LIMIT ? OFFSET ?",
        q.order.sql()
    );
    sqlx::query_as::<_, ListSkuRow>(&sql)
        .bind(q.catalog_id)
        .bind(q.min_price.unwrap_or(0))
        .bind(q.max_price.unwrap_or(i64::MAX))
        .bind(limit)
        .bind(offset)
        .fetch_all(pool)
        .await
}

/// The launched SKUs among `ids`, in no particular order.
pub async fn launched_by_ids(pool: &AnyPool, ids: &[i64]) -> Result<Vec<ListSkuRow>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks = vec!["?"; ids.len()].join(", ");
    let sql = format!(
        "SELECT id, name, price, default_image_url FROM skus \
         WHERE is_launched = 1 AND id IN ({marks})"
    );
    let mut query = sqlx::query_as::<_, ListSkuRow>(&sql);
    for id in ids {
        query = query.bind(*id);
    }
    query.fetch_all(pool).await
}

/// A launched SKU with its SPU, brand and catalog, as the detail page shows it.
#[derive(Debug, Clone, FromRow)]
pub struct SkuDetailRow {
    pub id: i64,
    pub name: String,
    pub caption: String,
    pub spu_id: i64,
    /// Fen.
    pub price: i64,
    /// Fen.
    pub market_price: i64,
    pub stock: i64,
    pub sales: i64,
    pub default_image_url: String,
    pub catalog_id: i64,
    pub catalog_name: String,
    /// Empty when the brand is hidden from shoppers.
    pub brand_name: String,
    /// The SPU's description (plain text).
    pub description: String,
}

/// The launched SKU `id`, or `None` when it does not exist or is not launched.
pub async fn launched_sku(pool: &AnyPool, id: i64) -> Result<Option<SkuDetailRow>, sqlx::Error> {
    sqlx::query_as::<_, SkuDetailRow>(
        "SELECT k.id AS id, k.name AS name, k.caption AS caption, k.spu_id AS spu_id, \
         k.price AS price, k.market_price AS market_price, k.stock AS stock, k.sales AS sales, \
         k.default_image_url AS default_image_url, c.id AS catalog_id, c.name AS catalog_name, \
         CASE WHEN b.is_hidden = 1 THEN '' ELSE b.name END AS brand_name, \
         p.description AS description \
         FROM skus k JOIN spus p ON p.id = k.spu_id JOIN catalogs c ON c.id = p.catalog_id \
         JOIN brands b ON b.id = p.brand_id WHERE k.id = ? AND k.is_launched = 1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// A value of a sale attribute of an SPU.
#[derive(Debug, Clone, FromRow)]
pub struct SaleValueRow {
    pub attr_id: i64,
    pub attr_name: String,
    pub value_id: i64,
    pub value_name: String,
}

/// Every sale attribute value of SPU `spu_id`, by attribute id then value id.
pub async fn spu_sale_values(
    pool: &AnyPool,
    spu_id: i64,
) -> Result<Vec<SaleValueRow>, sqlx::Error> {
    sqlx::query_as::<_, SaleValueRow>(
        "SELECT a.id AS attr_id, a.name AS attr_name, v.id AS value_id, v.name AS value_name \
         FROM spu_sale_attrs a JOIN sale_attr_values v ON v.spu_sale_attr_id = a.id \
         WHERE a.spu_id = ? ORDER BY a.id, v.id",
    )
    .bind(spu_id)
    .fetch_all(pool)
    .await
}

/// The sale attribute value ids of SKU `sku_id`.
pub async fn sku_value_ids(pool: &AnyPool, sku_id: i64) -> Result<Vec<i64>, sqlx::Error> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT sale_attr_value_id FROM sku_sale_attr_values WHERE sku_id = ? \
         ORDER BY sale_attr_value_id",
    )
    .bind(sku_id)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|(v,)| v).collect())
}

/// The pictures of SKU `sku_id` in the order the console gave them: `(full picture, smaller
/// copy, is the default)`, media keys (the demo catalog's have the same key twice).
pub async fn sku_images(
    pool: &AnyPool,
    sku_id: i64,
) -> Result<Vec<(String, String, bool)>, sqlx::Error> {
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT image, thumbnail, is_default FROM sku_images WHERE sku_id = ? \
         ORDER BY position, id",
    )
    .bind(sku_id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(image, thumbnail, is_default)| (image, thumbnail, is_default == 1))
        .collect())
}

/// The specs of SKU `sku_id` as (spec name, value), in the SPU's spec order.
pub async fn sku_specs(pool: &AnyPool, sku_id: i64) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT s.name, v.name FROM sku_spec_values v JOIN spu_specs s ON s.id = v.spu_spec_id \
         WHERE v.sku_id = ? ORDER BY s.id",
    )
    .bind(sku_id)
    .fetch_all(pool)
    .await
}

/// (SKU id, sale attribute value id) of every launched SKU of SPU `spu_id`.
pub async fn launched_sku_values(
    pool: &AnyPool,
    spu_id: i64,
) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT k.id, l.sale_attr_value_id FROM skus k \
         JOIN sku_sale_attr_values l ON l.sku_id = k.id \
         WHERE k.spu_id = ? AND k.is_launched = 1 ORDER BY k.id",
    )
    .bind(spu_id)
    .fetch_all(pool)
    .await
}

/// A launched SKU with the texts search looks at.
#[derive(Debug, Clone, FromRow)]
pub struct SearchDocRow {
    pub id: i64,
    pub name: String,
    pub caption: String,
    pub spu_name: String,
    /// Empty when the brand is hidden from shoppers.
    pub brand_name: String,
    pub catalog_name: String,
}

/// Every launched SKU with its searchable texts.
pub async fn search_docs(pool: &AnyPool) -> Result<Vec<SearchDocRow>, sqlx::Error> {
    sqlx::query_as::<_, SearchDocRow>(
        "SELECT k.id AS id, k.name AS name, k.caption AS caption, p.name AS spu_name, \
         CASE WHEN b.is_hidden = 1 THEN '' ELSE b.name END AS brand_name, \
         c.name AS catalog_name \
         FROM skus k JOIN spus p ON p.id = k.spu_id JOIN catalogs c ON c.id = p.catalog_id \
         JOIN brands b ON b.id = p.brand_id WHERE k.is_launched = 1 ORDER BY k.id",
    )
    .fetch_all(pool)
    .await
}

/// Every launched SKU id with its catalog (for the sitemap).
pub async fn launched_ids(pool: &AnyPool) -> Result<Vec<i64>, sqlx::Error> {
    let rows: Vec<(i64,)> = sqlx::query_as("SELECT id FROM skus WHERE is_launched = 1 ORDER BY id")
        .fetch_all(pool)
        .await?;
    Ok(rows.into_iter().map(|(v,)| v).collect())
}

/// The goods version: a counter in `goods_state`, bumped with every goods change.
pub async fn version(pool: &AnyPool) -> Result<i64, sqlx::Error> {
    let (v,): (i64,) = sqlx::query_as("SELECT version FROM goods_state WHERE id = 1")
        .fetch_one(pool)
        .await?;
    Ok(v)
}

/// Bumps the goods version. Call it in the transaction that changes goods data, so that the
/// change and the bump commit together.
pub async fn bump_version<'e, E>(executor: E) -> Result<(), sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query("UPDATE goods_state SET version = version + 1 WHERE id = 1")
        .execute(executor)
        .await?;
    Ok(())
}

/// Records that user `user_id` viewed SKU `sku_id` at `now_ms` (Unix milliseconds), keeping
/// only the user's [`dadashop_types::goods::HISTORY_LEN`] latest views. One row per SKU: a
/// repeated view moves it to the front.
pub async fn record_view(
    pool: &AnyPool,
    user_id: i64,
    sku_id: i64,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("DELETE FROM browse_history WHERE user_id = ? AND sku_id = ?")
        .bind(user_id)
        .bind(sku_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO browse_history (user_id, sku_id, viewed_at) VALUES (?, ?, ?)")
        .bind(user_id)
        .bind(sku_id)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
    let kept: Vec<(i64,)> = sqlx::query_as(
        "SELECT sku_id FROM browse_history WHERE user_id = ? ORDER BY viewed_at DESC, sku_id DESC",
    )
    .bind(user_id)
    .fetch_all(&mut *tx)
    .await?;
    for (old,) in kept.iter().skip(dadashop_types::goods::HISTORY_LEN) {
        sqlx::query("DELETE FROM browse_history WHERE user_id = ? AND sku_id = ?")
            .bind(user_id)
            .bind(*old)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await
}

/// The launched SKUs user `user_id` viewed last, newest first (at most
/// [`dadashop_types::goods::HISTORY_LEN`]).
pub async fn history(pool: &AnyPool, user_id: i64) -> Result<Vec<ListSkuRow>, sqlx::Error> {
    sqlx::query_as::<_, ListSkuRow>(
        "SELECT k.id AS id, k.name AS name, k.price AS price, \
         k.default_image_url AS default_image_url \
         FROM browse_history h JOIN skus k ON k.id = h.sku_id \
         WHERE h.user_id = ? AND k.is_launched = 1 ORDER BY h.viewed_at DESC, h.sku_id DESC LIMIT ?",
    )
    .bind(user_id)
    .bind(dadashop_types::goods::HISTORY_LEN as i64)
    .fetch_all(pool)
    .await
}
