//! Checks of what callers send: name, steps (text, templates, delays), schedule, email
//! accounts and daily limit, each refused with the field it concerns.

use sea_orm::ConnectionTrait;
use serde_json::json;

use entity::states::ReplyScope;

use super::shape::{AutoWinner, CONTACT_ZONE, Schedule, SendIf, Step, Variant, WinnerMetric};
use crate::error::{AppError, AppResult};
use crate::service::{Patch, clean_text, email_accounts, templates};

pub const MAX_STEPS: usize = 20;
pub const DEFAULT_DAILY_LIMIT: i32 = 100;
pub const MAX_DAILY_LIMIT: i32 = 10_000;
pub const MAX_NAME: usize = 200;
/// Longest subject line (RFC 5322 line limit).
pub const MAX_SUBJECT_CHARS: usize = 998;
pub const MAX_BODY_CHARS: usize = 100_000;
pub const MAX_DELAY_DAYS: i32 = 365;
/// Most variants (A/B/n) one step has.
pub const MAX_VARIANTS: usize = 10;
/// Largest weight of one variant.
pub const MAX_WEIGHT: i32 = 1_000;
pub const DEFAULT_WEIGHT: i32 = 1;

#[derive(Clone, Debug, Default)]
pub struct StepInput {
    pub subject: Option<String>,
    pub body: Option<String>,
    pub delay_days: Option<i32>,
    /// A/B/n: the step's versions, instead of `subject` and `body`.
    pub variants: Option<Vec<VariantInput>>,
    pub send_if: Option<SendIf>,
}

#[derive(Clone, Debug, Default)]
pub struct VariantInput {
    /// An existing variant of this campaign keeps its id (and its figures).
    pub id: Option<String>,
    pub subject: Option<String>,
    pub body: Option<String>,
    pub weight: Option<i32>,
}

#[derive(Clone, Debug, Default)]
pub struct ScheduleInput {
    /// An IANA zone, or `contact`: each contact's own zone.
    pub timezone: Option<String>,
    pub days: Option<Vec<i32>>,
    pub start_time: Option<String>,
    pub end_time: Option<String>,
    /// With `timezone: "contact"`, the zone of contacts without one (default UTC).
    pub fallback_timezone: Patch<String>,
    /// Local dates (`YYYY-MM-DD`) nothing is sent on.
    pub skip_dates: Option<Vec<String>>,
}

/// Most dates one schedule skips.
pub const MAX_SKIP_DATES: usize = 366;

fn check_zone(field: &str, tz: &str) -> AppResult<String> {
    let zone = crate::service::window::zone_name(tz).ok_or_else(|| {
        AppError::invalid_field(
            field,
            format!(
                "'{}' is not an IANA time zone such as Europe/Lisbon",
                tz.trim()
            ),
        )
    })?;
    Ok(zone.to_owned())
}

#[derive(Clone, Debug, Default)]
pub struct CampaignInput {
    pub name: Option<String>,
    pub email_account_id: Option<String>,
    pub email_account_ids: Option<Vec<String>>,
    pub steps: Option<Vec<StepInput>>,
    pub schedule: Option<ScheduleInput>,
    pub daily_limit: Option<i32>,
    pub track_opens: Option<bool>,
    pub track_clicks: Option<bool>,
    pub stop_on_reply: Option<bool>,
    pub stop_on_reply_scope: Option<ReplyScope>,
    pub auto_winner: Option<AutoWinnerInput>,
    pub ooo_pause_days: Option<i32>,
}

/// How a campaign picks each step's best variant by itself.
#[derive(Clone, Debug, Default)]
pub struct AutoWinnerInput {
    pub metric: Option<WinnerMetric>,
    pub min_sent_per_variant: Option<i32>,
}

pub const DEFAULT_MIN_SENT_PER_VARIANT: i32 = 100;
pub const MAX_MIN_SENT_PER_VARIANT: i32 = 100_000;

pub(super) fn check_auto_winner(input: AutoWinnerInput) -> AppResult<AutoWinner> {
    let metric = input.metric.ok_or_else(|| {
        AppError::invalid_field(
            "autoWinner.metric",
            "metric is required: reply, click or open",
        )
    })?;
    let min = input
        .min_sent_per_variant
        .unwrap_or(DEFAULT_MIN_SENT_PER_VARIANT);
    if !(1..=MAX_MIN_SENT_PER_VARIANT).contains(&min) {
        return Err(AppError::invalid_field(
            "autoWinner.minSentPerVariant",
            format!("minSentPerVariant must be between 1 and {MAX_MIN_SENT_PER_VARIANT}"),
        ));
    }
    Ok(AutoWinner {
        metric,
        min_sent_per_variant: min,
    })
}

#[derive(Clone, Debug, Default)]
pub struct CampaignPatch {
    pub name: Patch<String>,
    pub email_account_id: Patch<String>,
    pub email_account_ids: Patch<Vec<String>>,
    pub steps: Patch<Vec<StepInput>>,
    pub schedule: Patch<ScheduleInput>,
    pub daily_limit: Patch<i32>,
    pub track_opens: Patch<bool>,
    pub track_clicks: Patch<bool>,
    pub stop_on_reply: Patch<bool>,
    pub stop_on_reply_scope: Patch<ReplyScope>,
    pub auto_winner: Patch<AutoWinnerInput>,
    pub ooo_pause_days: Patch<i32>,
}

/// Days a sequence waits after an out-of-office answer without a return date, by default.
pub const DEFAULT_OOO_PAUSE_DAYS: i32 = 7;
pub const MAX_OOO_PAUSE_DAYS: i32 = 90;

pub(super) fn ooo_pause_days(days: i32) -> AppResult<i32> {
    if !(0..=MAX_OOO_PAUSE_DAYS).contains(&days) {
        return Err(AppError::invalid_field(
            "oooPauseDays",
            format!("oooPauseDays must be between 0 and {MAX_OOO_PAUSE_DAYS}"),
        ));
    }
    Ok(days)
}

/// Most email accounts one campaign rotates through.
pub const MAX_ROTATION: usize = 50;

pub(super) async fn check_rotation(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    ids: Vec<String>,
) -> AppResult<Option<serde_json::Value>> {
    if ids.len() > MAX_ROTATION {
        return Err(AppError::invalid_field(
            "emailAccountIds",
            format!("At most {MAX_ROTATION} email accounts per campaign"),
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(ids.len());
    for id in ids {
        if out.contains(&id) {
            continue;
        }
        email_accounts::get(db, workspace_id, &id)
            .await
            .map_err(|e| e.with_details(json!({ "field": "emailAccountIds", "id": id })))?;
        out.push(id);
    }
    Ok(if out.is_empty() {
        None
    } else {
        Some(json!(out))
    })
}

pub(super) fn name(value: Option<String>) -> AppResult<String> {
    clean_text("name", value, MAX_NAME)?
        .ok_or_else(|| AppError::invalid_field("name", "Name is required"))
}

pub(super) fn daily_limit(value: i32) -> AppResult<i32> {
    if !(1..=MAX_DAILY_LIMIT).contains(&value) {
        return Err(AppError::invalid_field(
            "dailyLimit",
            format!("dailyLimit must be between 1 and {MAX_DAILY_LIMIT}"),
        ));
    }
    Ok(value)
}

pub(super) fn step_error(
    index: usize,
    part: &str,
    message: impl Into<String>,
    position: Option<usize>,
) -> AppError {
    let message = message.into();
    let mut details =
        json!({ "field": "steps", "step": index + 1, "part": part, "reason": message });
    if let Some(position) = position {
        details["position"] = json!(position);
    }
    AppError::validation(format!("Step {} {part}: {message}", index + 1)).with_details(details)
}

/// The subject and body of one variant (or of a step without variants), checked: text
/// present (a follow-up's subject may be empty: it answers the first email in its thread),
/// one line, within limits, templates well-formed. `part` names the variant in errors.
fn check_email(
    index: usize,
    part: &str,
    subject: Option<String>,
    body: Option<String>,
) -> AppResult<(String, String)> {
    let named = |field: &str| format!("{part}{field}");
    let subject = subject.map(|s| s.trim().to_owned()).unwrap_or_default();
    if subject.is_empty() && index == 0 {
        return Err(step_error(
            index,
            &named("subject"),
            "the first step needs a subject",
            None,
        ));
    }
    if subject.chars().count() > MAX_SUBJECT_CHARS || subject.contains(['\r', '\n']) {
        return Err(step_error(
            index,
            &named("subject"),
            format!("subject must be one line of at most {MAX_SUBJECT_CHARS} characters"),
            None,
        ));
    }
    let body = body.unwrap_or_default();
    if body.trim().is_empty() {
        return Err(step_error(index, &named("body"), "body is required", None));
    }
    if body.chars().count() > MAX_BODY_CHARS {
        return Err(step_error(
            index,
            &named("body"),
            format!("body must be at most {MAX_BODY_CHARS} characters"),
            None,
        ));
    }
    for (field, text) in [("subject", &subject), ("body", &body)] {
        templates::parse(text)
            .map_err(|e| step_error(index, &named(field), e.message, Some(e.position)))?;
    }
    Ok((subject, body))
}

/// A step's variants, checked: between 1 and [`MAX_VARIANTS`], weights within 0..=
/// [`MAX_WEIGHT`] with one above 0, ids either new (made here) or one of `known` (the
/// campaign's current variants: a variant keeps its id, and its figures, across edits).
fn check_variants(
    index: usize,
    inputs: Vec<VariantInput>,
    known: &[String],
    taken: &mut Vec<String>,
) -> AppResult<Vec<Variant>> {
    if inputs.is_empty() || inputs.len() > MAX_VARIANTS {
        return Err(step_error(
            index,
            "variants",
            format!("a step has between 1 and {MAX_VARIANTS} variants"),
            None,
        ));
    }
    let mut out = Vec::with_capacity(inputs.len());
    for (n, input) in inputs.into_iter().enumerate() {
        let part = format!("variants[{n}].");
        let (subject, body) = check_email(index, &part, input.subject, input.body)?;
        let weight = input.weight.unwrap_or(DEFAULT_WEIGHT);
        if !(0..=MAX_WEIGHT).contains(&weight) {
            return Err(step_error(
                index,
                &format!("{part}weight"),
                format!("weight must be between 0 and {MAX_WEIGHT}"),
                None,
            ));
        }
        let id = match input.id.map(|id| id.trim().to_owned()) {
            Some(id) if taken.contains(&id) => {
                return Err(step_error(
                    index,
                    &format!("{part}id"),
                    format!("variant {id} is given twice"),
                    None,
                ));
            }
            Some(id) if known.contains(&id) => id,
            Some(id) => {
                return Err(step_error(
                    index,
                    &format!("{part}id"),
                    format!("{id} is not a variant of this campaign: leave id out for a new one"),
                    None,
                ));
            }
            None => crate::ids::new_id("var"),
        };
        taken.push(id.clone());
        out.push(Variant {
            id,
            subject,
            body,
            weight,
        });
    }
    if out.iter().all(|v| v.weight == 0) {
        return Err(step_error(
            index,
            "variants",
            "at least one variant needs a weight above 0",
            None,
        ));
    }
    Ok(out)
}

/// Checks a sequence: each step's email (or variants) well-formed, first delay 0, later delays
/// ≥ 0, conditions only on follow-ups. `current` is the sequence being replaced (none for a new
/// campaign): its variants' ids may be kept.
pub(super) fn check_steps(inputs: Vec<StepInput>, current: &[Step]) -> AppResult<Vec<Step>> {
    if inputs.len() > MAX_STEPS {
        return Err(AppError::invalid_field(
            "steps",
            format!("A campaign has at most {MAX_STEPS} steps"),
        ));
    }
    let known: Vec<String> = current
        .iter()
        .flat_map(|s| s.variants.iter().map(|v| v.id.clone()))
        .collect();
    let mut taken = Vec::new();
    let mut steps = Vec::with_capacity(inputs.len());
    for (index, input) in inputs.into_iter().enumerate() {
        let variants = match input.variants {
            Some(variants) => {
                if input.subject.is_some() || input.body.is_some() {
                    return Err(step_error(
                        index,
                        "variants",
                        "give either subject and body, or variants",
                        None,
                    ));
                }
                check_variants(index, variants, &known, &mut taken)?
            }
            None => {
                let (subject, body) = check_email(index, "", input.subject, input.body)?;
                vec![Variant {
                    id: crate::ids::new_id("var"),
                    subject,
                    body,
                    weight: DEFAULT_WEIGHT,
                }]
            }
        };
        let delay_days = input.delay_days.unwrap_or(if index == 0 { 0 } else { 1 });
        if index == 0 && delay_days != 0 {
            return Err(step_error(
                index,
                "delayDays",
                "the first step is sent at once: delayDays must be 0",
                None,
            ));
        }
        if !(0..=MAX_DELAY_DAYS).contains(&delay_days) {
            return Err(step_error(
                index,
                "delayDays",
                format!("delayDays must be between 0 and {MAX_DELAY_DAYS}"),
                None,
            ));
        }
        let send_if = input.send_if.unwrap_or(SendIf::Always);
        if index == 0 && send_if != SendIf::Always {
            return Err(step_error(
                index,
                "sendIf",
                "the first step has no earlier email to look at: sendIf must be always",
                None,
            ));
        }
        steps.push(Step {
            subject: variants[0].subject.clone(),
            body: variants[0].body.clone(),
            delay_days,
            variants,
            send_if,
        });
    }
    Ok(steps)
}

pub(super) fn check_time(field: &str, value: &str) -> AppResult<String> {
    let bad = || AppError::invalid_field(field, format!("{field} must be a time of day as HH:MM"));
    let (h, m) = value.split_once(':').ok_or_else(bad)?;
    if h.len() != 2 || m.len() != 2 {
        return Err(bad());
    }
    let (h, m): (u32, u32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if h > 23 || m > 59 {
        return Err(bad());
    }
    Ok(format!("{h:02}:{m:02}"))
}

/// Applies a schedule input over `base` (the default, or the current schedule).
pub(super) fn check_schedule(input: ScheduleInput, base: Schedule) -> AppResult<Schedule> {
    let timezone = match input.timezone {
        Some(tz) if tz.trim() == CONTACT_ZONE => CONTACT_ZONE.to_owned(),
        Some(tz) => check_zone("schedule.timezone", &tz).map_err(|_| {
            AppError::invalid_field(
                "schedule.timezone",
                format!(
                    "'{}' is not an IANA time zone such as Europe/Lisbon, nor 'contact'",
                    tz.trim()
                ),
            )
        })?,
        None => base.timezone,
    };
    let fallback_timezone = match input.fallback_timezone {
        Some(Some(tz)) => Some(check_zone("schedule.fallbackTimezone", &tz)?),
        Some(None) => None,
        None => base.fallback_timezone,
    };
    let days = match input.days {
        Some(mut days) => {
            if days.is_empty() || days.iter().any(|d| !(1..=7).contains(d)) {
                return Err(AppError::invalid_field(
                    "schedule.days",
                    "days must list ISO weekdays from 1 (Monday) to 7 (Sunday)",
                ));
            }
            days.sort_unstable();
            days.dedup();
            days
        }
        None => base.days,
    };
    let start_time = match input.start_time {
        Some(t) => check_time("schedule.startTime", &t)?,
        None => base.start_time,
    };
    let end_time = match input.end_time {
        Some(t) => check_time("schedule.endTime", &t)?,
        None => base.end_time,
    };
    if start_time == end_time {
        return Err(AppError::invalid_field(
            "schedule.endTime",
            "endTime must differ from startTime (an endTime before startTime is a window across midnight)",
        ));
    }
    let skip_dates = match input.skip_dates {
        Some(dates) => {
            if dates.len() > MAX_SKIP_DATES {
                return Err(AppError::invalid_field(
                    "schedule.skipDates",
                    format!("at most {MAX_SKIP_DATES} dates"),
                ));
            }
            let mut out = Vec::with_capacity(dates.len());
            for date in dates {
                let day =
                    chrono::NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").map_err(|_| {
                        AppError::invalid_field(
                            "schedule.skipDates",
                            format!("'{date}' is not a date as YYYY-MM-DD"),
                        )
                    })?;
                out.push(day.format("%Y-%m-%d").to_string());
            }
            out.sort_unstable();
            out.dedup();
            out
        }
        None => base.skip_dates,
    };
    Ok(Schedule {
        timezone,
        days,
        start_time,
        end_time,
        fallback_timezone,
        skip_dates,
    })
}

pub(super) async fn check_account(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    id: &str,
) -> AppResult<String> {
    email_accounts::get(db, workspace_id, id)
        .await
        .map(|account| account.id)
        .map_err(|e| e.with_details(json!({ "field": "emailAccountId" })))
}
