use sea_orm::entity::prelude::*;

use crate::states::AccountStatus;

/// An SMTP mailbox campaigns send from. The password is stored for sending and never returned.
#[derive(Clone, Debug, Default, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "email_accounts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub workspace_id: String,
    pub email: String,
    pub name: Option<String>,
    pub smtp_host: String,
    pub smtp_port: i32,
    pub smtp_username: String,
    /// Encrypted (`enc:v1:…`), never returned.
    pub smtp_password: String,
    /// `tls`, `starttls` or `none`.
    pub smtp_security: String,
    pub daily_limit: i32,
    /// IANA zone the daily limit counts days in.
    pub timezone: String,
    /// Least seconds between two sends (plus up to 50 % jitter); 0 = none.
    pub send_gap_seconds: i32,
    /// `ok`, or `error` after an SMTP authentication failure (sends wait).
    pub status: AccountStatus,
    pub last_error: Option<String>,
    /// The earliest the next send may start (the send gap).
    pub next_send_at: Option<DateTimeUtc>,
    /// IMAP settings for reading replies and bounce reports; none means reply tracking is off.
    pub imap_host: Option<String>,
    pub imap_port: Option<i32>,
    pub imap_username: Option<String>,
    /// Encrypted (`enc:v1:…`), never returned.
    pub imap_password: Option<String>,
    /// `tls`, `starttls` or `none`.
    pub imap_security: Option<String>,
    /// The INBOX's UIDVALIDITY when last read, and the highest UID read under it.
    pub imap_uid_validity: Option<i64>,
    pub imap_last_uid: Option<i64>,
    pub imap_checked_at: Option<DateTimeUtc>,
    /// No reader takes the mailbox before this instant (milliseconds since the epoch, on the
    /// database's clock): held while one reads it, then until its next read is due.
    pub imap_locked_until_ms: Option<i64>,
    /// `{startPerDay, increasePerDay}`: a new mailbox's daily limit grows from the start by
    /// the increase each day (counted from `created_at`) up to `daily_limit`.
    pub ramp: Option<Json>,
    /// `{google, microsoft, yahoo, other}`: sends per hour to each recipient provider.
    pub provider_limits: Option<Json>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
