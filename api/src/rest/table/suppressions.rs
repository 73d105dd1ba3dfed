//! The route table's rows for suppressions: the addresses and domains no campaign emails.

use axum::http::Method;

use super::{BodyMap, ParamKind, RouteSpec, Shape, op, paging, param};

/// The rows, in the table's order.
pub(super) fn routes() -> Vec<RouteSpec> {
    vec![
        RouteSpec {
            name: "listSuppressions",
            method: Method::GET,
            path: "/suppressions",
            summary: "List suppressed addresses and domains",
            operation: op(
                "query listSuppressions($page: Int, $perPage: Int, $cursor: String, $filter: SuppressionFilter, $sort: String, $order: SortOrder = desc) { suppressions(page: $page, perPage: $perPage, cursor: $cursor, filter: $filter, sort: $sort, order: $order) { items { @SUPPRESSION } @PAGE } }",
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
