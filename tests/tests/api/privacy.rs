//! Personal data never reaches the logs: a full registration run, logged at debug level, is
//! scanned for the phone and ID numbers it carried.
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::json;

use crate::helpers::spawn_app;
use crate::registration::idcard;

#[derive(Clone, Default)]
pub struct Captured(pub Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every log line of this test process from the first call on.
pub fn captured_logs() -> Captured {
    static LOGS: OnceLock<Captured> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Captured::default();
        let writer = logs.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(
                "debug,h2=info,hyper=info,hyper_util=info,tower=info,rustls=info,actix_server=info,mio=info,tokio=info,runtime=info",
            )
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        let _ = tracing::subscriber::set_global_default(subscriber);
        logs
    })
    .clone()
}

#[tokio::test]
async fn a_full_registration_leaves_no_phone_or_id_number_in_the_logs() {
    let logs = captured_logs();
    let app = spawn_app().await;
    let phone = "13766665555";
    let applicant_idcard = idcard("13030219770707123");
    let token = app.resident_token("o-private", phone).await;
    let house = {
        let buildings = app
            .post("/api/v1/buildings", json!({"id": "10002"}), Some(&token))
            .await;
        let building = buildings.body["data"][2]["id"].clone();
        let units = app
            .post("/api/v1/units", json!({"id": building}), Some(&token))
            .await;
        let floors = app
            .post(
                "/api/v1/floors",
                json!({"id": units.body["data"][1]["id"]}),
                Some(&token),
            )
            .await;
        let houses = app
            .post(
                "/api/v1/houses",
                json!({"id": floors.body["data"][4]["id"]}),
                Some(&token),
            )
            .await;
        houses.body["data"][0]["id"].as_i64().unwrap()
    };
    let form = json!({
        "phone": phone, "idcard": applicant_idcard, "name": "隐私测试", "photo": "https://example.com/p.png",
        "sex": "女", "birth": "19770707", "nation": "汉族", "address": "河北省秦皇岛市", "zzmm": "群众",
        "tyjr": 0, "dibao": 1, "shangfang": 0, "job": "会计", "company": "某公司", "house_id": house,
        "role": "业主", "status": "自用", "use": "住宅", "xingzhi": "私有", "type": "业主",
    });
    let submitted = app
        .post("/api/v1/weapp/yibiaosanshi", form, Some(&token))
        .await;
    assert_eq!(submitted.code(), 0, "{:?}", submitted.body);
    let platform = app
        .post(
            "/api/v1/wjdh/secret",
            json!({"secret_id": "123456", "secret_key": "123456"}),
            None,
        )
        .await
        .str("access_token")
        .to_owned();
    let review = submitted.body["data"]["shenhe_id"].as_i64().unwrap();
    let approved = app
        .put_form(
            "/api/v1/wjdh/shenhe",
            &[("id", &review.to_string()), ("status", "1")],
            &platform,
        )
        .await;
    assert_eq!(approved.code(), 0, "{:?}", approved.body);
    // A security-platform import carries the household's numbers too.
    let fuyu = app.resident_token("o-private-fuyu", "15131512234").await;
    let key = app
        .request_code("15131512234", "verify")
        .await
        .str("key")
        .to_owned();
    let code = app.last_code("15131512234").await;
    let imported = app
        .post(
            "/api/v1/security/phone",
            json!({"verification_key": key, "verification_code": code, "id": "10002"}),
            Some(&fuyu),
        )
        .await;
    assert_eq!(imported.code(), 0, "{:?}", imported.body);
    app.stop().await;

    let text = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    assert!(text.lines().count() > 20, "the run was logged: {text}");
    for secret in [
        phone,
        applicant_idcard.as_str(),
        "15131512234",
        "130302198705041019",
        "13931512001",
        "130302196003122018",
    ] {
        assert!(!text.contains(secret), "{secret} appears in the logs");
    }
}
