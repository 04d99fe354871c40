//! A picture in a reply, in the browser: a member chooses a file in the thread's reply form,
//! describes it, posts, and sees the picture under the reply, described by its alt text.

use image::{Rgb, RgbImage};
use plaza_tests::TestInstance;
use serde_json::json;

use crate::driver::{Browser, PATIENCE, publish};

/// A drawing of a router seen from the front, its third light red: a picture a member might
/// attach, and one a person can recognise in the screenshot.
fn router_picture() -> Vec<u8> {
    let (width, height) = (480, 270);
    let mut picture = RgbImage::from_pixel(width, height, Rgb([236, 239, 244]));
    for (x, y, pixel) in picture.enumerate_pixels_mut() {
        let body = (60..420).contains(&x) && (100..190).contains(&y);
        let foot = ((90..130).contains(&x) || (350..390).contains(&x)) && (190..205).contains(&y);
        if body || foot {
            *pixel = Rgb([46, 52, 64]);
        }
        for (n, colour) in [
            [88, 214, 141],
            [88, 214, 141],
            [235, 77, 75],
            [88, 214, 141],
        ]
        .into_iter()
        .enumerate()
        {
            let centre_x = 120 + 60 * i64::try_from(n).unwrap_or(0);
            let (dx, dy) = (i64::from(x) - centre_x, i64::from(y) - 145);
            if dx * dx + dy * dy <= 100 {
                *pixel = Rgb(colour);
            }
        }
    }
    let mut png = Vec::new();
    picture
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("encode the picture");
    png
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_replies_with_a_picture_and_sees_it_shown_in_the_thread() {
    let plaza = TestInstance::spawn().await;
    plaza.with_group("support").await;
    let ada = plaza.member("ada").await;
    plaza.member("bob").await;
    let thread = ada
        .post(
            "/groups/support/threads",
            &json!({"title": "The router blinks red every night",
                    "body": "Around 2 am one light turns red for a few minutes. Anyone else?"}),
        )
        .await;
    assert_eq!(thread.status, 201, "{}", thread.body);
    let thread = thread.i64("/thread/id");
    let folder = tempfile::tempdir().expect("a folder for the picture");
    let file = folder.path().join("router.png");
    std::fs::write(&file, router_picture()).expect("write the picture");
    let alt = "A router from the front: four lights, the third one red";

    let mut browser = Browser::open("pictures").await;
    browser.log_in(&plaza.base, "bob").await;
    browser.goto(&format!("{}/post/{thread}", plaza.base)).await;
    browser
        .fill(
            "form.reply textarea[name=body]",
            "Mine does it too. It is the third light, here:",
        )
        .await;
    // ChromeDriver runs on this machine, so a file input takes a local path as its keys.
    browser
        .find("form.reply input[name=image]")
        .await
        .send_keys(file.to_str().expect("a UTF-8 path"))
        .await
        .expect("choose the file");
    browser.fill("form.reply input[name=image_alt]", alt).await;
    browser.click_text("form.reply button", "Reply").await;

    // The reply is in the thread, its picture under it with the description as alt text.
    let reply = browser
        .find_text("li.comment", "It is the third light")
        .await;
    let id = reply
        .attr("id")
        .await
        .ok()
        .flatten()
        .expect("the reply's id");
    let img = browser
        .find(&format!("#{id} ul.media img[alt=\"{alt}\"]"))
        .await;
    let src = img
        .attr("src")
        .await
        .ok()
        .flatten()
        .expect("the picture's address");
    assert!(src.contains("/media/"), "{src}");
    // Shown, not only named: the browser loaded and decoded it (it loads lazily, so it is
    // brought into view first).
    browser
        .client
        .execute(
            "arguments[0].scrollIntoView({block: 'center'});",
            vec![serde_json::to_value(&img).expect("the element")],
        )
        .await
        .expect("scroll to the picture");
    let deadline = std::time::Instant::now() + PATIENCE;
    let width = loop {
        let width = browser
            .client
            .execute(
                "const img = arguments[0]; return img.complete ? img.naturalWidth : 0;",
                vec![serde_json::to_value(&img).expect("the element")],
            )
            .await
            .expect("read the picture's width");
        if width.as_u64().unwrap_or(0) > 0 || std::time::Instant::now() > deadline {
            break width;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!(width, json!(480), "the picture was not shown");
    let (status, headers, _) = plaza.fetch_bytes(&src).await;
    assert_eq!(status, 200, "{src}");
    assert_eq!(headers["content-type"], "image/png");

    let page = browser.screenshot_whole_page("reply-with-picture").await;
    publish(&page, "reply-with-picture.png");
    browser.close().await;
}
