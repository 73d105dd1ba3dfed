//! The route table's rows for campaigns: their life cycle, enrolment, sending status, unknown
//! outcomes and figures.

use axum::http::Method;

use super::{BodyMap, ParamKind, RouteSpec, Shape, op, page_only, paging, param};

/// The rows, in the table's order.
pub(super) fn routes() -> Vec<RouteSpec> {
    vec![
        RouteSpec {
            name: "listCampaigns",
            method: Method::GET,
            path: "/campaigns",
            summary: "List campaigns",
            operation: op(
                "query listCampaigns($page: Int, $perPage: Int, $cursor: String, $filter: CampaignFilter, $sort: String, $order: SortOrder = desc) { campaigns(page: $page, perPage: $perPage, cursor: $cursor, filter: $filter, sort: $sort, order: $order) { items { @CAMPAIGN } @PAGE } }",
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
                "mutation createCampaign($input: CampaignInput!) { createCampaign(input: $input) { @CAMPAIGN @WARNINGS } }",
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
                "mutation updateCampaign($id: ID!, $input: CampaignUpdate!) { updateCampaign(id: $id, input: $input) { @CAMPAIGN @WARNINGS } }",
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
            summary: "Start or resume a campaign; answers its deliverability warnings",
            operation: op(
                "mutation startCampaign($id: ID!) { startCampaign(id: $id) { @CAMPAIGN warnings: preflight { code message fix step domain } } }",
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
            name: "getContactPlan",
            method: Method::GET,
            path: "/campaigns/{id}/contacts/{contactId}/plan",
            summary: "When each remaining step of a contact's sequence is planned to go, and why there (computed without sending)",
            operation: op(
                "query getContactPlan($id: ID!, $contactId: ID!) { campaign(id: $id) { plan(contactId: $contactId) { @PLAN } } }",
            ),
            status: 200,
            query: vec![],
            body: BodyMap::None,
            shape: Shape::Object(&["campaign", "plan"]),
        },
        RouteSpec {
            name: "previewCampaignEmail",
            method: Method::POST,
            path: "/campaigns/{id}/preview",
            summary: "A step for a contact, exactly as it would go out (nothing is sent or kept)",
            operation: op(
                "query previewCampaignEmail($id: ID!, $contactId: ID!, $step: Int!, $variantId: ID, $seed: String, $subject: String, $body: String) { campaign(id: $id) { preview(contactId: $contactId, step: $step, variantId: $variantId, seed: $seed, subject: $subject, body: $body) { @PREVIEW } } }",
            ),
            status: 200,
            query: vec![],
            body: BodyMap::Fields(&["contactId", "step", "variantId", "seed", "subject", "body"]),
            shape: Shape::Object(&["campaign", "preview"]),
        },
        RouteSpec {
            name: "sendCampaignTestEmail",
            method: Method::POST,
            path: "/campaigns/{id}/test",
            summary: "Send a step, composed for a contact, to another address (nothing is recorded)",
            operation: op(
                "mutation sendCampaignTestEmail($id: ID!, $to: String!, $contactId: ID!, $step: Int!, $variantId: ID) { sendTestEmail(id: $id, to: $to, contactId: $contactId, step: $step, variantId: $variantId) { sent outcome smtpReply email { @PREVIEW } } }",
            ),
            status: 200,
            query: vec![],
            body: BodyMap::Fields(&["to", "contactId", "step", "variantId"]),
            shape: Shape::Object(&["sendTestEmail"]),
        },
        RouteSpec {
            name: "listCampaignContacts",
            method: Method::GET,
            path: "/campaigns/{id}/contacts",
            summary: "List a campaign's enrolled contacts with their state",
            operation: op(
                "query listCampaignContacts($id: ID!, $page: Int, $perPage: Int, $cursor: String, $state: EnrolmentState) { campaign(id: $id) { contacts(page: $page, perPage: $perPage, cursor: $cursor, state: $state) { items { state reason currentStep emailAccountId enrolledAt lastSentAt nextSendAt heldUntil contact { @CONTACT } } @PAGE } } }",
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
                "query getCampaignSendingStatus($id: ID!) { campaign(id: $id) { sendingStatus { state pausedReason nextWindowAt nextDueAt sentToday dailyLimit dueNow missingFields { field contacts } unknownOutcomes failed accounts { emailAccountId email status lastError sentToday dailyLimit limitToday replyTracking } notes { code message } } } }",
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
                "query listUnknownOutcomes($id: ID!, $page: Int, $perPage: Int, $cursor: String) { unknownOutcomes(campaignId: $id, page: $page, perPage: $perPage, cursor: $cursor) { items { id contactId email step subject updatedAt } @PAGE } }",
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
                "query getCampaignStats($id: ID!, $from: String, $to: String) { campaign(id: $id) { stats(from: $from, to: $to) { campaignId contacts @FIGURES steps { step @FIGURES winnerId variants { variantId sent opened clicked replied openRate clickRate replyRate } } timeline { date @COUNTS } } } }",
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
    ]
}
