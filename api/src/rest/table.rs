//! The REST route table: each documented `/v1` endpoint is one row naming a GraphQL operation.
//! Nothing here touches the database or knows a business rule.

use axum::http::Method;

/// How a query-string value becomes a GraphQL variable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamKind {
    Int,
    Str,
    /// A JSON value written as text (e.g. an import's column mapping).
    Json,
}

#[derive(Clone, Debug)]
pub struct QueryParam {
    pub name: &'static str,
    /// Dotted variable path, e.g. `filter.email`.
    pub target: &'static str,
    pub kind: ParamKind,
    pub description: &'static str,
}

/// Where the JSON body goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BodyMap {
    None,
    /// The whole body object is this variable.
    Variable(&'static str),
    /// Each listed top-level key is a variable of the same name; other keys are refused.
    Fields(&'static [&'static str]),
    /// As `Fields`, but the body may be left out (the variables can come from the query).
    OptionalFields(&'static [&'static str]),
    /// The raw body is a CSV file: its text (UTF-8, or Latin-1 decoded) is this variable.
    Csv(&'static str),
}

/// Where the REST `data` sits in the GraphQL answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shape {
    Object(&'static [&'static str]),
    /// A `{ items, pageInfo }` object: `items` becomes `data`, `pageInfo` becomes `meta`.
    Page(&'static [&'static str]),
}

#[derive(Clone, Debug)]
pub struct RouteSpec {
    pub name: &'static str,
    pub method: Method,
    /// axum path syntax, below `/v1`.
    pub path: &'static str,
    pub summary: &'static str,
    pub operation: String,
    pub status: u16,
    pub query: Vec<QueryParam>,
    pub body: BodyMap,
    pub shape: Shape,
}

const CONTACT: &str =
    "id email firstName lastName company phone customFields status groupIds createdAt updatedAt";
const GROUP: &str = "id name description contactCount createdAt updatedAt";
const ACCOUNT: &str = "id email name smtpHost smtpPort smtpUsername smtpSecurity dailyLimit timezone sendGapSeconds status lastError sentToday replyTracking imapHost imapPort imapUsername imapSecurity imapCheckedAt createdAt updatedAt";
const CAMPAIGN: &str = "id name status pausedReason emailAccountId emailAccountIds steps { step subject body delayDays } schedule { timezone days startTime endTime } dailyLimit trackOpens trackClicks stopOnReply contactCount createdAt updatedAt startedAt completedAt";
const WEBHOOK: &str = "id url events description active disabledReason createdAt updatedAt";
const FIGURES: &str = "sent opened clicked replied bounced unsubscribed autoReplied openRate clickRate replyRate bounceRate unsubscribeRate";
const CHECK: &str = "ok error steps { step ok reply }";
const IMPORT: &str = "id status total processed created updated skipped failedRows errors { row column message } groupId duplicates createdAt startedAt completedAt";
const SUPPRESSION: &str = "id kind value source createdAt";
const PAGE_INFO: &str = "pageInfo { page perPage total totalPages }";

fn op(text: &str) -> String {
    text.replace("@CONTACT", CONTACT)
        .replace("@GROUP", GROUP)
        .replace("@ACCOUNT", ACCOUNT)
        .replace("@CAMPAIGN", CAMPAIGN)
        .replace("@FIGURES", FIGURES)
        .replace("@WEBHOOK", WEBHOOK)
        .replace("@PAGE", PAGE_INFO)
        .replace("@CHECK", CHECK)
        .replace("@IMPORT", IMPORT)
        .replace("@SUPPRESSION", SUPPRESSION)
}

fn param(
    name: &'static str,
    target: &'static str,
    kind: ParamKind,
    description: &'static str,
) -> QueryParam {
    QueryParam {
        name,
        target,
        kind,
        description,
    }
}

/// `page` and `perPage`.
fn page_only() -> Vec<QueryParam> {
    vec![
        param(
            "page",
            "page",
            ParamKind::Int,
            "Page number, from 1 (default 1)",
        ),
        param(
            "perPage",
            "perPage",
            ParamKind::Int,
            "Items per page (default 20, at most 100)",
        ),
    ]
}

/// `page`, `perPage`, `sort` and `order`.
fn paging() -> Vec<QueryParam> {
    let mut params = page_only();
    params.push(param(
        "sort",
        "sort",
        ParamKind::Str,
        "Field to sort by (default createdAt)",
    ));
    params.push(param(
        "order",
        "order",
        ParamKind::Str,
        "asc or desc (default desc)",
    ));
    params
}

fn contact_filters(with_group: bool) -> Vec<QueryParam> {
    let mut params = paging();
    params.push(param(
        "email",
        "filter.email",
        ParamKind::Str,
        "Case-insensitive substring of the email",
    ));
    if with_group {
        params.push(param(
            "group",
            "filter.group",
            ParamKind::Str,
            "Only members of this group",
        ));
    }
    params.push(param(
        "status",
        "filter.status",
        ParamKind::Str,
        "active, unsubscribed or bounced",
    ));
    params.push(param(
        "company",
        "filter.company",
        ParamKind::Str,
        "Case-insensitive company name",
    ));
    params
}

const LIST_ARGS: &str =
    "page: $page, perPage: $perPage, filter: $filter, sort: $sort, order: $order";

/// Every `/v1` endpoint.
pub fn routes() -> Vec<RouteSpec> {
    let contacts_vars = "$page: Int, $perPage: Int, $filter: ContactFilter, $sort: String, $order: SortOrder = desc";
    let groups_vars =
        "$page: Int, $perPage: Int, $filter: GroupFilter, $sort: String, $order: SortOrder = desc";
    vec![
        RouteSpec {
            name: "listContacts",
            method: Method::GET,
            path: "/contacts",
            summary: "List contacts",
            operation: op(&format!(
                "query listContacts({contacts_vars}) {{ contacts({LIST_ARGS}) {{ items {{ @CONTACT }} @PAGE }} }}"
            )),
            status: 200,
            query: contact_filters(true),
            body: BodyMap::None,
            shape: Shape::Page(&["contacts"]),
        },
        RouteSpec {
            name: "getContact",
            method: Method::GET,
            path: "/contacts/{id}",
            summary: "Get a contact",
            operation: op("query getContact($id: ID!) { contact(id: $id) { @CONTACT } }"),
            status: 200,
            query: vec![],
            body: BodyMap::None,
            shape: Shape::Object(&["contact"]),
        },
        RouteSpec {
            name: "createContact",
            method: Method::POST,
            path: "/contacts",
            summary: "Create a contact",
            operation: op(
                "mutation createContact($input: ContactInput!) { createContact(input: $input) { @CONTACT } }",
            ),
            status: 201,
            query: vec![],
            body: BodyMap::Variable("input"),
            shape: Shape::Object(&["createContact"]),
        },
        RouteSpec {
            name: "createContacts",
            method: Method::POST,
            path: "/contacts/batch",
            summary: "Create up to 1000 contacts, each succeeding or failing on its own",
            operation: op(
                "mutation createContacts($contacts: [ContactInput!]!) { createContacts(contacts: $contacts) { created failed results { index success contact { @CONTACT } error { code message details } } } }",
            ),
            status: 200,
            query: vec![],
            body: BodyMap::Fields(&["contacts"]),
            shape: Shape::Object(&["createContacts"]),
        },
        RouteSpec {
            name: "updateContact",
            method: Method::PUT,
            path: "/contacts/{id}",
            summary: "Update a contact (fields present are replaced)",
            operation: op(
                "mutation updateContact($id: ID!, $input: ContactUpdate!) { updateContact(id: $id, input: $input) { @CONTACT } }",
            ),
            status: 200,
            query: vec![],
            body: BodyMap::Variable("input"),
            shape: Shape::Object(&["updateContact"]),
        },
        RouteSpec {
            name: "deleteContact",
            method: Method::DELETE,
            path: "/contacts/{id}",
            summary: "Delete a contact",
            operation: op(
                "mutation deleteContact($id: ID!) { deleteContact(id: $id) { id deleted } }",
            ),
            status: 200,
            query: vec![],
            body: BodyMap::None,
            shape: Shape::Object(&["deleteContact"]),
        },
        RouteSpec {
            name: "importContacts",
            method: Method::POST,
            path: "/contacts/import",
            summary: "Import contacts from a CSV file (the body, text/csv), in the background",
            operation: op(
                "mutation importContacts($csv: String!, $groupId: ID, $duplicates: DuplicatePolicy, $mapping: JSON) { importContacts(csv: $csv, groupId: $groupId, duplicates: $duplicates, mapping: $mapping) { @IMPORT } }",
            ),
            status: 202,
            query: vec![
                param(
                    "groupId",
                    "groupId",
                    ParamKind::Str,
                    "Put every imported (or updated) contact in this group",
                ),
                param(
                    "duplicates",
                    "duplicates",
                    ParamKind::Str,
                    "skip (default): rows whose email exists are left alone; update: they update that contact",
                ),
                param(
                    "mapping",
                    "mapping",
                    ParamKind::Json,
                    "JSON object: CSV header to field (email, firstName, lastName, company, phone, customFields.<key>, ignore); other headers map by name",
                ),
            ],
            body: BodyMap::Csv("csv"),
            shape: Shape::Object(&["importContacts"]),
        },
        RouteSpec {
            name: "getContactImport",
            method: Method::GET,
            path: "/imports/{id}",
            summary: "Where a CSV import stands: counts and the refused rows",
            operation: op(
                "query getContactImport($id: ID!) { contactImport(id: $id) { @IMPORT } }",
            ),
            status: 200,
            query: vec![],
            body: BodyMap::None,
            shape: Shape::Object(&["contactImport"]),
        },
        RouteSpec {
            name: "listGroups",
            method: Method::GET,
            path: "/groups",
            summary: "List groups",
            operation: op(&format!(
                "query listGroups({groups_vars}) {{ groups({LIST_ARGS}) {{ items {{ @GROUP }} @PAGE }} }}"
            )),
            status: 200,
            query: {
                let mut params = paging();
                params.push(param(
                    "name",
                    "filter.name",
                    ParamKind::Str,
                    "Case-insensitive substring of the name",
                ));
                params
            },
            body: BodyMap::None,
            shape: Shape::Page(&["groups"]),
        },
        RouteSpec {
            name: "getGroup",
            method: Method::GET,
            path: "/groups/{id}",
            summary: "Get a group",
            operation: op("query getGroup($id: ID!) { group(id: $id) { @GROUP } }"),
            status: 200,
            query: vec![],
            body: BodyMap::None,
            shape: Shape::Object(&["group"]),
        },
        RouteSpec {
            name: "createGroup",
            method: Method::POST,
            path: "/groups",
            summary: "Create a group",
            operation: op(
                "mutation createGroup($input: GroupInput!) { createGroup(input: $input) { @GROUP } }",
            ),
            status: 201,
            query: vec![],
            body: BodyMap::Variable("input"),
            shape: Shape::Object(&["createGroup"]),
        },
        RouteSpec {
            name: "updateGroup",
            method: Method::PUT,
            path: "/groups/{id}",
            summary: "Update a group (fields present are replaced)",
            operation: op(
                "mutation updateGroup($id: ID!, $input: GroupUpdate!) { updateGroup(id: $id, input: $input) { @GROUP } }",
            ),
            status: 200,
            query: vec![],
            body: BodyMap::Variable("input"),
            shape: Shape::Object(&["updateGroup"]),
        },
        RouteSpec {
            name: "deleteGroup",
            method: Method::DELETE,
            path: "/groups/{id}",
            summary: "Delete a group (its contacts are kept)",
            operation: op("mutation deleteGroup($id: ID!) { deleteGroup(id: $id) { id deleted } }"),
            status: 200,
            query: vec![],
            body: BodyMap::None,
            shape: Shape::Object(&["deleteGroup"]),
        },
        RouteSpec {
            name: "listGroupContacts",
            method: Method::GET,
            path: "/groups/{id}/contacts",
            summary: "List a group's contacts",
            operation: op(&format!(
                "query listGroupContacts($id: ID!, {contacts_vars}) {{ group(id: $id) {{ contacts({LIST_ARGS}) {{ items {{ @CONTACT }} @PAGE }} }} }}"
            )),
            status: 200,
            query: contact_filters(false),
            body: BodyMap::None,
            shape: Shape::Page(&["group", "contacts"]),
        },
        RouteSpec {
            name: "addGroupContacts",
            method: Method::POST,
            path: "/groups/{id}/contacts",
            summary: "Add contacts to a group (idempotent)",
            operation: op(
                "mutation addGroupContacts($id: ID!, $contactIds: [ID!]!) { addContactsToGroup(id: $id, contactIds: $contactIds) { added alreadyMembers group { @GROUP } } }",
            ),
            status: 200,
            query: vec![],
            body: BodyMap::Fields(&["contactIds"]),
            shape: Shape::Object(&["addContactsToGroup"]),
        },
        RouteSpec {
            name: "removeGroupContacts",
            method: Method::DELETE,
            path: "/groups/{id}/contacts",
            summary: "Remove contacts from a group (idempotent)",
            operation: op(
                "mutation removeGroupContacts($id: ID!, $contactIds: [ID!]!) { removeContactsFromGroup(id: $id, contactIds: $contactIds) { removed notMembers group { @GROUP } } }",
            ),
            status: 200,
            query: vec![],
            body: BodyMap::Fields(&["contactIds"]),
            shape: Shape::Object(&["removeContactsFromGroup"]),
        },
        RouteSpec {
            name: "listEmailAccounts",
            method: Method::GET,
            path: "/email-accounts",
            summary: "List email accounts",
            operation: op(
                "query listEmailAccounts($page: Int, $perPage: Int, $sort: String, $order: SortOrder = desc) { emailAccounts(page: $page, perPage: $perPage, sort: $sort, order: $order) { items { @ACCOUNT } @PAGE } }",
            ),
            status: 200,
            query: paging(),
            body: BodyMap::None,
            shape: Shape::Page(&["emailAccounts"]),
        },
        RouteSpec {
            name: "getEmailAccount",
            method: Method::GET,
            path: "/email-accounts/{id}",
            summary: "Get an email account (the SMTP password is never returned)",
            operation: op("query getEmailAccount($id: ID!) { emailAccount(id: $id) { @ACCOUNT } }"),
            status: 200,
            query: vec![],
            body: BodyMap::None,
            shape: Shape::Object(&["emailAccount"]),
        },
        RouteSpec {
            name: "createEmailAccount",
            method: Method::POST,
            path: "/email-accounts",
            summary: "Connect an SMTP email account",
            operation: op(
                "mutation createEmailAccount($input: EmailAccountInput!) { createEmailAccount(input: $input) { @ACCOUNT } }",
            ),
            status: 201,
            query: vec![],
            body: BodyMap::Variable("input"),
            shape: Shape::Object(&["createEmailAccount"]),
        },
        RouteSpec {
            name: "updateEmailAccount",
            method: Method::PUT,
            path: "/email-accounts/{id}",
            summary: "Update an email account (fields present are replaced)",
            operation: op(
                "mutation updateEmailAccount($id: ID!, $input: EmailAccountUpdate!) { updateEmailAccount(id: $id, input: $input) { @ACCOUNT } }",
            ),
            status: 200,
            query: vec![],
            body: BodyMap::Variable("input"),
            shape: Shape::Object(&["updateEmailAccount"]),
        },
        RouteSpec {
            name: "deleteEmailAccount",
            method: Method::DELETE,
            path: "/email-accounts/{id}",
            summary: "Delete an email account no active campaign uses",
            operation: op(
                "mutation deleteEmailAccount($id: ID!) { deleteEmailAccount(id: $id) { id deleted } }",
            ),
            status: 200,
            query: vec![],
            body: BodyMap::None,
            shape: Shape::Object(&["deleteEmailAccount"]),
        },
        RouteSpec {
            name: "testEmailAccount",
            method: Method::POST,
            path: "/email-accounts/{id}/test",
            summary: "Log in to the account's SMTP server (and IMAP server, with reply tracking) as the engine would, without sending or reading",
            operation: op(
                "mutation testEmailAccount($id: ID!) { testEmailAccount(id: $id) { smtp { @CHECK } imap { @CHECK } emailAccount { @ACCOUNT } } }",
            ),
            status: 200,
            query: vec![],
            body: BodyMap::None,
            shape: Shape::Object(&["testEmailAccount"]),
        },
        RouteSpec {
            name: "listUnmatchedReports",
            method: Method::GET,
            path: "/email-accounts/{id}/unmatched-reports",
            summary: "Delivery reports read from the account's mailbox that quote no email it sent: kept, with no effect (nothing bounced)",
            operation: op(
                "query listUnmatchedReports($id: ID!, $page: Int, $perPage: Int) { emailAccount(id: $id) { unmatchedReports(page: $page, perPage: $perPage) { items { id sender subject recipients { address action status diagnostic } quotedMessageId receivedAt } @PAGE } } }",
            ),
            status: 200,
            query: page_only(),
            body: BodyMap::None,
            shape: Shape::Page(&["emailAccount", "unmatchedReports"]),
        },
        RouteSpec {
            name: "listCampaigns",
            method: Method::GET,
            path: "/campaigns",
            summary: "List campaigns",
            operation: op(
                "query listCampaigns($page: Int, $perPage: Int, $filter: CampaignFilter, $sort: String, $order: SortOrder = desc) { campaigns(page: $page, perPage: $perPage, filter: $filter, sort: $sort, order: $order) { items { @CAMPAIGN } @PAGE } }",
            ),
            status: 200,
            query: {
                let mut params = paging();
                params.push(param(
                    "status",
                    "filter.status",
                    ParamKind::Str,
                    "draft, running, paused or completed",
                ));
                params
            },
            body: BodyMap::None,
            shape: Shape::Page(&["campaigns"]),
        },
        RouteSpec {
            name: "getCampaign",
            method: Method::GET,
            path: "/campaigns/{id}",
            summary: "Get a campaign",
            operation: op("query getCampaign($id: ID!) { campaign(id: $id) { @CAMPAIGN } }"),
            status: 200,
            query: vec![],
            body: BodyMap::None,
            shape: Shape::Object(&["campaign"]),
        },
        RouteSpec {
            name: "createCampaign",
            method: Method::POST,
            path: "/campaigns",
            summary: "Create a campaign (a draft)",
            operation: op(
                "mutation createCampaign($input: CampaignInput!) { createCampaign(input: $input) { @CAMPAIGN } }",
            ),
            status: 201,
            query: vec![],
            body: BodyMap::Variable("input"),
            shape: Shape::Object(&["createCampaign"]),
        },
        RouteSpec {
            name: "updateCampaign",
            method: Method::PUT,
            path: "/campaigns/{id}",
            summary: "Update a campaign (fields present are replaced)",
            operation: op(
                "mutation updateCampaign($id: ID!, $input: CampaignUpdate!) { updateCampaign(id: $id, input: $input) { @CAMPAIGN } }",
            ),
            status: 200,
            query: vec![],
            body: BodyMap::Variable("input"),
            shape: Shape::Object(&["updateCampaign"]),
        },
        RouteSpec {
            name: "deleteCampaign",
            method: Method::DELETE,
            path: "/campaigns/{id}",
            summary: "Delete a campaign that is not running",
            operation: op(
                "mutation deleteCampaign($id: ID!) { deleteCampaign(id: $id) { id deleted } }",
            ),
            status: 200,
            query: vec![],
            body: BodyMap::None,
            shape: Shape::Object(&["deleteCampaign"]),
        },
        RouteSpec {
            name: "startCampaign",
            method: Method::POST,
            path: "/campaigns/{id}/start",
            summary: "Start or resume a campaign",
            operation: op(
                "mutation startCampaign($id: ID!) { startCampaign(id: $id) { @CAMPAIGN } }",
            ),
            status: 200,
            query: vec![],
            body: BodyMap::None,
            shape: Shape::Object(&["startCampaign"]),
        },
        RouteSpec {
            name: "pauseCampaign",
            method: Method::POST,
            path: "/campaigns/{id}/pause",
            summary: "Pause a running campaign",
            operation: op(
                "mutation pauseCampaign($id: ID!) { pauseCampaign(id: $id) { @CAMPAIGN } }",
            ),
            status: 200,
            query: vec![],
            body: BodyMap::None,
            shape: Shape::Object(&["pauseCampaign"]),
        },
        RouteSpec {
            name: "addCampaignContacts",
            method: Method::POST,
            path: "/campaigns/{id}/contacts",
            summary: "Enrol contacts by id and/or a whole group (idempotent)",
            operation: op(
                "mutation addCampaignContacts($id: ID!, $contactIds: [ID!], $groupId: ID) { addContactsToCampaign(id: $id, contactIds: $contactIds, groupId: $groupId) { added skipped alreadyEnrolled campaign { @CAMPAIGN } } }",
            ),
            status: 200,
            query: vec![],
            body: BodyMap::Fields(&["contactIds", "groupId"]),
            shape: Shape::Object(&["addContactsToCampaign"]),
        },
        RouteSpec {
            name: "listCampaignContacts",
            method: Method::GET,
            path: "/campaigns/{id}/contacts",
            summary: "List a campaign's enrolled contacts with their state",
            operation: op(
                "query listCampaignContacts($id: ID!, $page: Int, $perPage: Int, $state: EnrolmentState) { campaign(id: $id) { contacts(page: $page, perPage: $perPage, state: $state) { items { state reason currentStep emailAccountId enrolledAt lastSentAt nextSendAt contact { @CONTACT } } @PAGE } } }",
            ),
            status: 200,
            query: {
                let mut params = page_only();
                params.push(param(
                    "state",
                    "state",
                    ParamKind::Str,
                    "pending, active, completed, replied, bounced, unsubscribed or failed",
                ));
                params
            },
            body: BodyMap::None,
            shape: Shape::Page(&["campaign", "contacts"]),
        },
        RouteSpec {
            name: "getCampaignSendingStatus",
            method: Method::GET,
            path: "/campaigns/{id}/sending-status",
            summary: "Why the campaign is or is not sending right now",
            operation: op(
                "query getCampaignSendingStatus($id: ID!) { campaign(id: $id) { sendingStatus { state pausedReason nextWindowAt nextDueAt sentToday dailyLimit dueNow missingFields { field contacts } unknownOutcomes failed accounts { emailAccountId email status lastError sentToday dailyLimit replyTracking } } } }",
            ),
            status: 200,
            query: vec![],
            body: BodyMap::None,
            shape: Shape::Object(&["campaign", "sendingStatus"]),
        },
        RouteSpec {
            name: "listUnknownOutcomes",
            method: Method::GET,
            path: "/campaigns/{id}/unknown-outcomes",
            summary: "The campaign's emails whose outcome is unknown (the connection broke after the content was sent), newest first",
            operation: op(
                "query listUnknownOutcomes($id: ID!, $page: Int, $perPage: Int) { unknownOutcomes(campaignId: $id, page: $page, perPage: $perPage) { items { id contactId email step subject updatedAt } @PAGE } }",
            ),
            status: 200,
            query: page_only(),
            body: BodyMap::None,
            shape: Shape::Page(&["unknownOutcomes"]),
        },
        RouteSpec {
            name: "resolveUnknownOutcomes",
            method: Method::POST,
            path: "/campaigns/{id}/unknown-outcomes/resolve",
            summary: "Decide about emails whose outcome is unknown (messageIds, or all: true): resend (same Message-ID), mark_sent, or skip (the enrolment stays failed, reason skipped)",
            operation: op(
                "mutation resolveUnknownOutcomes($id: ID!, $messageIds: [ID!], $all: Boolean, $action: UnknownOutcomeAction!) { resolveUnknownOutcomes(campaignId: $id, messageIds: $messageIds, all: $all, action: $action) { resolved } }",
            ),
            status: 200,
            query: vec![],
            body: BodyMap::Fields(&["messageIds", "all", "action"]),
            shape: Shape::Object(&["resolveUnknownOutcomes"]),
        },
        RouteSpec {
            name: "getCampaignStats",
            method: Method::GET,
            path: "/campaigns/{id}/stats",
            summary: "A campaign's figures: unique contacts, rates, per step and per day",
            operation: op(
                "query getCampaignStats($id: ID!, $from: String, $to: String) { campaign(id: $id) { stats(from: $from, to: $to) { campaignId contacts @FIGURES steps { step @FIGURES } timeline { date sent opened clicked replied bounced unsubscribed autoReplied } } } }",
            ),
            status: 200,
            query: vec![
                param(
                    "from",
                    "from",
                    ParamKind::Str,
                    "First day of the timeline, YYYY-MM-DD (default 29 days before `to`)",
                ),
                param(
                    "to",
                    "to",
                    ParamKind::Str,
                    "Last day of the timeline, YYYY-MM-DD (default today, UTC)",
                ),
            ],
            body: BodyMap::None,
            shape: Shape::Object(&["campaign", "stats"]),
        },
        RouteSpec {
            name: "listWebhooks",
            method: Method::GET,
            path: "/webhooks",
            summary: "List webhooks",
            operation: op(
                "query listWebhooks($page: Int, $perPage: Int) { webhooks(page: $page, perPage: $perPage) { items { @WEBHOOK } @PAGE } }",
            ),
            status: 200,
            query: page_only(),
            body: BodyMap::None,
            shape: Shape::Page(&["webhooks"]),
        },
        RouteSpec {
            name: "getWebhook",
            method: Method::GET,
            path: "/webhooks/{id}",
            summary: "Get a webhook",
            operation: op("query getWebhook($id: ID!) { webhook(id: $id) { @WEBHOOK } }"),
            status: 200,
            query: vec![],
            body: BodyMap::None,
            shape: Shape::Object(&["webhook"]),
        },
        RouteSpec {
            name: "createWebhook",
            method: Method::POST,
            path: "/webhooks",
            summary: "Subscribe an endpoint; the answer carries its signing secret, once",
            operation: op(
                "mutation createWebhook($input: WebhookInput!) { createWebhook(input: $input) { @WEBHOOK secret } }",
            ),
            status: 201,
            query: vec![],
            body: BodyMap::Variable("input"),
            shape: Shape::Object(&["createWebhook"]),
        },
        RouteSpec {
            name: "updateWebhook",
            method: Method::PUT,
            path: "/webhooks/{id}",
            summary: "Update a webhook (fields present are replaced; active: true re-enables it)",
            operation: op(
                "mutation updateWebhook($id: ID!, $input: WebhookUpdate!) { updateWebhook(id: $id, input: $input) { @WEBHOOK } }",
            ),
            status: 200,
            query: vec![],
            body: BodyMap::Variable("input"),
            shape: Shape::Object(&["updateWebhook"]),
        },
        RouteSpec {
            name: "deleteWebhook",
            method: Method::DELETE,
            path: "/webhooks/{id}",
            summary: "Delete a webhook",
            operation: op(
                "mutation deleteWebhook($id: ID!) { deleteWebhook(id: $id) { id deleted } }",
            ),
            status: 200,
            query: vec![],
            body: BodyMap::None,
            shape: Shape::Object(&["deleteWebhook"]),
        },
        RouteSpec {
            name: "testWebhook",
            method: Method::POST,
            path: "/webhooks/{id}/test",
            summary: "Queue a webhook.test event for this endpoint",
            operation: op("mutation testWebhook($id: ID!) { testWebhook(id: $id) { eventId } }"),
            status: 202,
            query: vec![],
            body: BodyMap::None,
            shape: Shape::Object(&["testWebhook"]),
        },
        RouteSpec {
            name: "rotateWebhookSecret",
            method: Method::POST,
            path: "/webhooks/{id}/rotate-secret",
            summary: "Issue a new signing secret; the old one keeps signing for 24 hours",
            operation: op(
                "mutation rotateWebhookSecret($id: ID!) { rotateWebhookSecret(id: $id) { @WEBHOOK secret } }",
            ),
            status: 200,
            query: vec![],
            body: BodyMap::None,
            shape: Shape::Object(&["rotateWebhookSecret"]),
        },
        RouteSpec {
            name: "listWebhookDeliveries",
            method: Method::GET,
            path: "/webhooks/{id}/deliveries",
            summary: "A webhook's delivery attempts, newest first",
            operation: op(
                "query listWebhookDeliveries($id: ID!, $page: Int, $perPage: Int) { webhook(id: $id) { deliveries(page: $page, perPage: $perPage) { items { eventId eventType attempt success statusCode error durationMs createdAt } @PAGE } } }",
            ),
            status: 200,
            query: page_only(),
            body: BodyMap::None,
            shape: Shape::Page(&["webhook", "deliveries"]),
        },
        RouteSpec {
            name: "listSuppressions",
            method: Method::GET,
            path: "/suppressions",
            summary: "List suppressed addresses and domains",
            operation: op(
                "query listSuppressions($page: Int, $perPage: Int, $filter: SuppressionFilter, $sort: String, $order: SortOrder = desc) { suppressions(page: $page, perPage: $perPage, filter: $filter, sort: $sort, order: $order) { items { @SUPPRESSION } @PAGE } }",
            ),
            status: 200,
            query: {
                let mut params = paging();
                params.push(param(
                    "kind",
                    "filter.kind",
                    ParamKind::Str,
                    "email or domain",
                ));
                params.push(param(
                    "source",
                    "filter.source",
                    ParamKind::Str,
                    "unsubscribe, bounce, complaint, reply or manual",
                ));
                params.push(param(
                    "value",
                    "filter.value",
                    ParamKind::Str,
                    "Case-insensitive substring of the value",
                ));
                params
            },
            body: BodyMap::None,
            shape: Shape::Page(&["suppressions"]),
        },
        RouteSpec {
            name: "addSuppressions",
            method: Method::POST,
            path: "/suppressions",
            summary: "Suppress an address or a domain, or up to 10 000 as items, in one transaction (idempotent)",
            operation: op(
                "mutation addSuppressions($kind: SuppressionKind, $value: String, $source: SuppressionSource, $items: [SuppressionInput!]) { addSuppressions(kind: $kind, value: $value, source: $source, items: $items) { created existing items { @SUPPRESSION } } }",
            ),
            status: 200,
            query: vec![],
            body: BodyMap::Fields(&["kind", "value", "source", "items"]),
            shape: Shape::Object(&["addSuppressions"]),
        },
        RouteSpec {
            name: "deleteSuppression",
            method: Method::DELETE,
            path: "/suppressions/{id}",
            summary: "Delete a suppression, saying why (a suppression.deleted event)",
            operation: op(
                "mutation deleteSuppression($id: ID!, $reason: String) { deleteSuppression(id: $id, reason: $reason) { id deleted } }",
            ),
            status: 200,
            query: vec![param(
                "reason",
                "reason",
                ParamKind::Str,
                "Why the address may be emailed again (or give it in the body)",
            )],
            body: BodyMap::OptionalFields(&["reason"]),
            shape: Shape::Object(&["deleteSuppression"]),
        },
    ]
}
