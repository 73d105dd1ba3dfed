//! Per-request batch loaders, so lists cost a constant number of statements.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use sea_orm::DatabaseConnection;

use crate::error::AppError;
use crate::service::{contacts, groups};

pub struct DbLoader {
    db: DatabaseConnection,
}

impl DbLoader {
    pub fn new(db: DatabaseConnection) -> Self {
        DbLoader { db }
    }
}

/// A contact id, to load its group ids.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct GroupIdsOfContact(pub String);

/// A group id, to load its member count.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ContactCountOfGroup(pub String);

impl Loader<GroupIdsOfContact> for DbLoader {
    type Value = Vec<String>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[GroupIdsOfContact],
    ) -> Result<HashMap<GroupIdsOfContact, Vec<String>>, AppError> {
        let ids: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
        let found = contacts::group_ids_of(&self.db, &ids).await?;
        Ok(found
            .into_iter()
            .map(|(id, groups)| (GroupIdsOfContact(id), groups))
            .collect())
    }
}

impl Loader<ContactCountOfGroup> for DbLoader {
    type Value = i64;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[ContactCountOfGroup],
    ) -> Result<HashMap<ContactCountOfGroup, i64>, AppError> {
        let ids: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
        let found = groups::contact_counts(&self.db, &ids).await?;
        Ok(found
            .into_iter()
            .map(|(id, n)| (ContactCountOfGroup(id), n))
            .collect())
    }
}
