//! Raw SQL for both backends, for the aggregate queries the entity API does not express well
//! (grouped counts over joins, `EXISTS` windows).
//!
//! Statements are written once, with PostgreSQL's numbered placeholders `$1, $2…`; on SQLite
//! they become `?1, ?2…`, which number the same way (so one value may be used twice). Integer
//! results are read from columns named `k` (a key) and `n` (a count or a sum); write sums as
//! `CAST(SUM(x) AS BIGINT)` so PostgreSQL does not return `NUMERIC`.

use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr, Statement, Value};

/// `sql` (with `$1…` placeholders) and its `values`, for `backend`.
pub fn statement(backend: DatabaseBackend, sql: &str, values: impl IntoIterator<Item = Value>) -> Statement {
    let sql = match backend {
        DatabaseBackend::Sqlite => sql.replace('$', "?"),
        _ => sql.to_owned(),
    };
    Statement::from_sql_and_values(backend, sql, values)
}

/// The integer column `n` of the first row (0 without a row, for NULL, or below zero).
pub async fn query_count(db: &impl ConnectionTrait, statement: Statement) -> Result<u64, DbErr> {
    let row = db.query_one_raw(statement).await?;
    Ok(row.map(|row| row.try_get::<Option<i64>>("", "n")).transpose()?.flatten().map_or(0, non_negative))
}

/// Every row's integer columns `k` and `n`, e.g. a count per merchant.
pub async fn query_pairs(db: &impl ConnectionTrait, statement: Statement) -> Result<Vec<(i64, u64)>, DbErr> {
    db.query_all_raw(statement)
        .await?
        .iter()
        .map(|row| {
            Ok((
                row.try_get::<i64>("", "k")?,
                non_negative(row.try_get::<Option<i64>>("", "n")?.unwrap_or(0)),
            ))
        })
        .collect()
}

fn non_negative(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_follow_the_backend() {
        let values = [Value::from(1i64), Value::from(2i64)];
        let sqlite = statement(DatabaseBackend::Sqlite, "SELECT $1 + $2 + $1", values.clone());
        assert_eq!(sqlite.sql, "SELECT ?1 + ?2 + ?1");
        let postgres = statement(DatabaseBackend::Postgres, "SELECT $1 + $2 + $1", values);
        assert_eq!(postgres.sql, "SELECT $1 + $2 + $1");
        assert_eq!(postgres.values.map(|v| v.0.len()), Some(2));
    }
}
