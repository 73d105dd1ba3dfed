//! Types shared by several domains.

use async_graphql::{Enum, SimpleObject};

use crate::service::{self, Page};

/// Where a page sits in its list.
#[derive(SimpleObject, Clone, Debug)]
pub struct PageInfo {
    /// The page shown: the one asked for, or the one the cursor leads to.
    pub page: u64,
    pub per_page: u64,
    /// Rows across all pages: exact, unless `totalIsEstimate`.
    pub total: u64,
    pub total_pages: u64,
    /// `total` is an estimate: more than 10 000 rows match a filter, and counting them all
    /// would cost a scan.
    pub total_is_estimate: bool,
    /// Pass as `cursor` to read the next page (its cost does not grow with depth); null on
    /// the last page.
    pub next_cursor: Option<String>,
}

impl PageInfo {
    pub fn of<T>(page: &Page<T>) -> Self {
        PageInfo {
            page: page.request.page,
            per_page: page.request.per_page,
            total: page.total,
            total_pages: page.total_pages(),
            total_is_estimate: page.estimated,
            next_cursor: page.next_cursor.clone(),
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
