//! A data version per workspace, moved by the database itself in the same transaction as every
//! write to what the API shows, so a read cached under a version is served again only while
//! nothing it could show has changed.
//!
//! The version of a workspace is the sum of its `workspace_versions` rows. SQLite has one writer
//! and keeps one row (`slot` 0), bumped by a trigger per written row. PostgreSQL keeps up to 64
//! rows, one per connection slot (`pg_backend_pid() % 64`), so concurrent writers of one
//! workspace rarely wait on each other; each row only grows, so the sum grows with every commit.
//! The bump is a deferred constraint trigger: it runs at commit, after every other lock the
//! transaction takes, and once per workspace and transaction (see `pg_triggers`).
//!
//! Not versioned, because no read shows them except through answers that are never cached
//! (they depend on the clock): `send_counts`; and what the API never shows: `rate_limits`,
//! `idempotency_keys`, `campaign_event_firsts`, `inbound_messages`, `settings`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Tables whose rows carry `workspace_id`.
const BY_WORKSPACE: &[&str] = &[
    "api_keys",
    "users",
    "contacts",
    "contact_groups",
    "group_members",
    "contact_imports",
    "email_accounts",
    "campaigns",
    "campaign_contacts",
    "messages",
    "email_events",
    "events",
    "webhooks",
    "webhook_deliveries",
    "webhook_attempts",
];

/// Tables whose rows belong to a campaign.
const BY_CAMPAIGN: &[&str] = &["campaign_stats", "campaign_daily_stats"];

const PG_FUNCTIONS: &str = r#"
CREATE FUNCTION fluenzr_bump(p_workspace varchar) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF p_workspace IS NULL THEN
    RETURN;
  END IF;
  UPDATE workspace_versions SET version = version + 1
    WHERE workspace_id = p_workspace AND slot = pg_backend_pid() % 64;
  IF NOT FOUND THEN
    INSERT INTO workspace_versions (workspace_id, slot, version)
      VALUES (p_workspace, pg_backend_pid() % 64, 1)
      ON CONFLICT (workspace_id, slot) DO UPDATE SET version = workspace_versions.version + 1;
  END IF;
END
$$;

CREATE FUNCTION fluenzr_touch_by_workspace() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM fluenzr_bump(OLD.workspace_id);
  ELSE
    PERFORM fluenzr_bump(NEW.workspace_id);
  END IF;
  RETURN NULL;
END
$$;

CREATE FUNCTION fluenzr_touch_workspace() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM fluenzr_bump(OLD.id);
  ELSE
    PERFORM fluenzr_bump(NEW.id);
  END IF;
  RETURN NULL;
END
$$;

CREATE FUNCTION fluenzr_touch_by_campaign() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  c varchar;
BEGIN
  IF TG_OP = 'DELETE' THEN c := OLD.campaign_id; ELSE c := NEW.campaign_id; END IF;
  PERFORM fluenzr_bump((SELECT workspace_id FROM campaigns WHERE id = c));
  RETURN NULL;
END
$$;
"#;

/// The two PostgreSQL triggers of a table (`INSERT OR UPDATE` sees `NEW`, `DELETE` sees `OLD`),
/// `key` naming what a bump is for (an expression over the row). Their `WHEN` condition runs
/// as each row is written and queues the bump only the first time a key is seen in the
/// transaction (remembered in the transaction-local setting `fluenzr.queued`, which a rolled
/// back savepoint rolls back with its queued bumps), so a statement writing a thousand rows
/// queues one bump, not a thousand.
fn pg_triggers(table: &str, key: impl Fn(&str) -> String, function: &str) -> Vec<String> {
    [("INSERT OR UPDATE", "NEW", "write"), ("DELETE", "OLD", "delete")]
        .iter()
        .map(|(events, row, name)| {
            let key = key(row);
            format!(
                "CREATE CONSTRAINT TRIGGER fluenzr_version_{name} AFTER {events} ON {table} \
                 DEFERRABLE INITIALLY DEFERRED FOR EACH ROW \
                 WHEN (CASE WHEN position(' ' || {key} || ' ' IN \
                         coalesce(current_setting('fluenzr.queued', true), '')) > 0 THEN false \
                       ELSE set_config('fluenzr.queued', \
                         coalesce(current_setting('fluenzr.queued', true), '') || ' ' || {key} || ' ', \
                         true) IS NOT NULL END) \
                 EXECUTE FUNCTION {function}()"
            )
        })
        .collect()
}

/// SQLite: three triggers per table, `workspace` being an expression over `NEW` or `OLD`.
fn sqlite_triggers(table: &str, workspace: impl Fn(&str) -> String) -> Vec<String> {
    [("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")]
        .iter()
        .map(|(event, row)| {
            format!(
                "CREATE TRIGGER fluenzr_version_{table}_{event} AFTER {event} ON {table} \
                 BEGIN \
                 INSERT INTO workspace_versions (workspace_id, slot, version) \
                 SELECT w, 0, 1 FROM (SELECT {} AS w) WHERE w IS NOT NULL \
                 ON CONFLICT (workspace_id, slot) DO UPDATE SET version = version + 1; \
                 END",
                workspace(row),
                event = event.to_lowercase(),
            )
        })
        .collect()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE TABLE workspace_versions (workspace_id varchar(64) NOT NULL, \
             slot integer NOT NULL, version bigint NOT NULL, \
             PRIMARY KEY (workspace_id, slot))",
        )
        .await?;
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            db.execute_unprepared(PG_FUNCTIONS).await?;
            let mut statements = Vec::new();
            for table in BY_WORKSPACE {
                statements.extend(pg_triggers(
                    table,
                    |row| format!("{row}.workspace_id"),
                    "fluenzr_touch_by_workspace",
                ));
            }
            for table in BY_CAMPAIGN {
                statements.extend(pg_triggers(
                    table,
                    |row| format!("'c:' || {row}.campaign_id"),
                    "fluenzr_touch_by_campaign",
                ));
            }
            statements.extend(pg_triggers(
                "workspaces",
                |row| format!("{row}.id"),
                "fluenzr_touch_workspace",
            ));
            for statement in statements {
                db.execute_unprepared(&statement).await?;
            }
        } else {
            let mut statements = Vec::new();
            for table in BY_WORKSPACE {
                statements.extend(sqlite_triggers(table, |row| format!("{row}.workspace_id")));
            }
            for table in BY_CAMPAIGN {
                statements.extend(sqlite_triggers(table, |row| {
                    format!("(SELECT workspace_id FROM campaigns WHERE id = {row}.campaign_id)")
                }));
            }
            statements.extend(sqlite_triggers("workspaces", |row| format!("{row}.id")));
            for statement in statements {
                db.execute_unprepared(&statement).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let tables = BY_WORKSPACE
            .iter()
            .chain(BY_CAMPAIGN)
            .chain(&["workspaces"])
            .copied();
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            for table in tables {
                for name in ["write", "delete"] {
                    db.execute_unprepared(&format!(
                        "DROP TRIGGER fluenzr_version_{name} ON {table}"
                    ))
                    .await?;
                }
            }
            db.execute_unprepared(
                "DROP FUNCTION fluenzr_touch_by_workspace(); \
                 DROP FUNCTION fluenzr_touch_workspace(); \
                 DROP FUNCTION fluenzr_touch_by_campaign(); \
                 DROP FUNCTION fluenzr_bump(varchar)",
            )
            .await?;
        } else {
            for table in tables {
                for event in ["insert", "update", "delete"] {
                    db.execute_unprepared(&format!("DROP TRIGGER fluenzr_version_{table}_{event}"))
                        .await?;
                }
            }
        }
        db.execute_unprepared("DROP TABLE workspace_versions")
            .await?;
        Ok(())
    }
}
