//! Schema migrations. One file per migration; a landed migration is never edited.

pub use m20261207_000028_open_enrolments_index::OPEN_ENROLMENT;

/// Every state check as the migrations leave it: the first set, with each later migration's
/// replacements applied in order.
pub fn current_checks() -> Vec<(&'static str, &'static str, &'static [&'static str])> {
    let mut checks = m20261207_000026_state_checks::CHECKS.to_vec();
    let later = m20261207_000031_message_content::CHECKS
        .iter()
        .chain(m20261207_000034_deliverability::CHECKS)
        .chain(m20261208_000035_raw_tracking::CHECKS)
        .chain(m20261208_000036_replies::CHECKS);
    for (table, column, values) in later {
        match checks
            .iter_mut()
            .find(|(t, c, _)| t == table && c == column)
        {
            Some(check) => check.2 = values,
            None => checks.push((table, column, values)),
        }
    }
    checks
}
pub use sea_orm_migration::prelude::*;

mod m20261126_000001_foundation;
mod m20261126_000002_idempotency_keys;
mod m20261126_000003_campaigns;
mod m20261126_000004_webhooks;
mod m20261126_000005_workspace_contact_count;
mod m20261127_000006_sending;
mod m20261127_000007_mailboxes;
mod m20261127_000008_shared_rate_limits;
mod m20261127_000009_contact_imports;
mod m20261127_000010_bucketed_rate_limits;
mod m20261128_000011_unmatched_reports;
mod m20261128_000012_mailbox_leases;
mod m20261207_000013_message_leases;
mod m20261207_000014_suppressions;
mod m20261207_000024_import_files;
mod m20261207_000025_sealed_webhook_secrets;
pub mod m20261207_000026_state_checks;
mod m20261207_000027_due_index;
mod m20261207_000028_open_enrolments_index;
mod m20261207_000029_contact_list_indexes;
mod m20261207_000030_contact_filter_indexes;
pub mod m20261207_000031_message_content;
mod m20261207_000032_contact_timezone;
mod m20261207_000033_variant_winners;
pub mod m20261207_000034_deliverability;
pub mod m20261208_000035_raw_tracking;
pub mod m20261208_000036_replies;
pub mod m20261208_000037_inbox;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261126_000001_foundation::Migration),
            Box::new(m20261126_000002_idempotency_keys::Migration),
            Box::new(m20261126_000003_campaigns::Migration),
            Box::new(m20261126_000004_webhooks::Migration),
            Box::new(m20261126_000005_workspace_contact_count::Migration),
            Box::new(m20261127_000006_sending::Migration),
            Box::new(m20261127_000007_mailboxes::Migration),
            Box::new(m20261127_000008_shared_rate_limits::Migration),
            Box::new(m20261127_000009_contact_imports::Migration),
            Box::new(m20261127_000010_bucketed_rate_limits::Migration),
            Box::new(m20261128_000011_unmatched_reports::Migration),
            Box::new(m20261128_000012_mailbox_leases::Migration),
            Box::new(m20261207_000013_message_leases::Migration),
            Box::new(m20261207_000014_suppressions::Migration),
            Box::new(m20261207_000024_import_files::Migration),
            Box::new(m20261207_000025_sealed_webhook_secrets::Migration),
            Box::new(m20261207_000026_state_checks::Migration),
            Box::new(m20261207_000027_due_index::Migration),
            Box::new(m20261207_000028_open_enrolments_index::Migration),
            Box::new(m20261207_000029_contact_list_indexes::Migration),
            Box::new(m20261207_000030_contact_filter_indexes::Migration),
            Box::new(m20261207_000031_message_content::Migration),
            Box::new(m20261207_000032_contact_timezone::Migration),
            Box::new(m20261207_000033_variant_winners::Migration),
            Box::new(m20261207_000034_deliverability::Migration),
            Box::new(m20261208_000035_raw_tracking::Migration),
            Box::new(m20261208_000036_replies::Migration),
            Box::new(m20261208_000037_inbox::Migration),
        ]
    }
}
