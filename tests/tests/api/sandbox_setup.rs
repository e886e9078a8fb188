//! The sandbox setup (`Stack`, what `wjdh` runs): simulated outside world and development secrets,
//! so it listens on loopback only and says which setting is wrong.
use wjdh::stack::{Stack, StackOptions};

async fn refusal(key: &str, addr: &str) -> String {
    let started = Stack::start(StackOptions {
        overrides: vec![(key.to_owned(), addr.to_owned())],
        ephemeral_ports: false,
    })
    .await;
    match started {
        Ok(stack) => {
            stack.stop().await;
            panic!("the stack started with {key} = {addr}");
        }
        Err(error) => format!("{error:#}"),
    }
}

#[tokio::test]
async fn a_stack_with_the_gateway_on_every_interface_refuses_naming_gateway_listen() {
    let message = refusal("gateway.listen", "0.0.0.0:8080").await;
    assert!(
        message.contains("gateway.listen = 0.0.0.0:8080 is not a loopback address"),
        "{message}"
    );
}

#[tokio::test]
async fn a_stack_with_a_service_or_the_sandbox_beyond_loopback_refuses_naming_it() {
    for (key, addr) in [
        ("orders.listen", "[::]:50053"),
        ("sandbox.listen", "0.0.0.0:8090"),
        ("community.metrics_listen", "0.0.0.0:9090"),
    ] {
        let message = refusal(key, addr).await;
        assert!(message.contains(&format!("{key} = {addr}")), "{message}");
    }
}
