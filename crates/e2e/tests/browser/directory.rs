//! "Find support", the public search of the service directory, in Chromium: a keyboard-only
//! search with the focus always visible, form errors, the extra filters, paging, a service's
//! page, a search with JavaScript switched off, and what signed-in staff see beyond the public.
//! Every page visited with script on is checked with axe (axe-core cannot run in a page whose
//! scripts are switched off).

use crate::axe::assert_accessible;
use crate::harness::{Browser, Chromedriver};
use everychild_testkit::TestApp;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::Locator;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Press and release each key in turn, sent to whatever has the focus, as a person at a
/// keyboard would (no element is targeted, so nothing moves the focus but the keys).
async fn keys(b: &Browser, keys: &str) {
    let mut seq = KeyActions::new("keyboard".into());
    for k in keys.chars() {
        seq = seq
            .then(KeyAction::Down { value: k })
            .then(KeyAction::Up { value: k });
    }
    b.client.perform_actions(seq).await.expect("key actions");
}

async fn tab(b: &Browser) {
    keys(b, &char::from(Key::Tab).to_string()).await;
}

/// Press Enter where the focus is, wait for the page it leads to and check it with axe.
async fn enter_to_new_page(b: &Browser, label: &str) {
    b.mark_page().await;
    keys(b, &char::from(Key::Enter).to_string()).await;
    b.wait_for_new_page().await;
    assert_accessible(&b.client, label).await;
}

/// What has the keyboard focus: its id, or its text if it has none.
async fn focused(b: &Browser) -> String {
    match b
        .js("const e = document.activeElement; return e.id || e.textContent.trim().replace(/\\s+/g, ' ');")
        .await
    {
        Value::String(s) => s,
        other => other.to_string(),
    }
}

/// Fail unless the element with the focus shows it: the browser treats the focus as keyboard
/// focus (`:focus-visible`) and the element draws a visible outline or a box shadow (GOV.UK's
/// yellow-and-black focus state is one or the other, depending on the component).
async fn assert_focus_visible(b: &Browser, step: &str) {
    let problem = b
        .js(r#"
const e = document.activeElement;
if (!e || e === document.body) return 'nothing has the focus';
const s = getComputedStyle(e);
const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0
  && s.outlineColor !== 'transparent' && s.outlineColor !== 'rgba(0, 0, 0, 0)';
const shadow = s.boxShadow !== 'none';
const what = `<${e.tagName.toLowerCase()}${e.id ? ' id=' + e.id : ''}> ${e.textContent.trim().slice(0, 60)}`;
if (!e.matches(':focus-visible')) return what + ' has the focus but not :focus-visible';
if (!outline && !shadow) return `${what}: no focus indicator (outline ${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}, box-shadow ${s.boxShadow})`;
return '';
"#)
        .await;
    assert_eq!(problem, json!(""), "{step}: the focus is not visible");
}

/// Tab forwards, checking at every stop that the focus is visible, until `done` (a script
/// expression about `document.activeElement`) holds; fails after `most` presses.
async fn tab_until(b: &Browser, done: &str, most: usize, what: &str) {
    let check = format!("const e = document.activeElement; return !!({done});");
    for _ in 0..most {
        tab(b).await;
        assert_focus_visible(b, &format!("tabbing to {what}")).await;
        if b.js(&check).await == json!(true) {
            return;
        }
    }
    panic!(
        "{what} is not reached within {most} presses of Tab (the focus is on {:?})",
        focused(b).await
    );
}

/// The number at the start of the results heading ("85 services found").
async fn result_count(b: &Browser) -> usize {
    let heading = b.text("#results-heading").await;
    heading
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("results heading {heading:?}"))
}

/// The first result's name and the path of its page.
async fn first_result(b: &Browser) -> (String, String) {
    let v = b
        .js("const a = document.querySelector('.ec-result h3 a'); return [a.textContent.trim(), a.getAttribute('href')];")
        .await;
    (
        v[0].as_str().unwrap().to_owned(),
        v[1].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn a_keyboard_user_searches_near_a_postcode_and_opens_a_service_without_a_mouse() {
    let (app, _) = TestApp::spawn_demo().await;
    let driver = Chromedriver::start();
    let b = driver.browser(&app).await;
    b.visit("/find-support", "find support, empty").await;
    assert_eq!(b.h1().await, "Find support for children and families");

    tab(&b).await;
    assert_eq!(
        focused(&b).await,
        "Skip to main content",
        "the skip link is the first thing the Tab key reaches"
    );
    assert_focus_visible(&b, "the skip link").await;
    keys(&b, &char::from(Key::Enter).to_string()).await;
    assert_eq!(
        focused(&b).await,
        "main-content",
        "the skip link leads to main"
    );

    // Through the form in its order, typing and choosing as we go.
    for (field, typed) in [
        ("q", ""),
        ("postcode", "LE1 5WW"),
        ("distance", ""),
        ("age", "4"),
        // A closed select chooses the option whose name starts with what is typed.
        ("category", "Childr"),
    ] {
        tab(&b).await;
        assert_eq!(focused(&b).await, field, "Tab order of the search form");
        assert_focus_visible(&b, field).await;
        if !typed.is_empty() {
            keys(&b, typed).await;
        }
    }
    let chosen = b
        .js("const s = document.getElementById('category'); return [s.value, s.selectedOptions[0].textContent];")
        .await;
    assert_eq!(chosen[1], json!("Children's centres"), "{chosen}");
    let category = chosen[0].as_str().unwrap().to_owned();
    assert!(!category.is_empty());
    tab(&b).await;
    assert_eq!(focused(&b).await, "More ways to narrow your search");
    assert_focus_visible(&b, "the details summary").await;
    tab(&b).await;
    assert_eq!(
        focused(&b).await,
        "Search",
        "the closed details' fields are skipped"
    );
    assert_focus_visible(&b, "the Search button").await;
    enter_to_new_page(&b, "results for LE1 5WW, age 4, children's centres").await;

    assert_eq!(
        b.path().await,
        format!("/find-support?q=&postcode=LE1+5WW&distance=&age=4&category={category}&level=&locality=&day=&from=&until=")
    );
    assert!(
        b.text("#results-heading").await.ends_with("found"),
        "{}",
        b.text("#results-heading").await
    );
    let total = result_count(&b).await;
    assert!(total > 0, "no results");
    // The form keeps what was asked.
    let kept = b
        .js("return ['postcode', 'age', 'category'].map(id => document.getElementById(id).value);")
        .await;
    assert_eq!(kept, json!(["LE1 5WW", "4", category]));
    let first = b.text(".ec-result").await;
    assert!(first.contains("miles away"), "no distance: {first}");
    assert!(
        first.contains("How to get it") && first.contains("When"),
        "no When or How to get it row: {first}"
    );
    for staff_only in ["Referral routes", "Capacity", "Waiting time"] {
        assert!(
            !first.contains(staff_only),
            "{staff_only} shown to the public"
        );
    }

    // From the top of the results page, Tab (past the form) to the first result and follow it.
    let (name, href) = first_result(&b).await;
    tab_until(
        &b,
        "e === document.querySelector('.ec-result h3 a')",
        30,
        "the first result",
    )
    .await;
    enter_to_new_page(&b, "the first result's page").await;
    b.assert_at(&href).await;
    assert_eq!(b.h1().await, name);
    // And back, with the keyboard: the back link is reachable and visible.
    tab_until(
        &b,
        "e.classList.contains('govuk-back-link')",
        15,
        "the back link",
    )
    .await;
    enter_to_new_page(&b, "find support, from the back link").await;
    b.assert_at("/find-support").await;
}

#[tokio::test]
async fn every_find_support_page_meets_wcag_2_2_aa() {
    let (app, _) = TestApp::spawn_demo().await;
    let driver = Chromedriver::start();
    let b = driver.browser(&app).await;

    b.visit("/find-support", "find support, empty").await;
    assert!(!b.client.title().await.unwrap().starts_with("Error"));
    // Before any search, every published service is listed (the demo has archived one).
    let heading = b.text("#results-heading").await;
    assert!(
        heading.ends_with(" services") && result_count(&b).await > 300,
        "{heading}"
    );

    // The extra filters, opened.
    b.client
        .find(Locator::Css("details summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let open = b
        .js("const d = document.querySelector('details'); return [d.open, ['level', 'locality', 'day', 'from', 'until'].every(id => document.getElementById(id).offsetParent !== null)];")
        .await;
    assert_eq!(open, json!([true, true]), "the details did not open");
    assert_accessible(&b.client, "find support with more ways to narrow opened").await;

    // Errors: both named in the summary, in the form's order, each linked to its field.
    b.fill("postcode", "XYZ").await;
    b.fill("age", "abc").await;
    b.press("Search", "find support with errors").await;
    assert!(b.client.title().await.unwrap().starts_with("Error: "));
    let links = b
        .js("return [...document.querySelectorAll('.govuk-error-summary__list a')].map(a => [a.getAttribute('href'), a.textContent.trim(), !!document.getElementById(a.getAttribute('href').slice(1))]);")
        .await;
    let hrefs: Vec<&str> = links
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l[0].as_str().unwrap())
        .collect();
    assert_eq!(
        hrefs,
        ["#postcode", "#age"],
        "the summary lists both problems in the order of the form: {links}"
    );
    for l in links.as_array().unwrap() {
        assert_eq!(l[2], json!(true), "summary link to no field: {l}");
        assert!(!l[1].as_str().unwrap().is_empty());
    }
    assert_eq!(
        b.js("return document.activeElement.classList.contains('govuk-error-summary');")
            .await,
        json!(true),
        "GOV.UK Frontend focuses the error summary"
    );
    for field in ["postcode", "age"] {
        let described = b
            .js(&format!(
                "return document.getElementById('{field}').getAttribute('aria-describedby');"
            ))
            .await;
        assert!(
            described
                .as_str()
                .is_some_and(|d| d.split(' ').any(|x| x == format!("{field}-error"))),
            "#{field} is not described by its error: {described}"
        );
    }
    assert!(
        b.client.find(Locator::Id("results-heading")).await.is_err(),
        "results shown beside errors"
    );
    for field in ["postcode", "age"] {
        b.client
            .find(Locator::Css(&format!(
                ".govuk-error-summary__list a[href='#{field}']"
            )))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        assert_eq!(
            focused(&b).await,
            field,
            "following the summary's link focuses the field"
        );
    }

    // Results over several pages, then the next page.
    b.fill("postcode", "LE1 1AA").await;
    b.fill("age", "").await;
    b.press("Search", "results near LE1 1AA").await;
    let total = result_count(&b).await;
    assert!(total > 20, "one page of results only: {total}");
    assert_eq!(
        b.client
            .find_all(Locator::Css(".ec-result"))
            .await
            .unwrap()
            .len(),
        20
    );
    let (page_one_first, _) = first_result(&b).await;
    b.press_in(
        "nav.govuk-pagination",
        "Next page",
        "results near LE1 1AA, page 2",
    )
    .await;
    assert!(b.path().await.ends_with("&page=2"), "{}", b.path().await);
    assert_eq!(
        b.text("nav.govuk-pagination [aria-current='page']").await,
        "2"
    );
    let (page_two_first, _) = first_result(&b).await;
    assert_ne!(page_one_first, page_two_first, "page 2 repeats page 1");
    assert!(b.text(".ec-result").await.contains("miles away"));

    // A service's page.
    follow(&b, ".ec-result h3 a").await;
    assert_accessible(&b.client, "a service's page").await;
    assert_eq!(b.h1().await, page_two_first);
    assert!(b.page_text().await.contains("How to get it"));
}

/// Switch JavaScript off for every site in this browser, through Chromium's own settings page
/// (the harness starts every browser alike, so the preference cannot be given at start-up).
/// WebDriver's scripts still run (they come through DevTools, not the page); the page's do not,
/// which the check at the end proves.
async fn switch_javascript_off(b: &Browser, app: &TestApp) {
    b.client
        .goto("chrome://settings/content/javascript")
        .await
        .expect("Chromium's settings page");
    b.js("chrome.send('setDefaultValueForContentType', ['javascript', 'block']);")
        .await;
    // The setting reaches the browser process asynchronously: wait until a page's own inline
    // script (which marks <body> with `js-enabled`) no longer runs.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        b.client
            .goto(&format!("{}/find-support", app.base))
            .await
            .expect("find support");
        if !page_script_ran(b).await {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "JavaScript could not be switched off in Chromium's settings"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Click the first element matching `css` and wait for the next page. Without axe: callers
/// check the page where axe can run. (By selector, not text: services' names have apostrophes,
/// which the harness's XPath text match cannot quote.)
async fn follow(b: &Browser, css: &str) {
    let el = b
        .client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    b.mark_page().await;
    el.click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
    b.wait_for_new_page().await;
}

/// Whether the page's own script ran: the inline script in every page marks <body>.
async fn page_script_ran(b: &Browser) -> bool {
    b.client
        .find(Locator::Css("body"))
        .await
        .unwrap()
        .attr("class")
        .await
        .unwrap()
        .unwrap_or_default()
        .contains("js-enabled")
}

#[tokio::test]
async fn the_search_works_with_javascript_switched_off() {
    let (app, _) = TestApp::spawn_demo().await;
    let driver = Chromedriver::start();
    let b = driver.browser(&app).await;
    switch_javascript_off(&b, &app).await;
    b.assert_at("/find-support").await;
    assert_eq!(b.h1().await, "Find support for children and families");

    b.fill("postcode", "LE2 3AG").await;
    b.fill("age", "14").await;
    b.choose("distance", "2 miles").await;
    // The details open without script, and their fields take part in the search.
    b.client
        .find(Locator::Css("details summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(
        b.js("return document.querySelector('details').open;").await,
        json!(true)
    );
    b.choose("day", "Saturday").await;
    // Neither here nor below is axe run: it cannot work where the page's scripts are switched
    // off (its timers never fire). The same pages are checked with script in the other tests.
    follow(&b, "main form button[type=submit]").await;
    assert!(!page_script_ran(&b).await, "the page's script ran");
    let path = b.path().await;
    assert!(
        path.contains("postcode=LE2+3AG")
            && path.contains("age=14")
            && path.contains("distance=2")
            && path.contains("day=SA"),
        "{path}"
    );
    let total = result_count(&b).await;
    assert!(total > 0, "no results");
    let first = b.text(".ec-result").await;
    assert!(first.contains("miles away"), "{first}");
    assert!(first.contains("Saturday"), "{first}");
    let (name, href) = first_result(&b).await;
    follow(&b, ".ec-result h3 a").await;
    b.assert_at(&href).await;
    assert_eq!(b.h1().await, name);
    assert!(!page_script_ran(&b).await, "the page's script ran");

    // Errors come from the server alone; the summary's links are plain fragment links.
    b.client
        .goto(&format!("{}/find-support?postcode=XYZ&age=abc", app.base))
        .await
        .unwrap();
    assert!(b.client.title().await.unwrap().starts_with("Error: "));
    assert_eq!(
        b.js("return [...document.querySelectorAll('.govuk-error-summary__list a')].map(a => a.getAttribute('href'));")
            .await,
        json!(["#postcode", "#age"])
    );
}

#[tokio::test]
async fn signed_in_staff_see_referral_routes_capacity_and_waiting_times_and_the_public_does_not() {
    let (app, _) = TestApp::spawn_demo().await;
    let driver = Chromedriver::start();
    let public = driver.browser(&app).await;
    public
        .visit("/find-support?postcode=LE2+9FN", "results for the public")
        .await;
    let (name, href) = first_result(&public).await;
    let results = public.text("main").await;
    public.visit(&href, "a service's page for the public").await;
    assert_eq!(public.h1().await, name);
    let page = public.page_text().await;
    for staff_only in [
        "For professionals",
        "Referral routes",
        "Capacity",
        "Waiting time",
    ] {
        assert!(!page.contains(staff_only), "the public sees {staff_only}");
        assert!(
            !results.contains(staff_only),
            "the public sees {staff_only}"
        );
    }

    let staff = driver.browser(&app).await;
    staff.sign_in(&app, "health.visitor").await;
    staff
        .visit(
            "/find-support?postcode=LE2+9FN",
            "results for a practitioner",
        )
        .await;
    assert_eq!(first_result(&staff).await, (name.clone(), href.clone()));
    let first = staff.text(".ec-result").await;
    staff
        .visit(&href, "a service's page for a practitioner")
        .await;
    assert_eq!(staff.h1().await, name);
    let page = staff.text("main").await;
    for row in ["Referral routes", "Capacity", "Waiting time"] {
        assert!(
            page.contains(row),
            "a practitioner does not see {row}: {page}"
        );
        assert!(first.contains(row), "no {row} in the result: {first}");
    }
    assert!(page.contains("For professionals"));
}
