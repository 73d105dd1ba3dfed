//! What a campaign would do for one contact, worked out without sending: the email a step
//! would send (`preview`, also what a test send sends), and when each remaining step is
//! planned to go and why there (`plan`).

use chrono::{DateTime, Offset, TimeZone, Utc};
use entity::{campaign, campaign_contact, contact, email_account, message};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::json;

use super::shape::{Step, Variant, accounts_of, schedule_of, steps_of, window_for};
use super::{CampaignStatus, get};
use crate::error::{AppError, AppResult};
use crate::service::compose::{self, ComposeError, Draft, Thread};
use crate::service::templates::Choices;
use crate::service::tracking::Tracker;
use crate::service::window::{self, Window};
use crate::service::{contacts, email_accounts, enrolments, messages, quotas};

/// The draws that choose a message's variant (its subject and body draw their own).
pub const VARIANT_DRAWS: u64 = 3;

/// What to preview: a contact, a step, and optionally the variant and seed to use (else the
/// variant the seed draws, and a random seed).
#[derive(Clone, Debug, Default)]
pub struct PreviewRequest {
    pub contact_id: String,
    pub step: i32,
    pub variant_id: Option<String>,
    pub seed: Option<i64>,
    /// Send it to this address instead of the contact's (a test send).
    pub to: Option<String>,
    /// A draft's subject and body instead of the saved variant's (a live preview while
    /// editing): checked as a step's would be.
    pub subject: Option<String>,
    pub body: Option<String>,
}

/// An email as it would go out.
#[derive(Clone, Debug)]
pub struct Preview {
    pub step: i32,
    pub variant_id: String,
    pub seed: i64,
    pub subject: String,
    pub body: String,
    pub body_text: Option<String>,
    /// The headers in order, as they would travel (unfolded).
    pub headers: Vec<(String, String)>,
    pub from: String,
    pub to: String,
    pub bytes: Vec<u8>,
    /// The account it would go from (its passwords still sealed).
    pub account: email_account::Model,
}

/// A seed as the API shows it: 16 hex digits.
pub fn seed_text(seed: i64) -> String {
    format!("{:016x}", seed as u64)
}

/// A seed from its text (1 to 16 hex digits).
pub fn seed_of_text(text: &str) -> Option<i64> {
    if text.is_empty() || text.len() > 16 {
        return None;
    }
    u64::from_str_radix(text, 16).ok().map(|n| n as i64)
}

/// The variant of `step` a seed draws (or the one named).
pub fn pick_variant(step: &Step, seed: i64, only: Option<&str>) -> Variant {
    step.pick(Choices::new(seed, VARIANT_DRAWS).next_u64(), only)
}

/// Composes step `request.step` of the campaign for the contact, exactly as a send would
/// (tracking links signed for a message that is never stored), without sending or writing.
pub async fn preview(
    db: &impl ConnectionTrait,
    tracker: &Tracker,
    workspace_id: &str,
    campaign_id: &str,
    request: PreviewRequest,
) -> AppResult<Preview> {
    let campaign = get(db, workspace_id, campaign_id).await?;
    let person = contacts::get(db, workspace_id, &request.contact_id)
        .await
        .map_err(|e| e.with_details(json!({ "field": "contactId" })))?;
    let steps = steps_of(&campaign)?;
    let index = usize::try_from(request.step - 1)
        .ok()
        .filter(|i| *i < steps.len())
        .ok_or_else(|| {
            AppError::invalid_field(
                "step",
                format!(
                    "step must be between 1 and {} (the campaign's steps)",
                    steps.len()
                ),
            )
        })?;
    let step = &steps[index];
    if let Some(id) = &request.variant_id
        && !step.variants().iter().any(|v| &v.id == id)
    {
        return Err(AppError::invalid_field(
            "variantId",
            format!("{id} is not a variant of step {}", request.step),
        ));
    }
    let seed = request.seed.unwrap_or_else(rand::random);
    let mut variant = pick_variant(step, seed, request.variant_id.as_deref());
    for (field, text, into) in [
        ("subject", request.subject, &mut variant.subject),
        ("body", request.body, &mut variant.body),
    ] {
        if let Some(text) = text {
            let longest = match field {
                "subject" => super::MAX_SUBJECT_CHARS,
                _ => super::MAX_BODY_CHARS,
            };
            if text.chars().count() > longest || (field == "subject" && text.contains(['\r', '\n']))
            {
                return Err(AppError::invalid_field(
                    field,
                    format!("{field} is too long or not one line"),
                ));
            }
            crate::service::templates::parse(&text).map_err(|e| {
                AppError::invalid_field(field, e.message)
                    .with_details(json!({ "field": field, "position": e.position }))
            })?;
            *into = text;
        }
    }
    let enrolment = enrolment(db, &campaign.id, &person.id).await?;
    let account = sending_account(db, workspace_id, &campaign, enrolment.as_ref()).await?;
    let mut person = person;
    if let Some(to) = request.to {
        person.email = crate::service::addresses::parse("to", &to)?.display;
    }
    let thread = match index {
        0 => None,
        _ => Some(thread_of(db, &campaign, &person, &steps, &account, tracker, seed).await?),
    };
    let (key, smtp_id) = messages::new_ids(&account.email);
    let composed = compose::compose(&Draft {
        campaign: &campaign,
        variant: &variant,
        seed,
        contact: &person,
        account: &account,
        message_key: &key,
        message_id: &smtp_id,
        thread: thread.as_ref(),
        tracker,
    })
    .map_err(|e| refusal(&e))?;
    Ok(Preview {
        step: request.step,
        variant_id: variant.id,
        seed,
        headers: headers_of(&composed.bytes),
        subject: composed.subject,
        body: composed.body,
        body_text: composed.body_text,
        from: composed.from,
        to: composed.to,
        bytes: composed.bytes,
        account,
    })
}

fn refusal(e: &ComposeError) -> AppError {
    match e {
        ComposeError::MissingField(name) => AppError::validation(format!(
            "The contact has no value for '{name}' and the template gives no fallback: it would wait (reason missing_field:{name})"
        ))
        .with_details(json!({ "field": "contactId", "variable": name })),
        ComposeError::InvalidAddress(address) => {
            AppError::validation(format!("'{address}' cannot be put on an envelope"))
                .with_details(json!({ "field": "to" }))
        }
    }
}

async fn enrolment(
    db: &impl ConnectionTrait,
    campaign_id: &str,
    contact_id: &str,
) -> AppResult<Option<campaign_contact::Model>> {
    Ok(campaign_contact::Entity::find()
        .filter(campaign_contact::Column::CampaignId.eq(campaign_id))
        .filter(campaign_contact::Column::ContactId.eq(contact_id))
        .one(db)
        .await?)
}

/// The account a contact's emails go from: the one its enrolment keeps, else the campaign's
/// first.
async fn sending_account(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    campaign: &campaign::Model,
    enrolment: Option<&campaign_contact::Model>,
) -> AppResult<email_account::Model> {
    let id = match enrolment.and_then(|e| e.email_account_id.clone()) {
        Some(id) => id,
        None => accounts_of(campaign)?.into_iter().next().ok_or_else(|| {
            AppError::invalid_field(
                "emailAccountId",
                "the campaign has no email account to send from",
            )
        })?,
    };
    email_accounts::get(db, workspace_id, &id).await
}

/// The thread a follow-up answers: the first email as it went out, or as it would.
async fn thread_of(
    db: &impl ConnectionTrait,
    campaign: &campaign::Model,
    person: &contact::Model,
    steps: &[Step],
    account: &email_account::Model,
    tracker: &Tracker,
    seed: i64,
) -> AppResult<Thread> {
    let first = message::Entity::find()
        .filter(message::Column::CampaignId.eq(&campaign.id))
        .filter(message::Column::ContactId.eq(&person.id))
        .filter(message::Column::Step.eq(1))
        .one(db)
        .await?;
    if let Some(m) = first.filter(|m| !m.subject.is_empty()) {
        return Ok(Thread {
            message_id: m.message_id,
            subject: m.subject,
        });
    }
    let variant = pick_variant(&steps[0], seed, None);
    let (key, smtp_id) = messages::new_ids(&account.email);
    let first = compose::compose(&Draft {
        campaign,
        variant: &variant,
        seed,
        contact: person,
        account,
        message_key: &key,
        message_id: &smtp_id,
        thread: None,
        tracker,
    })
    .map_err(|e| refusal(&e))?;
    Ok(Thread {
        message_id: smtp_id,
        subject: first.subject,
    })
}

/// The header lines of an email (before its first blank line), unfolded.
fn headers_of(bytes: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(bytes);
    let head = text.split("\r\n\r\n").next().unwrap_or_default();
    let mut out: Vec<(String, String)> = Vec::new();
    for line in head.split("\r\n") {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = out.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            out.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    out
}

/// Why a step is planned where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanReason {
    /// `delay`, `window`, `skip_date`, `daily_limit`, `dst`, `condition`, `missing_field`,
    /// `campaign_paused`, `campaign_draft`, `contact_zone`.
    pub code: &'static str,
    pub message: String,
}

/// One remaining step of a contact's sequence.
#[derive(Clone, Debug)]
pub struct PlannedStep {
    pub step: i32,
    /// None while the campaign is a draft (it has not started).
    pub planned_at: Option<DateTime<Utc>>,
    pub email_account_id: Option<String>,
    pub reasons: Vec<PlanReason>,
}

/// A contact's place in a campaign and what is left of its sequence.
#[derive(Clone, Debug)]
pub struct Plan {
    pub contact_id: String,
    pub state: enrolments::EnrolmentState,
    pub reason: Option<String>,
    /// The zone its windows are counted in.
    pub timezone: String,
    pub steps: Vec<PlannedStep>,
}

/// When each remaining step of the contact's sequence is planned to go, from what is known
/// now (window, skip dates, daily limit, delays, time zone changes, conditions), without
/// sending or writing anything.
pub async fn plan(
    db: &impl ConnectionTrait,
    workspace_id: &str,
    campaign_id: &str,
    contact_id: &str,
    now: DateTime<Utc>,
) -> AppResult<Plan> {
    let campaign = get(db, workspace_id, campaign_id).await?;
    let person = contacts::get(db, workspace_id, contact_id).await?;
    let enrolment = enrolment(db, &campaign.id, &person.id)
        .await?
        .ok_or_else(|| AppError::not_found("Enrolment"))?;
    let steps = steps_of(&campaign)?;
    let schedule = schedule_of(&campaign)?;
    let window = window_for(&campaign, person.timezone.as_deref())?;
    let zone = window.timezone();
    let mut plan = Plan {
        contact_id: person.id.clone(),
        state: enrolment.state,
        reason: enrolment.reason.clone(),
        timezone: zone.name().to_owned(),
        steps: Vec::new(),
    };
    if !enrolment.state.is_open() {
        return Ok(plan);
    }
    let account = enrolment
        .email_account_id
        .clone()
        .or_else(|| accounts_of(&campaign).ok()?.into_iter().next());
    let mut common = Vec::new();
    if schedule.per_contact() {
        common.push(PlanReason {
            code: "contact_zone",
            message: match &person.timezone {
                Some(tz) => format!("sent in the contact's own zone, {tz}"),
                None => format!(
                    "the contact has no zone: sent in the fallback, {}",
                    zone.name()
                ),
            },
        });
    }
    let started = match campaign.status {
        CampaignStatus::Draft => {
            common.push(PlanReason {
                code: "campaign_draft",
                message: "the campaign has not started: times count from its start".into(),
            });
            false
        }
        CampaignStatus::Paused => {
            common.push(PlanReason {
                code: "campaign_paused",
                message: "the campaign is paused: times count as if it resumed now".into(),
            });
            true
        }
        _ => true,
    };
    let mut previous: Option<DateTime<Utc>> = None;
    let first = usize::try_from(enrolment.current_step.max(0)).unwrap_or(0);
    for (index, step) in steps.iter().enumerate().skip(first) {
        let mut reasons = common.clone();
        let candidate = match previous {
            None => {
                let due = enrolment.next_send_at.map_or(now, |d| d.max(now));
                if let Some(field) = enrolment
                    .reason
                    .as_deref()
                    .and_then(|r| r.strip_prefix("missing_field:"))
                {
                    reasons.push(PlanReason {
                        code: "missing_field",
                        message: format!(
                            "waits for the contact's '{field}' (no value, no fallback)"
                        ),
                    });
                }
                // A follow-up's due time came from the delay after the last send.
                let after_send = match (index, enrolment.last_sent_at) {
                    (1.., Some(sent)) if enrolment.reason.is_none() => {
                        let days = u32::try_from(step.delay_days).unwrap_or(0);
                        reasons.push(PlanReason {
                            code: "delay",
                            message: format!(
                                "{days} calendar days after step {index} in {}",
                                zone.name()
                            ),
                        });
                        Some(window::add_calendar_days(zone, sent, days).max(now))
                    }
                    _ => None,
                };
                let full = day_is_full(db, &campaign, &schedule, now).await?;
                if let Some(at) = after_send.filter(|at| *at > now || !full) {
                    at
                } else if full && due <= now {
                    reasons.push(PlanReason {
                        code: "daily_limit",
                        message: format!(
                            "the campaign's {} emails of today are sent",
                            campaign.daily_limit
                        ),
                    });
                    let home: chrono_tz::Tz =
                        schedule.home_zone().parse().unwrap_or(chrono_tz::UTC);
                    window::next_local_midnight(home, now)
                } else {
                    due
                }
            }
            Some(before) => {
                let days = u32::try_from(step.delay_days).unwrap_or(0);
                reasons.push(PlanReason {
                    code: "delay",
                    message: format!("{days} calendar days after step {index} in {}", zone.name()),
                });
                window::add_calendar_days(zone, before, days)
            }
        };
        let planned = window.next_opening(candidate);
        if planned > candidate {
            reasons.push(PlanReason {
                code: "window",
                message: format!(
                    "moved to the next opening of the sending window ({})",
                    describe(&window, &schedule)
                ),
            });
        }
        for skipped in skipped_between(&window, zone, candidate, planned) {
            reasons.push(PlanReason {
                code: "skip_date",
                message: format!("{skipped} is a skipped date"),
            });
        }
        let (then, at) = (offset(zone, previous.unwrap_or(now)), offset(zone, planned));
        if then != at {
            reasons.push(PlanReason {
                code: "dst",
                message: format!(
                    "{} changes its UTC offset before then ({then} → {at})",
                    zone.name()
                ),
            });
        }
        if index > 0 && step.send_if != super::SendIf::Always {
            reasons.push(PlanReason {
                code: "condition",
                message: format!(
                    "sent only if {}: decided when it comes due, else skipped",
                    step.send_if.as_str().replace('_', " ")
                ),
            });
        }
        plan.steps.push(PlannedStep {
            step: index as i32 + 1,
            planned_at: started.then_some(planned),
            email_account_id: account.clone(),
            reasons,
        });
        previous = Some(planned);
    }
    Ok(plan)
}

/// Whether the campaign has sent its daily limit today (its home zone's day).
async fn day_is_full(
    db: &impl ConnectionTrait,
    campaign: &campaign::Model,
    schedule: &super::Schedule,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let home: chrono_tz::Tz = schedule.home_zone().parse().unwrap_or(chrono_tz::UTC);
    let day = window::local_day(home, now).to_string();
    Ok(quotas::sent_on(db, &campaign.id, &day).await? >= campaign.daily_limit)
}

fn describe(window: &Window, schedule: &super::Schedule) -> String {
    format!(
        "days {:?} {}–{} {}",
        schedule.days,
        schedule.start_time,
        schedule.end_time,
        window.timezone().name()
    )
}

/// The skipped dates a step passed over between `from` and `to` (local days).
fn skipped_between(
    window: &Window,
    zone: chrono_tz::Tz,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<String> {
    let (mut day, last) = (window::local_day(zone, from), window::local_day(zone, to));
    let mut out = Vec::new();
    while day <= last {
        if window.skips(day) && window.opens_on_weekday(day) {
            out.push(day.format("%Y-%m-%d").to_string());
        }
        match day.succ_opt() {
            Some(next) => day = next,
            None => break,
        }
    }
    out
}

/// The zone's offset from UTC at `at`, as `UTC+01:00`.
fn offset(zone: chrono_tz::Tz, at: DateTime<Utc>) -> String {
    let seconds = zone
        .offset_from_utc_datetime(&at.naive_utc())
        .fix()
        .local_minus_utc();
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.abs() / 60;
    format!("UTC{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_survives_its_text() {
        for seed in [0, 1, -1, i64::MIN, i64::MAX, 0x555c_0e3f_9a1b_2d4e] {
            assert_eq!(seed_of_text(&seed_text(seed)), Some(seed));
            assert_eq!(seed_text(seed).len(), 16);
        }
        assert_eq!(seed_of_text("ff"), Some(255));
        for bad in ["", "x", "12345678901234567", "-1", "0x1f"] {
            assert_eq!(seed_of_text(bad), None, "{bad}");
        }
    }
}
