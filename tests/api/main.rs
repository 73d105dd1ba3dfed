//! End-to-end tests over real HTTP against a spawned app, one fresh database per test.
//! SQLite by default; PostgreSQL when `TEST_DATABASE_URL` is set.

mod etag;
mod helpers;
mod imap;
mod imports;
mod instances;
mod reads;
mod receiver;
mod smtp;

mod abuse;
mod auth;
mod batched;
mod bench;
mod campaigns;
mod checks;
mod cli;
mod contacts;
mod contract;
mod conventions;
mod corrupt;
mod cursors;
mod deliveries;
mod due_work;
mod edge;
mod email_accounts;
mod examples;
mod graphql;
mod groups;
mod input_gate;
mod layers;
mod list_plans;
mod mailbox;
mod mailbox_trust;
mod schema;
mod sealed;
mod sending;
mod sequences;
mod states;
mod stats;
mod suppressions;
mod time_source;
mod trust;
mod unknown_outcomes;
mod uploads;
mod webhooks;
