//! Types shared by several domains.

use async_graphql::{Enum, SimpleObject};

use crate::service::{self, Page};

#[derive(SimpleObject, Clone, Debug)]
pub struct PageInfo {
    pub page: u64,
    pub per_page: u64,
    pub total: u64,
    pub total_pages: u64,
}

impl PageInfo {
    pub fn of<T>(page: &Page<T>) -> Self {
        PageInfo {
            page: page.request.page,
            per_page: page.request.per_page,
            total: page.total,
            total_pages: page.total_pages(),
        }
    }
}

#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, Default)]
#[graphql(rename_items = "lowercase")]
pub enum SortOrder {
    Asc,
    #[default]
    Desc,
}

impl From<SortOrder> for service::SortOrder {
    fn from(order: SortOrder) -> Self {
        match order {
            SortOrder::Asc => service::SortOrder::Asc,
            SortOrder::Desc => service::SortOrder::Desc,
        }
    }
}

/// The answer to a delete.
#[derive(SimpleObject, Clone, Debug)]
pub struct Deleted {
    pub id: String,
    pub deleted: bool,
}

impl Deleted {
    pub fn new(id: String) -> Self {
        Deleted { id, deleted: true }
    }
}
