//! The console's dashboard (统计, issue 24 item 3) and the product-view counter behind its
//! visits per catalog (the original's `GoodsVisitCount`).

use std::collections::HashMap;
use std::sync::Mutex;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use dadashop_types::admin::{
    CatalogVisits, Dashboard, DashboardResponse, DayCount, DayOrders, LowStockSku,
};
use dadashop_types::codes;
use sqlx::AnyPool;

use crate::auth::staff::AuthStaff;
use crate::db;
use crate::db::console::{self, CHINA_OFFSET_SECS, DAY_SECS};
use crate::error::ApiResult;
use crate::state::AppState;

/// Days the dashboard's charts cover, today included.
pub const CHART_DAYS: i64 = 30;
/// How often each API process adds its counted product views to the database, in seconds.
pub const VISIT_FLUSH_SECS: u64 = 10;
/// How long a process keeps the chart figures of the closed days (before yesterday), in
/// seconds: a late payment recorded against such a day shows within this time.
pub const CLOSED_DAYS_TTL_SECS: i64 = 300;

/// The charts' figures of the days before yesterday, `(day key, figure)` per chart: they no
/// longer change (but for a rare late payment), so each process reads them once per
/// [`CLOSED_DAYS_TTL_SECS`] instead of grouping a month of orders and payments per request.
/// Today and yesterday are always read live.
#[derive(Debug, Default)]
pub struct ClosedDaysCache {
    kept: Mutex<Option<ClosedDays>>,
}

#[derive(Debug, Clone)]
struct ClosedDays {
    today_start: i64,
    read_at: i64,
    users: Vec<(i64, i64)>,
    orders: Vec<(i64, i64)>,
    paid: Vec<(i64, i64)>,
}

impl ClosedDaysCache {
    async fn get(
        &self,
        pool: &AnyPool,
        first_day: i64,
        yesterday_start: i64,
        today_start: i64,
        now: i64,
    ) -> Result<ClosedDays, sqlx::Error> {
        if let Ok(kept) = self.kept.lock()
            && let Some(days) = kept.as_ref()
            && days.today_start == today_start
            && now - days.read_at < CLOSED_DAYS_TTL_SECS
        {
            return Ok(days.clone());
        }
        let to = Some(yesterday_start);
        let days = ClosedDays {
            today_start,
            read_at: now,
            users: console::new_users_per_day(pool, first_day, to).await?,
            orders: console::orders_per_day(pool, first_day, to).await?,
            paid: console::paid_per_day(pool, first_day, to).await?,
        };
        if let Ok(mut kept) = self.kept.lock() {
            *kept = Some(days.clone());
        }
        Ok(days)
    }
}

/// The dashboard route.
pub fn router() -> Router<AppState> {
    Router::new().route("/admin/dashboard", get(dashboard))
}

/// Product views counted in this process since the last flush, per SKU id. Counting in
/// memory keeps the product page's hot path free of writes; [`VisitCounter::flush`] adds
/// them to `catalog_visits` (per catalog and China day) every [`VISIT_FLUSH_SECS`] and before
/// the dashboard is read. Views counted in the seconds before a process is killed are lost.
#[derive(Debug, Default)]
pub struct VisitCounter {
    views: Mutex<HashMap<i64, i64>>,
}

impl VisitCounter {
    /// Counts one view of SKU `sku_id`.
    pub fn record(&self, sku_id: i64) {
        if let Ok(mut views) = self.views.lock() {
            *views.entry(sku_id).or_default() += 1;
        }
    }

    /// Adds the counted views to the database (per catalog, today in China time) and starts
    /// counting afresh; on a database error the views are counted again for the next flush.
    pub async fn flush(&self, pool: &AnyPool) -> Result<(), sqlx::Error> {
        let taken: HashMap<i64, i64> = match self.views.lock() {
            Ok(mut views) => std::mem::take(&mut *views),
            Err(_) => return Ok(()),
        };
        if taken.is_empty() {
            return Ok(());
        }
        let result = add(pool, &taken).await;
        if result.is_err()
            && let Ok(mut views) = self.views.lock()
        {
            for (sku, n) in taken {
                *views.entry(sku).or_default() += n;
            }
        }
        result
    }

    /// Flushes every [`VISIT_FLUSH_SECS`] for as long as the process runs.
    pub fn spawn_flusher(self: std::sync::Arc<Self>, pool: AnyPool) {
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(VISIT_FLUSH_SECS));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if let Err(e) = self.flush(&pool).await {
                    tracing::warn!(error = %e, "product views not written yet; kept for the next try");
                }
            }
        });
    }
}

async fn add(pool: &AnyPool, views: &HashMap<i64, i64>) -> Result<(), sqlx::Error> {
    let ids: Vec<i64> = views.keys().copied().collect();
    let mut per_catalog: HashMap<i64, i64> = HashMap::new();
    for (sku, catalog) in console::catalogs_of_skus(pool, &ids).await? {
        *per_catalog.entry(catalog).or_default() += views.get(&sku).copied().unwrap_or(0);
    }
    let day = console::china_date(db::now_secs());
    for (catalog, n) in per_catalog {
        console::add_catalog_visits(pool, catalog, &day, n).await?;
    }
    Ok(())
}

/// Fills the `CHART_DAYS` days ending today (`today_start`) from `(day key, figure)` rows.
fn fill(rows: &[(i64, i64)], today_start: i64) -> Vec<(String, i64)> {
    let found: HashMap<i64, i64> = rows.iter().copied().collect();
    (0..CHART_DAYS)
        .rev()
        .map(|back| {
            let start = today_start - back * DAY_SECS;
            // The day key is the shifted start: the China midnight plus 8 h.
            let figure = found
                .get(&(start + CHINA_OFFSET_SECS))
                .copied()
                .unwrap_or(0);
            (console::china_date(start), figure)
        })
        .collect()
}

/// The shop today and over the last 30 days, in China Standard Time days
/// (`dashboard.view`): users (total, new, active, ordering), new users per day, orders and
/// paid amount per day, product views per catalog today, orders awaiting shipment, refunds
/// due and SKUs low on stock (`LOW_STOCK_THRESHOLD`). Every figure comes from an index range.
#[utoipa::path(get, path = "/v1/admin/dashboard", tag = "admin", security(("staff" = [])),
    responses((status = 200, body = DashboardResponse), (status = 401, description = "Not a valid console token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Permission missing (60101)", body = dadashop_types::ErrorBody), (status = 503, description = "Database unavailable", body = dadashop_types::ErrorBody)))]
async fn dashboard(
    State(state): State<AppState>,
    auth: AuthStaff,
) -> ApiResult<Json<DashboardResponse>> {
    auth.require("dashboard.view")?;
    let pool = &state.db;
    if let Err(e) = state.visits.flush(pool).await {
        tracing::warn!(error = %e, "product views not written before the dashboard");
    }
    let now = db::now_secs();
    let today_start = console::china_day_start(now);
    let first_day = today_start - (CHART_DAYS - 1) * DAY_SECS;
    let threshold = state.settings.low_stock_threshold;
    let today = console::china_date(now);
    let counts = console::today_counts(pool, today_start, threshold).await?;
    let yesterday_start = today_start - DAY_SECS;
    let closed = state
        .closed_days
        .get(pool, first_day, yesterday_start, today_start, now)
        .await?;
    let live = |mut kept: Vec<(i64, i64)>, recent: Vec<(i64, i64)>| {
        kept.extend(recent);
        kept
    };
    let new_users = live(
        closed.users,
        console::new_users_per_day(pool, yesterday_start, None).await?,
    );
    let orders = live(
        closed.orders,
        console::orders_per_day(pool, yesterday_start, None).await?,
    );
    let paid = live(
        closed.paid,
        console::paid_per_day(pool, yesterday_start, None).await?,
    );
    let visits = console::catalog_visits(pool, &today).await?;
    let low = console::low_stock(pool, threshold, 20).await?;
    let paid_by_day: HashMap<String, i64> = fill(&paid, today_start).into_iter().collect();
    Ok(Json(DashboardResponse {
        code: codes::OK,
        data: Dashboard {
            today,
            total_users: counts.total_users,
            new_users_today: counts.new_users_today,
            active_users_today: counts.active_users_today,
            ordering_users_today: counts.ordering_users_today,
            awaiting_shipment: counts.awaiting_shipment,
            refunds_due: counts.refunds_due,
            low_stock_threshold: threshold,
            low_stock_count: counts.low_stock_count,
            low_stock: low
                .into_iter()
                .map(|(sku_id, name, stock)| LowStockSku {
                    sku_id,
                    name,
                    stock,
                })
                .collect(),
            new_users_by_day: fill(&new_users, today_start)
                .into_iter()
                .map(|(day, count)| DayCount { day, count })
                .collect(),
            orders_by_day: fill(&orders, today_start)
                .into_iter()
                .map(|(day, orders)| DayOrders {
                    paid_fen: paid_by_day.get(&day).copied().unwrap_or(0),
                    day,
                    orders,
                })
                .collect(),
            catalog_visits_today: visits
                .into_iter()
                .map(|(catalog_id, name, visits)| CatalogVisits {
                    catalog_id,
                    name,
                    visits,
                })
                .collect(),
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_china_days() {
        // 2026-12-04 16:00:00 UTC is 2026-12-05 00:00 in China.
        let midnight = 1_796_400_000;
        assert_eq!(console::china_date(midnight), "2026-12-05");
        let start = console::china_day_start(midnight + 3_600);
        assert_eq!(start, midnight);
        assert_eq!(console::china_day_start(midnight - 1), midnight - DAY_SECS);
        assert_eq!(console::china_date_start("2026-12-05"), Some(midnight));
        let filled = fill(&[(midnight + CHINA_OFFSET_SECS, 3)], midnight);
        assert_eq!(filled.len(), 30);
        assert_eq!(filled.last(), Some(&("2026-12-05".to_owned(), 3)));
        assert_eq!(filled[0].1, 0);
    }
}
