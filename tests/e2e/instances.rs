//! Two server instances on one PostgreSQL database, as behind a proxy (issue 12): a browser
//! that only ever talks to instance A is signed out by a browser on instance B, and learns it
//! from A's live stream at once (issue 14), then from A's answers. (The API suite checks the same across processes in
//! `crates/server/tests/api/instances.rs`; this is the app's side of it.)
//!
//! `cargo xtask test` hands the suite PostgreSQL; run by hand without it, the case says so
//! and passes.

use crate::browser::Browser;
use crate::devices::{CAPTION, open_devices_page, sign_out_device};
use crate::env::{Postgres, Server};
use crate::runner::{Ctx, TestResult};
use crate::steps::{
    SIGNED_OUT_HEADING, api, devices, ensure, nickname_this_device, sign_in_as, this_device,
};

pub async fn a_browser_signed_out_through_another_instance_learns_why(ctx: &Ctx) -> TestResult {
    let Some(pg) = Postgres::from_env() else {
        println!(
            "instances: skipped, no PostgreSQL (HALLPASS_TEST_POSTGRES and \
             HALLPASS_TEST_POSTGRES_BIN, which `cargo xtask test` sets)"
        );
        return Ok(());
    };
    let database = pg.fresh_database().await?;
    let a = Server::start_on(ctx.paths, Some(&database)).await?;
    let b = Server::start_on(ctx.paths, Some(&database)).await?;
    let first = ctx.browser_on(&a.url).await?;
    let second = ctx.browser_on(&b.url).await?;
    let result = run(&first, &second).await;
    first.close().await;
    second.close().await;
    result.map_err(|err| {
        format!(
            "{err}\ninstance A's log:\n{}\ninstance B's log:\n{}",
            a.log_tail(),
            b.log_tail()
        )
    })
}

async fn run(first: &Browser, second: &Browser) -> TestResult {
    // The first browser, on A, sees its devices, the second browser's among them once it has
    // signed in through B.
    sign_in_as(first, "Alex").await?;
    let me = nickname_this_device(first, "Browser on A").await?;
    sign_in_as(second, "Sam").await?;
    let other = nickname_this_device(second, "Browser on B").await?;
    open_devices_page(first).await?;
    first.by_role("table", CAPTION).await?;
    let seen = devices(first).await?;
    ensure(seen.iter().any(|d| d.id == other.id), || {
        format!("A does not list the device signed in through B: {seen:?}")
    })?;

    // The second browser, on B, signs the first out.
    open_devices_page(second).await?;
    let list = devices(second).await?;
    let target = list
        .iter()
        .find(|d| d.id == me.id)
        .cloned()
        .ok_or_else(|| format!("B does not list the device on A: {list:?}"))?;
    sign_out_device(second, &list, &target).await?;

    // The first browser streams its events from A, and the sign-out went through B: B's
    // change reaches A through PostgreSQL, and the first browser leaves with no action of
    // its own, saying by whom.
    first.wait_for_path("/signed-out").await?;
    first.by_role("heading", SIGNED_OUT_HEADING).await?;
    first
        .wait_for_text(&format!("Signed out from {} on ", other.name))
        .await?;
    let session = api(first, "GET", "/api/session", None).await?;
    ensure(session.status == 401, || {
        format!("the signed-out browser's GET /api/session on A answered {session:?}")
    })?;
    // B still serves the second browser.
    let still = this_device(second).await?;
    ensure(still.id == other.id, || {
        format!("the second browser is now {still:?}")
    })
}
