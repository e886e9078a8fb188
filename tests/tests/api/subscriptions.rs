//! Subscribe messages (订阅消息) end to end: the mini-program reports the resident's answers to
//! `wx.requestSubscribeMessage`, an event happens in svc-yibiaosanshi, svc-orders or
//! svc-community, and WeChat (the sandbox) receives the message — one per accept, none without,
//! every one once even while WeChat fails for a while or the platform restarts in between.
use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{
    BoundResident, FU_YU, TestApp, WANG_FANG, ZHAO_QIANG, assert_refused, house_identifier,
    spawn_app,
};
use crate::viewings::{Viewable, tomorrow, viewable_listing};

/// FU_YU's openid (`bound_resident` names it after her house).
const FU_YU_OPENID: &str = "o-10002-1-1-1-101";
/// WANG_FANG's openid.
const WANG_FANG_OPENID: &str = "o-10002-1-1-2-201";
/// ZHAO_QIANG's openid.
const ZHAO_QIANG_OPENID: &str = "o-10003-1-1-1-101";

impl TestApp {
    /// The resident `openid` answers `wx.requestSubscribeMessage` with `results` (WeChat records
    /// it: the sandbox) and the mini-program reports it to the platform; the platform's answer.
    async fn subscribe(&self, token: &str, openid: &str, results: Value) -> crate::helpers::Answer {
        let at_wechat = self
            .sandbox(
                "/wechat/subscribe",
                json!({"openid": openid, "results": results}),
            )
            .await;
        assert!(at_wechat.is_object(), "{at_wechat}");
        let reported = self
            .post(
                "/api/v1/weapp/subscriptions",
                json!({ "results": results }),
                Some(token),
            )
            .await;
        assert_eq!(reported.code(), 0, "{:?}", reported.body);
        reported
    }

    /// What WeChat sent to `openid`, oldest first.
    async fn wechat_messages(&self, openid: &str) -> Vec<Value> {
        serde_json::from_value(
            self.sandbox_get(&format!("/wechat/messages?openid={openid}"))
                .await,
        )
        .unwrap()
    }

    /// Waits (up to `seconds`) until WeChat has sent `count` messages to `openid`; them.
    async fn wechat_messages_reach(&self, openid: &str, count: usize, seconds: u64) -> Vec<Value> {
        for _ in 0..seconds * 10 {
            let sent = self.wechat_messages(openid).await;
            if sent.len() >= count {
                return sent;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "{openid} never got {count} messages: {:?}",
            self.wechat_messages(openid).await
        );
    }

    /// The resident's own list (`/api/v1/weapp/messages`), newest first.
    async fn my_messages(&self, token: &str) -> Vec<Value> {
        let list = self
            .post("/api/v1/weapp/messages", json!({}), Some(token))
            .await;
        assert_eq!(list.code(), 0, "{:?}", list.body);
        list.rows_in("messages").clone()
    }

    /// Waits (up to 10 s) until the newest of the resident's messages is in `status`; it.
    async fn newest_message_becomes(&self, token: &str, status: &str) -> Value {
        for _ in 0..100 {
            if let Some(newest) = self.my_messages(token).await.first()
                && newest["status"] == status
            {
                return newest.clone();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("never {status}: {:?}", self.my_messages(token).await);
    }

    /// Files a repair of `house` as `token`; its id.
    async fn file_repair(&self, token: &str, house: i64, description: &str) -> i64 {
        let filed = self
            .post(
                "/api/v1/weapp/repair",
                json!({"house_id": house, "possion": "厨房", "description": description}),
                Some(token),
            )
            .await;
        assert_eq!(filed.code(), 0, "{:?}", filed.body);
        filed.body["data"]["id"].as_i64().unwrap()
    }

    /// 4.3: `form` applied to repair `id` as `platform`.
    async fn work_on_repair(&self, platform: &str, id: i64, form: &[(&str, &str)]) {
        let id = id.to_string();
        let mut fields = vec![("id", id.as_str())];
        fields.extend_from_slice(form);
        let done = self.put_form("/api/v1/repair", &fields, platform).await;
        assert_eq!(done.code(), 0, "{:?}", done.body);
    }
}

#[tokio::test]
async fn a_decided_review_reaches_the_applicant_once_per_accept_and_never_without() {
    let app = spawn_app().await;
    let BoundResident { token, .. } = app.bound_resident(FU_YU).await;
    let jyl = app.platform_10003().await;

    // One accept: the approval arrives, as the template shows it.
    let reported = app
        .subscribe(&token, FU_YU_OPENID, json!({"sandbox-review": "accept"}))
        .await;
    assert_eq!(
        reported.body["data"],
        json!([{"template_id": "sandbox-review", "remaining": 1}])
    );
    let house_102 = app.house_id(&token, "10003", [1, 1, 1, 102]).await;
    app.owner_bound_by_review(&token, &jyl, house_102).await;
    let sent = app.wechat_messages_reach(FU_YU_OPENID, 1, 10).await;
    let message = &sent[0];
    assert_eq!(message["template_id"], "sandbox-review");
    assert_eq!(message["data"]["phrase2"], "通过");
    assert_eq!(message["data"]["thing3"], "审核通过");
    assert!(
        message["data"]["thing1"]
            .as_str()
            .unwrap()
            .starts_with("业主绑定"),
        "{message}"
    );
    assert!(
        message["page"]
            .as_str()
            .unwrap()
            .starts_with("pages/registration/review?id="),
        "{message}"
    );
    let mine = app.newest_message_becomes(&token, "sent").await;
    assert_eq!(mine["type"], "review");
    assert_eq!(mine["reason"], "");
    assert!(mine["sent_at"].is_string(), "{mine}");

    // The accept is used up: a refusal (with its reason) is recorded, and not sent.
    let house_202 = app.house_id(&token, "10003", [1, 1, 2, 202]).await;
    let review = app.owner_request_filed(&token, house_202).await;
    let refused = app.refuse(&jyl, review, "房产证照片不清晰").await;
    assert_eq!(refused.code(), 0, "{:?}", refused.body);
    let unsent = app.newest_message_becomes(&token, "unsubscribed").await;
    assert_eq!(unsent["data"]["phrase2"], "未通过");
    assert_eq!(unsent["data"]["thing3"], "房产证照片不清晰");
    assert_eq!(unsent["sent_at"], Value::Null);
    assert!(!unsent["reason"].as_str().unwrap().is_empty());

    // A reject allows nothing either.
    let rejected = app
        .subscribe(&token, FU_YU_OPENID, json!({"sandbox-review": "reject"}))
        .await;
    assert_eq!(rejected.body["data"][0]["remaining"], 0);
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(app.wechat_messages(FU_YU_OPENID).await.len(), 1);
    assert_eq!(app.my_messages(&token).await.len(), 2);
    app.stop().await;
}

#[tokio::test]
async fn orders_payments_repairs_and_complaints_reach_the_resident_through_wechat() {
    let app = spawn_app().await;
    let BoundResident { token, house } = app.bound_resident(FU_YU).await;
    let platform = app.platform().await;
    app.subscribe(
        &token,
        FU_YU_OPENID,
        json!({"sandbox-order": "accept", "sandbox-paid": "accept",
               "sandbox-repair": "accept", "sandbox-complaint": "accept"}),
    )
    .await;
    // A second accept of the repair template: the repair is received, then replied to.
    app.subscribe(&token, FU_YU_OPENID, json!({"sandbox-repair": "accept"}))
        .await;

    // A new order for her house.
    let order = app
        .post(
            "/api/v1/wjdh/order/new",
            json!({"xiaoqu": "10002", "type": "house", "identifier": house_identifier("1", "101"),
                   "title": "2026年物业费", "amount": "12.50"}),
            Some(&platform),
        )
        .await;
    assert_eq!(order.code(), 0, "{:?}", order.body);
    let number = order.str("data").to_owned();
    let sent = app.wechat_messages_reach(FU_YU_OPENID, 1, 10).await;
    assert_eq!(sent[0]["template_id"], "sandbox-order");
    assert_eq!(sent[0]["data"]["thing1"], "2026年物业费");
    assert_eq!(sent[0]["data"]["amount2"], "12.50元");
    assert_eq!(sent[0]["data"]["character_string4"], number.as_str());

    // The message opens that order: its id, written in the same statement as the order.
    let id = app.order_id(&token, "12.50元").await;
    assert!(
        sent[0]["page"]
            .as_str()
            .is_some_and(|page| page.ends_with(&format!("?id={id}"))),
        "{}",
        sent[0]
    );

    // She pays it.
    let paying = app.pay(&token, &id.to_string()).await;
    let paid = app
        .sandbox("/wxpay/pay", json!({ "prepay_id": paying.prepay_id() }))
        .await;
    assert_eq!(paid["delivered"], true, "{paid}");
    let sent = app.wechat_messages_reach(FU_YU_OPENID, 2, 10).await;
    assert_eq!(sent[1]["template_id"], "sandbox-paid");
    assert_eq!(sent[1]["data"]["amount2"], "12.50元");
    assert_eq!(sent[1]["data"]["thing1"], "2026年物业费");

    // Her repair is received, then replied to.
    let repair = app
        .file_repair(
            &token,
            house,
            "厨房水管漏水，楼下天花板也开始滴水了，请尽快派人",
        )
        .await;
    app.work_on_repair(&platform, repair, &[("action", "RECEIVE")])
        .await;
    let sent = app.wechat_messages_reach(FU_YU_OPENID, 3, 10).await;
    assert_eq!(sent[2]["template_id"], "sandbox-repair");
    assert_eq!(sent[2]["data"]["phrase2"], "已受理");
    assert_eq!(
        sent[2]["data"]["thing1"].as_str().unwrap().chars().count(),
        20,
        "cut to WeChat's 20 characters"
    );
    assert_eq!(sent[2]["page"], format!("pages/repair/detail?id={repair}"));
    app.work_on_repair(&platform, repair, &[("reply", "师傅明天上午到")])
        .await;
    let sent = app.wechat_messages_reach(FU_YU_OPENID, 4, 10).await;
    assert_eq!(sent[3]["data"]["phrase2"], "已回复");
    assert_eq!(sent[3]["data"]["thing3"], "师傅明天上午到");

    // Her complaint is replied to.
    let complaint = app
        .post(
            "/api/v1/weapp/complaint",
            json!({"type": "投诉", "content": "楼道太吵请回电17600381130", "house_id": house}),
            Some(&token),
        )
        .await;
    assert_eq!(complaint.code(), 0, "{:?}", complaint.body);
    let cid = complaint.body["data"]["id"].as_i64().unwrap();
    let replied = app
        .put_json(
            "/api/v1/wjdh/complaint",
            json!({"id": cid, "reply": "已提醒邻居"}),
            &platform,
        )
        .await;
    assert_eq!(replied.code(), 0, "{:?}", replied.body);
    let sent = app.wechat_messages_reach(FU_YU_OPENID, 5, 10).await;
    assert_eq!(sent[4]["template_id"], "sandbox-complaint");
    assert_eq!(sent[4]["data"]["phrase2"], "已回复");
    assert_eq!(sent[4]["data"]["thing3"], "已提醒邻居");
    assert_eq!(
        sent[4]["data"]["thing1"], "楼道太吵请回电176****1130",
        "a phone in free text is masked"
    );

    // Her list shows the five, newest first, each sent once.
    let mine = app.my_messages(&token).await;
    let kinds: Vec<&str> = mine.iter().map(|m| m["type"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        ["complaint", "repair", "repair", "paid", "order"],
        "{mine:?}"
    );
    assert!(mine.iter().all(|m| m["status"] == "sent"), "{mine:?}");
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(app.wechat_messages(FU_YU_OPENID).await.len(), 5);
    app.stop().await;
}

#[tokio::test]
async fn a_viewing_request_confirmed_declined_and_refunded_reaches_the_seeker() {
    let Viewable {
        app,
        a,
        b,
        c,
        owner,
        listing,
        ..
    } = viewable_listing().await;
    app.subscribe(&b, WANG_FANG_OPENID, json!({"sandbox-viewing": "accept"}))
        .await;
    for _ in 0..2 {
        app.subscribe(&c, ZHAO_QIANG_OPENID, json!({"sandbox-viewing": "accept"}))
            .await;
    }

    // B's request is confirmed.
    let of_b = app.ask_to_view(&b, owner, listing).await;
    app.pay_by_alipay(&b, of_b).await;
    let confirmed = app.confirm_viewing(&a, of_b, &tomorrow()).await;
    assert_eq!(confirmed.code(), 0, "{:?}", confirmed.body);
    let sent = app.wechat_messages_reach(WANG_FANG_OPENID, 1, 10).await;
    assert_eq!(sent[0]["template_id"], "sandbox-viewing");
    assert_eq!(sent[0]["data"]["phrase2"], "已确认");
    assert_eq!(sent[0]["data"]["amount5"], "10.00元");
    assert_eq!(sent[0]["data"]["thing1"], "南向两居");

    // C's is declined, and the fee goes back.
    let of_c = app.ask_to_view(&c, owner, listing).await;
    app.pay_by_alipay(&c, of_c).await;
    let declined = app
        .post(
            "/api/v1/rental/order/decline_preorder",
            json!({"pre_order_id": of_c, "reason": "这周都不在家"}),
            Some(&a),
        )
        .await;
    assert_eq!(declined.code(), 0, "{:?}", declined.body);
    let sent = app.wechat_messages_reach(ZHAO_QIANG_OPENID, 2, 20).await;
    assert_eq!(sent[0]["data"]["phrase2"], "已拒绝");
    assert_eq!(sent[0]["data"]["thing4"], "这周都不在家");
    assert_eq!(sent[1]["data"]["phrase2"], "已退款");
    assert!(
        sent[1]["page"]
            .as_str()
            .unwrap()
            .ends_with(&format!("pre_order_id={of_c}")),
        "{:?}",
        sent[1]
    );
    assert_eq!(app.wechat_messages(WANG_FANG_OPENID).await.len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn a_published_announcement_reaches_the_communitys_subscribed_residents() {
    let app = spawn_app().await;
    let fu_yu = app.bound_resident(FU_YU).await.token;
    let wang_fang = app.bound_resident(WANG_FANG).await.token;
    let zhao_qiang = app.bound_resident(ZHAO_QIANG).await.token;
    let platform = app.platform().await;
    for (token, openid) in [(&fu_yu, FU_YU_OPENID), (&zhao_qiang, ZHAO_QIANG_OPENID)] {
        app.subscribe(token, openid, json!({"sandbox-announcement": "accept"}))
            .await;
    }
    let made = app
        .post(
            "/api/v1/announcement/new",
            json!({"xiaoqu": "10002", "title": "本周六上午停水", "content": "请提前储水"}),
            Some(&platform),
        )
        .await;
    assert_eq!(made.code(), 0, "{:?}", made.body);
    let sent = app.wechat_messages_reach(FU_YU_OPENID, 1, 10).await;
    assert_eq!(sent[0]["template_id"], "sandbox-announcement");
    assert_eq!(sent[0]["data"]["thing1"], "本周六上午停水");
    // 王芳 lives there too but never accepted; 赵强 accepted but lives in 交运里.
    let unsent = app.newest_message_becomes(&wang_fang, "unsubscribed").await;
    assert_eq!(unsent["type"], "announcement");
    assert!(app.my_messages(&zhao_qiang).await.is_empty());
    assert!(app.wechat_messages(ZHAO_QIANG_OPENID).await.is_empty());
    app.stop().await;
}

#[tokio::test]
async fn while_wechat_fails_and_across_a_restart_every_message_arrives_once() {
    let app = spawn_app().await;
    let BoundResident { token, house } = app.bound_resident(FU_YU).await;
    let platform = app.platform().await;
    app.subscribe(&token, FU_YU_OPENID, json!({"sandbox-repair": "accept"}))
        .await;
    app.subscribe(&token, FU_YU_OPENID, json!({"sandbox-repair": "accept"}))
        .await;
    let repair = app.file_repair(&token, house, "门锁坏了").await;

    // WeChat fails twice: the message arrives afterwards, once.
    app.sandbox("/wechat/subscribe-fail", json!({"times": 2}))
        .await;
    app.work_on_repair(&platform, repair, &[("action", "RECEIVE")])
        .await;
    let sent = app.wechat_messages_reach(FU_YU_OPENID, 1, 30).await;
    assert_eq!(sent[0]["data"]["phrase2"], "已受理");
    app.newest_message_becomes(&token, "sent").await;

    // WeChat fails for good; the platform restarts meanwhile: nothing is lost, nothing doubled.
    app.sandbox("/wechat/subscribe-fail", json!({"times": 100_000}))
        .await;
    app.work_on_repair(&platform, repair, &[("action", "REPAIR")])
        .await;
    let waiting = app.newest_message_becomes(&token, "pending").await;
    assert_eq!(waiting["data"]["phrase2"], "维修中");
    for _ in 0..100 {
        let newest = app.my_messages(&token).await[0].clone();
        if newest["reason"] != "正在发送" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        app.my_messages(&token).await[0]["reason"],
        "微信暂时无法发送，稍后重试"
    );
    let app = app.restart().await;
    let sent = app.wechat_messages_reach(FU_YU_OPENID, 1, 30).await;
    assert_eq!(sent[0]["data"]["phrase2"], "维修中");
    let mine = app.newest_message_becomes(&token, "sent").await;
    assert_eq!(mine["type"], "repair");
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(app.wechat_messages(FU_YU_OPENID).await.len(), 1, "once");
    let statuses: Vec<Value> = app
        .my_messages(&token)
        .await
        .iter()
        .map(|m| m["status"].clone())
        .collect();
    assert_eq!(statuses, [json!("sent"), json!("sent")]);
    app.stop().await;
}

#[tokio::test]
async fn a_message_wechat_refuses_for_want_of_an_accept_consumes_nothing() {
    let app = spawn_app().await;
    let BoundResident { token, house } = app.bound_resident(FU_YU).await;
    let platform = app.platform().await;
    // WeChat heard her reject; the platform is told she accepted.
    app.sandbox(
        "/wechat/subscribe",
        json!({"openid": FU_YU_OPENID, "results": {"sandbox-repair": "reject"}}),
    )
    .await;
    let reported = app
        .post(
            "/api/v1/weapp/subscriptions",
            json!({"results": {"sandbox-repair": "accept"}}),
            Some(&token),
        )
        .await;
    assert_eq!(reported.body["data"][0]["remaining"], 1);
    let repair = app.file_repair(&token, house, "灯不亮").await;
    app.work_on_repair(&platform, repair, &[("action", "RECEIVE")])
        .await;
    let refused = app.newest_message_becomes(&token, "refused").await;
    assert_eq!(refused["reason"], "您已拒绝接收该消息");
    assert!(app.wechat_messages(FU_YU_OPENID).await.is_empty());
    // WeChat's 43101 consumed nothing: her accept is still there, and the next one adds to it.
    let again = app
        .post(
            "/api/v1/weapp/subscriptions",
            json!({"results": {"sandbox-repair": "accept"}}),
            Some(&token),
        )
        .await;
    assert_eq!(again.body["data"][0]["remaining"], 2);
    app.stop().await;
}

#[tokio::test]
async fn a_bad_report_is_refused_naming_the_field() {
    let app = spawn_app().await;
    let BoundResident { token, .. } = app.bound_resident(FU_YU).await;
    let cases = [
        (json!({}), "results"),
        (json!({"results": {}}), "results"),
        (json!({"results": "accept"}), "results"),
        (
            json!({"results": {"sandbox-review": "maybe"}}),
            "results.sandbox-review",
        ),
        (json!({"results": {"x".repeat(65): "accept"}}), "results"),
        (json!({"results": {"bad id": "accept"}}), "results"),
    ];
    for (body, field) in cases {
        let answer = app
            .post("/api/v1/weapp/subscriptions", body.clone(), Some(&token))
            .await;
        assert_refused(&answer, 400, field);
        assert!(
            answer.str("msg").starts_with(field),
            "{body}: {:?}",
            answer.body
        );
    }
    let paging = app
        .post(
            "/api/v1/weapp/messages",
            json!({"per_page": 1000}),
            Some(&token),
        )
        .await;
    assert_refused(&paging, 400, "per_page");
    app.stop().await;
}
