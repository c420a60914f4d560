//! Live events across real `hallpass-server` processes on one PostgreSQL database: a change
//! through one instance reaches a stream held by another (`NOTIFY` on commit), and an instance
//! whose `LISTEN` connection was cut re-checks its streams when it is back. PostgreSQL only;
//! without it each test prints why and passes.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use hallpass_api::events::{DeviceChange, DevicesChanged, EndedReason, SessionEnded};
use hallpass_api::{SignInOutcome, paths};
use hallpass_server::demo::{DEMO_EMAIL, DEMO_PASSWORD};
use http_body_util::Empty;
use hyper_util::rt::TokioIo;
use serde_json::json;
use tokio::net::TcpStream;
use tokio::process::Command;

use crate::events::Stream;
use crate::process::{Agent, Instance, PATIENCE, Postgres};
use crate::support::CHROME_ON_WINDOWS;

/// Signs `agent` in to the demo account through `to`; returns its session id.
async fn sign_in(agent: &mut Agent, to: &Instance) -> String {
    let body = json!({"email": DEMO_EMAIL, "password": DEMO_PASSWORD});
    let reply = agent.post(to, "/api/session", body).await;
    match reply.expect_status(StatusCode::OK).json::<SignInOutcome>() {
        SignInOutcome::SignedIn(info) => info.session.id,
        SignInOutcome::TwoFactorRequired(_) => panic!("two-step verification is on"),
    }
}

/// `agent`'s event stream from `to`, on a connection of its own.
async fn stream(agent: &Agent, to: &Instance) -> Stream {
    let open = async {
        let tcp = TcpStream::connect(to.addr).await.expect("connect");
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(tcp))
            .await
            .expect("handshake");
        tokio::spawn(connection);
        let cookie = agent.cookie.as_deref().expect("signed in");
        let request = Request::get(paths::EVENTS)
            .header("host", to.addr.to_string())
            .header("user-agent", CHROME_ON_WINDOWS)
            .header("cookie", format!("__Host-hallpass_session={cookie}"))
            .body(Empty::<axum::body::Bytes>::new())
            .expect("request");
        sender.send_request(request).await.expect("an answer")
    };
    let response = tokio::time::timeout(PATIENCE, open)
        .await
        .expect("the stream's head in time");
    assert_eq!(response.status(), StatusCode::OK, "{}", to.log_tail());
    Stream::from_body(Body::new(response.into_body()))
}

async fn psql(pg: &Postgres, url: &str, sql: &str) {
    let out = Command::new(pg.bin.join("psql"))
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", url, "-c", sql])
        .output()
        .await
        .expect("run psql");
    assert!(
        out.status.success(),
        "{sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn a_sign_out_through_a_reaches_the_stream_held_by_b() {
    let Some(pg) = Postgres::from_env("events_instances::through_a") else {
        return;
    };
    let database = pg.fresh_database().await;
    let a = Instance::start(&database, &[]).await;
    let b = Instance::start(&database, &[]).await;
    let mut tv = Instance::browser();
    let tv_session = sign_in(&mut tv, &b).await;
    let mut tv_stream = stream(&tv, &b).await;

    let mut pc = Instance::browser();
    sign_in(&mut pc, &a).await;
    let signed_in: DevicesChanged = tv_stream.expect("devices_changed").await;
    assert_eq!(signed_in.change, DeviceChange::SignedIn);
    pc.delete(&a, &paths::with_param(paths::DEVICE, &tv_session))
        .await
        .expect_status(StatusCode::NO_CONTENT);

    let ended: SessionEnded = tv_stream.expect("session_ended").await;
    assert_eq!(ended.reason, EndedReason::SignedOutRemotely);
    assert_eq!(ended.by.expect("by").device_name, "Chrome on Windows");
    assert!(tv_stream.next().await.is_none());
}

#[tokio::test]
async fn a_sign_out_missed_while_listen_was_down_arrives_once_it_is_back() {
    let Some(pg) = Postgres::from_env("events_instances::listener_reconnect") else {
        return;
    };
    let database = pg.fresh_database().await;
    let b = Instance::start(&database, &[]).await;
    let mut tv = Instance::browser();
    let tv_session = sign_in(&mut tv, &b).await;
    let mut tv_stream = stream(&tv, &b).await;
    // An event first, so the stream has made its opening check before the row changes.
    sign_in(&mut Instance::browser(), &b).await;
    let _: DevicesChanged = tv_stream.expect("devices_changed").await;

    // Ended behind the server's back: no NOTIFY, so the stream can't know yet.
    psql(
        &pg,
        &database,
        &format!(
            "UPDATE sessions SET ended_at = CAST(EXTRACT(EPOCH FROM now()) AS BIGINT),
                 end_reason = 'revoked', ended_by = 'Plain SQL' WHERE id = '{tv_session}'"
        ),
    )
    .await;
    tv_stream.expect_quiet().await;

    // Only this database's listener: other tests' instances run beside this one.
    let name = database.rsplit_once('/').expect("a URL").1;
    psql(
        &pg,
        &database,
        &format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE application_name = '{}' AND datname = '{name}'",
            hallpass_server::EVENTS_LISTENER_NAME
        ),
    )
    .await;

    let ended: SessionEnded = tv_stream.expect("session_ended").await;
    assert_eq!(ended.reason, EndedReason::SignedOutRemotely);
    assert_eq!(ended.by.expect("by").device_name, "Plain SQL");
}
