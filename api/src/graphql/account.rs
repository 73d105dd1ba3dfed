//! Sign-up, sign-in, the caller's workspace and API keys.

use std::sync::Arc;

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use entity::{api_key, user, workspace};

use super::{db, now, principal};
use crate::auth::{KeyCache, PrincipalKind, Sessions};
use crate::error::{AppError, ErrorCode};
use crate::ids::rfc3339;
use crate::service::{accounts, workspaces};
use crate::throttle::{ClientAddr, LoginThrottle};

pub struct Workspace(pub workspace::Model);

#[Object]
impl Workspace {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// `free`, `starter` or `pro`; API keys work only on `pro`.
    async fn plan(&self) -> &str {
        self.0.plan.as_str()
    }
    async fn created_at(&self) -> String {
        rfc3339(&self.0.created_at)
    }
}

pub struct User(pub user::Model);

#[Object]
impl User {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    async fn email(&self) -> &str {
        &self.0.email
    }
    async fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }
    async fn created_at(&self) -> String {
        rfc3339(&self.0.created_at)
    }
}

pub struct ApiKey(pub api_key::Model);

#[Object]
impl ApiKey {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The first characters of the key, to recognise it by.
    async fn prefix(&self) -> &str {
        &self.0.prefix
    }
    async fn created_at(&self) -> String {
        rfc3339(&self.0.created_at)
    }
    async fn last_used_at(&self) -> Option<String> {
        self.0.last_used_at.as_ref().map(rfc3339)
    }
    async fn revoked_at(&self) -> Option<String> {
        self.0.revoked_at.as_ref().map(rfc3339)
    }
}

/// A new API key; `secret` is shown only here, once.
#[derive(SimpleObject)]
pub struct CreatedApiKey {
    pub api_key: ApiKey,
    pub secret: String,
}

#[derive(SimpleObject)]
pub struct AuthPayload {
    /// Bearer token for this user's session (HS256 JWT).
    pub token: String,
    pub expires_at: String,
    pub user: User,
    pub workspace: Workspace,
}

#[derive(SimpleObject)]
pub struct Viewer {
    pub workspace: Workspace,
    /// The signed-in user, when the caller uses a session rather than an API key.
    pub user: Option<User>,
    /// `apiKey` or `session`.
    pub authenticated_with: String,
}

#[derive(InputObject)]
pub struct SignUpInput {
    pub email: String,
    pub password: String,
    pub name: Option<String>,
    pub workspace_name: Option<String>,
}

fn session(
    ctx: &Context<'_>,
    user: user::Model,
    workspace: workspace::Model,
) -> Result<AuthPayload> {
    let sessions = ctx.data::<Arc<Sessions>>()?;
    let (token, expires) = sessions.issue(&user.id, &workspace.id)?;
    Ok(AuthPayload {
        token,
        expires_at: rfc3339(&expires),
        user: User(user),
        workspace: Workspace(workspace),
    })
}

#[derive(Default)]
pub struct AccountQuery;

#[Object]
impl AccountQuery {
    /// Who is calling, and for which workspace.
    async fn viewer(&self, ctx: &Context<'_>) -> Result<Viewer> {
        let who = principal(ctx)?;
        let db = db(ctx)?;
        let workspace = workspaces::get(db, &who.workspace_id).await?;
        let (user, with) = match &who.kind {
            PrincipalKind::User { user_id } => (
                Some(User(
                    accounts::get_user(db, &who.workspace_id, user_id).await?,
                )),
                "session",
            ),
            PrincipalKind::ApiKey { .. } => (None, "apiKey"),
        };
        Ok(Viewer {
            workspace: Workspace(workspace),
            user,
            authenticated_with: with.to_owned(),
        })
    }

    /// The workspace's API keys, newest first (users only).
    async fn api_keys(&self, ctx: &Context<'_>) -> Result<Vec<ApiKey>> {
        let who = principal(ctx)?;
        who.user_id()?;
        let keys = accounts::list_api_keys(db(ctx)?, &who.workspace_id).await?;
        Ok(keys.into_iter().map(ApiKey).collect())
    }
}

#[derive(Default)]
pub struct AccountMutation;

#[Object]
impl AccountMutation {
    /// Creates a workspace (free plan) and its first user, and signs them in.
    async fn sign_up(&self, ctx: &Context<'_>, input: SignUpInput) -> Result<AuthPayload> {
        throttle(ctx, &input.email)?;
        let (user, workspace) = accounts::sign_up(
            db(ctx)?,
            &input.email,
            &input.password,
            input.name,
            input.workspace_name,
            now(ctx)?,
        )
        .await?;
        session(ctx, user, workspace)
    }

    /// Exchanges an email and password for a session token (valid one hour).
    async fn login(
        &self,
        ctx: &Context<'_>,
        email: String,
        password: String,
    ) -> Result<AuthPayload> {
        let db = db(ctx)?;
        throttle(ctx, &email)?;
        let throttle = ctx.data::<Arc<LoginThrottle>>()?;
        let user = match accounts::login(db, &email, &password).await {
            Ok(user) => user,
            Err(err) => {
                if err.code == ErrorCode::Unauthenticated {
                    throttle.failed(&email);
                }
                return Err(err.into());
            }
        };
        throttle.succeeded(&email);
        let workspace = workspaces::get(db, &user.workspace_id).await?;
        session(ctx, user, workspace)
    }

    /// Creates an API key (users only). The secret is in the answer and nowhere else.
    async fn create_api_key(
        &self,
        ctx: &Context<'_>,
        name: Option<String>,
    ) -> Result<CreatedApiKey> {
        let who = principal(ctx)?;
        who.user_id()?;
        let created =
            accounts::create_api_key(db(ctx)?, &who.workspace_id, name, now(ctx)?).await?;
        Ok(CreatedApiKey {
            api_key: ApiKey(created.key),
            secret: created.secret,
        })
    }

    /// Revokes an API key (users only); it stops working at once.
    async fn revoke_api_key(&self, ctx: &Context<'_>, id: ID) -> Result<ApiKey> {
        let who = principal(ctx)?;
        who.user_id()?;
        let revoked = accounts::revoke_api_key(db(ctx)?, &who.workspace_id, &id, now(ctx)?).await?;
        ctx.data::<Arc<KeyCache>>()?.forget(&revoked.id);
        // Every other instance drops it from its cache too.
        crate::signals::send(
            db(ctx)?,
            crate::signals::Signal::KeyRevoked(revoked.id.clone()),
        )
        .await?;
        Ok(ApiKey(revoked))
    }
}

/// Counts a sign-in or sign-up attempt; too many is `RATE_LIMITED` with `retryAfter` seconds.
fn throttle(ctx: &Context<'_>, email: &str) -> Result<(), AppError> {
    let Ok(throttle) = ctx.data::<Arc<LoginThrottle>>() else {
        return Ok(());
    };
    let addr = ctx.data_opt::<ClientAddr>().map(|a| a.0);
    throttle.attempt(addr, email).map_err(|secs| {
        AppError::new(
            ErrorCode::RateLimited,
            format!("Too many attempts: try again in {secs} s"),
        )
        .with_details(serde_json::json!({ "retryAfter": secs }))
    })
}
