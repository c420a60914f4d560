//! The front door: `/` sends each visitor where they belong, a signed-out visit to an account
//! address comes back to it after signing in (and never leaves the app on the way), the
//! sign-in form's password can be shown, and the header stays one row and says where you are.

use serde_json::json;

use crate::browser::{Browser, DESKTOP, PHONE, SPACE, TAB};
use crate::runner::{Ctx, TestResult};
use crate::steps::{
    DEMO_EMAIL, DEMO_PASSWORD, JORDAN, JORDAN_PIN, OWNER, PROFILES_HEADING, choose_profile, ensure,
    sign_in,
};

const DEVICES: &str = "/security/devices";
const DEVICES_HEADING: &str = "Manage access and devices";

/// The address's path and query, and whether it is still the app's origin (`origin`).
async fn address(b: &Browser, origin: &str) -> TestResult<(String, String, bool)> {
    let v = b
        .js(
            "return [location.pathname, location.search, location.origin === arguments[0]];",
            vec![json!(origin)],
        )
        .await?;
    Ok((
        v[0].as_str().unwrap_or_default().to_owned(),
        v[1].as_str().unwrap_or_default().to_owned(),
        v[2] == true,
    ))
}

/// Fills in the sign-in form on the page and sends it.
async fn send_sign_in(b: &Browser) -> TestResult {
    b.by_role("heading", "Sign in").await?;
    b.fill("Email", DEMO_EMAIL).await?;
    b.fill("Password", DEMO_PASSWORD).await?;
    b.click("button", "Sign in").await
}

pub async fn sends_each_visitor_where_they_belong(ctx: &Ctx) -> TestResult {
    let b = &ctx.browser;
    // Signed out: to sign in.
    b.goto("/").await?;
    b.wait_for_path("/signin").await?;
    b.by_role("heading", "Sign in").await?;

    // Signed in without a profile: to "Who's watching?".
    sign_in(b).await?;
    b.goto("/").await?;
    b.wait_for_path("/profiles").await?;
    b.by_role("heading", PROFILES_HEADING).await?;

    // With a profile: to Account.
    choose_profile(b, OWNER).await?;
    b.goto("/").await?;
    b.wait_for_path("/account").await?;
    b.by_role("heading", "Account").await?;

    // From inside the app (the brand link), `/` replaces its own history entry: Back returns
    // to the page before, not to a door that would send it on again.
    b.goto(DEVICES).await?;
    b.by_role("heading", DEVICES_HEADING).await?;
    b.mark_document().await?;
    b.click("link", "Hallpass").await?;
    b.wait_for_path("/account").await?;
    b.by_role("heading", "Account").await?;
    b.client.back().await.map_err(|e| e.to_string())?;
    b.wait_for_path(DEVICES).await?;
    b.by_role("heading", DEVICES_HEADING).await?;
    b.still_same_document("Back").await
}

pub async fn returns_to_the_address_asked_for_after_signing_in(ctx: &Ctx) -> TestResult {
    let b = &ctx.browser;
    b.goto(DEVICES).await?;
    b.wait_for_path("/signin").await?;
    let (_, query, _) = address(b, ctx.server.url.trim_end_matches('/')).await?;
    ensure(query == "?next=%2Fsecurity%2Fdevices", || {
        format!("sign-in was reached with the query {query:?}")
    })?;
    send_sign_in(b).await?;

    // "Who's watching?" comes first, and carries the address on; a PIN-locked profile too.
    b.by_role("heading", PROFILES_HEADING).await?;
    b.wait_for_path("/profiles").await?;
    b.by_role_described("button", JORDAN, "Locked with a PIN")
        .await?
        .click()
        .await
        .map_err(|e| e.to_string())?;
    let title = format!("Enter the PIN for {JORDAN}");
    let dialog = b.by_role("dialog", title.as_str()).await?;
    b.fill("PIN", JORDAN_PIN).await?;
    b.click_within(&dialog, "button", "Continue").await?;

    b.wait_for_path(DEVICES).await?;
    b.by_role("heading", DEVICES_HEADING).await?;
    b.wait_for_text_in_banner(JORDAN).await
}

pub async fn never_returns_to_another_site(ctx: &Ctx) -> TestResult {
    let b = &ctx.browser;
    // Signing in with a return-to address that names another site: the default way on.
    b.goto("/signin?next=//example.com").await?;
    send_sign_in(b).await?;
    b.by_role("heading", PROFILES_HEADING).await?;
    let (path, query, same_origin) = address(b, ctx.server.url.trim_end_matches('/')).await?;
    ensure(
        path == "/profiles" && query.is_empty() && same_origin,
        || format!("after signing in, the address is {path}{query} (same origin: {same_origin})"),
    )?;
    choose_profile(b, OWNER).await?;

    // Already signed in, every other spelling of another place goes to Account too.
    for next in [
        "https%3A%2F%2Fexample.com",
        "https://example.com",
        "%2F%2Fexample.com",
        "/%5Cexample.com",
        "/%09/example.com",
        "javascript:alert(1)",
    ] {
        b.goto(&format!("/signin?next={next}")).await?;
        b.by_role("heading", "Account").await?;
        let (path, query, same_origin) = address(b, ctx.server.url.trim_end_matches('/')).await?;
        ensure(
            path == "/account" && query.is_empty() && same_origin,
            || format!("/signin?next={next} led to {path}{query} (same origin: {same_origin})"),
        )?;
    }
    // And after "Who's watching?".
    b.goto("/profiles?next=//example.com").await?;
    b.click("button", OWNER).await?;
    b.wait_for_path("/account").await?;
    let (path, _, same_origin) = address(b, ctx.server.url.trim_end_matches('/')).await?;
    ensure(path == "/account" && same_origin, || {
        format!("choosing a profile with next=//example.com led to {path}")
    })
}

pub async fn shows_and_hides_the_password(ctx: &Ctx) -> TestResult {
    let b = &ctx.browser;
    // The forgot-password page sends people back with the address they typed there.
    b.goto("/signin?email=someone%40example.com").await?;
    b.by_role("heading", "Sign in").await?;
    let email = b.by_label("Email").await?;
    let attr = |el: &fantoccini::elements::Element, name: &'static str| {
        let el = el.clone();
        async move { el.attr(name).await.map_err(|e| e.to_string()) }
    };
    let value = email.prop("value").await.map_err(|e| e.to_string())?;
    ensure(value.as_deref() == Some("someone@example.com"), || {
        format!("the email field was filled with {value:?}")
    })?;
    ensure(
        attr(&email, "autocomplete").await?.as_deref() == Some("username"),
        || "the email field is not autocomplete=username".to_owned(),
    )?;
    let password = b.by_label("Password").await?;
    ensure(
        attr(&password, "autocomplete").await?.as_deref() == Some("current-password"),
        || "the password field is not autocomplete=current-password".to_owned(),
    )?;
    // Typed as it is: no capital letter a phone adds, no spell check.
    for (name, want) in [("autocapitalize", "none"), ("spellcheck", "false")] {
        let got = attr(&password, name).await?;
        ensure(got.as_deref() == Some(want), || {
            format!("the password field has {name}={got:?}, not {want}")
        })?;
    }
    let forgot = b.by_role("link", "Forgot password?").await?;
    // The attribute as written (WebKit's WebDriver answers `href` with the resolved URL).
    let href = b
        .js(
            "return arguments[0].getAttribute('href');",
            vec![serde_json::to_value(&forgot).map_err(|e| e.to_string())?],
        )
        .await?;
    ensure(href == "/signin/forgot", || {
        format!("“Forgot password?” leads to {href}, not /signin/forgot")
    })?;

    // With the keyboard: Tab from the password reaches the toggle, Space shows the password
    // and focus stays on the toggle, Space hides it again.
    password
        .send_keys("open sesame")
        .await
        .map_err(|e| e.to_string())?;
    let toggle = b.by_role("button", "Show password").await?;
    let state = || async {
        let pressed = attr(&toggle, "aria-pressed").await?;
        let kind = attr(&password, "type").await?;
        let value = password.prop("value").await.map_err(|e| e.to_string())?;
        TestResult::Ok((pressed, kind, value))
    };
    let hidden = (
        Some("false".to_owned()),
        Some("password".to_owned()),
        Some("open sesame".to_owned()),
    );
    let shown = (
        Some("true".to_owned()),
        Some("text".to_owned()),
        Some("open sesame".to_owned()),
    );
    ensure(state().await? == hidden, || {
        "the password is not hidden at first".to_owned()
    })?;
    b.press(TAB).await?;
    b.expect_focus(&toggle, "“Show password” after Tab from the password")
        .await?;
    b.press(SPACE).await?;
    let now = state().await?;
    ensure(now == shown, || {
        format!("after Space on “Show password”: {now:?}")
    })?;
    b.expect_focus(&toggle, "“Show password” after pressing it")
        .await?;
    b.press(SPACE).await?;
    let now = state().await?;
    ensure(now == hidden, || {
        format!("after Space again on “Show password”: {now:?}")
    })?;

    // With the mouse too; and it is hidden again when the form is sent.
    toggle.click().await.map_err(|e| e.to_string())?;
    let now = state().await?;
    ensure(now == shown, || {
        format!("after clicking “Show password”: {now:?}")
    })?;
    b.fill("Email", DEMO_EMAIL).await?;
    b.fill("Password", DEMO_PASSWORD).await?;
    b.click("button", "Sign in").await?;
    b.by_role("heading", PROFILES_HEADING).await?;
    Ok(())
}

pub async fn header_stays_one_row_and_marks_where_you_are(ctx: &Ctx) -> TestResult {
    let b = &ctx.browser;
    sign_in(b).await?;
    choose_profile(b, OWNER).await?;
    b.goto(DEVICES).await?;
    b.by_role("heading", DEVICES_HEADING).await?;
    let nav = b.by_role("navigation", "Account").await?;
    let security = b.by_role_within(&nav, "link", "Security").await?;
    let account = b.by_role_within(&nav, "link", "Account").await?;
    let current = |el: &fantoccini::elements::Element| {
        let el = el.clone();
        async move { el.attr("aria-current").await.map_err(|e| e.to_string()) }
    };
    ensure(current(&security).await?.as_deref() == Some("true"), || {
        "on Manage access and devices, Security is not marked current".to_owned()
    })?;
    ensure(current(&account).await?.is_none(), || {
        "on Manage access and devices, Account is marked current".to_owned()
    })?;

    for (size, width) in [(PHONE, "phone"), (DESKTOP, "desktop")] {
        b.set_viewport(size).await?;
        // One row: every part of the header lies within one 60 px band, and the page
        // doesn't scroll sideways.
        let rows = b
            .js(
                "const header = document.querySelector('header'); \
                 const box = header.getBoundingClientRect(); \
                 const parts = [...header.querySelectorAll('a, button, img, nav')] \
                   .map(el => el.getBoundingClientRect()).filter(r => r.width > 1); \
                 return [box.height, parts.every(r => r.top >= box.top && r.bottom <= box.bottom \
                   && r.right <= innerWidth)];",
                vec![],
            )
            .await?;
        ensure(
            rows[0].as_f64().is_some_and(|h| h <= 62.0) && rows[1] == true,
            || format!("at {width} width the header is not one row: {rows}"),
        )?;
        let overflow = crate::steps::sideways_overflow(b).await?;
        ensure(overflow == 0, || {
            format!("at {width} width the page scrolls sideways by {overflow}px")
        })?;
    }

    // The way back from a sub-page sits above its heading and leads to its section.
    let back = b.by_role("link", "Back to Security").await?;
    let above = b
        .js(
            "return arguments[0].getBoundingClientRect().bottom <= \
             document.querySelector('h1').getBoundingClientRect().top;",
            vec![serde_json::to_value(&back).map_err(|e| e.to_string())?],
        )
        .await?;
    ensure(above == true, || {
        "“Back to Security” is not above the heading".to_owned()
    })?;
    back.click().await.map_err(|e| e.to_string())?;
    b.wait_for_path("/security").await?;
    let all = b.all_by_role("link", Some("Back to Security")).await?;
    ensure(all.is_empty(), || {
        "Security, a section's own page, has a way back".to_owned()
    })?;
    b.axe_audit("the header on Security").await
}
