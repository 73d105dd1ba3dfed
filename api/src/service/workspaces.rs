//! Workspaces: the tenant boundary. Every other row belongs to exactly one.

use entity::workspace;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, PaginatorTrait, Set};

use crate::error::{AppError, AppResult};
use crate::ids;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Plan {
    Free,
    Starter,
    Pro,
}

impl Plan {
    pub const ALL: [Plan; 3] = [Plan::Free, Plan::Starter, Plan::Pro];

    pub fn as_str(self) -> &'static str {
        match self {
            Plan::Free => "free",
            Plan::Starter => "starter",
            Plan::Pro => "pro",
        }
    }

    pub fn parse(value: &str) -> AppResult<Plan> {
        Plan::ALL
            .into_iter()
            .find(|plan| plan.as_str() == value)
            .ok_or_else(|| AppError::invalid_field("plan", "plan must be free, starter or pro"))
    }

    /// Whether API keys may be used: the API is a Pro feature.
    pub fn allows_api_keys(self) -> bool {
        self == Plan::Pro
    }
}

pub async fn create(
    db: &impl ConnectionTrait,
    name: &str,
    plan: Plan,
) -> AppResult<workspace::Model> {
    let name = super::clean_text("name", Some(name.to_owned()), 200)?
        .ok_or_else(|| AppError::invalid_field("name", "Workspace name is required"))?;
    let row = workspace::ActiveModel {
        id: Set(ids::new_id(ids::WORKSPACE)),
        name: Set(name),
        plan: Set(plan.as_str().to_owned()),
        created_at: Set(ids::now()),
    };
    Ok(row.insert(db).await?)
}

pub async fn get(db: &impl ConnectionTrait, id: &str) -> AppResult<workspace::Model> {
    workspace::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("Workspace"))
}

pub async fn count(db: &impl ConnectionTrait) -> AppResult<u64> {
    Ok(workspace::Entity::find().count(db).await?)
}
