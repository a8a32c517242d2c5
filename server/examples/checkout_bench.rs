//! Set-up and check of the checkout load test (`bench/checkout.sh` runs it).
//!
//! - `checkout_bench setup N STOCK`: on the database of `DATABASE_URL` (migrated, demo
//!   catalog seeded), creates `N` buyers with an address each, sets every launched SKU's
//!   stock to `STOCK` and its sales to 0, and prints one line per buyer for wrk's script:
//!   `<username> <token> <address id>`. Tokens are signed with `JWT_SECRET`.
//! - `checkout_bench skus`: prints the ids of the launched SKUs.
//! - `checkout_bench check STOCK`: counts the orders, and the units sold beyond the stock
//!   (*oversold*: for each SKU, units in order lines of live orders minus `STOCK`, when
//!   positive; and any negative stock), and prints them. Exits non-zero when anything was
//!   oversold or the books do not balance (stock + units ordered ≠ `STOCK`).

use anyhow::{Context, bail};
use dadashop_server::auth::jwt::TokenService;
use dadashop_server::config::Settings;
use dadashop_server::db::{addresses, users};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let settings = Settings::load()?.validate()?;
    let db = dadashop_server::app::open_database(&settings).await?;
    match args.first().map(String::as_str) {
        Some("setup") => {
            let n: i64 = args.get(1).context("setup N STOCK")?.parse()?;
            let stock: i64 = args.get(2).context("setup N STOCK")?.parse()?;
            let secret = settings.jwt_secret.clone().context("JWT_SECRET")?;
            let tokens = TokenService::new(secret.as_bytes(), 86_400);
            let now = dadashop_server::db::now_secs();
            sqlx::query("UPDATE skus SET stock = ?, sales = 0 WHERE is_launched = 1")
                .bind(stock)
                .execute(&db)
                .await?;
            for i in 0..n {
                let name = format!("buyer{i}");
                let email = format!("{name}@example.com");
                let user = users::insert(
                    &db,
                    &users::NewUser {
                        username: &name,
                        password_hash: "-",
                        email: &email,
                        phone: "13800000000",
                    },
                    now,
                )
                .await?;
                let fields = addresses::AddressFields {
                    receiver: "买家".into(),
                    address: "上海市浦东新区世纪大道1号".into(),
                    receiver_mobile: "13900000000".into(),
                    tag: "家".into(),
                    region: addresses::RegionChange::Keep,
                };
                addresses::insert(&db, user.id, &fields, "200120", now)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                let address = addresses::list(&db, user.id).await?[0].id;
                let id = user.id;
                let token = tokens.issue(id, &name, 0, now)?;
                println!("{name} {token} {address}");
            }
        }
        Some("skus") => {
            let ids: Vec<i64> =
                sqlx::query_scalar("SELECT id FROM skus WHERE is_launched = 1 ORDER BY id")
                    .fetch_all(&db)
                    .await?;
            let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
            println!("{}", ids.join(" "));
        }
        Some("check") => {
            let stock: i64 = args.get(1).context("check STOCK")?.parse()?;
            let orders: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders WHERE status <> 5")
                .fetch_one(&db)
                .await?;
            // SUM over BIGINT is DECIMAL on MySQL: cast back to a whole number.
            let whole = if settings.database_url.starts_with("mysql") {
                "SIGNED"
            } else {
                "INTEGER"
            };
            let rows: Vec<(i64, i64, i64)> = sqlx::query_as(&format!(
                "SELECT k.id, k.stock, \
                 CAST(COALESCE(SUM(CASE WHEN o.status <> 5 THEN l.count ELSE 0 END), 0) AS {whole}) \
                 FROM skus k LEFT JOIN order_lines l ON l.sku_id = k.id \
                 LEFT JOIN orders o ON o.order_id = l.order_id \
                 WHERE k.is_launched = 1 GROUP BY k.id, k.stock"
            ))
            .fetch_all(&db)
            .await?;
            let mut oversold = 0;
            let mut unbalanced = 0;
            for (sku, left, sold) in rows {
                oversold += (sold - stock).max(0) + (-left).max(0);
                if left + sold != stock {
                    unbalanced += 1;
                    eprintln!("SKU {sku}: stock {left} + ordered {sold} != {stock}");
                }
            }
            println!("orders {orders} oversold {oversold} unbalanced_skus {unbalanced}");
            if oversold > 0 || unbalanced > 0 {
                bail!("stock sold twice or lost");
            }
        }
        _ => bail!("usage: checkout_bench setup N STOCK | skus | check STOCK"),
    }
    Ok(())
}
