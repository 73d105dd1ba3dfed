//! A synthetic dataset for benchmarks, loaded with set-based inserts through the project's own
//! schema: workspaces, contacts, groups, campaigns, enrolments and email events, with counters
//! rebuilt from the events so they are consistent.

use chrono::Duration;
use entity::states::{ContactStatus, EnrolmentState};
use entity::{campaign_contact, contact, email_event, group_member};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait, Set, TransactionSession,
    TransactionTrait,
};
use serde_json::{Value, json};

use crate::error::AppError;
use crate::ids;
use crate::service::campaigns::{self, CampaignInput, StepInput};
use crate::service::email_accounts::{self, EmailAccountInput};
use crate::service::groups::{self, GroupInput};
use crate::service::stats::{self, EventKind};
use crate::service::{accounts, workspaces};

#[derive(Clone, Debug)]
pub struct Spec {
    pub workspaces: usize,
    /// Contacts across all workspaces.
    pub contacts: usize,
    /// Groups per workspace.
    pub groups: usize,
    /// Campaigns across all workspaces.
    pub campaigns: usize,
    /// Share of a workspace's contacts each campaign enrols, in percent.
    pub enrol_percent: u64,
    /// Events spread evenly over the campaigns.
    pub events: usize,
    /// Extra events on the first campaign (the "hot" one).
    pub hot_events: usize,
    /// Events of one extra, small campaign in the first workspace (0: none).
    pub small_campaign_events: usize,
}

/// splitmix64: deterministic, dependency-free randomness for reproducible datasets.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn fail(e: AppError) -> anyhow::Error {
    anyhow::anyhow!(e.message)
}

/// A bulk-loaded enrolment row (a benchmark or dataset writes them directly, in batches).
pub(crate) fn enrolment_row(
    campaign_id: &str,
    contact_id: &str,
    workspace_id: &str,
    current_step: i32,
    next_send_at: Option<chrono::DateTime<chrono::Utc>>,
    now: chrono::DateTime<chrono::Utc>,
) -> campaign_contact::ActiveModel {
    campaign_contact::ActiveModel {
        campaign_id: Set(campaign_id.to_owned()),
        contact_id: Set(contact_id.to_owned()),
        workspace_id: Set(workspace_id.to_owned()),
        state: Set(EnrolmentState::Active),
        current_step: Set(current_step),
        next_send_at: Set(next_send_at),
        last_sent_at: Set(None),
        email_account_id: Set(None),
        reason: Set(None),
        follow_up: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

pub(crate) async fn insert_chunks<A, C>(
    db: &C,
    rows: Vec<A>,
    per_statement: usize,
) -> anyhow::Result<()>
where
    A: ActiveModelTrait + Send,
    C: ConnectionTrait + TransactionTrait,
{
    let txn = crate::db::begin_write(db).await?;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(per_statement).collect();
        <A::Entity as EntityTrait>::insert_many(chunk)
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Loads the dataset and returns what a benchmark needs to address it.
pub async fn load(
    db: &DatabaseConnection,
    keyring: &crate::secrets::Keyring,
    spec: &Spec,
) -> anyhow::Result<Value> {
    let mut rng = Rng(0x5EED);
    // The dataset is written on the system's clock, as a deployment would write it.
    let now = crate::clock::Clock::system().now();
    let mut out_workspaces = Vec::new();
    let mut all_campaigns: Vec<(String, String, Vec<String>)> = Vec::new(); // (workspace, campaign, enrolled)
    let mut first_account: Option<String> = None;
    let per_workspace_contacts = spec.contacts / spec.workspaces.max(1);
    let per_workspace_campaigns = spec.campaigns.div_ceil(spec.workspaces.max(1));
    for w in 0..spec.workspaces {
        let workspace = workspaces::create(db, &format!("Bench {w}"), workspaces::Plan::Pro, now)
            .await
            .map_err(fail)?;
        let key = accounts::create_api_key(db, &workspace.id, Some("bench".into()), now)
            .await
            .map_err(fail)?;
        let account = email_accounts::create(
            db,
            &workspace.id,
            EmailAccountInput {
                email: Some(format!("sales{w}@bench.test")),
                smtp_host: Some("smtp.bench.test".into()),
                smtp_password: Some("bench".into()),
                ..Default::default()
            },
            crate::service::webhooks::UrlPolicy {
                allow_private: true,
            },
            keyring,
            now,
        )
        .await
        .map_err(fail)?;
        first_account.get_or_insert_with(|| account.id.clone());

        // Contacts, spread over time so sorting has work to do.
        let mut contact_ids = Vec::with_capacity(per_workspace_contacts);
        let mut rows = Vec::with_capacity(per_workspace_contacts);
        for i in 0..per_workspace_contacts {
            let id = ids::new_id(ids::CONTACT);
            let at = now - Duration::seconds((per_workspace_contacts - i) as i64 * 7);
            let email = format!("person{i}.w{w}@example{}.com", i % 97);
            rows.push(contact::ActiveModel {
                id: Set(id.clone()),
                workspace_id: Set(workspace.id.clone()),
                email_normalized: Set(email.clone()),
                email: Set(email),
                first_name: Set(Some(format!("First{i}"))),
                last_name: Set(Some(format!("Last{}", i % 1000))),
                company: Set(Some(format!("Company {}", i % 500))),
                phone: Set(None),
                timezone: Set(None),
                lead_status: Set(None),
                custom_fields: Set(json!({ "tier": i % 3 })),
                status: Set(if i % 50 == 0 {
                    ContactStatus::Unsubscribed
                } else {
                    ContactStatus::Active
                }),
                created_at: Set(at),
                updated_at: Set(at),
            });
            contact_ids.push(id);
        }
        insert_chunks(db, rows, 2000).await?;
        workspaces::add_contacts(db, &workspace.id, contact_ids.len() as i64)
            .await
            .map_err(fail)?;

        // Groups: each contact in 0–3 of them (about 1.7 on average).
        let mut group_ids = Vec::new();
        for g in 0..spec.groups {
            let group = groups::create(
                db,
                &workspace.id,
                GroupInput {
                    name: Some(format!("Segment {g}")),
                    description: None,
                },
                now,
            )
            .await
            .map_err(fail)?;
            group_ids.push(group.id);
        }
        let mut members = Vec::new();
        if !group_ids.is_empty() {
            for contact_id in &contact_ids {
                let n = [0, 1, 2, 2, 3, 2][rng.below(6) as usize].min(group_ids.len());
                let first = rng.below(group_ids.len() as u64) as usize;
                for k in 0..n {
                    members.push(group_member::ActiveModel {
                        group_id: Set(group_ids[(first + k) % group_ids.len()].clone()),
                        contact_id: Set(contact_id.clone()),
                        workspace_id: Set(workspace.id.clone()),
                        created_at: Set(now),
                    });
                }
            }
        }
        insert_chunks(db, members, 5000).await?;

        // Campaigns with enrolments.
        let mut campaign_ids = Vec::new();
        for c in 0..per_workspace_campaigns {
            if all_campaigns.len() >= spec.campaigns {
                break;
            }
            let campaign = campaigns::create(
                db,
                &workspace.id,
                CampaignInput {
                    name: Some(format!("Campaign {c} of workspace {w}")),
                    email_account_id: Some(account.id.clone()),
                    steps: Some(
                        (0..3)
                            .map(|s| StepInput {
                                subject: Some(format!("Step {} for {{{{firstName}}}}", s + 1)),
                                body: Some("Hello {{firstName | there}} at {{company}}".into()),
                                delay_days: Some(if s == 0 { 0 } else { 2 }),
                                ..Default::default()
                            })
                            .collect(),
                    ),
                    ..Default::default()
                },
                now,
            )
            .await
            .map_err(fail)?;
            let mut enrolled = Vec::new();
            let mut rows = Vec::new();
            for contact_id in &contact_ids {
                if rng.below(100) < spec.enrol_percent {
                    rows.push(enrolment_row(
                        &campaign.id,
                        contact_id,
                        &workspace.id,
                        1,
                        None,
                        now,
                    ));
                    enrolled.push(contact_id.clone());
                }
            }
            let count = rows.len() as i64;
            insert_chunks(db, rows, 2000).await?;
            let txn = crate::db::begin_write(db).await?;
            crate::service::enrolments::add_to_contact_count(&txn, &campaign.id, count)
                .await
                .map_err(fail)?;
            txn.commit().await?;
            campaign_ids.push(campaign.id.clone());
            all_campaigns.push((workspace.id.clone(), campaign.id, enrolled));
        }
        out_workspaces.push(json!({ "workspaceId": workspace.id, "apiKey": key.secret, "campaignIds": campaign_ids }));
    }

    // One small campaign beside the others, for comparing stats reads.
    let spread_over = all_campaigns.len().max(1);
    if spec.small_campaign_events > 0
        && let Some((workspace_id, _, enrolled)) = all_campaigns.first().cloned()
    {
        let campaign = campaigns::create(
            db,
            &workspace_id,
            CampaignInput {
                name: Some("Small campaign".into()),
                email_account_id: first_account.clone(),
                steps: Some(vec![StepInput {
                    subject: Some("Hello".into()),
                    body: Some("Hi {{firstName}}".into()),
                    delay_days: Some(0),
                    ..Default::default()
                }]),
                ..Default::default()
            },
            now,
        )
        .await
        .map_err(fail)?;
        let few: Vec<String> = enrolled.into_iter().take(1000).collect();
        let rows: Vec<_> = few
            .iter()
            .map(|contact_id| enrolment_row(&campaign.id, contact_id, &workspace_id, 1, None, now))
            .collect();
        let count = rows.len() as i64;
        insert_chunks(db, rows, 2000).await?;
        let txn = crate::db::begin_write(db).await?;
        crate::service::enrolments::add_to_contact_count(&txn, &campaign.id, count)
            .await
            .map_err(fail)?;
        txn.commit().await?;
        all_campaigns.push((workspace_id, campaign.id, few));
    }

    // Events: spread evenly over the main campaigns, plus the hot and small campaigns' own.
    let per_campaign = spec.events / spread_over;
    let small_index = (spec.small_campaign_events > 0).then(|| all_campaigns.len() - 1);
    let kinds = [
        (EventKind::Sent, 50),
        (EventKind::Opened, 25),
        (EventKind::Clicked, 10),
        (EventKind::Replied, 8),
        (EventKind::Bounced, 4),
        (EventKind::Unsubscribed, 3),
    ];
    let mut event_counts = Vec::new();
    for (index, (workspace_id, campaign_id, enrolled)) in all_campaigns.iter().enumerate() {
        let total = if Some(index) == small_index {
            spec.small_campaign_events
        } else {
            per_campaign + if index == 0 { spec.hot_events } else { 0 }
        };
        let mut remaining = total;
        while remaining > 0 && !enrolled.is_empty() {
            let take = remaining.min(50_000);
            let mut rows = Vec::with_capacity(take);
            for _ in 0..take {
                let roll = rng.below(100);
                let mut acc = 0;
                let kind = kinds
                    .iter()
                    .find(|(_, weight)| {
                        acc += weight;
                        roll < acc
                    })
                    .map(|(k, _)| *k)
                    .unwrap_or(EventKind::Sent);
                rows.push(email_event::ActiveModel {
                    workspace_id: Set(workspace_id.clone()),
                    campaign_id: Set(campaign_id.clone()),
                    contact_id: Set(enrolled[rng.below(enrolled.len() as u64) as usize].clone()),
                    step: Set(1 + rng.below(3) as i32),
                    kind: Set(kind),
                    occurred_at: Set(now - Duration::minutes(rng.below(60 * 24 * 60) as i64)),
                    metadata: Set(json!({})),
                    ..Default::default()
                });
            }
            insert_chunks(db, rows, 2000).await?;
            remaining -= take;
        }
        stats::rebuild(db, campaign_id).await.map_err(fail)?;
        event_counts.push(json!({ "campaignId": campaign_id, "events": total }));
    }
    // Fresh statistics, as autovacuum would leave them on a live database.
    match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => db.execute_unprepared("VACUUM ANALYZE").await?,
        _ => db.execute_unprepared("ANALYZE").await?,
    };
    Ok(json!({ "workspaces": out_workspaces, "events": event_counts }))
}
