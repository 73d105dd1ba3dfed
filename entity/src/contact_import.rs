use sea_orm::entity::prelude::*;

use crate::states::{Duplicates, ImportStatus};

/// A CSV import of contacts: the file, how its columns map, and how far the worker got. Rows are
/// committed in chunks together with `processed`, so a restart resumes where it stopped.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contact_imports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub workspace_id: String,
    /// `queued`, `running`, `completed` or `failed`.
    pub status: ImportStatus,
    /// The file, decoded to UTF-8; emptied once the import completed (a failed import's is
    /// kept for a day, then purged).
    #[sea_orm(column_type = "Text")]
    pub source: String,
    /// The size of the file `source` holds, in bytes (0 once it is dropped).
    pub file_bytes: i64,
    pub delimiter: String,
    /// Column index (as a string) → field (`email`, `firstName`, …, `customFields.<key>`).
    pub mapping: Json,
    pub group_id: Option<String>,
    /// `skip` or `update`.
    pub duplicates: Duplicates,
    pub total: i32,
    pub processed: i32,
    /// Byte offset in `source` of the first row not yet processed.
    pub position: i64,
    pub created: i32,
    pub updated: i32,
    pub skipped: i32,
    pub failed_rows: i32,
    /// The first 1 000 row errors: `[{row, column, message}]`.
    pub errors: Json,
    /// A worker's claim on it, while it runs.
    pub locked_until: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub started_at: Option<DateTimeUtc>,
    pub completed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
