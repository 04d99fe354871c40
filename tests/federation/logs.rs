//! What the instances under test log, kept in memory for the whole test binary, in the JSON
//! format of `PLAZA_LOG_FORMAT=json`: for the rare check that something was not done when
//! nothing else would show it (a request Plaza makes to itself), and for the log format itself.
//! Tests run in parallel and share the log, so they look for lines only they can cause (URLs
//! carry each instance's port).

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();

struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Starts keeping the logs (at `info` and above, and a request's end and a delivery's success
/// at `debug`), once per test binary.
pub fn capture() {
    LOG.get_or_init(|| {
        let log = Arc::new(Mutex::new(Vec::new()));
        let writer = log.clone();
        let filter = tracing_subscriber::EnvFilter::new(
            "info,tower_http=debug,plaza_federation::delivery::worker=debug",
        );
        let subscriber = plaza_web::logging::json_subscriber(filter, move || Sink(writer.clone()));
        tracing::subscriber::set_global_default(subscriber)
            .expect("no other logger in this test binary");
        log
    });
}

/// Everything logged so far.
pub fn text() -> String {
    let log = LOG.get().expect("capture() first");
    String::from_utf8_lossy(&log.lock().unwrap()).into_owned()
}

/// Whether a logged line so far contains `text`.
pub fn logged(text: &str) -> bool {
    self::text().contains(text)
}
