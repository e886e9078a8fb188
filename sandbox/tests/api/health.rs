use crate::helpers::spawn_sandbox;

#[tokio::test]
async fn healthz_answers_ok() {
    let app = spawn_sandbox().await;
    let (status, body) = app.get_json("/healthz", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(body, serde_json::json!({"status": "ok"}));
    app.sandbox.stop().await;
}

#[tokio::test]
async fn base_url_points_at_the_bound_port() {
    let app = spawn_sandbox().await;
    let port = app.sandbox.addr().port();
    assert_ne!(port, 0);
    assert_eq!(app.sandbox.base_url(), format!("http://127.0.0.1:{port}"));
}
