//! The HTTP accept loop: connection limits, header deadlines and graceful draining.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use tokio::net::TcpListener;

/// Serves HTTP/1.1 with the guards a public server needs: a deadline for request headers
/// (slow-header clients are cut off), a cap on open connections and a lower one per client
/// address (one client cannot take every slot), and a deadline per request. A request hyper
/// cannot parse is refused with the JSON error envelope (`edge::EnvelopedRefusals`).
pub(super) async fn serve_http(
    listener: TcpListener,
    router: Router,
    limits: &crate::config::HttpLimits,
    mut stopping: crate::shutdown::Stopping,
    drain: std::time::Duration,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt as _;

    let slots = Arc::new(tokio::sync::Semaphore::new(limits.max_connections));
    let per_address = crate::edge::PerAddress::new(limits.max_connections_per_address);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    tracing::warn!(%err, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    continue;
                }
            },
            _ = stopping.wait() => break,
        };
        // Past its address's cap or the global one, a new connection is closed at once
        // rather than queued.
        let Some(address_slot) = per_address.admit(peer.ip()) else {
            drop(stream);
            continue;
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let service =
            router
                .clone()
                .map_request(move |request: hyper::Request<hyper::body::Incoming>| {
                    let mut request = request.map(Body::new);
                    request
                        .extensions_mut()
                        .insert(axum::extract::ConnectInfo(peer));
                    request
                });
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_read_timeout)
            .serve_connection(
                TokioIo::new(crate::edge::EnvelopedRefusals::new(stream)),
                hyper_util::service::TowerToHyperService::new(service),
            );
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
            drop(slot);
            drop(address_slot);
        });
    }
    // No new connections; finish what is in flight, within a bound.
    drop(listener);
    if tokio::time::timeout(drain, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still running at the shutdown timeout were cut off");
    }
    Ok(())
}
