//! The demo catalog: what `seed-demo` (and the development profile, on an empty database) puts
//! into the shop.
//!
//! Everything here is the shop's own: invented brands, Chinese names and captions (the data
//! file `server/data/demo_catalog.toml`, compiled in), and product pictures drawn as SVG from
//! simple shapes by [`pictures`] (no third-party images, no text, no external references). Ids are explicit (1, 2, 3, ...) because the catalog is seeded only into an empty
//! database and `last_insert_id` is not available through `sqlx::Any` on SQLite. Money is integer
//! fen, times are Unix seconds, booleans are 0/1.

use anyhow::{Context as _, anyhow};
use dadashop_types::money::parse_yuan;
use serde::Deserialize;
use sqlx::{Any, AnyPool, Transaction};

use pictures::{Kind, View};

pub mod pictures;

/// What `seed_demo` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedReport {
    /// Catalogs (categories) inserted.
    pub catalogs: usize,
    /// SPUs (products) inserted.
    pub spus: usize,
    /// SKUs (sellable variants, all launched) inserted.
    pub skus: usize,
    /// SKU images: rows in `sku_images`, each one an SVG file written to the media store.
    pub images: usize,
}

/// Fills an EMPTY database (no row in `catalogs`) with the demo catalog and writes the SKU images
/// to the media store (`MEDIA_DIR`, or the object storage of `MEDIA_STORE_URL`). Returns
/// Ok(None) and changes nothing when the catalog is not empty.
///
/// Images are written first (`sku/<sku_id>.svg`, the default image, then `sku/<sku_id>-2.svg`
/// and `-3.svg`, two more views); `skus.default_image_url` and `sku_images.image` hold these
/// media keys. All
/// rows are then inserted in one transaction, so a failure leaves no partial catalog (image files
/// may stay behind; a re-run overwrites them). Prices are fen, times Unix seconds.
pub async fn seed_demo(
    pool: &AnyPool,
    media: &crate::media::MediaStore,
) -> anyhow::Result<Option<SeedReport>> {
    if !catalog_is_empty(pool).await? {
        tracing::info!("demo catalog not seeded: the catalog already has data");
        return Ok(None);
    }

    let data = demo_catalog()?;
    let plan = plan(&data)?;

    for image in &plan.images {
        media
            .put(
                &image.path,
                bytes::Bytes::from(image.svg.clone().into_bytes()),
                crate::media::content_type_of(&image.path),
                crate::routes::MEDIA_CACHE_CONTROL,
            )
            .await
            .with_context(|| format!("writing the demo image {}", image.path))?;
    }

    let mut tx = pool
        .begin()
        .await
        .context("starting the seed transaction")?;
    let exists = sqlx::query("SELECT id FROM catalogs LIMIT 1")
        .fetch_optional(&mut *tx)
        .await
        .context("checking that the catalog is empty")?;
    if exists.is_some() {
        tx.rollback().await.context("rolling back the seed")?;
        tracing::info!("demo catalog not seeded: the catalog was filled meanwhile");
        return Ok(None);
    }

    let inserted = insert_plan(&mut tx, &plan, crate::db::now_secs()).await;
    let committed = match inserted {
        Ok(()) => tx.commit().await.context("committing the demo catalog"),
        Err(err) => {
            drop(tx);
            Err(err)
        }
    };
    if let Err(err) = committed {
        // Another process seeding the same empty database at the same moment wins on the
        // primary keys; that is not an error for this one.
        if !catalog_is_empty(pool).await.unwrap_or(true) {
            tracing::warn!(error = %err, "demo catalog seeded concurrently by another process");
            return Ok(None);
        }
        return Err(err);
    }

    let report = SeedReport {
        catalogs: plan.catalogs.len(),
        spus: plan.spus.len(),
        skus: plan.skus.len(),
        images: plan.images.len(),
    };
    tracing::info!(
        catalogs = report.catalogs,
        brands = plan.brands.len(),
        spus = report.spus,
        skus = report.skus,
        images = report.images,
        media = ?media,
        "seeded the demo catalog"
    );
    Ok(Some(report))
}

async fn catalog_is_empty(pool: &AnyPool) -> anyhow::Result<bool> {
    let row = sqlx::query("SELECT id FROM catalogs LIMIT 1")
        .fetch_optional(pool)
        .await
        .context("checking whether the catalog is empty")?;
    Ok(row.is_none())
}

// ---------------------------------------------------------------------------------------------
// The content: server/data/demo_catalog.toml
// ---------------------------------------------------------------------------------------------

/// The data file, compiled into the binary so that `seed-demo` needs no file beside it.
const DEMO_CATALOG: &str = include_str!("../../data/demo_catalog.toml");

/// The demo catalog as the data file describes it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoCatalog {
    brands: Vec<BrandDef>,
    catalogs: Vec<CatalogDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BrandDef {
    name: String,
    first_letter: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogDef {
    name: String,
    kind: Kind,
    spus: Vec<SpuDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SpuDef {
    name: String,
    /// A brand's name.
    brand: String,
    caption: String,
    /// Values of the sale attribute 颜色 (names known to [`pictures::colour_hex`]).
    colours: Vec<String>,
    /// Values of the sale attribute 尺寸, smallest first.
    sizes: Vec<String>,
    /// Selling prices in yuan (`"299.00"`), one per size.
    prices: Vec<String>,
    specs: Vec<SpecDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SpecDef {
    name: String,
    /// One value for every size, or one value per size.
    values: Vec<String>,
}

const COLOUR_ATTR: &str = "颜色";
const SIZE_ATTR: &str = "尺寸";

/// Parses the compiled-in data file.
pub fn demo_catalog() -> anyhow::Result<DemoCatalog> {
    toml::from_str(DEMO_CATALOG).context("server/data/demo_catalog.toml is not valid")
}

/// Market price (fen): 30 % above the price, rounded up to whole yuan.
fn market_price(price: i64) -> i64 {
    (price * 13 / 10 + 99) / 100 * 100
}

/// Cost price (fen): 55 % of the price, rounded down to whole yuan.
fn cost_price(price: i64) -> i64 {
    price * 55 / 100 / 100 * 100
}

/// Stock between 20 and 200, varied but deterministic.
fn stock_for(sku_id: i64) -> i64 {
    20 + (sku_id * 47 + 13) % 181
}

/// Sales between 0 and 499, varied but deterministic.
fn sales_for(sku_id: i64) -> i64 {
    (sku_id * 89 + 7) % 500
}

fn per_size(values: &[String], size: usize) -> Option<&str> {
    if values.len() == 1 {
        values.first().map(String::as_str)
    } else {
        values.get(size).map(String::as_str)
    }
}

// ---------------------------------------------------------------------------------------------
// ---------------------------------------------------------------------------------------------
// The plan: every row and file, with ids, computed before anything is written
// ---------------------------------------------------------------------------------------------

struct Plan<'a> {
    brands: Vec<(i64, &'a BrandDef)>,
    catalogs: Vec<(i64, &'a str)>,
    spus: Vec<SpuRow<'a>>,
    sale_attrs: Vec<(i64, i64, &'a str)>,
    sale_attr_values: Vec<(i64, i64, &'a str)>,
    specs: Vec<(i64, i64, &'a str)>,
    skus: Vec<SkuRow<'a>>,
    sku_attr_links: Vec<(i64, i64)>,
    spec_values: Vec<(i64, i64, i64, &'a str)>,
    images: Vec<ImageRow>,
}

struct SpuRow<'a> {
    id: i64,
    name: &'a str,
    sales: i64,
    brand_id: i64,
    catalog_id: i64,
}

struct SkuRow<'a> {
    id: i64,
    name: String,
    caption: &'a str,
    spu_id: i64,
    price: i64,
    cost_price: i64,
    market_price: i64,
    stock: i64,
    sales: i64,
    default_image_url: String,
}

struct ImageRow {
    id: i64,
    sku_id: i64,
    /// Relative to the media directory.
    path: String,
    svg: String,
}

fn id_of(index: usize) -> anyhow::Result<i64> {
    i64::try_from(index + 1).context("id out of range")
}

fn plan(data: &DemoCatalog) -> anyhow::Result<Plan<'_>> {
    let brands = data
        .brands
        .iter()
        .enumerate()
        .map(|(i, b)| Ok((id_of(i)?, b)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut p = Plan {
        brands,
        catalogs: Vec::new(),
        spus: Vec::new(),
        sale_attrs: Vec::new(),
        sale_attr_values: Vec::new(),
        specs: Vec::new(),
        skus: Vec::new(),
        sku_attr_links: Vec::new(),
        spec_values: Vec::new(),
        images: Vec::new(),
    };

    for catalog in &data.catalogs {
        let catalog_id = id_of(p.catalogs.len())?;
        p.catalogs.push((catalog_id, catalog.name.as_str()));

        for spu in &catalog.spus {
            let spu_id = id_of(p.spus.len())?;
            let brand = data
                .brands
                .iter()
                .position(|b| b.name == spu.brand)
                .ok_or_else(|| anyhow!("SPU {} names an unknown brand", spu.name))?;
            let brand_id = id_of(brand)?;
            if spu.prices.len() != spu.sizes.len() {
                return Err(anyhow!("SPU {} needs one price per size", spu.name));
            }
            let prices = spu
                .prices
                .iter()
                .map(|p| {
                    parse_yuan(p).ok_or_else(|| anyhow!("SPU {} has a bad price {p}", spu.name))
                })
                .collect::<anyhow::Result<Vec<i64>>>()?;

            let colour_attr = id_of(p.sale_attrs.len())?;
            p.sale_attrs.push((colour_attr, spu_id, COLOUR_ATTR));
            let size_attr = id_of(p.sale_attrs.len())?;
            p.sale_attrs.push((size_attr, spu_id, SIZE_ATTR));

            let mut colour_values = Vec::with_capacity(spu.colours.len());
            for colour in &spu.colours {
                let id = id_of(p.sale_attr_values.len())?;
                p.sale_attr_values.push((id, colour_attr, colour.as_str()));
                colour_values.push(id);
            }
            let mut size_values = Vec::with_capacity(spu.sizes.len());
            for size in &spu.sizes {
                let id = id_of(p.sale_attr_values.len())?;
                p.sale_attr_values.push((id, size_attr, size.as_str()));
                size_values.push(id);
            }

            let mut spec_ids = Vec::with_capacity(spu.specs.len());
            for spec in &spu.specs {
                let id = id_of(p.specs.len())?;
                p.specs.push((id, spu_id, spec.name.as_str()));
                spec_ids.push(id);
            }

            let mut spu_sales = 0;
            for (c, (colour, colour_value)) in spu.colours.iter().zip(&colour_values).enumerate() {
                let hex = pictures::colour_hex(colour)
                    .ok_or_else(|| anyhow!("no drawing colour for {colour}"))?;
                for (s, (size, size_value)) in spu.sizes.iter().zip(&size_values).enumerate() {
                    let sku_id = id_of(p.skus.len())?;
                    let price = *prices
                        .get(s)
                        .ok_or_else(|| anyhow!("SPU {} has no price for {size}", spu.name))?;
                    let scale = pictures::size_scale(s, spu.sizes.len());
                    let default_image_url = format!("sku/{sku_id}.svg");
                    for (n, view) in View::ALL.into_iter().enumerate() {
                        let path = if n == 0 {
                            default_image_url.clone()
                        } else {
                            format!("sku/{sku_id}-{}.svg", n + 1)
                        };
                        let id = id_of(p.images.len())?;
                        let svg = pictures::product_svg(catalog.kind, hex, scale, view, c);
                        p.images.push(ImageRow {
                            id,
                            sku_id,
                            path,
                            svg,
                        });
                    }
                    for (spec, spec_id) in spu.specs.iter().zip(&spec_ids) {
                        let value = per_size(&spec.values, s).ok_or_else(|| {
                            anyhow!(
                                "SPU {} spec {} has no value for {size}",
                                spu.name,
                                spec.name
                            )
                        })?;
                        let id = id_of(p.spec_values.len())?;
                        p.spec_values.push((id, sku_id, *spec_id, value));
                    }
                    p.sku_attr_links.push((sku_id, *colour_value));
                    p.sku_attr_links.push((sku_id, *size_value));

                    let sales = sales_for(sku_id);
                    spu_sales += sales;
                    p.skus.push(SkuRow {
                        id: sku_id,
                        name: format!("{} {colour} {size}", spu.name),
                        caption: spu.caption.as_str(),
                        spu_id,
                        price,
                        cost_price: cost_price(price),
                        market_price: market_price(price),
                        stock: stock_for(sku_id),
                        sales,
                        default_image_url,
                    });
                }
            }

            p.spus.push(SpuRow {
                id: spu_id,
                name: spu.name.as_str(),
                sales: spu_sales,
                brand_id,
                catalog_id,
            });
        }
    }
    Ok(p)
}

async fn insert_plan(tx: &mut Transaction<'_, Any>, p: &Plan<'_>, now: i64) -> anyhow::Result<()> {
    for (id, name) in &p.catalogs {
        sqlx::query("INSERT INTO catalogs (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)")
            .bind(*id)
            .bind(*name)
            .bind(now)
            .bind(now)
            .execute(&mut **tx)
            .await
            .context("inserting a catalog")?;
    }
    for (id, brand) in &p.brands {
        sqlx::query(
            "INSERT INTO brands (id, name, logo, first_letter, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(*id)
        .bind(brand.name.as_str())
        .bind("")
        .bind(brand.first_letter.as_str())
        .bind(now)
        .bind(now)
        .execute(&mut **tx)
        .await
        .context("inserting a brand")?;
    }
    for spu in &p.spus {
        sqlx::query(
            "INSERT INTO spus (id, name, sales, comments, brand_id, catalog_id, created_at, updated_at) \
             VALUES (?, ?, ?, 0, ?, ?, ?, ?)",
        )
        .bind(spu.id)
        .bind(spu.name)
        .bind(spu.sales)
        .bind(spu.brand_id)
        .bind(spu.catalog_id)
        .bind(now)
        .bind(now)
        .execute(&mut **tx)
        .await
        .context("inserting an SPU")?;
    }
    for (id, spu_id, name) in &p.sale_attrs {
        sqlx::query(
            "INSERT INTO spu_sale_attrs (id, spu_id, name, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(*id)
        .bind(*spu_id)
        .bind(*name)
        .bind(now)
        .bind(now)
        .execute(&mut **tx)
        .await
        .context("inserting a sale attribute")?;
    }
    for (id, attr_id, name) in &p.sale_attr_values {
        sqlx::query(
            "INSERT INTO sale_attr_values (id, spu_sale_attr_id, name, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(*id)
        .bind(*attr_id)
        .bind(*name)
        .bind(now)
        .bind(now)
        .execute(&mut **tx)
        .await
        .context("inserting a sale attribute value")?;
    }
    for (id, spu_id, name) in &p.specs {
        sqlx::query(
            "INSERT INTO spu_specs (id, spu_id, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(*id)
        .bind(*spu_id)
        .bind(*name)
        .bind(now)
        .bind(now)
        .execute(&mut **tx)
        .await
        .context("inserting an SPU spec")?;
    }
    for sku in &p.skus {
        sqlx::query(
            "INSERT INTO skus (id, name, caption, spu_id, price, cost_price, market_price, stock, \
             sales, comments, is_launched, default_image_url, version, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 1, ?, 0, ?, ?)",
        )
        .bind(sku.id)
        .bind(sku.name.as_str())
        .bind(sku.caption)
        .bind(sku.spu_id)
        .bind(sku.price)
        .bind(sku.cost_price)
        .bind(sku.market_price)
        .bind(sku.stock)
        .bind(sku.sales)
        .bind(sku.default_image_url.as_str())
        .bind(now)
        .bind(now)
        .execute(&mut **tx)
        .await
        .context("inserting a SKU")?;
    }
    for (sku_id, value_id) in &p.sku_attr_links {
        sqlx::query("INSERT INTO sku_sale_attr_values (sku_id, sale_attr_value_id) VALUES (?, ?)")
            .bind(*sku_id)
            .bind(*value_id)
            .execute(&mut **tx)
            .await
            .context("linking a SKU to a sale attribute value")?;
    }
    for (id, sku_id, spec_id, name) in &p.spec_values {
        sqlx::query(
            "INSERT INTO sku_spec_values (id, sku_id, spu_spec_id, name, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(*id)
        .bind(*sku_id)
        .bind(*spec_id)
        .bind(*name)
        .bind(now)
        .bind(now)
        .execute(&mut **tx)
        .await
        .context("inserting a SKU spec value")?;
    }
    for image in &p.images {
        sqlx::query(
            "INSERT INTO sku_images (id, sku_id, image, thumbnail, position, is_default, \
             created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(image.id)
        .bind(image.sku_id)
        .bind(image.path.as_str())
        .bind(image.path.as_str())
        .bind(image.id)
        .bind(i64::from(image.path == format!("sku/{}.svg", image.sku_id)))
        .bind(now)
        .bind(now)
        .execute(&mut **tx)
        .await
        .context("inserting a SKU image")?;
    }
    crate::db::goods::bump_version(&mut **tx)
        .await
        .context("bumping the goods version")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::collections::{BTreeMap, BTreeSet};
    use std::path::Path;

    use dadashop_types::money::format_fen;
    use sqlx::Row as _;
    use sqlx::any::AnyPoolOptions;

    use super::*;

    async fn fresh_pool(dir: &Path) -> AnyPool {
        sqlx::any::install_default_drivers();
        let path = dir.join("shop.db");
        let pool = AnyPoolOptions::new()
            .max_connections(1)
            .connect(&format!("sqlite://{}?mode=rwc", path.display()))
            .await
            .unwrap();
        sqlx::migrate!("../migrations/sqlite")
            .run(&pool)
            .await
            .unwrap();
        pool
    }

    async fn count(pool: &AnyPool, table: &str) -> i64 {
        sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}"))
            .fetch_one(pool)
            .await
            .unwrap()
            .get::<i64, _>("n")
    }

    const TABLES: &[&str] = &[
        "catalogs",
        "brands",
        "spus",
        "spu_sale_attrs",
        "sale_attr_values",
        "skus",
        "sku_sale_attr_values",
        "sku_images",
        "spu_specs",
        "sku_spec_values",
    ];

    async fn all_counts(pool: &AnyPool) -> Vec<i64> {
        let mut out = Vec::new();
        for t in TABLES {
            out.push(count(pool, t).await);
        }
        out
    }

    /// SKUs the data file plans per catalog.
    fn planned_skus_by_catalog(data: &DemoCatalog) -> BTreeMap<&str, usize> {
        data.catalogs
            .iter()
            .map(|c| {
                let n = c.spus.iter().map(|s| s.colours.len() * s.sizes.len()).sum();
                (c.name.as_str(), n)
            })
            .collect()
    }

    #[test]
    fn the_data_file_is_consistent_and_large_enough() {
        let data = demo_catalog().unwrap();
        let mut names = BTreeSet::new();
        assert!(data.catalogs.len() >= 4);
        let spus: usize = data.catalogs.iter().map(|c| c.spus.len()).sum();
        assert!(spus >= 12, "{spus} SPUs");
        let skus: usize = planned_skus_by_catalog(&data).values().sum();
        assert!(skus >= 40, "{skus} SKUs");
        // One catalog fills more than one page of a list (9 per page).
        assert!(planned_skus_by_catalog(&data).values().any(|n| *n > 9));
        for catalog in &data.catalogs {
            assert!(catalog.spus.len() >= 2, "{}", catalog.name);
            for spu in &catalog.spus {
                assert!(
                    data.brands.iter().any(|b| b.name == spu.brand),
                    "{}",
                    spu.name
                );
                assert!((2..=3).contains(&spu.colours.len()), "{}", spu.name);
                assert!((2..=3).contains(&spu.sizes.len()), "{}", spu.name);
                assert_eq!(spu.prices.len(), spu.sizes.len(), "{}", spu.name);
                let prices: Vec<i64> = spu.prices.iter().map(|p| parse_yuan(p).unwrap()).collect();
                assert!(prices.windows(2).all(|w| w[0] < w[1]), "{}", spu.name);
                for colour in &spu.colours {
                    assert!(pictures::colour_hex(colour).is_some(), "{colour}");
                }
                assert!(!spu.specs.is_empty(), "{}", spu.name);
                for spec in &spu.specs {
                    assert!(
                        spec.values.len() == 1 || spec.values.len() == spu.sizes.len(),
                        "{} {}",
                        spu.name,
                        spec.name
                    );
                }
                assert!(
                    names.insert(spu.name.as_str()),
                    "duplicate SPU {}",
                    spu.name
                );
            }
        }
        for (name, n) in planned_skus_by_catalog(&data) {
            assert!(n >= 4, "{name}");
        }
        for price in [5900, 12900, 29900, 69900] {
            assert!(market_price(price) > price && price > cost_price(price));
        }
    }

    #[tokio::test]
    async fn seeds_an_empty_database_once() {
        let dir = tempfile::tempdir().unwrap();
        let pool = fresh_pool(dir.path()).await;
        let media = dir.path().join("media");

        let data = demo_catalog().unwrap();
        let report = seed_demo(&pool, &crate::media::MediaStore::local(&media).unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(report.catalogs, data.catalogs.len());
        assert!(report.catalogs >= 4);
        assert!(report.spus >= 12);
        assert_eq!(
            report.skus,
            planned_skus_by_catalog(&data).values().sum::<usize>()
        );
        assert!(report.skus >= 40);
        assert_eq!(report.images, View::ALL.len() * report.skus);
        assert_eq!(count(&pool, "catalogs").await as usize, report.catalogs);
        assert_eq!(count(&pool, "spus").await as usize, report.spus);
        assert_eq!(count(&pool, "skus").await as usize, report.skus);
        assert_eq!(count(&pool, "sku_images").await as usize, report.images);
        assert_eq!(count(&pool, "brands").await as usize, data.brands.len());

        // Every catalog has at least 4 launched SKUs.
        let rows = sqlx::query(
            "SELECT c.id AS catalog_id, k.id AS sku_id, k.is_launched AS launched \
             FROM catalogs c JOIN spus s ON s.catalog_id = c.id JOIN skus k ON k.spu_id = s.id",
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        let mut launched: BTreeMap<i64, usize> = BTreeMap::new();
        for row in &rows {
            assert_eq!(row.get::<i64, _>("launched"), 1);
            *launched.entry(row.get("catalog_id")).or_default() += 1;
        }
        assert_eq!(launched.len(), report.catalogs);
        assert!(launched.values().all(|n| *n >= 4), "{launched:?}");

        // Every SKU: prices, stock, version, names, images.
        let skus = sqlx::query(
            "SELECT id, name, caption, spu_id, price, cost_price, market_price, stock, sales, \
             version, default_image_url FROM skus ORDER BY id",
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        let mut sku_spu: BTreeMap<i64, i64> = BTreeMap::new();
        for sku in &skus {
            let id: i64 = sku.get("id");
            sku_spu.insert(id, sku.get("spu_id"));
            let (price, cost, market): (i64, i64, i64) = (
                sku.get("price"),
                sku.get("cost_price"),
                sku.get("market_price"),
            );
            assert!(market > price && price > cost && cost > 0, "sku {id}");
            for amount in [price, cost, market] {
                let text = format_fen(amount);
                let (yuan, fen) = text.split_once('.').unwrap();
                assert!(!yuan.is_empty() && yuan.bytes().all(|b| b.is_ascii_digit()));
                assert!(fen.len() == 2 && fen.bytes().all(|b| b.is_ascii_digit()));
            }
            assert!((20..=200).contains(&sku.get::<i64, _>("stock")));
            assert!(sku.get::<i64, _>("sales") >= 0);
            assert_eq!(sku.get::<i64, _>("version"), 0);
            assert!(!sku.get::<String, _>("name").is_empty());
            assert!(!sku.get::<String, _>("caption").is_empty());
            let image: String = sku.get("default_image_url");
            assert_eq!(image, format!("sku/{id}.svg"));
        }
        assert_eq!(format_fen(29900), "299.00");

        // Every image row points at an SVG file; the default image is one of the SKU's images.
        let images = sqlx::query("SELECT sku_id, image FROM sku_images")
            .fetch_all(&pool)
            .await
            .unwrap();
        let mut images_of: BTreeMap<i64, BTreeSet<String>> = BTreeMap::new();
        for row in &images {
            let path: String = row.get("image");
            let text = std::fs::read_to_string(media.join(&path)).unwrap();
            assert!(text.starts_with("<svg"), "{path}");
            images_of.entry(row.get("sku_id")).or_default().insert(path);
        }
        for id in sku_spu.keys() {
            assert!(images_of[id].contains(&format!("sku/{id}.svg")));
        }

        // Every SKU has exactly one value per sale attribute of its SPU, and the combination is
        // unique within the SPU.
        let attrs = sqlx::query("SELECT id, spu_id FROM spu_sale_attrs")
            .fetch_all(&pool)
            .await
            .unwrap();
        let mut attrs_of_spu: BTreeMap<i64, BTreeSet<i64>> = BTreeMap::new();
        for row in &attrs {
            attrs_of_spu
                .entry(row.get("spu_id"))
                .or_default()
                .insert(row.get("id"));
        }
        let links = sqlx::query(
            "SELECT l.sku_id AS sku_id, v.id AS value_id, v.spu_sale_attr_id AS attr_id \
             FROM sku_sale_attr_values l JOIN sale_attr_values v ON v.id = l.sale_attr_value_id",
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        let mut values_of_sku: BTreeMap<i64, Vec<(i64, i64)>> = BTreeMap::new();
        for row in &links {
            values_of_sku
                .entry(row.get("sku_id"))
                .or_default()
                .push((row.get("attr_id"), row.get("value_id")));
        }
        let mut combos: BTreeSet<(i64, Vec<i64>)> = BTreeSet::new();
        for (sku, spu) in &sku_spu {
            let values = &values_of_sku[sku];
            let attrs: Vec<i64> = values.iter().map(|(a, _)| *a).collect();
            let attr_set: BTreeSet<i64> = attrs.iter().copied().collect();
            assert_eq!(
                attrs.len(),
                attr_set.len(),
                "sku {sku} repeats an attribute"
            );
            assert_eq!(&attr_set, &attrs_of_spu[spu], "sku {sku}");
            assert_eq!(attr_set.len(), 2);
            let mut combo: Vec<i64> = values.iter().map(|(_, v)| *v).collect();
            combo.sort_unstable();
            assert!(
                combos.insert((*spu, combo)),
                "sku {sku} duplicates a combination"
            );
        }

        // Every SKU has one value per spec of its SPU.
        let specs = sqlx::query("SELECT id, spu_id FROM spu_specs")
            .fetch_all(&pool)
            .await
            .unwrap();
        let mut specs_of_spu: BTreeMap<i64, BTreeSet<i64>> = BTreeMap::new();
        for row in &specs {
            specs_of_spu
                .entry(row.get("spu_id"))
                .or_default()
                .insert(row.get("id"));
        }
        let spec_values = sqlx::query("SELECT sku_id, spu_spec_id FROM sku_spec_values")
            .fetch_all(&pool)
            .await
            .unwrap();
        let mut specs_of_sku: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
        for row in &spec_values {
            specs_of_sku
                .entry(row.get("sku_id"))
                .or_default()
                .push(row.get("spu_spec_id"));
        }
        for (sku, spu) in &sku_spu {
            let mut got = specs_of_sku[sku].clone();
            got.sort_unstable();
            let want: Vec<i64> = specs_of_spu[spu].iter().copied().collect();
            assert_eq!(got, want, "sku {sku}");
        }

        // SPU sales are the sum of their SKUs' sales.
        let spus = sqlx::query("SELECT id, sales FROM spus")
            .fetch_all(&pool)
            .await
            .unwrap();
        for spu in &spus {
            let id: i64 = spu.get("id");
            let sum: i64 = skus
                .iter()
                .filter(|k| k.get::<i64, _>("spu_id") == id)
                .map(|k| k.get::<i64, _>("sales"))
                .sum();
            assert_eq!(spu.get::<i64, _>("sales"), sum);
        }

        // A second call changes nothing, not even files.
        let before = all_counts(&pool).await;
        let other_media = dir.path().join("media-2");
        let other_store = crate::media::MediaStore::local(&other_media).unwrap();
        assert_eq!(seed_demo(&pool, &other_store).await.unwrap(), None);
        assert_eq!(all_counts(&pool).await, before);
        assert_eq!(std::fs::read_dir(&other_media).unwrap().count(), 0);
    }

    #[tokio::test]
    async fn leaves_an_operators_catalog_alone() {
        let dir = tempfile::tempdir().unwrap();
        let pool = fresh_pool(dir.path()).await;
        sqlx::query("INSERT INTO catalogs (id, name, created_at, updated_at) VALUES (7, ?, 0, 0)")
            .bind("旅行配件")
            .execute(&pool)
            .await
            .unwrap();
        let media = dir.path().join("media");
        let store = crate::media::MediaStore::local(&media).unwrap();
        assert_eq!(seed_demo(&pool, &store).await.unwrap(), None);
        assert_eq!(count(&pool, "catalogs").await, 1);
        assert_eq!(count(&pool, "skus").await, 0);
        assert_eq!(std::fs::read_dir(&media).unwrap().count(), 0);
    }
}
