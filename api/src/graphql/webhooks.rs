//! Webhooks in GraphQL. The signing secret appears only in the answers to create and rotate.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use entity::{webhook, webhook_attempt};

use super::types::{Deleted, PageInfo};
use super::{db, now, principal};
use crate::ids::rfc3339;
use crate::secrets::Keyring;
use crate::service::PageRequest;
use crate::service::webhooks::{self as svc, UrlPolicy};

pub struct Webhook {
    row: webhook::Model,
    /// The plain signing secret, shown once: on create and on rotation.
    secret: Option<String>,
}

impl Webhook {
    fn hidden(row: webhook::Model) -> Self {
        Webhook { row, secret: None }
    }
    fn revealed((row, secret): (webhook::Model, String)) -> Self {
        Webhook {
            row,
            secret: Some(secret),
        }
    }
}

#[Object]
impl Webhook {
    async fn id(&self) -> ID {
        ID(self.row.id.clone())
    }
    async fn url(&self) -> &str {
        &self.row.url
    }
    /// Event types delivered, or `["*"]` for all.
    async fn events(&self) -> Vec<String> {
        serde_json::from_value(self.row.events.clone()).unwrap_or_default()
    }
    async fn description(&self) -> Option<&str> {
        self.row.description.as_deref()
    }
    /// False once disabled (by the user, a `410 Gone`, or five days of failures).
    async fn active(&self) -> bool {
        self.row.active
    }
    /// Why the endpoint was disabled automatically.
    async fn disabled_reason(&self) -> Option<&str> {
        self.row.disabled_reason.as_deref()
    }
    /// `whsec_…`: only in the answer to `createWebhook` and `rotateWebhookSecret`.
    async fn secret(&self) -> Option<&str> {
        self.secret.as_deref()
    }
    async fn created_at(&self) -> String {
        rfc3339(&self.row.created_at)
    }
    async fn updated_at(&self) -> String {
        rfc3339(&self.row.updated_at)
    }
    /// Delivery attempts, newest first.
    #[graphql(complexity = "crate::graphql::page_cost(per_page, child_complexity)")]
    async fn deliveries(
        &self,
        ctx: &Context<'_>,
        page: Option<i32>,
        per_page: Option<i32>,
        #[graphql(desc = "Where to start instead of `page`: the `nextCursor` of the page before")]
        cursor: Option<String>,
    ) -> Result<WebhookAttemptPage> {
        let request = PageRequest::new(page, per_page, cursor.as_deref())?;
        let found = svc::attempts(db(ctx)?, &self.row.workspace_id, &self.row.id, request).await?;
        let page_info = PageInfo::of(&found);
        Ok(WebhookAttemptPage {
            items: found.items.into_iter().map(WebhookAttempt).collect(),
            page_info,
        })
    }
}

/// One delivery attempt.
pub struct WebhookAttempt(webhook_attempt::Model);

#[Object]
impl WebhookAttempt {
    async fn event_id(&self) -> &str {
        &self.0.event_id
    }
    async fn event_type(&self) -> &str {
        &self.0.event_type
    }
    /// 1 for the first try.
    async fn attempt(&self) -> i32 {
        self.0.attempt
    }
    async fn success(&self) -> bool {
        self.0.success
    }
    async fn status_code(&self) -> Option<i32> {
        self.0.status_code
    }
    async fn error(&self) -> Option<&str> {
        self.0.error.as_deref()
    }
    async fn duration_ms(&self) -> i64 {
        self.0.duration_ms
    }
    async fn created_at(&self) -> String {
        rfc3339(&self.0.created_at)
    }
}

#[derive(SimpleObject)]
pub struct WebhookPage {
    pub items: Vec<Webhook>,
    pub page_info: PageInfo,
}

#[derive(SimpleObject)]
pub struct WebhookAttemptPage {
    pub items: Vec<WebhookAttempt>,
    pub page_info: PageInfo,
}

#[derive(SimpleObject)]
pub struct WebhookTest {
    /// The `webhook.test` event queued for the endpoint.
    pub event_id: String,
}

/// A new subscription: `url` (https) and `events` (names from the catalogue, or `["*"]`, the default).
#[derive(InputObject)]
pub struct WebhookInput {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub description: Option<String>,
    pub active: Option<bool>,
}

/// Fields present are replaced; `active: true` re-enables a disabled endpoint.
#[derive(InputObject)]
pub struct WebhookUpdate {
    pub url: MaybeUndefined<String>,
    pub events: MaybeUndefined<Vec<String>>,
    pub description: MaybeUndefined<String>,
    pub active: MaybeUndefined<bool>,
}

fn policy(ctx: &Context<'_>) -> Result<UrlPolicy> {
    Ok(*ctx.data::<UrlPolicy>()?)
}

#[derive(Default)]
pub struct WebhookQuery;

#[Object]
impl WebhookQuery {
    async fn webhook(&self, ctx: &Context<'_>, id: ID) -> Result<Webhook> {
        let who = principal(ctx)?;
        Ok(Webhook::hidden(
            svc::get(db(ctx)?, &who.workspace_id, &id).await?,
        ))
    }

    /// Webhooks, newest first.
    #[graphql(complexity = "crate::graphql::page_cost(per_page, child_complexity)")]
    async fn webhooks(
        &self,
        ctx: &Context<'_>,
        page: Option<i32>,
        per_page: Option<i32>,
        #[graphql(desc = "Where to start instead of `page`: the `nextCursor` of the page before")]
        cursor: Option<String>,
    ) -> Result<WebhookPage> {
        let who = principal(ctx)?;
        let request = PageRequest::new(page, per_page, cursor.as_deref())?;
        let found = svc::list(db(ctx)?, &who.workspace_id, request).await?;
        let page_info = PageInfo::of(&found);
        Ok(WebhookPage {
            items: found.items.into_iter().map(Webhook::hidden).collect(),
            page_info,
        })
    }
}

#[derive(Default)]
pub struct WebhookMutation;

#[Object]
impl WebhookMutation {
    /// Subscribes an endpoint. The answer carries the signing secret, once.
    async fn create_webhook(&self, ctx: &Context<'_>, input: WebhookInput) -> Result<Webhook> {
        let who = principal(ctx)?;
        let input = svc::WebhookInput {
            url: input.url,
            events: input.events,
            description: input.description,
            active: input.active,
        };
        Ok(Webhook::revealed(
            svc::create(
                db(ctx)?,
                &who.workspace_id,
                policy(ctx)?,
                input,
                ctx.data::<Keyring>()?,
                now(ctx)?,
            )
            .await?,
        ))
    }

    async fn update_webhook(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: WebhookUpdate,
    ) -> Result<Webhook> {
        let who = principal(ctx)?;
        let patch = svc::WebhookPatch {
            url: input.url.into(),
            events: input.events.into(),
            description: input.description.into(),
            active: input.active.into(),
        };
        Ok(Webhook::hidden(
            svc::update(
                db(ctx)?,
                &who.workspace_id,
                &id,
                policy(ctx)?,
                patch,
                now(ctx)?,
            )
            .await?,
        ))
    }

    async fn delete_webhook(&self, ctx: &Context<'_>, id: ID) -> Result<Deleted> {
        let who = principal(ctx)?;
        Ok(Deleted::new(
            svc::delete(db(ctx)?, &who.workspace_id, &id).await?,
        ))
    }

    /// Issues a new secret (in the answer, once); the old one keeps signing for 24 hours.
    async fn rotate_webhook_secret(&self, ctx: &Context<'_>, id: ID) -> Result<Webhook> {
        let who = principal(ctx)?;
        Ok(Webhook::revealed(
            svc::rotate_secret(
                db(ctx)?,
                &who.workspace_id,
                &id,
                ctx.data::<Keyring>()?,
                now(ctx)?,
            )
            .await?,
        ))
    }

    /// Queues a `webhook.test` event for this endpoint.
    async fn test_webhook(&self, ctx: &Context<'_>, id: ID) -> Result<WebhookTest> {
        let who = principal(ctx)?;
        Ok(WebhookTest {
            event_id: svc::send_test(db(ctx)?, &who.workspace_id, &id, now(ctx)?).await?,
        })
    }
}
