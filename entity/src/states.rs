//! The closed sets of values a state, status or kind column holds: one Rust enum per column,
//! used as the column's type (sea-orm reads an unknown stored value as an error, never a
//! default), by the services, and — with the `graphql` feature — as the GraphQL enum, whose
//! values are the stored ones. The database refuses any other value (check constraints on
//! PostgreSQL, triggers on SQLite: see the migration `m20261207_000001_state_checks`).

use sea_orm::entity::prelude::*;

/// One column's enum: its variants and the text each is stored (and named in GraphQL) as.
macro_rules! column_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $value:tt ),+ $(,)?
        }
    ) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
        #[derive(serde::Serialize, serde::Deserialize)]
        #[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
        #[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
        $(#[$meta])*
        pub enum $name {
            $(
                $(#[$vmeta])*
                #[sea_orm(string_value = $value)]
                #[serde(rename = $value)]
                #[cfg_attr(feature = "graphql", graphql(name = $value))]
                $variant,
            )+
        }

        impl $name {
            pub const ALL: [$name; [$($value),+].len()] = [$($name::$variant),+];

            /// Its place in `ALL`.
            pub fn index(self) -> usize {
                self as usize
            }

            /// The stored text.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $value,)+
                }
            }

            pub fn parse(value: &str) -> Option<$name> {
                match value {
                    $($value => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

column_enum! {
    // `contacts.status`.
    pub enum ContactStatus {
        Active = "active",
        Unsubscribed = "unsubscribed",
        Bounced = "bounced",
    }
}

column_enum! {
    // `campaigns.status`.
    pub enum CampaignStatus {
        Draft = "draft",
        Running = "running",
        Paused = "paused",
        Completed = "completed",
    }
}

column_enum! {
    // `campaign_contacts.state`: one contact's life in one campaign.
    /// Where a contact is in a campaign.
    pub enum EnrolmentState {
        Pending = "pending",
        Active = "active",
        Completed = "completed",
        Replied = "replied",
        Bounced = "bounced",
        Unsubscribed = "unsubscribed",
        // Stopped for a `reason` (e.g. `delivery_failed`, `outcome_unknown`).
        Failed = "failed",
    }
}

impl EnrolmentState {
    /// The open states: still to be emailed, the campaign not done with it. Only these move.
    pub const OPEN: [EnrolmentState; 2] = [EnrolmentState::Pending, EnrolmentState::Active];

    pub fn is_open(self) -> bool {
        Self::OPEN.contains(&self)
    }
}

column_enum! {
    // `messages.state`: where one email stands. `sending` is committed before the SMTP
    // transaction starts, so a process that dies mid-send leaves a row the sweep turns into
    // `unknown`, never a re-send.
    pub enum MessageState {
        // Claimed by a worker and leased, its SMTP transaction not started: a dead worker's
        // claim returns to due when the lease ends.
        Queued = "queued",
        // Its SMTP transaction started (committed alone, just before): only these can end
        // `unknown`.
        Sending = "sending",
        // Refused for now (4xx, or no connection): nothing was delivered; retried later.
        Deferred = "deferred",
        Sent = "sent",
        Bounced = "bounced",
        Failed = "failed",
        Unknown = "unknown",
        // Not sent: the step's condition was false when it came due (`skip_reason`).
        Skipped = "skipped",
    }
}

column_enum! {
    // What a campaign's automatic A/B winner is best at: replies, clicks or opens (of the
    // variant's emails sent).
    pub enum WinnerMetric {
        Reply = "reply",
        Click = "click",
        Open = "open",
    }
}

column_enum! {
    // When a follow-up step goes out (kept in a campaign's steps): always, or only if any
    // earlier email of the sequence to that contact was opened / clicked, or none was.
    pub enum SendIf {
        Always = "always",
        Opened = "opened",
        NotOpened = "not_opened",
        Clicked = "clicked",
        NotClicked = "not_clicked",
    }
}

impl SendIf {
    /// Whether the step goes out, given whether any earlier email was opened and clicked.
    pub fn holds(self, opened: bool, clicked: bool) -> bool {
        match self {
            SendIf::Always => true,
            SendIf::Opened => opened,
            SendIf::NotOpened => !opened,
            SendIf::Clicked => clicked,
            SendIf::NotClicked => !clicked,
        }
    }
}

column_enum! {
    // `email_accounts.status`: whether an account can send — `error` after an SMTP
    // authentication failure, until its settings change.
    pub enum AccountStatus {
        Ok = "ok",
        Error = "error",
    }
}

column_enum! {
    // `email_accounts.smtp_security` and `imap_security`. Those columns stay text, read through
    // `parse` one account at a time, so a value the database somehow holds stops only its own
    // account, never a query that reads several tenants' accounts.
    pub enum SmtpSecurity {
        Tls = "tls",
        Starttls = "starttls",
        None = "none",
    }
}

/// What a model read without its status holds (a partial read never acts on it): a draft.
impl Default for CampaignStatus {
    fn default() -> Self {
        CampaignStatus::Draft
    }
}

/// What a model read without its status holds: `error`, an account that sends nothing.
impl Default for AccountStatus {
    fn default() -> Self {
        AccountStatus::Error
    }
}

column_enum! {
    // `contact_imports.status`.
    pub enum ImportStatus {
        Queued = "queued",
        Running = "running",
        Completed = "completed",
        Failed = "failed",
    }
}

column_enum! {
    // `contact_imports.duplicates`: what an import does with a row whose email exists.
    #[cfg_attr(feature = "graphql", graphql(name = "DuplicatePolicy"))]
    pub enum Duplicates {
        /// A row whose email exists is left alone.
        Skip = "skip",
        /// A row whose email exists updates that contact with its non-empty cells.
        Update = "update",
    }
}

column_enum! {
    // `workspaces.plan`.
    pub enum Plan {
        Free = "free",
        Starter = "starter",
        Pro = "pro",
    }
}

column_enum! {
    // `suppressions.kind`.
    pub enum SuppressionKind {
        Email = "email",
        Domain = "domain",
    }
}

column_enum! {
    // `suppressions.source`.
    pub enum SuppressionSource {
        Unsubscribe = "unsubscribe",
        Bounce = "bounce",
        Complaint = "complaint",
        Reply = "reply",
        Manual = "manual",
    }
}

column_enum! {
    // `dkim_keys.state`: made, found in DNS as made, or the one the domain's emails are
    // signed with.
    pub enum DkimKeyState {
        Pending = "pending",
        Published = "published",
        Active = "active",
    }
}

column_enum! {
    // `campaigns.stop_on_reply_scope`: whose enrolments a reply stops — the replier's, or
    // everyone's at the replier's email domain (free-mail domains excepted).
    pub enum ReplyScope {
        Contact = "contact",
        Company = "company",
    }
}

/// A campaign saved before reply scopes stops only the replier's sequence.
// The enum is the macro's: its variants cannot carry `#[default]`.
#[allow(clippy::derivable_impls)]
impl Default for ReplyScope {
    fn default() -> Self {
        ReplyScope::Contact
    }
}

column_enum! {
    // `contacts.lead_status`: what a contact's replies say (read by rules from each human
    // reply), or what a person set.
    pub enum LeadStatus {
        Interested = "interested",
        NotInterested = "not_interested",
        WrongPerson = "wrong_person",
        UnsubscribeRequest = "unsubscribe_request",
        Other = "other",
    }
}

column_enum! {
    // `webhook_deliveries.status`.
    pub enum DeliveryStatus {
        Pending = "pending",
        Delivering = "delivering",
        Succeeded = "succeeded",
        Failed = "failed",
    }
}

/// The kinds of email event and the counters they drive, from one list: `EventKind` (the
/// `kind` of `email_events` and `campaign_event_firsts`, and the name of its counter column in
/// `campaign_stats` and `campaign_daily_stats`) and `Counts`, one figure per kind. Adding a
/// kind here (and its columns in a migration) adds it to the stored events, the counters, the
/// GraphQL figures and the REST figures.
macro_rules! event_kinds {
    ( $( $(#[$vmeta:meta])* $variant:ident = $value:tt => $field:ident ),+ $(,)? ) => {
        column_enum! {
            pub enum EventKind {
                $( $variant = $value ),+
            }
        }

        /// Counts of unique contacts (or, in a timeline, of events), one per kind of event.
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
        #[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject))]
        pub struct Counts {
            $( $(#[$vmeta])* pub $field: i64, )+
        }

        impl Counts {
            /// Builds counts from one figure per kind.
            pub fn from_fn(mut figure: impl FnMut(EventKind) -> i64) -> Counts {
                Counts { $( $field: figure(EventKind::$variant), )+ }
            }

            pub fn get(&self, kind: EventKind) -> i64 {
                match kind {
                    $( EventKind::$variant => self.$field, )+
                }
            }
        }
    };
}

event_kinds! {
    Sent = "sent" => sent,
    Opened = "opened" => opened,
    Clicked = "clicked" => clicked,
    Replied = "replied" => replied,
    Bounced = "bounced" => bounced,
    Unsubscribed = "unsubscribed" => unsubscribed,
    /// Automatic answers (out of office, auto-responders): never counted as replies.
    AutoReplied = "auto_replied" => auto_replied,
    /// Opens by anyone, machines included (`opened` counts readers only).
    OpenedRaw = "opened_raw" => opened_raw,
    /// Clicks by anyone, machines included (`clicked` counts readers only).
    ClickedRaw = "clicked_raw" => clicked_raw,
}

impl Counts {
    /// `n` as a percentage of contacts emailed, rounded to 2 decimals; 0 when none were.
    pub fn rate(&self, n: i64) -> f64 {
        if self.sent <= 0 {
            return 0.0;
        }
        (n as f64 * 10_000.0 / self.sent as f64).round() / 100.0
    }
}
