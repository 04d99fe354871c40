//! The id of the request whose work is under way, for the rows that work writes: an event and
//! the activities queued from it keep it, so the log lines of a delivery name the web request
//! or inbox activity that caused it. Carried as a task-local value: the web layer sets it for
//! each request, and the publisher for each event it turns into activities.

use std::future::Future;

tokio::task_local! {
    static REQUEST_ID: Option<String>;
}

/// Runs `work` with `request_id` as the current request.
pub async fn scope<F: Future>(request_id: Option<String>, work: F) -> F::Output {
    REQUEST_ID.scope(request_id, work).await
}

/// The current request's id, if the work runs for one.
pub fn current() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_request_id_is_known_inside_its_scope_only() {
        assert_eq!(current(), None);
        let inside = scope(Some("r-1".to_owned()), async { current() }).await;
        assert_eq!(inside.as_deref(), Some("r-1"));
        assert_eq!(current(), None);
    }
}
