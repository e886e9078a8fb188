//! Seed 004's Alipay user end to end: a resident authorises us on Alipay's page (the sandbox
//! approves as the user), is bound, and reads their 芝麻分 cached or fetched as `refresh` says;
//! the platform pays a landlord what their confirmed viewing fees earned to the Alipay account
//! of their rental profile, once per `order_id`, within what the ledger owes.
use serde_json::{Value, json};

use crate::helpers::{Answer, BoundResident, FU_YU, TestApp, WANG_FANG, assert_refused, spawn_app};
use crate::privacy::captured_logs;
use crate::viewings::{Viewable, tomorrow, viewable_listing};

/// The Alipay user the sandbox approves as.
const ALIPAY_USER: &str = "2088102000000009";

impl TestApp {
    /// `/payment/ali/get_auth_url` as `token`: the page's address and its `state`.
    async fn alipay_auth_page(&self, token: &str) -> (String, String) {
        let answer = self
            .post(
                "/api/v1/rental/payment/ali/get_auth_url",
                json!({}),
                Some(token),
            )
            .await;
        assert_eq!(answer.code(), 0, "{:?}", answer.body);
        assert_eq!(answer.body["data"]["result"], "SUCCESS");
        let url = answer.body["data"]["auth_url"].as_str().unwrap().to_owned();
        let state = url::Url::parse(&url)
            .unwrap()
            .query_pairs()
            .find(|(name, _)| name == "state")
            .map(|(_, value)| value.into_owned())
            .unwrap_or_else(|| panic!("a state in {url}"));
        (url, state)
    }

    /// The sandbox approves `state`'s page as Alipay user `user_id`: `{"delivered", "status",
    /// "auth_code"}`.
    async fn approve_on_alipay(&self, state: &str, user_id: &str) -> Value {
        self.sandbox(
            "/alipay/authorize",
            json!({"state": state, "user_id": user_id}),
        )
        .await
    }

    async fn binding_status(&self, token: &str) -> Value {
        let answer = self
            .post(
                "/api/v1/rental/payment/ali/binding_status",
                json!({}),
                Some(token),
            )
            .await;
        assert_eq!(answer.code(), 0, "{:?}", answer.body);
        answer.body["data"].clone()
    }

    async fn zhima(&self, token: &str, refresh: &str) -> Answer {
        self.post(
            "/api/v1/rental/payment/ali/zhima",
            json!({ "refresh": refresh }),
            Some(token),
        )
        .await
    }

    /// `GET /payment/ali/auth_notify` as Alipay's page would send the browser.
    async fn auth_notify(&self, auth_code: &str, state: &str) -> Answer {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("auth_code", auth_code)
            .append_pair("state", state)
            .finish();
        self.get(&format!("/api/v1/rental/payment/ali/auth_notify?{query}"))
            .await
    }

    /// `alipay_users`' access token of `user` (never shown by the API).
    async fn stored_alipay_token(&self, user: i64) -> String {
        #[derive(diesel::QueryableByName)]
        struct Token {
            #[diesel(sql_type = diesel::sql_types::Text)]
            access_token: String,
        }
        use diesel::RunQueryDsl;
        self.stack
            .orders_db
            .run(move |conn| -> Result<_, kit::db::DbError> {
                Ok(diesel::sql_query(format!(
                    "SELECT access_token FROM alipay_users WHERE user_id = {user}"
                ))
                .get_result::<Token>(conn)?)
            })
            .await
            .unwrap()
            .access_token
    }

    /// Makes `user`'s Alipay token one that expired.
    async fn expire_alipay_token(&self, user: i64) {
        use diesel::RunQueryDsl;
        self.stack
            .orders_db
            .run(move |conn| -> Result<_, kit::db::DbError> {
                Ok(diesel::sql_query(format!(
                    "UPDATE alipay_users SET token_expires_at = 1 WHERE user_id = {user}"
                ))
                .execute(conn)?)
            })
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn a_resident_authorises_alipay_once_and_reads_their_zhima_score_cached_or_fresh() {
    let logs = captured_logs();
    let app = spawn_app().await;
    let BoundResident { token: a, .. } = app.bound_resident(FU_YU).await;
    let b = app.bound_resident(WANG_FANG).await.token;
    let a_id = app.landlord_id(&a).await;

    // Never authorised: unbound, no score, and nothing to fetch with.
    assert_eq!(app.binding_status(&a).await, json!(-1));
    let never = app.zhima(&a, "N").await;
    assert_eq!(never.code(), 0, "{:?}", never.body);
    assert_eq!(never.body["data"], json!(-1));
    for refresh in ["AUTO", "Y"] {
        assert_refused(&app.zhima(&a, refresh).await, 400, "refresh");
    }

    // The page: our app, scope auth_user, back to auth_notify, a long random state.
    let (url, state) = app.alipay_auth_page(&a).await;
    let params: std::collections::HashMap<String, String> = url::Url::parse(&url)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    assert_eq!(params["scope"], "auth_user");
    assert!(params["redirect_uri"].ends_with("/api/v1/rental/payment/ali/auth_notify"));
    assert!(state.len() >= 22 && state.chars().all(|c| c.is_ascii_alphanumeric()));
    let (_, other_state) = app.alipay_auth_page(&a).await;
    assert_ne!(state, other_state, "a fresh state each time");
    let page = app.client.get(&url).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);

    // The user approves: Alipay sends them back, and A is bound.
    let approved = app.approve_on_alipay(&state, ALIPAY_USER).await;
    assert_eq!(approved["delivered"], true, "{approved}");
    assert_eq!(app.binding_status(&a).await, json!(1));
    assert_eq!(app.binding_status(&b).await, json!(-1));

    // The state is spent: the same page again is refused, naming state.
    let again = app.approve_on_alipay(&state, ALIPAY_USER).await;
    assert_eq!(again["delivered"], false, "{again}");
    assert_eq!(again["status"], 400);
    let fresh_code = app
        .approve_on_alipay(&other_state, "2088102000000010")
        .await;
    assert_eq!(fresh_code["delivered"], true, "{fresh_code}");
    let auth_code = fresh_code["auth_code"].as_str().unwrap().to_owned();
    assert_refused(&app.auth_notify(&auth_code, &state).await, 400, "state");
    assert_refused(
        &app.auth_notify(&auth_code, "0123456789abcdefABCDEF0123456789")
            .await,
        400,
        "state",
    );
    assert_refused(&app.auth_notify(&auth_code, "").await, 400, "state");
    // A state of ours with a code Alipay never gave (or already took): naming auth_code.
    let (_, third_state) = app.alipay_auth_page(&a).await;
    assert_refused(
        &app.auth_notify(&auth_code, &third_state).await,
        400,
        "auth_code",
    );

    // The score: N before any fetch, AUTO fetches, N and AUTO then answer the cache.
    assert_eq!(app.zhima(&a, "N").await.body["data"], json!(-1));
    let predicted = sandbox::zhima_score("2088102000000010").to_string();
    let fetched = app.zhima(&a, "AUTO").await;
    assert_eq!(fetched.code(), 0, "{:?}", fetched.body);
    assert_eq!(fetched.body["data"], json!(predicted), "the score as text");
    assert_eq!(app.zhima(&a, "N").await.body["data"], json!(predicted));
    let defaulted = app
        .post("/api/v1/rental/payment/ali/zhima", json!({}), Some(&a))
        .await;
    assert_eq!(defaulted.body["data"], json!(predicted), "AUTO by default");
    assert_eq!(app.zhima(&a, "Y").await.body["data"], json!(predicted));
    // Y goes to Alipay each time (an expired token then refuses it); N and AUTO never do.
    app.expire_alipay_token(a_id).await;
    assert_eq!(app.zhima(&a, "N").await.body["data"], json!(predicted));
    assert_eq!(app.zhima(&a, "AUTO").await.body["data"], json!(predicted));
    assert_refused(&app.zhima(&a, "Y").await, 400, "refresh");
    assert_refused(&app.zhima(&a, "yes").await, 400, "refresh");

    // Another resident, never authorised.
    assert_eq!(app.zhima(&b, "N").await.body["data"], json!(-1));
    assert_refused(&app.zhima(&b, "Y").await, 400, "refresh");
    // Only a resident asks for a page; anyone reaches auth_notify.
    let platform = app.platform().await;
    let as_platform = app
        .post(
            "/api/v1/rental/payment/ali/get_auth_url",
            json!({}),
            Some(&platform),
        )
        .await;
    assert_eq!(as_platform.status.as_u16(), 403, "{:?}", as_platform.body);

    // Neither auth codes nor tokens reach the logs.
    let token = app.stored_alipay_token(a_id).await;
    assert!(token.len() > 10, "a token was kept");
    let logged = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    assert!(logged.len() > 1000, "the logs were captured");
    for secret in [&token, &auth_code] {
        assert!(
            !logged.contains(secret.as_str()),
            "a secret reached the logs"
        );
    }
    app.stop().await;
}

/// The payee account the sandbox knows by name (`sandbox::ACCOUNTS`).
const PAYEE: &str = "landlord@example.com";
const PAYEE_NAME: &str = "李雷";

impl TestApp {
    async fn pay_to_customer(&self, token: &str, body: Value) -> Answer {
        self.post(
            "/api/v1/rental/payment/ali/pay_to_customer",
            body,
            Some(token),
        )
        .await
    }

    /// The payouts the sandbox's Alipay received, oldest first.
    async fn alipay_transfers(&self) -> Vec<Value> {
        serde_json::from_value(self.sandbox_get("/alipay/transfers").await).unwrap()
    }

    /// The platform's list of `xiaoqu`'s payouts, as `token`.
    async fn payouts(&self, token: &str, xiaoqu: &str) -> Answer {
        self.post(
            "/api/v1/wjdh/rental/payouts",
            json!({ "xiaoqu": xiaoqu }),
            Some(token),
        )
        .await
    }

    /// Saves `token`'s payout account on their rental profile.
    async fn save_payout_account(&self, token: &str, number: &str, name: &str) {
        let saved = self
            .post(
                "/api/v1/rental/create_userinfo",
                json!({"user_type": 1, "account_number": number, "account_name": name}),
                Some(token),
            )
            .await;
        assert_eq!(saved.code(), 0, "{:?}", saved.body);
    }
}

/// A's listing viewed by B and C, both fees paid by Alipay and confirmed: the ledger owes A
/// 20.00 元 in 10002. The app, A's token and landlord id.
async fn landlord_owed_two_fees() -> (TestApp, String, i64) {
    let Viewable {
        app,
        a,
        b,
        c,
        owner,
        listing,
        ..
    } = viewable_listing().await;
    for seeker in [&b, &c] {
        let id = app.ask_to_view(seeker, owner, listing).await;
        app.pay_by_alipay(seeker, id).await;
        let confirmed = app.confirm_viewing(&a, id, &tomorrow()).await;
        assert_eq!(confirmed.code(), 0, "{:?}", confirmed.body);
    }
    assert_eq!(app.ledger().await[&format!("user:{owner}@10002")], -2000);
    (app, a, owner)
}

#[tokio::test]
async fn the_platform_pays_a_landlord_what_their_confirmed_fees_earned_once_per_order_id() {
    let logs = captured_logs();
    let (app, a, owner) = landlord_owed_two_fees().await;
    let account = format!("user:{owner}@10002");
    let platform = app.platform().await;
    let payout = |order_id: &str, amount: &str| {
        json!({
            "xiaoqu": "10002", "owner_id": owner, "order_id": order_id,
            "payee_type": "ALIPAY_LOGONID", "payee_acount": PAYEE, "amount": amount,
            "remark": "看房费结算",
        })
    };

    // No account on the profile yet: nothing to pay to.
    assert_refused(
        &app.pay_to_customer(&platform, payout("PO-1", "10.00"))
            .await,
        400,
        "payee_acount",
    );
    app.save_payout_account(&a, PAYEE, PAYEE_NAME).await;
    let mut elsewhere = payout("PO-1", "10.00");
    elsewhere["payee_acount"] = json!("13800138000");
    assert_refused(
        &app.pay_to_customer(&platform, elsewhere).await,
        400,
        "payee_acount",
    );

    // Paid: seed 004's answer in our envelope, and one transfer at Alipay to that account.
    let paid = app
        .pay_to_customer(&platform, payout("PO-1", "10.00"))
        .await;
    assert_eq!(paid.code(), 0, "{:?}", paid.body);
    let data = &paid.body["data"];
    assert_eq!(data["result"], "SUCCESS");
    assert_eq!(data["status"], "已转账");
    assert_eq!(data["amount"], "10.00");
    assert_eq!(data["order_id"], "PO-1");
    assert!(!data["alipay_order_id"].as_str().unwrap().is_empty());
    let transfers = app.alipay_transfers().await;
    assert_eq!(transfers.len(), 1, "{transfers:?}");
    assert_eq!(transfers[0]["identity"], PAYEE);
    assert_eq!(transfers[0]["identity_type"], "ALIPAY_LOGON_ID");
    assert_eq!(transfers[0]["name"], PAYEE_NAME);
    assert_eq!(transfers[0]["amount"], "10.00");
    assert_eq!(transfers[0]["order_id"], data["alipay_order_id"]);
    assert_eq!(transfers[0]["out_biz_no"], data["out_biz_no"]);
    assert_eq!(app.ledger().await[&account], -1000);

    // The same order_id again: the same payout, nothing paid twice; with other fields, refused.
    let again = app
        .pay_to_customer(&platform, payout("PO-1", "10.00"))
        .await;
    assert_eq!(again.code(), 0, "{:?}", again.body);
    assert_eq!(
        again.body["data"]["alipay_order_id"],
        data["alipay_order_id"]
    );
    assert_eq!(app.alipay_transfers().await.len(), 1);
    assert_refused(
        &app.pay_to_customer(&platform, payout("PO-1", "5.00")).await,
        409,
        "order_id",
    );

    // Within what is owed (10.00 left), and at least 0.1 元: otherwise naming amount.
    assert_refused(
        &app.pay_to_customer(&platform, payout("PO-2", "10.01"))
            .await,
        400,
        "amount",
    );
    assert_refused(
        &app.pay_to_customer(&platform, payout("PO-2", "0.09")).await,
        400,
        "amount",
    );
    for (field, value) in [
        ("order_id", json!("PO 2")),
        ("payee_type", json!("BANK_CARD")),
        ("amount", json!("ten")),
        ("owner_id", json!(0)),
    ] {
        let mut bad = payout("PO-2", "1.00");
        bad[field] = value;
        assert_refused(&app.pay_to_customer(&platform, bad).await, 400, field);
    }

    // Only the platform managing 10002; never a resident.
    let jyl = app.platform_10003().await;
    assert_eq!(
        app.pay_to_customer(&jyl, payout("PO-3", "1.00"))
            .await
            .status
            .as_u16(),
        403
    );
    let mut own = payout("PO-3", "1.00");
    own["xiaoqu"] = json!("10003");
    assert_refused(&app.pay_to_customer(&jyl, own).await, 400, "amount");
    assert_eq!(
        app.pay_to_customer(&a, payout("PO-3", "1.00"))
            .await
            .status
            .as_u16(),
        403
    );
    assert_eq!(app.alipay_transfers().await.len(), 1);

    // The rest: the landlord is owed nothing more, and the ledger balances.
    let rest = app
        .pay_to_customer(&platform, payout("PO-2", "10.00"))
        .await;
    assert_eq!(rest.code(), 0, "{:?}", rest.body);
    assert_eq!(app.alipay_transfers().await.len(), 2);
    let ledger = app.ledger().await;
    assert!(!ledger.contains_key(&account), "{ledger:?}");
    assert_refused(
        &app.pay_to_customer(&platform, payout("PO-4", "0.10")).await,
        400,
        "amount",
    );

    // The platform's list, the latest first; another's community is not its to see.
    let list = app.payouts(&platform, "10002").await;
    assert_eq!(list.code(), 0, "{:?}", list.body);
    let orders: Vec<&Value> = list.rows().iter().map(|row| &row["order_id"]).collect();
    assert_eq!(orders, [&json!("PO-2"), &json!("PO-1")]);
    let theirs = app.payouts(&jyl, "10002").await;
    assert_eq!(theirs.status.as_u16(), 403, "{:?}", theirs.body);

    // The payee's account and name reach the logs masked only.
    let logged = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    assert!(
        logged.contains("l*******@example.com"),
        "the payout was logged"
    );
    assert!(!logged.contains(PAYEE) && !logged.contains(PAYEE_NAME));
    app.stop().await;
}

#[tokio::test]
async fn a_payout_alipay_refuses_fails_and_the_money_is_owed_again() {
    let (app, a, owner) = landlord_owed_two_fees().await;
    let platform = app.platform().await;
    // Alipay knows the account under another name: PAYEE_USER_INFO_ERROR, for good.
    app.save_payout_account(&a, PAYEE, "王五").await;
    let payout = json!({
        "xiaoqu": "10002", "owner_id": owner, "order_id": "PO-X",
        "payee_type": "ALIPAY_LOGONID", "payee_acount": PAYEE, "amount": "20.00",
    });
    let refused = app.pay_to_customer(&platform, payout.clone()).await;
    assert_refused(&refused, 409, "PAYEE_USER_INFO_ERROR");
    assert!(app.alipay_transfers().await.is_empty());
    assert_eq!(app.ledger().await[&format!("user:{owner}@10002")], -2000);
    // Asked again, the same failed payout: nothing sent again.
    assert_refused(
        &app.pay_to_customer(&platform, payout).await,
        409,
        "PAYEE_USER_INFO_ERROR",
    );
    let list = app.payouts(&platform, "10002").await;
    assert_eq!(list.rows()[0]["status"], "转账失败");

    // With the right name, a new order_id pays the whole balance.
    app.save_payout_account(&a, PAYEE, PAYEE_NAME).await;
    let paid = app
        .pay_to_customer(
            &platform,
            json!({
                "xiaoqu": "10002", "owner_id": owner, "order_id": "PO-Y",
                "payee_type": "ALIPAY_LOGONID", "payee_acount": PAYEE, "amount": 20,
            }),
        )
        .await;
    assert_eq!(paid.code(), 0, "{:?}", paid.body);
    assert_eq!(app.alipay_transfers().await.len(), 1);
    assert!(
        !app.ledger()
            .await
            .contains_key(&format!("user:{owner}@10002"))
    );
    app.stop().await;
}
