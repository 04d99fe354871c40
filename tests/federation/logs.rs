//! What the instances under test log, kept in memory for the whole test binary: for the rare
//! check that something was not done when nothing else would show it (a request Plaza makes to
//! itself). Tests run in parallel and share the log, so they look for lines only they can cause
//! (URLs carry each instance's port).

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

/// Starts keeping the logs (at `info` and above), once per test binary.
pub fn capture() {
    LOG.get_or_init(|| {
        let log = Arc::new(Mutex::new(Vec::new()));
        let writer = log.clone();
        tracing_subscriber::fmt()
            .with_max_level(tracing_subscriber::filter::LevelFilter::INFO)
            .with_ansi(false)
            .with_writer(move || Sink(writer.clone()))
            .try_init()
            .expect("no other logger in this test binary");
        log
    });
}

/// Whether a logged line so far contains `text`.
pub fn logged(text: &str) -> bool {
    let log = LOG.get().expect("capture() first");
    String::from_utf8_lossy(&log.lock().unwrap()).contains(text)
}
