//! The insight pages: staff see each section with its charts and tables, the CSV links give the
//! tables' numbers, everyone else is sent to log in or refused, and the CSP stays strict.

use plaza_tests::TestInstance;
use plaza_tests::community::community;

use crate::assert_html;

const SECTIONS: [&str; 6] = [
    "overview",
    "sources",
    "responsiveness",
    "advocates",
    "friction",
    "demand",
];

#[tokio::test(flavor = "multi_thread")]
async fn staff_see_every_section_with_charts_and_tables() {
    let plaza = TestInstance::spawn().await;
    community(&plaza).await;
    let sam = plaza.browser_as("sam").await;
    let home = sam.open("/").await;
    assert!(
        home.text
            .contains(r#"<a href="/admin/insight">Insight</a>"#),
        "{}",
        home.text
    );

    let overview = sam.open("/admin/insight?days=7").await;
    assert_html(&overview, 200);
    assert_eq!(
        overview.header("content-security-policy"),
        plaza_web::pages::layout::CONTENT_SECURITY_POLICY
    );
    let text = &overview.text;
    // Staff who are not administrators are offered only the pages they may open.
    assert!(
        text.contains(
            r#"<nav class="mod-nav"><a href="/admin/insight">Insight</a> · <a href="/admin/alerts">Alerts</a></nav>"#
        ),
        "{text}"
    );
    assert!(!text.contains(r#"href="/admin/instances""#), "{text}");
    assert!(!text.contains(r#"<a href="/admin">"#), "{text}");
    assert!(text.contains("<svg class=\"chart\" role=\"img\""), "{text}");
    assert!(!text.contains("<script"), "no script in the page");
    assert!(!text.contains(" style="), "no inline style in the page");
    assert!(text.contains(r#"<option value="7" selected>"#), "{text}");
    assert!(
        text.contains(r#"<option value="ideas">ideas</option>"#),
        "{text}"
    );
    assert!(
        text.contains(r#"href="/admin/insight/overview?days=7&#38;format=csv&#38;table=threads""#),
        "{text}"
    );

    for name in SECTIONS {
        let page = sam.open(&format!("/admin/insight/{name}?days=30")).await;
        assert_html(&page, 200);
        assert!(page.text.contains("<table>"), "{name}: {}", page.text);
        assert!(
            page.text.contains(r#"<strong aria-current="page">"#),
            "{name}"
        );
    }
    // Remote names and hostile titles are shown as text.
    let friction = sam.open("/admin/insight/friction?days=7").await;
    assert!(
        friction.text.contains("=Make it blue, please"),
        "{}",
        friction.text
    );
    let sources = sam.open("/admin/insight/sources?days=7").await;
    assert!(sources.text.contains("mastodon.one"));
    assert!(sources.text.contains("lemmy.three"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_page_csv_link_gives_the_numbers_the_page_shows() {
    let plaza = TestInstance::spawn().await;
    let c = community(&plaza).await;
    let admin = plaza.browser_as("admin").await;
    let csv = admin
        .open("/admin/insight/overview?days=7&format=csv&table=totals")
        .await;
    assert_eq!(csv.status, 200, "{}", csv.text);
    assert!(csv.header("content-type").starts_with("text/csv"));
    assert!(
        csv.header("content-disposition")
            .contains("insight-overview-totals-all-")
    );
    assert!(
        csv.text
            .starts_with("measure,this_period,previous_period,change_percent\r\n")
    );
    assert!(csv.text.contains("\r\nthreads,4,1,300\r\n"), "{}", csv.text);
    let api = c.admin.get("/admin/insight/overview?days=7").await;
    let threads = api.body["tables"][0]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r[0] == "threads")
        .unwrap()
        .clone();
    assert_eq!(threads[1], 4);
    let page = admin.open("/admin/insight/overview?days=7").await;
    assert!(
        page.text.contains(
            r#"<nav class="mod-nav"><a href="/admin">Instance settings</a> · <a href="/admin/instances">Other instances</a> · <a href="/admin/insight">Insight</a> · <a href="/admin/alerts">Alerts</a></nav>"#
        ),
        "{}",
        page.text
    );
    assert!(
        page.text
            .contains(r#"<td>threads</td><td class="num">4</td><td class="num">1</td>"#),
        "{}",
        page.text
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn insight_pages_are_closed_to_members_and_visitors() {
    let plaza = TestInstance::spawn().await;
    community(&plaza).await;
    for name in SECTIONS {
        let path = format!("/admin/insight/{name}");
        let page = plaza.browse(&path).await;
        assert_eq!(page.status, 303, "{path}");
        assert_eq!(
            page.header("location"),
            format!("/login?next={}", path.replace('/', "%2F"))
        );
        let csv = plaza
            .browse(&format!("{path}?format=csv&table=totals"))
            .await;
        assert_eq!(csv.status, 303);
        assert!(!csv.text.contains("mastodon"));
    }
    let mia = plaza.browser_as("mia").await;
    assert!(!mia.open("/").await.text.contains("/admin/insight"));
    for name in SECTIONS {
        let page = mia.open(&format!("/admin/insight/{name}?days=7")).await;
        assert_html(&page, 403);
        assert!(!page.text.contains("mastodon"), "{}", page.text);
        // The refusal is shown to mia as signed in, with nothing of the staff's pages.
        assert!(
            page.text.contains(r#"<a href="/u/mia">mia</a>"#),
            "{}",
            page.text
        );
        assert!(!page.text.contains(r#"href="/login""#), "{}", page.text);
        assert!(!page.text.contains("/admin/"), "{}", page.text);
        let csv = mia
            .open(&format!(
                "/admin/insight/{name}?days=7&format=csv&table=totals"
            ))
            .await;
        assert_eq!(csv.status, 403);
        assert!(!csv.text.contains("mastodon"));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_period_is_explained_on_the_page() {
    let plaza = TestInstance::spawn().await;
    community(&plaza).await;
    let sam = plaza.browser_as("sam").await;
    let page = sam
        .open("/admin/insight/overview?days=30&from=2026-02-10&to=2026-02-01")
        .await;
    assert_html(&page, 422);
    assert!(page.text.contains("role=\"alert\""), "{}", page.text);
    assert!(
        page.text.contains("must not be before from"),
        "{}",
        page.text
    );
    let odd = sam.open("/admin/insight/overview?days=eleven").await;
    assert_html(&odd, 422);
    let unknown = sam.open("/admin/insight/nothing").await;
    assert_html(&unknown, 404);
}
