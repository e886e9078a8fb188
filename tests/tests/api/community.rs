//! 001 §3–§6 through the gateway: module switches, repairs (with seed 003's workflow),
//! announcements, complaints, emergency numbers, visitor passes and photos — each documented
//! example of the seed reproduced.
use serde_json::{Value, json};

use crate::helpers::{Answer, TestApp, assert_failure, spawn_app};

/// The fixture's 付钰 (owner of 晨曦家园 1-1-101 and 102), imported; (token, house 101, house 102).
async fn bound_resident(app: &TestApp) -> (String, i64, i64) {
    let phone = "15131512234";
    let token = app.resident_token("o-fuyu", phone).await;
    app.a_minute_passes(phone).await;
    let sent = app
        .post(
            "/api/v1/verificationCodes/phone",
            json!({"phone": phone, "type": "verify"}),
            None,
        )
        .await;
    assert_eq!(sent.code(), 0, "{:?}", sent.body);
    let code = app.last_code(phone).await;
    let imported = app
        .post(
            "/api/v1/security/phone",
            json!({"verification_key": sent.str("key"), "verification_code": code, "id": "10002"}),
            Some(&token),
        )
        .await;
    assert_eq!(imported.code(), 0, "{:?}", imported.body);
    let list = app
        .post("/api/v1/user/housesList", json!({}), Some(&token))
        .await;
    let house = |intro: &str| {
        list.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["introduction"] == intro)
            .unwrap_or_else(|| panic!("{intro} in {:?}", list.body))["house_id"]
            .as_i64()
            .unwrap()
    };
    let (h101, h102) = (
        house("晨曦家园1栋1单元1楼101号"),
        house("晨曦家园1栋1单元1楼102号"),
    );
    (token, h101, h102)
}

async fn switch(app: &TestApp, platform: &str, module: &str, on: &str) {
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

fn rows<'a>(answer: &'a Answer, list: &str) -> &'a Vec<Value> {
    answer.body["data"][list]
        .as_array()
        .unwrap_or_else(|| panic!("{list} in {:?}", answer.body))
}

#[tokio::test]
async fn the_module_switches_are_listed_and_changed_as_the_seed_shows() {
    let app = spawn_app().await;
    let platform = app.platform_token("123456", "123456").await;
    // 3.2.1: the nine modules, synced at start from the security platform's fixture.
    let list = app
        .post_form_token("/api/v1/wjdh/modules", &[("xiaoqu", "10002")], &platform)
        .await;
    assert_eq!(list.code(), 0, "{:?}", list.body);
    assert_eq!(list.str("msg"), "成功获取模块列表");
    assert_eq!(list.body["token_expired"], json!(1));
    let modules = list.body["data"].as_array().unwrap();
    assert_eq!(modules.len(), 9);
    assert_eq!(
        modules[0],
        json!({"id": 1, "community_identifier": "10002", "module_name": "绑定房屋", "module_status": 1})
    );
    assert_eq!(modules[4]["module_name"], "云停车场");
    assert_eq!(modules[4]["module_status"], json!(0));
    assert_eq!(modules[8]["module_name"], "访客通行");

    // 3.2.2 as documented, then the list shows it.
    let changed = app
        .put_form(
            "/api/v1/wjdh/module",
            &[
                ("xiaoqu", "10002"),
                ("module_name", "投诉建议"),
                ("module_status", "0"),
            ],
            &platform,
        )
        .await;
    assert_eq!(changed.code(), 0, "{:?}", changed.body);
    assert_eq!(changed.str("msg"), "模块状态更新成功");
    assert_eq!(
        changed.str("message"),
        "message编码SecurityPlatformController491"
    );
    let again = app
        .post_form_token("/api/v1/wjdh/modules", &[("xiaoqu", "10002")], &platform)
        .await;
    assert_eq!(again.body["data"][5]["module_status"], json!(0));

    // Scope and input.
    let other = app
        .post_form_token("/api/v1/wjdh/modules", &[("xiaoqu", "10003")], &platform)
        .await;
    assert_eq!((other.code(), other.status.as_u16()), (1, 403));
    let unknown = app
        .put_form(
            "/api/v1/wjdh/module",
            &[
                ("xiaoqu", "10002"),
                ("module_name", "停车"),
                ("module_status", "1"),
            ],
            &platform,
        )
        .await;
    assert_eq!((unknown.code(), unknown.status.as_u16()), (1, 400));
    assert!(
        unknown.str("msg").starts_with("module_name"),
        "{:?}",
        unknown.body
    );
    let bad = app
        .put_form(
            "/api/v1/wjdh/module",
            &[
                ("xiaoqu", "10002"),
                ("module_name", "投诉建议"),
                ("module_status", "2"),
            ],
            &platform,
        )
        .await;
    assert!(
        bad.str("msg").starts_with("module_status"),
        "{:?}",
        bad.body
    );

    // 3.1.1 on demand restores the security platform's view.
    let synced = app
        .post_form_token("/api/v1/wjdh/modules/sync", &[], &platform)
        .await;
    assert_eq!(synced.code(), 0, "{:?}", synced.body);
    // Only the communities of this credential: 10002's nine switches, not 10003's.
    assert_eq!(synced.body["data"]["communities"], json!(1));
    assert_eq!(synced.body["data"]["modules"], json!(9));

    // A bound resident reads their community's switches; a stranger may not.
    let (resident, _, _) = bound_resident(&app).await;
    let mine = app
        .post(
            "/api/v1/weapp/modules",
            json!({"xiaoqu": "10002"}),
            Some(&resident),
        )
        .await;
    assert_eq!(mine.code(), 0, "{:?}", mine.body);
    assert_eq!(mine.body["data"][5]["module_status"], json!(1));
    let stranger = app.resident_token("o-stranger", "13912345678").await;
    let refused = app
        .post(
            "/api/v1/weapp/modules",
            json!({"xiaoqu": "10002"}),
            Some(&stranger),
        )
        .await;
    assert_eq!((refused.code(), refused.status.as_u16()), (1, 403));
    app.stop().await;
}

#[tokio::test]
async fn a_repair_is_filed_listed_and_worked_through_as_the_seeds_show() {
    let app = spawn_app().await;
    let platform = app.platform_token("123456", "123456").await;
    let (resident, h101, _) = bound_resident(&app).await;

    // The platform builds a 3-level category tree (seed 003 §4.2).
    let mut parent = Value::Null;
    let mut leaf = 0;
    for name in ["楼道", "灯泡", "爆炸"] {
        let added = app
            .post(
                "/api/v1/wjdh/repair/category",
                json!({"name": name, "parent_id": parent}),
                Some(&platform),
            )
            .await;
        assert_eq!(added.code(), 0, "{:?}", added.body);
        leaf = added.body["data"]["id"].as_i64().unwrap();
        parent = json!(leaf);
    }
    let fourth = app
        .post(
            "/api/v1/wjdh/repair/category",
            json!({"name": "太深", "parent_id": leaf}),
            Some(&platform),
        )
        .await;
    assert!(
        fourth.str("msg").starts_with("parent_id"),
        "{:?}",
        fourth.body
    );
    let tree = app
        .post("/api/v1/repair/categories", json!({}), Some(&resident))
        .await;
    assert_eq!(
        tree.body["data"][0]["children"][0]["children"][0]["name"],
        "爆炸"
    );

    // The resident files two repairs for a bound house.
    let filed = app
        .post(
            "/api/v1/weapp/repair",
            json!({"house_id": h101, "possion": "2位置位置位置位置", "description": "2描述描述描述",
                   "category_id": leaf, "name": "杨哲", "phone": "17610493577"}),
            Some(&resident),
        )
        .await;
    assert_eq!(filed.code(), 0, "{:?}", filed.body);
    assert_eq!(filed.body["data"]["category"], "楼道/灯泡/爆炸");
    assert_eq!(filed.body["data"]["stage"], "NEW");
    let id = filed.body["data"]["id"].as_i64().unwrap();
    let second = app
        .post(
            "/api/v1/weapp/repair",
            json!({"house_id": h101, "possion": "测试位置", "description": "测试描述", "name": "杨哲", "phone": "17610493577"}),
            Some(&resident),
        )
        .await;
    assert_eq!(second.code(), 0, "{:?}", second.body);

    // Bad input names the field; a house not bound is refused.
    let missing = app
        .post(
            "/api/v1/weapp/repair",
            json!({"house_id": h101, "possion": "x"}),
            Some(&resident),
        )
        .await;
    assert_eq!((missing.code(), missing.status.as_u16()), (1, 400));
    assert!(
        missing.str("msg").starts_with("description"),
        "{:?}",
        missing.body
    );
    let long = app
        .post(
            "/api/v1/weapp/repair",
            json!({"house_id": h101, "possion": "位".repeat(201), "description": "d"}),
            Some(&resident),
        )
        .await;
    assert!(long.str("msg").starts_with("possion"), "{:?}", long.body);
    let not_mine = app
        .post(
            "/api/v1/weapp/repair",
            json!({"house_id": h101 + 1000, "possion": "p", "description": "d"}),
            Some(&resident),
        )
        .await;
    assert_eq!((not_mine.code(), not_mine.status.as_u16()), (1, 403));

    // 4.1 as documented.
    let list = app
        .post_form_token(
            "/api/v1/wjdh/repair/list",
            &[("xiaoqu", "10002")],
            &platform,
        )
        .await;
    assert_eq!(list.code(), 0, "{:?}", list.body);
    assert_eq!(list.str("msg"), "成功查询返回报修列表");
    let repairs = rows(&list, "repairs");
    assert_eq!(repairs.len(), 2);
    let first = repairs.iter().find(|r| r["id"] == json!(id)).unwrap();
    for (field, value) in [
        ("possion", json!("2位置位置位置位置")),
        ("description", json!("2描述描述描述")),
        ("status", json!(0)),
        ("reply", Value::Null),
        ("name", json!("杨哲")),
        ("phone", json!("17610493577")),
    ] {
        assert_eq!(first[field], value, "{field}");
    }
    let pages = &list.body["data"]["pages"];
    assert_eq!(pages["current_page"], json!(1));
    assert_eq!(pages["total"], json!(2));
    assert_eq!(
        (pages["from"].clone(), pages["to"].clone()),
        (json!(1), json!(2))
    );
    assert!(
        pages["path"]
            .as_str()
            .unwrap()
            .ends_with("/api/v1/wjdh/repair/list")
    );
    assert!(
        pages["first_page_url"]
            .as_str()
            .unwrap()
            .ends_with("/api/v1/wjdh/repair/list?page=1")
    );
    assert_eq!(pages["next_page_url"], Value::Null);
    let paged = app
        .post_form_token(
            "/api/v1/wjdh/repair/list",
            &[("xiaoqu", "10002"), ("per_page", "1"), ("page", "2")],
            &platform,
        )
        .await;
    assert_eq!(rows(&paged, "repairs").len(), 1);
    assert_eq!(paged.body["data"]["pages"]["last_page"], json!(2));
    let other = app
        .post_form_token(
            "/api/v1/wjdh/repair/list",
            &[("xiaoqu", "10003")],
            &platform,
        )
        .await;
    assert_eq!((other.code(), other.status.as_u16()), (1, 403));

    // 4.2 as documented.
    let one = app
        .post("/api/v1/repair", json!({"id": id}), Some(&platform))
        .await;
    assert_eq!(one.code(), 0, "{:?}", one.body);
    assert_eq!(one.str("msg"), "成功获取报修记录");
    assert_eq!(one.str("message"), "message编码Repairs121");
    assert!(one.body["data"]["date"].as_str().unwrap().contains('年'));
    let jyl = app.platform_token("jyl-demo", "jyl-demo-secret").await;
    let foreign = app
        .post("/api/v1/repair", json!({"id": id}), Some(&jyl))
        .await;
    assert_eq!((foreign.code(), foreign.status.as_u16()), (1, 403));

    // Seed 003's workflow with who and when, an illegal step refused, the settlement party.
    let skip = app
        .put_form(
            "/api/v1/repair",
            &[("id", &id.to_string()), ("action", "REPAIR")],
            &platform,
        )
        .await;
    assert_eq!((skip.code(), skip.status.as_u16()), (1, 409));
    let received = app
        .put_form(
            "/api/v1/repair",
            &[
                ("id", &id.to_string()),
                ("action", "RECEIVE"),
                ("staff", "孔老师"),
            ],
            &platform,
        )
        .await;
    assert_eq!(received.code(), 0, "{:?}", received.body);
    assert_eq!(received.body["data"]["steps"][0]["by"], "孔老师");
    let repairing = app
        .put_form(
            "/api/v1/repair",
            &[("id", &id.to_string()), ("action", "REPAIR")],
            &platform,
        )
        .await;
    assert_eq!(repairing.body["data"]["stage"], "REPAIR");
    let no_party = app
        .put_form(
            "/api/v1/repair",
            &[("id", &id.to_string()), ("action", "DONE")],
            &platform,
        )
        .await;
    assert!(
        no_party.str("msg").starts_with("pay_part"),
        "{:?}",
        no_party.body
    );
    let done = app
        .put_form(
            "/api/v1/repair",
            &[
                ("id", &id.to_string()),
                ("action", "DONE"),
                ("pay_part", "OWNER_SETT"),
                ("reply", "已更换灯泡"),
            ],
            &platform,
        )
        .await;
    assert_eq!(done.code(), 0, "{:?}", done.body);
    assert_eq!(done.body["data"]["status"], json!(1));
    assert_eq!(done.body["data"]["pay_part"], "OWNER_SETT");
    assert_eq!(done.body["data"]["steps"].as_array().unwrap().len(), 3);
    let again = app
        .put_form(
            "/api/v1/repair",
            &[("id", &id.to_string()), ("action", "RECEIVE")],
            &platform,
        )
        .await;
    assert_eq!((again.code(), again.status.as_u16()), (1, 409));

    // 4.3 as documented (status=1 with a reply) on the second one.
    let second_id = second.body["data"]["id"].as_i64().unwrap().to_string();
    let updated = app
        .put_form(
            "/api/v1/repair",
            &[("id", &second_id), ("status", "1"), ("reply", "测试")],
            &platform,
        )
        .await;
    assert_eq!(updated.code(), 0, "{:?}", updated.body);
    assert_eq!(updated.str("msg"), "修改成功");
    assert_eq!(updated.str("message"), "message编码Repairs123");

    // The resident sees progress and replies; someone else's repair is 403.
    let mine = app
        .post("/api/v1/weapp/repairs", json!({}), Some(&resident))
        .await;
    assert_eq!(rows(&mine, "repairs").len(), 2);
    let detail = app
        .post(
            "/api/v1/weapp/repair/detail",
            json!({"id": id}),
            Some(&resident),
        )
        .await;
    assert_eq!(detail.body["data"]["reply"], "已更换灯泡");
    assert_eq!(detail.body["data"]["stage"], "DONE");
    let stranger = app.resident_token("o-stranger", "13912345678").await;
    let theirs = app
        .post(
            "/api/v1/weapp/repair/detail",
            json!({"id": id}),
            Some(&stranger),
        )
        .await;
    assert_failure(&theirs, 1, 403, "the record belongs to someone else");

    // With 物业报修 off no repair is filed.
    switch(&app, &platform, "物业报修", "0").await;
    let off = app
        .post(
            "/api/v1/weapp/repair",
            json!({"house_id": h101, "possion": "p", "description": "d"}),
            Some(&resident),
        )
        .await;
    assert_eq!((off.code(), off.status.as_u16()), (1, 403));
    assert_eq!(off.str("msg"), "该小区的物业报修功能已关闭");
    app.stop().await;
}

#[tokio::test]
async fn announcements_are_created_ordered_closed_and_deleted() {
    let app = spawn_app().await;
    let platform = app.platform_token("123456", "123456").await;
    // 5.1 as documented, every field.
    let created = app
        .post_form_token(
            "/api/v1/announcement/new",
            &[
                ("xiaoqu", "10002"),
                ("title", "停水通知"),
                ("content", "明日停水"),
                ("order", "0"),
                ("top", "0"),
                ("status", "1"),
                ("images", "http://x/a.jpg,http://x/b.png"),
            ],
            &platform,
        )
        .await;
    assert_eq!(created.code(), 0, "{:?}", created.body);
    assert_eq!(created.str("msg"), "公告发布成功");
    assert_eq!(created.str("message"), "message编码Announcements75");
    let plain = created.body["data"].as_i64().unwrap();
    let weighty = app
        .post(
            "/api/v1/announcement/new",
            json!({"xiaoqu": "10002", "title": "权重", "content": "c", "order": 5, "manager": "物业办", "logo": "http://x/logo.png"}),
            Some(&platform),
        )
        .await
        .body["data"]
        .as_i64()
        .unwrap();
    let topped = app
        .post(
            "/api/v1/announcement/new",
            json!({"xiaoqu": "10002", "title": "置顶", "content": "c", "top": 1}),
            Some(&platform),
        )
        .await
        .body["data"]
        .as_i64()
        .unwrap();
    let newest = app
        .post(
            "/api/v1/announcement/new",
            json!({"xiaoqu": "10002", "title": "最新", "content": "c"}),
            Some(&platform),
        )
        .await
        .body["data"]
        .as_i64()
        .unwrap();
    let missing = app
        .post(
            "/api/v1/announcement/new",
            json!({"xiaoqu": "10002", "content": "c"}),
            Some(&platform),
        )
        .await;
    assert!(
        missing.str("msg").starts_with("title"),
        "{:?}",
        missing.body
    );
    let foreign = app
        .post(
            "/api/v1/announcement/new",
            json!({"xiaoqu": "10003", "title": "t", "content": "c"}),
            Some(&platform),
        )
        .await;
    assert_eq!((foreign.code(), foreign.status.as_u16()), (1, 403));

    // Residents: top first, then weight, then newest; default manager is the community's 物业.
    let (resident, _, _) = bound_resident(&app).await;
    let list = app
        .post(
            "/api/v1/weapp/announcements",
            json!({"xiaoqu": "10002"}),
            Some(&resident),
        )
        .await;
    assert_eq!(list.code(), 0, "{:?}", list.body);
    let ids: Vec<i64> = rows(&list, "announcements")
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![topped, weighty, newest, plain]);
    let first = &rows(&list, "announcements")[3];
    assert_eq!(first["manager"], "晨曦家园物业");
    assert_eq!(first["images"], json!(["http://x/a.jpg", "http://x/b.png"]));

    // Close (edit status=0): hidden from residents, still listed for the platform.
    let closed = app
        .put_json(
            "/api/v1/announcement",
            json!({"id": topped, "status": 0}),
            &platform,
        )
        .await;
    assert_eq!(closed.code(), 0, "{:?}", closed.body);
    assert_eq!(closed.body["data"]["title"], "置顶");
    let after = app
        .post(
            "/api/v1/weapp/announcements",
            json!({"xiaoqu": "10002"}),
            Some(&resident),
        )
        .await;
    assert_eq!(rows(&after, "announcements").len(), 3);
    let hidden = app
        .post(
            "/api/v1/weapp/announcement",
            json!({"id": topped}),
            Some(&resident),
        )
        .await;
    assert_eq!((hidden.code(), hidden.status.as_u16()), (1, 404));
    let one = app
        .post(
            "/api/v1/weapp/announcement",
            json!({"id": weighty}),
            Some(&resident),
        )
        .await;
    assert_eq!(one.body["data"]["logo"], "http://x/logo.png");
    let all = app
        .post(
            "/api/v1/wjdh/announcements",
            json!({"xiaoqu": "10002"}),
            Some(&platform),
        )
        .await;
    assert_eq!(all.body["data"]["pages"]["total"], json!(4));

    // Delete; a stranger cannot read the community's list.
    let deleted = app
        .delete_json("/api/v1/announcement", json!({"id": plain}), &platform)
        .await;
    assert_eq!(deleted.code(), 0, "{:?}", deleted.body);
    let stranger = app.resident_token("o-stranger", "13912345678").await;
    let refused = app
        .post(
            "/api/v1/weapp/announcements",
            json!({"xiaoqu": "10002"}),
            Some(&stranger),
        )
        .await;
    assert_eq!((refused.code(), refused.status.as_u16()), (1, 403));
    app.stop().await;
}

#[tokio::test]
async fn complaints_emergency_numbers_and_visitor_passes() {
    let app = spawn_app().await;
    let platform = app.platform_token("123456", "123456").await;
    let (resident, h101, _) = bound_resident(&app).await;

    // A complaint with a photo the resident uploaded.
    let png =
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89".to_vec();
    let form = reqwest::multipart::Form::new()
        .text("xiaoqu", "10002")
        .part(
            "file",
            reqwest::multipart::Part::bytes(png.clone()).file_name("a.png"),
        );
    let uploaded = app
        .post_multipart("/api/v1/weapp/community/photo", form, &resident)
        .await;
    assert_eq!(uploaded.code(), 0, "{:?}", uploaded.body);
    let url = uploaded.str("data").to_owned();
    let text = reqwest::multipart::Form::new()
        .text("xiaoqu", "10002")
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"not an image".to_vec()).file_name("a.png"),
        );
    let refused = app
        .post_multipart("/api/v1/weapp/community/photo", text, &resident)
        .await;
    assert!(refused.str("msg").starts_with("file"), "{:?}", refused.body);
    let raw = app.get_raw(&url, Some(&resident)).await;
    assert_eq!(raw.bytes, png);
    assert_eq!(raw.header("content-type"), "image/png");
    let by_platform = app.get_raw(&url, Some(&platform)).await;
    assert_eq!(by_platform.status.as_u16(), 200);

    let submitted = app
        .post(
            "/api/v1/weapp/complaint",
            json!({"type": "投诉", "content": "楼道太吵", "images": url, "house_id": h101}),
            Some(&resident),
        )
        .await;
    assert_eq!(submitted.code(), 0, "{:?}", submitted.body);
    assert_eq!(submitted.body["data"]["status"], "待处理");
    let cid = submitted.body["data"]["id"].as_i64().unwrap();
    let foreign_image = app
        .post(
            "/api/v1/weapp/complaint",
            json!({"type": "建议", "content": "c", "images": "http://evil/x.jpg", "xiaoqu": "10002"}),
            Some(&resident),
        )
        .await;
    assert!(
        foreign_image.str("msg").starts_with("images"),
        "{:?}",
        foreign_image.body
    );
    let bad_type = app
        .post(
            "/api/v1/weapp/complaint",
            json!({"type": "表扬", "content": "c", "xiaoqu": "10002"}),
            Some(&resident),
        )
        .await;
    assert!(
        bad_type.str("msg").starts_with("type"),
        "{:?}",
        bad_type.body
    );

    let listed = app
        .post(
            "/api/v1/wjdh/complaints",
            json!({"xiaoqu": "10002", "status": "待处理"}),
            Some(&platform),
        )
        .await;
    assert_eq!(rows(&listed, "complaints").len(), 1);
    let replied = app
        .put_json(
            "/api/v1/wjdh/complaint",
            json!({"id": cid, "reply": "已提醒"}),
            &platform,
        )
        .await;
    assert_eq!(replied.body["data"]["status"], "已回复");
    let closed = app
        .put_json(
            "/api/v1/wjdh/complaint",
            json!({"id": cid, "close": 1}),
            &platform,
        )
        .await;
    assert_eq!(closed.body["data"]["status"], "已关闭");
    let late = app
        .put_json(
            "/api/v1/wjdh/complaint",
            json!({"id": cid, "reply": "again"}),
            &platform,
        )
        .await;
    assert_eq!((late.code(), late.status.as_u16()), (1, 409));
    let mine = app
        .post("/api/v1/weapp/complaints", json!({}), Some(&resident))
        .await;
    assert_eq!(rows(&mine, "complaints")[0]["reply"], "已提醒");
    let stranger = app.resident_token("o-stranger", "13912345678").await;
    let theirs = app
        .post(
            "/api/v1/weapp/complaint/detail",
            json!({"id": cid}),
            Some(&stranger),
        )
        .await;
    assert_eq!((theirs.code(), theirs.status.as_u16()), (1, 403));
    switch(&app, &platform, "投诉建议", "0").await;
    let off = app
        .post(
            "/api/v1/weapp/complaint",
            json!({"type": "建议", "content": "c", "xiaoqu": "10002"}),
            Some(&resident),
        )
        .await;
    assert_eq!(off.str("msg"), "该小区的投诉建议功能已关闭");

    // 应急电话.
    for (name, phone, order) in [("物业值班", "0335-1234567", "1"), ("报警", "110", "9")] {
        let added = app
            .post(
                "/api/v1/wjdh/emergency",
                json!({"xiaoqu": "10002", "name": name, "phone": phone, "order": order}),
                Some(&platform),
            )
            .await;
        assert_eq!(added.code(), 0, "{:?}", added.body);
    }
    let phones = app
        .post(
            "/api/v1/weapp/emergencies",
            json!({"xiaoqu": "10002"}),
            Some(&resident),
        )
        .await;
    assert_eq!(phones.body["data"][0]["name"], "报警");
    assert_eq!(phones.body["data"].as_array().unwrap().len(), 2);

    // 访客通行: off in the fixture for 10002, so refused until the platform turns it on.
    let pass_form =
        json!({"house_id": h101, "visitor_name": "张三", "visitor_phone": "13800000001"});
    let off = app
        .post("/api/v1/weapp/visitor", pass_form.clone(), Some(&resident))
        .await;
    assert_eq!(off.str("msg"), "该小区的访客通行功能已关闭");
    switch(&app, &platform, "访客通行", "1").await;
    let pass = app
        .post("/api/v1/weapp/visitor", pass_form, Some(&resident))
        .await;
    assert_eq!(pass.code(), 0, "{:?}", pass.body);
    let code = pass.body["data"]["code"].as_str().unwrap().to_owned();
    let jyl = app.platform_token("jyl-demo", "jyl-demo-secret").await;
    let elsewhere = app
        .post(
            "/api/v1/wjdh/visitor/verify",
            json!({"code": code}),
            Some(&jyl),
        )
        .await;
    assert_eq!((elsewhere.code(), elsewhere.status.as_u16()), (1, 404));
    let ok = app
        .post(
            "/api/v1/wjdh/visitor/verify",
            json!({"code": code}),
            Some(&platform),
        )
        .await;
    assert_eq!(ok.code(), 0, "{:?}", ok.body);
    assert_eq!(ok.body["data"]["visitor_name"], "张三");
    let twice = app
        .post(
            "/api/v1/wjdh/visitor/verify",
            json!({"code": code}),
            Some(&platform),
        )
        .await;
    assert_eq!((twice.code(), twice.str("msg")), (1, "通行码已使用"));
    let too_long = app
        .post(
            "/api/v1/weapp/visitor",
            json!({"house_id": h101, "visitor_name": "李四", "visitor_phone": "13800000002", "valid_until": 4_102_444_800_i64}),
            Some(&resident),
        )
        .await;
    assert!(
        too_long.str("msg").starts_with("valid_until"),
        "{:?}",
        too_long.body
    );
    app.stop().await;
}

#[tokio::test]
async fn the_caller_is_judged_before_the_fields_and_each_bad_field_is_named() {
    let app = spawn_app().await;
    let platform = app.platform_token("123456", "123456").await;
    let stranger = app.resident_token("o-stranger", "13912345678").await;
    let bad_repair = json!({"house_id": "x", "possion": "p", "description": "d"});

    // Nobody, or the other audience, learns nothing of the fields.
    let nobody = app
        .post("/api/v1/weapp/repair", bad_repair.clone(), None)
        .await;
    assert_eq!((nobody.code(), nobody.status.as_u16()), (9, 401));
    let platform_on_resident = app
        .post("/api/v1/weapp/repair", bad_repair.clone(), Some(&platform))
        .await;
    assert_eq!(
        (
            platform_on_resident.code(),
            platform_on_resident.status.as_u16()
        ),
        (1, 403)
    );
    let resident_on_platform = app
        .put_form("/api/v1/repair", &[("id", "x")], &stranger)
        .await;
    assert_eq!(
        (
            resident_on_platform.code(),
            resident_on_platform.status.as_u16()
        ),
        (1, 403)
    );
    let photo = app
        .post("/api/v1/weapp/community/photo", json!({}), Some(&platform))
        .await;
    assert_eq!((photo.code(), photo.status.as_u16()), (1, 403));

    // The caller's own bad fields: 400 naming the field.
    let named = |answer: &Answer, field: &str| {
        assert_eq!(
            (answer.code(), answer.status.as_u16()),
            (1, 400),
            "{:?}",
            answer.body
        );
        assert!(answer.str("msg").starts_with(field), "{:?}", answer.body);
    };
    let house = app
        .post("/api/v1/weapp/repair", bad_repair, Some(&stranger))
        .await;
    named(&house, "house_id");
    let status = app
        .post(
            "/api/v1/wjdh/repair/list",
            json!({"xiaoqu": "10002", "status": "2"}),
            Some(&platform),
        )
        .await;
    named(&status, "status");
    assert!(status.str("msg").contains("0、1或all"), "{:?}", status.body);
    let stage = app
        .post(
            "/api/v1/wjdh/repair/list",
            json!({"xiaoqu": "10002", "stage": "later"}),
            Some(&platform),
        )
        .await;
    named(&stage, "stage");
    let hotline = app
        .post(
            "/api/v1/wjdh/emergency",
            json!({"xiaoqu": "10002", "name": "物业", "phone": "call me"}),
            Some(&platform),
        )
        .await;
    named(&hotline, "phone");
    let images = ["http://x/a.jpg"; 10].join(",");
    let many = app
        .post(
            "/api/v1/announcement/new",
            json!({"xiaoqu": "10002", "title": "t", "content": "c", "images": images}),
            Some(&platform),
        )
        .await;
    named(&many, "images");
    let kind = app
        .post(
            "/api/v1/wjdh/complaints",
            json!({"xiaoqu": "10002", "status": "处理中"}),
            Some(&platform),
        )
        .await;
    named(&kind, "status");

    // Codes as the seeds write them, in any case, numbers as text or as numbers.
    for (status, stage) in [(json!("all"), json!("new")), (json!(1), json!("DONE"))] {
        let listed = app
            .post(
                "/api/v1/wjdh/repair/list",
                json!({"xiaoqu": "10002", "status": status, "stage": stage}),
                Some(&platform),
            )
            .await;
        assert_eq!(listed.code(), 0, "{:?}", listed.body);
    }
    app.stop().await;
}
