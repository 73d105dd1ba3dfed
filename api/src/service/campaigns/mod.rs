//! Campaigns: sequences of emails sent to enrolled contacts on a schedule, and their lifecycle.
//!
//! - `shape`: what a campaign row holds, decoded, and the JSON it is shown as;
//! - `input`: checks of what callers send (steps, schedule, accounts, limits);
//! - `crud`: creating, reading, updating and deleting one;
//! - `listing`: pages of campaigns with their counters and accounts;
//! - `lifecycle`: start, pause and complete.

use entity::campaign;
use serde_json::json;

use crate::error::{AppError, AppResult};

mod crud;
mod input;
mod lifecycle;
mod listing;
mod shape;

pub use super::enrolments::EnrolmentState;
pub(crate) use crud::get_locked;
pub use crud::{by_ids, create, delete, get, update};
pub use input::{
    CampaignInput, CampaignPatch, DEFAULT_DAILY_LIMIT, MAX_BODY_CHARS, MAX_DAILY_LIMIT,
    MAX_DELAY_DAYS, MAX_NAME, MAX_ROTATION, MAX_STEPS, MAX_SUBJECT_CHARS, ScheduleInput, StepInput,
};
pub use lifecycle::{complete, complete_if_done, pause, pause_for, start};
pub use listing::{CampaignFilter, ListWith, Listed, SORT_FIELDS, list};
pub use shape::{
    Schedule, Step, accounts_of, schedule_of, step_count, steps_of, to_json, window_of,
};

/// Most contact ids one enrolment call takes (a group has no limit).
pub const MAX_ENROL_IDS: usize = 10_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CampaignStatus {
    Draft,
    Running,
    Paused,
    Completed,
}

impl CampaignStatus {
    pub const ALL: [CampaignStatus; 4] = [
        CampaignStatus::Draft,
        CampaignStatus::Running,
        CampaignStatus::Paused,
        CampaignStatus::Completed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CampaignStatus::Draft => "draft",
            CampaignStatus::Running => "running",
            CampaignStatus::Paused => "paused",
            CampaignStatus::Completed => "completed",
        }
    }

    pub fn parse(value: &str) -> Option<CampaignStatus> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }

    /// The stored status; a value this code never writes is a corrupt row: an internal error
    /// (logged), never a status to act on.
    pub fn of(campaign: &campaign::Model) -> AppResult<CampaignStatus> {
        Self::parse(&campaign.status).ok_or_else(|| corrupt(campaign, "status"))
    }
}

/// The outcome of an enrolment call.
#[derive(Clone, Debug)]
pub struct Enrolment {
    pub campaign: campaign::Model,
    pub added: u64,
    /// Unsubscribed or bounced contacts, never enrolled.
    pub skipped: u64,
    pub already_enrolled: u64,
}

/// A stored value this code never writes: an internal error (logged) naming the campaign.
fn corrupt(campaign: &campaign::Model, what: &str) -> AppError {
    AppError::internal(format!("campaign {} has a corrupt {what}", campaign.id))
}

/// A 409 for what the campaign's status does not allow now, saying why.
pub(crate) fn illegal(campaign: &campaign::Model, reason: &str) -> AppError {
    AppError::conflict(format!("Campaign is {}: {reason}", campaign.status))
        .with_details(json!({ "status": campaign.status, "reason": reason }))
}
