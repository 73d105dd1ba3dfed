//! The route table's rows for sending domains: their DNS checks and DKIM keys.

use axum::http::Method;

use super::{BodyMap, RouteSpec, Shape, op};

/// The rows, in the table's order.
pub(super) fn routes() -> Vec<RouteSpec> {
    vec![
        RouteSpec {
            name: "listDomains",
            method: Method::GET,
            path: "/domains",
            summary: "List the sending domains (the email accounts' From domains) as last checked",
            operation: op(
                "query listDomains($page: Int, $perPage: Int, $cursor: String) { domains(page: $page, perPage: $perPage, cursor: $cursor) { items { @DOMAIN } @PAGE } }",
            ),
            status: 200,
            query: super::page_only(),
            body: BodyMap::None,
            shape: Shape::Page(&["domains"]),
        },
        RouteSpec {
            name: "getDomain",
            method: Method::GET,
            path: "/domains/{name}",
            summary: "Get a sending domain: MX, SPF, DKIM, DMARC and the providers' verdicts (checked now if it never was)",
            operation: op("query getDomain($name: String!) { domain(name: $name) { @DOMAIN } }"),
            status: 200,
            query: vec![],
            body: BodyMap::None,
            shape: Shape::Object(&["domain"]),
        },
        RouteSpec {
            name: "checkDomain",
            method: Method::POST,
            path: "/domains/{name}/check",
            summary: "Check a sending domain against DNS now",
            operation: op(
                "mutation checkDomain($name: String!) { checkDomain(name: $name) { @DOMAIN } }",
            ),
            status: 200,
            query: vec![],
            body: BodyMap::None,
            shape: Shape::Object(&["checkDomain"]),
        },
        RouteSpec {
            name: "createDkimKey",
            method: Method::POST,
            path: "/domains/{name}/dkim",
            summary: "Make a DKIM key for a sending domain and get the TXT record to publish",
            operation: op(
                "mutation createDkimKey($name: String!, $algorithm: String, $selector: String) { createDkimKey(name: $name, algorithm: $algorithm, selector: $selector) { key { @DKIM_KEY } domain { @DOMAIN } } }",
            ),
            status: 201,
            query: vec![],
            body: BodyMap::OptionalFields(&["algorithm", "selector"]),
            shape: Shape::Object(&["createDkimKey"]),
        },
        RouteSpec {
            name: "activateDkimKey",
            method: Method::POST,
            path: "/domains/{name}/dkim/{selector}/activate",
            summary: "Sign the domain's email with this (published) key from now on",
            operation: op(
                "mutation activateDkimKey($name: String!, $selector: String!) { activateDkimKey(name: $name, selector: $selector) { @DOMAIN } }",
            ),
            status: 200,
            query: vec![],
            body: BodyMap::None,
            shape: Shape::Object(&["activateDkimKey"]),
        },
        RouteSpec {
            name: "deleteDkimKey",
            method: Method::DELETE,
            path: "/domains/{name}/dkim/{selector}",
            summary: "Delete a DKIM key (the next published key signs, if any)",
            operation: op(
                "mutation deleteDkimKey($name: String!, $selector: String!) { deleteDkimKey(name: $name, selector: $selector) { @DOMAIN } }",
            ),
            status: 200,
            query: vec![],
            body: BodyMap::None,
            shape: Shape::Object(&["deleteDkimKey"]),
        },
    ]
}
