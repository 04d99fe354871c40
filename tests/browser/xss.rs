//! No script runs on Plaza's pages, checked where it would run: in a browser. Threads and comments
//! carry the XSS corpus (`tests/fixtures/xss.txt`) and vectors of our own, as local Markdown and
//! as HTML from another server; the browser loads the pages, clicks what a reader could click, and
//! looks for any sign of a script: a flag the vectors set, an open alert, a `<script>` element, an
//! event-handler attribute, a script URL, a frame.
//!
//! A control shows that our vectors do run in this browser on a page that neither cleans them
//! nor forbids scripts, so that their silence on Plaza's pages means something.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use axum::response::{Html, IntoResponse};
use axum::routing::get;
use fantoccini::Locator;
use plaza_tests::TestInstance;
use plaza_web::pages::layout::CONTENT_SECURITY_POLICY;
use serde_json::Value;

use crate::driver::{Browser, PATIENCE};
use crate::remote::FakeRemote;

/// A script that records in `window.__plaza_xss` that the vector `name` ran. It has no quotes
/// and no spaces, so that it fits in unquoted attributes and in Markdown link targets too.
fn ran(name: &str) -> String {
    format!("top.__plaza_xss=(top.__plaza_xss||[]).concat(/{name}/.source)")
}

/// One of our own vectors: markup that records its name when it runs. Those with `click` run
/// when the link or button showing that text is clicked.
struct Vector {
    name: &'static str,
    markup: String,
    click: Option<&'static str>,
}

impl Vector {
    fn new(name: &'static str, markup: String) -> Self {
        Self {
            name,
            markup,
            click: None,
        }
    }

    fn clicked(name: &'static str, label: &'static str, markup: String) -> Self {
        Self {
            name,
            markup,
            click: Some(label),
        }
    }
}

/// Vectors in HTML, which Markdown passes through as it is.
fn own_vectors() -> Vec<Vector> {
    vec![
        Vector::new(
            "img-onerror",
            format!(
                r#"<img src="/plaza-xss-missing.png" alt="" onerror="{}">"#,
                ran("img-onerror")
            ),
        ),
        Vector::new(
            "svg-onload",
            format!(r#"<svg onload="{}"></svg>"#, ran("svg-onload")),
        ),
        Vector::new(
            "details-ontoggle",
            format!(
                r#"<details open ontoggle="{}"><summary>more</summary>opened</details>"#,
                ran("details-ontoggle")
            ),
        ),
        Vector::new(
            "input-onfocus",
            format!(r#"<input autofocus onfocus="{}">"#, ran("input-onfocus")),
        ),
        Vector::new(
            "body-onload",
            format!(r#"<body onload="{}">"#, ran("body-onload")),
        ),
        Vector::new(
            "srcdoc-iframe",
            format!(
                r#"<iframe srcdoc="<script>{}</script>"></iframe>"#,
                ran("srcdoc-iframe")
            ),
        ),
        // Where scripting is on, a browser reads <noscript> as raw text up to its end tag, so
        // the image hidden in the attribute becomes an element of its own.
        Vector::new(
            "noscript-mutation",
            format!(
                r#"<noscript><p title="</noscript><img src=/plaza-xss-missing.png onerror={}>"></noscript>"#,
                ran("noscript-mutation")
            ),
        ),
        Vector::clicked(
            "javascript-link",
            "plaza-xss-link",
            format!(
                r#"<a href="javascript:void({})">plaza-xss-link</a>"#,
                ran("javascript-link")
            ),
        ),
        Vector::clicked(
            "tab-in-scheme",
            "plaza-xss-tab-link",
            format!(
                r#"<a href="java&#9;script:void({})">plaza-xss-tab-link</a>"#,
                ran("tab-in-scheme")
            ),
        ),
        Vector::clicked(
            "formaction",
            "plaza-xss-button",
            format!(
                r#"<form><button formaction="javascript:void({})">plaza-xss-button</button></form>"#,
                ran("formaction")
            ),
        ),
    ]
}

/// A vector only Markdown can carry: a link to a script URL.
fn markdown_link() -> String {
    format!(
        "[plaza-xss-md-link](javascript:void({}))",
        ran("markdown-link")
    )
}

/// The labels of the links and buttons a reader could click.
fn click_labels() -> Vec<&'static str> {
    let mut labels: Vec<&str> = own_vectors().iter().filter_map(|v| v.click).collect();
    labels.push("plaza-xss-md-link");
    labels
}

fn corpus() -> Vec<String> {
    let path = format!("{}/fixtures/xss.txt", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Clicks every link and button showing one of `labels`; returns how many it clicked.
async fn click_everything(browser: &Browser, labels: &[&str]) -> usize {
    let mut clicked = 0;
    for label in labels {
        let path =
            format!("//a[normalize-space()='{label}'] | //button[normalize-space()='{label}']");
        let elements = browser
            .client
            .find_all(Locator::XPath(&path))
            .await
            .unwrap();
        for element in elements {
            if element.is_displayed().await.unwrap() {
                element
                    .click()
                    .await
                    .unwrap_or_else(|e| panic!("click {label}: {e}"));
                clicked += 1;
            }
        }
    }
    clicked
}

/// What a script left behind, read from the live page.
const INSPECT: &str = r#"
const urlAttributes = ['href', 'src', 'action', 'formaction', 'data', 'xlink:href', 'background',
  'poster', 'ping'];
const handlers = [];
const urls = [];
for (const element of document.querySelectorAll('*')) {
  for (const attribute of element.attributes) {
    const name = attribute.name.toLowerCase();
    if (name.startsWith('on')) {
      handlers.push('<' + element.localName + ' ' + name + '>');
    }
    const value = attribute.value.replace(/[\u0000-\u0020]/g, '');
    if (urlAttributes.includes(name) && /^(javascript|vbscript|data):/i.test(value)) {
      urls.push('<' + element.localName + ' ' + name + '="' + attribute.value + '">');
    }
  }
}
return {
  ran: window.__plaza_xss === undefined ? null : window.__plaza_xss,
  scripts: Array.from(document.querySelectorAll('script'), s => s.outerHTML.slice(0, 200)),
  handlers: handlers,
  urls: urls,
  embedded: Array.from(
    document.querySelectorAll('iframe, frame, object, embed, base, meta[http-equiv]'),
    e => e.outerHTML.slice(0, 200)),
  comments: document.querySelectorAll('li.comment').length,
};
"#;

/// Fails if an alert is open: with `unhandledPromptBehavior: ignore` one would stay open.
async fn assert_no_alert(browser: &Browser) {
    match browser.client.get_alert_text().await {
        Err(e) if e.is_no_such_alert() => {}
        Ok(text) => panic!("an alert is open on {}: {text}", browser.url().await),
        Err(e) => panic!("asking for an alert: {e}"),
    }
}

/// Waits until the page has been drawn twice since it loaded: by then the events our vectors use
/// (a failed image, a toggle, autofocus) have fired, in the control page as they would here.
async fn settle(browser: &Browser) {
    browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];\n\
             requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 0)));",
            Vec::new(),
        )
        .await
        .unwrap_or_else(|e| panic!("wait for the page to be drawn: {e}"));
}

/// Asserts that nothing on the current page ran or can run; returns what was inspected.
async fn assert_inert(browser: &Browser) -> Value {
    settle(browser).await;
    assert_no_alert(browser).await;
    let found = browser.script(INSPECT).await;
    let url = browser.url().await;
    assert_eq!(found["ran"], Value::Null, "a vector ran on {url}");
    for kind in ["scripts", "handlers", "urls", "embedded"] {
        assert_eq!(
            found[kind].as_array().map(Vec::len),
            Some(0),
            "{kind} on {url}: {}",
            found[kind]
        );
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_script_from_local_markdown_or_remote_html_runs_in_the_browser() {
    // One member posts every vector: more than the posting rate limit allows.
    let web = plaza_web::WebConfig {
        rate_limits: plaza_web::rate_limit::RateLimits::unlimited(),
        ..plaza_web::WebConfig::default()
    };
    let plaza = TestInstance::spawn_with(plaza_core::Settings::default(), web).await;
    plaza.with_group("support").await;
    let mallory = plaza.member("mallory").await;
    let mut html: Vec<String> = own_vectors().into_iter().map(|v| v.markup).collect();
    let corpus = corpus();
    assert!(corpus.len() >= 30, "{} vectors in the corpus", corpus.len());
    html.extend(corpus);
    // First: an unclosed element further on (a <style>, say) swallows what follows it.
    let mut markdown = vec![markdown_link()];
    markdown.extend(html.iter().cloned());

    let title = "<script>alert(1)</script><img src=x onerror=alert(1)>";
    let thread = mallory
        .thread("support", title, &markdown.join("\n\n"))
        .await;
    for vector in &markdown {
        mallory.reply(thread, None, vector).await;
    }
    let remote = FakeRemote::start_as(Some("lemmy"), "/u/bob").await;
    for (n, vector) in html.iter().enumerate() {
        let (status, body) = remote
            .send_reply(&plaza, "support", thread, n, vector)
            .await;
        assert_eq!(status, 202, "{vector}: {body}");
    }

    let mut browser = Browser::open("xss").await;
    let page = format!("{}/post/{thread}", plaza.base);
    browser.goto(&page).await;
    // The title is shown as the text it is.
    let heading = browser.find("h1").await.text().await.unwrap();
    assert_eq!(
        heading,
        title,
        "the thread's title on {}",
        browser.url().await
    );
    browser.find_text(".post .body", "plaza-xss-md-link").await;
    browser.screenshot("thread").await;
    let clicked = click_everything(&browser, &click_labels()).await;
    assert!(clicked > 0, "the links kept as text are there to click");
    assert_eq!(browser.url().await, page, "no click led anywhere");
    let found = assert_inert(&browser).await;
    assert_eq!(
        found["comments"],
        markdown.len() + html.len(),
        "every reply is shown"
    );
    browser.screenshot("thread-clicked").await;

    browser.goto(&format!("{}/g/support", plaza.base)).await;
    browser.find_text(".thread-list", title).await;
    assert_inert(&browser).await;
    browser.screenshot("group").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_script_runs_in_the_preview_of_a_new_thread_or_a_reply() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    let thread = ada.thread("support", "Previews", "").await;
    let mut body = vec![markdown_link()];
    body.extend(own_vectors().into_iter().map(|v| v.markup));
    body.extend(corpus());
    let body = body.join("\n\n");
    let labels = click_labels();

    let mut browser = Browser::open("xss-preview").await;
    browser.log_in(&plaza.base, "ada").await;
    browser.goto(&format!("{}/g/support/new", plaza.base)).await;
    browser
        .fill(
            "form.compose input[name=title]",
            "<script>alert(1)</script>",
        )
        .await;
    browser
        .paste("form.compose textarea[name=body]", &body)
        .await;
    browser.click_text("form.compose button", "Preview").await;
    browser.find_text(".preview", "plaza-xss-md-link").await;
    browser
        .find_text(".preview-title", "<script>alert(1)</script>")
        .await;
    assert!(click_everything(&browser, &labels).await > 0);
    assert_inert(&browser).await;
    browser.screenshot("thread-preview").await;

    browser.goto(&format!("{}/post/{thread}", plaza.base)).await;
    browser
        .paste("form.compose.reply textarea[name=body]", &body)
        .await;
    browser
        .click_text("form.compose.reply button", "Preview")
        .await;
    browser.find_text(".preview", "plaza-xss-md-link").await;
    assert!(click_everything(&browser, &labels).await > 0);
    assert_inert(&browser).await;
    browser.screenshot("reply-preview").await;
    browser.close().await;
}

/// Serves every vector of ours on one page, at `/open` as it is and at `/with-policy` with
/// Plaza's Content-Security-Policy; returns the server's origin.
async fn control_server() -> String {
    let body = own_vectors()
        .iter()
        .map(|v| format!("<div>{}</div>", v.markup))
        .collect::<String>();
    let page = format!(
        "<!doctype html><html><head><title>Control</title></head><body>{body}</body></html>"
    );
    let with_policy = page.clone();
    let app = axum::Router::new()
        .route("/open", get(move || async move { Html(page) }))
        .route(
            "/with-policy",
            get(move || async move {
                (
                    [("content-security-policy", CONTENT_SECURITY_POLICY)],
                    Html(with_policy),
                )
                    .into_response()
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://localhost:{}", listener.local_addr().unwrap().port());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    origin
}

/// The names the vectors recorded on the current page so far.
async fn recorded(browser: &Browser) -> BTreeSet<String> {
    let ran = browser.script("return window.__plaza_xss || [];").await;
    ran.as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n.as_str().map(str::to_owned))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_vectors_run_in_this_browser_unless_cleaned_or_forbidden_by_the_policy() {
    let origin = control_server().await;
    let vectors = own_vectors();
    let labels: Vec<&str> = vectors.iter().filter_map(|v| v.click).collect();
    let expected: BTreeSet<String> = vectors.iter().map(|v| v.name.to_owned()).collect();
    let mut browser = Browser::open("xss-control").await;

    browser.goto(&format!("{origin}/open")).await;
    let clicked = click_everything(&browser, &labels).await;
    assert_eq!(clicked, labels.len(), "every clickable vector was clicked");
    // Some vectors run a moment after the page has loaded (a failed image, a toggle event).
    let deadline = Instant::now() + PATIENCE;
    let mut ran = recorded(&browser).await;
    while ran != expected && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
        ran = recorded(&browser).await;
    }
    assert_eq!(ran, expected, "each vector runs where nothing stops it");
    browser.screenshot("open").await;

    // Plaza's policy alone already stops them, markup and all; the cleaning on write means the
    // markup never reaches a page in the first place.
    browser.goto(&format!("{origin}/with-policy")).await;
    click_everything(&browser, &labels).await;
    settle(&browser).await;
    assert_no_alert(&browser).await;
    let found = browser.script(INSPECT).await;
    assert_eq!(found["ran"], Value::Null, "{found}");
    assert!(
        !found["handlers"].as_array().unwrap().is_empty(),
        "the handlers are on the page, only forbidden: {found}"
    );
    browser.screenshot("with-policy").await;
    browser.close().await;
}
