//! An email sent by hand, outside any campaign's claim (a test send, an inbox answer): through
//! its account (passwords unsealed), DKIM-signed as the domain's campaign emails are, under
//! timeouts someone waiting for the answer can bear.

use async_graphql::{Context, Result};
use entity::email_account;

use super::db;
use crate::engine::smtp::{self, Envelope};
use crate::service::sending::Outcome;

/// What a hand send did, with what a caller may do next with the email.
pub(super) struct HandSent {
    pub outcome: Outcome,
    /// The bytes that went out (signed when the domain has an active key).
    pub bytes: Vec<u8>,
    /// The account, its passwords unsealed (for the Sent folder's copy).
    pub account: email_account::Model,
    pub trust: smtp::Trust,
    pub allow_private: bool,
}

pub(super) async fn send(
    ctx: &Context<'_>,
    workspace_id: &str,
    account: &email_account::Model,
    from: &str,
    to: &str,
    bytes: &[u8],
) -> Result<HandSent> {
    let keyring = ctx.data::<crate::secrets::Keyring>()?;
    let account = crate::service::email_accounts::with_passwords(account, keyring)?;
    // Someone is waiting for the answer.
    let timeouts = smtp::Timeouts {
        connect: std::time::Duration::from_secs(10),
        command: std::time::Duration::from_secs(10),
        data: std::time::Duration::from_secs(30),
        ..Default::default()
    };
    let trust = ctx.data::<smtp::Trust>()?.clone();
    let allow_private = ctx
        .data::<crate::service::webhooks::UrlPolicy>()?
        .allow_private;
    // Signed as a campaign's email would be, when the domain has an active key.
    let signing = ctx
        .data::<crate::service::domains::Signers>()?
        .for_sender(db(ctx)?, keyring, workspace_id, &account.email)
        .await?;
    let bytes = match &signing {
        Some(key) => key.sign(bytes),
        None => bytes.to_vec(),
    };
    let envelope = Envelope {
        from,
        to,
        bytes: &bytes,
    };
    let outcome = smtp::send_once(&account, envelope, &timeouts, &trust, allow_private).await;
    Ok(HandSent {
        outcome,
        bytes,
        account,
        trust,
        allow_private,
    })
}
