//! The examples of the calls on groups and their members.

use serde_json::json;

use super::Example;
use super::objects::{
    CONTACT_BRUNO, CONTACT_CARLA, GROUP, contact, deleted, group, group_changed, with,
};

/// The examples, by operation name.
pub(super) fn examples() -> Vec<(&'static str, Example)> {
    vec![
        (
            "listGroups",
            Example::page(vec![group()], 20).query("name", json!("lisbon")),
        ),
        ("getGroup", Example::answer(group()).id(GROUP)),
        (
            "createGroup",
            Example::answer(with(group(), json!({ "contactCount": 0 }))).body(json!({
                "name": "Lisbon leads",
                "description": "People met at Web Summit 2026",
            })),
        ),
        (
            "updateGroup",
            Example::answer(group_changed(1)).id(GROUP).body(json!({
                "description": "People met at Web Summit 2026, followed up in November",
            })),
        ),
        ("deleteGroup", Example::answer(deleted(GROUP)).id(GROUP)),
        (
            "listGroupContacts",
            Example::page(vec![contact()], 20)
                .id(GROUP)
                .query("status", json!("active")),
        ),
        (
            "addGroupContacts",
            Example::answer(json!({ "added": 2, "alreadyMembers": 0, "group": group_changed(3) }))
                .id(GROUP)
                .body(json!({ "contactIds": [CONTACT_BRUNO, CONTACT_CARLA] })),
        ),
        (
            "removeGroupContacts",
            Example::answer(json!({ "removed": 1, "notMembers": 0, "group": group_changed(2) }))
                .id(GROUP)
                .body(json!({ "contactIds": [CONTACT_CARLA] })),
        ),
    ]
}
