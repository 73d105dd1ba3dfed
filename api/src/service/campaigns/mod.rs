//! Campaigns: sequences of emails sent to enrolled contacts on a schedule, and their lifecycle.
//!
//! - `shape`: what a campaign row holds, decoded, and the JSON it is shown as;
//! - `input`: checks of what callers send (steps, schedule, accounts, limits);
//! - `crud`: creating, reading, updating and deleting one;
//! - `listing`: pages of campaigns with their counters and accounts;
//! - `lifecycle`: start, pause and complete;
//! - `preview`: the email a step would send a contact, and the plan of its remaining steps;
//! - `winners`: automatic A/B winners, decided once per step;
//! - `variables`: the variables a sequence names that no field of the workspace has.

use entity::campaign;
use serde_json::json;

use crate::error::AppError;

mod crud;
mod input;
mod lifecycle;
mod listing;
mod preflight;
mod preview;
mod shape;
mod variables;
mod winners;

pub use super::enrolments::EnrolmentState;
pub(crate) use crud::get_locked;
pub use crud::{WithFigures, by_ids, create, delete, get, get_with_figures, update};
pub use input::{
    AutoWinnerInput, CampaignInput, CampaignPatch, DEFAULT_DAILY_LIMIT,
    DEFAULT_MIN_SENT_PER_VARIANT, MAX_BODY_CHARS, MAX_DAILY_LIMIT, MAX_DELAY_DAYS,
    MAX_MIN_SENT_PER_VARIANT, MAX_NAME, MAX_OOO_PAUSE_DAYS, MAX_ROTATION, MAX_SKIP_DATES,
    MAX_STEPS, MAX_SUBJECT_CHARS, MAX_VARIANTS, MAX_WEIGHT, ScheduleInput, StepInput, VariantInput,
};
pub(crate) use lifecycle::reopen;
pub use lifecycle::{complete, complete_if_done, pause, pause_for, start};
pub use listing::{CampaignFilter, ListWith, Listed, SORT_FIELDS, list};
pub use preflight::{Preflight, Warning as PreflightWarning, start_checked, warnings as preflight};
pub use preview::{
    Plan, PlanReason, PlannedStep, Preview, PreviewRequest, VARIANT_DRAWS, pick_variant, plan,
    preview, seed_of_text, seed_text,
};
pub use shape::{
    AutoWinner, CONTACT_ZONE, Schedule, SendIf, Step, Variant, WinnerMetric, accounts_of,
    auto_winner_of, next_due, schedule_of, step_count, steps_of, to_json, window_for, window_of,
};
pub use variables::{BUILT_IN, SAMPLED_CONTACTS, VariableWarning, custom_fields, warnings};
pub use winners::{winner, winners_of};

/// Most contact ids one enrolment call takes (a group has no limit).
pub const MAX_ENROL_IDS: usize = 10_000;

pub use entity::states::CampaignStatus;

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
