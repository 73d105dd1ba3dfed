//! The limits table: what the services enforce of each input field and argument beyond its
//! GraphQL type, stated as JSON Schema keywords, each citing the service constant that
//! enforces it. It is keyed by GraphQL schema coordinate (`Type.field` for input fields,
//! `Type.field(argument:)` for arguments, `(argument:)` for any field's argument, and
//! `Type.field()` for the call as a whole).

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::service::{
    self, MAX_FILTER_CHARS, MAX_PAGE, addresses, campaigns, contacts, domains, email_accounts,
    events, groups, pacing, suppressions, unknown_outcomes, webhooks,
};

/// Text without control or invisible characters (tab and newline allowed).
pub(super) const PLAIN_TEXT: &str = "^[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\uFEFF]*$";
/// The same, with at least one character that is not a space.
const REQUIRED_TEXT: &str = "^[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\uFEFF]*[^\\s\\u0000-\\u001F\\u007F-\\u009F\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\uFEFF][^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\uFEFF]*$";

/// What the schema says of one input field or argument beyond its GraphQL type.
#[derive(Clone, Debug, Default)]
pub(super) struct Rule {
    /// Must be present (the service answers "… is required" otherwise).
    pub(super) required: bool,
    /// `null` is refused (the service answers "… cannot be removed").
    pub(super) not_null: bool,
    /// JSON Schema keywords merged over the generated ones.
    pub(super) schema: Value,
    /// The list's items are checked one by one and reported in the answer (a batch): the
    /// request states only their types.
    pub(super) each_alone: bool,
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
/// What a coordinate's limits are.
pub(super) type Rules = HashMap<&'static str, Rule>;

/// The limits the services enforce, by GraphQL schema coordinate (`Type.field` for input
/// fields, `Type.field(argument:)` for arguments, `(argument:)` for any field's argument).
pub(super) fn rules() -> Rules {
    let mut rules = HashMap::new();
    list_limits(&mut rules);
    contact_limits(&mut rules);
    group_limits(&mut rules);
    email_account_limits(&mut rules);
    campaign_limits(&mut rules);
    webhook_limits(&mut rules);
    suppression_limits(&mut rules);
    domain_limits(&mut rules);
    pacing_limits(&mut rules);
    rules
}

/// Lists: paging, sorting and filters.
fn list_limits(rules: &mut Rules) {
    let mut add = |coordinate: &'static str, rule: Rule| {
        rules.insert(coordinate, rule);
    };
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
}

/// Contacts.
fn contact_limits(rules: &mut Rules) {
    let mut add = |coordinate: &'static str, rule: Rule| {
        rules.insert(coordinate, rule);
    };
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
        add(leak("timezone"), rule(timezone()));
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
}

/// Groups.
fn group_limits(rules: &mut Rules) {
    let mut add = |coordinate: &'static str, rule: Rule| {
        rules.insert(coordinate, rule);
    };
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
}

/// Email accounts, and their IMAP settings.
fn email_account_limits(rules: &mut Rules) {
    let mut add = |coordinate: &'static str, rule: Rule| {
        rules.insert(coordinate, rule);
    };
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
}

/// Campaigns: their steps, schedule and enrolment.
fn campaign_limits(rules: &mut Rules) {
    let mut add = |coordinate: &'static str, rule: Rule| {
        rules.insert(coordinate, rule);
    };
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
            "description": "Plain text or HTML; required unless `variants` are given. Takes `{{field}}` and `{{field | fallback}}` variables and `{{RANDOM | a | b}}` spintax.",
        })),
    );
    add(
        "StepInput.variants",
        rule(json!({
            "minItems": 1,
            "maxItems": campaigns::MAX_VARIANTS,
            "description": "A/B/n versions of the step, instead of `subject` and `body`.",
        })),
    );
    add(
        "VariantInput.subject",
        rule(json!({
            "maxLength": campaigns::MAX_SUBJECT_CHARS,
            "pattern": "^[^\\r\\n\\u0000]*$",
            "description": "One line; required on the first step.",
        })),
    );
    add(
        "VariantInput.body",
        rule(json!({
            "minLength": 1,
            "maxLength": campaigns::MAX_BODY_CHARS,
            "pattern": "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$",
        }))
        .required(),
    );
    add(
        "VariantInput.weight",
        rule(range(0, campaigns::MAX_WEIGHT.into())),
    );
    add(
        "StepInput.delayDays",
        rule(range(0, campaigns::MAX_DELAY_DAYS.into())),
    );
    add("ScheduleInput.timezone", {
        let mut zones = timezone();
        if let Some(names) = zones["enum"].as_array_mut() {
            names.push(json!(campaigns::CONTACT_ZONE));
        }
        zones["description"] = json!(
            "An IANA zone, or `contact`: each contact's own (`fallbackTimezone` for those without one)."
        );
        rule(zones)
    });
    add("ScheduleInput.fallbackTimezone", rule(timezone()));
    add("AutoWinnerInput.metric", Rule::default().required());
    add(
        "Campaign.preview(seed:)",
        rule(json!({ "pattern": "^([0-9a-f]{1,16})?$", "example": "555c0e3f9a1b2d4e" })),
    );
    add(
        "Campaign.preview(subject:)",
        rule(
            json!({ "maxLength": campaigns::MAX_SUBJECT_CHARS, "pattern": "^[^\\r\\n\\u0000]*$" }),
        ),
    );
    add(
        "Campaign.preview(body:)",
        rule(json!({ "maxLength": campaigns::MAX_BODY_CHARS, "pattern": "^[^\\u0000]*$" })),
    );
    for field in ["Campaign.preview(step:)", "Mutation.sendTestEmail(step:)"] {
        add(field, rule(range(1, campaigns::MAX_STEPS as i64)));
    }
    add("Mutation.sendTestEmail(to:)", rule(email()));
    for field in ["CampaignInput.oooPauseDays", "CampaignUpdate.oooPauseDays"] {
        add(field, rule(range(0, campaigns::MAX_OOO_PAUSE_DAYS.into())));
    }
    add(
        "Mutation.replyToInboxThread(body:)",
        rule(json!({
            "minLength": 1,
            "maxLength": service::inbox::MAX_ANSWER,
            "pattern": "^[^\\u0000]*$",
        })),
    );
    add(
        "AutoWinnerInput.minSentPerVariant",
        rule(range(1, campaigns::MAX_MIN_SENT_PER_VARIANT.into())),
    );
    add(
        "ScheduleInput.skipDates",
        rule(json!({
            "maxItems": campaigns::MAX_SKIP_DATES,
            "items": { "format": "date" },
            "description": "Local dates (YYYY-MM-DD) on which no window opens; replaces the list.",
        })),
    );
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
}

/// Webhooks.
fn webhook_limits(rules: &mut Rules) {
    let mut add = |coordinate: &'static str, rule: Rule| {
        rules.insert(coordinate, rule);
    };
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
}

/// A warm-up ramp and hourly provider limits.
fn pacing_limits(rules: &mut Rules) {
    let mut add = |coordinate: &'static str, rule: Rule| {
        rules.insert(coordinate, rule);
    };
    let per_day = range(1, email_accounts::MAX_DAILY_LIMIT.into());
    add("RampInput.startPerDay", rule(per_day.clone()).required());
    add("RampInput.increasePerDay", rule(per_day).required());
    for provider in ["google", "microsoft", "yahoo", "other"] {
        let coordinate: &'static str = Box::leak(format!("ProviderLimitsInput.{provider}").into());
        add(coordinate, rule(range(1, pacing::MAX_PER_HOUR.into())));
    }
}

/// Sending domains and their DKIM keys.
fn domain_limits(rules: &mut Rules) {
    let mut add = |coordinate: &'static str, rule: Rule| {
        rules.insert(coordinate, rule);
    };
    let name = json!({
        "minLength": 1,
        "maxLength": addresses::MAX_DOMAIN,
        "description": "A domain the workspace's email accounts send from (or that has a FluenzR DKIM key); any other is 404.",
        "example": "example.com",
    });
    for coordinate in [
        "Query.domain(name:)",
        "Mutation.checkDomain(name:)",
        "Mutation.createDkimKey(name:)",
        "Mutation.activateDkimKey(name:)",
        "Mutation.deleteDkimKey(name:)",
    ] {
        add(coordinate, rule(name.clone()));
    }
    let selector = json!({
        "minLength": 1,
        "maxLength": domains::MAX_SELECTOR,
        "pattern": "^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?([.][A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$",
        "example": "fluenzr",
    });
    add(
        "Mutation.createDkimKey(selector:)",
        rule(selector.clone()).not_null(),
    );
    add(
        "Mutation.activateDkimKey(selector:)",
        rule(selector.clone()),
    );
    add("Mutation.deleteDkimKey(selector:)", rule(selector));
    add(
        "Mutation.createDkimKey(algorithm:)",
        rule(json!({
            "enum": domains::Algorithm::ALL.map(domains::Algorithm::as_str),
            "description": "`rsa-2048` (default; every receiver verifies it) or `ed25519` (shorter; not every receiver verifies it yet).",
        }))
        .not_null(),
    );
    add(
        "Mutation.createDkimKey()",
        rule(json!({
            "description": format!("A domain has at most {} keys (409 past that, or for a selector it already has).", domains::MAX_KEYS_PER_DOMAIN),
        })),
    );
}

/// Suppressions, and the unknown outcomes a campaign resolves.
fn suppression_limits(rules: &mut Rules) {
    let mut add = |coordinate: &'static str, rule: Rule| {
        rules.insert(coordinate, rule);
    };
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
}
