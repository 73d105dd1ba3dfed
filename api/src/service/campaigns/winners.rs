//! Automatic A/B winners: once every variant of a step (with a weight above 0) has the sends
//! its campaign's `autoWinner` asks for, the variant with the best rate of its metric gets all
//! further sends of that step. Decided once per (campaign, step) — the row's key makes two
//! workers deciding at once agree — and announced by `campaign.variant_won`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{campaign, campaign_winner};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;

use super::shape::{AutoWinner, Step, WinnerMetric};
use crate::error::AppResult;
use crate::service::events;
use crate::service::stats::{self, VariantCounts};

/// The winners decided for these campaigns, by (campaign, step).
pub async fn winners_of(
    db: &impl ConnectionTrait,
    campaign_ids: &[String],
) -> AppResult<HashMap<(String, i32), String>> {
    Ok(campaign_winner::Entity::find()
        .filter(campaign_winner::Column::CampaignId.is_in(campaign_ids.iter().cloned()))
        .all(db)
        .await?
        .into_iter()
        .map(|w| ((w.campaign_id, w.step), w.variant_id))
        .collect())
}

/// The rate of `metric` among a variant's sends.
fn rate(metric: WinnerMetric, c: &VariantCounts) -> f64 {
    let n = match metric {
        WinnerMetric::Reply => c.replied,
        WinnerMetric::Click => c.clicked,
        WinnerMetric::Open => c.opened,
    };
    c.rate(n)
}

/// The step's winner: the one decided, or — when every variant with a weight has the sends
/// asked for — the best by the metric (ties: the earlier variant), decided now (kept, and
/// `campaign.variant_won` emitted by whichever call decides it). None while undecided.
pub async fn winner(
    txn: &impl ConnectionTrait,
    campaign: &campaign::Model,
    step_no: i32,
    step: &Step,
    auto: AutoWinner,
    now: DateTime<Utc>,
) -> AppResult<Option<String>> {
    let decided = campaign_winner::Entity::find_by_id((campaign.id.clone(), step_no))
        .one(txn)
        .await?;
    if let Some(w) = decided {
        return Ok(Some(w.variant_id));
    }
    let variants: Vec<_> = step
        .variants()
        .into_iter()
        .filter(|v| v.weight > 0)
        .collect();
    if variants.len() < 2 {
        return Ok(None);
    }
    let counts: HashMap<String, VariantCounts> =
        stats::variant_counts(txn, std::slice::from_ref(&campaign.id), Some(step_no))
            .await?
            .remove(&campaign.id)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(_, variant, counts)| Some((variant?, counts)))
            .collect();
    let of = |id: &str| counts.get(id).copied().unwrap_or_default();
    let need = i64::from(auto.min_sent_per_variant);
    if variants.iter().any(|v| of(&v.id).sent < need) {
        return Ok(None);
    }
    let mut best = &variants[0];
    for v in &variants[1..] {
        if rate(auto.metric, &of(&v.id)) > rate(auto.metric, &of(&best.id)) {
            best = v;
        }
    }
    let inserted = campaign_winner::Entity::insert(campaign_winner::ActiveModel {
        campaign_id: Set(campaign.id.clone()),
        step: Set(step_no),
        variant_id: Set(best.id.clone()),
        metric: Set(auto.metric.as_str().to_owned()),
        decided_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            campaign_winner::Column::CampaignId,
            campaign_winner::Column::Step,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(txn)
    .await?;
    if inserted == 1 {
        let figures: Vec<_> = variants
            .iter()
            .map(|v| {
                let c = of(&v.id);
                json!({
                    "variantId": v.id,
                    "sent": c.sent,
                    "opened": c.opened,
                    "clicked": c.clicked,
                    "replied": c.replied,
                    "rate": rate(auto.metric, &c),
                })
            })
            .collect();
        let data = json!({
            "campaignId": campaign.id,
            "step": step_no,
            "variantId": best.id,
            "metric": auto.metric.as_str(),
            "variants": figures,
        });
        events::emit(
            txn,
            &campaign.workspace_id,
            "campaign.variant_won",
            data,
            now,
        )
        .await?;
        return Ok(Some(best.id.clone()));
    }
    // Another worker decided first: its choice stands.
    Ok(
        campaign_winner::Entity::find_by_id((campaign.id.clone(), step_no))
            .one(txn)
            .await?
            .map(|w| w.variant_id),
    )
}
