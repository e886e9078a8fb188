//! 000 §2.2–§3.2 and 001 §1.2.2–§1.2.4: import, owner verification, registration reviews decided
//! by the platform, houses, family rights — through the gateway, as the mini-program and the
//! security platform use them.
use serde_json::{Value, json};

use crate::helpers::{Answer, TestApp, assert_failure, spawn_app};

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

/// A resident signed up with `phone`; returns their token.
async fn resident(app: &TestApp, openid: &str, phone: &str) -> String {
    app.resident_token(openid, phone).await
}

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
    app.a_minute_passes(phone).await;
    let (key, code) = code_for(app, phone, "verify", None, None).await;
    app.post(
        "/api/v1/security/phone",
        json!({"verification_key": key, "verification_code": code, "id": "10002"}),
        Some(token),
    )
    .await
}

async fn permissions(app: &TestApp, token: &str) -> Value {
    app.post("/api/v1/people/permissions", json!({}), Some(token))
        .await
        .body["data"]
        .clone()
}

/// The house id of 晨曦家园 building/unit/floor/house, walking the tree.
async fn house_id(
    app: &TestApp,
    token: &str,
    building: i64,
    unit: i64,
    floor: i64,
    house: i64,
) -> i64 {
    let pick = |answer: &Answer, field: &str, number: i64| {
        answer.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|row| row[field] == json!(number))
            .unwrap_or_else(|| panic!("{field} {number} in {:?}", answer.body))["id"]
            .as_i64()
            .unwrap()
    };
    let buildings = app
        .post("/api/v1/buildings", json!({"id": "10002"}), Some(token))
        .await;
    let units = app
        .post(
            "/api/v1/units",
            json!({"id": pick(&buildings, "building_number", building)}),
            Some(token),
        )
        .await;
    let floors = app
        .post(
            "/api/v1/floors",
            json!({"id": pick(&units, "unit_number", unit)}),
            Some(token),
        )
        .await;
    let houses = app
        .post(
            "/api/v1/houses",
            json!({"id": pick(&floors, "floor_number", floor)}),
            Some(token),
        )
        .await;
    pick(&houses, "house_number", house)
}

fn member<'a>(detail: &'a Answer, list: &str, name: &str) -> &'a Value {
    detail.body["data"][list]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == name)
        .unwrap_or_else(|| panic!("{name} in {list}: {:?}", detail.body))
}

#[tokio::test]
async fn a_known_phone_imports_the_household_from_the_security_platform_once() {
    let app = spawn_app().await;
    let token = resident(&app, "o-fuyu", "15131512234").await;
    let first = import(&app, &token, "15131512234").await;
    assert_eq!(first.code(), 0, "{:?}", first.body);
    assert_eq!(first.str("msg"), "已自动绑定您的一标三实信息");
    assert_eq!(first.str("message"), "在安防平台查找到了数据");
    assert_eq!(permissions(&app, &token).await, json!(["HouseMember"]));

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

#[tokio::test]
async fn import_failures_answer_as_the_seed_shows() {
    let app = spawn_app().await;
    let token = resident(&app, "o-unknown", "13312345678").await;
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

    let fuyu = resident(&app, "o-fuyu-down", "15131512234").await;
    app.client
        .post(format!("{}/secplat/fail", app.stack.sandbox_url))
        .json(&json!({"times": 10}))
        .send()
        .await
        .unwrap();
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
async fn the_owner_sees_the_house_and_manages_family_rights() {
    let app = spawn_app().await;
    let owner = resident(&app, "o-owner", "15131512234").await;
    assert_eq!(import(&app, &owner, "15131512234").await.code(), 0);
    let house = house_id(&app, &owner, 1, 1, 1, 101).await;

    let detail = app
        .post("/api/v1/house/detail", json!({"id": house}), Some(&owner))
        .await;
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

    let wife = member(&detail, "yibangding", "李娜")["id"]
        .as_i64()
        .unwrap();
    let granted = app
        .put_json("/api/v1/house/shouquan", json!({"id": wife}), &owner)
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
        .put_json("/api/v1/house/shouquan", json!({"id": wife}), &owner)
        .await;
    assert_eq!(revoked.str("data"), "授权管理");
    assert_eq!(
        revoked.str("message"),
        "已经把该家庭成员的people_house_shouquan改为了0，0为禁止管理，1为授权管理"
    );
    let pay = app
        .put_json("/api/v1/house/charge", json!({"id": wife}), &owner)
        .await;
    assert_eq!(pay.str("data"), "禁止支付");
    let unpay = app
        .put_json("/api/v1/house/charge", json!({"id": wife}), &owner)
        .await;
    assert_eq!(unpay.str("data"), "授权支付");
    assert_eq!(
        unpay.str("message"),
        "已经把该家庭成员的people_house_charge改为了0，0为禁止支付，1为授权支付"
    );

    // A stranger may neither look nor change anything.
    let stranger = resident(&app, "o-stranger", "13312340000").await;
    let peek = app
        .post(
            "/api/v1/house/detail",
            json!({"id": house}),
            Some(&stranger),
        )
        .await;
    assert_eq!((peek.code(), peek.status.as_u16()), (1, 403));
    let meddle = app
        .put_json("/api/v1/house/shouquan", json!({"id": wife}), &stranger)
        .await;
    assert_eq!((meddle.code(), meddle.status.as_u16()), (1, 403));
    let son = member(&detail, "yibangding", "付聪")["id"]
        .as_i64()
        .unwrap();
    let evict = app
        .delete_json("/api/v1/house/shouquan", json!({"id": son}), &stranger)
        .await;
    assert_eq!((evict.code(), evict.status.as_u16()), (1, 403));

    let unbound = app
        .delete_json("/api/v1/house/shouquan", json!({"id": son}), &owner)
        .await;
    assert_eq!(unbound.code(), 0, "{:?}", unbound.body);
    assert_eq!(
        (unbound.str("msg"), unbound.str("message")),
        ("解绑成功", "删除成功")
    );
    let after = app
        .post("/api/v1/house/detail", json!({"id": house}), Some(&owner))
        .await;
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

#[tokio::test]
async fn a_tenant_verifies_the_owner_registers_and_the_platform_approves() {
    let app = spawn_app().await;
    let tenant = resident(&app, "o-tenant", "13700001111").await;
    let house = house_id(&app, &tenant, 1, 1, 2, 201).await;

    // Without the owner's code the registration is refused on the server.
    let early = app
        .post(
            "/api/v1/weapp/yibiaosanshi",
            tenant_form(house),
            Some(&tenant),
        )
        .await;
    assert_eq!(
        (early.code(), early.status.as_u16()),
        (1, 403),
        "{:?}",
        early.body
    );

    let owner = app
        .post(
            "/api/v1/security/yezhu",
            json!({"id": house}),
            Some(&tenant),
        )
        .await;
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
        assert_eq!(owner.body["data"][hidden], Value::Null, "{:?}", owner.body);
    }
    let house_name = owner.body["data"]["community_house_name"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(house_name, "晨曦家园1栋1单元2楼201号");
    assert!(!owner.body.to_string().contains(OWNER_OF_201));

    let (key, code) = code_for(
        &app,
        "176****1130",
        "yezhu",
        Some(&tenant),
        Some(&house_name),
    )
    .await;
    let wrong = app
        .post(
            "/api/v1/security/yezhu-code",
            json!({"verification_key": key, "verification_code": "000000"}),
            Some(&tenant),
        )
        .await;
    if code != "000000" {
        assert_failure(&wrong, 1, 400, "验证码错误");
    }
    let verified = app
        .post(
            "/api/v1/security/yezhu-code",
            json!({"verification_key": key, "verification_code": code}),
            Some(&tenant),
        )
        .await;
    assert_eq!(verified.code(), 0, "{:?}", verified.body);
    assert_eq!(
        (verified.str("msg"), verified.str("message")),
        ("验证成功", "验证成功")
    );
    let shown = app
        .post(
            "/api/v1/security/yezhu",
            json!({"id": house}),
            Some(&tenant),
        )
        .await;
    assert_eq!(shown.body["data"]["people_house_use"], "住宅");

    let submitted = app
        .post(
            "/api/v1/weapp/yibiaosanshi",
            tenant_form(house),
            Some(&tenant),
        )
        .await;
    assert_eq!(submitted.code(), 0, "{:?}", submitted.body);
    assert_eq!(
        (submitted.str("msg"), submitted.str("message")),
        ("已提交审核", "已提交审核")
    );
    assert_eq!(permissions(&app, &tenant).await, json!(["Shenheing"]));
    let twice = app
        .post(
            "/api/v1/weapp/yibiaosanshi",
            tenant_form(house),
            Some(&tenant),
        )
        .await;
    assert_eq!((twice.code(), twice.status.as_u16()), (1, 409));

    let mine = app
        .post("/api/v1/user/housesList", json!({}), Some(&tenant))
        .await;
    let pending = &mine.body["data"][0];
    assert_eq!(pending["status"], "待审核", "{:?}", mine.body);
    assert_eq!(pending["action"], "租客正在申请：租客绑定");
    let review = pending["shenhe_id"].as_i64().unwrap();

    // The platform of 交运里 may not see 晨曦家园's reviews.
    let other = app.platform_token("jyl-demo", "jyl-demo-secret").await;
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

    let platform = app.platform_token("123456", "123456").await;
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

    let approved = app
        .put_form(
            "/api/v1/wjdh/shenhe",
            &[("id", &review.to_string()), ("status", "1")],
            &platform,
        )
        .await;
    assert_eq!(approved.code(), 0, "{:?}", approved.body);
    assert_eq!(approved.body["data"]["shenhe_status"], json!(1));
    let again = app
        .put_form(
            "/api/v1/wjdh/shenhe",
            &[
                ("id", &review.to_string()),
                ("status", "0"),
                ("shenhe_refuse_reason", "x"),
            ],
            &platform,
        )
        .await;
    assert_eq!((again.code(), again.status.as_u16()), (1, 409));

    assert_eq!(permissions(&app, &tenant).await, json!(["HouseMember"]));
    let bound = app
        .post("/api/v1/user/housesList", json!({}), Some(&tenant))
        .await;
    let binding = &bound.body["data"][0];
    assert_eq!(
        (binding["status"].as_str(), binding["role"].as_str()),
        (Some("审核通过"), Some("租客"))
    );
    assert_eq!(binding["house_id"], json!(house));
    let detail = app
        .post("/api/v1/house/detail", json!({"id": house}), Some(&tenant))
        .await;
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

#[tokio::test]
async fn a_refused_review_shows_its_reason_and_pending_ones_can_be_withdrawn() {
    let app = spawn_app().await;
    let owner = resident(&app, "o-new-owner", "13700002222").await;
    // 晨曦家园3栋2单元6楼602 has no owner anywhere: an owner registration needs no verification.
    let house = house_id(&app, &owner, 3, 2, 6, 602).await;
    let mut form = tenant_form(house);
    form["phone"] = json!("13700002222");
    form["idcard"] = json!(idcard("13030219800202301"));
    form["birth"] = json!("19800202");
    form["role"] = json!("业主");
    form["status"] = json!("自用");
    form["type"] = json!("业主");
    let submitted = app
        .post("/api/v1/weapp/yibiaosanshi", form.clone(), Some(&owner))
        .await;
    assert_eq!(submitted.code(), 0, "{:?}", submitted.body);
    let review = submitted.body["data"]["shenhe_id"].as_i64().unwrap();

    let platform = app.platform_token("123456", "123456").await;
    let no_reason = app
        .put_form(
            "/api/v1/wjdh/shenhe",
            &[("id", &review.to_string()), ("status", "0")],
            &platform,
        )
        .await;
    assert_eq!((no_reason.code(), no_reason.status.as_u16()), (1, 400));
    let refused = app
        .put_form(
            "/api/v1/wjdh/shenhe",
            &[
                ("id", &review.to_string()),
                ("status", "0"),
                ("shenhe_refuse_reason", "照片不清晰"),
            ],
            &platform,
        )
        .await;
    assert_eq!(refused.code(), 0, "{:?}", refused.body);
    assert_eq!(refused.body["data"]["shenhe_refuse_reason"], "照片不清晰");
    assert_eq!(permissions(&app, &owner).await, json!(["NewMember"]));

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

    let decided = app
        .delete_json("/api/v1/shenhe/detail", json!({"id": review}), &owner)
        .await;
    assert_eq!(decided.code(), 1);
    assert_eq!(decided.str("message"), "审核删除失败,message编程1879");

    let other = resident(&app, "o-other", "13700003333").await;
    let nosy = app
        .post("/api/v1/shenhe/detail", json!({"id": review}), Some(&other))
        .await;
    assert_failure(&nosy, 1, 404, "未查找到审核信息。message编码Yi1815");

    let again = app
        .post("/api/v1/weapp/yibiaosanshi", form, Some(&owner))
        .await;
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
    let token = resident(&app, "o-form", "13700004444").await;
    let house = house_id(&app, &token, 3, 2, 6, 601).await;
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
        let answer = app
            .post("/api/v1/weapp/yibiaosanshi", form, Some(&token))
            .await;
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

/// Approves review `id` as the platform of 10002.
async fn approve(app: &TestApp, platform: &str, id: i64) -> Answer {
    app.put_form(
        "/api/v1/wjdh/shenhe",
        &[("id", &id.to_string()), ("status", "1")],
        platform,
    )
    .await
}

fn owner_form(house: i64, phone: &str, first17: &str, birth: &str, name: &str) -> Value {
    let mut form = tenant_form(house);
    form["phone"] = json!(phone);
    form["idcard"] = json!(idcard(first17));
    form["birth"] = json!(birth);
    form["name"] = json!(name);
    form["role"] = json!("业主");
    form["status"] = json!("自用");
    form["type"] = json!("业主");
    form
}

#[tokio::test]
async fn an_owner_is_replaced_and_the_unbuilt_review_types_work_like_the_others() {
    let app = spawn_app().await;
    let platform = app.platform_token("123456", "123456").await;
    let first_owner = resident(&app, "o-first-owner", "13700005555").await;
    let house = house_id(&app, &first_owner, 3, 1, 5, 501).await;
    let form = owner_form(
        house,
        "13700005555",
        "13030219700303301",
        "19700303",
        "老业主",
    );
    let submitted = app
        .post("/api/v1/weapp/yibiaosanshi", form, Some(&first_owner))
        .await;
    assert_eq!(submitted.code(), 0, "{:?}", submitted.body);
    assert_eq!(
        approve(
            &app,
            &platform,
            submitted.body["data"]["shenhe_id"].as_i64().unwrap()
        )
        .await
        .code(),
        0
    );

    // 替换业主: a buyer asks to replace the current owner.
    let buyer = resident(&app, "o-buyer", "13700006666").await;
    let mut buyer_form = owner_form(
        house,
        "13700006666",
        "13030219850505402",
        "19850505",
        "新业主",
    );
    let plain = app
        .post(
            "/api/v1/weapp/yibiaosanshi",
            buyer_form.clone(),
            Some(&buyer),
        )
        .await;
    assert_failure(
        &plain,
        1,
        409,
        "该房屋已绑定业主：如需替换业主，请选择choice=2（替换业主）",
    );
    buyer_form["choice"] = json!(2);
    // The platform's review is the gate here: the old owner may be gone for good.
    let replace = app
        .post("/api/v1/weapp/yibiaosanshi", buyer_form, Some(&buyer))
        .await;
    assert_eq!(replace.code(), 0, "{:?}", replace.body);
    assert_eq!(replace.body["data"]["shenhe_type"], "替换业主");
    assert_eq!(
        approve(
            &app,
            &platform,
            replace.body["data"]["shenhe_id"].as_i64().unwrap()
        )
        .await
        .code(),
        0
    );
    let detail = app
        .post("/api/v1/house/detail", json!({"id": house}), Some(&buyer))
        .await;
    let members = detail.body["data"]["yibangding"].as_array().unwrap();
    assert_eq!(members.len(), 1, "{members:?}");
    assert_eq!(
        (members[0]["name"].as_str(), members[0]["role"].as_str()),
        (Some("新业主"), Some("业主"))
    );
    assert_eq!(permissions(&app, &first_owner).await, json!(["NewMember"]));
    let gone = app
        .post(
            "/api/v1/house/detail",
            json!({"id": house}),
            Some(&first_owner),
        )
        .await;
    assert_eq!(gone.status.as_u16(), 403);

    // 修改个人信息, then 修改房屋数据: reviewed, then applied.
    let mine = app
        .post("/api/v1/user/housesList", json!({}), Some(&buyer))
        .await;
    let binding = mine.body["data"][0]["id"].as_i64().unwrap();
    let mut person = owner_form(
        house,
        "13700006666",
        "13030219850505402",
        "19850505",
        "新业主",
    );
    person["job"] = json!("律师");
    let modified = app
        .post("/api/v1/weapp/modifyPerson", person, Some(&buyer))
        .await;
    assert_eq!(modified.code(), 0, "{:?}", modified.body);
    assert_eq!(modified.body["data"]["shenhe_type"], "修改个人信息");
    assert_eq!(
        approve(
            &app,
            &platform,
            modified.body["data"]["shenhe_id"].as_i64().unwrap()
        )
        .await
        .code(),
        0
    );
    let moved = app
        .post(
            "/api/v1/weapp/modifyHouse",
            json!({"id": binding, "status": "出租"}),
            Some(&buyer),
        )
        .await;
    assert_eq!(
        (moved.code(), moved.status.as_u16()),
        (1, 400),
        "出租 is not a 房屋状态: {:?}",
        moved.body
    );
    let moved = app
        .post(
            "/api/v1/weapp/modifyHouse",
            json!({"id": binding, "status": "闲置"}),
            Some(&buyer),
        )
        .await;
    assert_eq!(moved.code(), 0, "{:?}", moved.body);
    assert_eq!(moved.body["data"]["shenhe_type"], "修改房屋数据");
    let review = moved.body["data"]["shenhe_id"].as_i64().unwrap();
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
    assert_eq!(approve(&app, &platform, review).await.code(), 0);
    let detail = app
        .post("/api/v1/house/detail", json!({"id": house}), Some(&buyer))
        .await;
    assert_eq!(detail.body["data"]["status"], "闲置");

    // 业主解绑: the owner asks to leave; once approved the house is theirs no more.
    let leave = app
        .post(
            "/api/v1/weapp/unbindHouse",
            json!({"id": binding}),
            Some(&buyer),
        )
        .await;
    assert_eq!(leave.code(), 0, "{:?}", leave.body);
    assert_eq!(leave.body["data"]["shenhe_type"], "业主解绑");
    assert_eq!(
        approve(
            &app,
            &platform,
            leave.body["data"]["shenhe_id"].as_i64().unwrap()
        )
        .await
        .code(),
        0
    );
    let left = app
        .post("/api/v1/user/housesList", json!({}), Some(&buyer))
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
    assert_eq!(permissions(&app, &buyer).await, json!(["NewMember"]));
    app.stop().await;
}

/// Switches a module of 10002 as its platform.
async fn set_module(app: &TestApp, platform: &str, module: &str, on: &str) {
    let answer = app
        .put_form(
            "/api/v1/wjdh/module",
            &[
                ("xiaoqu", "10002"),
                ("module_name", module),
                ("module_status", on),
            ],
            platform,
        )
        .await;
    assert_eq!(answer.code(), 0, "{:?}", answer.body);
}

#[tokio::test]
async fn the_binding_switches_refuse_registrations_while_they_are_off() {
    let app = spawn_app().await;
    let platform = app.platform_token("123456", "123456").await;
    let token = resident(&app, "o-switch", "13700007777").await;
    let house = house_id(&app, &token, 2, 2, 3, 302).await;
    let owner = owner_form(
        house,
        "13700007777",
        "13030219900909501",
        "19900909",
        "开关测试",
    );

    set_module(&app, &platform, "绑定房屋", "0").await;
    let refused = app
        .post("/api/v1/weapp/yibiaosanshi", owner.clone(), Some(&token))
        .await;
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

    set_module(&app, &platform, "绑定房屋", "1").await;
    let accepted = app
        .post("/api/v1/weapp/yibiaosanshi", owner, Some(&token))
        .await;
    assert_eq!(accepted.code(), 0, "{:?}", accepted.body);
    assert_eq!(
        approve(
            &app,
            &platform,
            accepted.body["data"]["shenhe_id"].as_i64().unwrap()
        )
        .await
        .code(),
        0
    );

    // A family member of that house: 绑定家属 decides.
    let son = resident(&app, "o-switch-son", "13700008888").await;
    let mut family = owner_form(
        house,
        "13700008888",
        "13030220100101501",
        "20100101",
        "开关儿子",
    );
    family["role"] = json!("儿子");
    family["type"] = json!("其他");
    set_module(&app, &platform, "绑定家属", "0").await;
    let refused = app
        .post("/api/v1/weapp/yibiaosanshi", family, Some(&son))
        .await;
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
    let owner = resident(&app, "o-corrected", "13700005555").await;
    let house = house_id(&app, &owner, 3, 2, 6, 602).await;
    let mut form = tenant_form(house);
    form["phone"] = json!("13700005555");
    form["idcard"] = json!(idcard("13030219800303301"));
    form["birth"] = json!("19800303");
    form["role"] = json!(1);
    form["status"] = json!("1");
    form["type"] = json!(1);
    let submitted = app
        .post("/api/v1/weapp/yibiaosanshi", form, Some(&owner))
        .await;
    assert_eq!(submitted.code(), 0, "{:?}", submitted.body);
    let review = submitted.body["data"]["shenhe_id"].as_i64().unwrap();
    let platform = app.platform_token("123456", "123456").await;
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
