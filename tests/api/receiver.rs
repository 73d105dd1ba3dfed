//! A real HTTP endpoint for webhook tests: records every request and answers from a script.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use tokio::sync::Notify;

/// One request the endpoint received.
#[derive(Clone, Debug)]
pub struct Hit {
    pub headers: HeaderMap,
    pub body: String,
    pub at: Instant,
}

impl Hit {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("JSON body")
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
}

/// How to answer one request.
#[derive(Clone, Debug)]
pub enum Answer {
    Status(u16),
    RetryAfter(u16, u64),
    /// Answer 200, but only after this long (to trip the sender's timeout).
    Slow(Duration),
    /// Answer 200 once the test releases the request (`Notify::notify_one`).
    Held(Arc<Notify>),
}

#[derive(Clone)]
struct Shared {
    hits: Arc<Mutex<Vec<Hit>>>,
    script: Arc<Mutex<VecDeque<Answer>>>,
    notify: Arc<Notify>,
}

pub struct Receiver {
    pub url: String,
    shared: Shared,
}

async fn receive(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let answer = shared
        .script
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or(Answer::Status(200));
    shared.hits.lock().unwrap().push(Hit {
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
        at: Instant::now(),
    });
    shared.notify.notify_waiters();
    match answer {
        Answer::Status(code) => StatusCode::from_u16(code).unwrap().into_response(),
        Answer::RetryAfter(code, secs) => (
            StatusCode::from_u16(code).unwrap(),
            [("retry-after", secs.to_string())],
        )
            .into_response(),
        Answer::Slow(wait) => {
            tokio::time::sleep(wait).await;
            StatusCode::OK.into_response()
        }
        Answer::Held(release) => {
            release.notified().await;
            StatusCode::OK.into_response()
        }
    }
}

impl Receiver {
    /// Starts an endpoint answering from `script`, then 200 to everything else.
    pub async fn start(script: Vec<Answer>) -> Receiver {
        let shared = Shared {
            hits: Arc::default(),
            script: Arc::new(Mutex::new(script.into())),
            notify: Arc::new(Notify::new()),
        };
        let app = Router::new()
            .route("/hook", axum::routing::post(receive))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver { url, shared }
    }

    pub fn hits(&self) -> Vec<Hit> {
        self.shared.hits.lock().unwrap().clone()
    }

    /// Waits (on notifications, not sleeps) until `n` requests arrived; panics after `limit`.
    pub async fn wait_for(&self, n: usize, limit: Duration) -> Vec<Hit> {
        let deadline = Instant::now() + limit;
        loop {
            let notified = self.shared.notify.notified();
            let hits = self.hits();
            if hits.len() >= n {
                return hits;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || tokio::time::timeout(left, notified).await.is_err() {
                panic!(
                    "expected {n} webhook requests within {limit:?}, got {}",
                    self.hits().len()
                );
            }
        }
    }
}
