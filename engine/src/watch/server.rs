//! The status endpoint of `stackc watch --status-addr`: `GET /status` (JSON), `GET /metrics`
//! (Prometheus text) and `POST /reconcile` (a webhook trigger, answered 202).

use super::status::WatchStatus;
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// Binds `addr` and serves until the returned task is aborted.
pub async fn serve(
    addr: SocketAddr,
    status: Arc<Mutex<WatchStatus>>,
    trigger: mpsc::Sender<()>,
) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let status = Arc::clone(&status);
            let trigger = trigger.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req| {
                    let status = Arc::clone(&status);
                    let trigger = trigger.clone();
                    async move { Ok::<_, std::convert::Infallible>(route(req, &status, &trigger)) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Ok((bound, task))
}

fn route(
    req: Request<Incoming>,
    status: &Mutex<WatchStatus>,
    trigger: &mpsc::Sender<()>,
) -> Response<Full<Bytes>> {
    let snapshot = || {
        status
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    };
    match (req.method(), req.uri().path()) {
        (&Method::GET, "/status") => {
            let body = serde_json::to_string_pretty(&snapshot()).unwrap_or_default();
            respond(StatusCode::OK, "application/json", body)
        }
        (&Method::GET, "/metrics") => respond(
            StatusCode::OK,
            "text/plain; version=0.0.4",
            snapshot().prometheus(),
        ),
        (&Method::POST, "/reconcile") => {
            // A full queue means a reconcile is already due: the request is served by it.
            let _ = trigger.try_send(());
            respond(
                StatusCode::ACCEPTED,
                "application/json",
                "{\"accepted\": true}\n".into(),
            )
        }
        (_, "/status" | "/metrics" | "/reconcile") => respond(
            StatusCode::METHOD_NOT_ALLOWED,
            "text/plain",
            "GET /status, GET /metrics, POST /reconcile\n".into(),
        ),
        _ => respond(
            StatusCode::NOT_FOUND,
            "text/plain",
            "GET /status, GET /metrics, POST /reconcile\n".into(),
        ),
    }
}

fn respond(code: StatusCode, content_type: &str, body: String) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = code;
    if let Ok(v) = content_type.parse() {
        r.headers_mut().insert(hyper::header::CONTENT_TYPE, v);
    }
    r
}
