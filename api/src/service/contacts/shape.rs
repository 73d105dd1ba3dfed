//! The JSON a contact is shown as, the events that carry it, and the groups it lists.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{contact, group_member};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};

use crate::error::AppResult;
use crate::ids;
use crate::service::events;

/// The contact as the REST API shows it (also the `data` of contact events).
pub fn to_json(c: &contact::Model, group_ids: &[String]) -> Value {
    json!({
        "id": c.id,
        "email": c.email,
        "firstName": c.first_name,
        "lastName": c.last_name,
        "company": c.company,
        "phone": c.phone,
        "timezone": c.timezone,
        "customFields": c.custom_fields,
        "status": c.status,
        "leadStatus": c.lead_status,
        "groupIds": group_ids,
        "createdAt": ids::rfc3339(&c.created_at),
        "updatedAt": ids::rfc3339(&c.updated_at),
    })
}

pub(super) async fn emit(
    db: &impl ConnectionTrait,
    event_type: &str,
    c: &contact::Model,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let groups = group_ids_of(db, std::slice::from_ref(&c.id)).await?;
    let group_ids = groups.get(&c.id).cloned().unwrap_or_default();
    events::emit(db, &c.workspace_id, event_type, to_json(c, &group_ids), now).await?;
    Ok(())
}

/// Group ids of each contact (sorted), for the given contacts.
pub async fn group_ids_of(
    db: &impl ConnectionTrait,
    contact_ids: &[String],
) -> AppResult<HashMap<String, Vec<String>>> {
    let rows = group_member::Entity::find()
        .filter(group_member::Column::ContactId.is_in(contact_ids.iter().cloned()))
        .order_by_asc(group_member::Column::GroupId)
        .all(db)
        .await?;
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for row in rows {
        out.entry(row.contact_id).or_default().push(row.group_id);
    }
    Ok(out)
}
