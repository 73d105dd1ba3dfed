//! The route table's rows for groups, and their members.

use axum::http::Method;

use super::{
    BodyMap, CONTACT_LIST_VARS, LIST_ARGS, ParamKind, RouteSpec, Shape, contact_filters, op,
    paging, param,
};

/// The rows, in the table's order.
pub(super) fn routes() -> Vec<RouteSpec> {
    let groups_vars = "$page: Int, $perPage: Int, $cursor: String, $filter: GroupFilter, $sort: String, $order: SortOrder = desc";
    vec![
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
                "query listGroupContacts($id: ID!, {CONTACT_LIST_VARS}) {{ group(id: $id) {{ contacts({LIST_ARGS}) {{ items {{ @CONTACT }} @PAGE }} }} }}"
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
    ]
}
