//! Public routes recipients reach from an email: the open pixel, tracked links and the
//! unsubscribe page (RFC 8058 one-click). No API key; rate-limited per client address.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{ConnectInfo, FromRef, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

use crate::error::ErrorCode;
use crate::ratelimit::LocalLimiter;
use crate::service::html::escape;
use crate::service::tracking::{self, Tracker};

/// A transparent 1×1 GIF.
const PIXEL: &[u8] = &[
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xff, 0xff, 0xff, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b,
];

/// What the public routes need from the server, built once and shared by every request (the
/// server's state hands it over through `FromRef`).
#[derive(Clone)]
pub struct PublicState(Arc<PublicContext>);

pub struct PublicContext {
    pub db: sea_orm::DatabaseConnection,
    /// Reads the tokens of tracking and unsubscribe links.
    pub tracker: Tracker,
    pub clock: crate::clock::Clock,
    /// Tracking hits per client address.
    pub hits: LocalLimiter,
}

impl PublicState {
    pub fn new(context: PublicContext) -> Self {
        PublicState(Arc::new(context))
    }
}

impl std::ops::Deref for PublicState {
    type Target = PublicContext;
    fn deref(&self) -> &PublicContext {
        &self.0
    }
}

pub fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    PublicState: FromRef<S>,
{
    Router::new()
        .route("/t/o/{token}", get(open))
        .route("/t/c/{token}", get(click))
        .route("/u/{token}", get(unsubscribe_page).post(unsubscribe))
        // Pages add their Content-Security-Policy (`page`); every answer is neither sniffed,
        // framed nor followed by a Referer.
        .layer(axum::middleware::map_response(
            |mut response: Response| async move {
                crate::edge::asset_headers(response.headers_mut());
                response
            },
        ))
}

fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn limited(state: &PublicState, peer: SocketAddr) -> Option<Response> {
    let decision = state.hits.check(&peer.ip().to_string());
    if decision.allowed {
        return None;
    }
    let mut response = (StatusCode::TOO_MANY_REQUESTS, "Too many requests").into_response();
    if let Ok(v) = HeaderValue::from_str(&decision.retry_after().to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    Some(response)
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{title}</title><style>body{{font-family:system-ui,sans-serif;max-width:32rem;\
         margin:4rem auto;padding:0 1rem;color:#222}}button{{font-size:1rem;padding:.6rem 1.2rem}}</style>\
         </head><body><h1>{title}</h1>{body}</body></html>",
        title = escape(title)
    );
    let mut response = (status, Html(html.clone())).into_response();
    crate::edge::page_headers(response.headers_mut(), html.as_bytes());
    no_store(response)
}

fn not_found() -> Response {
    page(
        StatusCode::NOT_FOUND,
        "Link not found",
        "<p>This link is not valid.</p>",
    )
}

fn failed(err: crate::error::AppError) -> Response {
    if err.code == ErrorCode::NotFound {
        return not_found();
    }
    tracing::error!(code = err.code.as_str(), message = %err.message, "tracking route failed");
    page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        "<p>Please try again in a moment.</p>",
    )
}

/// Who is asking, as the request shows it (for telling a reader from a machine).
fn hit_of(
    method: &axum::http::Method,
    headers: &axum::http::HeaderMap,
    peer: SocketAddr,
) -> tracking::Hit {
    tracking::Hit {
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        head: method == axum::http::Method::HEAD,
        from: Some(peer.ip()),
    }
}

async fn open(
    State(state): State<PublicState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    method: axum::http::Method,
    headers: axum::http::HeaderMap,
    Path(token): Path<String>,
) -> Response {
    // The image is served whatever happens: a mail client must never show a broken picture.
    if limited(&state, peer).is_none() {
        let now = state.clock.now();
        let hit = hit_of(&method, &headers, peer);
        if let Err(err) = tracking::open(&state.db, &state.tracker, &token, &hit, now).await {
            tracing::warn!(code = err.code.as_str(), message = %err.message, "recording an open failed");
        }
    }
    no_store(([(header::CONTENT_TYPE, "image/gif")], PIXEL).into_response())
}

async fn click(
    State(state): State<PublicState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    method: axum::http::Method,
    headers: axum::http::HeaderMap,
    Path(token): Path<String>,
) -> Response {
    if let Some(response) = limited(&state, peer) {
        return response;
    }
    let now = state.clock.now();
    let hit = hit_of(&method, &headers, peer);
    match tracking::click(&state.db, &state.tracker, &token, &hit, now).await {
        Ok(url) => match HeaderValue::from_str(&url) {
            Ok(location) => {
                no_store((StatusCode::FOUND, [(header::LOCATION, location)]).into_response())
            }
            Err(_) => not_found(),
        },
        Err(err) => failed(err),
    }
}

async fn unsubscribe_page(
    State(state): State<PublicState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
) -> Response {
    if let Some(response) = limited(&state, peer) {
        return response;
    }
    // Link scanners follow GETs: this page only asks.
    match tracking::unsubscribe_target(&state.db, &state.tracker, &token).await {
        Ok(_) => page(
            StatusCode::OK,
            "Unsubscribe",
            &format!(
                "<p>Stop receiving these emails?</p>\
                 <form method=\"post\" action=\"/u/{}\">\
                 <input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">\
                 <button type=\"submit\">Unsubscribe</button></form>",
                escape(&token)
            ),
        ),
        Err(err) => failed(err),
    }
}

async fn unsubscribe(
    State(state): State<PublicState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
) -> Response {
    if let Some(response) = limited(&state, peer) {
        return response;
    }
    let now = state.clock.now();
    match tracking::unsubscribe(&state.db, &state.tracker, &token, now).await {
        Ok(()) => page(
            StatusCode::OK,
            "You are unsubscribed",
            "<p>You will not receive further emails from this sender.</p>",
        ),
        Err(err) => failed(err),
    }
}
