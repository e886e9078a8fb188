//! Unauthenticated password hashing cannot take svc-auth over its memory limit (issue 11,
//! finding 3): 200 concurrent wrong secrets from 200 clients, as separate processes.
use serde_json::json;

use crate::harness::{Topology, backends};

/// The pod's memory limit (deploy/k8s/base/svc-auth.yaml).
const POD_LIMIT_KIB: u64 = 512 * 1024;

/// `VmHWM` (peak resident set) and `VmRSS` of a process, KiB.
fn memory_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("{name} in {status}"))
    };
    (field("VmHWM:"), field("VmRSS:"))
}

#[tokio::test]
async fn two_hundred_concurrent_wrong_secrets_keep_svc_auth_far_under_its_memory_limit() {
    let Some((postgres, redis)) = backends("abuse") else {
        return;
    };
    // The gateways' per-client limits out of the way (every request names another client), so
    // all 200 reach svc-auth, which runs on its production defaults.
    let mut topology = Topology::start(
        &postgres,
        &redis,
        &[
            ("WJDH__GATEWAY__TRUSTED_PROXIES", "127.0.0.1"),
            ("WJDH__GATEWAY__RATE_LIMIT_PER_MINUTE", "100000"),
            ("WJDH__GATEWAY__SECRET_RATE_LIMIT_PER_MINUTE", "100000"),
        ],
    )
    .await;
    let pid = topology.process("svc-auth").child.id();
    let (before, _) = memory_kib(pid);
    let answers = futures::future::join_all((0..200).map(|n| {
        let api = topology.api.clone();
        let gateway = topology.gateways[n % 2].clone();
        async move {
            api.post(
                &gateway,
                "/api/v1/wjdh/secret",
                json!({"secret_id": "123456", "secret_key": format!("guess-{n}")}),
                None,
                Some(&format!("203.0.113.{}", n + 1)),
            )
            .await
        }
    }))
    .await;
    let (peak, now) = memory_kib(pid);
    let refused = answers.iter().filter(|(status, _)| *status == 403).count();
    let busy = answers.iter().filter(|(status, _)| *status == 429).count();
    eprintln!(
        "svc-auth: VmHWM {} MiB (before the burst {} MiB, now {} MiB); 403 {refused}, 429 {busy}",
        peak / 1024,
        before / 1024,
        now / 1024
    );
    assert_eq!(refused + busy, 200, "{answers:?}\n{}", topology.logs());
    assert!(busy > 0, "nothing refused with 429");
    assert!(
        answers
            .iter()
            .filter(|(status, _)| *status == 429)
            .all(|(_, body)| body["code"] == json!(1))
    );
    assert!(
        peak < POD_LIMIT_KIB / 2,
        "svc-auth peaked at {} MiB, its pod limit is {} MiB",
        peak / 1024,
        POD_LIMIT_KIB / 1024
    );
    topology.stop();
}
