//! 000 §2.2–§3.2 and 001 §1.2.2–§1.2.4: import, owner verification, registration reviews decided
//! by the platform, houses, family rights — through the gateway, as the mini-program and the
//! security platform use them.
use serde_json::{Value, json};

use crate::helpers::{Answer, BoundResident, FU_YU, TestApp, assert_failure, spawn_app};

/// A valid GB 11643 number from its first 17 digits.
pub fn idcard(first17: &str) -> String {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    let sum: u32 = first17
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(10).unwrap() * w)
        .sum();
    format!("{first17}{}", CHECK[(sum % 11) as usize])
}

/// The fixture owner of 晨曦家园1栋1单元2楼201号 (王芳).
const OWNER_OF_201: &str = "17600381130";

/// A code of `kind` for `phone` and its key.
async fn code_for(
    app: &TestApp,
    phone: &str,
    kind: &str,
    token: Option<&str>,
    house: Option<&str>,
) -> (String, String) {
    let mut body = json!({"phone": phone, "type": kind});
    if let Some(house) = house {
        body["community_house_name"] = json!(house);
    }
    let sent = app
        .post("/api/v1/verificationCodes/phone", body, token)
        .await;
    assert_eq!(sent.code(), 0, "{:?}", sent.body);
    let target = if kind == "yezhu" { OWNER_OF_201 } else { phone };
    (sent.str("key").to_owned(), app.last_code(target).await)
}

async fn import(app: &TestApp, token: &str, phone: &str) -> Answer {
    app.import_household(token, phone, "10002").await
}

fn member<'a>(detail: &'a Answer, list: &str, name: &str) -> &'a Value {
    detail.body["data"][list]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == name)
        .unwrap_or_else(|| panic!("{name} in {list}: {:?}", detail.body))
}

async fn house_detail(app: &TestApp, token: &str, house: i64) -> Answer {
    app.post("/api/v1/house/detail", json!({"id": house}), Some(token))
        .await
}

/// The id of `name`'s binding in 付钰's house 101.
async fn binding_of(app: &TestApp, owner: &BoundResident, name: &str) -> i64 {
    let detail = house_detail(app, &owner.token, owner.house).await;
    member(&detail, "yibangding", name)["id"].as_i64().unwrap()
}

#[tokio::test]
async fn a_known_phone_imports_the_household_from_the_security_platform_once() {
    let app = spawn_app().await;
    let token = app.resident_token("o-fuyu", "15131512234").await;
    let first = import(&app, &token, "15131512234").await;
    assert_eq!(first.code(), 0, "{:?}", first.body);
    assert_eq!(first.str("msg"), "已自动绑定您的一标三实信息");
    assert_eq!(first.str("message"), "在安防平台查找到了数据");
    assert_eq!(app.permissions(&token).await, json!(["HouseMember"]));

    let list = app
        .post("/api/v1/user/housesList", json!({}), Some(&token))
        .await;
    assert_eq!(list.code(), 0, "{:?}", list.body);
    assert_eq!(list.str("msg"), "成功获取用户一标三实列表");
    let rows = list.body["data"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    let house_101 = rows
        .iter()
        .find(|r| r["introduction"] == "晨曦家园1栋1单元1楼101号")
        .unwrap();
    assert_eq!(
        (house_101["status"].as_str(), house_101["role"].as_str()),
        (Some("审核通过"), Some("业主"))
    );
    assert_eq!(house_101["not_register"], json!(3));

    let again = import(&app, &token, "15131512234").await;
    assert_eq!(again.code(), 0, "{:?}", again.body);
    assert_eq!(again.str("msg"), "已绑定个人信息，无需二次录入");
    let still = app
        .post("/api/v1/user/housesList", json!({}), Some(&token))
        .await;
    assert_eq!(still.body["data"].as_array().unwrap().len(), 2);
    app.stop().await;
}

/// 000 §3.1.1 with both kinds of row: the bindings in the order they were made, then the open
/// requests (pending and refused), newest first — as the seed's example lists them.
#[tokio::test]
async fn the_house_list_shows_the_bindings_then_the_open_requests_newest_first() {
    let app = spawn_app().await;
    let platform = app.platform().await;
    let token = app.resident_token("o-fuyu", "15131512234").await;
    assert_eq!(import(&app, &token, "15131512234").await.code(), 0);
    // 3-2-6-602 and 3-1-5-501 have no owner: the first request is refused, the second waits.
    let house_602 = app.house_id(&token, "10002", [3, 2, 6, 602]).await;
    let refused_id = app.owner_request_filed(&token, house_602).await;
    let refused = app.refuse(&platform, refused_id, "照片不清晰").await;
    assert_eq!(refused.code(), 0, "{:?}", refused.body);
    let house_501 = app.house_id(&token, "10002", HOUSE_501).await;
    let pending_id = app.owner_request_filed(&token, house_501).await;

    let list = app
        .post("/api/v1/user/housesList", json!({}), Some(&token))
        .await;
    assert_eq!(list.code(), 0, "{:?}", list.body);
    let rows = list.body["data"].as_array().unwrap();
    assert_eq!(rows.len(), 4, "{rows:?}");
    let (bound, requests) = rows.split_at(2);
    assert!(
        bound[0]["id"].as_i64() < bound[1]["id"].as_i64(),
        "bindings in the order they were made: {rows:?}"
    );
    for row in bound {
        assert_eq!(row["status"], "审核通过", "{row:?}");
        assert!(row["shenhe_id"].is_null(), "{row:?}");
    }
    assert_eq!(
        requests,
        [
            json!({"shenhe_id": pending_id, "status": "待审核",
                   "introduction": "晨曦家园3栋1单元5楼501号的业主正在申请：业主绑定",
                   "action": "业主正在申请：业主绑定"}),
            json!({"shenhe_id": refused_id, "status": "未通过",
                   "introduction": "晨曦家园3栋2单元6楼602号的业主正在申请：业主绑定",
                   "action": "业主正在申请：业主绑定"}),
        ]
    );
    app.stop().await;
}

#[tokio::test]
async fn import_failures_answer_as_the_seed_shows() {
    let app = spawn_app().await;
    let token = app.resident_token("o-unknown", "13312345678").await;
    let unknown = import(&app, &token, "13312345678").await;
    assert_failure(
        &unknown,
        2,
        200,
        "安防平台没有查找到该手机号绑定的数据,message编码Yi658-message编码SeApi57",
    );
    assert_eq!(unknown.str("msg"), "该手机号还未绑定业主");

    let expired = app
        .post(
            "/api/v1/security/phone",
            json!({"verification_key": "verificationCode_nothing", "verification_code": "123456", "id": "10002"}),
            Some(&token),
        )
        .await;
    assert_failure(&expired, 1, 400, "验证码已失效");
    assert_eq!(expired.str("msg"), "验证码已失效");

    let fuyu = app.resident_token("o-fuyu-down", "15131512234").await;
    app.sandbox("/secplat/fail", json!({"times": 10})).await;
    let down = import(&app, &fuyu, "15131512234").await;
    assert_failure(
        &down,
        1,
        502,
        "安防平台接口出现故障，请检查配置信息如安防平台url，message编码Yi652-message编码SeApi55",
    );
    assert_eq!(down.str("msg"), "系统开小差，请重试或联系工作人员");
    app.stop().await;
}

#[tokio::test]
async fn the_owner_sees_the_house_with_its_members_and_the_others_phones_masked() {
    let app = spawn_app().await;
    let owner = app.bound_resident(FU_YU).await;
    let detail = house_detail(&app, &owner.token, owner.house).await;
    assert_eq!(detail.code(), 0, "{:?}", detail.body);
    assert_eq!(detail.str("msg"), "成功获取房屋信息");
    let data = &detail.body["data"];
    assert_eq!(data["introduction"], "晨曦家园1栋1单元1楼101号");
    assert_eq!(
        (data["house_type"].as_str(), data["use"].as_str()),
        (Some("单元楼"), Some("住宅"))
    );
    assert_eq!(
        (
            data["xingzhi"].as_str(),
            data["status"].as_str(),
            data["zhuhuleixing"].as_str()
        ),
        (Some("私有"), Some("自用"), Some("业主"))
    );
    assert_eq!(data["yibangding"].as_array().unwrap().len(), 4);
    assert_eq!(member(&detail, "yibangding", "付钰")["shouquan"], "管理员");
    assert_eq!(
        member(&detail, "yibangding", "付文生")["shouquan"],
        "邀请激活"
    );
    assert_eq!(member(&detail, "yijihuo", "付钰")["role"], "业主");
    assert_eq!(data["weijihuo"].as_array().unwrap().len(), 3);
    // Others' phones are masked, even to the owner.
    assert_eq!(
        member(&detail, "yibangding", "付文生")["phone"],
        "139****2001"
    );
    assert_eq!(
        member(&detail, "yibangding", "付钰")["phone"],
        "15131512234"
    );
    app.stop().await;
}

#[tokio::test]
async fn the_owner_grants_and_revokes_a_members_management_and_payment_rights() {
    let app = spawn_app().await;
    let owner = app.bound_resident(FU_YU).await;
    let wife = binding_of(&app, &owner, "李娜").await;
    let granted = app
        .put_json("/api/v1/house/shouquan", json!({"id": wife}), &owner.token)
        .await;
    assert_eq!(granted.code(), 0, "{:?}", granted.body);
    assert_eq!(
        (granted.str("msg"), granted.str("data")),
        ("修改成功", "禁止管理")
    );
    assert!(
        granted
            .str("message")
            .contains("people_house_shouquan改为了1")
    );
    let revoked = app
        .put_json("/api/v1/house/shouquan", json!({"id": wife}), &owner.token)
        .await;
    assert_eq!(revoked.str("data"), "授权管理");
    assert_eq!(
        revoked.str("message"),
        "已经把该家庭成员的people_house_shouquan改为了0，0为禁止管理，1为授权管理"
    );
    let pay = app
        .put_json("/api/v1/house/charge", json!({"id": wife}), &owner.token)
        .await;
    assert_eq!(pay.str("data"), "禁止支付");
    let unpay = app
        .put_json("/api/v1/house/charge", json!({"id": wife}), &owner.token)
        .await;
    assert_eq!(unpay.str("data"), "授权支付");
    assert_eq!(
        unpay.str("message"),
        "已经把该家庭成员的people_house_charge改为了0，0为禁止支付，1为授权支付"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_stranger_may_neither_look_at_a_house_nor_change_its_members() {
    let app = spawn_app().await;
    let owner = app.bound_resident(FU_YU).await;
    let wife = binding_of(&app, &owner, "李娜").await;
    let son = binding_of(&app, &owner, "付聪").await;
    let stranger = app.resident_token("o-stranger", "13312340000").await;
    let peek = house_detail(&app, &stranger, owner.house).await;
    assert_eq!((peek.code(), peek.status.as_u16()), (1, 403));
    let meddle = app
        .put_json("/api/v1/house/shouquan", json!({"id": wife}), &stranger)
        .await;
    assert_eq!((meddle.code(), meddle.status.as_u16()), (1, 403));
    let evict = app
        .delete_json("/api/v1/house/shouquan", json!({"id": son}), &stranger)
        .await;
    assert_eq!((evict.code(), evict.status.as_u16()), (1, 403));
    app.stop().await;
}

#[tokio::test]
async fn the_owner_unbinds_a_family_member() {
    let app = spawn_app().await;
    let owner = app.bound_resident(FU_YU).await;
    let son = binding_of(&app, &owner, "付聪").await;
    let unbound = app
        .delete_json("/api/v1/house/shouquan", json!({"id": son}), &owner.token)
        .await;
    assert_eq!(unbound.code(), 0, "{:?}", unbound.body);
    assert_eq!(
        (unbound.str("msg"), unbound.str("message")),
        ("解绑成功", "删除成功")
    );
    let after = house_detail(&app, &owner.token, owner.house).await;
    assert_eq!(
        after.body["data"]["yibangding"].as_array().unwrap().len(),
        3
    );
    app.stop().await;
}

fn tenant_form(house: i64) -> Value {
    json!({
        "phone": "13700001111", "idcard": idcard("13030219950101203"), "name": "张伟",
        "photo": "https://example.com/face.png", "sex": "男", "birth": "19950101", "nation": "汉族",
        "address": "河北省秦皇岛市海港区", "zzmm": "群众", "tyjr": 0, "dibao": 0, "shangfang": 1,
        "job": "教师", "company": "秦皇岛一中", "house_id": house, "role": "租客", "status": "租用",
        "use": "住宅", "xingzhi": "私有", "choice": 1, "type": "租户",
    })
}

async fn register(app: &TestApp, token: &str, form: Value) -> Answer {
    app.post("/api/v1/weapp/yibiaosanshi", form, Some(token))
        .await
}

/// 2.2.2: the owner of `house` as the tenant asks for them.
async fn owner_of(app: &TestApp, tenant: &str, house: i64) -> Answer {
    app.post("/api/v1/security/yezhu", json!({"id": house}), Some(tenant))
        .await
}

/// A tenant of 晨曦家园 1-1-2-201 signed in; (token, house).
async fn tenant_of_201(app: &TestApp) -> (String, i64) {
    let tenant = app.resident_token("o-tenant", "13700001111").await;
    let house = app.house_id(&tenant, "10002", [1, 1, 2, 201]).await;
    (tenant, house)
}

/// The owner's code for `house_name` sent (to the owner) and its key.
async fn yezhu_code(app: &TestApp, tenant: &str, house_name: &str) -> (String, String) {
    code_for(app, "176****1130", "yezhu", Some(tenant), Some(house_name)).await
}

async fn verify_owner(app: &TestApp, tenant: &str, key: &str, code: &str) -> Answer {
    app.post(
        "/api/v1/security/yezhu-code",
        json!({"verification_key": key, "verification_code": code}),
        Some(tenant),
    )
    .await
}

/// [`tenant_of_201`] who looked up the owner and verified their code; (token, house).
async fn verified_tenant(app: &TestApp) -> (String, i64) {
    let (tenant, house) = tenant_of_201(app).await;
    let owner = owner_of(app, &tenant, house).await;
    assert_eq!(owner.code(), 0, "{:?}", owner.body);
    let (key, code) = yezhu_code(app, &tenant, "晨曦家园1栋1单元2楼201号").await;
    let verified = verify_owner(app, &tenant, &key, &code).await;
    assert_eq!(verified.code(), 0, "{:?}", verified.body);
    (tenant, house)
}

/// [`verified_tenant`] who registered: (token, house, review id).
async fn tenant_under_review(app: &TestApp) -> (String, i64, i64) {
    let (tenant, house) = verified_tenant(app).await;
    let submitted = register(app, &tenant, tenant_form(house)).await;
    assert_eq!(submitted.code(), 0, "{:?}", submitted.body);
    let review = submitted.body["data"]["shenhe_id"].as_i64().unwrap();
    (tenant, house, review)
}

#[tokio::test]
async fn a_tenant_cannot_register_before_verifying_the_owner() {
    let app = spawn_app().await;
    let (tenant, house) = tenant_of_201(&app).await;
    // Refused on the server.
    let early = register(&app, &tenant, tenant_form(house)).await;
    assert_eq!(
        (early.code(), early.status.as_u16()),
        (1, 403),
        "{:?}",
        early.body
    );
    app.stop().await;
}

#[tokio::test]
async fn the_owner_is_shown_masked_and_the_houses_data_only_once_their_code_is_verified() {
    let app = spawn_app().await;
    let (tenant, house) = tenant_of_201(&app).await;
    let owner = owner_of(&app, &tenant, house).await;
    assert_eq!(owner.code(), 0, "{:?}", owner.body);
    assert_eq!(owner.str("msg"), "已获取房屋业主手机号码");
    assert_eq!(owner.body["data"]["phone"], "176****1130");
    assert_eq!(owner.body["data"]["people_phone"], "176****1130");
    // The house's data is shown only once the owner's code is verified (000 §2.2.2).
    for hidden in [
        "people_house_use",
        "people_house_xingzhi",
        "people_house_status",
        "people_house_role",
    ] {
        assert_eq!(
            owner.body["data"][hidden],
            Value::Null,
            "{hidden}: {:?}",
            owner.body
        );
    }
    let house_name = owner.body["data"]["community_house_name"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(house_name, "晨曦家园1栋1单元2楼201号");
    assert!(!owner.body.to_string().contains(OWNER_OF_201));

    let (key, code) = yezhu_code(&app, &tenant, &house_name).await;
    let wrong = verify_owner(&app, &tenant, &key, "000000").await;
    if code != "000000" {
        assert_failure(&wrong, 1, 400, "验证码错误");
    }
    let verified = verify_owner(&app, &tenant, &key, &code).await;
    assert_eq!(verified.code(), 0, "{:?}", verified.body);
    assert_eq!(
        (verified.str("msg"), verified.str("message")),
        ("验证成功", "验证成功")
    );
    let shown = owner_of(&app, &tenant, house).await;
    assert_eq!(shown.body["data"]["people_house_use"], "住宅");
    app.stop().await;
}

#[tokio::test]
async fn a_verified_tenants_registration_waits_for_review_and_is_filed_once() {
    let app = spawn_app().await;
    let (tenant, house) = verified_tenant(&app).await;
    // Tapped five times at once: one request is filed, the others find it pending.
    let taps = (0..5).map(|_| register(&app, &tenant, tenant_form(house)));
    let mut answers = futures::future::join_all(taps).await;
    answers.sort_by_key(Answer::code);
    let submitted = answers.remove(0);
    assert_eq!(submitted.code(), 0, "{:?}", submitted.body);
    for refused in &answers {
        assert_eq!(
            (refused.code(), refused.status.as_u16(), refused.str("msg")),
            (1, 409, "该房屋已有待审核的申请"),
            "{:?}",
            refused.body
        );
    }
    assert_eq!(
        (submitted.str("msg"), submitted.str("message")),
        ("已提交审核", "已提交审核")
    );
    assert_eq!(app.permissions(&tenant).await, json!(["Shenheing"]));
    let twice = register(&app, &tenant, tenant_form(house)).await;
    assert_eq!((twice.code(), twice.status.as_u16()), (1, 409));

    let mine = app
        .post("/api/v1/user/housesList", json!({}), Some(&tenant))
        .await;
    let pending = &mine.body["data"][0];
    assert_eq!(pending["status"], "待审核", "{:?}", mine.body);
    assert_eq!(pending["action"], "租客正在申请：租客绑定");
    assert_eq!(
        pending["shenhe_id"], submitted.body["data"]["shenhe_id"],
        "{:?}",
        mine.body
    );
    app.stop().await;
}

#[tokio::test]
async fn another_communitys_platform_may_not_see_the_reviews() {
    let app = spawn_app().await;
    let (_, _, review) = tenant_under_review(&app).await;
    // The platform of 交运里 may not see 晨曦家园's reviews.
    let other = app.platform_10003().await;
    let refused = app
        .post(
            "/api/v1/wjdh/shenheList",
            json!({"community_identifier": "10002"}),
            Some(&other),
        )
        .await;
    assert_failure(
        &refused,
        1,
        403,
        "该小区没有授权给该安防平台管理员权限，请联系万家灯火平台管理员（message编码Se104）",
    );
    assert_eq!(refused.str("msg"), "您没有权限管理该小区，请核对授权信息");
    let refused_one = app
        .post("/api/v1/wjdh/shenhe", json!({"id": review}), Some(&other))
        .await;
    assert_failure(
        &refused_one,
        1,
        403,
        "该小区没有授权给该安防平台管理员权限，请联系万家灯火平台管理员（message编码Se160）",
    );
    app.stop().await;
}

#[tokio::test]
async fn the_platform_lists_and_reads_the_reviews_as_the_seed_shows() {
    let app = spawn_app().await;
    let (_, _, review) = tenant_under_review(&app).await;
    let platform = app.platform().await;
    let list = app
        .post_form_token(
            "/api/v1/wjdh/shenheList",
            &[
                ("community_identifier", "10002"),
                ("status", "2"),
                ("page", "1"),
                ("per_page", "1"),
            ],
            &platform,
        )
        .await;
    assert_eq!(list.code(), 0, "{:?}", list.body);
    let row = &list.body["data"][0];
    assert_eq!(row["id"], json!(review));
    assert_eq!(row["shenhe_type"], "租客绑定");
    assert_eq!(row["shenhe_status"], json!(2));
    assert_eq!(row["shenhe_house_introduction"], "晨曦家园1栋1单元2楼201号");
    assert_eq!(row["shenhe_action_introduction"], "租客正在申请：租客绑定");
    assert_eq!(row["shenhe_refuse_reason"], Value::Null);
    assert!(row["created_at"].as_str().unwrap().contains('年'));
    let content: Value = serde_json::from_str(row["shenhe_content"].as_str().unwrap()).unwrap();
    assert_eq!(
        content["people"]["people_idcard"],
        json!(idcard("13030219950101203"))
    );
    assert_eq!(content["people"]["people_shangfang"], json!("1"));
    assert_eq!(content["house"]["people_house_role"], "租客");
    assert_eq!(list.body["meta"]["total"], json!(1));
    assert_eq!(list.body["meta"]["per_page"], json!(1));
    assert!(
        list.body["links"]["first"]
            .as_str()
            .unwrap()
            .ends_with("/api/v1/wjdh/shenheList?page=1")
    );

    let one = app
        .post(
            "/api/v1/wjdh/shenhe",
            json!({"id": review}),
            Some(&platform),
        )
        .await;
    assert_eq!(one.code(), 0, "{:?}", one.body);
    assert_eq!(one.str("msg"), "成功查询到该条审核数据");
    let missing = app
        .post("/api/v1/wjdh/shenhe", json!({}), Some(&platform))
        .await;
    assert_failure(&missing, 1, 400, "必须传递shenhe表的id值");
    app.stop().await;
}

#[tokio::test]
async fn the_review_list_asked_again_is_the_page_kept_until_a_review_changes() {
    let app = spawn_app().await;
    let (_, _, review) = tenant_under_review(&app).await;
    let platform = app.platform().await;
    let list = || {
        app.post(
            "/api/v1/wjdh/shenheList",
            json!({"community_identifier": "10002"}),
            Some(&platform),
        )
    };
    let pages = |outcome| app.list_pages("/api/v1/wjdh/shenheList", outcome);
    let first = list().await;
    let again = list().await;
    assert_eq!(first.body, again.body);
    assert_eq!(first.body["data"][0]["shenhe_status"], json!(2));
    assert_eq!((pages("read").await, pages("unchanged").await), (1, 1));

    let approved = app.approve(&platform, review).await;
    assert_eq!(approved.code(), 0, "{:?}", approved.body);
    let after = list().await;
    assert_eq!(after.body["data"][0]["id"], json!(review));
    assert_eq!(after.body["data"][0]["shenhe_status"], json!(1));
    assert_eq!((pages("read").await, pages("unchanged").await), (2, 1));
    app.stop().await;
}

#[tokio::test]
async fn an_approved_tenant_is_bound_to_the_house_and_the_decision_is_final_and_logged() {
    let app = spawn_app().await;
    let (tenant, house, review) = tenant_under_review(&app).await;
    let platform = app.platform().await;
    let approved = app.approve(&platform, review).await;
    assert_eq!(approved.code(), 0, "{:?}", approved.body);
    assert_eq!(approved.body["data"]["shenhe_status"], json!(1));
    let again = app.refuse(&platform, review, "x").await;
    assert_eq!((again.code(), again.status.as_u16()), (1, 409));

    assert_eq!(app.permissions(&tenant).await, json!(["HouseMember"]));
    let bound = app
        .post("/api/v1/user/housesList", json!({}), Some(&tenant))
        .await;
    let binding = &bound.body["data"][0];
    assert_eq!(
        (binding["status"].as_str(), binding["role"].as_str()),
        (Some("审核通过"), Some("租客"))
    );
    assert_eq!(binding["house_id"], json!(house));
    let detail = house_detail(&app, &tenant, house).await;
    assert_eq!(detail.code(), 0, "{:?}", detail.body);

    let log = app
        .post(
            "/api/v1/wjdh/shenheLog",
            json!({"community_identifier": "10002"}),
            Some(&platform),
        )
        .await;
    assert_eq!(log.code(), 0, "{:?}", log.body);
    let decision = &log.body["data"][0];
    assert_eq!(
        (
            decision["shenhe_id"].clone(),
            decision["secret_id"].as_str()
        ),
        (json!(review), Some("123456"))
    );
    assert_eq!(decision["shenhe_status"], json!(1));
    app.stop().await;
}

/// Someone applying to be 业主: what their form says of them.
struct Applicant {
    openid: &'static str,
    phone: &'static str,
    /// The first 17 digits of their ID number.
    first17: &'static str,
    birth: &'static str,
    name: &'static str,
}

const FIRST_OWNER: Applicant = Applicant {
    openid: "o-first-owner",
    phone: "13700005555",
    first17: "13030219700303301",
    birth: "19700303",
    name: "老业主",
};
const BUYER: Applicant = Applicant {
    openid: "o-buyer",
    phone: "13700006666",
    first17: "13030219850505402",
    birth: "19850505",
    name: "新业主",
};
/// 晨曦家园3栋1单元5楼501 has no owner in the fixture.
const HOUSE_501: [i64; 4] = [3, 1, 5, 501];

fn owner_form(house: i64, applicant: &Applicant) -> Value {
    let mut form = tenant_form(house);
    form["phone"] = json!(applicant.phone);
    form["idcard"] = json!(idcard(applicant.first17));
    form["birth"] = json!(applicant.birth);
    form["name"] = json!(applicant.name);
    form["role"] = json!("业主");
    form["status"] = json!("自用");
    form["type"] = json!("业主");
    form
}

/// `applicant` signed in, registered as 业主 of 晨曦家园 `numbers` and approved by `platform`.
async fn approved_owner(
    app: &TestApp,
    platform: &str,
    applicant: &Applicant,
    numbers: [i64; 4],
) -> BoundResident {
    let token = app.resident_token(applicant.openid, applicant.phone).await;
    let house = app.house_id(&token, "10002", numbers).await;
    let submitted = register(app, &token, owner_form(house, applicant)).await;
    assert_eq!(submitted.code(), 0, "{:?}", submitted.body);
    let review = submitted.body["data"]["shenhe_id"].as_i64().unwrap();
    let approved = app.approve(platform, review).await;
    assert_eq!(approved.code(), 0, "{:?}", approved.body);
    BoundResident { token, house }
}

/// Files a review of `path` (`modifyPerson`, `unbindHouse` …) and checks its type; its id.
async fn review_filed(app: &TestApp, token: &str, path: &str, body: Value, kind: &str) -> i64 {
    let filed = app.post(path, body, Some(token)).await;
    assert_eq!(filed.code(), 0, "{path}: {:?}", filed.body);
    assert_eq!(filed.body["data"]["shenhe_type"], kind, "{path}");
    filed.body["data"]["shenhe_id"].as_i64().unwrap()
}

#[tokio::test]
async fn a_buyer_replaces_the_owner_with_choice_2_once_the_platform_approves() {
    let app = spawn_app().await;
    let platform = app.platform().await;
    let first_owner = approved_owner(&app, &platform, &FIRST_OWNER, HOUSE_501).await;
    let house = first_owner.house;

    // 替换业主: a buyer asks to replace the current owner.
    let buyer = app.resident_token(BUYER.openid, BUYER.phone).await;
    let mut buyer_form = owner_form(house, &BUYER);
    let plain = register(&app, &buyer, buyer_form.clone()).await;
    assert_failure(
        &plain,
        1,
        409,
        "该房屋已绑定业主：如需替换业主，请选择choice=2（替换业主）",
    );
    buyer_form["choice"] = json!(2);
    // The platform's review is the gate here: the old owner may be gone for good.
    let replace = review_filed(
        &app,
        &buyer,
        "/api/v1/weapp/yibiaosanshi",
        buyer_form,
        "替换业主",
    )
    .await;
    assert_eq!(app.approve(&platform, replace).await.code(), 0);
    let detail = house_detail(&app, &buyer, house).await;
    let members = detail.body["data"]["yibangding"].as_array().unwrap();
    assert_eq!(members.len(), 1, "{members:?}");
    assert_eq!(
        (members[0]["name"].as_str(), members[0]["role"].as_str()),
        (Some("新业主"), Some("业主"))
    );
    assert_eq!(
        app.permissions(&first_owner.token).await,
        json!(["NewMember"])
    );
    let gone = house_detail(&app, &first_owner.token, house).await;
    assert_eq!(gone.status.as_u16(), 403);
    app.stop().await;
}

#[tokio::test]
async fn personal_then_house_changes_are_reviewed_then_applied() {
    let app = spawn_app().await;
    let platform = app.platform().await;
    let BoundResident { token, house } = approved_owner(&app, &platform, &BUYER, HOUSE_501).await;
    let binding = app.first_binding(&token).await;

    // 修改个人信息.
    let mut person = owner_form(house, &BUYER);
    person["job"] = json!("律师");
    let modified = review_filed(
        &app,
        &token,
        "/api/v1/weapp/modifyPerson",
        person,
        "修改个人信息",
    )
    .await;
    assert_eq!(app.approve(&platform, modified).await.code(), 0);

    // 修改房屋数据.
    let moved = app
        .post(
            "/api/v1/weapp/modifyHouse",
            json!({"id": binding, "status": "出租"}),
            Some(&token),
        )
        .await;
    assert_eq!(
        (moved.code(), moved.status.as_u16()),
        (1, 400),
        "出租 is not a 房屋状态: {:?}",
        moved.body
    );
    let review = review_filed(
        &app,
        &token,
        "/api/v1/weapp/modifyHouse",
        json!({"id": binding, "status": "闲置"}),
        "修改房屋数据",
    )
    .await;
    let seen = app
        .post(
            "/api/v1/wjdh/shenhe",
            json!({"id": review}),
            Some(&platform),
        )
        .await;
    let content: Value =
        serde_json::from_str(seen.body["data"]["shenhe_content"].as_str().unwrap()).unwrap();
    assert_eq!(
        content["job"]["job_name"], "律师",
        "the approved personal change is the stored person now"
    );
    assert_eq!(content["house"]["people_house_status"], "闲置");
    assert_eq!(app.approve(&platform, review).await.code(), 0);
    let detail = house_detail(&app, &token, house).await;
    assert_eq!(detail.body["data"]["status"], "闲置");
    app.stop().await;
}

#[tokio::test]
async fn an_owner_leaves_the_house_once_the_platform_approves() {
    let app = spawn_app().await;
    let platform = app.platform().await;
    let owner = approved_owner(&app, &platform, &BUYER, HOUSE_501).await;
    let binding = app.first_binding(&owner.token).await;
    // 业主解绑: once approved the house is theirs no more.
    let leave = review_filed(
        &app,
        &owner.token,
        "/api/v1/weapp/unbindHouse",
        json!({"id": binding}),
        "业主解绑",
    )
    .await;
    assert_eq!(app.approve(&platform, leave).await.code(), 0);
    let left = app
        .post("/api/v1/user/housesList", json!({}), Some(&owner.token))
        .await;
    assert!(
        left.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|row| row["id"] != json!(binding)),
        "{:?}",
        left.body
    );
    assert_eq!(app.permissions(&owner.token).await, json!(["NewMember"]));
    app.stop().await;
}

const NEW_OWNER_OF_602: Applicant = Applicant {
    openid: "o-new-owner",
    phone: "13700002222",
    first17: "13030219800202301",
    birth: "19800202",
    name: "张伟",
};

/// An owner registration for 晨曦家园3栋2单元6楼602 (no owner anywhere: it needs no
/// verification), refused by the platform for 照片不清晰; (owner, review, their form).
async fn refused_owner_review(app: &TestApp) -> (String, i64, Value) {
    let owner = app
        .resident_token(NEW_OWNER_OF_602.openid, NEW_OWNER_OF_602.phone)
        .await;
    let house = app.house_id(&owner, "10002", [3, 2, 6, 602]).await;
    let form = owner_form(house, &NEW_OWNER_OF_602);
    let submitted = register(app, &owner, form.clone()).await;
    assert_eq!(submitted.code(), 0, "{:?}", submitted.body);
    let review = submitted.body["data"]["shenhe_id"].as_i64().unwrap();
    let platform = app.platform().await;
    let no_reason = app
        .put_form(
            "/api/v1/wjdh/shenhe",
            &[("id", &review.to_string()), ("status", "0")],
            &platform,
        )
        .await;
    assert_eq!((no_reason.code(), no_reason.status.as_u16()), (1, 400));
    let refused = app.refuse(&platform, review, "照片不清晰").await;
    assert_eq!(refused.code(), 0, "{:?}", refused.body);
    assert_eq!(refused.body["data"]["shenhe_refuse_reason"], "照片不清晰");
    (owner, review, form)
}

#[tokio::test]
async fn a_refusal_needs_a_reason_and_the_applicant_reads_it_in_the_review() {
    let app = spawn_app().await;
    let (owner, review, _) = refused_owner_review(&app).await;
    assert_eq!(app.permissions(&owner).await, json!(["NewMember"]));
    let detail = app
        .post("/api/v1/shenhe/detail", json!({"id": review}), Some(&owner))
        .await;
    assert_eq!(detail.code(), 0, "{:?}", detail.body);
    assert_eq!(detail.str("msg"), "成功获取用户审核信息");
    let data = &detail.body["data"];
    assert_eq!(
        (
            data["shenhe_status"].clone(),
            data["shenhe_refuse_reason"].as_str()
        ),
        (json!(0), Some("照片不清晰"))
    );
    assert_eq!(
        (data["shenhe_type"].as_str(), data["name"].as_str()),
        (Some("业主绑定"), Some("张伟"))
    );
    assert_eq!(
        data["idcard"],
        json!(idcard("13030219800202301")),
        "the applicant sees their own number"
    );
    assert_eq!(data["shangfang"], "", "上访 is for the platform only");
    let listed = app
        .post("/api/v1/user/housesList", json!({}), Some(&owner))
        .await;
    assert_eq!(listed.body["data"][0]["status"], "未通过");
    app.stop().await;
}

#[tokio::test]
async fn a_decided_review_is_not_withdrawn_and_nobody_else_reads_it() {
    let app = spawn_app().await;
    let (owner, review, _) = refused_owner_review(&app).await;
    let decided = app
        .delete_json("/api/v1/shenhe/detail", json!({"id": review}), &owner)
        .await;
    assert_eq!(decided.code(), 1);
    assert_eq!(decided.str("message"), "审核删除失败,message编程1879");
    let other = app.resident_token("o-other", "13700003333").await;
    let nosy = app
        .post("/api/v1/shenhe/detail", json!({"id": review}), Some(&other))
        .await;
    assert_failure(&nosy, 1, 404, "未查找到审核信息。message编码Yi1815");
    app.stop().await;
}

#[tokio::test]
async fn after_a_refusal_the_applicant_files_again_and_withdraws_the_pending_review() {
    let app = spawn_app().await;
    let (owner, _, form) = refused_owner_review(&app).await;
    let again = register(&app, &owner, form).await;
    assert_eq!(again.code(), 0, "{:?}", again.body);
    let pending = again.body["data"]["shenhe_id"].as_i64().unwrap();
    let withdrawn = app
        .delete_json("/api/v1/shenhe/detail", json!({"id": pending}), &owner)
        .await;
    assert_eq!(withdrawn.code(), 0, "{:?}", withdrawn.body);
    assert_eq!(
        (withdrawn.str("msg"), withdrawn.str("message")),
        ("删除成功", "删除成功")
    );
    app.stop().await;
}

#[tokio::test]
async fn registration_forms_are_validated_field_by_field() {
    let app = spawn_app().await;
    let token = app.resident_token("o-form", "13700004444").await;
    let house = app.house_id(&token, "10002", [3, 2, 6, 601]).await;
    let base = {
        let mut form = tenant_form(house);
        form["role"] = json!("业主");
        form["phone"] = json!("13700004444");
        form
    };
    for (field, value) in [
        ("idcard", json!("130302199501012031")),
        ("name", json!("")),
        ("phone", json!("1234")),
        ("sex", json!("未知")),
        ("role", json!("房东")),
        ("tyjr", json!(7)),
        ("birth", json!("19990101")),
        ("house_id", json!("abc")),
    ] {
        let mut form = base.clone();
        form[field] = value;
        let answer = register(&app, &token, form).await;
        assert_eq!(
            (answer.code(), answer.status.as_u16()),
            (1, 400),
            "{field}: {:?}",
            answer.body
        );
        let named = if field == "birth" {
            answer.str("msg").contains("birth") || answer.str("msg").contains("idcard")
        } else {
            answer.str("msg").contains(field)
        };
        assert!(named, "{field}: {:?}", answer.body);
    }
    let bind_first = app
        .post(
            "/api/v1/weapp/bindHouse",
            json!({"house_id": house, "role": "业主"}),
            Some(&token),
        )
        .await;
    assert_eq!(
        bind_first.code(),
        1,
        "bindHouse needs a registered person: {:?}",
        bind_first.body
    );
    app.stop().await;
}

const SWITCH_OWNER: Applicant = Applicant {
    openid: "o-switch",
    phone: "13700007777",
    first17: "13030219900909501",
    birth: "19900909",
    name: "开关测试",
};
const SWITCH_SON: Applicant = Applicant {
    openid: "o-switch-son",
    phone: "13700008888",
    first17: "13030220100101501",
    birth: "20100101",
    name: "开关儿子",
};

#[tokio::test]
async fn with_house_binding_off_an_owner_registration_is_refused() {
    let app = spawn_app().await;
    let platform = app.platform().await;
    let token = app
        .resident_token(SWITCH_OWNER.openid, SWITCH_OWNER.phone)
        .await;
    let house = app.house_id(&token, "10002", [2, 2, 3, 302]).await;
    app.set_module(&platform, "绑定房屋", "0").await;
    let refused = register(&app, &token, owner_form(house, &SWITCH_OWNER)).await;
    assert_eq!(
        (refused.code(), refused.status.as_u16()),
        (1, 403),
        "{:?}",
        refused.body
    );
    assert!(
        refused.str("msg").contains("绑定房屋"),
        "{:?}",
        refused.body
    );
    app.set_module(&platform, "绑定房屋", "1").await;
    let accepted = register(&app, &token, owner_form(house, &SWITCH_OWNER)).await;
    assert_eq!(accepted.code(), 0, "{:?}", accepted.body);
    app.stop().await;
}

#[tokio::test]
async fn with_family_binding_off_a_family_members_registration_is_refused() {
    let app = spawn_app().await;
    let platform = app.platform().await;
    let owner = approved_owner(&app, &platform, &SWITCH_OWNER, [2, 2, 3, 302]).await;
    let son = app
        .resident_token(SWITCH_SON.openid, SWITCH_SON.phone)
        .await;
    let mut family = owner_form(owner.house, &SWITCH_SON);
    family["role"] = json!("儿子");
    family["type"] = json!("其他");
    app.set_module(&platform, "绑定家属", "0").await;
    let refused = register(&app, &son, family).await;
    assert_eq!(
        (refused.code(), refused.status.as_u16()),
        (1, 403),
        "{:?}",
        refused.body
    );
    assert!(
        refused.str("msg").contains("绑定家属"),
        "{:?}",
        refused.body
    );
    app.stop().await;
}

#[tokio::test]
async fn a_corrected_content_is_read_as_an_object_with_002s_codes_and_a_bad_field_is_named() {
    let app = spawn_app().await;
    let owner = app.resident_token("o-corrected", "13700005555").await;
    let house = app.house_id(&owner, "10002", [3, 2, 6, 602]).await;
    let mut form = tenant_form(house);
    form["phone"] = json!("13700005555");
    form["idcard"] = json!(idcard("13030219800303301"));
    form["birth"] = json!("19800303");
    form["role"] = json!(1);
    form["status"] = json!("1");
    form["type"] = json!(1);
    let submitted = register(&app, &owner, form).await;
    assert_eq!(submitted.code(), 0, "{:?}", submitted.body);
    let review = submitted.body["data"]["shenhe_id"].as_i64().unwrap();
    let platform = app.platform().await;
    let seen = app
        .post(
            "/api/v1/wjdh/shenhe",
            json!({"id": review}),
            Some(&platform),
        )
        .await;
    let mut content: Value =
        serde_json::from_str(seen.body["data"]["shenhe_content"].as_str().unwrap()).unwrap();
    assert_eq!(
        content["house"]["people_house_role"], "业主",
        "002's code 1"
    );

    content["people"]["people_sex"] = json!(3);
    let refused = app
        .put_json(
            "/api/v1/wjdh/shenhe",
            json!({"id": review, "status": 1, "content": content.clone()}),
            &platform,
        )
        .await;
    assert_eq!((refused.code(), refused.status.as_u16()), (1, 400));
    assert_eq!(
        refused.str("message"),
        "content.people.people_sex必须是男、女之一",
        "{:?}",
        refused.body
    );

    content["people"]["people_sex"] = json!(2);
    content["people"]["people_name"] = json!("张薇");
    content["house"]["people_house_status"] = json!(2);
    // 001's example writes the review type where the household type goes.
    content["house"]["people_house_type"] = json!("业主绑定");
    let approved = app
        .put_json(
            "/api/v1/wjdh/shenhe",
            json!({"id": review, "status": "1", "content": content}),
            &platform,
        )
        .await;
    assert_eq!(approved.code(), 0, "{:?}", approved.body);
    let applied: Value =
        serde_json::from_str(approved.body["data"]["shenhe_content"].as_str().unwrap()).unwrap();
    assert_eq!(applied["people"]["people_sex"], "女");
    assert_eq!(applied["people"]["people_name"], "张薇");
    assert_eq!(applied["house"]["people_house_status"], "闲置");
    assert_eq!(applied["house"]["people_house_type"], "");
    app.stop().await;
}
