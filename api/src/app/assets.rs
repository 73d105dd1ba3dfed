//! The pages and files built into the binary: GraphiQL, the API docs and the web app.

use axum::Extension;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::AppState;
use crate::error::AppError;
use crate::request::RequestId;
use crate::rest;

/// GraphiQL; it asks for the key to send (kept in the tab's session storage), so it sends no
/// `Authorization` header until one is given.
static GRAPHIQL: crate::edge::StaticPage =
    crate::edge::StaticPage::new(include_str!("../../assets/graphiql.html"));

pub(super) async fn graphiql() -> Response {
    GRAPHIQL.response()
}

/// GraphiQL's scripts and styles, built into the binary so the playground works offline.
/// The files the built-in pages load, embedded at build time so the pages work offline.
const ASSETS: &[(&str, &str, &[u8], &str)] = &[
    (
        "graphiql",
        "graphiql.min.js",
        include_bytes!("../../assets/graphiql/graphiql.min.js"),
        "text/javascript",
    ),
    (
        "graphiql",
        "graphiql.min.css",
        include_bytes!("../../assets/graphiql/graphiql.min.css"),
        "text/css",
    ),
    (
        "graphiql",
        "graphiql-page.js",
        include_bytes!("../../assets/graphiql/graphiql-page.js"),
        "text/javascript",
    ),
    (
        "graphiql",
        "react.production.min.js",
        include_bytes!("../../assets/graphiql/react.production.min.js"),
        "text/javascript",
    ),
    (
        "graphiql",
        "react-dom.production.min.js",
        include_bytes!("../../assets/graphiql/react-dom.production.min.js"),
        "text/javascript",
    ),
    (
        "docs",
        "redoc.standalone.js",
        include_bytes!("../../assets/redoc/redoc.standalone.js"),
        "text/javascript",
    ),
    (
        "docs",
        "docs.js",
        include_bytes!("../../assets/redoc/docs.js"),
        "text/javascript",
    ),
];

pub(super) async fn asset(
    Extension(request_id): Extension<RequestId>,
    uri: axum::http::Uri,
) -> Response {
    let mut parts = uri.path().trim_start_matches('/').splitn(2, '/');
    let found = match (parts.next(), parts.next()) {
        (Some(dir), Some(file)) => ASSETS.iter().find(|a| a.0 == dir && a.1 == file),
        _ => None,
    };
    let Some((_, _, body, content_type)) = found else {
        return rest::error_response(&AppError::not_found("File"), &request_id);
    };
    let mut response = (
        [
            (header::CONTENT_TYPE, *content_type),
            // Not content-addressed: a new build may change them, so caches revalidate daily.
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        *body,
    )
        .into_response();
    crate::edge::asset_headers(response.headers_mut());
    response
}

/// The web app (`web/`, built by Vite into `web/dist`), embedded at build time so the binary
/// needs neither Node nor the internet. `FLUENZR_APP_DIR` serves a directory instead (while
/// developing the app).
static WEB_APP: include_dir::Dir<'static> =
    include_dir::include_dir!("$CARGO_MANIFEST_DIR/../web/dist");

pub(super) async fn web_app(
    State(state): State<AppState>,
    Extension(request_id): Extension<RequestId>,
    uri: axum::http::Uri,
) -> Response {
    let path = uri
        .path()
        .trim_start_matches("/app")
        .trim_start_matches('/');
    let path = if path.is_empty() { "index.html" } else { path };
    let from_disk = &state.config.app_dir;
    // The embedded files are served as they are, without a copy.
    let read = |p: &str| -> Option<axum::body::Bytes> {
        if p.split('/').any(|seg| seg == ".." || seg.is_empty()) {
            return None;
        }
        match from_disk {
            Some(dir) => std::fs::read(dir.join(p)).ok().map(Into::into),
            None => WEB_APP
                .get_file(p)
                .map(|f| axum::body::Bytes::from_static(f.contents())),
        }
    };
    // Unknown paths are the app's own routes: its page answers them.
    let (file, body) = match read(path) {
        Some(body) => (path, body),
        None => match read("index.html") {
            Some(body) => ("index.html", body),
            None => return rest::error_response(&AppError::not_found("File"), &request_id),
        },
    };
    let content_type = match file.rsplit('.').next().unwrap_or_default() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript",
        "css" => "text/css",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "json" | "map" => "application/json",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    };
    // Vite names built assets by their content: they never change; the page must be fresh.
    let cache = if file.starts_with("assets/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut response = (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, cache),
        ],
        body.clone(),
    )
        .into_response();
    if file.ends_with(".html") {
        crate::edge::page_headers(response.headers_mut(), &body);
    } else {
        crate::edge::asset_headers(response.headers_mut());
    }
    response
}

static DOCS: crate::edge::StaticPage =
    crate::edge::StaticPage::new(include_str!("../../assets/docs.html"));

pub(super) async fn docs() -> Response {
    DOCS.response()
}
