//! CSV imports of contacts in GraphQL.

use async_graphql::{Context, ID, Object, Result, SimpleObject};
use entity::contact_import;

use super::{db, now, principal};
use crate::ids::rfc3339;
use crate::service::imports::{self as svc, Duplicates};

pub use entity::states::Duplicates as DuplicatePolicy;

/// One row that could not be imported.
#[derive(SimpleObject)]
pub struct ImportError {
    /// The CSV line the row starts on (the header is line 1).
    pub row: i64,
    /// The CSV column at fault, when there is one.
    pub column: Option<String>,
    pub message: String,
}

/// A CSV import of contacts, run in the background.
pub struct ContactImport(pub contact_import::Model);

#[Object]
impl ContactImport {
    /// `imp_…`
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    /// `queued`, `running`, `completed` or `failed`.
    async fn status(&self) -> &str {
        self.0.status.as_str()
    }
    /// Data rows in the file.
    async fn total(&self) -> i32 {
        self.0.total
    }
    /// Rows handled so far.
    async fn processed(&self) -> i32 {
        self.0.processed
    }
    async fn created(&self) -> i32 {
        self.0.created
    }
    async fn updated(&self) -> i32 {
        self.0.updated
    }
    /// Rows whose email already existed, left alone (`duplicates: skip`).
    async fn skipped(&self) -> i32 {
        self.0.skipped
    }
    /// Rows refused (see `errors`).
    async fn failed_rows(&self) -> i32 {
        self.0.failed_rows
    }
    /// The first 1 000 refused rows.
    async fn errors(&self) -> Vec<ImportError> {
        self.0
            .errors
            .as_array()
            .map(|list| {
                list.iter()
                    .map(|e| ImportError {
                        row: e["row"].as_i64().unwrap_or(0),
                        column: e["column"].as_str().map(str::to_owned),
                        message: e["message"].as_str().unwrap_or_default().to_owned(),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
    async fn group_id(&self) -> Option<ID> {
        self.0.group_id.clone().map(ID)
    }
    async fn duplicates(&self) -> DuplicatePolicy {
        self.0.duplicates
    }
    async fn created_at(&self) -> String {
        rfc3339(&self.0.created_at)
    }
    async fn started_at(&self) -> Option<String> {
        self.0.started_at.as_ref().map(rfc3339)
    }
    async fn completed_at(&self) -> Option<String> {
        self.0.completed_at.as_ref().map(rfc3339)
    }
}

#[derive(Default)]
pub struct ImportQuery;

#[Object]
impl ImportQuery {
    async fn contact_import(&self, ctx: &Context<'_>, id: ID) -> Result<ContactImport> {
        let who = principal(ctx)?;
        Ok(ContactImport(
            svc::get(db(ctx)?, &who.workspace_id, &id).await?,
        ))
    }
}

#[derive(Default)]
pub struct ImportMutation;

#[Object]
impl ImportMutation {
    /// Imports contacts from a CSV with a header row (UTF-8 or Latin-1; `,`, `;` or tab),
    /// in the background: poll `contactImport`. Columns map by header name (email,
    /// firstName/first_name, lastName, company, phone; others become custom fields) unless
    /// `mapping` names them: `{"E-mail": "email", "Plan": "customFields.plan", "Notes":
    /// "ignore"}`. Up to 100 000 rows.
    async fn import_contacts(
        &self,
        ctx: &Context<'_>,
        csv: String,
        group_id: Option<ID>,
        duplicates: Option<DuplicatePolicy>,
        mapping: Option<async_graphql::Json<serde_json::Value>>,
    ) -> Result<ContactImport> {
        let who = principal(ctx)?;
        let new = svc::NewImport {
            bytes: csv.into_bytes(),
            group_id: group_id.map(|g| g.0),
            duplicates: duplicates.map(|d| match d {
                DuplicatePolicy::Skip => Duplicates::Skip,
                DuplicatePolicy::Update => Duplicates::Update,
            }),
            mapping: mapping.map(|m| m.0),
        };
        Ok(ContactImport(
            svc::create(
                db(ctx)?,
                &who.workspace_id,
                new,
                *ctx.data::<svc::ImportQuota>()?,
                now(ctx)?,
            )
            .await?,
        ))
    }
}
