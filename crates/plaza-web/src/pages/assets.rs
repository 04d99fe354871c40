//! The style sheet, built into the binary and served as a file (the CSP allows no inline styles).

use axum::http::header;
use axum::response::IntoResponse;

/// Where the style sheet is served.
pub const STYLESHEET_PATH: &str = "/static/plaza.css";

const STYLESHEET: &str = include_str!("../../static/plaza.css");

/// `GET /static/plaza.css`.
pub async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        STYLESHEET,
    )
}
