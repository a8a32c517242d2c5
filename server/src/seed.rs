//! The demo catalog: what `seed-demo` (and the development profile, on an empty database) puts
//! into the shop.
//!
//! Everything here is the shop's own: invented brands, Chinese names and captions, and product
//! pictures drawn as SVG from simple shapes (no third-party images, no text, no external
//! references). Ids are explicit (1, 2, 3, ...) because the catalog is seeded only into an empty
//! database and `last_insert_id` is not available through `sqlx::Any` on SQLite. Money is integer
//! fen, times are Unix seconds, booleans are 0/1.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context as _, anyhow};
use sqlx::{Any, AnyPool, Transaction};

/// What `seed_demo` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedReport {
    /// Catalogs (categories) inserted.
    pub catalogs: usize,
    /// SPUs (products) inserted.
    pub spus: usize,
    /// SKUs (sellable variants, all launched) inserted.
    pub skus: usize,
    /// SKU images: rows in `sku_images`, each one an SVG file written under the media directory.
    pub images: usize,
}

/// Fills an EMPTY database (no row in `catalogs`) with the demo catalog and writes the SKU images under
/// `media_dir`. Returns Ok(None) and changes nothing when the catalog is not empty.
///
/// Images are written first (`<media_dir>/sku/<sku_id>.svg`, the default image, and
/// `<media_dir>/sku/<sku_id>-2.svg`, a second view); `skus.default_image_url` and
/// `sku_images.image` hold the paths relative to the media directory (`sku/<sku_id>.svg`). All
/// rows are then inserted in one transaction, so a failure leaves no partial catalog (image files
/// may stay behind; a re-run overwrites them). Prices are fen, times Unix seconds.
pub async fn seed_demo(pool: &AnyPool, media_dir: &Path) -> anyhow::Result<Option<SeedReport>> {
    if !catalog_is_empty(pool).await? {
        tracing::info!("demo catalog not seeded: the catalog already has data");
        return Ok(None);
    }

    let plan = plan()?;

    let sku_dir = media_dir.join("sku");
    tokio::fs::create_dir_all(&sku_dir)
        .await
        .with_context(|| format!("creating the image directory {}", sku_dir.display()))?;
    for image in &plan.images {
        let path = media_dir.join(&image.path);
        tokio::fs::write(&path, image.svg.as_bytes())
            .await
            .with_context(|| format!("writing the demo image {}", path.display()))?;
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
        media_dir = %media_dir.display(),
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
// The content
// ---------------------------------------------------------------------------------------------

/// How a catalog's products are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Suitcase,
    Backpack,
    Handbag,
    Wallet,
}

struct BrandDef {
    name: &'static str,
    first_letter: &'static str,
}

struct CatalogDef {
    name: &'static str,
    kind: Kind,
    spus: &'static [SpuDef],
}

struct SpuDef {
    name: &'static str,
    /// Index into `BRANDS`.
    brand: usize,
    caption: &'static str,
    /// Values of the sale attribute 颜色 (keys of `colour_hex`).
    colours: &'static [&'static str],
    /// Values of the sale attribute 尺寸, smallest first.
    sizes: &'static [&'static str],
    /// Selling price in fen, one per size.
    prices: &'static [i64],
    specs: &'static [SpecDef],
}

struct SpecDef {
    name: &'static str,
    /// One value for every size, or one value per size.
    values: &'static [&'static str],
}

const COLOUR_ATTR: &str = "颜色";
const SIZE_ATTR: &str = "尺寸";

const BRANDS: &[BrandDef] = &[
    BrandDef {
        name: "达达旅行",
        first_letter: "D",
    },
    BrandDef {
        name: "远途",
        first_letter: "Y",
    },
    BrandDef {
        name: "青柚",
        first_letter: "Q",
    },
    BrandDef {
        name: "木棉",
        first_letter: "M",
    },
    BrandDef {
        name: "北岸",
        first_letter: "B",
    },
];

const CATALOGS: &[CatalogDef] = &[
    CatalogDef {
        name: "拉杆箱",
        kind: Kind::Suitcase,
        spus: &[
            SpuDef {
                name: "达达旅行 轻盈拉杆箱",
                brand: 0,
                caption: "PC 箱体轻至 2.9kg，万向静音轮，出行毫不费力",
                colours: &["黑色", "深蓝", "酒红"],
                sizes: &["20寸", "24寸", "28寸"],
                prices: &[29900, 35900, 42900],
                specs: &[
                    SpecDef {
                        name: "材质",
                        values: &["PC 聚碳酸酯"],
                    },
                    SpecDef {
                        name: "重量",
                        values: &["2.9kg", "3.6kg", "4.3kg"],
                    },
                    SpecDef {
                        name: "容量",
                        values: &["35L", "62L", "95L"],
                    },
                    SpecDef {
                        name: "锁具",
                        values: &["TSA 海关密码锁"],
                    },
                ],
            },
            SpuDef {
                name: "远途 铝框商务拉杆箱",
                brand: 1,
                caption: "铝合金框架加固，耐压抗摔，商务出差好搭档",
                colours: &["灰色", "黑色"],
                sizes: &["20寸", "24寸"],
                prices: &[59900, 69900],
                specs: &[
                    SpecDef {
                        name: "材质",
                        values: &["铝合金框 + PC 箱体"],
                    },
                    SpecDef {
                        name: "重量",
                        values: &["3.8kg", "4.6kg"],
                    },
                    SpecDef {
                        name: "容量",
                        values: &["36L", "65L"],
                    },
                ],
            },
        ],
    },
    CatalogDef {
        name: "双肩包",
        kind: Kind::Backpack,
        spus: &[
            SpuDef {
                name: "青柚 城市通勤双肩包",
                brand: 2,
                caption: "独立电脑仓，防泼水面料，通勤出差都合适",
                colours: &["黑色", "灰色", "深蓝"],
                sizes: &["小号", "中号", "大号"],
                prices: &[15900, 18900, 21900],
                specs: &[
                    SpecDef {
                        name: "材质",
                        values: &["防泼水涤纶"],
                    },
                    SpecDef {
                        name: "容量",
                        values: &["18L", "24L", "30L"],
                    },
                    SpecDef {
                        name: "电脑仓",
                        values: &["13 英寸", "15.6 英寸", "17 英寸"],
                    },
                ],
            },
            SpuDef {
                name: "远途 户外徒步双肩包",
                brand: 1,
                caption: "透气背负系统，多点调节，周末远足轻松出发",
                colours: &["墨绿", "黑色"],
                sizes: &["中号", "大号"],
                prices: &[26900, 31900],
                specs: &[
                    SpecDef {
                        name: "材质",
                        values: &["高密度尼龙"],
                    },
                    SpecDef {
                        name: "容量",
                        values: &["35L", "45L"],
                    },
                    SpecDef {
                        name: "重量",
                        values: &["0.9kg", "1.1kg"],
                    },
                ],
            },
        ],
    },
    CatalogDef {
        name: "手提包",
        kind: Kind::Handbag,
        spus: &[
            SpuDef {
                name: "木棉 头层牛皮托特包",
                brand: 3,
                caption: "头层牛皮手感细腻，大容量托特，通勤约会两相宜",
                colours: &["棕色", "黑色", "酒红"],
                sizes: &["小号", "中号", "大号"],
                prices: &[39900, 45900, 52900],
                specs: &[
                    SpecDef {
                        name: "材质",
                        values: &["头层牛皮"],
                    },
                    SpecDef {
                        name: "外形尺寸",
                        values: &["26×12×20cm", "32×14×25cm", "38×16×30cm"],
                    },
                ],
            },
            SpuDef {
                name: "北岸 简约公文手提包",
                brand: 4,
                caption: "简洁线条，可放 14 英寸笔记本，商务场合从容不迫",
                colours: &["黑色", "棕色"],
                sizes: &["中号", "大号"],
                prices: &[49900, 56900],
                specs: &[
                    SpecDef {
                        name: "材质",
                        values: &["超纤皮革"],
                    },
                    SpecDef {
                        name: "外形尺寸",
                        values: &["36×8×27cm", "40×9×30cm"],
                    },
                ],
            },
        ],
    },
    CatalogDef {
        name: "钱包/卡包",
        kind: Kind::Wallet,
        spus: &[
            SpuDef {
                name: "北岸 牛皮短款钱包",
                brand: 4,
                caption: "头层牛皮对折设计，多卡位分区，轻薄好收纳",
                colours: &["黑色", "棕色", "深蓝"],
                sizes: &["小号", "中号"],
                prices: &[12900, 15900],
                specs: &[
                    SpecDef {
                        name: "材质",
                        values: &["头层牛皮"],
                    },
                    SpecDef {
                        name: "卡位",
                        values: &["6 个", "8 个"],
                    },
                ],
            },
            SpuDef {
                name: "达达旅行 超薄卡包",
                brand: 0,
                caption: "仅 6mm 薄，RFID 防盗刷，放进口袋几乎无感",
                colours: &["黑色", "灰色", "酒红"],
                sizes: &["小号", "大号"],
                prices: &[5900, 7900],
                specs: &[
                    SpecDef {
                        name: "材质",
                        values: &["超纤皮革"],
                    },
                    SpecDef {
                        name: "卡位",
                        values: &["4 个", "6 个"],
                    },
                    SpecDef {
                        name: "厚度",
                        values: &["6mm", "8mm"],
                    },
                ],
            },
        ],
    },
];

/// The fill colour drawn for a colour name.
fn colour_hex(name: &str) -> Option<&'static str> {
    Some(match name {
        "黑色" => "#2e2f33",
        "深蓝" => "#1f3b6e",
        "酒红" => "#7b1e2e",
        "灰色" => "#8c929c",
        "棕色" => "#8a5a2e",
        "墨绿" => "#2f5e48",
        _ => return None,
    })
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

fn per_size<'a>(values: &[&'a str], size: usize) -> Option<&'a str> {
    if values.len() == 1 {
        values.first().copied()
    } else {
        values.get(size).copied()
    }
}

// ---------------------------------------------------------------------------------------------
// The plan: every row and file, with ids, computed before anything is written
// ---------------------------------------------------------------------------------------------

struct Plan {
    brands: Vec<(i64, &'static BrandDef)>,
    catalogs: Vec<(i64, &'static str)>,
    spus: Vec<SpuRow>,
    sale_attrs: Vec<(i64, i64, &'static str)>,
    sale_attr_values: Vec<(i64, i64, &'static str)>,
    specs: Vec<(i64, i64, &'static str)>,
    skus: Vec<SkuRow>,
    sku_attr_links: Vec<(i64, i64)>,
    spec_values: Vec<(i64, i64, i64, &'static str)>,
    images: Vec<ImageRow>,
}

struct SpuRow {
    id: i64,
    name: &'static str,
    sales: i64,
    brand_id: i64,
    catalog_id: i64,
}

struct SkuRow {
    id: i64,
    name: String,
    caption: &'static str,
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

fn plan() -> anyhow::Result<Plan> {
    let brands = BRANDS
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

    for catalog in CATALOGS {
        let catalog_id = id_of(p.catalogs.len())?;
        p.catalogs.push((catalog_id, catalog.name));

        for spu in catalog.spus {
            let spu_id = id_of(p.spus.len())?;
            let brand_id = id_of(spu.brand)?;
            if spu.brand >= BRANDS.len() {
                return Err(anyhow!("SPU {} names an unknown brand", spu.name));
            }
            if spu.prices.len() != spu.sizes.len() {
                return Err(anyhow!("SPU {} needs one price per size", spu.name));
            }

            let colour_attr = id_of(p.sale_attrs.len())?;
            p.sale_attrs.push((colour_attr, spu_id, COLOUR_ATTR));
            let size_attr = id_of(p.sale_attrs.len())?;
            p.sale_attrs.push((size_attr, spu_id, SIZE_ATTR));

            let mut colour_values = Vec::with_capacity(spu.colours.len());
            for colour in spu.colours {
                let id = id_of(p.sale_attr_values.len())?;
                p.sale_attr_values.push((id, colour_attr, colour));
                colour_values.push(id);
            }
            let mut size_values = Vec::with_capacity(spu.sizes.len());
            for size in spu.sizes {
                let id = id_of(p.sale_attr_values.len())?;
                p.sale_attr_values.push((id, size_attr, size));
                size_values.push(id);
            }

            let mut spec_ids = Vec::with_capacity(spu.specs.len());
            for spec in spu.specs {
                let id = id_of(p.specs.len())?;
                p.specs.push((id, spu_id, spec.name));
                spec_ids.push(id);
            }

            let mut spu_sales = 0;
            for (c, (colour, colour_value)) in spu.colours.iter().zip(&colour_values).enumerate() {
                let hex =
                    colour_hex(colour).ok_or_else(|| anyhow!("no drawing colour for {colour}"))?;
                for (s, (size, size_value)) in spu.sizes.iter().zip(&size_values).enumerate() {
                    let sku_id = id_of(p.skus.len())?;
                    let price = *spu
                        .prices
                        .get(s)
                        .ok_or_else(|| anyhow!("SPU {} has no price for {size}", spu.name))?;
                    let scale = size_scale(s, spu.sizes.len());
                    let default_image_url = format!("sku/{sku_id}.svg");
                    for (view, path) in [
                        (View::Front, default_image_url.clone()),
                        (View::Angled, format!("sku/{sku_id}-2.svg")),
                    ] {
                        let id = id_of(p.images.len())?;
                        let svg = product_svg(catalog.kind, hex, scale, view, c);
                        p.images.push(ImageRow {
                            id,
                            sku_id,
                            path,
                            svg,
                        });
                    }
                    for (spec, spec_id) in spu.specs.iter().zip(&spec_ids) {
                        let value = per_size(spec.values, s).ok_or_else(|| {
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
                        caption: spu.caption,
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
                name: spu.name,
                sales: spu_sales,
                brand_id,
                catalog_id,
            });
        }
    }
    Ok(p)
}

async fn insert_plan(tx: &mut Transaction<'_, Any>, p: &Plan, now: i64) -> anyhow::Result<()> {
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
        .bind(brand.name)
        .bind("")
        .bind(brand.first_letter)
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
            "INSERT INTO sku_images (id, sku_id, image, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(image.id)
        .bind(image.sku_id)
        .bind(image.path.as_str())
        .bind(now)
        .bind(now)
        .execute(&mut **tx)
        .await
        .context("inserting a SKU image")?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The pictures
// ---------------------------------------------------------------------------------------------

/// Which picture of a SKU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum View {
    /// Straight on, on a warm light background: the default image.
    Front,
    /// Tilted, on a cool light background with a soft backdrop.
    Angled,
}

/// Drawing scale for size `index` of `count` sizes: the smallest 0.78, the largest 1.0.
fn size_scale(index: usize, count: usize) -> f64 {
    if count <= 1 {
        return 1.0;
    }
    let (i, n) = (index.min(count - 1) as f64, (count - 1) as f64);
    0.78 + 0.22 * i / n
}

fn parse_hex(hex: &str) -> (u8, u8, u8) {
    let channel = |range: std::ops::Range<usize>| {
        hex.get(range)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .unwrap_or(128)
    };
    (channel(1..3), channel(3..5), channel(5..7))
}

/// Mixes `hex` toward `target` (0 = black, 255 = white) by `amount` (0.0 ..= 1.0).
fn mix(hex: &str, target: u8, amount: f64) -> String {
    let (r, g, b) = parse_hex(hex);
    let m = |c: u8| {
        let v = f64::from(c) + (f64::from(target) - f64::from(c)) * amount;
        v.round().clamp(0.0, 255.0) as u8
    };
    format!("#{:02x}{:02x}{:02x}", m(r), m(g), m(b))
}

/// A 400×400 SVG of a product of `kind` in colour `hex` (`#rrggbb`), drawn at `scale` around its
/// resting point. `variant` (the colour's position) only moves the backdrop a little.
fn product_svg(kind: Kind, hex: &str, scale: f64, view: View, variant: usize) -> String {
    let dark = mix(hex, 0, 0.35);
    let light = mix(hex, 255, 0.35);
    let (background, ground_y) = match view {
        View::Front => ("#f6f4f0", 352.0),
        View::Angled => ("#eef2f6", 352.0),
    };

    let mut svg = String::with_capacity(4096);
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 400" width="400" height="400">"##
    );
    let _ = write!(
        svg,
        r##"<rect x="0" y="0" width="400" height="400" fill="{background}"/>"##
    );
    if view == View::Angled {
        let cx = 150 + 40 * (variant % 3);
        let _ = write!(
            svg,
            r##"<circle cx="{cx}" cy="170" r="150" fill="#ffffff" opacity="0.7"/>"##
        );
    }
    // The shadow on the ground, scaled with the product.
    let _ = write!(
        svg,
        r##"<ellipse cx="200" cy="{ground_y}" rx="{:.1}" ry="{:.1}" fill="#000000" opacity="0.12"/>"##,
        110.0 * scale,
        11.0 * scale
    );
    let rotate = match view {
        View::Front => String::new(),
        View::Angled => format!(" rotate(-8 200 {ground_y})"),
    };
    let _ = write!(
        svg,
        r##"<g transform="translate(200 {ground_y}) scale({scale:.3}) translate(-200 -{ground_y}){rotate}">"##
    );
    match kind {
        Kind::Suitcase => suitcase(&mut svg, hex, &dark, &light),
        Kind::Backpack => backpack(&mut svg, hex, &dark, &light),
        Kind::Handbag => handbag(&mut svg, hex, &dark, &light),
        Kind::Wallet => wallet(&mut svg, hex, &dark, &light),
    }
    svg.push_str("</g></svg>\n");
    svg
}

fn suitcase(svg: &mut String, fill: &str, dark: &str, light: &str) {
    let _ = write!(
        svg,
        concat!(
            // Telescoping handle.
            r##"<rect x="163" y="58" width="7" height="60" fill="#9aa0a8"/>"##,
            r##"<rect x="230" y="58" width="7" height="60" fill="#9aa0a8"/>"##,
            r##"<rect x="156" y="48" width="88" height="16" rx="8" fill="#3a3c40"/>"##,
            // Wheels and their housings.
            r##"<rect x="128" y="320" width="28" height="16" rx="4" fill="#3a3c40"/>"##,
            r##"<rect x="244" y="320" width="28" height="16" rx="4" fill="#3a3c40"/>"##,
            r##"<circle cx="142" cy="340" r="11" fill="#26272a"/>"##,
            r##"<circle cx="142" cy="340" r="4" fill="#b8bcc4"/>"##,
            r##"<circle cx="258" cy="340" r="11" fill="#26272a"/>"##,
            r##"<circle cx="258" cy="340" r="4" fill="#b8bcc4"/>"##,
            // Shell.
            r##"<rect x="116" y="106" width="168" height="222" rx="24" fill="{fill}" stroke="{dark}" stroke-width="3"/>"##,
            // Ribs.
            r##"<path d="M158 124 V310 M200 124 V310 M242 124 V310" stroke="{dark}" stroke-width="5" stroke-linecap="round" fill="none"/>"##,
            // Highlight.
            r##"<rect x="126" y="118" width="16" height="196" rx="8" fill="{light}" opacity="0.45"/>"##,
            // Carry handle on top.
            r##"<rect x="178" y="96" width="44" height="12" rx="6" fill="{dark}"/>"##,
            // Corner guards.
            r##"<path d="M116 140 V130 Q116 106 140 106 H150" stroke="#3a3c40" stroke-width="6" fill="none"/>"##,
            r##"<path d="M284 140 V130 Q284 106 260 106 H250" stroke="#3a3c40" stroke-width="6" fill="none"/>"##,
        ),
        fill = fill,
        dark = dark,
        light = light,
    );
}

fn backpack(svg: &mut String, fill: &str, dark: &str, light: &str) {
    let _ = write!(
        svg,
        concat!(
            // Shoulder straps peeking out at the sides.
            r##"<rect x="110" y="150" width="16" height="176" rx="8" fill="{dark}"/>"##,
            r##"<rect x="274" y="150" width="16" height="176" rx="8" fill="{dark}"/>"##,
            // Top loop.
            r##"<path d="M182 88 Q200 52 218 88" stroke="{dark}" stroke-width="9" stroke-linecap="round" fill="none"/>"##,
            // Body.
            r##"<path d="M128 150 Q128 82 200 82 Q272 82 272 150 L278 322 Q278 344 256 344 L144 344 Q122 344 122 322 Z" fill="{fill}" stroke="{dark}" stroke-width="3"/>"##,
            // Main zip.
            r##"<path d="M138 162 Q200 112 262 162" stroke="{light}" stroke-width="4" stroke-linecap="round" fill="none"/>"##,
            r##"<rect x="252" y="150" width="8" height="20" rx="3" fill="#c9ccd2"/>"##,
            // Front pocket with its zip and pull.
            r##"<rect x="146" y="226" width="108" height="96" rx="18" fill="{dark}"/>"##,
            r##"<path d="M156 246 H244" stroke="{light}" stroke-width="3" stroke-linecap="round"/>"##,
            r##"<rect x="226" y="242" width="7" height="18" rx="3" fill="#c9ccd2"/>"##,
            // Highlight.
            r##"<path d="M142 160 Q144 120 176 104" stroke="{light}" stroke-width="8" stroke-linecap="round" fill="none" opacity="0.5"/>"##,
        ),
        fill = fill,
        dark = dark,
        light = light,
    );
}

fn handbag(svg: &mut String, fill: &str, dark: &str, light: &str) {
    let _ = write!(
        svg,
        concat!(
            // Handles.
            r##"<path d="M158 170 Q158 84 200 84 Q242 84 242 170" stroke="{dark}" stroke-width="11" stroke-linecap="round" fill="none"/>"##,
            r##"<path d="M172 170 Q172 104 200 104 Q228 104 228 170" stroke="{dark}" stroke-width="7" stroke-linecap="round" fill="none" opacity="0.7"/>"##,
            // Body.
            r##"<path d="M112 160 H288 L304 318 Q306 340 284 340 H116 Q94 340 96 318 Z" fill="{fill}" stroke="{dark}" stroke-width="3"/>"##,
            // Top band and stitching.
            r##"<path d="M112 160 H288 L290 182 H110 Z" fill="{dark}"/>"##,
            r##"<path d="M118 196 H282 L294 320 Q295 330 284 330 H116 Q105 330 106 320 Z" stroke="{light}" stroke-width="2" stroke-dasharray="6 5" fill="none"/>"##,
            // Clasp.
            r##"<rect x="186" y="174" width="28" height="22" rx="5" fill="#d4af37" stroke="#a8862a" stroke-width="2"/>"##,
            // Highlight.
            r##"<path d="M126 200 L118 300" stroke="{light}" stroke-width="8" stroke-linecap="round" opacity="0.45"/>"##,
        ),
        fill = fill,
        dark = dark,
        light = light,
    );
}

fn wallet(svg: &mut String, fill: &str, dark: &str, light: &str) {
    let _ = write!(
        svg,
        concat!(
            // Cards peeking out behind the wallet.
            r##"<rect x="128" y="154" width="120" height="76" rx="8" fill="#6fa8dc" transform="rotate(-8 188 192)"/>"##,
            r##"<rect x="156" y="150" width="120" height="76" rx="8" fill="#f2c14e" transform="rotate(6 216 188)"/>"##,
            // Body.
            r##"<rect x="96" y="186" width="208" height="150" rx="16" fill="{fill}" stroke="{dark}" stroke-width="3"/>"##,
            // Flap and snap.
            r##"<path d="M96 202 Q96 186 112 186 H288 Q304 186 304 202 V246 Q304 256 294 256 H106 Q96 256 96 246 Z" fill="{dark}"/>"##,
            r##"<circle cx="200" cy="250" r="10" fill="#d4af37" stroke="#a8862a" stroke-width="2"/>"##,
            // Stitching.
            r##"<rect x="106" y="196" width="188" height="130" rx="11" stroke="{light}" stroke-width="2" stroke-dasharray="6 5" fill="none"/>"##,
            // Highlight.
            r##"<path d="M112 272 V318" stroke="{light}" stroke-width="7" stroke-linecap="round" opacity="0.45"/>"##,
        ),
        fill = fill,
        dark = dark,
        light = light,
    );
}

/// How many sale-attribute combinations (SKUs) of each SPU the demo data has, by catalog name.
/// Used by the tests; kept here so the content and its expectations live together.
#[cfg(test)]
fn planned_skus_by_catalog() -> std::collections::BTreeMap<&'static str, usize> {
    CATALOGS
        .iter()
        .map(|c| {
            let n = c.spus.iter().map(|s| s.colours.len() * s.sizes.len()).sum();
            (c.name, n)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::collections::{BTreeMap, BTreeSet};

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

    #[test]
    fn content_is_consistent() {
        let mut names = BTreeSet::new();
        for catalog in CATALOGS {
            assert!(catalog.spus.len() >= 2, "{}", catalog.name);
            for spu in catalog.spus {
                assert!(spu.brand < BRANDS.len());
                assert!((2..=3).contains(&spu.colours.len()), "{}", spu.name);
                assert!((2..=3).contains(&spu.sizes.len()), "{}", spu.name);
                assert_eq!(spu.prices.len(), spu.sizes.len(), "{}", spu.name);
                assert!(spu.prices.windows(2).all(|w| w[0] < w[1]), "{}", spu.name);
                for colour in spu.colours {
                    assert!(colour_hex(colour).is_some(), "{colour}");
                }
                for spec in spu.specs {
                    assert!(
                        spec.values.len() == 1 || spec.values.len() == spu.sizes.len(),
                        "{} {}",
                        spu.name,
                        spec.name
                    );
                }
                assert!(names.insert(spu.name), "duplicate SPU {}", spu.name);
            }
        }
        for (name, n) in planned_skus_by_catalog() {
            assert!(n >= 4, "{name}");
        }
        for price in [5900, 12900, 29900, 69900] {
            assert!(market_price(price) > price && price > cost_price(price));
        }
    }

    #[test]
    fn pictures_are_self_contained_svg() {
        for kind in [Kind::Suitcase, Kind::Backpack, Kind::Handbag, Kind::Wallet] {
            for view in [View::Front, View::Angled] {
                let svg = product_svg(kind, "#1f3b6e", 0.78, view, 1);
                assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
                assert!(svg.trim_end().ends_with("</svg>"));
                assert!(svg.contains("viewBox=\"0 0 400 400\""));
                for banned in ["<text", "<script", "href", "url(", "<image", "{", "}"] {
                    assert!(!svg.contains(banned), "{kind:?} {view:?} has {banned}");
                }
                assert_eq!(svg.matches("<g").count(), svg.matches("</g>").count());
                assert_eq!(svg.matches('"').count() % 2, 0);
                // Every element is either self-closing or one of the two containers.
                let opened = svg.matches('<').count();
                let self_closed = svg.matches("/>").count();
                let containers = svg.matches("<svg").count() + svg.matches("<g").count();
                assert_eq!(opened, self_closed + 2 * containers);
            }
        }
        // Sizes look different.
        let small = product_svg(Kind::Suitcase, "#2e2f33", size_scale(0, 3), View::Front, 0);
        let large = product_svg(Kind::Suitcase, "#2e2f33", size_scale(2, 3), View::Front, 0);
        assert_ne!(small, large);
        assert!(small.contains("scale(0.780)") && large.contains("scale(1.000)"));
        assert_eq!(mix("#000000", 255, 0.5), "#808080");
    }

    #[tokio::test]
    async fn seeds_an_empty_database_once() {
        let dir = tempfile::tempdir().unwrap();
        let pool = fresh_pool(dir.path()).await;
        let media = dir.path().join("media");

        let report = seed_demo(&pool, &media).await.unwrap().unwrap();
        assert_eq!(report.catalogs, CATALOGS.len());
        assert!(report.catalogs >= 4);
        assert_eq!(report.spus, 2 * report.catalogs);
        assert_eq!(
            report.skus,
            planned_skus_by_catalog().values().sum::<usize>()
        );
        assert_eq!(report.images, 2 * report.skus);
        assert_eq!(count(&pool, "catalogs").await as usize, report.catalogs);
        assert_eq!(count(&pool, "spus").await as usize, report.spus);
        assert_eq!(count(&pool, "skus").await as usize, report.skus);
        assert_eq!(count(&pool, "sku_images").await as usize, report.images);
        assert_eq!(count(&pool, "brands").await as usize, BRANDS.len());

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
        assert_eq!(seed_demo(&pool, &other_media).await.unwrap(), None);
        assert_eq!(all_counts(&pool).await, before);
        assert!(!other_media.exists());
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
        assert_eq!(seed_demo(&pool, &media).await.unwrap(), None);
        assert_eq!(count(&pool, "catalogs").await, 1);
        assert_eq!(count(&pool, "skus").await, 0);
        assert!(!media.exists());
    }
}
