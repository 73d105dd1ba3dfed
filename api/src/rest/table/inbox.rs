//! The route table's rows for the inbox: threads, one conversation, marking read, answering.

use axum::http::Method;

use super::{BodyMap, ParamKind, RouteSpec, Shape, op, page_only, param};

const THREAD: &str = "id campaignId emailAccountId unread lastMessageAt contact { @CONTACT }";
const MESSAGE: &str = "id kind step from subject text html at";

/// The rows, in the table's order.
pub(super) fn routes() -> Vec<RouteSpec> {
    let mut filters = page_only();
    filters.push(param(
        "leadStatus",
        "filter.leadStatus",
        ParamKind::Str,
        "interested, not_interested, wrong_person, unsubscribe_request or other: the contact's lead status",
    ));
    filters.push(param(
        "campaignId",
        "filter.campaignId",
        ParamKind::Str,
        "Threads of one campaign",
    ));
    filters.push(param(
        "unread",
        "filter.unread",
        ParamKind::Bool,
        "true: threads with a reply not read yet",
    ));
    vec![
        RouteSpec {
            name: "listInboxThreads",
            method: Method::GET,
            path: "/inbox",
            summary: "Threads a person replied in, the latest message first",
            operation: op(&format!(
                "query listInboxThreads($page: Int, $perPage: Int, $cursor: String, $filter: InboxFilter) {{ inbox(page: $page, perPage: $perPage, cursor: $cursor, filter: $filter) {{ items {{ {THREAD} }} @PAGE }} }}"
            )),
            status: 200,
            query: filters,
            body: BodyMap::None,
            shape: Shape::Page(&["inbox"]),
        },
        RouteSpec {
            name: "getInboxThread",
            method: Method::GET,
            path: "/inbox/{id}",
            summary: "One conversation: every sent and received message, HTML sanitized",
            operation: op(&format!(
                "query getInboxThread($id: ID!) {{ inboxThread(id: $id) {{ {THREAD} messages {{ {MESSAGE} }} }} }}"
            )),
            status: 200,
            query: vec![],
            body: BodyMap::None,
            shape: Shape::Object(&["inboxThread"]),
        },
        RouteSpec {
            name: "markInboxThreadRead",
            method: Method::POST,
            path: "/inbox/{id}/read",
            summary: "Mark a thread read",
            operation: op(&format!(
                "mutation markInboxThreadRead($id: ID!) {{ markInboxThreadRead(id: $id) {{ {THREAD} }} }}"
            )),
            status: 200,
            query: vec![],
            body: BodyMap::None,
            shape: Shape::Object(&["markInboxThreadRead"]),
        },
        RouteSpec {
            name: "replyToInboxThread",
            method: Method::POST,
            path: "/inbox/{id}/reply",
            summary: "Answer a thread from its account, in the same conversation (appended to the Sent folder when IMAP is set)",
            operation: op(&format!(
                "mutation replyToInboxThread($id: ID!, $body: String!) {{ replyToInboxThread(id: $id, body: $body) {{ thread {{ {THREAD} }} message {{ {MESSAGE} }} savedToSent }} }}"
            )),
            status: 200,
            query: vec![],
            body: BodyMap::Fields(&["body"]),
            shape: Shape::Object(&["replyToInboxThread"]),
        },
    ]
}
