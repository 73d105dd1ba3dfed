//! What a campaign row holds, decoded (its steps, schedule, sending window and accounts), and
//! the JSON it is shown as. A stored value that does not decode is a corrupt row.

use entity::campaign;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::corrupt;
use crate::error::AppResult;
use crate::ids;
use crate::service::window::Window;

/// One email of the sequence, as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    pub subject: String,
    pub body: String,
    pub delay_days: i32,
}

/// When sending may happen: ISO weekdays (1 = Monday) and a local time window.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Schedule {
    pub timezone: String,
    pub days: Vec<i32>,
    pub start_time: String,
    pub end_time: String,
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule {
            timezone: "UTC".into(),
            days: vec![1, 2, 3, 4, 5],
            start_time: "09:00".into(),
            end_time: "17:00".into(),
        }
    }
}

/// The stored steps; steps that do not decode are a corrupt row (an internal error, logged),
/// never "no steps".
pub fn steps_of(campaign: &campaign::Model) -> AppResult<Vec<Step>> {
    serde_json::from_value(campaign.steps.clone()).map_err(|_| corrupt(campaign, "steps"))
}

/// How many steps the campaign has, without decoding them.
pub fn step_count(campaign: &campaign::Model) -> usize {
    campaign.steps.as_array().map_or(0, Vec::len)
}

pub fn schedule_of(campaign: &campaign::Model) -> AppResult<Schedule> {
    serde_json::from_value(campaign.schedule.clone()).map_err(|_| corrupt(campaign, "schedule"))
}

/// The campaign's sending window; a stored schedule that does not build one is a corrupt row.
pub fn window_of(campaign: &campaign::Model) -> AppResult<Window> {
    let s = schedule_of(campaign)?;
    Window::new(&s.timezone, &s.days, &s.start_time, &s.end_time)
        .map_err(|_| corrupt(campaign, "schedule"))
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
        .map(|(i, s)| json!({ "step": i + 1, "subject": s.subject, "body": s.body, "delayDays": s.delay_days }))
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
        "contactCount": c.contact_count,
        "createdAt": ids::rfc3339(&c.created_at),
        "updatedAt": ids::rfc3339(&c.updated_at),
        "startedAt": c.started_at.as_ref().map(ids::rfc3339),
        "completedAt": c.completed_at.as_ref().map(ids::rfc3339),
    }))
}
