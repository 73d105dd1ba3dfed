//! sea-orm entities: the database rows, and the closed sets of values their state columns hold
//! (`states`; with the `graphql` feature those enums are GraphQL enums too). Nothing about HTTP.

pub mod api_key;
pub mod campaign;
pub mod campaign_contact;
pub mod campaign_daily_stat;
pub mod campaign_event_first;
pub mod campaign_stat;
pub mod campaign_winner;
pub mod contact;
pub mod contact_group;
pub mod contact_import;
pub mod dkim_key;
pub mod domain;
pub mod email_account;
pub mod email_event;
pub mod event;
pub mod group_member;
pub mod idempotency_key;
pub mod inbound_message;
pub mod inbox_message;
pub mod inbox_thread;
pub mod message;
pub mod send_count;
pub mod setting;
pub mod states;
pub mod suppression;
pub mod unmatched_report;
pub mod user;
pub mod webhook;
pub mod webhook_attempt;
pub mod webhook_delivery;
pub mod workspace;
