//! The shared request budget kept as counts per second instead of one entry per request: the
//! row stays at most 61 numbers whatever the limit, and one call can grant an instance several
//! requests at once (PostgreSQL only; SQLite keeps the budget in process).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `fluenzr_rate_take(key, now_ms, limit, want, back_second, back_count)`: under the row's lock,
/// drops the seconds that left the window, gives back `back_count` unused grants of
/// `back_second`, then grants up to `want` requests in the current second while the seconds
/// that can overlap the last 60 s (the current one and the 60 before) hold fewer than `limit`.
/// Answers what was granted, the count after it and the oldest second still counted.
const TAKE: &str = r#"
CREATE FUNCTION fluenzr_rate_take(p_key varchar, p_now_ms bigint, p_limit bigint, p_want bigint,
                                  p_back_second bigint, p_back_count bigint,
                                  OUT granted bigint, OUT used bigint, OUT oldest_second bigint)
LANGUAGE plpgsql AS $$
DECLARE
  s bigint := p_now_ms / 1000;
  lo bigint := s - 60;
  v_first bigint;
  v_counts bigint[];
  i bigint;
BEGIN
  INSERT INTO rate_limits (key, first_second, counts) VALUES (p_key, s, '{}')
    ON CONFLICT (key) DO NOTHING;
  SELECT r.first_second, r.counts INTO v_first, v_counts FROM rate_limits r WHERE r.key = p_key FOR UPDATE;
  IF v_first < lo THEN
    v_counts := v_counts[(lo - v_first + 1):];
    v_first := lo;
  END IF;
  IF coalesce(cardinality(v_counts), 0) = 0 THEN
    v_counts := '{}';
    v_first := s;
  END IF;
  IF v_first + cardinality(v_counts) - 1 < s THEN
    v_counts := v_counts || array_fill(0::bigint, ARRAY[(s - v_first + 1 - cardinality(v_counts))::int]);
  END IF;
  IF p_back_count > 0 AND p_back_second >= v_first AND p_back_second <= s THEN
    i := p_back_second - v_first + 1;
    v_counts[i] := greatest(0, v_counts[i] - p_back_count);
  END IF;
  SELECT coalesce(sum(c), 0) INTO used FROM unnest(v_counts) AS c;
  granted := greatest(0, least(p_want, p_limit - used));
  i := s - v_first + 1;
  v_counts[i] := v_counts[i] + granted;
  used := used + granted;
  SELECT v_first + min(k) - 1 INTO oldest_second FROM generate_subscripts(v_counts, 1) AS k WHERE v_counts[k] > 0;
  UPDATE rate_limits SET first_second = v_first, counts = v_counts WHERE key = p_key;
END
$$
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        // The old per-request log is a minute's state at most: it is not carried over.
        db.execute_unprepared("DROP TABLE rate_limits").await?;
        db.execute_unprepared(
            "CREATE TABLE rate_limits (key varchar(64) PRIMARY KEY, first_second bigint NOT NULL, \
             counts bigint[] NOT NULL)",
        )
        .await?;
        db.execute_unprepared(TAKE).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared("DROP FUNCTION fluenzr_rate_take")
            .await?;
        db.execute_unprepared("DROP TABLE rate_limits").await?;
        db.execute_unprepared(
            "CREATE TABLE rate_limits (key varchar(64) PRIMARY KEY, hits bigint[] NOT NULL)",
        )
        .await?;
        Ok(())
    }
}
