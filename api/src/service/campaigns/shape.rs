//! What a campaign row holds, decoded (its steps, schedule, sending window and accounts), and
//! the JSON it is shown as. A stored value that does not decode is a corrupt row.

use chrono::{DateTime, Utc};
use entity::campaign;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::corrupt;
use crate::error::AppResult;
use crate::ids;
use crate::service::window::Window;

/// One email of the sequence, as stored: its variants (A/B/n; one for a plain step), the
/// first of which `subject` and `body` repeat, and when a follow-up goes out at all.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    pub subject: String,
    pub body: String,
    pub delay_days: i32,
    /// Empty on steps saved before variants: then the step is its one variant (`steps_of`
    /// names it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<Variant>,
    #[serde(default = "always")]
    pub send_if: SendIf,
}

/// One version of a step's email, sent to a share of contacts by its weight.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Variant {
    /// `var_…` (empty for the one variant of a step saved before variants).
    pub id: String,
    pub subject: String,
    pub body: String,
    /// Its share among the step's weights (0 sends it to nobody).
    pub weight: i32,
}

pub use entity::states::{SendIf, WinnerMetric};

/// How a campaign picks each step's best variant by itself: once every variant of a step
/// (with a weight above 0) has `min_sent_per_variant` emails sent, the one with the best
/// rate of `metric` gets all further sends of that step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AutoWinner {
    pub metric: WinnerMetric,
    pub min_sent_per_variant: i32,
}

/// The campaign's automatic A/B winner, if it has one; one that does not decode is a corrupt
/// row.
pub fn auto_winner_of(campaign: &campaign::Model) -> AppResult<Option<AutoWinner>> {
    campaign
        .auto_winner
        .clone()
        .filter(|v| !v.is_null())
        .map(|v| serde_json::from_value(v).map_err(|_| corrupt(campaign, "autoWinner")))
        .transpose()
}

fn always() -> SendIf {
    SendIf::Always
}

impl Step {
    /// The step's variants: the stored ones, or the step itself as its one variant.
    pub fn variants(&self) -> Vec<Variant> {
        if self.variants.is_empty() {
            vec![Variant {
                id: String::new(),
                subject: self.subject.clone(),
                body: self.body.clone(),
                weight: 1,
            }]
        } else {
            self.variants.clone()
        }
    }

    /// The variant a draw in `0..u64::MAX` picks, by weight (a step whose weights are all 0
    /// sends its first variant).
    pub fn pick(&self, draw: u64, only: Option<&str>) -> Variant {
        let variants = self.variants();
        if let Some(winner) = only.and_then(|id| variants.iter().find(|v| v.id == id)) {
            return winner.clone();
        }
        let total: u64 = variants.iter().map(|v| v.weight.max(0) as u64).sum();
        if total == 0 {
            return variants[0].clone();
        }
        let mut at = draw % total;
        for v in &variants {
            let w = v.weight.max(0) as u64;
            if at < w {
                return v.clone();
            }
            at -= w;
        }
        variants[0].clone()
    }
}

/// When sending may happen: ISO weekdays (1 = Monday) and a local time window (across
/// midnight when it ends before it starts), in one zone or each contact's own, but never on a
/// skipped date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Schedule {
    /// An IANA zone, or [`CONTACT_ZONE`].
    pub timezone: String,
    pub days: Vec<i32>,
    pub start_time: String,
    pub end_time: String,
    /// The zone of contacts without one, when `timezone` is [`CONTACT_ZONE`] (UTC if none).
    #[serde(default)]
    pub fallback_timezone: Option<String>,
    /// Local dates (`YYYY-MM-DD`, in the sending zone) nothing is sent on.
    #[serde(default)]
    pub skip_dates: Vec<String>,
}

/// The schedule `timezone` that sends in each contact's own zone.
pub const CONTACT_ZONE: &str = "contact";

impl Schedule {
    /// Whether each contact is sent to in its own zone.
    pub fn per_contact(&self) -> bool {
        self.timezone == CONTACT_ZONE
    }

    /// The zone the campaign's own days (its daily limit, its figures) are counted in: its
    /// zone, or the fallback of a per-contact schedule.
    pub fn home_zone(&self) -> &str {
        if self.per_contact() {
            self.fallback_timezone.as_deref().unwrap_or("UTC")
        } else {
            &self.timezone
        }
    }
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule {
            timezone: "UTC".into(),
            days: vec![1, 2, 3, 4, 5],
            start_time: "09:00".into(),
            end_time: "17:00".into(),
            fallback_timezone: None,
            skip_dates: Vec::new(),
        }
    }
}

/// The stored steps; steps that do not decode are a corrupt row (an internal error, logged),
/// never "no steps".
pub fn steps_of(campaign: &campaign::Model) -> AppResult<Vec<Step>> {
    let mut steps: Vec<Step> =
        serde_json::from_value(campaign.steps.clone()).map_err(|_| corrupt(campaign, "steps"))?;
    // A step saved before variants is its one variant, under an id made from its place.
    for (i, step) in steps.iter_mut().enumerate() {
        if step.variants.is_empty() {
            let mut only = step.variants();
            only[0].id = format!("var_{}_{}", campaign.id.trim_start_matches("cmp_"), i + 1);
            step.variants = only;
        }
    }
    Ok(steps)
}

/// How many steps the campaign has, without decoding them.
pub fn step_count(campaign: &campaign::Model) -> usize {
    campaign.steps.as_array().map_or(0, Vec::len)
}

pub fn schedule_of(campaign: &campaign::Model) -> AppResult<Schedule> {
    serde_json::from_value(campaign.schedule.clone()).map_err(|_| corrupt(campaign, "schedule"))
}

/// The campaign's sending window in its home zone (see [`Schedule::home_zone`]); a stored
/// schedule that does not build one is a corrupt row.
pub fn window_of(campaign: &campaign::Model) -> AppResult<Window> {
    home_window(campaign, &schedule_of(campaign)?)
}

fn home_window(campaign: &campaign::Model, s: &Schedule) -> AppResult<Window> {
    Window::new(s.home_zone(), &s.days, &s.start_time, &s.end_time)
        .and_then(|w| w.skipping(&s.skip_dates))
        .map_err(|_| corrupt(campaign, "schedule"))
}

/// When work the campaign schedules from `at` is due: the next opening of its window, or `at`
/// itself when each contact is sent to in its own zone (the sender then waits each contact's
/// own window).
pub fn next_due(campaign: &campaign::Model, at: DateTime<Utc>) -> AppResult<DateTime<Utc>> {
    if schedule_of(campaign)?.per_contact() {
        return Ok(at);
    }
    Ok(window_of(campaign)?.next_opening(at))
}

/// The window one contact is sent to in: the campaign's, in the contact's own zone when the
/// schedule is per contact and the contact has a zone.
pub fn window_for(campaign: &campaign::Model, contact_zone: Option<&str>) -> AppResult<Window> {
    let schedule = schedule_of(campaign)?;
    let window = home_window(campaign, &schedule)?;
    Ok(match contact_zone.filter(|_| schedule.per_contact()) {
        Some(zone) => window.in_zone(zone),
        None => window,
    })
}

/// Every email account the campaign sends from: `emailAccountId` first, then the rotation. A
/// rotation that does not decode is a corrupt row (an internal error, logged), never "the
/// first account only".
pub fn accounts_of(campaign: &campaign::Model) -> AppResult<Vec<String>> {
    let mut out: Vec<String> = campaign.email_account_id.iter().cloned().collect();
    let rotation: Vec<String> = match &campaign.email_account_ids {
        Some(v) => serde_json::from_value(v.clone()).map_err(|_| corrupt(campaign, "rotation"))?,
        None => Vec::new(),
    };
    for id in rotation {
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}

/// The campaign as the REST API shows it (also the `data` of campaign events).
pub fn to_json(c: &campaign::Model) -> AppResult<serde_json::Value> {
    let steps: Vec<serde_json::Value> = steps_of(c)?
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let variants: Vec<serde_json::Value> = s
                .variants()
                .iter()
                .map(|v| json!({ "id": v.id, "subject": v.subject, "body": v.body, "weight": v.weight }))
                .collect();
            json!({ "step": i + 1, "subject": s.subject, "body": s.body, "delayDays": s.delay_days, "sendIf": s.send_if.as_str(), "variants": variants })
        })
        .collect();
    Ok(json!({
        "id": c.id,
        "name": c.name,
        "status": c.status,
        "emailAccountId": c.email_account_id,
        "emailAccountIds": accounts_of(c)?,
        "pausedReason": c.paused_reason,
        "steps": steps,
        "schedule": schedule_of(c)?,
        "dailyLimit": c.daily_limit,
        "trackOpens": c.track_opens,
        "trackClicks": c.track_clicks,
        "stopOnReply": c.stop_on_reply,
        "stopOnReplyScope": c.stop_on_reply_scope.as_str(),
        "oooPauseDays": c.ooo_pause_days,
        "autoWinner": auto_winner_of(c)?,
        "contactCount": c.contact_count,
        "createdAt": ids::rfc3339(&c.created_at),
        "updatedAt": ids::rfc3339(&c.updated_at),
        "startedAt": c.started_at.as_ref().map(ids::rfc3339),
        "completedAt": c.completed_at.as_ref().map(ids::rfc3339),
    }))
}
