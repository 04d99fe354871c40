//! A headless Chromium driven over WebDriver: one ChromeDriver process on a free loopback port,
//! shared by the tests of this binary that run at the same time, and one browser session per test.
//! Every step can be saved as a screenshot under `target/browser-screenshots/<test>/`.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::wd::{Capabilities, TimeoutConfiguration};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

/// How long a step may wait for what it expects to appear: generous, for a loaded 2-core machine;
/// a wait that succeeds returns as soon as the element is there.
pub const PATIENCE: Duration = Duration::from_secs(20);

fn chromium_binary() -> String {
    std::env::var("PLAZA_TEST_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned())
}

fn chromedriver_binary() -> String {
    std::env::var("PLAZA_TEST_CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".to_owned())
}

/// A running ChromeDriver. Dropping it asks it to quit its browsers, then ends the process.
pub struct ChromeDriver {
    port: u16,
    child: Mutex<Child>,
}

/// The driver the running tests share; it goes away with the last of them.
static SHARED: Mutex<Weak<ChromeDriver>> = Mutex::new(Weak::new());

impl ChromeDriver {
    /// The driver already running for this test binary, or a new one.
    pub fn shared() -> Arc<ChromeDriver> {
        let mut slot = SHARED.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(driver) = slot.upgrade() {
            return driver;
        }
        let driver = Arc::new(Self::start());
        *slot = Arc::downgrade(&driver);
        driver
    }

    fn start() -> Self {
        let binary = chromedriver_binary();
        // The port is free now; ChromeDriver binds it a moment later. Another process taking it in
        // between would make the session fail to start, with a message naming the port.
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
        let child = Command::new(&binary)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start {binary} ({e}): run scripts/ensure-browser, or set PLAZA_TEST_CHROMEDRIVER")
            });
        Self {
            port,
            child: Mutex::new(child),
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Waits until ChromeDriver answers its status endpoint as ready.
    async fn ready(&self) {
        let deadline = Instant::now() + PATIENCE;
        let status = format!("{}/status", self.url());
        loop {
            if let Ok(response) = reqwest::get(&status).await
                && let Ok(body) = response.json::<Value>().await
                && body["value"]["ready"] == true
            {
                return;
            }
            if let Ok(Some(exit)) = self
                .child
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .try_wait()
            {
                panic!("ChromeDriver on port {} exited at start: {exit}", self.port);
            }
            assert!(
                Instant::now() < deadline,
                "ChromeDriver on port {} did not become ready",
                self.port
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        // ChromeDriver's own shutdown quits the browsers of sessions a failed test left open;
        // killing it outright could leave them running.
        if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let request = format!(
                "GET /shutdown HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
                self.port
            );
            if stream.write_all(request.as_bytes()).is_ok() {
                let _ = stream.read_to_end(&mut Vec::new());
            }
        }
        let child = self.child.get_mut().unwrap_or_else(PoisonError::into_inner);
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// One browser session for one test.
pub struct Browser {
    /// The WebDriver session.
    pub client: Client,
    shots: PathBuf,
    step: u32,
    // After the client: the session ends before the driver may go.
    _driver: Arc<ChromeDriver>,
}

impl Browser {
    /// Starts a headless Chromium for the test `test` (its screenshots go to a folder of that
    /// name, emptied first so that it holds this run's steps only).
    pub async fn open(test: &str) -> Self {
        let driver = ChromeDriver::shared();
        driver.ready().await;
        let mut capabilities = Capabilities::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        // An alert a script opened must stay open for the test to see it, not be dismissed by
        // the next command.
        capabilities.insert("unhandledPromptBehavior".into(), json!("ignore"));
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": chromium_binary(),
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--window-size=1280,900",
                    // Containers give /dev/shm 64 MB, too little for a renderer.
                    "--disable-dev-shm-usage",
                    "--hide-scrollbars",
                    "--no-first-run",
                ],
            }),
        );
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&driver.url())
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "no browser session from ChromeDriver at {}: {e}",
                    driver.url()
                )
            });
        client
            .update_timeouts(TimeoutConfiguration::new(
                Some(PATIENCE),
                Some(PATIENCE),
                Some(Duration::ZERO),
            ))
            .await
            .expect("set timeouts");
        let shots = screenshot_root().join(test);
        let _ = std::fs::remove_dir_all(&shots);
        std::fs::create_dir_all(&shots).expect("screenshot folder");
        Self {
            client,
            shots,
            step: 0,
            _driver: driver,
        }
    }

    /// Loads `url` and waits for it to finish loading.
    pub async fn goto(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("load {url}: {e}"));
    }

    /// The element `css` selects, waiting for it to appear.
    pub async fn find(&self, css: &str) -> Element {
        match self
            .client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await
        {
            Ok(element) => element,
            Err(e) => panic!("no element {css} on {}: {e}", self.url().await),
        }
    }

    /// Waits for an element `css` whose visible text contains `text`, and returns it.
    pub async fn find_text(&self, css: &str, text: &str) -> Element {
        let deadline = Instant::now() + PATIENCE;
        let mut seen = Vec::new();
        loop {
            seen.clear();
            let elements = self
                .client
                .find_all(Locator::Css(css))
                .await
                .unwrap_or_else(|e| panic!("find {css}: {e}"));
            for element in elements {
                // The page may be replaced between finding and reading: look again.
                let Ok(shown) = element.text().await else {
                    continue;
                };
                if shown.contains(text) {
                    return element;
                }
                seen.push(shown);
            }
            assert!(
                Instant::now() < deadline,
                "no {css} showing {text:?} on {}; {css} shows {seen:?}",
                self.url().await
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Clicks the link or button `css` whose text contains `text`.
    pub async fn click_text(&self, css: &str, text: &str) {
        self.find_text(css, text)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css} {text:?}: {e}"));
    }

    /// Types `value` into the field `css`.
    pub async fn fill(&self, css: &str, value: &str) {
        let field = self.find(css).await;
        field
            .clear()
            .await
            .unwrap_or_else(|e| panic!("clear {css}: {e}"));
        field
            .send_keys(value)
            .await
            .unwrap_or_else(|e| panic!("type into {css}: {e}"));
    }

    /// Logs in as `name` (with the test password) through the log-in form at `base`.
    pub async fn log_in(&self, base: &str, name: &str) {
        self.goto(&format!("{base}/login")).await;
        self.fill("form.login input[name=name]", name).await;
        self.fill("form.login input[name=password]", plaza_tests::PASSWORD)
            .await;
        self.click_text("form.login button", "Log in").await;
        self.find_text("nav.account a", name).await;
    }

    /// Puts `text` into the field `css` at once, as pasting would (typing thousands of
    /// characters one by one is slow).
    pub async fn paste(&self, css: &str, text: &str) {
        self.find(css).await;
        self.client
            .execute(
                "document.querySelector(arguments[0]).value = arguments[1];",
                vec![json!(css), json!(text)],
            )
            .await
            .unwrap_or_else(|e| panic!("paste into {css}: {e}"));
    }

    /// The address shown in the location bar.
    pub async fn url(&self) -> String {
        self.client
            .current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_else(|e| format!("(no URL: {e})"))
    }

    /// Runs `script` in the page (a function body; `return` gives its value).
    pub async fn script(&self, script: &str) -> Value {
        match self.client.execute(script, Vec::new()).await {
            Ok(value) => value,
            Err(e) => panic!("run a script on {}: {e}", self.url().await),
        }
    }

    /// Saves what the window shows as the next numbered step, prints its path and returns it.
    pub async fn screenshot(&mut self, step: &str) -> PathBuf {
        self.step += 1;
        let png = self
            .client
            .screenshot()
            .await
            .unwrap_or_else(|e| panic!("screenshot of {step}: {e}"));
        assert!(
            png.starts_with(b"\x89PNG"),
            "the screenshot of {step} is a PNG"
        );
        let path = self.shots.join(format!("{:02}-{step}.png", self.step));
        std::fs::write(&path, &png).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        println!("screenshot: {}", path.display());
        path
    }

    /// Like [`Browser::screenshot`], but of the whole page, however long: the window grows to fit
    /// it for the picture (up to 4,000 pixels), then returns to its size.
    pub async fn screenshot_whole_page(&mut self, step: &str) -> PathBuf {
        self.screenshot_to(
            step,
            "return [document.documentElement.scrollHeight, \
             window.outerHeight - window.innerHeight];",
            Vec::new(),
        )
        .await
    }

    /// Like [`Browser::screenshot`], but of the page from its top down to the bottom of the
    /// element `css`: the window grows (or shrinks) to end there for the picture, then returns to
    /// its size. For a long page whose first part tells the story.
    pub async fn screenshot_down_to(&mut self, step: &str, css: &str) -> PathBuf {
        self.find(css).await;
        self.screenshot_to(
            step,
            "const box = document.querySelector(arguments[0]).getBoundingClientRect(); \
             return [Math.ceil(box.bottom + window.scrollY) + 16, \
                     window.outerHeight - window.innerHeight];",
            vec![json!(css)],
        )
        .await
    }

    /// A screenshot with the window resized so the page shows down to the height `measure`
    /// returns (with the window's frame as its second value, at most 4,000 pixels of page).
    async fn screenshot_to(&mut self, step: &str, measure: &str, args: Vec<Value>) -> PathBuf {
        let (width, height) = self
            .client
            .get_window_size()
            .await
            .unwrap_or_else(|e| panic!("window size: {e}"));
        let sizes = self
            .client
            .execute(measure, args)
            .await
            .unwrap_or_else(|e| panic!("measuring the page: {e}"));
        let bottom = sizes[0].as_u64().unwrap_or(height).min(4000);
        let frame = sizes[1].as_u64().unwrap_or(0);
        let width = u32::try_from(width).expect("window width");
        let tall = u32::try_from(bottom + frame).expect("page height");
        self.client
            .set_window_size(width, tall)
            .await
            .unwrap_or_else(|e| panic!("resize the window: {e}"));
        self.script("window.scrollTo(0, 0);").await;
        let path = self.screenshot(step).await;
        let height = u32::try_from(height).expect("window height");
        self.client
            .set_window_size(width, height)
            .await
            .unwrap_or_else(|e| panic!("restore the window: {e}"));
        path
    }

    /// Ends the session and quits the browser.
    pub async fn close(self) {
        let Self { client, .. } = self;
        client.close().await.expect("end the browser session");
    }
}

/// `target/browser-screenshots`, beside the profile folder this test binary was built into.
fn screenshot_root() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    // target/debug/deps/browser-HASH: three levels up is the target folder.
    exe.ancestors()
        .nth(3)
        .map(|target| target.join("browser-screenshots"))
        .expect("the test binary lives in a target folder")
}

/// With `PLAZA_UPDATE_SCREENSHOTS=1`, copies a screenshot to `docs/screenshots/NAME`, where the
/// README shows it; otherwise does nothing, so that ordinary runs leave the sources alone.
pub fn publish(screenshot: &std::path::Path, name: &str) {
    if std::env::var("PLAZA_UPDATE_SCREENSHOTS").as_deref() != Ok("1") {
        return;
    }
    let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/screenshots");
    std::fs::create_dir_all(&docs).expect("docs/screenshots");
    let target = docs.join(name);
    std::fs::copy(screenshot, &target).unwrap_or_else(|e| panic!("{}: {e}", target.display()));
    println!("published: {}", target.display());
}
