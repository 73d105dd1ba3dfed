//! The route table's rows for webhooks: subscriptions, their signing secret, test events and
//! deliveries.

use axum::http::Method;

use super::{BodyMap, RouteSpec, Shape, op, page_only};

/// The rows, in the table's order.
pub(super) fn routes() -> Vec<RouteSpec> {
    vec![
        RouteSpec {
            name: "listWebhooks",
            method: Method::GET,
            path: "/webhooks",
            summary: "List webhooks",
            operation: op(
                "query listWebhooks($page: Int, $perPage: Int, $cursor: String) { webhooks(page: $page, perPage: $perPage, cursor: $cursor) { items { @WEBHOOK } @PAGE } }",
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
                "query listWebhookDeliveries($id: ID!, $page: Int, $perPage: Int, $cursor: String) { webhook(id: $id) { deliveries(page: $page, perPage: $perPage, cursor: $cursor) { items { eventId eventType attempt success statusCode error durationMs createdAt } @PAGE } } }",
            ),
            status: 200,
            query: page_only(),
            body: BodyMap::None,
            shape: Shape::Page(&["webhook", "deliveries"]),
        },
    ]
}
