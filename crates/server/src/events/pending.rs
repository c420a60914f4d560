//! SQLite's path to the bus: a request's notices wait here until it has answered 2xx, which
//! it does only after its transaction committed.

use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::Notice;
use crate::AppState;

type List = Arc<Mutex<Vec<Notice>>>;

tokio::task_local! {
    static PENDING: List;
}

/// Keeps `notice` for the end of this request. Outside a request (the demo's seeding, before
/// the server listens) there is no stream to tell, so it is dropped.
pub fn push(notice: Notice) {
    let _ = PENDING.try_with(|list| {
        list.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(notice);
    });
}

/// Around every API request: publishes its notices once it answered with success. A 4xx or
/// 5xx may come after a rollback, so its notices go nowhere; on PostgreSQL nothing is ever
/// kept here (`NOTIFY` does the waiting for the commit).
pub async fn publish_after_success(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let list = List::default();
    let response = PENDING.scope(list.clone(), next.run(request)).await;
    if response.status().is_success() {
        let notices = std::mem::take(&mut *list.lock().unwrap_or_else(PoisonError::into_inner));
        for notice in notices {
            state.events.publish(notice);
        }
    }
    response
}
