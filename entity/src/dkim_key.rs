use sea_orm::entity::prelude::*;

use crate::states::DkimKeyState;

/// A DKIM key FluenzR made for a domain. Unique on (workspace, domain, selector); at most one
/// per domain is `active`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "dkim_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub workspace_id: String,
    pub domain: String,
    pub selector: String,
    /// `rsa-2048` or `ed25519`.
    pub algorithm: String,
    /// The private key's DER, base64, sealed (`enc:v1:…`); never returned.
    pub private_key: String,
    /// The `p=` value to publish: the public key's DER (RSA) or its 32 bytes (Ed25519), base64.
    pub public_key: String,
    pub state: DkimKeyState,
    pub published_at: Option<DateTimeUtc>,
    pub activated_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
