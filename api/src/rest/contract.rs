//! The OpenAPI document, derived from what already decides each answer: the route table (paths,
//! query parameters, where the body goes, where `data` sits) and the GraphQL schema (the types
//! of every variable and of every field a route's operation selects). The only hand-written
//! part is [`rules`]: the limits JSON Schema can state and GraphQL cannot, each citing the
//! service constant that enforces it. A route whose operation names a type or field the
//! schema lacks fails the build of the document, so it cannot drift. Each operation also
//! carries its example call and answer from [`examples`], written by hand as realistic ones.

mod examples;

use std::collections::HashMap;

use async_graphql::Name;
use async_graphql::parser::types::{
    BaseType, DocumentOperations, ExecutableDocument, FieldDefinition, InputValueDefinition,
    OperationDefinition, OperationType, Selection, SelectionSet, Type, TypeDefinition, TypeKind,
    TypeSystemDefinition,
};
use axum::http::Method;
use serde_json::{Map, Value, json};

use super::RestTable;
use super::table::{BodyMap, ParamKind, Shape};
use crate::error::ErrorCode;
use crate::service::{
    self, MAX_FILTER_CHARS, MAX_PAGE, addresses, campaigns, contacts, email_accounts, events,
    groups, idempotency, suppressions, unknown_outcomes, webhooks,
};

/// Text without control or invisible characters (tab and newline allowed).
const PLAIN_TEXT: &str = "^[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\uFEFF]*$";
/// The same, with at least one character that is not a space.
const REQUIRED_TEXT: &str = "^[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\uFEFF]*[^\\s\\u0000-\\u001F\\u007F-\\u009F\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\uFEFF][^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\uFEFF]*$";

/// What the schema says of one input field or argument beyond its GraphQL type.
#[derive(Clone, Debug, Default)]
struct Rule {
    /// Must be present (the service answers "… is required" otherwise).
    required: bool,
    /// `null` is refused (the service answers "… cannot be removed").
    not_null: bool,
    /// JSON Schema keywords merged over the generated ones.
    schema: Value,
    /// The list's items are checked one by one and reported in the answer (a batch): the
    /// request states only their types.
    each_alone: bool,
}

fn rule(schema: Value) -> Rule {
    Rule {
        schema,
        ..Rule::default()
    }
}

impl Rule {
    fn required(mut self) -> Rule {
        self.required = true;
        self.not_null = true;
        self
    }

    fn not_null(mut self) -> Rule {
        self.not_null = true;
        self
    }

    fn each_alone(mut self) -> Rule {
        self.each_alone = true;
        self
    }
}

fn text(max: usize) -> Value {
    json!({ "maxLength": max, "pattern": PLAIN_TEXT })
}

fn required_text(max: usize) -> Value {
    json!({ "minLength": 1, "maxLength": max, "pattern": REQUIRED_TEXT })
}

fn email() -> Value {
    json!({ "format": "email", "maxLength": addresses::MAX_ADDRESS, "example": "ana@example.com" })
}

fn range(min: i64, max: i64) -> Value {
    json!({ "minimum": min, "maximum": max })
}

fn timezone() -> Value {
    let names: Vec<&str> = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect();
    json!({ "enum": names, "example": "Europe/Lisbon" })
}

fn time_of_day(example: &str) -> Value {
    json!({ "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$", "example": example })
}

fn custom_fields() -> Value {
    json!({
        "type": ["object", "null"],
        "description": format!(
            "Up to {} keys (letters, digits and `_`, starting with a letter or `_`, at most 64); values are strings, numbers of magnitude at most 2^53, booleans or null; at most {} bytes in all.",
            contacts::MAX_CUSTOM_FIELDS,
            contacts::MAX_CUSTOM_FIELDS_BYTES
        ),
        "maxProperties": contacts::MAX_CUSTOM_FIELDS,
        "propertyNames": { "pattern": "^[A-Za-z_][A-Za-z0-9_]{0,63}$" },
        "additionalProperties": { "$ref": "#/components/schemas/CustomValue" },
        "example": { "plan": "pro", "seats": 12 },
    })
}

fn sorts<C>(fields: &[(&str, C)]) -> Value {
    let names: Vec<&str> = fields.iter().map(|(name, _)| *name).collect();
    json!({ "enum": names })
}

/// The limits the services enforce, by GraphQL schema coordinate (`Type.field` for input
/// fields, `Type.field(argument:)` for arguments, `(argument:)` for any field's argument).
fn rules() -> HashMap<&'static str, Rule> {
    let mut rules = HashMap::new();
    let mut add = |coordinate: &'static str, rule: Rule| {
        rules.insert(coordinate, rule);
    };
    // Lists.
    add("(page:)", rule(range(1, MAX_PAGE)));
    add(
        "(perPage:)",
        rule(
            json!({ "minimum": 1, "maximum": i32::MAX, "description": format!("Larger than {} reads as {}", service::MAX_PER_PAGE, service::MAX_PER_PAGE) }),
        ),
    );
    add("Query.contacts(sort:)", rule(sorts(contacts::SORT_FIELDS)));
    add("Group.contacts(sort:)", rule(sorts(contacts::SORT_FIELDS)));
    add("Query.groups(sort:)", rule(sorts(groups::SORT_FIELDS)));
    add(
        "Query.emailAccounts(sort:)",
        rule(sorts(email_accounts::SORT_FIELDS)),
    );
    add(
        "Query.campaigns(sort:)",
        rule(sorts(campaigns::SORT_FIELDS)),
    );
    add(
        "ContactFilter.email",
        rule(json!({ "maxLength": MAX_FILTER_CHARS })),
    );
    add(
        "ContactFilter.company",
        rule(json!({ "maxLength": MAX_FILTER_CHARS })),
    );
    add(
        "GroupFilter.name",
        rule(json!({ "maxLength": MAX_FILTER_CHARS })),
    );
    add(
        "Campaign.stats(from:)",
        rule(json!({ "format": "date", "example": "2026-11-01" })),
    );
    add(
        "Campaign.stats(to:)",
        rule(json!({ "format": "date", "example": "2026-11-30" })),
    );
    // Contacts.
    for ty in ["ContactInput", "ContactUpdate"] {
        let leak = |field: &str| -> &'static str { Box::leak(format!("{ty}.{field}").into()) };
        let address = rule(email());
        add(
            leak("email"),
            if ty == "ContactInput" {
                address.required()
            } else {
                address.not_null()
            },
        );
        for field in ["firstName", "lastName", "company"] {
            add(leak(field), rule(text(contacts::MAX_TEXT)));
        }
        add(leak("phone"), rule(text(contacts::MAX_PHONE)));
        add(leak("customFields"), rule(custom_fields()));
    }
    add("ContactUpdate.status", Rule::default().not_null());
    add(
        "Mutation.createContacts(contacts:)",
        rule(json!({
            "maxItems": contacts::MAX_BATCH,
            "description": "Each contact is checked on its own: one that breaks a ContactInput rule fails alone, reported in `results`.",
        }))
        .not_null()
        .each_alone(),
    );
    // Groups.
    add(
        "GroupInput.name",
        rule(required_text(groups::MAX_NAME)).required(),
    );
    add(
        "GroupUpdate.name",
        rule(required_text(groups::MAX_NAME)).not_null(),
    );
    for coordinate in ["GroupInput.description", "GroupUpdate.description"] {
        add(coordinate, rule(text(groups::MAX_DESCRIPTION)));
    }
    for coordinate in [
        "Mutation.addContactsToGroup(contactIds:)",
        "Mutation.removeContactsFromGroup(contactIds:)",
    ] {
        add(
            coordinate,
            rule(json!({ "minItems": 1, "maxItems": groups::MAX_MEMBERS_PER_CALL })),
        );
    }
    // Email accounts.
    for ty in ["EmailAccountInput", "EmailAccountUpdate"] {
        let create = ty == "EmailAccountInput";
        let leak = |field: &str| -> &'static str { Box::leak(format!("{ty}.{field}").into()) };
        let must = |r: Rule| if create { r.required() } else { r.not_null() };
        // On a create, `null` reads as "not given" (the default); on an update it would
        // remove a value the account cannot do without.
        let kept = |r: Rule| if create { r } else { r.not_null() };
        add(leak("email"), must(rule(email())));
        add(leak("name"), rule(text(email_accounts::MAX_NAME)));
        add(
            leak("smtpHost"),
            must(rule(json!({
                "minLength": 1,
                "maxLength": email_accounts::MAX_HOST,
                "pattern": "^[A-Za-z0-9.:\\[\\]-]*[A-Za-z0-9][A-Za-z0-9.:\\[\\]-]*$",
                "description": "A host name or IP address; an address must be public unless the operator allows private hosts.",
                "example": "smtp.example.com",
            }))),
        );
        add(leak("smtpPort"), kept(rule(range(1, 65535))));
        let username = json!({ "maxLength": email_accounts::MAX_USERNAME, "pattern": PLAIN_TEXT });
        add(
            leak("smtpUsername"),
            if create {
                rule(username)
            } else {
                rule(required_text(email_accounts::MAX_USERNAME)).not_null()
            },
        );
        add(
            leak("smtpPassword"),
            must(rule(json!({
                "minLength": 1,
                "maxLength": email_accounts::MAX_PASSWORD_CHARS,
                "writeOnly": true,
            }))),
        );
        add(leak("smtpSecurity"), kept(Rule::default()));
        add(
            leak("dailyLimit"),
            kept(rule(range(1, email_accounts::MAX_DAILY_LIMIT.into()))),
        );
        add(leak("timezone"), rule(timezone()));
        add(
            leak("sendGapSeconds"),
            rule(range(0, email_accounts::MAX_SEND_GAP_SECONDS.into())),
        );
        add(
            leak("imapHost"),
            rule(json!({
                "minLength": 1,
                "maxLength": email_accounts::MAX_HOST,
                "pattern": "^[A-Za-z0-9.:\\[\\]-]*[A-Za-z0-9][A-Za-z0-9.:\\[\\]-]*$",
                "description": "Where replies and bounce reports are read (IMAP); `null` turns reply tracking off. Same address policy as smtpHost.",
                "example": "imap.example.com",
            })),
        );
        add(leak("imapPort"), rule(range(1, 65535)));
        add(
            leak("imapUsername"),
            rule(json!({ "maxLength": email_accounts::MAX_USERNAME, "pattern": PLAIN_TEXT })),
        );
        add(
            leak("imapPassword"),
            rule(json!({
                "minLength": 1,
                "maxLength": email_accounts::MAX_PASSWORD_CHARS,
                "writeOnly": true,
            })),
        );
    }
    // IMAP settings come together: a host needs a password, and the rest needs a host. (Not
    // stated as `dependentRequired`: a `null` host reads as "not given", which that keyword
    // cannot say.)
    add(
        "Mutation.createEmailAccount()",
        rule(json!({
            "description": "IMAP settings come together: `imapHost` needs `imapPassword`, and the other `imap*` fields need `imapHost`. Without them the account sends but reports `replyTracking: \"off\"`.",
        })),
    );
    // Campaigns.
    for ty in ["CampaignInput", "CampaignUpdate"] {
        let create = ty == "CampaignInput";
        let leak = |field: &str| -> &'static str { Box::leak(format!("{ty}.{field}").into()) };
        let kept = |r: Rule| if create { r } else { r.not_null() };
        let name = rule(required_text(campaigns::MAX_NAME));
        add(
            leak("name"),
            if create {
                name.required()
            } else {
                name.not_null()
            },
        );
        add(
            leak("emailAccountIds"),
            rule(json!({ "maxItems": campaigns::MAX_ROTATION })),
        );
        add(
            leak("steps"),
            rule(json!({ "maxItems": campaigns::MAX_STEPS })),
        );
        add(
            leak("dailyLimit"),
            kept(rule(range(1, campaigns::MAX_DAILY_LIMIT.into()))),
        );
        for flag in ["trackOpens", "trackClicks", "stopOnReply"] {
            add(leak(flag), kept(Rule::default()));
        }
        add(leak("schedule"), kept(Rule::default()));
    }
    add(
        "StepInput.subject",
        rule(json!({
            "maxLength": campaigns::MAX_SUBJECT_CHARS,
            "pattern": "^[^\\r\\n\\u0000]*$",
            "description": "One line; required on the first step. Takes `{{field}}` and `{{field | fallback}}` variables.",
        })),
    );
    add(
        "StepInput.body",
        rule(json!({
            "minLength": 1,
            "maxLength": campaigns::MAX_BODY_CHARS,
            "pattern": "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$",
            "description": "Plain text or HTML. Takes `{{field}}` and `{{field | fallback}}` variables.",
        }))
        .required(),
    );
    add(
        "StepInput.delayDays",
        rule(range(0, campaigns::MAX_DELAY_DAYS.into())),
    );
    add("ScheduleInput.timezone", rule(timezone()));
    add(
        "ScheduleInput.days",
        rule(json!({ "minItems": 1, "items": { "minimum": 1, "maximum": 7 } })),
    );
    add("ScheduleInput.startTime", rule(time_of_day("09:00")));
    add("ScheduleInput.endTime", rule(time_of_day("17:00")));
    add(
        "Mutation.addContactsToCampaign(contactIds:)",
        rule(json!({ "maxItems": campaigns::MAX_ENROL_IDS })).not_null(),
    );
    add(
        "Mutation.addContactsToCampaign(groupId:)",
        Rule::default().not_null(),
    );
    add(
        "Mutation.addContactsToCampaign()",
        rule(json!({
            "description": "Give `contactIds`, `groupId` or both.",
            "anyOf": [
                {
                    "required": ["contactIds"],
                    "properties": { "contactIds": { "type": "array", "items": { "type": "string" }, "minItems": 1 } },
                },
                { "required": ["groupId"], "properties": { "groupId": { "type": "string" } } },
            ],
        })),
    );
    // Webhooks.
    let mut catalogue = vec!["*"];
    catalogue.extend(events::CATALOGUE);
    for ty in ["WebhookInput", "WebhookUpdate"] {
        let leak = |field: &str| -> &'static str { Box::leak(format!("{ty}.{field}").into()) };
        let url = rule(json!({
            "format": "uri",
            "maxLength": webhooks::MAX_URL,
            "pattern": "^https://[^\\u0000]*$",
            "description": "An https URL on port 443 or 80 whose host resolves to public addresses (operators may allow private ones).",
            "example": "https://hooks.example.com/fluenzr",
        }));
        add(
            leak("url"),
            if ty == "WebhookInput" {
                url.required()
            } else {
                url.not_null()
            },
        );
        add(
            leak("events"),
            rule(
                json!({ "minItems": 1, "items": { "enum": catalogue.clone() }, "example": ["email.opened", "email.replied"] }),
            ),
        );
        add(leak("description"), rule(text(webhooks::MAX_DESCRIPTION)));
        if ty == "WebhookUpdate" {
            add(leak("active"), Rule::default().not_null());
        }
    }
    // Suppressions.
    add(
        "Query.suppressions(sort:)",
        rule(sorts(suppressions::SORT_FIELDS)),
    );
    add(
        "SuppressionFilter.value",
        rule(json!({ "maxLength": MAX_FILTER_CHARS })),
    );
    let value = json!({
        "minLength": 1,
        "maxLength": addresses::MAX_ADDRESS,
        "description": "An email address (kind `email`) or a domain (kind `domain`, e.g. `example.com`): stored in normal form (lower case, IDNA ASCII). A domain covers every address at it.",
        "example": "ana@example.com",
    });
    add("SuppressionInput.kind", Rule::default().required());
    add("SuppressionInput.value", rule(value.clone()).required());
    add(
        "Mutation.addSuppressions(kind:)",
        Rule::default().not_null(),
    );
    add("Mutation.addSuppressions(value:)", rule(value).not_null());
    add(
        "Mutation.addSuppressions(source:)",
        Rule::default().not_null(),
    );
    add(
        "Mutation.addSuppressions(items:)",
        rule(json!({ "minItems": 1, "maxItems": suppressions::MAX_ITEMS })).not_null(),
    );
    add(
        "Mutation.addSuppressions()",
        rule(json!({
            "description": format!(
                "One suppression (`kind`, `value`, optional `source`, default `manual`), or up to {} as `items`, in one transaction: an invalid item refuses the whole call (400, `details.index` and `details.invalidIndexes`) and nothing is written; an item already suppressed is kept as it is.",
                suppressions::MAX_ITEMS
            ),
        })),
    );
    add(
        "Mutation.resolveUnknownOutcomes(messageIds:)",
        rule(json!({ "minItems": 1, "maxItems": unknown_outcomes::MAX_RESOLVE_IDS })).not_null(),
    );
    add(
        "Mutation.deleteSuppression(reason:)",
        // Required, but it may come in the query string instead of the (optional) body.
        rule(json!({
            "minLength": 1,
            "maxLength": suppressions::MAX_REASON,
            "pattern": REQUIRED_TEXT,
            "description": "Why the address may be emailed again; required here or as the `reason` query parameter.",
        }))
        .not_null(),
    );
    rules
}

/// One step of the way to a value inside a request's variables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    Field(String),
    /// Every element of a list.
    Each,
}

/// Where a request's variables must hold lists. GraphQL reads a lone value given for a list as
/// a list of one; REST refuses it, as its schema says.
pub fn list_paths(types: &Types, document: &ExecutableDocument) -> Result<Vec<Vec<Step>>, String> {
    let operation = Operation::new(types, document)?;
    let mut out = Vec::new();
    for definition in &operation.definition.variable_definitions {
        let path = vec![Step::Field(definition.node.name.node.to_string())];
        types.lists(&definition.node.var_type.node, path, &mut out)?;
    }
    Ok(out)
}

/// Checks `variables` against `paths`; the first offending place, dotted, when one holds a
/// value that is not a list.
pub fn misplaced_scalar(variables: &Value, paths: &[Vec<Step>]) -> Option<String> {
    fn walk(value: &Value, steps: &[Step], at: &mut Vec<String>) -> bool {
        match steps.split_first() {
            None => value.is_null() || value.is_array(),
            Some((Step::Field(name), rest)) => match value.get(name) {
                Some(inner) => {
                    at.push(name.clone());
                    let ok = walk(inner, rest, at);
                    if ok {
                        at.pop();
                    }
                    ok
                }
                None => true,
            },
            Some((Step::Each, rest)) => match value {
                Value::Array(items) => items.iter().enumerate().all(|(i, item)| {
                    at.push(i.to_string());
                    let ok = walk(item, rest, at);
                    if ok {
                        at.pop();
                    }
                    ok
                }),
                _ => true,
            },
        }
    }
    paths.iter().find_map(|steps| {
        let mut at = Vec::new();
        (!walk(variables, steps, &mut at)).then(|| at.join("."))
    })
}

/// The GraphQL types by name (parsed once from the SDL), with the limits table.
pub struct Types {
    by_name: HashMap<String, TypeDefinition>,
    rules: HashMap<&'static str, Rule>,
}

impl Types {
    pub fn parse(sdl: &str) -> Result<Types, String> {
        let document = async_graphql::parser::parse_schema(sdl)
            .map_err(|e| format!("the GraphQL schema does not parse: {e}"))?;
        let mut by_name = HashMap::new();
        for definition in document.definitions {
            if let TypeSystemDefinition::Type(ty) = definition {
                by_name.insert(ty.node.name.node.to_string(), ty.node);
            }
        }
        Ok(Types {
            by_name,
            rules: rules(),
        })
    }

    fn lists(&self, ty: &Type, path: Vec<Step>, out: &mut Vec<Vec<Step>>) -> Result<(), String> {
        if path.len() > 16 {
            return Err("input types nest too deep".into());
        }
        match &ty.base {
            BaseType::List(inner) => {
                out.push(path.clone());
                let mut each = path;
                each.push(Step::Each);
                self.lists(inner, each, out)
            }
            BaseType::Named(name) => {
                if let Some(TypeDefinition {
                    kind: TypeKind::InputObject(object),
                    ..
                }) = self.by_name.get(name.as_str())
                {
                    for field in &object.fields {
                        let mut inner = path.clone();
                        inner.push(Step::Field(field.node.name.node.to_string()));
                        self.lists(&field.node.ty.node, inner, out)?;
                    }
                }
                Ok(())
            }
        }
    }

    /// The definition of the type named `name`, if the schema has one.
    pub fn definition(&self, name: &str) -> Option<&TypeDefinition> {
        self.by_name.get(name)
    }

    fn get(&self, name: &str) -> Result<&TypeDefinition, String> {
        self.by_name
            .get(name)
            .ok_or_else(|| format!("the schema has no type {name}"))
    }

    /// The definition of `parent.field` (an object type's field).
    fn field(&self, parent: &str, field: &str) -> Result<&FieldDefinition, String> {
        let TypeKind::Object(object) = &self.get(parent)?.kind else {
            return Err(format!("{parent} is not an object type"));
        };
        object
            .fields
            .iter()
            .find(|f| f.node.name.node == field)
            .map(|f| &f.node)
            .ok_or_else(|| format!("{parent} has no field {field}"))
    }

    fn field_type(&self, parent: &str, field: &str) -> Result<(&Type, Option<String>), String> {
        let found = self.field(parent, field)?;
        Ok((
            &found.ty.node,
            found.description.as_ref().map(|d| d.node.clone()),
        ))
    }

    fn argument(
        &self,
        parent: &str,
        field: &str,
        argument: &str,
    ) -> Result<&InputValueDefinition, String> {
        self.field(parent, field)?
            .arguments
            .iter()
            .find(|a| a.node.name.node == argument)
            .map(|a| &a.node)
            .ok_or_else(|| format!("{parent}.{field} has no argument {argument}"))
    }

    /// The schema of a value of GraphQL input type `ty`, with the rule of the place it fills.
    /// Without `checked`, only the types (what GraphQL itself refuses), no rules.
    fn input(&self, ty: &Type, rule: Option<&Rule>, checked: bool) -> Result<Value, String> {
        let rule = rule.filter(|_| checked);
        let mut schema = match &ty.base {
            BaseType::List(inner) => {
                let each = !rule.is_some_and(|r| r.each_alone);
                let mut items = self.input(inner, None, each)?;
                // A rule's `items` keywords apply to the element.
                if let Some(extra) = rule.and_then(|r| r.schema.get("items")) {
                    merge(&mut items, extra);
                }
                json!({ "type": "array", "items": items })
            }
            BaseType::Named(name) => self.named_input(name, checked)?,
        };
        if let Some(rule) = rule {
            let mut extra = rule.schema.clone();
            if let Value::Object(map) = &mut extra {
                map.remove("items");
            }
            if extra.get("type").is_some() {
                // A rule that states the type replaces the generated schema (e.g. a JSON field
                // whose shape the service fixes).
                schema = extra;
            } else {
                merge(&mut schema, &extra);
            }
        }
        if ty.nullable && !rule.is_some_and(|r| r.not_null) {
            allow_null(&mut schema);
        }
        Ok(schema)
    }

    fn named_input(&self, name: &Name, checked: bool) -> Result<Value, String> {
        Ok(match name.as_str() {
            "ID" | "String" => json!({ "type": "string" }),
            "Int" => json!({ "type": "integer", "minimum": i32::MIN, "maximum": i32::MAX }),
            "Float" => json!({ "type": "number" }),
            "Boolean" => json!({ "type": "boolean" }),
            "JSON" => json!({ "$ref": "#/components/schemas/AnyJson" }),
            other => match &self.get(other)?.kind {
                TypeKind::Enum(e) => {
                    enum_schema(e.values.iter().map(|v| v.node.value.node.as_str()))
                }
                TypeKind::InputObject(object) => {
                    let mut properties = Map::new();
                    let mut required = Vec::new();
                    for field in &object.fields {
                        let field_name = field.node.name.node.as_str();
                        let coordinate = format!("{other}.{field_name}");
                        let rule = self.rules.get(coordinate.as_str()).filter(|_| checked);
                        let mut schema = self.input(&field.node.ty.node, rule, checked)?;
                        describe(
                            &mut schema,
                            field.node.description.as_ref().map(|d| d.node.as_str()),
                        );
                        if rule.is_some_and(|r| r.required) || !field.node.ty.node.nullable {
                            required.push(field_name.to_owned());
                        }
                        properties.insert(field_name.to_owned(), schema);
                    }
                    let mut schema = json!({
                        "type": "object",
                        "properties": properties,
                        "additionalProperties": false,
                    });
                    if !required.is_empty() {
                        schema["required"] = json!(required);
                    }
                    describe(
                        &mut schema,
                        self.get(other)?
                            .description
                            .as_ref()
                            .map(|d| d.node.as_str()),
                    );
                    schema
                }
                _ => return Err(format!("{other} is not an input type")),
            },
        })
    }

    /// The schema of what a selection of `ty` answers.
    fn output(&self, ty: &Type, selection: &SelectionSet, field: &str) -> Result<Value, String> {
        let mut schema = match &ty.base {
            BaseType::List(inner) => {
                json!({ "type": "array", "items": self.output(inner, selection, field)? })
            }
            BaseType::Named(name) => match name.as_str() {
                "ID" | "String" if field.ends_with("At") => {
                    json!({ "type": "string", "format": "date-time" })
                }
                "ID" | "String" => json!({ "type": "string" }),
                "Int" => json!({ "type": "integer" }),
                "Float" => json!({ "type": "number" }),
                "Boolean" => json!({ "type": "boolean" }),
                "JSON" if field == "customFields" => {
                    json!({ "type": "object", "additionalProperties": { "$ref": "#/components/schemas/CustomValue" } })
                }
                "JSON" => {
                    json!({ "type": "object", "additionalProperties": { "$ref": "#/components/schemas/DetailValue" } })
                }
                other => match &self.get(other)?.kind {
                    TypeKind::Enum(e) => {
                        enum_schema(e.values.iter().map(|v| v.node.value.node.as_str()))
                    }
                    TypeKind::Object(_) => self.object(other, selection)?,
                    _ => return Err(format!("{other} is not an output type")),
                },
            },
        };
        if ty.nullable {
            allow_null(&mut schema);
        }
        Ok(schema)
    }

    fn object(&self, type_name: &str, selection: &SelectionSet) -> Result<Value, String> {
        let mut properties = Map::new();
        let mut required = Vec::new();
        for item in &selection.items {
            let Selection::Field(field) = &item.node else {
                return Err("REST operations select fields only".into());
            };
            let name = field.node.name.node.as_str();
            let (ty, description) = self.field_type(type_name, name)?;
            let mut schema = self.output(ty, &field.node.selection_set.node, name)?;
            describe(&mut schema, description.as_deref());
            let key = field.node.response_key().node.to_string();
            required.push(key.clone());
            properties.insert(key, schema);
        }
        Ok(json!({
            "type": "object",
            "properties": properties,
            "required": required,
            "additionalProperties": false,
        }))
    }
}

fn enum_schema<'a>(values: impl Iterator<Item = &'a str>) -> Value {
    let values: Vec<&str> = values.collect();
    json!({ "type": "string", "enum": values })
}

fn describe(schema: &mut Value, description: Option<&str>) {
    if let (Some(text), Value::Object(map)) = (description, schema)
        && !map.contains_key("description")
        && !map.contains_key("$ref")
    {
        map.insert("description".into(), Value::String(text.trim().to_owned()));
    }
}

/// Adds `null` to what a schema accepts.
fn allow_null(schema: &mut Value) {
    let Value::Object(map) = schema else { return };
    if map.contains_key("$ref") {
        let inner = std::mem::take(map);
        map.insert(
            "anyOf".into(),
            json!([Value::Object(inner), { "type": "null" }]),
        );
        return;
    }
    match map.get_mut("type") {
        Some(Value::String(ty)) => {
            let ty = ty.clone();
            map.insert("type".into(), json!([ty, "null"]));
        }
        Some(Value::Array(types)) if !types.contains(&json!("null")) => types.push(json!("null")),
        _ => {}
    }
    if let Some(Value::Array(values)) = map.get_mut("enum")
        && !values.contains(&Value::Null)
    {
        values.push(Value::Null);
    }
}

/// No text a request sends may hold a NUL character (`crate::gate`).
pub const NO_NUL: &str = "^[^\\u0000]*$";

/// States the input gate's NUL rule on every string a request sends (its parameters and
/// body; answers are left alone): a string without a pattern gets `NO_NUL`; a pattern of its
/// own must exclude NUL itself (the limits table's patterns do).
fn forbid_nul(operation: &mut Value) {
    fn walk(schema: &mut Value) {
        match schema {
            Value::Object(map) => {
                let string = match map.get("type") {
                    Some(Value::String(t)) => t == "string",
                    Some(Value::Array(types)) => types.iter().any(|t| t == "string"),
                    _ => false,
                };
                if string && !map.contains_key("enum") && !map.contains_key("pattern") {
                    map.insert("pattern".into(), Value::String(NO_NUL.into()));
                }
                for value in map.values_mut() {
                    walk(value);
                }
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    if let Some(parameters) = operation.get_mut("parameters") {
        walk(parameters);
    }
    if let Some(body) = operation.get_mut("requestBody") {
        walk(body);
    }
}

/// `extra`'s keywords over `schema`'s.
fn merge(schema: &mut Value, extra: &Value) {
    if let (Value::Object(target), Value::Object(source)) = (schema, extra) {
        for (key, value) in source {
            target.insert(key.clone(), value.clone());
        }
    }
}

/// Where each variable of an operation is used: the coordinate of the argument it fills.
fn variable_uses(
    types: &Types,
    parent: &str,
    selection: &SelectionSet,
    uses: &mut HashMap<String, (String, String, String)>,
) -> Result<(), String> {
    for item in &selection.items {
        let Selection::Field(field) = &item.node else {
            return Err("REST operations select fields only".into());
        };
        let name = field.node.name.node.as_str();
        for (argument, value) in &field.node.arguments {
            // The parser's non-constant value type is not exported; a bare variable prints
            // as `$name`.
            let printed = value.node.to_string();
            if let Some(variable) = printed
                .strip_prefix('$')
                .filter(|v| v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            {
                uses.insert(
                    variable.to_owned(),
                    (
                        parent.to_owned(),
                        name.to_owned(),
                        argument.node.to_string(),
                    ),
                );
            }
        }
        let (ty, _) = types.field_type(parent, name)?;
        let inner = named(ty);
        if !field.node.selection_set.node.items.is_empty() {
            variable_uses(types, inner, &field.node.selection_set.node, uses)?;
        }
    }
    Ok(())
}

fn named(ty: &Type) -> &str {
    match &ty.base {
        BaseType::Named(name) => name.as_str(),
        BaseType::List(inner) => named(inner),
    }
}

/// One operation of the table, with what its variables and selection mean.
struct Operation<'a> {
    definition: &'a OperationDefinition,
    root: &'static str,
    uses: HashMap<String, (String, String, String)>,
}

impl<'a> Operation<'a> {
    fn new(types: &Types, document: &'a ExecutableDocument) -> Result<Operation<'a>, String> {
        let op = match &document.operations {
            DocumentOperations::Single(op) => op,
            DocumentOperations::Multiple(ops) if ops.len() == 1 => {
                ops.values().next().ok_or("no operation")?
            }
            DocumentOperations::Multiple(_) => {
                return Err("a REST operation must be a single operation".into());
            }
        };
        let root = match op.node.ty {
            OperationType::Query => "Query",
            OperationType::Mutation => "Mutation",
            OperationType::Subscription => return Err("subscriptions have no REST route".into()),
        };
        let mut uses = HashMap::new();
        variable_uses(types, root, &op.node.selection_set.node, &mut uses)?;
        Ok(Operation {
            definition: &op.node,
            root,
            uses,
        })
    }

    fn selection(&self) -> &SelectionSet {
        &self.definition.selection_set.node
    }

    /// The coordinate of the call itself, e.g. `Mutation.addContactsToCampaign()`.
    fn call(&self) -> Option<String> {
        self.selection()
            .items
            .first()
            .and_then(|item| match &item.node {
                Selection::Field(f) => Some(format!("{}.{}()", self.root, f.node.name.node)),
                _ => None,
            })
    }

    /// The schema of variable `name` (its type, and the rule of the argument it fills), and
    /// whether the caller must give it.
    fn variable(&self, types: &Types, name: &str) -> Result<(Value, bool), String> {
        let definition = self
            .definition
            .variable_definitions
            .iter()
            .find(|v| v.node.name.node == name)
            .ok_or_else(|| format!("the operation has no variable ${name}"))?;
        let (parent, field, argument) = self
            .uses
            .get(name)
            .ok_or_else(|| format!("${name} is never used"))?;
        // The argument must exist (its type is the variable's, checked at start-up).
        types.argument(parent, field, argument)?;
        let rule = types
            .rules
            .get(format!("{parent}.{field}({argument}:)").as_str())
            .or_else(|| types.rules.get(format!("({argument}:)").as_str()));
        let ty = &definition.node.var_type.node;
        let mut schema = types.input(ty, rule, true)?;
        if let Some(default) = &definition.node.default_value
            && let Ok(value) = default.node.clone().into_json()
            && let Value::Object(map) = &mut schema
        {
            map.insert("default".into(), value);
        }
        let required = !ty.nullable && definition.node.default_value.is_none();
        Ok((schema, required))
    }
}

/// Follows `at` down an operation's selection, returning the schema of the value found there.
fn shape_schema(types: &Types, operation: &Operation, at: &[&str]) -> Result<Value, String> {
    let mut parent = operation.root.to_owned();
    let mut selection = operation.selection();
    let mut ty: Option<&Type> = None;
    let mut last = "";
    for key in at {
        let field = selection
            .items
            .iter()
            .find_map(|item| match &item.node {
                Selection::Field(f) if f.node.response_key().node == *key => Some(f),
                _ => None,
            })
            .ok_or_else(|| format!("the operation selects no {key}"))?;
        let (field_ty, _) = types.field_type(&parent, field.node.name.node.as_str())?;
        parent = named(field_ty).to_owned();
        selection = &field.node.selection_set.node;
        ty = Some(field_ty);
        last = key;
    }
    let ty = ty.ok_or("a route must pick a field")?;
    // The REST answer is the value itself: a missing object is a 404, never `null`.
    let mut non_null = ty.clone();
    non_null.nullable = false;
    types.output(&non_null, selection, last)
}

/// The route's error codes: what any route can answer, and what its shape adds.
fn error_codes(method: &Method, path: &str, has_body: bool) -> Vec<ErrorCode> {
    let mut codes = vec![
        ErrorCode::BadRequest,
        ErrorCode::Unauthenticated,
        ErrorCode::Forbidden,
        ErrorCode::RateLimited,
        ErrorCode::Internal,
    ];
    if path.contains('{') || has_body {
        codes.push(ErrorCode::NotFound);
    }
    if has_body || *method != Method::GET {
        codes.extend([ErrorCode::ValidationError, ErrorCode::Conflict]);
    }
    if *method == Method::GET {
        codes.push(ErrorCode::ValidationError);
    }
    if has_body {
        codes.push(ErrorCode::PayloadTooLarge);
    }
    if *method == Method::POST {
        codes.push(ErrorCode::PlanRequired);
    }
    // An upload past the workspace's quota of pending imports.
    if *method == Method::POST && path == "/contacts/import" {
        codes.push(ErrorCode::QuotaExceeded);
    }
    // Making a contact active at a suppressed address.
    if *method == Method::PUT && path == "/contacts/{id}" {
        codes.push(ErrorCode::Suppressed);
    }
    codes.sort_by_key(|c| (c.http_status(), c.as_str()));
    codes.dedup();
    codes
}

fn headers(retry: bool) -> Value {
    let mut headers = json!({
        "Request-Id": { "$ref": "#/components/headers/Request-Id" },
        "X-RateLimit-Limit": { "$ref": "#/components/headers/X-RateLimit-Limit" },
        "X-RateLimit-Remaining": { "$ref": "#/components/headers/X-RateLimit-Remaining" },
        "X-RateLimit-Reset": { "$ref": "#/components/headers/X-RateLimit-Reset" },
    });
    if retry {
        headers["Retry-After"] = json!({ "$ref": "#/components/headers/Retry-After" });
    }
    headers
}

/// Builds the document. Fails when a route's operation does not fit the schema.
pub fn document(table: &RestTable, sdl: &str) -> Result<Value, String> {
    let types = Types::parse(sdl)?;
    let mut examples: HashMap<&str, examples::Example> = examples::examples().into_iter().collect();
    let mut paths = Map::new();
    for route in &table.routes {
        let spec = &route.spec;
        let fail = |e: String| format!("OpenAPI for {}: {e}", spec.name);
        let operation = Operation::new(&types, &route.document).map_err(fail)?;
        let example = examples
            .remove(spec.name)
            .ok_or_else(|| fail("no example".into()))?;
        let mut parameters = Vec::new();
        let path_names: Vec<&str> = spec
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .collect();
        if let Some((extra, _)) = example.path.iter().find(|(n, _)| !path_names.contains(n)) {
            return Err(fail(format!("the example names path parameter {extra}")));
        }
        for name in path_names {
            let value = example
                .path
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| *v)
                .ok_or_else(|| fail(format!("the example lacks path parameter {name}")))?;
            parameters.push(json!({
                "name": name, "in": "path", "required": true,
                "schema": { "type": "string", "minLength": 1, "maxLength": 100 },
                "example": value,
            }));
        }
        if let Some((extra, _)) = example
            .query
            .iter()
            .find(|(n, _)| !spec.query.iter().any(|p| p.name == *n))
        {
            return Err(fail(format!("the example names query parameter {extra}")));
        }
        for param in &spec.query {
            let (variable, path) = match param.target.split_once('.') {
                Some((variable, rest)) => (variable, Some(rest)),
                None => (param.target, None),
            };
            let (mut schema, _) = operation.variable(&types, variable).map_err(fail)?;
            if let Some(path) = path {
                schema = schema
                    .pointer(&format!("/properties/{path}"))
                    .cloned()
                    .ok_or_else(|| fail(format!("${variable} has no field {path}")))?;
            }
            strip_null(&mut schema);
            if param.kind == ParamKind::Json {
                // Sent as text in the query string.
                schema = json!({ "type": "string", "contentMediaType": "application/json" });
            }
            if param.kind == ParamKind::Int && schema["type"] != "integer" {
                return Err(fail(format!(
                    "query parameter {} is not an integer",
                    param.name
                )));
            }
            let mut parameter = json!({
                "name": param.name, "in": "query", "required": false,
                "description": param.description, "schema": schema,
            });
            if let Some((_, value)) = example.query.iter().find(|(n, _)| *n == param.name) {
                parameter["example"] = value.clone();
            }
            parameters.push(parameter);
        }
        let read = spec.method == Method::GET;
        if read {
            parameters.push(json!({ "$ref": "#/components/parameters/If-None-Match" }));
        } else {
            parameters.push(json!({ "$ref": "#/components/parameters/Idempotency-Key" }));
        }

        let data = match &spec.shape {
            Shape::Object(at) => shape_schema(&types, &operation, at).map_err(fail)?,
            Shape::Page(at) => {
                let page = shape_schema(&types, &operation, at).map_err(fail)?;
                let items = page
                    .pointer("/properties/items")
                    .cloned()
                    .ok_or_else(|| fail("a page has no items".into()))?;
                let meta = page
                    .pointer("/properties/pageInfo")
                    .cloned()
                    .ok_or_else(|| fail("a page has no pageInfo".into()))?;
                let mut envelope = success(items);
                envelope["properties"]["meta"] = meta;
                envelope["required"] = json!(["success", "data", "meta"]);
                envelope
            }
        };
        let body_schema = match &spec.shape {
            Shape::Object(_) => success(data),
            Shape::Page(_) => data,
        };
        let has_body = spec.body != BodyMap::None;
        let mut responses = Map::new();
        let mut answered = headers(false);
        if read {
            answered["ETag"] = json!({ "$ref": "#/components/headers/ETag" });
            answered["Cache-Control"] = json!({ "$ref": "#/components/headers/Cache-Control" });
            let mut unchanged = headers(false);
            unchanged["ETag"] = json!({ "$ref": "#/components/headers/ETag" });
            responses.insert(
                "304".to_owned(),
                json!({
                    "description": "Not modified: the answer is still the one `If-None-Match` names (no body).",
                    "headers": unchanged,
                }),
            );
        }
        responses.insert(
            spec.status.to_string(),
            json!({
                "description": spec.summary,
                "headers": answered,
                "content": { "application/json": { "schema": body_schema, "example": example.envelope() } },
            }),
        );
        let mut by_status: std::collections::BTreeMap<u16, Vec<&str>> = Default::default();
        for code in error_codes(&spec.method, spec.path, has_body) {
            by_status
                .entry(code.http_status())
                .or_default()
                .push(code.as_str());
        }
        for (status, codes) in by_status {
            responses.insert(
                status.to_string(),
                json!({
                    "description": codes.join(" or "),
                    "headers": headers(status == 429),
                    "content": { "application/json": { "schema": error_schema(&codes) } },
                }),
            );
        }
        let mut entry = json!({
            "operationId": spec.name,
            "summary": spec.summary,
            "tags": [tag(spec.path)],
            "parameters": parameters,
            "responses": responses,
        });
        if has_body {
            let mut schema = match &spec.body {
                BodyMap::Variable(name) => {
                    let (schema, _) = operation.variable(&types, name).map_err(fail)?;
                    let mut schema = schema;
                    strip_null(&mut schema);
                    schema
                }
                BodyMap::Fields(fields) | BodyMap::OptionalFields(fields) => {
                    let mut properties = Map::new();
                    let mut required = Vec::new();
                    for field in *fields {
                        let (schema, must) = operation.variable(&types, field).map_err(fail)?;
                        if must {
                            required.push(*field);
                        }
                        properties.insert((*field).to_owned(), schema);
                    }
                    let schema = json!({
                        "type": "object",
                        "properties": properties,
                        "required": required,
                        "additionalProperties": false,
                    });
                    schema
                }
                BodyMap::Csv(_) => json!({
                    "type": "string",
                    "description": "A CSV file with a header row: UTF-8 (with or without BOM) or Latin-1; `,`, `;` or tab delimited; quoted fields; at most 100 000 rows and 20 MB. The files of a workspace's pending (queued or running) imports together stay within its quota (100 MB unless the operator sets `FLUENZR_IMPORT_QUOTA_BYTES`): past it, `413 QUOTA_EXCEEDED`.",
                    "example": "email,firstName,company\nana@example.com,Ana,Acme\n",
                }),
                BodyMap::None => Value::Null,
            };
            // What the call itself requires of the body as a whole (fields that go together).
            if let Some(rule) = operation.call().and_then(|c| types.rules.get(c.as_str())) {
                merge(&mut schema, &rule.schema);
            }
            let media = match spec.body {
                BodyMap::Csv(_) => "text/csv",
                _ => "application/json",
            };
            let body = example
                .body
                .as_ref()
                .ok_or_else(|| fail("the example has no body".into()))?;
            entry["requestBody"] = json!({
                "required": !matches!(spec.body, BodyMap::OptionalFields(_)),
                "content": { media: { "schema": schema, "example": body } },
            });
        } else if example.body.is_some() {
            return Err(fail(
                "the example has a body the route does not take".into(),
            ));
        }
        forbid_nul(&mut entry);
        let path_entry = paths
            .entry(format!("/v1{}", spec.path))
            .or_insert_with(|| Value::Object(Map::new()));
        path_entry[spec.method.as_str().to_ascii_lowercase()] = entry;
    }
    if let Some(name) = examples.keys().next() {
        return Err(format!(
            "OpenAPI: an example for {name}, which no route serves"
        ));
    }
    let codes: Vec<&str> = ErrorCode::all().iter().map(|c| c.as_str()).collect();
    Ok(json!({
        "openapi": "3.1.0",
        "info": {
            "title": "FluenzR API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Contacts, groups, email accounts, campaigns, stats and webhooks. Every answer is an envelope: `{success: true, data, meta?}` or `{success: false, error: {code, message, details}}`. The same operations are available through GraphQL at `/graphql`.",
        },
        "servers": [{ "url": "/" }],
        "security": [{ "bearer": [] }],
        "tags": [
            { "name": "Contacts" }, { "name": "Groups" }, { "name": "Email accounts" },
            { "name": "Campaigns" }, { "name": "Webhooks" }, { "name": "Suppressions" },
        ],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": { "type": "http", "scheme": "bearer", "description": "An API key (`fz_…`) or a session token from the GraphQL `login` mutation." },
            },
            "parameters": {
                "If-None-Match": {
                    "name": "If-None-Match", "in": "header", "required": false,
                    "description": "Entity tags (from `ETag`) the caller holds: when the answer is still one of them, it is `304 Not Modified` with no body.",
                    "schema": { "type": "string" },
                },
                "Idempotency-Key": {
                    "name": "Idempotency-Key", "in": "header", "required": false,
                    "description": "Replays the first answer to a retried POST, PUT or DELETE with the same key for 24 hours.",
                    "schema": { "type": "string", "minLength": 1, "maxLength": idempotency::MAX_KEY_LEN, "pattern": "^[\\x21-\\x7E]+$" },
                },
            },
            "headers": {
                "ETag": { "description": "The answer's entity tag: send it back in `If-None-Match` to get `304 Not Modified` while the answer is unchanged.", "schema": { "type": "string" } },
                "Cache-Control": { "description": "`private, no-cache`: the answer is the caller's own, and is revalidated (with `If-None-Match`) before each reuse.", "schema": { "type": "string" } },
                "Request-Id": { "description": "This request's id, also in error details.", "schema": { "type": "string" } },
                "X-RateLimit-Limit": { "description": "Requests allowed per minute for this workspace.", "schema": { "type": "integer" } },
                "X-RateLimit-Remaining": { "description": "Requests left in the current window.", "schema": { "type": "integer" } },
                "X-RateLimit-Reset": { "description": "Unix time when the window resets.", "schema": { "type": "integer" } },
                "Retry-After": { "description": "Seconds to wait before retrying.", "schema": { "type": "integer" } },
            },
            "schemas": {
                "ErrorCode": { "type": "string", "enum": codes },
                "AnyJson": {
                    "description": "Any JSON value: a batch item's `customFields` is checked with the rest of the item, and a wrong one fails that item alone.",
                },
                "DetailValue": {
                    "description": "A value in an error's `details`: a scalar or a list of scalars.",
                    "anyOf": [
                        { "type": "string" }, { "type": "number" }, { "type": "boolean" }, { "type": "null" },
                        { "type": "array", "items": { "type": ["string", "number", "boolean", "null"] } },
                    ],
                },
                "CustomValue": {
                    "anyOf": [
                        { "type": "string", "pattern": PLAIN_TEXT },
                        { "type": "number", "minimum": -(contacts::MAX_EXACT_INTEGER as i64), "maximum": contacts::MAX_EXACT_INTEGER },
                        { "type": "boolean" },
                        { "type": "null" },
                    ],
                },
            },
        },
    }))
}

fn success(data: Value) -> Value {
    json!({
        "type": "object",
        "required": ["success", "data"],
        "properties": { "success": { "const": true }, "data": data },
        "additionalProperties": false,
    })
}

fn error_schema(codes: &[&str]) -> Value {
    json!({
        "type": "object",
        "required": ["success", "error"],
        "additionalProperties": false,
        "properties": {
            "success": { "const": false },
            "error": {
                "type": "object",
                "required": ["code", "message", "details"],
                "additionalProperties": false,
                "properties": {
                    "code": { "type": "string", "enum": codes },
                    "message": { "type": "string" },
                    "details": {
                        "type": "object",
                        "description": "Always carries `requestId`; `field` names the offending input where there is one.",
                        "required": ["requestId"],
                        "properties": { "requestId": { "type": "string" }, "field": { "type": "string" } },
                        "additionalProperties": { "$ref": "#/components/schemas/DetailValue" },
                    },
                },
            },
        },
    })
}

fn strip_null(schema: &mut Value) {
    let Value::Object(map) = schema else { return };
    if let Some(Value::Array(types)) = map.get_mut("type") {
        types.retain(|t| t != "null");
        if types.len() == 1 {
            let only = types[0].clone();
            map.insert("type".into(), only);
        }
    }
    if let Some(Value::Array(values)) = map.get_mut("enum") {
        values.retain(|v| !v.is_null());
    }
    if let Some(Value::Array(any)) = map.get("anyOf").cloned()
        && any.len() == 2
        && any[1] == json!({ "type": "null" })
    {
        map.remove("anyOf");
        if let Value::Object(inner) = &any[0] {
            map.extend(inner.clone());
        }
    }
}

fn tag(path: &str) -> &'static str {
    match path.split('/').nth(1).unwrap_or_default() {
        "contacts" | "imports" => "Contacts",
        "groups" => "Groups",
        "email-accounts" => "Email accounts",
        "campaigns" => "Campaigns",
        "suppressions" => "Suppressions",
        _ => "Webhooks",
    }
}
