//! `--demo`: two accounts with a month of history, made through the domain functions real
//! requests call (sign-in, profiles, devices, step-up, two-step set-up, phone verification
//! with the code read from the outbox). Each step runs on a clock set back to when it
//! "happened", so times, the Devices page and account activity all look lived in.
//!
//! Idempotent: an account that already exists is left as it is.

use std::net::IpAddr;
use std::sync::Arc;

use hallpass_api::{MaturityRating, NewProfile};

use crate::client::Client;
use crate::clock::{DAY, HOUR, MINUTE};
use crate::domain::accounts::{self, NewPlan};
use crate::domain::contacts::{self, Contact};
use crate::domain::device::Seen;
use crate::domain::second_factor::Answer;
use crate::domain::sessions::devices;
use crate::domain::sessions::{self, Session};
use crate::domain::{credentials, outbox, profile_pins, profiles, sign_in, two_factor};
use crate::geo::{Geo, Place};
use crate::{ApiError, AppState, db, totp};

pub const DEMO_EMAIL: &str = "demo@hallpass.test";
pub const DEMO_PASSWORD: &str = "correct-horse-battery-staple";
pub const SECOND_EMAIL: &str = "second@hallpass.test";
pub const SECOND_PASSWORD: &str = "second-account-password";
pub const JORDAN_PIN: &str = "2468";

const WINDOWS_CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const SAMSUNG_TV: &str = "Mozilla/5.0 (SMART-TV; LINUX; Tizen 7.0) AppleWebKit/537.36 (KHTML, like Gecko) 94.0.4606.31/7.0 TV Safari/537.36";
const PS5: &str =
    "Mozilla/5.0 (PlayStation; PlayStation 5/6.50) AppleWebKit/605.1.15 (KHTML, like Gecko)";
const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";
const ANDROID: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";
const IPAD: &str = "Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1";
const MAC_SAFARI: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15";
const LG_TV: &str = "Mozilla/5.0 (Web0S; Linux/SmartTV) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/87.0.4280.88 Safari/537.36 WebAppManager";
const LINUX_FIREFOX: &str =
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const EDGE: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0";

// Documentation ranges (RFC 5737): real-looking, never anyone's.
const HOME: [u8; 4] = [198, 51, 100, 14];
const PHONE_NET: [u8; 4] = [203, 0, 113, 45];
const ANDROID_NET: [u8; 4] = [203, 0, 113, 77];
const OFFICE: [u8; 4] = [192, 0, 2, 33];
const HOTEL: [u8; 4] = [192, 0, 2, 180];
const UNKNOWN_NET: [u8; 4] = [192, 0, 2, 201];
const SECOND_HOME: [u8; 4] = [203, 0, 113, 200];

/// Where the demo's addresses are, since no GeoIP database knows documentation ranges.
fn places() -> Vec<(IpAddr, Place)> {
    let place = |ip: [u8; 4], city: &str, country: &str| {
        (
            IpAddr::from(ip),
            Place {
                city: Some(city.to_owned()),
                country: Some(country.to_owned()),
            },
        )
    };
    vec![
        place(HOME, "Chicago", "United States"),
        place(PHONE_NET, "Chicago", "United States"),
        place(ANDROID_NET, "Evanston", "United States"),
        place(OFFICE, "New York", "United States"),
        place(HOTEL, "Lisbon", "Portugal"),
        place(UNKNOWN_NET, "Bucharest", "Romania"),
        place(SECOND_HOME, "Austin", "United States"),
    ]
}

/// The state as it was `ago` seconds before now, locating the demo's addresses.
fn at(state: &AppState, ago: i64) -> AppState {
    AppState {
        clock: state.clock.detached(ago - time_of_day(ago)),
        geo: Arc::new(Geo::none().with_table(places())),
        ..state.clone()
    }
}

/// Real events happen at all hours: without this every event of a past day would show the
/// time the demo was seeded ("8:45 AM" thirty times), and the activity page would look fake.
/// Each past day moves forward by its own few hours and minutes: under half a day, so the
/// order of events across days is kept (a day's events move together, so theirs is too), and
/// forward, so no session idles past its 30 days between two of the demo's uses. Today's
/// events, minutes or hours ago, stay where they are.
fn time_of_day(ago: i64) -> i64 {
    let day = ago / DAY;
    if day == 0 {
        return 0;
    }
    (day * 5 + 3) % 11 * HOUR + (day * 23 + 7) % 60 * MINUTE
}

fn client(ip: [u8; 4], user_agent: &str) -> Client {
    Client::new(Some(IpAddr::from(ip)), user_agent)
}

/// A signed-in demo device: its session, and what its requests carry.
#[derive(Clone)]
struct Device {
    session: Session,
    token: String,
    client: Client,
}

/// Signs in as `POST /api/session` does and returns the session as its next request sees it.
async fn sign_in(
    state: &AppState,
    email: &str,
    password: &str,
    client: &Client,
) -> Result<Device, ApiError> {
    let checked = sign_in::check_password(state, client, email, password).await?;
    let seen = Seen::describe(&state.geo, client);
    let now = state.clock.now();
    let mut tx = db::write(&state.db).await?;
    let (token, _) = sign_in::start_session(&mut tx, &checked.account_id, &seen, None, now).await?;
    tx.commit().await?;
    let session = sessions::find(state, Some(&token), client.clone()).await?;
    Ok(Device {
        session,
        token,
        client: client.clone(),
    })
}

impl Device {
    /// A request from this device `ago` seconds before now: it becomes its last activity.
    async fn used(&self, state: &AppState, ago: i64) -> Result<Session, ApiError> {
        sessions::find(&at(state, ago), Some(&self.token), self.client.clone()).await
    }
}

/// `--demo-devices N`: tops the demo account up to `n` signed-in devices, for measuring pages
/// and requests with a large account. Each is a real session (the code path of a sign-in,
/// without its password check, which would take minutes for thousands), used at a different
/// time in the last 30 days, with one of the demo's user agents and addresses.
pub async fn seed_devices(state: &AppState, n: usize) -> Result<(), ApiError> {
    let account_id = accounts::id_by_email(state, DEMO_EMAIL)
        .await?
        .ok_or_else(|| ApiError::internal("no demo account to add devices to"))?;
    let active = devices::count_active(state, &account_id).await?;
    let missing = n.saturating_sub(active);
    let agents = [
        WINDOWS_CHROME,
        SAMSUNG_TV,
        PS5,
        IPHONE,
        ANDROID,
        IPAD,
        MAC_SAFARI,
        LG_TV,
        LINUX_FIREFOX,
        EDGE,
    ];
    let networks = [HOME, PHONE_NET, ANDROID_NET, OFFICE, HOTEL, SECOND_HOME];
    let mut tx = db::write(&state.db).await?;
    for i in 0..missing {
        let device = client(networks[i % networks.len()], agents[i % agents.len()]);
        // Spread over the last 29 days, a few minutes apart, so every one is still active.
        let ago = i64::try_from(i).unwrap_or(0) * 2 * MINUTE % (29 * DAY) + MINUTE;
        let then = at(state, ago);
        let seen = Seen::describe(&then.geo, &device);
        sessions::issue(&mut tx, &account_id, &seen, then.clock.now()).await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn exists(state: &AppState, email: &str) -> Result<bool, ApiError> {
    Ok(accounts::id_by_email(state, email).await?.is_some())
}

/// Seeds both demo accounts unless they exist.
pub async fn seed(state: &AppState) -> Result<(), ApiError> {
    if !exists(state, DEMO_EMAIL).await? {
        seed_demo_account(state).await?;
    }
    if !exists(state, SECOND_EMAIL).await? {
        let then = at(state, 5 * DAY);
        let plan = NewPlan {
            name: "Basic",
            price: "7.99",
            streams: 1,
            member_for_days: 400,
            next_billing: state.clock.now() + 20 * DAY,
        };
        accounts::create(&then, SECOND_EMAIL, SECOND_PASSWORD, plan, "Riley").await?;
        let device = client(SECOND_HOME, LINUX_FIREFOX);
        let riley = sign_in(&then, SECOND_EMAIL, SECOND_PASSWORD, &device).await?;
        select(&then, &riley.session, "Riley", None).await?;
        riley.used(state, 2 * HOUR).await?;
    }
    Ok(())
}

/// Selects the profile called `name` for `session`.
async fn select(
    state: &AppState,
    session: &Session,
    name: &str,
    pin: Option<&str>,
) -> Result<(), ApiError> {
    let id = profile_id(state, &session.account_id, name).await?;
    profile_pins::select(state, session, &id, pin.map(str::to_owned)).await?;
    Ok(())
}

/// The device used `ago` seconds before now, with its password confirmed just then (which
/// gives it a new token, as it would a browser).
async fn step_up(
    state: &AppState,
    device: &mut Device,
    ago: i64,
) -> Result<(AppState, Session), ApiError> {
    let t = at(state, ago);
    let session = device.used(state, ago).await?;
    // With two-step verification on, step-up takes a code from the app too.
    let mut conn = state.db.acquire().await?;
    let secret = accounts::totp(&mut conn, &session.account_id)
        .await?
        .totp_secret;
    drop(conn);
    let code = secret.and_then(|secret| totp::code_at(&secret, t.clock.now()));
    let answer = code.as_deref().map(Answer::Totp);
    let token = device.token.clone();
    let new_token =
        credentials::reauthenticate(&t, session, Some(&token), DEMO_PASSWORD, answer).await?;
    device.token = new_token.ok_or_else(|| ApiError::internal("step-up gave no new token"))?;
    let session = sessions::find(&t, Some(&device.token), device.client.clone()).await?;
    Ok((t, session))
}

fn new_profile(name: &str, avatar: &str, kids: bool, rating: MaturityRating) -> NewProfile {
    NewProfile {
        name: name.to_owned(),
        avatar: avatar.to_owned(),
        kids,
        maturity_rating: rating,
        language: "en".to_owned(),
    }
}

async fn seed_demo_account(state: &AppState) -> Result<(), ApiError> {
    // Five weeks ago: the account, signed in on the family PC.
    let t = at(state, 35 * DAY);
    let plan = NewPlan {
        name: "Standard",
        price: "15.49",
        streams: 2,
        member_for_days: 3 * 365,
        next_billing: state.clock.now() + 12 * DAY,
    };
    let account_id = accounts::create(&t, DEMO_EMAIL, DEMO_PASSWORD, plan, "Alex").await?;
    let mut pc = sign_in(&t, DEMO_EMAIL, DEMO_PASSWORD, &client(HOME, WINDOWS_CHROME)).await?;
    select(&t, &pc.session, "Alex", None).await?;
    for profile in [
        new_profile("Sam", "ocean", false, MaturityRating::Eighteen),
        new_profile("Jordan", "forest", false, MaturityRating::Sixteen),
        new_profile("Kids", "meadow", true, MaturityRating::Seven),
    ] {
        profiles::create(&t, &pc.session, profile).await?;
    }
    let jordan = profile_id(&t, &account_id, "Jordan").await?;
    // Signing in opened the step-up window.
    profile_pins::lock(&t, &pc.session, &jordan, JORDAN_PIN.to_owned()).await?;
    // Linked accounts have no API to add them (a provider's sign-in flow would).
    for (provider, name, ago) in [
        ("google", "alex.rivera@gmail.com", 35 * DAY),
        ("facebook", "Alex Rivera", 34 * DAY),
    ] {
        accounts::link(state, &account_id, provider, name, state.clock.now() - ago).await?;
    }
    let (t, stepped) = step_up(state, &mut pc, 33 * DAY).await?;
    accounts::unlink(&t, &stepped, "facebook").await?;

    // Two-step verification, tried and turned off again (the demo starts with it off).
    let (t, stepped) = step_up(state, &mut pc, 32 * DAY).await?;
    let setup = two_factor::start(&t, &stepped).await?;
    let code = totp::code_at(&setup.secret, t.clock.now()).unwrap_or_default();
    two_factor::confirm(&t, &stepped, &code, false).await?;
    // Printed, lost, and replaced a week later.
    let (t, stepped) = step_up(state, &mut pc, 25 * DAY).await?;
    two_factor::regenerate(&t, &stepped).await?;
    let (t, stepped) = step_up(state, &mut pc, 20 * DAY).await?;
    two_factor::disable(&t, &stepped, false).await?;

    // A work PC, signed out from the family PC two days later.
    let work = sign_in(
        &at(state, 31 * DAY),
        DEMO_EMAIL,
        DEMO_PASSWORD,
        &client(OFFICE, EDGE),
    )
    .await?;
    let (t, stepped) = step_up(state, &mut pc, 29 * DAY).await?;
    devices::sign_out(&t, &stepped, &work.session.id).await?;

    // An old laptop that signed itself out.
    let laptop = sign_in(
        &at(state, 27 * DAY),
        DEMO_EMAIL,
        DEMO_PASSWORD,
        &client(HOME, LINUX_FIREFOX),
    )
    .await?;
    laptop.used(state, 25 * DAY).await?;
    let then = at(state, 25 * DAY);
    sign_in::sign_out(&then, Some(&laptop.token), laptop.client.clone()).await?;

    // The other seven devices of the Devices page: signed in, profile, last active.
    let others = [
        (client(HOME, SAMSUNG_TV), 30 * DAY, "Sam", None, HOUR),
        (client(HOME, PS5), 28 * DAY, "Jordan", Some(JORDAN_PIN), DAY),
        (
            client(PHONE_NET, IPHONE),
            26 * DAY,
            "Alex",
            None,
            10 * MINUTE,
        ),
        (client(HOTEL, LG_TV), 24 * DAY, "Alex", None, 21 * DAY),
        (client(ANDROID_NET, ANDROID), 22 * DAY, "Sam", None, 3 * DAY),
        (client(HOME, IPAD), 18 * DAY, "Kids", None, 2 * DAY),
        (client(OFFICE, MAC_SAFARI), 15 * DAY, "Alex", None, 5 * DAY),
    ];
    for (device, signed_in, profile, pin, last_active) in others {
        let t = at(state, signed_in);
        let mut signed = sign_in(&t, DEMO_EMAIL, DEMO_PASSWORD, &device).await?;
        if device.user_agent == IPAD {
            // Someone on the iPad tried Jordan's profile first, with a guess.
            let _ = select(&t, &signed.session, "Jordan", Some("1234")).await;
        }
        select(&t, &signed.session, profile, pin).await?;
        if device.user_agent == IPHONE {
            add_phone(state, &mut signed).await?;
        }
        signed.used(state, last_active).await?;
    }

    // Someone who is not Alex, trying a password from far away.
    let stranger = client(UNKNOWN_NET, LINUX_FIREFOX);
    let then = at(state, 9 * DAY);
    let _ = sign_in::check_password(&then, &stranger, DEMO_EMAIL, "hunter2hunter2").await;

    pc.used(state, 2 * HOUR).await?;
    Ok(())
}

async fn profile_id(state: &AppState, account_id: &str, name: &str) -> Result<String, ApiError> {
    profiles::id_by_name(state, account_id, name)
        .await?
        .ok_or_else(|| ApiError::internal(format_args!("no demo profile {name}")))
}

/// Twelve days ago, a phone number added from the iPhone and confirmed with the code that the
/// outbox holds, as its owner would read it from the SMS.
async fn add_phone(state: &AppState, phone: &mut Device) -> Result<(), ApiError> {
    let (t, stepped) = step_up(state, phone, 12 * DAY).await?;
    contacts::start_change(&t, &stepped, Contact::Phone, "+13125550142").await?;
    let code = outbox::list(&t)
        .await?
        .into_iter()
        .find_map(|m| sent_code(&m.body))
        .unwrap_or_default();
    contacts::finish_change(&t, &stepped, Contact::Phone, &code).await?;
    Ok(())
}

/// The 6-digit code in an outbox message.
pub fn sent_code(body: &str) -> Option<String> {
    body.split(|c: char| !c.is_ascii_digit())
        .find(|word| word.len() == 6)
        .map(str::to_owned)
}
