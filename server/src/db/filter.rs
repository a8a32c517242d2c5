//! A `WHERE` clause built from optional filters, with its values bound in order (the
//! console's lists), and the capped count of what it matches.

use sqlx::any::AnyArguments;
use sqlx::query::{QueryAs, QueryScalar};
use sqlx::{Any, AnyPool};

/// A value bound to a `?` of the clause.
#[derive(Debug, Clone)]
enum Bound {
    Int(i64),
    Text(String),
}

/// Conditions joined with `AND`, each with the values of its `?`s.
#[derive(Debug, Clone, Default)]
pub struct Where {
    conditions: Vec<String>,
    values: Vec<Bound>,
}

impl Where {
    /// Adds `condition` with one `?` bound to `value`.
    pub fn int(&mut self, condition: &str, value: i64) -> &mut Self {
        self.conditions.push(condition.to_owned());
        self.values.push(Bound::Int(value));
        self
    }

    /// Adds `condition` with one `?` bound to `value`.
    pub fn text(&mut self, condition: &str, value: String) -> &mut Self {
        self.conditions.push(condition.to_owned());
        self.values.push(Bound::Text(value));
        self
    }

    /// Adds `condition` whose `?`s take `values` in order.
    pub fn texts(&mut self, condition: &str, values: &[&str]) -> &mut Self {
        self.conditions.push(condition.to_owned());
        self.values
            .extend(values.iter().map(|v| Bound::Text((*v).to_owned())));
        self
    }

    /// Adds `condition` whose `?`s take `ints` in order, then `text`.
    pub fn ints_then_text(&mut self, condition: &str, ints: &[i64], text: String) -> &mut Self {
        self.conditions.push(condition.to_owned());
        self.values.extend(ints.iter().map(|i| Bound::Int(*i)));
        self.values.push(Bound::Text(text));
        self
    }

    /// ` WHERE a AND b`, or nothing without conditions.
    pub fn sql(&self) -> String {
        if self.conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.conditions.join(" AND "))
        }
    }

    /// Binds the values, in order, to `query`.
    pub fn bind_all<'q, O>(
        &self,
        mut query: QueryAs<'q, Any, O, AnyArguments<'q>>,
    ) -> QueryAs<'q, Any, O, AnyArguments<'q>> {
        for v in &self.values {
            query = match v {
                Bound::Int(i) => query.bind(*i),
                Bound::Text(t) => query.bind(t.clone()),
            };
        }
        query
    }

    /// Binds the values, in order, to `query`.
    pub fn bind_scalar<'q, O>(
        &self,
        mut query: QueryScalar<'q, Any, O, AnyArguments<'q>>,
    ) -> QueryScalar<'q, Any, O, AnyArguments<'q>> {
        for v in &self.values {
            query = match v {
                Bound::Int(i) => query.bind(*i),
                Bound::Text(t) => query.bind(t.clone()),
            };
        }
        query
    }

    /// The rows of `table` matching, counted up to `cap + 1` (so that a list over a large
    /// table never counts it all: the caller shows "cap+").
    pub async fn count_capped(
        &self,
        pool: &AnyPool,
        table: &str,
        cap: i64,
    ) -> Result<i64, sqlx::Error> {
        let sql = format!(
            "SELECT COUNT(*) FROM (SELECT 1 AS one FROM {table}{} LIMIT ?) counted",
            self.sql()
        );
        self.bind_scalar(sqlx::query_scalar::<_, i64>(&sql))
            .bind(cap.saturating_add(1))
            .fetch_one(pool)
            .await
    }
}

/// The offset of page `page` (from 1) of `size` rows, saturating.
pub fn offset(page: u64, size: u32) -> i64 {
    i64::try_from(page.saturating_sub(1))
        .unwrap_or(i64::MAX)
        .saturating_mul(i64::from(size))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_join_with_and() {
        let mut w = Where::default();
        assert_eq!(w.sql(), "");
        w.int("status = ?", 2).text("username = ?", "tom".into());
        assert_eq!(w.sql(), " WHERE status = ? AND username = ?");
        assert_eq!(offset(1, 20), 0);
        assert_eq!(offset(3, 20), 40);
        assert_eq!(offset(u64::MAX, 20), i64::MAX);
    }
}
