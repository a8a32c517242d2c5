//! The SKUs as a spreadsheet (issue 25, item 6): export as CSV (RFC 4180, UTF-8 with a BOM so
//! that Excel reads Chinese names), and import the same columns to change prices, stock and
//! launch state: a preview naming every change and every bad line, then the whole file in
//! one transaction.

use std::collections::{HashMap, HashSet};

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use dadashop_types::admin::{
    ImportChange, ImportError, ImportReport, ImportResponse, PRICE_MAX_FEN, SKU_CSV_COLUMNS,
    STOCK_MAX,
};
use dadashop_types::codes;
use dadashop_types::money::{format_fen, parse_yuan};
use serde::Deserialize;

use crate::auth::staff::AuthStaff;
use crate::db;
use crate::db::skus::{self, CsvRow};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The byte order mark that tells Excel the file is UTF-8.
const BOM: &str = "\u{feff}";
/// The reason recorded with the stock changes of an import.
const IMPORT_REASON: &str = "CSV 导入";

/// The export and import routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/skus/export", get(export))
        .route("/admin/skus/import", post(import))
}

/// Every SKU as CSV (`goods.view`): `id,name,price,market_price,stock,launched`, prices in
/// yuan with two decimals, `launched` 1 or 0, UTF-8 with a BOM, by id.
#[utoipa::path(get, path = "/v1/admin/skus/export", tag = "admin", security(("staff" = [])),
    responses((status = 200, description = "text/csv, UTF-8 with a BOM", content_type = "text/csv", body = String), (status = 401, description = "Not a valid console token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Permission missing (60101)", body = dadashop_types::ErrorBody)))]
async fn export(State(state): State<AppState>, auth: AuthStaff) -> ApiResult<Response> {
    auth.require("goods.view")?;
    let rows = skus::csv_rows(&state.db).await?;
    let mut writer = csv::Writer::from_writer(BOM.as_bytes().to_vec());
    let fail = |e: csv::Error| ApiError::Internal(anyhow::Error::new(e).context("writing CSV"));
    writer.write_record(SKU_CSV_COLUMNS).map_err(fail)?;
    for r in &rows {
        writer
            .write_record([
                r.id.to_string(),
                r.name.clone(),
                format_fen(r.price),
                format_fen(r.market_price),
                r.stock.to_string(),
                r.is_launched.to_string(),
            ])
            .map_err(fail)?;
    }
    let body = writer
        .into_inner()
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("writing CSV: {e}")))?;
    let name = format!(
        "attachment; filename=\"skus-{}.csv\"",
        db::orders::china_time(db::now_secs(), "%Y%m%d")
    );
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&name) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

/// `apply=1` saves; anything else (or nothing) previews.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// `1`: save the changes (only when no line is bad); otherwise a preview.
    pub apply: Option<String>,
}

/// The file's rows that parse, by line, and the bad lines.
struct Parsed {
    rows: Vec<(u64, CsvRow)>,
    errors: Vec<ImportError>,
    count: u64,
}

fn bad(line: u64, reason: impl Into<String>) -> ImportError {
    ImportError {
        line,
        reason: reason.into(),
    }
}

/// Reads the CSV `text` (BOM optional) with the export's header; a row's values are checked
/// only when they differ from the SKU's current ones (`current`), so that a SKU put out of
/// bounds some other way still round-trips.
fn parse(text: &str, current: &HashMap<i64, CsvRow>) -> Result<Parsed, String> {
    let text = text.strip_prefix(BOM).unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| format!("不是 CSV 文件：{e}"))?
        .clone();
    let names: Vec<&str> = header.iter().collect();
    if names != SKU_CSV_COLUMNS {
        return Err(format!(
            "表头须为 {}（导出的文件即是）",
            SKU_CSV_COLUMNS.join(",")
        ));
    }
    let mut parsed = Parsed {
        rows: Vec::new(),
        errors: Vec::new(),
        count: 0,
    };
    let mut seen = HashSet::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, csv::Position::line);
                parsed.errors.push(bad(line, format!("无法读取：{e}")));
                continue;
            }
        };
        parsed.count += 1;
        let line = record.position().map_or(0, csv::Position::line);
        if record.len() != SKU_CSV_COLUMNS.len() {
            parsed.errors.push(bad(line, "列数不对"));
            continue;
        }
        let Some(id) = record[0].parse::<i64>().ok().filter(|id| *id > 0) else {
            parsed
                .errors
                .push(bad(line, format!("id“{}”不是商品编号", &record[0])));
            continue;
        };
        let Some(now) = current.get(&id) else {
            parsed
                .errors
                .push(bad(line, format!("没有 id 为 {id} 的商品")));
            continue;
        };
        if !seen.insert(id) {
            parsed
                .errors
                .push(bad(line, format!("商品 {id} 出现了不止一次")));
            continue;
        }
        let mut row = now.clone();
        let mut problems = Vec::new();
        for (column, value, target) in [
            ("price", &record[2], &mut row.price),
            ("market_price", &record[3], &mut row.market_price),
        ] {
            match parse_yuan(value) {
                Some(fen) if fen == *target => {}
                Some(fen)
                    if (1..=PRICE_MAX_FEN).contains(&fen)
                        || (column == "market_price" && fen == 0) =>
                {
                    *target = fen
                }
                Some(_) => problems.push(format!("{column}“{value}”须在 0.01 到 1000000 元之间")),
                None => problems.push(format!("{column}“{value}”不是金额（最多两位小数）")),
            }
        }
        match record[4].parse::<i64>() {
            Ok(n) if n == row.stock => {}
            Ok(n) if (0..=STOCK_MAX).contains(&n) => row.stock = n,
            _ => problems.push(format!("stock“{}”须为 0 到 1000000 的整数", &record[4])),
        }
        match &record[5] {
            "1" => row.is_launched = 1,
            "0" => row.is_launched = 0,
            other => problems.push(format!("launched“{other}”须为 1 或 0")),
        }
        if problems.is_empty() {
            parsed.rows.push((line, row));
        } else {
            parsed.errors.push(bad(line, problems.join("；")));
        }
    }
    Ok(parsed)
}

/// The changes of the parsed rows against the current values.
fn changes(
    parsed: &Parsed,
    current: &HashMap<i64, CsvRow>,
) -> (Vec<ImportChange>, Vec<(CsvRow, CsvRow)>) {
    let mut listed = Vec::new();
    let mut pairs = Vec::new();
    for (line, after) in &parsed.rows {
        let Some(before) = current.get(&after.id) else {
            continue;
        };
        if before == after {
            continue;
        }
        let mut add = |field: &str, b: String, a: String| {
            if b != a {
                listed.push(ImportChange {
                    line: *line,
                    sku_id: after.id,
                    name: before.name.clone(),
                    field: field.to_owned(),
                    before: b,
                    after: a,
                });
            }
        };
        add("price", format_fen(before.price), format_fen(after.price));
        add(
            "market_price",
            format_fen(before.market_price),
            format_fen(after.market_price),
        );
        add("stock", before.stock.to_string(), after.stock.to_string());
        add(
            "launched",
            before.is_launched.to_string(),
            after.is_launched.to_string(),
        );
        pairs.push((before.clone(), after.clone()));
    }
    (listed, pairs)
}

/// Previews or applies (`apply=1`) a CSV of SKUs (`goods.change`), the export's columns;
/// names are not changed by it. The preview lists every value that would change (line, SKU,
/// field, before, after) and every bad line with its reason; applying saves the whole file in
/// one transaction, only when no line is bad, and only if no SKU changed since the values
/// compared (else 409 / 60102: preview again). Stock changes are recorded as adjustments
/// ("CSV 导入"). The body is the file itself (at most 64 KiB, about 1,000 SKUs).
#[utoipa::path(post, path = "/v1/admin/skus/import", tag = "admin", security(("staff" = [])), params(ImportQuery),
    request_body(content = String, content_type = "text/csv", description = "The CSV file (UTF-8, BOM optional)"),
    responses((status = 200, body = ImportResponse), (status = 400, description = "Not UTF-8, not CSV, a wrong header (10123), or bad lines when applying (10123, with the report)", body = ImportResponse), (status = 401, description = "Not a valid console token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Permission missing (60101)", body = dadashop_types::ErrorBody), (status = 409, description = "A SKU changed meanwhile (60102)", body = dadashop_types::ErrorBody)))]
async fn import(
    State(state): State<AppState>,
    auth: AuthStaff,
    Query(q): Query<ImportQuery>,
    body: Bytes,
) -> ApiResult<Response> {
    auth.require("goods.change")?;
    let apply = q.apply.as_deref().map(str::trim) == Some("1");
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::bad_params("文件不是 UTF-8 编码：请在 Excel 中另存为“CSV UTF-8”"))?;
    if text.trim_start_matches(BOM).trim().is_empty() {
        return Err(ApiError::bad_params("文件是空的"));
    }
    let current: HashMap<i64, CsvRow> = skus::csv_rows(&state.db)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let parsed = parse(text, &current).map_err(ApiError::bad_params)?;
    let (listed, pairs) = changes(&parsed, &current);
    let mut report = ImportReport {
        rows: parsed.count,
        changes: listed,
        errors: parsed.errors,
        applied: false,
    };
    if !apply {
        return Ok(Json(ImportResponse {
            code: codes::OK,
            error: None,
            data: report,
        })
        .into_response());
    }
    if !report.errors.is_empty() {
        return Ok((
            StatusCode::BAD_REQUEST,
            Json(ImportResponse {
                code: codes::BAD_PARAMETERS,
                error: Some(format!("有 {} 行有误，未做任何修改", report.errors.len())),
                data: report,
            }),
        )
            .into_response());
    }
    if !pairs.is_empty() {
        let saved = skus::apply_import(
            &state.db,
            &pairs,
            IMPORT_REASON,
            &auth.actor(),
            db::now_secs(),
        )
        .await?;
        if !saved {
            return Err(ApiError::Conflict {
                code: codes::ADMIN_STALE,
                message: "导入期间有商品被修改（如新订单占用了库存），未做任何修改，请重新预览"
                    .to_owned(),
            });
        }
        if let Err(e) = crate::catalog::announce_change(&state.kv).await {
            tracing::warn!(error = %e, "could not announce a goods change");
        }
        tracing::info!(
            skus = pairs.len(),
            staff_id = auth.staff.id,
            "SKU import applied"
        );
    }
    report.applied = true;
    Ok(Json(ImportResponse {
        code: codes::OK,
        error: None,
        data: report,
    })
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn current() -> HashMap<i64, CsvRow> {
        let row = CsvRow {
            id: 1,
            name: "拉杆箱".into(),
            price: 19_900,
            market_price: 29_900,
            stock: 5,
            is_launched: 1,
        };
        HashMap::from([(1, row)])
    }

    #[test]
    fn a_file_is_checked_line_by_line() {
        let text = "\u{feff}id,name,price,market_price,stock,launched\n\
                    1,拉杆箱,199.50,299.00,7,0\n\
                    2,x,1,1,1,1\n\
                    1,拉杆箱,1,1,1,1\n\
                    abc,x,1,1,1,1\n";
        let now = current();
        let parsed = parse(text, &now).expect("csv");
        assert_eq!(parsed.count, 4);
        assert_eq!(parsed.rows.len(), 1);
        let lines: Vec<u64> = parsed.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [3, 4, 5]);
        let (listed, pairs) = changes(&parsed, &now);
        let fields: Vec<&str> = listed.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["price", "stock", "launched"]);
        assert_eq!(pairs[0].1.price, 19_950);
    }

    #[test]
    fn bad_values_and_headers_are_named() {
        let now = current();
        let parsed = parse(
            "id,name,price,market_price,stock,launched\n1,x,-1,abc,1000001,2\n",
            &now,
        )
        .expect("csv");
        let reason = &parsed.errors[0].reason;
        for part in ["price", "market_price", "stock", "launched"] {
            assert!(reason.contains(part), "{reason}");
        }
        assert!(parse("name,id\n", &now).is_err());
    }
}
