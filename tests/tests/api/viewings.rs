//! Seed 004's viewing requests (看房申请) end to end: asked for, paid by Alipay or WeChat Pay,
//! confirmed or declined by the landlord, the fee held until then and otherwise refunded the way
//! it came; a second payment refunded; a payment whose notification was lost found by
//! reconciliation.
use serde_json::{Value, json};

use crate::helpers::{
    Answer, BoundResident, FU_YU, TestApp, WANG_FANG, ZHAO_QIANG, assert_refused, spawn_app_with,
};
use crate::rental::listing;

/// A's published listing of her house (南向两居, 2,500 元), and B and C signed in to ask to view it.
pub(crate) struct Viewable {
    pub(crate) app: TestApp,
    pub(crate) a: String,
    pub(crate) b: String,
    pub(crate) c: String,
    pub(crate) house: i64,
    /// A's landlord id.
    pub(crate) owner: i64,
    pub(crate) listing: i64,
}

pub(crate) async fn viewable_listing() -> Viewable {
    viewable_listing_with(&[]).await
}

async fn viewable_listing_with(extra: &[(&str, &str)]) -> Viewable {
    let app = spawn_app_with(extra).await;
    let BoundResident { token: a, house } = app.bound_resident(FU_YU).await;
    let b = app.bound_resident(WANG_FANG).await.token;
    let c = app.bound_resident(ZHAO_QIANG).await.token;
    let owner = app.landlord_id(&a).await;
    let listing = app
        .create_listing(&a, listing(house, "南向两居", 2500, 0.5))
        .await;
    assert_eq!(app.release(&a, listing).await.code(), 0);
    Viewable {
        app,
        a,
        b,
        c,
        house,
        owner,
        listing,
    }
}

#[tokio::test]
async fn a_seeker_asks_to_view_a_listing_and_both_sides_see_the_request() {
    let Viewable {
        app,
        a,
        b,
        c,
        house,
        owner,
        listing: published,
    } = viewable_listing().await;
    let draft = app
        .create_listing(&a, listing(house, "草稿", 2500, 0.5))
        .await;

    // Seed 004's answer: the pre_order_id.
    let tomorrow = kit::time::beijing_minute_text(kit::time::now_unix() + 86_400);
    let asked = app
        .post(
            "/api/v1/rental/order/create_preorder",
            json!({"owner_id": owner, "house_id": published, "wished_times": tomorrow}),
            Some(&b),
        )
        .await;
    assert_eq!(asked.code(), 0, "{:?}", asked.body);
    assert_eq!(asked.str("msg"), "OK");
    let id = asked.body["data"]
        .as_i64()
        .expect("ans is the pre_order_id");
    // Asked again while it is open: the same request.
    let again = app
        .post(
            "/api/v1/rental/order/create_preorder",
            json!({"owner_id": owner, "house_id": published}),
            Some(&b),
        )
        .await;
    assert_eq!(again.body["data"], id);

    // The seeker's list and the landlord's show DESIGN's row.
    let mine = app
        .post("/api/v1/rental/order/my_preorders", json!({}), Some(&b))
        .await;
    assert_eq!(mine.code(), 0, "{:?}", mine.body);
    let row = &mine.rows()[0];
    assert_eq!(row["pre_order_id"], id);
    assert_eq!(row["house_id"], published);
    assert_eq!(row["owner_id"], owner);
    assert_eq!(row["status"], "待支付");
    assert_eq!(row["fee"], "10.00");
    assert_eq!(row["house_title"], "南向两居");
    assert_eq!(row["wished_times"], json!([tomorrow]));
    assert!(row["viewing_time"].is_null());
    let landlords = app
        .post("/api/v1/rental/order/owner_preorders", json!({}), Some(&a))
        .await;
    assert_eq!(landlords.rows().len(), 1);
    assert_eq!(landlords.rows()[0]["pre_order_id"], id);
    // Nobody else sees it.
    for token in [&c, &a] {
        let theirs = app
            .post("/api/v1/rental/order/my_preorders", json!({}), Some(token))
            .await;
        assert!(theirs.rows().is_empty(), "{:?}", theirs.body);
    }
    assert!(
        app.post("/api/v1/rental/order/owner_preorders", json!({}), Some(&b))
            .await
            .rows()
            .is_empty()
    );

    // Refusals name their field: not one's own, only a published listing, its landlord, times
    // to come.
    let ask = |token: String, body: Value| {
        let app = &app;
        async move {
            app.post("/api/v1/rental/order/create_preorder", body, Some(&token))
                .await
        }
    };
    assert_refused(
        &ask(a.clone(), json!({"owner_id": owner, "house_id": published})).await,
        403,
        "house_id",
    );
    assert_refused(
        &ask(c.clone(), json!({"owner_id": owner, "house_id": draft})).await,
        404,
        "house_id",
    );
    assert_refused(
        &ask(
            c.clone(),
            json!({"owner_id": owner + 1, "house_id": published}),
        )
        .await,
        400,
        "owner_id",
    );
    assert_refused(
        &ask(
            c.clone(),
            json!({"owner_id": owner, "house_id": published, "wished_times": "2020-01-01 10:00"}),
        )
        .await,
        400,
        "wished_times",
    );
    assert_refused(
        &ask(
            c.clone(),
            json!({"owner_id": owner, "house_id": published, "wished_times": "明天上午"}),
        )
        .await,
        400,
        "wished_times",
    );
    assert_refused(
        &ask(c.clone(), json!({"house_id": published})).await,
        400,
        "owner_id",
    );
    app.stop().await;
}

#[tokio::test]
async fn the_viewing_fee_is_paid_on_alipays_page_and_applied_once() {
    let Viewable {
        app,
        a,
        b,
        c,
        owner,
        listing: listing_id,
        ..
    } = viewable_listing().await;
    let asked = app
        .post(
            "/api/v1/rental/order/create_preorder",
            json!({"owner_id": owner, "house_id": listing_id}),
            Some(&b),
        )
        .await;
    let id = asked.body["data"].as_i64().unwrap();
    let url_of = |token: String, id: i64| {
        let app = &app;
        async move {
            app.post(
                "/api/v1/rental/order/get_preorder_paymenturl",
                json!({"pre_order_id": id, "return_url": "https://m.example.com/paid"}),
                Some(&token),
            )
            .await
        }
    };

    // Seed 004's answer: Alipay's mobile payment page, signed, with our notify_url.
    let answer = url_of(b.clone(), id).await;
    assert_eq!(answer.code(), 0, "{:?}", answer.body);
    assert_eq!(answer.body["data"]["result"], "SUCCESS");
    let payment_url = answer.body["data"]["payment_url"]
        .as_str()
        .unwrap()
        .to_owned();
    let parsed = url::Url::parse(&payment_url).expect("a URL");
    let params: std::collections::HashMap<String, String> =
        parsed.query_pairs().into_owned().collect();
    assert_eq!(params["method"], "alipay.trade.wap.pay");
    assert_eq!(params["sign_type"], "RSA2");
    assert_eq!(params["return_url"], "https://m.example.com/paid");
    assert!(params["notify_url"].ends_with("/api/v1/rental/payment/ali/notify"));
    let biz: Value = serde_json::from_str(&params["biz_content"]).unwrap();
    assert_eq!(biz["total_amount"], "10.00");
    let out_trade_no = biz["out_trade_no"].as_str().unwrap().to_owned();
    // Nobody else's request.
    assert_refused(&url_of(c.clone(), id).await, 404, "pre_order_id");
    assert_refused(&url_of(a.clone(), id).await, 404, "pre_order_id");

    // The payer opens the page and pays: Alipay's notification is taken, once.
    let page = app.client.get(&payment_url).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let forged = app
        .sandbox(
            "/alipay/pay",
            json!({"out_trade_no": out_trade_no, "forge": true}),
        )
        .await;
    assert_eq!(forged["delivered"], false, "{forged}");
    assert_eq!(forged["status"], 400);
    let mine = |token: String| {
        let app = &app;
        async move {
            app.post("/api/v1/rental/order/my_preorders", json!({}), Some(&token))
                .await
        }
    };
    assert_eq!(mine(b.clone()).await.rows()[0]["status"], "待支付");
    let paid = app
        .sandbox(
            "/alipay/pay",
            json!({"out_trade_no": out_trade_no, "times": 100}),
        )
        .await;
    assert_eq!(paid["delivered"], true, "{paid}");
    let row = mine(b.clone()).await.rows()[0].clone();
    assert_eq!(row["status"], "已支付");
    assert!(row["paid_at"].is_string());
    let landlords = app
        .post("/api/v1/rental/order/owner_preorders", json!({}), Some(&a))
        .await;
    assert_eq!(landlords.rows()[0]["status"], "已支付");
    // Paid: no second page.
    assert_refused(&url_of(b.clone(), id).await, 409, "pre_order_id");
    // A notification that is not Alipay's is refused in Alipay's format.
    let raw = app
        .client
        .post(format!("{}/api/v1/rental/payment/ali/notify", app.base))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("out_trade_no=KF000000000001&trade_status=TRADE_SUCCESS&sign=bm9wZQ==")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status().as_u16(), 400);
    assert_eq!(raw.text().await.unwrap(), "fail");
    // A return_url that is not a web address is named.
    let bad = app
        .post(
            "/api/v1/rental/order/get_preorder_paymenturl",
            json!({"pre_order_id": id, "return_url": "javascript:alert(1)"}),
            Some(&b),
        )
        .await;
    assert_refused(&bad, 400, "return_url");
    app.stop().await;
}

impl TestApp {
    /// Asks, as `token`, to view `listing` of landlord `owner`; the `pre_order_id`.
    pub(crate) async fn ask_to_view(&self, token: &str, owner: i64, listing: i64) -> i64 {
        let asked = self
            .post(
                "/api/v1/rental/order/create_preorder",
                json!({"owner_id": owner, "house_id": listing}),
                Some(token),
            )
            .await;
        assert_eq!(asked.code(), 0, "{:?}", asked.body);
        asked.body["data"].as_i64().unwrap()
    }

    /// Opens Alipay's page for request `id` as `token` (the trade exists from then on); the
    /// trade's `out_trade_no`.
    async fn open_alipay_page(&self, token: &str, id: i64) -> String {
        let answer = self
            .post(
                "/api/v1/rental/order/get_preorder_paymenturl",
                json!({"pre_order_id": id, "return_url": "https://m.example.com/paid"}),
                Some(token),
            )
            .await;
        assert_eq!(answer.code(), 0, "{:?}", answer.body);
        let url = answer.body["data"]["payment_url"].as_str().unwrap();
        let page = self.client.get(url).send().await.unwrap();
        assert_eq!(page.status().as_u16(), 200);
        let parsed = url::Url::parse(url).unwrap();
        let biz = parsed
            .query_pairs()
            .find(|(name, _)| name == "biz_content")
            .map(|(_, value)| value.into_owned())
            .unwrap();
        let biz: Value = serde_json::from_str(&biz).unwrap();
        biz["out_trade_no"].as_str().unwrap().to_owned()
    }

    /// `/order/pay_preorder` for request `id` as `token`: the mini-program's WeChat Pay fields.
    async fn wechat_pay_params(&self, token: &str, id: i64) -> Answer {
        let params = self
            .post(
                "/api/v1/rental/order/pay_preorder",
                json!({ "pre_order_id": id }),
                Some(token),
            )
            .await;
        assert_eq!(params.code(), 0, "{:?}", params.body);
        params
    }

    /// Pays request `id` on Alipay's page as `token`; the trade's `out_trade_no`.
    pub(crate) async fn pay_by_alipay(&self, token: &str, id: i64) -> String {
        let out_trade_no = self.open_alipay_page(token, id).await;
        let paid = self
            .sandbox("/alipay/pay", json!({"out_trade_no": out_trade_no}))
            .await;
        assert_eq!(paid["delivered"], true, "{paid}");
        out_trade_no
    }

    /// The request `id` as `token` sees it in their list (seeker's or landlord's).
    async fn preorder(&self, token: &str, list: &str, id: i64) -> Value {
        let rows = self
            .post(
                &format!("/api/v1/rental/order/{list}"),
                json!({}),
                Some(token),
            )
            .await;
        rows.rows()
            .iter()
            .find(|row| row["pre_order_id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("{id} in {:?}", rows.body))
    }

    /// Waits (up to 15 s) until the seeker `token` sees request `id` in `status`; the row.
    async fn preorder_becomes(&self, token: &str, id: i64, status: &str) -> Value {
        for _ in 0..150 {
            let row = self.preorder(token, "my_preorders", id).await;
            if row["status"] == status {
                return row;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!(
            "request {id} never became {status}: {}",
            self.preorder(token, "my_preorders", id).await
        );
    }

    /// Alipay's view of a trade (the sandbox's `/alipay/trades`).
    async fn alipay_trade(&self, out_trade_no: &str) -> Value {
        self.sandbox_get(&format!("/alipay/trades?out_trade_no={out_trade_no}"))
            .await
    }

    pub(crate) async fn confirm_viewing(&self, token: &str, id: i64, at: &str) -> Answer {
        self.post(
            "/api/v1/rental/order/confirm_preorder",
            json!({"pre_order_id": id, "viewing_time": at}),
            Some(token),
        )
        .await
    }

    async fn decline_viewing(&self, token: &str, id: i64, reason: &str) -> Answer {
        self.post(
            "/api/v1/rental/order/decline_preorder",
            json!({"pre_order_id": id, "reason": reason}),
            Some(token),
        )
        .await
    }
}

/// An account's balance in svc-orders's ledger.
#[derive(diesel::QueryableByName, Debug)]
struct Balance {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    total: i64,
}

impl TestApp {
    /// svc-orders's ledger: every movement sums to zero; the accounts' balances (debits
    /// positive, zero balances left out), which then sum to zero too.
    pub(crate) async fn ledger(&self) -> std::collections::BTreeMap<String, i64> {
        use diesel::RunQueryDsl;
        let (movements, accounts) = self
            .stack
            .orders_db
            .run(|conn| -> Result<_, kit::db::DbError> {
                let unbalanced = diesel::sql_query(
                    "SELECT movement AS name, CAST(SUM(amount_fen) AS BIGINT) AS total \
                     FROM ledger_entries GROUP BY movement HAVING SUM(amount_fen) <> 0",
                )
                .load::<Balance>(conn)?;
                let accounts = diesel::sql_query(
                    "SELECT account AS name, CAST(SUM(amount_fen) AS BIGINT) AS total \
                     FROM ledger_entries GROUP BY account",
                )
                .load::<Balance>(conn)?;
                Ok((unbalanced, accounts))
            })
            .await
            .unwrap();
        assert!(movements.is_empty(), "unbalanced movements: {movements:?}");
        let balances: std::collections::BTreeMap<String, i64> = accounts
            .into_iter()
            .map(|b| (b.name, b.total))
            .filter(|(_, total)| *total != 0)
            .collect();
        assert_eq!(balances.values().sum::<i64>(), 0, "{balances:?}");
        balances
    }
}

/// Tomorrow at this minute, as the API writes times.
pub(crate) fn tomorrow() -> String {
    kit::time::beijing_minute_text(kit::time::now_unix() + 86_400)
}

#[tokio::test]
async fn the_landlord_confirms_one_paid_request_and_declines_another_whose_fee_goes_back() {
    let Viewable {
        app,
        a,
        b,
        c,
        owner,
        listing,
        ..
    } = viewable_listing().await;
    let of_b = app.ask_to_view(&b, owner, listing).await;
    let of_c = app.ask_to_view(&c, owner, listing).await;

    // Unpaid, a request cannot be confirmed; only its landlord answers it; the time is named.
    assert_refused(
        &app.confirm_viewing(&a, of_b, &tomorrow()).await,
        409,
        "pre_order_id",
    );
    assert_refused(
        &app.confirm_viewing(&b, of_b, &tomorrow()).await,
        404,
        "pre_order_id",
    );
    assert_refused(
        &app.decline_viewing(&c, of_b, "不想去了").await,
        404,
        "pre_order_id",
    );
    let b_paid = app.pay_by_alipay(&b, of_b).await;
    assert_refused(
        &app.confirm_viewing(&a, of_b, "2020-01-01 10:00").await,
        400,
        "viewing_time",
    );
    let far = kit::time::beijing_minute_text(kit::time::now_unix() + 40 * 86_400);
    assert_refused(
        &app.confirm_viewing(&a, of_b, &far).await,
        400,
        "viewing_time",
    );
    assert_refused(
        &app.post(
            "/api/v1/rental/order/decline_preorder",
            json!({"pre_order_id": of_b}),
            Some(&a),
        )
        .await,
        400,
        "reason",
    );

    // Confirmed: both see the time; the fee is the landlord's, nothing goes back.
    let at = tomorrow();
    let confirmed = app.confirm_viewing(&a, of_b, &at).await;
    assert_eq!(confirmed.code(), 0, "{:?}", confirmed.body);
    assert_eq!(confirmed.body["data"]["status"], "已确认");
    assert_eq!(confirmed.body["data"]["viewing_time"], at.as_str());
    let seen = app.preorder(&b, "my_preorders", of_b).await;
    assert_eq!(seen["status"], "已确认");
    assert_eq!(seen["viewing_time"], at.as_str());
    assert_refused(
        &app.confirm_viewing(&a, of_b, &at).await,
        409,
        "pre_order_id",
    );
    assert_refused(
        &app.decline_viewing(&a, of_b, "改主意了").await,
        409,
        "pre_order_id",
    );
    assert_eq!(app.alipay_trade(&b_paid).await["refund_amount"], "0.00");

    // Declined after payment: 已拒绝 with the reason, then the fee is back on Alipay: 已退款.
    let c_paid = app.pay_by_alipay(&c, of_c).await;
    let declined = app.decline_viewing(&a, of_c, "这周没空").await;
    assert_eq!(declined.code(), 0, "{:?}", declined.body);
    assert_eq!(declined.body["data"]["reason"], "这周没空");
    let refunded = app.preorder_becomes(&c, of_c, "已退款").await;
    assert_eq!(refunded["reason"], "这周没空");
    let trade = app.alipay_trade(&c_paid).await;
    assert_eq!(trade["refund_amount"], "10.00", "{trade}");
    assert_eq!(trade["trade_status"], "TRADE_CLOSED", "{trade}");
    assert_eq!(
        app.preorder(&a, "owner_preorders", of_c).await["status"],
        "已退款"
    );

    // Declined before payment: nothing to pay any more, and nothing to refund.
    let again = app.ask_to_view(&c, owner, listing).await;
    assert_ne!(
        again, of_c,
        "a declined request is closed: asking again is a new one"
    );
    let declined = app.decline_viewing(&a, again, "已租出").await;
    assert_eq!(declined.body["data"]["status"], "已拒绝");
    let page = app
        .post(
            "/api/v1/rental/order/get_preorder_paymenturl",
            json!({"pre_order_id": again, "return_url": "https://m.example.com/paid"}),
            Some(&c),
        )
        .await;
    assert_refused(&page, 409, "pre_order_id");
    assert_refused(
        &app.post(
            "/api/v1/rental/order/pay_preorder",
            json!({"pre_order_id": again}),
            Some(&c),
        )
        .await,
        409,
        "pre_order_id",
    );

    // The ledger: B's fee is A's; C's went in and back out; nothing is left held.
    let ledger = app.ledger().await;
    let expected: std::collections::BTreeMap<String, i64> = [
        ("provider:alipay".to_owned(), 1000),
        (format!("user:{owner}@10002"), -1000),
    ]
    .into_iter()
    .collect();
    assert_eq!(ledger, expected);
    app.stop().await;
}

#[tokio::test]
async fn whoever_invited_the_landlord_earns_a_share_of_each_confirmed_fee() {
    let Viewable {
        app,
        a,
        b,
        c,
        owner,
        listing,
        ..
    } = viewable_listing_with(&[("rental.invite_share", "0.25")]).await;
    // C invited A.
    let codes = app.get_as("/api/v1/rental/invitation/getcode", &c).await;
    let code = codes.body["data"]["my_invite_code"]
        .as_str()
        .unwrap()
        .to_owned();
    let set = app
        .get_as(
            &format!("/api/v1/rental/invitation/setcode?invite_code={code}"),
            &a,
        )
        .await;
    assert_eq!(set.code(), 0, "{:?}", set.body);
    let inviter = app.landlord_id(&c).await;

    let id = app.ask_to_view(&b, owner, listing).await;
    app.pay_by_alipay(&b, id).await;
    // Held: nobody has earned anything yet.
    let held = app.ledger().await;
    assert_eq!(held["escrow"], -1000, "{held:?}");
    assert!(!held.contains_key(&format!("user:{owner}@10002")));
    let confirmed = app.confirm_viewing(&a, id, &tomorrow()).await;
    assert_eq!(confirmed.code(), 0, "{:?}", confirmed.body);
    let ledger = app.ledger().await;
    assert_eq!(ledger[&format!("user:{owner}@10002")], -1000, "{ledger:?}");
    assert_eq!(ledger[&format!("user:{inviter}@10002")], -250, "{ledger:?}");
    assert_eq!(ledger["platform:invitations"], 250, "{ledger:?}");
    assert!(!ledger.contains_key("escrow"), "{ledger:?}");
    app.stop().await;
}

#[tokio::test]
async fn an_unconfirmed_fee_goes_back_when_the_landlord_lets_the_time_pass() {
    // 0.0005 hours: 1.8 seconds to confirm.
    let Viewable {
        app,
        a,
        b,
        owner,
        listing,
        ..
    } = viewable_listing_with(&[
        ("rental.confirm_within_hours", "0.0005"),
        ("reconciliation.interval_ms", "200"),
    ])
    .await;
    let id = app.ask_to_view(&b, owner, listing).await;
    let paid = app.pay_by_alipay(&b, id).await;
    let row = app.preorder_becomes(&b, id, "已退款").await;
    assert!(
        row["reason"].as_str().unwrap().contains("未在"),
        "the seeker reads why: {row}"
    );
    assert_eq!(app.alipay_trade(&paid).await["refund_amount"], "10.00");
    // Too late to confirm.
    assert_refused(
        &app.confirm_viewing(&a, id, &tomorrow()).await,
        409,
        "pre_order_id",
    );
    app.stop().await;
}

#[tokio::test]
async fn a_fee_whose_notification_never_came_is_found_by_reconciliation() {
    let Viewable {
        app,
        b,
        c,
        owner,
        listing,
        ..
    } = viewable_listing_with(&[
        ("reconciliation.interval_ms", "200"),
        ("reconciliation.after_seconds", "0"),
    ])
    .await;
    // Alipay: paid, the notification lost.
    let by_alipay = app.ask_to_view(&b, owner, listing).await;
    let trade = app.open_alipay_page(&b, by_alipay).await;
    let paid = app
        .sandbox(
            "/alipay/pay",
            json!({"out_trade_no": trade, "deliver": false}),
        )
        .await;
    assert_eq!(paid["delivered"], false, "{paid}");
    app.preorder_becomes(&b, by_alipay, "已支付").await;
    // WeChat Pay: the same.
    let by_wechat = app.ask_to_view(&c, owner, listing).await;
    let params = app.wechat_pay_params(&c, by_wechat).await;
    let paid = app
        .sandbox(
            "/wxpay/pay",
            json!({"prepay_id": params.prepay_id(), "deliver": false}),
        )
        .await;
    assert_eq!(paid["delivered"], false, "{paid}");
    app.preorder_becomes(&c, by_wechat, "已支付").await;
    app.stop().await;
}

#[tokio::test]
async fn a_fee_paid_twice_goes_back_once_and_wechat_pay_refunds_a_declined_fee() {
    let Viewable {
        app,
        a,
        b,
        owner,
        listing,
        ..
    } = viewable_listing().await;
    let id = app.ask_to_view(&b, owner, listing).await;
    // B opens Alipay's page, then pays in the mini-program with WeChat Pay (seed 000 §4.2.1's
    // fields), then pays on Alipay's page too: both notifications at once.
    let on_alipay = app.open_alipay_page(&b, id).await;
    let params = app.wechat_pay_params(&b, id).await;
    for field in [
        "appId",
        "timeStamp",
        "nonceStr",
        "package",
        "signType",
        "paySign",
    ] {
        assert!(
            params.body["data"][field].is_string(),
            "{field}: {:?}",
            params.body
        );
    }
    let prepay_id = params.prepay_id();
    let (by_wechat, by_alipay) = tokio::join!(
        app.sandbox("/wxpay/pay", json!({"prepay_id": prepay_id, "times": 5})),
        app.sandbox(
            "/alipay/pay",
            json!({"out_trade_no": on_alipay, "times": 5})
        ),
    );
    assert_eq!(by_wechat["delivered"], true, "{by_wechat}");
    assert_eq!(by_alipay["delivered"], true, "{by_alipay}");
    // One payment counts; the other goes back the way it came, once.
    let row = app.preorder_becomes(&b, id, "已支付").await;
    let kept_alipay = app.alipay_trade(&on_alipay).await;
    let out_trade_no = by_wechat["out_trade_no"].as_str().unwrap().to_owned();
    let mut returned = false;
    for _ in 0..150 {
        let alipay_back = app.alipay_trade(&on_alipay).await["refund_amount"] == "10.00";
        let wechat_back = app
            .wechat_refunds(&out_trade_no)
            .await
            .as_array()
            .is_some_and(|r| !r.is_empty());
        assert!(!(alipay_back && wechat_back), "both payments went back");
        if alipay_back || wechat_back {
            returned = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(returned, "the second payment went back: {kept_alipay}");
    assert_eq!(row["status"], "已支付");

    // A declines: the fee goes back through the channel that paid it, and the request is 已退款.
    let declined = app.decline_viewing(&a, id, "房子已租出").await;
    assert_eq!(declined.code(), 0, "{:?}", declined.body);
    app.preorder_becomes(&b, id, "已退款").await;
    assert_eq!(app.alipay_trade(&on_alipay).await["refund_amount"], "10.00");
    let at_wechat = app.wechat_refunds(&out_trade_no).await;
    assert_eq!(at_wechat.as_array().map(Vec::len), Some(1), "{at_wechat}");
    // Nothing is left held or owed.
    let ledger = app.ledger().await;
    assert!(ledger.is_empty(), "{ledger:?}");
    app.stop().await;
}

#[tokio::test]
async fn a_payment_of_another_amount_pays_nothing_and_goes_back() {
    let Viewable {
        app,
        b,
        owner,
        listing,
        ..
    } = viewable_listing().await;
    let id = app.ask_to_view(&b, owner, listing).await;
    let params = app.wechat_pay_params(&b, id).await;
    // WeChat Pay reports 0.01 paid for a fee of 10.00, twice.
    let short = app
        .sandbox(
            "/wxpay/pay",
            json!({"prepay_id": params.prepay_id(), "amount_fen": 1, "times": 2}),
        )
        .await;
    assert_eq!(
        short["delivered"], true,
        "taken, so WeChat Pay stops: {short}"
    );
    let out_trade_no = short["out_trade_no"].as_str().unwrap().to_owned();
    let mut refunds = Value::Null;
    for _ in 0..150 {
        refunds = app.wechat_refunds(&out_trade_no).await;
        if refunds[0]["notified"] == true {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(refunds.as_array().map(Vec::len), Some(1), "{refunds}");
    assert_eq!(refunds[0]["refund_fen"], 1, "{refunds}");
    // Nothing was paid: the request still waits for its fee, and nothing is held or owed.
    assert_eq!(
        app.preorder(&b, "my_preorders", id).await["status"],
        "待支付"
    );
    for _ in 0..50 {
        if app.ledger().await.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let ledger = app.ledger().await;
    assert!(ledger.is_empty(), "{ledger:?}");
    app.stop().await;
}
