//! Checks of a contact's fields (address, texts, custom fields), and the row a new contact's
//! fields build.

use chrono::{DateTime, Utc};
use sea_orm::Set;
use serde_json::{Value, json};

use super::ContactStatus;
use crate::error::{AppError, AppResult};
use crate::ids;
use crate::service::{Patch, clean_text};
use entity::contact;
use entity::states::LeadStatus;

/// Longest name or company.
pub const MAX_TEXT: usize = 200;
/// Longest phone number.
pub const MAX_PHONE: usize = 50;
pub const MAX_CUSTOM_FIELDS: usize = 100;
pub const MAX_CUSTOM_FIELDS_BYTES: usize = 16 * 1024;

/// Fields of a new contact; `email` is required and checked here, not by the caller.
#[derive(Clone, Debug, Default)]
pub struct ContactInput {
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
    pub phone: Option<String>,
    pub timezone: Option<String>,
    pub custom_fields: Option<Value>,
    pub status: Option<ContactStatus>,
    pub lead_status: Option<LeadStatus>,
    pub group_ids: Option<Vec<String>>,
}

/// A partial update: fields present are replaced, `Some(None)` clears.
#[derive(Clone, Debug, Default)]
pub struct ContactPatch {
    pub email: Patch<String>,
    pub first_name: Patch<String>,
    pub last_name: Patch<String>,
    pub company: Patch<String>,
    pub phone: Patch<String>,
    pub timezone: Patch<String>,
    pub custom_fields: Patch<Value>,
    pub status: Patch<ContactStatus>,
    pub lead_status: Patch<LeadStatus>,
    pub group_ids: Patch<Vec<String>>,
}

/// A contact's time zone: an IANA name (`America/Sao_Paulo`), kept as the zone database
/// spells it; blank is none.
pub(crate) fn timezone(value: Option<String>) -> AppResult<Option<String>> {
    let Some(name) = value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let zone = crate::service::window::zone_name(&name).ok_or_else(|| {
        AppError::invalid_field(
            "timezone",
            format!("'{name}' is not an IANA time zone such as Europe/Lisbon"),
        )
    })?;
    Ok(Some(zone.to_owned()))
}

pub(super) fn normalize_email(email: Option<String>) -> AppResult<(String, String)> {
    let address = crate::service::addresses::parse("email", email.as_deref().unwrap_or_default())?;
    Ok((address.display, address.normalized))
}

/// Integers past 2^53 cannot travel as JSON numbers without changing: refuse them rather than
/// keep a different number (send such values as strings).
fn exact_number(n: &serde_json::Number) -> bool {
    if let Some(i) = n.as_i64() {
        return i.unsigned_abs() <= MAX_EXACT_INTEGER;
    }
    if let Some(u) = n.as_u64() {
        return u <= MAX_EXACT_INTEGER;
    }
    n.as_f64()
        .is_some_and(|f| f.abs() <= MAX_EXACT_INTEGER as f64)
}

/// The largest magnitude a custom number may have: 2^53, beyond which JSON numbers lose digits.
pub const MAX_EXACT_INTEGER: u64 = 9_007_199_254_740_992;

pub(super) fn check_custom_fields(value: Value) -> AppResult<Value> {
    let invalid = |message: String| AppError::invalid_field("customFields", message);
    let Value::Object(map) = value else {
        return Err(invalid("customFields must be an object".into()));
    };
    if map.len() > MAX_CUSTOM_FIELDS {
        return Err(invalid(format!(
            "customFields may hold at most {MAX_CUSTOM_FIELDS} keys"
        )));
    }
    for (key, value) in &map {
        let valid_key = key.len() <= 64
            && key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid_key {
            return Err(invalid(format!(
                "customFields key '{key}' must start with a letter or '_' and hold only letters, digits and '_' (at most 64)"
            )));
        }
        if value.is_object() || value.is_array() {
            return Err(invalid(format!(
                "customFields value of '{key}' must be a string, number, boolean or null"
            )));
        }
        if let Value::Number(n) = value
            && !exact_number(n)
        {
            return Err(invalid(format!(
                "customFields value of '{key}' is a number too large to keep exactly: send it as a string"
            )));
        }
        if let Value::String(text) = value
            && text
                .chars()
                .any(|c| crate::service::addresses::is_deceptive(c) && !matches!(c, '\n' | '\t'))
        {
            return Err(invalid(format!(
                "customFields value of '{key}' must not contain control or invisible characters"
            )));
        }
    }
    let value = Value::Object(map);
    if value.to_string().len() > MAX_CUSTOM_FIELDS_BYTES {
        return Err(invalid(format!(
            "customFields must be at most {MAX_CUSTOM_FIELDS_BYTES} bytes"
        )));
    }
    Ok(value)
}

pub(super) fn text(field: &str, value: Option<String>) -> AppResult<Option<String>> {
    clean_text(field, value, MAX_TEXT)
}

/// Checks every field of a new contact and builds its row (not yet inserted).
pub(super) fn build_row(
    workspace_id: &str,
    input: ContactInput,
    now: DateTime<Utc>,
) -> AppResult<contact::ActiveModel> {
    let (email, email_normalized) = normalize_email(input.email)?;
    let custom_fields = match input.custom_fields {
        Some(Value::Null) | None => json!({}),
        Some(value) => check_custom_fields(value)?,
    };
    Ok(contact::ActiveModel {
        id: Set(ids::new_id(ids::CONTACT)),
        workspace_id: Set(workspace_id.to_owned()),
        email: Set(email),
        email_normalized: Set(email_normalized),
        first_name: Set(text("firstName", input.first_name)?),
        last_name: Set(text("lastName", input.last_name)?),
        company: Set(text("company", input.company)?),
        phone: Set(clean_text("phone", input.phone, MAX_PHONE)?),
        timezone: Set(timezone(input.timezone)?),
        custom_fields: Set(custom_fields),
        status: Set(input.status.unwrap_or(ContactStatus::Active)),
        lead_status: Set(input.lead_status),
        created_at: Set(now),
        updated_at: Set(now),
    })
}
