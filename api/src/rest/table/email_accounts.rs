//! The route table's rows for email accounts: the SMTP (and IMAP) connections campaigns send
//! from, their test, and the delivery reports they could not match.

use axum::http::Method;

use super::{BodyMap, RouteSpec, Shape, op, page_only, paging};

/// The rows, in the table's order.
pub(super) fn routes() -> Vec<RouteSpec> {
    vec![
        RouteSpec {
            name: "listEmailAccounts",
            method: Method::GET,
            path: "/email-accounts",
            summary: "List email accounts",
            operation: op(
                "query listEmailAccounts($page: Int, $perPage: Int, $cursor: String, $sort: String, $order: SortOrder = desc) { emailAccounts(page: $page, perPage: $perPage, cursor: $cursor, sort: $sort, order: $order) { items { @ACCOUNT } @PAGE } }",
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
                "query listUnmatchedReports($id: ID!, $page: Int, $perPage: Int, $cursor: String) { emailAccount(id: $id) { unmatchedReports(page: $page, perPage: $perPage, cursor: $cursor) { items { id sender subject recipients { address action status diagnostic } quotedMessageId receivedAt } @PAGE } } }",
            ),
            status: 200,
            query: page_only(),
            body: BodyMap::None,
            shape: Shape::Page(&["emailAccount", "unmatchedReports"]),
        },
    ]
}
