//! Workspaces: the tenant boundary. Every other row belongs to exactly one.

use chrono::{DateTime, Utc};
use entity::workspace;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
    TransactionSession,
};

use crate::error::{AppError, AppResult};
use crate::ids;

pub use entity::states::Plan;

/// A plan named by a caller (the CLI).
pub fn parse_plan(value: &str) -> AppResult<Plan> {
    Plan::parse(value)
        .ok_or_else(|| AppError::invalid_field("plan", "plan must be free, starter or pro"))
}

/// Whether API keys may be used: the API is a Pro feature.
pub fn allows_api_keys(plan: Plan) -> bool {
    plan == Plan::Pro
}

pub async fn create(
    db: &impl ConnectionTrait,
    name: &str,
    plan: Plan,
    now: DateTime<Utc>,
) -> AppResult<workspace::Model> {
    let name = super::clean_text("name", Some(name.to_owned()), 200)?
        .ok_or_else(|| AppError::invalid_field("name", "Workspace name is required"))?;
    let row = workspace::ActiveModel {
        id: Set(ids::new_id(ids::WORKSPACE)),
        name: Set(name),
        plan: Set(plan),
        created_at: Set(now),
        contact_count: Set(0),
    };
    Ok(row.insert(db).await?)
}

/// Changes a workspace's plan; every instance re-reads its keys' plan at once.
pub async fn set_plan<C: ConnectionTrait + sea_orm::TransactionTrait>(
    db: &C,
    id: &str,
    plan: Plan,
) -> AppResult<workspace::Model> {
    let txn = crate::db::begin_write(db).await?;
    let mut row: workspace::ActiveModel = get(&txn, id).await?.into();
    row.plan = Set(plan);
    let updated = row.update(&txn).await?;
    crate::signals::send(
        &txn,
        crate::signals::Signal::WorkspaceChanged(id.to_owned()),
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

pub async fn get(db: &impl ConnectionTrait, id: &str) -> AppResult<workspace::Model> {
    workspace::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("Workspace"))
}

/// Locks the workspace's row until the end of `txn` (PostgreSQL `FOR UPDATE`; a SQLite write
/// transaction already excludes other writers): a check over its rows stays true until commit.
pub async fn lock(txn: &impl ConnectionTrait, id: &str) -> AppResult<()> {
    use sea_orm::QuerySelect;
    workspace::Entity::find_by_id(id.to_owned())
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or_else(|| AppError::not_found("Workspace"))?;
    Ok(())
}

/// Moves the workspace's contact count by `n`; run it in the transaction that adds or removes them.
pub async fn add_contacts(db: &impl ConnectionTrait, workspace_id: &str, n: i64) -> AppResult<()> {
    if n != 0 {
        workspace::Entity::update_many()
            .col_expr(
                workspace::Column::ContactCount,
                Expr::col(workspace::Column::ContactCount).add(n),
            )
            .filter(workspace::Column::Id.eq(workspace_id))
            .exec(db)
            .await?;
    }
    Ok(())
}

pub async fn count(db: &impl ConnectionTrait) -> AppResult<u64> {
    Ok(workspace::Entity::find().count(db).await?)
}
