//! The insight pages in the browser: staff log in, open Insight from the header, narrow the
//! period to a week and then to one group with the page's own form, and walk through every
//! section by its links, finding the known community's numbers in the tables, the charts drawn as
//! inline SVG and CSV links that give the same numbers; a plain member is refused.

use fantoccini::Locator;
use plaza_tests::community::community;
use plaza_tests::{PASSWORD, TestInstance};
use serde_json::json;

use crate::driver::{Browser, publish};

/// The cells of the table `id` as the page shows them, row by row.
async fn table(browser: &Browser, id: &str) -> Vec<Vec<String>> {
    browser.find(&format!("section#{id} table tbody tr")).await;
    let cells = browser
        .client
        .execute(
            "return Array.from(document.querySelectorAll(arguments[0])).map(\
             r => Array.from(r.cells).map(c => c.textContent.trim()));",
            vec![json!(format!("section#{id} table tbody tr"))],
        )
        .await
        .unwrap_or_else(|e| panic!("read the table {id}: {e}"));
    serde_json::from_value(cells).unwrap_or_else(|e| panic!("the table {id}: {e}"))
}

/// The row of the table `id` whose first cell is `first`.
async fn row(browser: &Browser, id: &str, first: &str) -> Vec<String> {
    let rows = table(browser, id).await;
    rows.iter()
        .find(|r| r.first().is_some_and(|c| c == first))
        .cloned()
        .unwrap_or_else(|| panic!("no row {first:?} in {id}: {rows:?}"))
}

/// The chart of the table `id`: an SVG element in the page itself, drawn with some width, with
/// something plotted in it.
async fn assert_chart(browser: &Browser, id: &str) {
    let css = format!("section#{id} figure.chart > svg");
    browser.find(&css).await;
    let chart = browser
        .client
        .execute(
            "const svg = document.querySelector(arguments[0]); \
             return [svg.namespaceURI, svg.getBoundingClientRect().width, \
                     svg.querySelectorAll('polyline, path, rect, line').length];",
            vec![json!(css)],
        )
        .await
        .unwrap_or_else(|e| panic!("read the chart {id}: {e}"));
    assert_eq!(chart[0], "http://www.w3.org/2000/svg", "{id}: {chart}");
    assert!(chart[1].as_f64().unwrap_or(0.0) > 100.0, "{id}: {chart}");
    assert!(chart[2].as_u64().unwrap_or(0) > 0, "{id}: {chart}");
}

/// The words of the cells matching `css` that the browser laid out over more than one line.
async fn broken_words(browser: &Browser, css: &str) -> Vec<String> {
    let broken = browser
        .client
        .execute(
            "const broken = []; \
             for (const cell of document.querySelectorAll(arguments[0])) { \
               const walk = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT); \
               for (let node = walk.nextNode(); node; node = walk.nextNode()) { \
                 for (const m of node.data.matchAll(/\\S+/g)) { \
                   const r = document.createRange(); \
                   r.setStart(node, m.index); \
                   r.setEnd(node, m.index + m[0].length); \
                   if (r.getClientRects().length > 1) broken.push(m[0]); \
                 } \
               } \
             } \
             return broken;",
            vec![json!(css)],
        )
        .await
        .unwrap_or_else(|e| panic!("read the words of {css}: {e}"));
    serde_json::from_value(broken).unwrap_or_else(|e| panic!("the words of {css}: {e}"))
}

/// The CSV link of the table `id`, as written in the page.
async fn csv_link(browser: &Browser, id: &str) -> String {
    browser
        .find_text(&format!("section#{id} a.csv"), "Download as CSV")
        .await
        .attr("href")
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("the CSV link of {id}"))
}

/// Chooses `value` in the picker's `select` and submits the picker.
async fn pick(browser: &Browser, select: &str, value: &str) {
    browser
        .find(&format!("form.insight-period select#{select}"))
        .await
        .select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("choose {value} in {select}: {e}"));
    browser
        .click_text("form.insight-period button", "Show")
        .await;
}

/// Clicks the section `title` in the sections' links and waits for its page.
async fn open_section(browser: &Browser, title: &str) {
    browser.click_text("nav.insight-nav a", title).await;
    browser
        .find_text("nav.insight-nav strong[aria-current=page]", title)
        .await;
    browser.find_text("h1", &format!("Insight: {title}")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_read_every_insight_section_and_a_member_is_refused() {
    let plaza = TestInstance::spawn().await;
    let c = community(&plaza).await;

    let mut browser = Browser::open("insight").await;
    browser.goto(&format!("{}/", plaza.base)).await;
    browser.click_text("nav.account a", "Log in").await;
    browser.fill("form.login input[name=name]", "sam").await;
    browser
        .fill("form.login input[name=password]", PASSWORD)
        .await;
    browser.click_text("form.login button", "Log in").await;
    browser.find_text("nav.account a", "sam").await;

    // Insight from the header: the overview of the last 30 days, all groups.
    browser.click_text("nav.account a", "Insight").await;
    browser.find_text("h1", "Insight: Overview").await;
    assert!(
        browser.url().await.ends_with("/admin/insight"),
        "{}",
        browser.url().await
    );
    browser
        .find_text("main p.hint", "(UTC, 30 days, per day), all groups")
        .await;
    // t5, ten days ago, is in this month.
    assert_eq!(
        row(&browser, "totals", "threads").await[..3],
        ["threads", "5", "0"]
    );

    // The last 7 days, chosen in the page's form.
    pick(&browser, "days", "7").await;
    browser
        .find_text("main p.hint", "(UTC, 7 days, per day), all groups")
        .await;
    let url = browser.url().await;
    assert!(url.contains("/admin/insight/overview?days=7"), "{url}");
    let totals = table(&browser, "totals").await;
    let figures: Vec<(&str, &str, &str)> = totals
        .iter()
        .map(|r| (r[0].as_str(), r[1].as_str(), r[2].as_str()))
        .collect();
    for known in [
        ("new_members", "3", "0"),
        ("new_followers", "3", "1"),
        ("threads", "4", "1"),
        ("comments", "4", "1"),
        ("votes", "5", "1"),
        ("active_people", "5", "2"),
    ] {
        assert!(figures.contains(&known), "{known:?} in {totals:?}");
    }
    assert_eq!(row(&browser, "totals", "threads").await[3], "300");
    // A row per day, the days before included: t1 to t4, one a day over the last four days.
    let threads = table(&browser, "threads").await;
    assert_eq!(threads.len(), 7, "{threads:?}");
    assert_eq!(threads[6][0], c.today.to_string());
    let counts: Vec<&str> = threads.iter().map(|r| r[1].as_str()).collect();
    assert_eq!(counts, ["0", "0", "0", "1", "1", "1", "1"]);
    for chart in [
        "new_members",
        "new_followers",
        "threads",
        "comments",
        "votes",
        "active_people",
    ] {
        assert_chart(&browser, chart).await;
    }

    // The CSV links keep the period, and give the numbers the page shows.
    let totals_csv = csv_link(&browser, "totals").await;
    assert_eq!(
        totals_csv,
        "/admin/insight/overview?days=7&format=csv&table=totals"
    );
    let sam = plaza.browser_as("sam").await;
    let csv = sam.open(&totals_csv).await;
    assert_eq!(csv.status, 200, "{}", csv.text);
    assert!(csv.header("content-type").starts_with("text/csv"));
    assert!(csv.text.contains("\r\nthreads,4,1,300\r\n"), "{}", csv.text);
    assert!(csv.text.contains("\r\nvotes,5,1,400\r\n"), "{}", csv.text);
    // The totals and the first chart: the picture the README shows.
    let page = browser
        .screenshot_down_to("overview", "section#new_followers figure.chart")
        .await;
    publish(&page, "insight-overview.png");

    // Each section from the links under the heading, which keep the week.
    open_section(&browser, "Where people come from").await;
    assert!(browser.url().await.contains("days=7"));
    let one = row(&browser, "instances", "mastodon.one").await;
    assert_eq!(one[1..4], ["mastodon", "2", "2"], "{one:?}");
    assert_eq!(
        row(&browser, "software", "mastodon").await[1..4],
        ["2", "3", "3"]
    );
    assert_chart(&browser, "instances").await;
    assert!(
        csv_link(&browser, "instances")
            .await
            .contains("format=csv&table=instances")
    );
    browser.screenshot("sources").await;

    open_section(&browser, "Responsiveness").await;
    let all = row(&browser, "groups", "all groups").await;
    // Four threads, three replied to; first replies after 2 h (median) and 4 h (90th
    // percentile); staff answered two.
    assert_eq!(all[1..5], ["4", "3", "2", "4"], "{all:?}");
    assert_eq!(all[5], "2", "{all:?}");
    let waiting = table(&browser, "unanswered").await;
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    assert_eq!(waiting[0][0], "Does it work offline?");
    assert_eq!(waiting[0][2], "bob@mastodon.one");
    assert_chart(&browser, "over_time").await;
    // The tables scroll sideways rather than break their words into pieces.
    let broken = broken_words(&browser, "main table th, main table td").await;
    assert!(broken.is_empty(), "{broken:?}");
    // The unanswered question's link leads to the thread.
    browser.click_text("section#unanswered td a", "open").await;
    browser.find_text("h1", "Does it work offline?").await;
    assert!(
        browser.url().await.ends_with(&format!("/post/{}", c.t4)),
        "{}",
        browser.url().await
    );
    browser
        .client
        .back()
        .await
        .expect("back to the insight page");
    browser.find_text("h1", "Insight: Responsiveness").await;
    let page = browser.screenshot_whole_page("responsiveness").await;
    publish(&page, "insight-responsiveness.png");

    open_section(&browser, "Advocates").await;
    let advocates: Vec<String> = table(&browser, "advocates")
        .await
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    assert_eq!(advocates, ["bob@mastodon.one", "ann@mastodon.one", "sam"]);

    open_section(&browser, "Friction").await;
    // A title that a spreadsheet would run is shown as it is.
    let friction = table(&browser, "threads").await;
    assert_eq!(friction[0][0], "=Make it blue, please", "{friction:?}");
    assert_eq!(
        row(&browser, "people", "dee@lemmy.three").await[2..6],
        ["2", "1", "0", "1"]
    );
    browser.screenshot("friction").await;

    open_section(&browser, "Demand").await;
    assert_eq!(
        table(&browser, "most_upvoted").await[0][0],
        "Refund for a broken kettle"
    );
    assert_eq!(
        table(&browser, "most_discussed").await[0][0],
        "Where is my parcel?"
    );

    // One group, chosen in the form: the week stays, and only the group's threads count.
    open_section(&browser, "Overview").await;
    pick(&browser, "group", "support").await;
    browser
        .find_text("main p.hint", "(UTC, 7 days, per day), the group support")
        .await;
    let url = browser.url().await;
    assert!(
        url.contains("days=7") && url.contains("group=support"),
        "{url}"
    );
    let chosen = browser
        .find("form.insight-period select#days option[selected]")
        .await
        .attr("value")
        .await
        .ok()
        .flatten();
    assert_eq!(chosen.as_deref(), Some("7"));
    assert_eq!(
        row(&browser, "totals", "threads").await[..3],
        ["threads", "3", "1"]
    );
    assert_eq!(
        row(&browser, "totals", "new_followers").await[..3],
        ["new_followers", "2", "1"]
    );
    assert_chart(&browser, "threads").await;
    assert_eq!(
        csv_link(&browser, "threads").await,
        "/admin/insight/overview?days=7&group=support&format=csv&table=threads"
    );
    browser.screenshot("overview-support").await;

    // A plain member: no Insight in the header, and the page refuses with no numbers at all.
    browser.click_text("form.logout button", "Log out").await;
    browser.log_in(&plaza.base, "mia").await;
    let header = browser.find("nav.account").await.text().await.unwrap();
    assert!(!header.contains("Insight"), "{header}");
    browser.goto(&format!("{}/admin/insight", plaza.base)).await;
    browser.find_text("h1", "Not allowed").await;
    // The refusal still shows who is logged in.
    browser.find_text("nav.account a", "mia").await;
    let header = browser.find("nav.account").await.text().await.unwrap();
    assert!(!header.contains("Log in"), "{header}");
    browser
        .find_text("main p", "Only staff and administrators may see this page.")
        .await;
    let shown = browser.find("main").await.text().await.unwrap();
    for figure in ["mastodon", "threads", "Download as CSV"] {
        assert!(!shown.contains(figure), "{figure}: {shown}");
    }
    let nothing = browser
        .client
        .find_all(Locator::Css("main table, main svg, form.insight-period"))
        .await
        .unwrap();
    assert!(nothing.is_empty(), "a member gets no tables or charts");
    browser.screenshot("member-refused").await;
    browser.close().await;
}
