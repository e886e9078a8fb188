//! 001 §3–§6 through the gateway: module switches, repairs (with seed 003's workflow),
//! announcements, complaints, emergency numbers, visitor passes and photos — each documented
//! example of the seed reproduced.
use serde_json::{Value, json};

use crate::helpers::{Answer, BoundResident, FU_YU, TINY_PNG, TestApp, assert_failure, spawn_app};

/// 3.2.1: the switches of 10002 as `platform` lists them.
async fn modules(app: &TestApp, platform: &str) -> Answer {
    app.post_form_token("/api/v1/wjdh/modules", &[("xiaoqu", "10002")], platform)
        .await
}

/// 3.2.2 for 10002's 投诉建议 with `module_name` and `module_status` as given.
async fn change_module(app: &TestApp, platform: &str, module: &str, on: &str) -> Answer {
    app.put_form(
        "/api/v1/wjdh/module",
        &[
            ("xiaoqu", "10002"),
            ("module_name", module),
            ("module_status", on),
        ],
        platform,
    )
    .await
}

#[tokio::test]
async fn the_nine_module_switches_are_listed_as_the_seed_shows() {
    let app = spawn_app().await;
    let platform = app.platform().await;
    // 3.2.1: the nine modules, synced at start from the security platform's fixture.
    let list = modules(&app, &platform).await;
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
    app.stop().await;
}

#[tokio::test]
async fn a_module_switch_is_changed_as_the_seed_shows() {
    let app = spawn_app().await;
    let platform = app.platform().await;
    let changed = change_module(&app, &platform, "投诉建议", "0").await;
    assert_eq!(changed.code(), 0, "{:?}", changed.body);
    assert_eq!(changed.str("msg"), "模块状态更新成功");
    assert_eq!(
        changed.str("message"),
        "message编码SecurityPlatformController491"
    );
    let again = modules(&app, &platform).await;
    assert_eq!(again.body["data"][5]["module_status"], json!(0));
    app.stop().await;
}

#[tokio::test]
async fn module_switches_refuse_another_community_an_unknown_module_and_a_bad_state() {
    let app = spawn_app().await;
    let platform = app.platform().await;
    let other = app
        .post_form_token("/api/v1/wjdh/modules", &[("xiaoqu", "10003")], &platform)
        .await;
    assert_eq!((other.code(), other.status.as_u16()), (1, 403));
    let unknown = change_module(&app, &platform, "停车", "1").await;
    assert_eq!((unknown.code(), unknown.status.as_u16()), (1, 400));
    assert!(
        unknown.str("msg").starts_with("module_name"),
        "{:?}",
        unknown.body
    );
    let bad = change_module(&app, &platform, "投诉建议", "2").await;
    assert!(
        bad.str("msg").starts_with("module_status"),
        "{:?}",
        bad.body
    );
    app.stop().await;
}

#[tokio::test]
async fn syncing_the_switches_reads_only_the_credentials_communities() {
    let app = spawn_app().await;
    let platform = app.platform().await;
    // 3.1.1 on demand restores the security platform's view.
    let synced = app
        .post_form_token("/api/v1/wjdh/modules/sync", &[], &platform)
        .await;
    assert_eq!(synced.code(), 0, "{:?}", synced.body);
    // Only the communities of this credential: 10002's nine switches, not 10003's.
    assert_eq!(synced.body["data"]["communities"], json!(1));
    assert_eq!(synced.body["data"]["modules"], json!(9));
    app.stop().await;
}

#[tokio::test]
async fn a_bound_resident_reads_the_module_switches_and_a_stranger_may_not() {
    let app = spawn_app().await;
    let resident = app.bound_resident(FU_YU).await;
    let mine = app
        .post(
            "/api/v1/weapp/modules",
            json!({"xiaoqu": "10002"}),
            Some(&resident.token),
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

/// The platform's 3-level category tree 楼道/灯泡/爆炸 (seed 003 §4.2); the leaf's id.
async fn category_tree(app: &TestApp, platform: &str) -> i64 {
    let mut parent = Value::Null;
    let mut leaf = 0;
    for name in ["楼道", "灯泡", "爆炸"] {
        let added = app
            .post(
                "/api/v1/wjdh/repair/category",
                json!({"name": name, "parent_id": parent}),
                Some(platform),
            )
            .await;
        assert_eq!(added.code(), 0, "{:?}", added.body);
        leaf = added.body["data"]["id"].as_i64().unwrap();
        parent = json!(leaf);
    }
    leaf
}

/// Seed 001 §4.1's repair, for `house` under category `leaf`.
async fn file_seed_repair(app: &TestApp, resident: &BoundResident, leaf: i64) -> Answer {
    app.post(
        "/api/v1/weapp/repair",
        json!({"house_id": resident.house, "possion": "2位置位置位置位置", "description": "2描述描述描述",
               "category_id": leaf, "name": "杨哲", "phone": "17610493577"}),
        Some(&resident.token),
    )
    .await
}

/// 付钰 with two repairs of 101 filed: the seed's (under 楼道/灯泡/爆炸) and one without a category.
struct Repairs {
    platform: String,
    resident: BoundResident,
    seed: i64,
    plain: i64,
}

async fn two_repairs(app: &TestApp) -> Repairs {
    let platform = app.platform().await;
    let resident = app.bound_resident(FU_YU).await;
    let leaf = category_tree(app, &platform).await;
    let seed = file_seed_repair(app, &resident, leaf).await;
    assert_eq!(seed.code(), 0, "{:?}", seed.body);
    let plain = app
        .post(
            "/api/v1/weapp/repair",
            json!({"house_id": resident.house, "possion": "测试位置", "description": "测试描述", "name": "杨哲", "phone": "17610493577"}),
            Some(&resident.token),
        )
        .await;
    assert_eq!(plain.code(), 0, "{:?}", plain.body);
    Repairs {
        platform,
        resident,
        seed: seed.body["data"]["id"].as_i64().unwrap(),
        plain: plain.body["data"]["id"].as_i64().unwrap(),
    }
}

/// 4.3 / seed 003: `form` applied to repair `id` as `platform`.
async fn work_on(app: &TestApp, platform: &str, id: i64, form: &[(&str, &str)]) -> Answer {
    let id = id.to_string();
    let mut fields = vec![("id", id.as_str())];
    fields.extend_from_slice(form);
    app.put_form("/api/v1/repair", &fields, platform).await
}

#[tokio::test]
async fn repair_categories_nest_three_levels_deep_and_no_deeper() {
    let app = spawn_app().await;
    let platform = app.platform().await;
    let resident = app.bound_resident(FU_YU).await;
    let leaf = category_tree(&app, &platform).await;
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
        .post(
            "/api/v1/repair/categories",
            json!({}),
            Some(&resident.token),
        )
        .await;
    assert_eq!(
        tree.body["data"][0]["children"][0]["children"][0]["name"],
        "爆炸"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_repair_filed_under_a_category_shows_its_path_and_starts_new() {
    let app = spawn_app().await;
    let platform = app.platform().await;
    let resident = app.bound_resident(FU_YU).await;
    let leaf = category_tree(&app, &platform).await;
    let filed = file_seed_repair(&app, &resident, leaf).await;
    assert_eq!(filed.code(), 0, "{:?}", filed.body);
    assert_eq!(filed.body["data"]["category"], "楼道/灯泡/爆炸");
    assert_eq!(filed.body["data"]["stage"], "NEW");
    app.stop().await;
}

#[tokio::test]
async fn a_repair_with_a_bad_field_is_refused_naming_it_and_one_for_a_house_not_bound_is_403() {
    let app = spawn_app().await;
    let BoundResident { token, house } = app.bound_resident(FU_YU).await;
    let missing = app
        .post(
            "/api/v1/weapp/repair",
            json!({"house_id": house, "possion": "x"}),
            Some(&token),
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
            json!({"house_id": house, "possion": "位".repeat(201), "description": "d"}),
            Some(&token),
        )
        .await;
    assert!(long.str("msg").starts_with("possion"), "{:?}", long.body);
    let not_mine = app
        .post(
            "/api/v1/weapp/repair",
            json!({"house_id": house + 1000, "possion": "p", "description": "d"}),
            Some(&token),
        )
        .await;
    assert_eq!((not_mine.code(), not_mine.status.as_u16()), (1, 403));
    app.stop().await;
}

#[tokio::test]
async fn the_platform_lists_repairs_as_the_seed_shows_paged_and_for_its_community_only() {
    let app = spawn_app().await;
    let Repairs { platform, seed, .. } = two_repairs(&app).await;
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
    let repairs = list.rows_in("repairs");
    assert_eq!(repairs.len(), 2);
    let first = repairs.iter().find(|r| r["id"] == json!(seed)).unwrap();
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
    assert_eq!(paged.rows_in("repairs").len(), 1);
    assert_eq!(paged.body["data"]["pages"]["last_page"], json!(2));
    let other = app
        .post_form_token(
            "/api/v1/wjdh/repair/list",
            &[("xiaoqu", "10003")],
            &platform,
        )
        .await;
    assert_eq!((other.code(), other.status.as_u16()), (1, 403));
    app.stop().await;
}

#[tokio::test]
async fn one_repair_is_read_as_the_seed_shows_by_its_communitys_platform_only() {
    let app = spawn_app().await;
    let Repairs { platform, seed, .. } = two_repairs(&app).await;
    // 4.2 as documented.
    let one = app
        .post("/api/v1/repair", json!({"id": seed}), Some(&platform))
        .await;
    assert_eq!(one.code(), 0, "{:?}", one.body);
    assert_eq!(one.str("msg"), "成功获取报修记录");
    assert_eq!(one.str("message"), "message编码Repairs121");
    assert!(one.body["data"]["date"].as_str().unwrap().contains('年'));
    let jyl = app.platform_10003().await;
    let foreign = app
        .post("/api/v1/repair", json!({"id": seed}), Some(&jyl))
        .await;
    assert_eq!((foreign.code(), foreign.status.as_u16()), (1, 403));
    app.stop().await;
}

#[tokio::test]
async fn a_repair_goes_through_seed_003s_workflow_in_order_and_the_resident_follows_it() {
    let app = spawn_app().await;
    let Repairs {
        platform,
        resident,
        seed: id,
        ..
    } = two_repairs(&app).await;
    // Who and when, an illegal step refused, the settlement party.
    let skip = work_on(&app, &platform, id, &[("action", "REPAIR")]).await;
    assert_eq!((skip.code(), skip.status.as_u16()), (1, 409));
    let received = work_on(
        &app,
        &platform,
        id,
        &[("action", "RECEIVE"), ("staff", "孔老师")],
    )
    .await;
    assert_eq!(received.code(), 0, "{:?}", received.body);
    assert_eq!(received.body["data"]["steps"][0]["by"], "孔老师");
    let repairing = work_on(&app, &platform, id, &[("action", "REPAIR")]).await;
    assert_eq!(repairing.body["data"]["stage"], "REPAIR");
    let no_party = work_on(&app, &platform, id, &[("action", "DONE")]).await;
    assert!(
        no_party.str("msg").starts_with("pay_part"),
        "{:?}",
        no_party.body
    );
    let done = work_on(
        &app,
        &platform,
        id,
        &[
            ("action", "DONE"),
            ("pay_part", "OWNER_SETT"),
            ("reply", "已更换灯泡"),
        ],
    )
    .await;
    assert_eq!(done.code(), 0, "{:?}", done.body);
    assert_eq!(done.body["data"]["status"], json!(1));
    assert_eq!(done.body["data"]["pay_part"], "OWNER_SETT");
    assert_eq!(done.body["data"]["steps"].as_array().unwrap().len(), 3);
    let again = work_on(&app, &platform, id, &[("action", "RECEIVE")]).await;
    assert_eq!((again.code(), again.status.as_u16()), (1, 409));

    // The resident sees progress and replies.
    let mine = app
        .post("/api/v1/weapp/repairs", json!({}), Some(&resident.token))
        .await;
    assert_eq!(mine.rows_in("repairs").len(), 2);
    let detail = app
        .post(
            "/api/v1/weapp/repair/detail",
            json!({"id": id}),
            Some(&resident.token),
        )
        .await;
    assert_eq!(detail.body["data"]["reply"], "已更换灯泡");
    assert_eq!(detail.body["data"]["stage"], "DONE");
    app.stop().await;
}

#[tokio::test]
async fn a_repair_is_answered_with_a_status_and_a_reply_as_the_seed_shows() {
    let app = spawn_app().await;
    let Repairs {
        platform, plain, ..
    } = two_repairs(&app).await;
    // 4.3 as documented (status=1 with a reply).
    let updated = work_on(
        &app,
        &platform,
        plain,
        &[("status", "1"), ("reply", "测试")],
    )
    .await;
    assert_eq!(updated.code(), 0, "{:?}", updated.body);
    assert_eq!(updated.str("msg"), "修改成功");
    assert_eq!(updated.str("message"), "message编码Repairs123");
    app.stop().await;
}

#[tokio::test]
async fn someone_elses_repair_is_not_shown_and_with_repairs_off_none_is_filed() {
    let app = spawn_app().await;
    let Repairs {
        platform,
        resident,
        seed,
        ..
    } = two_repairs(&app).await;
    let stranger = app.resident_token("o-stranger", "13912345678").await;
    let theirs = app
        .post(
            "/api/v1/weapp/repair/detail",
            json!({"id": seed}),
            Some(&stranger),
        )
        .await;
    assert_failure(&theirs, 1, 403, "the record belongs to someone else");

    app.set_module(&platform, "物业报修", "0").await;
    let off = app
        .post(
            "/api/v1/weapp/repair",
            json!({"house_id": resident.house, "possion": "p", "description": "d"}),
            Some(&resident.token),
        )
        .await;
    assert_eq!((off.code(), off.status.as_u16()), (1, 403));
    assert_eq!(off.str("msg"), "该小区的物业报修功能已关闭");
    app.stop().await;
}

/// 5.1 as documented, every field, as a form; the answer.
async fn seed_announcement(app: &TestApp, platform: &str) -> Answer {
    app.post_form_token(
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
        platform,
    )
    .await
}

/// Four announcements of 10002, oldest first: the seed's, one of weight 5, one on top, the newest.
struct Announcements {
    plain: i64,
    weighty: i64,
    topped: i64,
    newest: i64,
}

async fn four_announcements(app: &TestApp, platform: &str) -> Announcements {
    let plain = seed_announcement(app, platform).await.body["data"]
        .as_i64()
        .unwrap();
    let mut ids = Vec::new();
    for body in [
        json!({"xiaoqu": "10002", "title": "权重", "content": "c", "order": 5, "manager": "物业办", "logo": "http://x/logo.png"}),
        json!({"xiaoqu": "10002", "title": "置顶", "content": "c", "top": 1}),
        json!({"xiaoqu": "10002", "title": "最新", "content": "c"}),
    ] {
        let created = app
            .post("/api/v1/announcement/new", body, Some(platform))
            .await;
        ids.push(created.body["data"].as_i64().unwrap());
    }
    Announcements {
        plain,
        weighty: ids[0],
        topped: ids[1],
        newest: ids[2],
    }
}

async fn announcements_for(app: &TestApp, resident: &str) -> Answer {
    app.post(
        "/api/v1/weapp/announcements",
        json!({"xiaoqu": "10002"}),
        Some(resident),
    )
    .await
}

#[tokio::test]
async fn an_announcement_is_created_as_the_seed_shows() {
    let app = spawn_app().await;
    let platform = app.platform().await;
    let created = seed_announcement(&app, &platform).await;
    assert_eq!(created.code(), 0, "{:?}", created.body);
    assert_eq!(created.str("msg"), "公告发布成功");
    assert_eq!(created.str("message"), "message编码Announcements75");
    assert!(
        created.body["data"].as_i64().is_some(),
        "{:?}",
        created.body
    );
    app.stop().await;
}

#[tokio::test]
async fn an_announcement_without_a_title_or_for_another_community_is_refused() {
    let app = spawn_app().await;
    let platform = app.platform().await;
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
    app.stop().await;
}

#[tokio::test]
async fn residents_see_announcements_top_first_then_by_weight_then_newest() {
    let app = spawn_app().await;
    let platform = app.platform().await;
    let made = four_announcements(&app, &platform).await;
    let resident = app.bound_resident(FU_YU).await;
    let list = announcements_for(&app, &resident.token).await;
    assert_eq!(list.code(), 0, "{:?}", list.body);
    let ids: Vec<i64> = list
        .rows_in("announcements")
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        ids,
        vec![made.topped, made.weighty, made.newest, made.plain]
    );
    // The default manager is the community's 物业.
    let first = &list.rows_in("announcements")[3];
    assert_eq!(first["manager"], "晨曦家园物业");
    assert_eq!(first["images"], json!(["http://x/a.jpg", "http://x/b.png"]));
    app.stop().await;
}

#[tokio::test]
async fn a_closed_announcement_is_hidden_from_residents_but_listed_for_the_platform() {
    let app = spawn_app().await;
    let platform = app.platform().await;
    let made = four_announcements(&app, &platform).await;
    let resident = app.bound_resident(FU_YU).await;
    let closed = app
        .put_json(
            "/api/v1/announcement",
            json!({"id": made.topped, "status": 0}),
            &platform,
        )
        .await;
    assert_eq!(closed.code(), 0, "{:?}", closed.body);
    assert_eq!(closed.body["data"]["title"], "置顶");
    let after = announcements_for(&app, &resident.token).await;
    assert_eq!(after.rows_in("announcements").len(), 3);
    let hidden = app
        .post(
            "/api/v1/weapp/announcement",
            json!({"id": made.topped}),
            Some(&resident.token),
        )
        .await;
    assert_eq!((hidden.code(), hidden.status.as_u16()), (1, 404));
    let one = app
        .post(
            "/api/v1/weapp/announcement",
            json!({"id": made.weighty}),
            Some(&resident.token),
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
    app.stop().await;
}

#[tokio::test]
async fn an_announcement_is_deleted_and_a_stranger_cannot_read_the_list() {
    let app = spawn_app().await;
    let platform = app.platform().await;
    let made = four_announcements(&app, &platform).await;
    let deleted = app
        .delete_json("/api/v1/announcement", json!({"id": made.plain}), &platform)
        .await;
    assert_eq!(deleted.code(), 0, "{:?}", deleted.body);
    let stranger = app.resident_token("o-stranger", "13912345678").await;
    let refused = announcements_for(&app, &stranger).await;
    assert_eq!((refused.code(), refused.status.as_u16()), (1, 403));
    app.stop().await;
}

/// Uploads `bytes` as `a.png` for 10002 as `token`.
async fn community_photo(app: &TestApp, token: &str, bytes: &[u8]) -> Answer {
    let form = reqwest::multipart::Form::new()
        .text("xiaoqu", "10002")
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes.to_vec()).file_name("a.png"),
        );
    app.post_multipart("/api/v1/weapp/community/photo", form, token)
        .await
}

/// 付钰's complaint about 101, with a photo he uploaded; (resident, complaint id).
async fn filed_complaint(app: &TestApp) -> (BoundResident, i64) {
    let resident = app.bound_resident(FU_YU).await;
    let url = community_photo(app, &resident.token, TINY_PNG).await;
    assert_eq!(url.code(), 0, "{:?}", url.body);
    let submitted = app
        .post(
            "/api/v1/weapp/complaint",
            json!({"type": "投诉", "content": "楼道太吵", "images": url.str("data"), "house_id": resident.house}),
            Some(&resident.token),
        )
        .await;
    assert_eq!(submitted.code(), 0, "{:?}", submitted.body);
    assert_eq!(submitted.body["data"]["status"], "待处理");
    let id = submitted.body["data"]["id"].as_i64().unwrap();
    (resident, id)
}

#[tokio::test]
async fn a_community_photo_is_read_back_by_its_uploader_and_the_platform_and_a_non_image_is_refused()
 {
    let app = spawn_app().await;
    let platform = app.platform().await;
    let resident = app.bound_resident(FU_YU).await;
    let uploaded = community_photo(&app, &resident.token, TINY_PNG).await;
    assert_eq!(uploaded.code(), 0, "{:?}", uploaded.body);
    let url = uploaded.str("data").to_owned();
    let refused = community_photo(&app, &resident.token, b"not an image").await;
    assert!(refused.str("msg").starts_with("file"), "{:?}", refused.body);
    let raw = app.get_raw(&url, Some(&resident.token)).await;
    assert_eq!(raw.bytes, TINY_PNG);
    assert_eq!(raw.header("content-type"), "image/png");
    let by_platform = app.get_raw(&url, Some(&platform)).await;
    assert_eq!(by_platform.status.as_u16(), 200);
    app.stop().await;
}

#[tokio::test]
async fn a_complaint_with_a_foreign_image_or_an_unknown_type_is_refused_naming_the_field() {
    let app = spawn_app().await;
    let (resident, _) = filed_complaint(&app).await;
    let foreign_image = app
        .post(
            "/api/v1/weapp/complaint",
            json!({"type": "建议", "content": "c", "images": "http://evil/x.jpg", "xiaoqu": "10002"}),
            Some(&resident.token),
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
            Some(&resident.token),
        )
        .await;
    assert!(
        bad_type.str("msg").starts_with("type"),
        "{:?}",
        bad_type.body
    );
    app.stop().await;
}

#[tokio::test]
async fn the_platform_replies_to_a_complaint_then_closes_it_and_only_its_author_reads_it() {
    let app = spawn_app().await;
    let platform = app.platform().await;
    let (resident, cid) = filed_complaint(&app).await;
    let listed = app
        .post(
            "/api/v1/wjdh/complaints",
            json!({"xiaoqu": "10002", "status": "待处理"}),
            Some(&platform),
        )
        .await;
    assert_eq!(listed.rows_in("complaints").len(), 1);
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
        .post("/api/v1/weapp/complaints", json!({}), Some(&resident.token))
        .await;
    assert_eq!(mine.rows_in("complaints")[0]["reply"], "已提醒");
    let stranger = app.resident_token("o-stranger", "13912345678").await;
    let theirs = app
        .post(
            "/api/v1/weapp/complaint/detail",
            json!({"id": cid}),
            Some(&stranger),
        )
        .await;
    assert_eq!((theirs.code(), theirs.status.as_u16()), (1, 403));
    app.stop().await;
}

#[tokio::test]
async fn with_complaints_off_no_complaint_is_filed() {
    let app = spawn_app().await;
    let platform = app.platform().await;
    let resident = app.bound_resident(FU_YU).await;
    app.set_module(&platform, "投诉建议", "0").await;
    let off = app
        .post(
            "/api/v1/weapp/complaint",
            json!({"type": "建议", "content": "c", "xiaoqu": "10002"}),
            Some(&resident.token),
        )
        .await;
    assert_eq!(off.str("msg"), "该小区的投诉建议功能已关闭");
    app.stop().await;
}

#[tokio::test]
async fn emergency_numbers_are_listed_to_residents_by_their_order() {
    let app = spawn_app().await;
    let platform = app.platform().await;
    let resident = app.bound_resident(FU_YU).await;
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
            Some(&resident.token),
        )
        .await;
    assert_eq!(phones.body["data"][0]["name"], "报警");
    assert_eq!(phones.body["data"].as_array().unwrap().len(), 2);
    app.stop().await;
}

#[tokio::test]
async fn a_visitor_pass_needs_its_module_and_is_verified_once_by_its_communitys_platform() {
    let app = spawn_app().await;
    let platform = app.platform().await;
    let BoundResident { token, house } = app.bound_resident(FU_YU).await;
    // 访客通行: off in the fixture for 10002, so refused until the platform turns it on.
    let pass_form =
        json!({"house_id": house, "visitor_name": "张三", "visitor_phone": "13800000001"});
    let off = app
        .post("/api/v1/weapp/visitor", pass_form.clone(), Some(&token))
        .await;
    assert_eq!(off.str("msg"), "该小区的访客通行功能已关闭");
    app.set_module(&platform, "访客通行", "1").await;
    let pass = app
        .post("/api/v1/weapp/visitor", pass_form, Some(&token))
        .await;
    assert_eq!(pass.code(), 0, "{:?}", pass.body);
    let code = pass.body["data"]["code"].as_str().unwrap().to_owned();
    let jyl = app.platform_10003().await;
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
            json!({"house_id": house, "visitor_name": "李四", "visitor_phone": "13800000002", "valid_until": 4_102_444_800_i64}),
            Some(&token),
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
async fn the_caller_is_judged_before_the_fields() {
    let app = spawn_app().await;
    let platform = app.platform().await;
    let stranger = app.resident_token("o-stranger", "13912345678").await;
    let bad_repair = json!({"house_id": "x", "possion": "p", "description": "d"});

    // Nobody, or the other audience, learns nothing of the fields.
    let nobody = app
        .post("/api/v1/weapp/repair", bad_repair.clone(), None)
        .await;
    assert_eq!((nobody.code(), nobody.status.as_u16()), (9, 401));
    let platform_on_resident = app
        .post("/api/v1/weapp/repair", bad_repair, Some(&platform))
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
    app.stop().await;
}

#[tokio::test]
async fn the_callers_own_bad_field_is_a_400_naming_it() {
    let app = spawn_app().await;
    let platform = app.platform().await;
    let stranger = app.resident_token("o-stranger", "13912345678").await;
    let images = ["http://x/a.jpg"; 10].join(",");
    for (path, body, token, field) in [
        (
            "/api/v1/weapp/repair",
            json!({"house_id": "x", "possion": "p", "description": "d"}),
            &stranger,
            "house_id",
        ),
        (
            "/api/v1/wjdh/repair/list",
            json!({"xiaoqu": "10002", "status": "2"}),
            &platform,
            "status",
        ),
        (
            "/api/v1/wjdh/repair/list",
            json!({"xiaoqu": "10002", "stage": "later"}),
            &platform,
            "stage",
        ),
        (
            "/api/v1/wjdh/emergency",
            json!({"xiaoqu": "10002", "name": "物业", "phone": "call me"}),
            &platform,
            "phone",
        ),
        (
            "/api/v1/announcement/new",
            json!({"xiaoqu": "10002", "title": "t", "content": "c", "images": images}),
            &platform,
            "images",
        ),
        (
            "/api/v1/wjdh/complaints",
            json!({"xiaoqu": "10002", "status": "处理中"}),
            &platform,
            "status",
        ),
    ] {
        let answer = app.post(path, body, Some(token)).await;
        assert_eq!(
            (answer.code(), answer.status.as_u16()),
            (1, 400),
            "{path} {field}: {:?}",
            answer.body
        );
        assert!(
            answer.str("msg").starts_with(field),
            "{path} {field}: {:?}",
            answer.body
        );
        if path == "/api/v1/wjdh/repair/list" && field == "status" {
            assert!(answer.str("msg").contains("0、1或all"), "{:?}", answer.body);
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn repair_codes_are_read_as_the_seeds_write_them_in_any_case_as_text_or_numbers() {
    let app = spawn_app().await;
    let platform = app.platform().await;
    for (status, stage) in [(json!("all"), json!("new")), (json!(1), json!("DONE"))] {
        let listed = app
            .post(
                "/api/v1/wjdh/repair/list",
                json!({"xiaoqu": "10002", "status": status, "stage": stage}),
                Some(&platform),
            )
            .await;
        assert_eq!(listed.code(), 0, "{status} {stage}: {:?}", listed.body);
    }
    app.stop().await;
}
