//! SIGTERM under load: readiness drops first, calls in flight finish, no accepted write is lost.
use std::time::{Duration, Instant};

use crate::harness::{Topology, backends};

#[tokio::test]
async fn sigterm_to_svc_auth_under_load_loses_no_accepted_registration() {
    let Some((postgres, redis)) = backends("sigterm") else {
        return;
    };
    let mut topology = Topology::start(
        &postgres,
        &redis,
        &[
            ("WJDH__AUTH__SHUTDOWN_DELAY_MS", "1500"),
            ("WJDH__GATEWAY__RATE_LIMIT_PER_MINUTE", "100000"),
        ],
    )
    .await;
    let gateways = topology.gateways.clone();

    // A burst of registrations (each a write in svc-auth), across both replicas.
    let mut burst = Vec::new();
    for i in 0..120_u32 {
        let api = topology.api.clone();
        let gateway = gateways[(i % 2) as usize].clone();
        burst.push(tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(u64::from(i) * 25)).await;
            let openid = format!("o-sigterm-{i}");
            let phone = format!("1390000{i:04}");
            let (status, answer) = api.register_weixin(&gateway, &openid, &phone).await;
            (openid, status, answer["code"].as_i64())
        }));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;

    // SIGTERM svc-auth mid-burst; watch the gateway's /readyz until the process has exited.
    topology.process("svc-auth").terminate();
    let terminated = Instant::now();
    let mut first_not_ready = None;
    let (status, exited) = loop {
        let readyz = topology
            .api
            .client
            .get(format!("{}/readyz", gateways[0]))
            .timeout(Duration::from_secs(2))
            .send()
            .await;
        if first_not_ready.is_none() && readyz.is_ok_and(|r| r.status().as_u16() == 503) {
            first_not_ready = Some(Instant::now());
        }
        if let Some(status) = topology.process("svc-auth").child.try_wait().unwrap() {
            break (status, Instant::now());
        }
        assert!(
            terminated.elapsed() < Duration::from_secs(40),
            "svc-auth did not stop"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(
        status.success(),
        "svc-auth exited with {status} after SIGTERM"
    );
    let not_ready = first_not_ready.expect("/readyz never answered 503 while svc-auth stopped");
    assert!(
        not_ready < exited,
        "/readyz turned 503 only after svc-auth exited"
    );

    let mut accepted = Vec::new();
    let mut refused = 0;
    for task in burst {
        let (openid, status, code) = task.await.unwrap();
        if status == 200 && code == Some(0) {
            accepted.push(openid);
        } else {
            refused += 1;
        }
    }
    assert!(!accepted.is_empty(), "nothing was accepted before the stop");
    eprintln!(
        "{} registrations accepted, {refused} refused around the stop",
        accepted.len()
    );

    // A restarted pod: every accepted registration is there.
    let dir = topology.dir.path().to_owned();
    topology.process("svc-auth").restart(&dir);
    topology.wait_ready(&gateways[0]).await;
    let db = kit::db::Database::connect(&topology.auth_database_url, 1, &svc_auth::db::MIGRATIONS)
        .await
        .unwrap();
    for openid in accepted {
        let lookup = openid.clone();
        let user = db
            .run(move |conn| svc_auth::db::users::find_by_openid(conn, &lookup))
            .await
            .unwrap();
        assert!(
            user.is_some(),
            "{openid} was accepted (code 0) and then lost"
        );
    }
    drop(db);
    topology.stop();
}
