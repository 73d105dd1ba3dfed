//! Variables checked against what the workspace's contacts hold: a step naming a variable no
//! contact field and no custom field has (`{{firstname}}`, `{{compnay}}`) gets a warning, with
//! the field it most likely meant. Advisory: the campaign is saved all the same (a contact
//! without the field waits with reason `missing_field:…` when it comes due).

use std::collections::BTreeSet;

use entity::contact;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::Value;

use super::shape::Step;
use crate::error::AppResult;
use crate::service::templates;

/// The variables every contact can fill (its fields) and the unsubscribe link.
pub const BUILT_IN: &[&str] = &[
    "firstName",
    "lastName",
    "company",
    "email",
    "phone",
    "unsubscribeUrl",
];

/// How many of the workspace's newest contacts the custom field names are read from: the
/// check stays a bounded read however many contacts the workspace has.
pub const SAMPLED_CONTACTS: u64 = 2_000;

/// One variable no field of the workspace has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VariableWarning {
    /// 1-based step.
    pub step: i32,
    pub variant_id: String,
    /// `subject` or `body`.
    pub part: &'static str,
    pub variable: String,
    /// The known field it most likely meant.
    pub suggestion: Option<String>,
    pub message: String,
}

/// The custom field names of the workspace's newest contacts.
pub async fn custom_fields(
    db: &impl ConnectionTrait,
    workspace_id: &str,
) -> AppResult<BTreeSet<String>> {
    let rows: Vec<Value> = contact::Entity::find()
        .select_only()
        .column(contact::Column::CustomFields)
        .filter(contact::Column::WorkspaceId.eq(workspace_id))
        .order_by_desc(contact::Column::CreatedAt)
        .limit(SAMPLED_CONTACTS)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|v| match v {
            Value::Object(map) => Some(map.into_iter().map(|(k, _)| k)),
            _ => None,
        })
        .flatten()
        .collect())
}

/// The warnings of a sequence, given the workspace's custom field names.
pub fn warnings(steps: &[Step], custom: &BTreeSet<String>) -> Vec<VariableWarning> {
    let known: Vec<&str> = BUILT_IN
        .iter()
        .copied()
        .chain(custom.iter().map(String::as_str))
        .collect();
    let mut out = Vec::new();
    for (index, step) in steps.iter().enumerate() {
        for variant in step.variants() {
            for (part, text) in [("subject", &variant.subject), ("body", &variant.body)] {
                let Ok(parsed) = templates::parse(text) else {
                    continue;
                };
                let mut seen = BTreeSet::new();
                for name in templates::variables(&parsed) {
                    if known.contains(&name) || !seen.insert(name) {
                        continue;
                    }
                    let suggestion = closest(name, &known);
                    let message = match &suggestion {
                        Some(s) => format!(
                            "No contact has a field '{name}': did you mean '{s}'? Variable names are case-sensitive."
                        ),
                        None => format!(
                            "No contact has a field '{name}': such contacts wait (or get the fallback) until it is set."
                        ),
                    };
                    out.push(VariableWarning {
                        step: index as i32 + 1,
                        variant_id: variant.id.clone(),
                        part,
                        variable: name.to_owned(),
                        suggestion,
                        message,
                    });
                }
            }
        }
    }
    out
}

/// The known name `name` most likely meant: the same but for case, else the nearest within two
/// edits (case ignored).
fn closest(name: &str, known: &[&str]) -> Option<String> {
    if let Some(same) = known.iter().find(|k| k.eq_ignore_ascii_case(name)) {
        return Some((*same).to_owned());
    }
    let lower = name.to_ascii_lowercase();
    known
        .iter()
        .map(|k| (edits(&lower, &k.to_ascii_lowercase()), *k))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, k)| k.to_owned())
}

/// Levenshtein distance (by characters).
fn edits(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = if ca == *cb {
                previous
            } else {
                1 + previous.min(row[j]).min(row[j + 1])
            };
            previous = current;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::campaigns::{SendIf, Variant};

    fn step(subject: &str, body: &str) -> Step {
        Step {
            subject: subject.into(),
            body: body.into(),
            delay_days: 0,
            variants: vec![Variant {
                id: "var_1".into(),
                subject: subject.into(),
                body: body.into(),
                weight: 1,
            }],
            send_if: SendIf::Always,
        }
    }

    #[test]
    fn unknown_variables_are_named_with_what_they_likely_meant() {
        let custom: BTreeSet<String> = ["plan".to_owned(), "seatCount".to_owned()].into();
        let steps = [step(
            "Hi {{firstname}}",
            "{{RANDOM | Hey {{compnay}} | Hi}} {{plan}} {{seatcount}} {{budget | some}} {{firstname}}",
        )];
        let found = warnings(&steps, &custom);
        let named: Vec<(&str, &str, Option<&str>)> = found
            .iter()
            .map(|w| (w.part, w.variable.as_str(), w.suggestion.as_deref()))
            .collect();
        assert_eq!(
            named,
            vec![
                ("subject", "firstname", Some("firstName")),
                ("body", "compnay", Some("company")),
                ("body", "seatcount", Some("seatCount")),
                ("body", "budget", None),
                ("body", "firstname", Some("firstName")),
            ]
        );
        assert!(
            warnings(
                &[step("Hi {{firstName}}", "{{plan}} {{unsubscribeUrl}}")],
                &custom
            )
            .is_empty()
        );
    }

    #[test]
    fn edit_distance() {
        assert_eq!(edits("compnay", "company"), 2);
        assert_eq!(edits("", "abc"), 3);
        assert_eq!(edits("kitten", "sitting"), 3);
        assert_eq!(edits("é", "e"), 1);
    }
}
