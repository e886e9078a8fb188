//! Seed 004 end to end: the rental profile, listings from draft to deletion, the map search,
//! invitations, and the platform's review of listings.
use serde_json::{Value, json};

use reqwest::multipart::{Form, Part};

use crate::helpers::{
    BoundResident, FU_YU, TINY_MP4, TINY_PNG, TestApp, WANG_FANG, ZHAO_QIANG, assert_refused,
    spawn_app, spawn_app_with,
};

fn file(bytes: &'static [u8], name: &str) -> Part {
    Part::bytes(bytes).file_name(name.to_owned())
}

/// The path of an absolute file URL the gateway answered.
fn path_of(url: &Value) -> String {
    let url = url.as_str().unwrap_or_else(|| panic!("a URL: {url:?}"));
    assert!(url.starts_with("http"), "absolute: {url}");
    url[url.find("/api/").unwrap()..].to_owned()
}

/// 晨曦家园's neighbourhood (GCJ-02).
const HERE: (f64, f64) = (119.600_492, 39.935_385);

/// A listing of `house` complete enough to release, `east_km` east of [`HERE`].
pub(crate) fn listing(house: i64, title: &str, rent: i64, east_km: f64) -> Value {
    // A degree of longitude at 39.9° is about 85.3 km.
    json!({
        "community_identifier": "10002", "community_house_id": house,
        "description_title": title, "house_rent": rent, "house_size": 60,
        "rent_time_type": 2, "rent_room_type": 1,
        "longitude": HERE.0 + east_km / 85.3, "latitude": HERE.1,
    })
}

impl TestApp {
    /// The caller's landlord id (`owner_id` on their listings), from /wx_fetch_userinfo.
    pub(crate) async fn landlord_id(&self, token: &str) -> i64 {
        self.get_as("/api/v1/rental/wx_fetch_userinfo", token)
            .await
            .body["data"]["id"]
            .as_i64()
            .unwrap()
    }

    /// Creates `body` as `token`; the listing's id.
    pub(crate) async fn create_listing(&self, token: &str, body: Value) -> i64 {
        let created = self
            .post("/api/v1/rental/house_create", body, Some(token))
            .await;
        assert_eq!(created.code(), 0, "{:?}", created.body);
        created.body["data"]["house_id"].as_i64().unwrap()
    }

    /// Releases listing `id` as `token`; the answer.
    pub(crate) async fn release(&self, token: &str, id: i64) -> crate::helpers::Answer {
        self.post(
            "/api/v1/rental/house_release",
            json!({"house_id": id}),
            Some(token),
        )
        .await
    }

    /// The ids `body` finds around [`HERE`], in order.
    async fn search_ids(&self, token: &str, mut body: Value) -> Vec<i64> {
        body["longitude"] = json!(HERE.0);
        body["latitude"] = json!(HERE.1);
        let found = self
            .post("/api/v1/rental/search_house", body, Some(token))
            .await;
        assert_eq!(found.code(), 0, "{:?}", found.body);
        found
            .rows()
            .iter()
            .map(|row| row["house_id"].as_i64().unwrap())
            .collect()
    }

    /// The caller's listing `id` as /my_house_list shows it.
    async fn my_listing(&self, token: &str, id: i64) -> Option<Value> {
        let mine = self
            .post("/api/v1/rental/my_house_list", json!({}), Some(token))
            .await;
        assert_eq!(mine.code(), 0, "{:?}", mine.body);
        mine.rows().iter().find(|row| row["id"] == id).cloned()
    }
}

#[tokio::test]
async fn a_profile_is_the_callers_own_and_keeps_what_was_saved() {
    let app = spawn_app().await;
    let BoundResident { token: a, .. } = app.bound_resident(FU_YU).await;

    let fresh = app.get_as("/api/v1/rental/wx_fetch_userinfo", &a).await;
    assert_eq!(fresh.code(), 0, "{:?}", fresh.body);
    assert_eq!(fresh.body["data"]["saved"], false);
    assert!(fresh.body["data"]["id"].as_i64().unwrap() > 0);
    assert!(fresh.body["data"].get("token").is_none(), "never a token");

    // Seed 004's 用户信息录入, as a form (multipart and JSON read the same).
    let saved = app
        .post_form_token(
            "/api/v1/rental/create_userinfo",
            &[
                ("nickname", "Band"),
                ("sex", "1"),
                ("user_type", "1"),
                ("self_description", "房东直租"),
                ("addressProvince", "sichuan"),
                ("addressCity", "chengdu"),
                ("birthday", "1999-11-11"),
                ("constellations", "天蝎"),
                ("education", "本科"),
                ("occupation", "搬砖工"),
                ("account_name", "付钰"),
                ("account_number", "fu@example.com"),
                ("account_idcardnumber", "130302198001012519"),
                ("tel", "15131512234"),
                ("virtual_tel_flag", "1"),
                ("virtual_tel", "4001234567"),
                ("wechat", "1111111"),
                ("qq", "22222"),
            ],
            &a,
        )
        .await;
    assert_eq!(saved.code(), 0, "{:?}", saved.body);
    assert_eq!(saved.body["data"], json!({}));

    // Seed 004's token header reaches the same account.
    let response = app
        .client
        .get(format!("{}/api/v1/rental/wx_fetch_userinfo", app.base))
        .header("token", &a)
        .send()
        .await
        .unwrap();
    let profile: Value = response.json().await.unwrap();
    let data = &profile["data"];
    assert_eq!(profile["code"], 0, "{profile:?}");
    for (key, value) in [
        ("nickname", json!("Band")),
        ("sex", json!(1)),
        ("user_type", json!(1)),
        ("addressProvince", json!("sichuan")),
        ("addressCity", json!("chengdu")),
        ("birthday", json!("1999-11-11")),
        ("constellations", json!("天蝎")),
        ("education", json!("本科")),
        ("occupation", json!("搬砖工")),
        ("virtual_tel_flag", json!(1)),
        ("virtual_tel", json!("4001234567")),
        ("wechat", json!("1111111")),
        ("qq", json!("22222")),
        ("tel", json!("15131512234")),
        ("account_idcardnumber", json!("1303**********2519")),
        ("saved", json!(true)),
    ] {
        assert_eq!(data[key], value, "{key}: {profile:?}");
    }

    // Only the fields sent change; a 中介 has no 400 number, and bad values name their field.
    let changed = app
        .post(
            "/api/v1/rental/create_userinfo",
            json!({"user_type": 3}),
            Some(&a),
        )
        .await;
    assert_eq!(changed.code(), 0, "{:?}", changed.body);
    let profile = app.get_as("/api/v1/rental/wx_fetch_userinfo", &a).await;
    assert_eq!(profile.body["data"]["nickname"], "Band");
    assert_eq!(profile.body["data"]["virtual_tel"], Value::Null);
    let refused = app
        .post(
            "/api/v1/rental/create_userinfo",
            json!({"virtual_tel": "4001234567"}),
            Some(&a),
        )
        .await;
    assert_refused(&refused, 403, "virtual_tel");
    for (field, value, says) in [
        (
            "education",
            json!("小学"),
            "education必须是博士、硕士、本科、大专、中专、高中或初中",
        ),
        ("tel", json!("12345"), "tel"),
        (
            "account_idcardnumber",
            json!("130302198001012510"),
            "account_idcardnumber",
        ),
        ("sex", json!(3), "sex必须在0到2之间"),
        ("birthday", json!("1999-13-01"), "birthday必须是日期"),
    ] {
        let refused = app
            .post(
                "/api/v1/rental/create_userinfo",
                json!({ field: value }),
                Some(&a),
            )
            .await;
        assert_refused(&refused, 400, says);
    }
    app.stop().await;
}

#[tokio::test]
async fn a_verified_owner_lists_releases_edits_pulls_off_and_deletes() {
    let app = spawn_app().await;
    let BoundResident { token: a, house } = app.bound_resident(FU_YU).await;
    let b = app.bound_resident(WANG_FANG).await.token;

    // Every field of seed 004's 创建房源.
    let mut body = listing(house, "南向两居 近地铁", 2500, 0.5);
    for (key, value) in [
        ("province_name", json!("河北省")),
        ("province_code", json!(130000)),
        ("city_name", json!("秦皇岛市")),
        ("city_code", json!(130300)),
        ("county_name", json!("海港区")),
        ("county_code", json!(130302)),
        ("district_name", json!("晨曦家园")),
        ("district_code", json!(10002)),
        ("house_number", json!(101)),
        ("house_size", json!(89.5)),
        ("house_type", json!("2室1厅")),
        ("house_floor", json!("1")),
        ("house_direction", json!("南")),
        ("house_decoration", json!("精装")),
        ("house_max_livein", json!(3)),
        ("payment_type", json!("1|3")),
        ("property_management_fee", json!(1)),
        ("heating_charge", json!(2)),
        ("description", json!("采光好")),
        ("traffic_condition", json!("地铁2号线")),
        ("around_condition", json!("菜市场")),
        ("facility", json!("1|2|3")),
        ("house_rooms", json!(2)),
        ("subdistrict_code", json!(130302001)),
        ("subway_station_code", json!(2001)),
        ("house_characteristic", json!("近地铁|拎包入住")),
        ("house_source", json!(1)),
        ("all_floor", json!(6)),
        ("earliest_checkin_time", json!("2026-12-20")),
        ("extra_fee", json!("1|2")),
    ] {
        body[key] = value;
    }
    let id = app.create_listing(&a, body.clone()).await;

    // 房东房源列表: the seed's row keys, a draft's null status, every field as sent.
    let row = app.my_listing(&a, id).await.expect("the draft is listed");
    for key in [
        "create_time_duration",
        "house_rent",
        "status",
        "payment_type",
        "house_size",
        "house_photo",
        "praise_count",
        "house_video",
        "create_date",
        "house_type",
        "id",
        "owner_id",
    ] {
        assert!(row.get(key).is_some(), "{key} in {row:?}");
    }
    assert_eq!(row["status"], Value::Null);
    assert_eq!(row["house_photo"], json!([]));
    assert_eq!(row["owner_verified"], true);
    assert_eq!(row["house_introduction"], "晨曦家园1栋1单元1楼101号");
    for (key, value) in body.as_object().unwrap() {
        if key == "community_identifier" || key == "longitude" {
            continue;
        }
        assert_eq!(&row[key], value, "{key}");
    }
    // Not published yet: nobody finds it.
    assert!(!app.search_ids(&b, json!({})).await.contains(&id));

    // A verified 业主's listing is published at once and found, with its distance.
    let released = app.release(&a, id).await;
    assert_eq!(released.code(), 0, "{:?}", released.body);
    assert_eq!(released.body["data"]["status"], 1);
    let found = app
        .post(
            "/api/v1/rental/search_house",
            json!({"longitude": HERE.0, "latitude": HERE.1, "radius": 3}),
            Some(&b),
        )
        .await;
    let row = found
        .rows()
        .iter()
        .find(|row| row["house_id"] == id)
        .expect("found")
        .clone();
    let distance = row["distance"].as_f64().unwrap();
    assert!((distance - 0.5).abs() < 0.01, "{row:?}");
    assert_eq!(row["house_rent"], 2500);
    assert_eq!(
        row["owner_id"],
        app.get_as("/api/v1/rental/wx_fetch_userinfo", &a)
            .await
            .body["data"]["id"]
    );
    assert_eq!(row["user_type"], 0, "no profile saved");
    assert_eq!(row["owner_verified"], true);
    assert!(row.get("house_introduction").is_none(), "{row:?}");
    assert!(row.get("community_house_id").is_none(), "{row:?}");
    assert_eq!(app.release(&a, id).await.status.as_u16(), 409);

    // One field at a time, checked as at create.
    let updated = app
        .post(
            "/api/v1/rental/update_house_info",
            json!({"house_id": id, "attr_name": "house_rent", "attr_value": "2600.5"}),
            Some(&a),
        )
        .await;
    assert_eq!(updated.code(), 0, "{:?}", updated.body);
    assert_eq!(app.my_listing(&a, id).await.unwrap()["house_rent"], 2600.5);
    for (name, value, says) in [
        ("rent_time_type", json!("3"), "rent_time_type必须在1到2之间"),
        ("facility", json!("13"), "facility"),
        ("owner_id", json!("1"), "attr_name必须是创建房源的字段名"),
    ] {
        let refused = app
            .post(
                "/api/v1/rental/update_house_info",
                json!({"house_id": id, "attr_name": name, "attr_value": value}),
                Some(&a),
            )
            .await;
        assert_refused(&refused, 400, says);
    }

    // Pulled off: out of search; released again: back.
    let pulled = app
        .post(
            "/api/v1/rental/pulloff_house",
            json!({"house_id": id}),
            Some(&a),
        )
        .await;
    assert_eq!(pulled.code(), 0, "{:?}", pulled.body);
    assert_eq!(app.my_listing(&a, id).await.unwrap()["status"], 3);
    assert!(!app.search_ids(&b, json!({})).await.contains(&id));
    assert_eq!(app.release(&a, id).await.body["data"]["status"], 1);
    assert!(app.search_ids(&b, json!({})).await.contains(&id));

    // Deleted: gone from the landlord's list and from search at once.
    let deleted = app
        .post(
            "/api/v1/rental/delete_house_info",
            json!({"house_id": id}),
            Some(&a),
        )
        .await;
    assert_eq!(deleted.code(), 0, "{:?}", deleted.body);
    assert!(app.my_listing(&a, id).await.is_none());
    assert!(!app.search_ids(&b, json!({})).await.contains(&id));
    let again = app
        .post(
            "/api/v1/rental/delete_house_info",
            json!({"house_id": id}),
            Some(&a),
        )
        .await;
    assert_refused(&again, 404, "house_id");
    app.stop().await;
}

#[tokio::test]
async fn only_the_houses_owner_lists_it_and_only_the_landlord_changes_a_listing() {
    let app = spawn_app().await;
    let BoundResident { token: a, house } = app.bound_resident(FU_YU).await;
    let b = app.bound_resident(WANG_FANG).await.token;
    let c = app.bound_resident(ZHAO_QIANG).await.token;

    // B is bound in 10002 but not to A's house; C is of another community.
    for token in [&b, &c] {
        let refused = app
            .post(
                "/api/v1/rental/house_create",
                listing(house, "别人的房子", 1000, 0.0),
                Some(token),
            )
            .await;
        assert_refused(&refused, 403, "community_house_id");
    }
    let id = app
        .create_listing(
            &a,
            json!({"community_identifier": "10002", "community_house_id": house}),
        )
        .await;
    // Releasing needs what a seeker reads first.
    let incomplete = app.release(&a, id).await;
    assert_refused(&incomplete, 409, "description_title");
    for (path, body) in [
        ("/api/v1/rental/house_release", json!({"house_id": id})),
        (
            "/api/v1/rental/update_house_info",
            json!({"house_id": id, "attr_name": "house_rent", "attr_value": 1}),
        ),
        ("/api/v1/rental/pulloff_house", json!({"house_id": id})),
        ("/api/v1/rental/delete_house_info", json!({"house_id": id})),
    ] {
        let refused = app.post(path, body, Some(&b)).await;
        assert_refused(&refused, 403, "house_id");
    }
    assert!(app.my_listing(&b, id).await.is_none());
    let unknown = app.release(&a, 999_999).await;
    assert_refused(&unknown, 404, "house_id");
    for (field, value, says) in [
        ("rent_room_type", json!(3), "rent_room_type必须在1到2之间"),
        (
            "payment_type",
            json!("1|4"),
            "payment_type必须是押N付M的写法",
        ),
        ("facility", json!("1|13"), "facility必须是1到12的数字"),
        ("extra_fee", json!("9"), "extra_fee必须是1到8的数字"),
        (
            "longitude",
            json!(181),
            "longitude必须是-180到180之间的经纬度",
        ),
        (
            "house_size",
            json!(89.555),
            "house_size必须是0.01到99999.99之间",
        ),
        ("house_rent", json!("abc"), "house_rent"),
        (
            "earliest_checkin_time",
            json!("明天"),
            "earliest_checkin_time必须是日期",
        ),
        (
            "description_title",
            json!("长".repeat(51)),
            "description_title不能超过50个字",
        ),
    ] {
        let mut body = listing(house, "t", 1000, 0.0);
        body[field] = value;
        let refused = app
            .post("/api/v1/rental/house_create", body, Some(&a))
            .await;
        assert_refused(&refused, 400, says);
    }
    app.stop().await;
}

#[tokio::test]
async fn search_filters_sorts_and_pages_within_the_radius() {
    let app = spawn_app().await;
    let BoundResident { token: a, house } = app.bound_resident(FU_YU).await;
    let b = app.bound_resident(WANG_FANG).await.token;

    // Five listings east of here: (title, rent, km, size, rooms, extra fields).
    let specs = [
        (
            "一号 近地铁",
            1500,
            0.4,
            40,
            1,
            json!({"house_characteristic": "近地铁", "house_direction": "南"}),
        ),
        (
            "二号",
            3000,
            1.2,
            90,
            2,
            json!({"house_direction": "北", "rent_room_type": 2}),
        ),
        (
            "三号 近地铁",
            800,
            2.5,
            30,
            1,
            json!({"house_characteristic": "近地铁|拎包入住", "rent_time_type": 1}),
        ),
        ("四号", 2000, 4.0, 70, 3, json!({})),
        ("五号", 1200, 9.0, 50, 2, json!({})),
    ];
    let mut ids = Vec::new();
    for (title, rent, km, size, rooms, extra) in specs {
        let mut body = listing(house, title, rent, km);
        body["house_size"] = json!(size);
        body["house_rooms"] = json!(rooms);
        for (key, value) in extra.as_object().unwrap() {
            body[key] = value.clone();
        }
        let id = app.create_listing(&a, body).await;
        assert_eq!(app.release(&a, id).await.code(), 0);
        ids.push(id);
    }
    let [one, two, three, four, _] = ids[..] else {
        panic!("five listings")
    };
    let search = |body: Value| app.search_ids(&b, body);

    // The radius (5 km when absent), nearest first by default.
    assert_eq!(search(json!({})).await, vec![one, two, three, four]);
    assert_eq!(search(json!({"radius": 3})).await, vec![one, two, three]);
    assert_eq!(search(json!({"radius": 10})).await, ids);
    // The six sorts.
    assert_eq!(
        search(json!({"sort": 4})).await,
        vec![three, one, four, two]
    );
    assert_eq!(
        search(json!({"sort": 5})).await,
        vec![two, four, one, three]
    );
    assert_eq!(
        search(json!({"sort": 6})).await,
        vec![three, one, four, two]
    );
    assert_eq!(search(json!({"sort": 2})).await.len(), 4);
    assert_eq!(search(json!({"sort": 3})).await.len(), 4);
    // Paging: [shift:][..count].
    assert_eq!(
        search(json!({"shift": 1, "count": 2})).await,
        vec![two, three]
    );
    // Filters.
    assert_eq!(
        search(json!({"house_rent_fee": "[1000, 2500]"})).await,
        vec![one, four]
    );
    assert_eq!(
        search(json!({"house_rent_fee": "[,1500]"})).await,
        vec![one, three]
    );
    assert_eq!(
        search(json!({"house_rent_fee": "[2500,]"})).await,
        vec![two]
    );
    assert_eq!(
        search(json!({"house_size": "[40,80]"})).await,
        vec![one, four]
    );
    assert_eq!(
        search(json!({"house_rooms": "1|3"})).await,
        vec![one, three, four]
    );
    assert_eq!(search(json!({"house_rent_room_type": 2})).await, vec![two]);
    assert_eq!(
        search(json!({"house_rent_time_type": "1"})).await,
        vec![three]
    );
    assert_eq!(
        search(json!({"house_direction": "南|北"})).await,
        vec![one, two]
    );
    assert_eq!(
        search(json!({"house_name": "近地铁"})).await,
        vec![one, three]
    );
    assert_eq!(
        search(json!({"house_characteristic": "近地铁|拎包入住"})).await,
        vec![three]
    );
    assert_eq!(search(json!({"house_name": "%"})).await, Vec::<i64>::new());
    // Bad filters name their field.
    for (field, value, says) in [
        (
            "house_rent_fee",
            json!("100-500"),
            "house_rent_fee必须是区间的写法",
        ),
        ("sort", json!(7), "sort必须在1到6之间"),
        ("radius", json!(51), "radius"),
        ("house_rooms", json!("1||2"), "house_rooms"),
    ] {
        let mut body = json!({"longitude": HERE.0, "latitude": HERE.1});
        body[field] = value;
        let refused = app
            .post("/api/v1/rental/search_house", body, Some(&b))
            .await;
        assert_refused(&refused, 400, says);
    }
    let refused = app
        .post(
            "/api/v1/rental/search_house",
            json!({"latitude": HERE.1}),
            Some(&b),
        )
        .await;
    assert_refused(&refused, 400, "longitude");
    app.stop().await;
}

#[tokio::test]
async fn the_platform_reviews_the_listings_of_its_communities_only() {
    let app = spawn_app().await;
    let BoundResident { token: a, house } = app.bound_resident(FU_YU).await;
    let p2 = app.platform().await;
    let p3 = app.platform_10003().await;
    let id = app
        .create_listing(&a, listing(house, "南向两居", 2500, 0.5))
        .await;
    assert_eq!(app.release(&a, id).await.body["data"]["status"], 1);

    let listed = |token: String, status: Option<i64>| {
        let app = &app;
        async move {
            let mut body = json!({"xiaoqu": "10002"});
            if let Some(status) = status {
                body["status"] = json!(status);
            }
            app.post("/api/v1/wjdh/rental/list", body, Some(&token))
                .await
        }
    };
    let all = listed(p2.clone(), None).await;
    assert_eq!(all.code(), 0, "{:?}", all.body);
    assert_eq!(all.body["data"]["houses"][0]["id"], id);
    assert_eq!(all.body["data"]["pages"]["total"], 1);
    assert_refused(&listed(p3.clone(), None).await, 403, "");
    let decide = |token: String, body: Value| {
        let app = &app;
        async move { app.put_json("/api/v1/wjdh/rental", body, &token).await }
    };
    let foreign = decide(p3, json!({"id": id, "status": 3, "reason": "违规"})).await;
    assert_refused(&foreign, 403, "");
    let no_reason = decide(p2.clone(), json!({"id": id, "status": 3})).await;
    assert_refused(&no_reason, 400, "reason");

    // Taken down with a reason the landlord reads; out of search.
    let taken = decide(
        p2.clone(),
        json!({"id": id, "status": 3, "reason": "图片与实际不符"}),
    )
    .await;
    assert_eq!(taken.code(), 0, "{:?}", taken.body);
    let mine = app.my_listing(&a, id).await.unwrap();
    assert_eq!(
        (mine["status"].clone(), mine["reason"].clone()),
        (json!(3), json!("图片与实际不符"))
    );
    assert!(!app.search_ids(&a, json!({})).await.contains(&id));

    // Released again, it waits for the platform even from its 业主.
    assert_eq!(app.release(&a, id).await.body["data"]["status"], 2);
    let waiting = listed(p2.clone(), Some(2)).await;
    assert_eq!(waiting.rows_in("houses").len(), 1, "{:?}", waiting.body);
    assert!(
        listed(p2.clone(), Some(1))
            .await
            .rows_in("houses")
            .is_empty()
    );
    let refused = decide(
        p2.clone(),
        json!({"id": id, "status": 0, "reason": "证件不清"}),
    )
    .await;
    assert_eq!(refused.code(), 0, "{:?}", refused.body);
    assert_eq!(app.my_listing(&a, id).await.unwrap()["reason"], "证件不清");
    let twice = decide(p2.clone(), json!({"id": id, "status": 0, "reason": "x"})).await;
    assert_refused(&twice, 409, "status");
    assert_eq!(app.release(&a, id).await.body["data"]["status"], 2);
    let approved = decide(p2.clone(), json!({"id": id, "status": "1"})).await;
    assert_eq!(approved.code(), 0, "{:?}", approved.body);
    assert_eq!(approved.body["data"]["status"], 1);
    assert!(app.search_ids(&a, json!({})).await.contains(&id));
    let unknown = decide(p2, json!({"id": 999_999, "status": 1})).await;
    assert_refused(&unknown, 404, "id");
    app.stop().await;
}

#[tokio::test]
async fn an_invitation_code_is_set_once_never_ones_own_and_never_in_a_circle() {
    let app = spawn_app().await;
    let a = app.bound_resident(FU_YU).await.token;
    let b = app.bound_resident(WANG_FANG).await.token;
    let c = app.bound_resident(ZHAO_QIANG).await.token;
    let code_of = |token: String| {
        let app = &app;
        async move {
            let codes = app
                .get_as("/api/v1/rental/invitation/getcode", &token)
                .await;
            assert_eq!(codes.code(), 0, "{:?}", codes.body);
            codes.body["data"].clone()
        }
    };
    let (code_a, code_b, code_c) = (
        code_of(a.clone()).await,
        code_of(b.clone()).await,
        code_of(c.clone()).await,
    );
    assert_eq!(code_a["friend_invite_code"], Value::Null);
    let mine = code_a["my_invite_code"].as_str().unwrap().to_owned();
    assert_eq!(mine.len(), 8);
    assert!(mine.bytes().all(|b| b.is_ascii_hexdigit()));
    let set = |token: String, code: String| {
        let app = &app;
        async move {
            app.get_as(
                &format!("/api/v1/rental/invitation/setcode?invite_code={code}"),
                &token,
            )
            .await
        }
    };
    let code = |v: &Value| v["my_invite_code"].as_str().unwrap().to_owned();

    assert_refused(&set(a.clone(), code(&code_a)).await, 409, "invite_code");
    assert_refused(
        &set(a.clone(), "FFFFFFF0".to_owned()).await,
        404,
        "invite_code",
    );
    assert_refused(
        &set(a.clone(), "0000000G".to_owned()).await,
        400,
        "invite_code必须是8位邀请码",
    );
    // B invited A, C invited B: A inviting C would close a circle.
    assert_eq!(set(a.clone(), code(&code_b)).await.code(), 0);
    assert_eq!(set(b.clone(), code(&code_c)).await.code(), 0);
    assert_refused(&set(c.clone(), code(&code_a)).await, 409, "invite_code");
    // Once.
    assert_refused(&set(a.clone(), code(&code_c)).await, 409, "invite_code");
    assert_eq!(
        code_of(a).await["friend_invite_code"],
        code_b["my_invite_code"]
    );
    app.stop().await;
}

#[tokio::test]
async fn a_listings_photos_and_videos_are_its_landlords_and_anyone_sees_them() {
    let app = spawn_app().await;
    let BoundResident { token: a, house } = app.bound_resident(FU_YU).await;
    let b = app.bound_resident(WANG_FANG).await.token;
    let id = app
        .create_listing(&a, listing(house, "南向两居", 2500, 0.5))
        .await;

    // Seed 004: one or several photos at once, with the room they show.
    let form = Form::new()
        .text("house_id", id.to_string())
        .text("rooms_type", "1")
        .text("rooms_area", "12.5")
        .text("rooms_orientation", "南")
        .part("house_photo", file(TINY_PNG, "a.png"))
        .part("house_photo", file(TINY_PNG, "b.png"));
    let added = app
        .post_multipart("/api/v1/rental/create_house_photo", form, &a)
        .await;
    assert_eq!(added.code(), 0, "{:?}", added.body);
    let urls = added.body["data"]["url"].as_array().unwrap().clone();
    let ids = added.body["data"]["id"].as_array().unwrap().clone();
    assert_eq!((urls.len(), ids.len()), (2, 2), "{:?}", added.body);
    // Anyone reads them, without a token (a mini-program's <image> sends none).
    let photo = app.get_raw(&path_of(&urls[0]), None).await;
    assert_eq!(photo.status.as_u16(), 200);
    assert_eq!(photo.header("content-type"), "image/png");
    assert_eq!(photo.bytes, TINY_PNG);

    let row = app.my_listing(&a, id).await.unwrap();
    let photos = row["house_photo"].as_array().unwrap();
    assert_eq!(photos.len(), 2, "{row:?}");
    assert_eq!(photos[0]["rooms_type"], 1);
    assert_eq!(photos[0]["rooms_area"], 12.5);
    assert_eq!(photos[0]["rooms_orientation"], "南");
    assert_eq!(photos[0]["url"], urls[0]);

    // Only the landlord; bytes are sniffed.
    let form = |bytes: &'static [u8]| {
        Form::new()
            .text("photo_id", ids[0].to_string())
            .part("house_photo", file(bytes, "c.png"))
    };
    let foreign = app
        .post_multipart("/api/v1/rental/update_house_photo", form(TINY_PNG), &b)
        .await;
    assert_refused(&foreign, 403, "photo_id");
    let not_image = app
        .post_multipart("/api/v1/rental/update_house_photo", form(TINY_MP4), &a)
        .await;
    assert_refused(&not_image, 400, "house_photo: 只能上传JPG或PNG格式的图片");
    let replaced = app
        .post_multipart("/api/v1/rental/update_house_photo", form(TINY_PNG), &a)
        .await;
    assert_eq!(replaced.code(), 0, "{:?}", replaced.body);
    let row = app.my_listing(&a, id).await.unwrap();
    assert_ne!(row["house_photo"][0]["url"], urls[0]);
    let foreign = Form::new()
        .text("house_id", id.to_string())
        .text("rooms_type", "3")
        .part("house_photo", file(TINY_PNG, "a.png"));
    let foreign = app
        .post_multipart("/api/v1/rental/create_house_photo", foreign, &b)
        .await;
    assert_refused(&foreign, 403, "house_id");

    // A video: MP4 only.
    let video = |bytes: &'static [u8]| {
        Form::new()
            .text("house_id", id.to_string())
            .part("house_video", file(bytes, "v.mp4"))
    };
    let refused = app
        .post_multipart("/api/v1/rental/create_house_video", video(TINY_PNG), &a)
        .await;
    assert_refused(&refused, 400, "house_video: 只能上传MP4格式的视频");
    let added = app
        .post_multipart("/api/v1/rental/create_house_video", video(TINY_MP4), &a)
        .await;
    assert_eq!(added.code(), 0, "{:?}", added.body);
    let video_id = added.body["data"]["id"].as_i64().unwrap();
    let stored = app
        .get_raw(&path_of(&added.body["data"]["url"]), None)
        .await;
    assert_eq!(stored.header("content-type"), "video/mp4");
    let replace = Form::new()
        .text("video_id", video_id.to_string())
        .part("house_video", file(TINY_MP4, "w.mp4"));
    let replaced = app
        .post_multipart("/api/v1/rental/update_house_video", replace, &a)
        .await;
    assert_eq!(replaced.code(), 0, "{:?}", replaced.body);
    // A photo id is not a video id.
    let wrong = Form::new()
        .text("video_id", ids[1].to_string())
        .part("house_video", file(TINY_MP4, "w.mp4"));
    let wrong = app
        .post_multipart("/api/v1/rental/update_house_video", wrong, &a)
        .await;
    assert_refused(&wrong, 404, "video_id");
    let row = app.my_listing(&a, id).await.unwrap();
    assert_eq!(row["house_video"].as_array().unwrap().len(), 1);

    // Search rows carry the photos as URLs.
    assert_eq!(app.release(&a, id).await.code(), 0);
    let found = app
        .post(
            "/api/v1/rental/search_house",
            json!({"longitude": HERE.0, "latitude": HERE.1}),
            Some(&b),
        )
        .await;
    assert_eq!(found.rows()[0]["photos"].as_array().unwrap().len(), 2);
    let unknown = app
        .get_raw(
            "/api/v1/rental/files/wjdh-platform/rental/1/house-photo/20261202/x.gif",
            None,
        )
        .await;
    assert_eq!(unknown.status.as_u16(), 404);
    app.stop().await;
}

#[tokio::test]
async fn a_portrait_is_the_profiles_headimgurl() {
    let app = spawn_app().await;
    let a = app.bound_resident(FU_YU).await.token;
    let form = Form::new()
        .text("nickname", "付女士")
        .part("portrait", file(TINY_PNG, "me.png"));
    let saved = app
        .post_multipart("/api/v1/rental/create_userinfo", form, &a)
        .await;
    assert_eq!(saved.code(), 0, "{:?}", saved.body);
    let profile = app.get_as("/api/v1/rental/wx_fetch_userinfo", &a).await;
    let portrait = app
        .get_raw(&path_of(&profile.body["data"]["headimgurl"]), None)
        .await;
    assert_eq!(portrait.bytes, TINY_PNG);
    let form = Form::new().part("portrait", file(b"GIF89a", "me.gif"));
    let refused = app
        .post_multipart("/api/v1/rental/create_userinfo", form, &a)
        .await;
    assert_refused(&refused, 400, "portrait: 只能上传JPG或PNG格式的图片");
    app.stop().await;
}

/// The front of an ID card as the sandbox's OCR reads it: a PNG carrying the fields.
fn card_front(name: &str, idcard: &str) -> Vec<u8> {
    let fields = json!({
        "birthday": "19870504", "address": "河北省秦皇岛市海港区", "gender": "女",
        "nation": "汉", "idcard": idcard, "name": name,
    });
    [TINY_PNG, format!("IDCARD:{fields}").as_bytes()].concat()
}

#[tokio::test]
async fn a_real_name_is_the_one_on_the_id_card() {
    let app = spawn_app().await;
    let a = app.bound_resident(FU_YU).await.token;
    let identify = |name: &'static str, number: &'static str, front: Vec<u8>| {
        let form = Form::new()
            .text("realname", name)
            .text("idcardnumber", number)
            .part("portrait", file(TINY_PNG, "me.png"))
            .part("idcardfront", Part::bytes(front).file_name("front.png"))
            .part("idcardback", file(TINY_PNG, "back.png"));
        let app = &app;
        let a = a.clone();
        async move {
            app.post_multipart("/api/v1/rental/user_identification", form, &a)
                .await
        }
    };
    let card = card_front("李先生", "513812198703014651");
    // Seed 004's answer: [姓名, 身份证号], the caller's own.
    let done = identify("李先生", "513812198703014651", card.clone()).await;
    assert_eq!(done.code(), 0, "{:?}", done.body);
    assert_eq!(done.body["data"], json!(["李先生", "513812198703014651"]));
    let other_name = identify("王先生", "513812198703014651", card.clone()).await;
    assert_refused(&other_name, 409, "realname");
    let other_number = identify("李先生", "130302198001012519", card).await;
    assert_refused(&other_number, 409, "idcardnumber");
    let unreadable = identify("李先生", "513812198703014651", TINY_PNG.to_vec()).await;
    assert_refused(&unreadable, 400, "idcardfront");
    let bad_number = identify("李先生", "513812198703014650", TINY_PNG.to_vec()).await;
    assert_refused(&bad_number, 400, "idcardnumber");
    app.stop().await;
}

#[tokio::test]
async fn a_landlord_who_is_not_the_owner_lets_a_house_once_the_platform_approves_the_claim() {
    let app = spawn_app().await;
    let BoundResident { token: a, house } = app.bound_resident(FU_YU).await;
    let b = app.bound_resident(WANG_FANG).await.token;
    let p2 = app.platform().await;
    let p3 = app.platform_10003().await;
    let claim = |token: String, house_type: &'static str, lease: bool| {
        let mut form = Form::new()
            .text("community_identifier", "10002")
            .text("community_house_id", house.to_string())
            .text("certname", "付钰")
            .text("idcardnumber", "130302198001012519")
            .text("property_cert_number", "冀2020秦皇岛市不动产权第0001号")
            .text("house_type", house_type)
            .part("property_cert_photo", file(TINY_PNG, "cert.png"));
        if lease {
            form = form.part("lease_agreement_photo_url", file(TINY_PNG, "lease.png"));
        }
        let app = &app;
        async move {
            app.post_multipart("/api/v1/rental/house_identification", form, &token)
                .await
        }
    };

    // B (not the owner) cannot list A's house before claiming it.
    let refused = app
        .post(
            "/api/v1/rental/house_create",
            listing(house, "二房东转租", 1800, 1.0),
            Some(&b),
        )
        .await;
    assert_refused(&refused, 403, "community_house_id");
    // A 二房东 needs the lease agreement.
    assert_refused(
        &claim(b.clone(), "2", false).await,
        400,
        "lease_agreement_photo_url",
    );
    let claimed = claim(b.clone(), "2", true).await;
    assert_eq!(claimed.code(), 0, "{:?}", claimed.body);
    let answer = claimed.body["data"].as_array().unwrap().clone();
    assert_eq!(answer.len(), 5, "seed 004's five fields: {answer:?}");
    assert_eq!(answer[0], "付钰");
    assert_eq!(answer[2], "冀2020秦皇岛市不动产权第0001号");
    // The documents are the claimant's and the deciding platform's only.
    let cert = path_of(&answer[3]);
    assert_eq!(app.get_raw(&cert, Some(&b)).await.status.as_u16(), 200);
    assert_eq!(app.get_raw(&cert, Some(&p2)).await.status.as_u16(), 200);
    assert_eq!(app.get_raw(&cert, Some(&p3)).await.status.as_u16(), 403);
    assert_eq!(app.get_raw(&cert, Some(&a)).await.status.as_u16(), 403);
    assert_eq!(app.get_raw(&cert, None).await.status.as_u16(), 403);
    assert_eq!(
        app.get_raw(&cert, Some(&b)).await.header("cache-control"),
        "private, no-store"
    );

    // While the claim waits: a draft, but no release.
    let id = app
        .create_listing(&b, listing(house, "二房东转租", 1800, 1.0))
        .await;
    assert_eq!(
        app.my_listing(&b, id).await.unwrap()["owner_verified"],
        false
    );
    assert_refused(&app.release(&b, id).await, 403, "house_id");

    // The platform of 10002 decides; 10003's cannot.
    let listed = app
        .post(
            "/api/v1/wjdh/rental/identifications",
            json!({"xiaoqu": "10002", "status": 2}),
            Some(&p2),
        )
        .await;
    assert_eq!(listed.code(), 0, "{:?}", listed.body);
    let row = listed.rows_in("identifications")[0].clone();
    assert_eq!(row["idcardnumber"], "130302198001012519");
    assert_eq!(row["house_introduction"], "晨曦家园1栋1单元1楼101号");
    let claim_id = row["id"].as_i64().unwrap();
    // The claimant follows her claim; nobody else sees it.
    let mine = |token: String| {
        let app = &app;
        async move {
            app.post("/api/v1/rental/my_identifications", json!({}), Some(&token))
                .await
        }
    };
    let waiting = mine(b.clone()).await;
    assert_eq!(waiting.code(), 0, "{:?}", waiting.body);
    assert_eq!(waiting.rows().len(), 1);
    assert_eq!(waiting.rows()[0]["id"], claim_id);
    assert_eq!(waiting.rows()[0]["status"], 2);
    assert!(mine(a.clone()).await.rows().is_empty());
    let foreign = app
        .put_json(
            "/api/v1/wjdh/rental/identification",
            json!({"id": claim_id, "status": 1}),
            &p3,
        )
        .await;
    assert_refused(&foreign, 403, "");
    let no_reason = app
        .put_json(
            "/api/v1/wjdh/rental/identification",
            json!({"id": claim_id, "status": 0}),
            &p2,
        )
        .await;
    assert_refused(&no_reason, 400, "reason");
    let approved = app
        .put_json(
            "/api/v1/wjdh/rental/identification",
            json!({"id": claim_id, "status": 1}),
            &p2,
        )
        .await;
    assert_eq!(approved.code(), 0, "{:?}", approved.body);
    assert_eq!(approved.body["data"]["status"], 1);
    let again = app
        .put_json(
            "/api/v1/wjdh/rental/identification",
            json!({"id": claim_id, "status": 0, "reason": "x"}),
            &p2,
        )
        .await;
    assert_refused(&again, 409, "status");
    let decided = mine(b.clone()).await;
    assert_eq!(decided.rows()[0]["status"], 1);
    assert!(decided.rows()[0]["decided_at"].is_string());

    // Approved, the listing still waits for the platform (only the registry's 业主 skips it).
    assert_eq!(app.release(&b, id).await.body["data"]["status"], 2);
    let decided = app
        .put_json("/api/v1/wjdh/rental", json!({"id": id, "status": 1}), &p2)
        .await;
    assert_eq!(decided.code(), 0, "{:?}", decided.body);
    let found = app.search_ids(&a, json!({})).await;
    assert!(found.contains(&id));

    // The bound 业主's own claim is approved by the registry at once.
    let own = claim(a.clone(), "1", false).await;
    assert_eq!(own.code(), 0, "{:?}", own.body);
    let listed = app
        .post(
            "/api/v1/wjdh/rental/identifications",
            json!({"xiaoqu": "10002", "status": 1}),
            Some(&p2),
        )
        .await;
    assert_eq!(
        listed.rows_in("identifications").len(),
        2,
        "{:?}",
        listed.body
    );
    // A house outside the tree is named as such.
    let mut unknown = Form::new()
        .text("community_identifier", "10003")
        .text("community_house_id", house.to_string())
        .text("certname", "付钰")
        .text("idcardnumber", "130302198001012519")
        .text("property_cert_number", "x");
    unknown = unknown.part("property_cert_photo", file(TINY_PNG, "cert.png"));
    let unknown = app
        .post_multipart("/api/v1/rental/house_identification", unknown, &b)
        .await;
    assert_refused(&unknown, 404, "community_house_id");
    app.stop().await;
}

#[tokio::test]
async fn the_map_search_and_the_lists_are_read_through_indexes() {
    use diesel::RunQueryDsl;
    let app = spawn_app().await;
    let db = app.stack.community_db.clone();
    let postgres = db.backend() == "postgres";
    // The statements svc-community runs, as diesel writes them.
    let queries = [
        "SELECT * FROM rental_listings WHERE owner_id = 7 AND deleted_at IS NULL ORDER BY id DESC",
        "SELECT * FROM rental_listings WHERE community_identifier = '10002' AND status IS NOT NULL AND status = 2 ORDER BY id DESC LIMIT 20 OFFSET 0",
        "SELECT * FROM rental_media WHERE listing_id IN (1, 2) ORDER BY listing_id, kind, id",
        "SELECT user_id, inviter_id FROM rental_profiles WHERE user_id = 7",
        "SELECT * FROM rental_identifications WHERE user_id = 7 AND community_house_id = 3 ORDER BY id DESC",
        "SELECT * FROM rental_identifications WHERE community_identifier = '10002' AND status = 2 ORDER BY id DESC LIMIT 20 OFFSET 0",
        "SELECT * FROM rental_identifications WHERE property_cert_key = 'k'",
        "SELECT * FROM rental_identifications WHERE lease_key = 'k'",
    ];
    // The map search's shapes (svc-community's db::rental::in_bands and by_key), each with the
    // index it must be read through: a plan that sorts or walks another index grows with the
    // number of listings in the city.
    // Each backend's statements write the filtered columns as svc-community's
    // db::rental::Written says for it.
    use svc_community::db::rental::{
        MAP_BAND_SQL, POSTGRES_WRITES, SQLITE_WRITES, Written, band_written, ties_written,
    };
    let written = if postgres {
        POSTGRES_WRITES
    } else {
        SQLITE_WRITES
    };
    // A cell's read leaves the box to the distance where the backend says so (`box_in_cell`).
    let in_box = |w: Written, boxed: bool| {
        let area = if boxed {
            format!(
                "{} BETWEEN 39.90 AND 39.96 AND {} BETWEEN 119.56 AND 119.64 AND ",
                w.latitude, w.longitude
            )
        } else {
            String::new()
        };
        format!(
            "status = 1 AND {area}{} >= 100000 AND {} <= 500000 AND rent_room_type IN (1)",
            w.rent, w.rent
        )
    };
    let filters = in_box(written, true);
    let filters = filters.as_str();
    let cell_filters = in_box(written, written.box_in_cell);
    let cell_ties = in_box(ties_written(written), written.box_in_cell);
    let band_filters = in_box(band_written(written), true);
    let tie_filters = in_box(ties_written(written), true);
    let bands: Vec<String> = (139_899..=139_961).map(|b: i64| b.to_string()).collect();
    let cell = svc_community::domain::rental::map_cell(39.93, 119.6);
    let bands = bands.join(", ");
    let search = [
        (
            format!(
                "SELECT id, latitude, longitude FROM rental_listings WHERE {band_filters} AND {MAP_BAND_SQL} IN ({bands})"
            ),
            "rental_listings_on_map_bands",
        ),
        (
            format!(
                "SELECT id, latitude, longitude FROM rental_listings WHERE {filters} AND released_at IS NOT NULL AND released_at < 1800000000 ORDER BY released_at DESC LIMIT 38"
            ),
            "rental_listings_by_release",
        ),
        (
            format!(
                "SELECT id, latitude, longitude FROM rental_listings WHERE {filters} AND (praise_count + view_count) IS NOT NULL ORDER BY (praise_count + view_count) DESC LIMIT 38"
            ),
            "rental_listings_by_attention",
        ),
        (
            format!(
                "SELECT id, latitude, longitude FROM rental_listings WHERE {filters} AND house_rent_fen IS NOT NULL AND house_rent_fen > 150000 AND house_rent_fen >= 100000 AND house_rent_fen <= 500000 ORDER BY house_rent_fen ASC LIMIT 38"
            ),
            "rental_listings_by_rent",
        ),
        (
            format!(
                "SELECT id, latitude, longitude FROM rental_listings WHERE {filters} AND house_rent_fen IS NOT NULL AND house_rent_fen >= 100000 AND house_rent_fen <= 500000 ORDER BY house_rent_fen DESC LIMIT 38"
            ),
            "rental_listings_by_rent",
        ),
        (
            format!(
                "SELECT id, latitude, longitude FROM rental_listings WHERE {tie_filters} AND house_rent_fen IS NOT NULL AND house_rent_fen = 150000 AND house_rent_fen >= 100000 AND house_rent_fen <= 500000"
            ),
            "rental_listings_by_rent",
        ),
        (
            format!(
                "SELECT id, latitude, longitude FROM rental_listings WHERE {filters} AND house_size IS NOT NULL ORDER BY house_size ASC LIMIT 38"
            ),
            "rental_listings_by_size",
        ),
        // A box of few cells is read cell by cell, up to the page's last key found so far.
        (
            format!(
                "SELECT id, latitude, longitude FROM rental_listings WHERE {cell_filters} AND map_cell = {cell} AND released_at IS NOT NULL AND released_at >= 1700000000 ORDER BY released_at DESC LIMIT 38"
            ),
            "rental_listings_cells_by_release",
        ),
        (
            format!(
                "SELECT id, latitude, longitude FROM rental_listings WHERE {cell_filters} AND map_cell = {cell} AND (praise_count + view_count) IS NOT NULL AND (praise_count + view_count) < 900 AND (praise_count + view_count) >= 20 ORDER BY (praise_count + view_count) DESC LIMIT 38"
            ),
            "rental_listings_cells_by_attention",
        ),
        (
            format!(
                "SELECT id, latitude, longitude FROM rental_listings WHERE {cell_filters} AND map_cell = {cell} AND house_rent_fen IS NOT NULL AND house_rent_fen > 150000 AND house_rent_fen <= 300000 AND house_rent_fen >= 100000 AND house_rent_fen <= 500000 ORDER BY house_rent_fen ASC LIMIT 38"
            ),
            "rental_listings_cells_by_rent",
        ),
        (
            format!(
                "SELECT id, latitude, longitude FROM rental_listings WHERE {cell_ties} AND map_cell = {cell} AND house_rent_fen IS NOT NULL AND house_rent_fen = 150000 AND house_rent_fen >= 100000 AND house_rent_fen <= 500000"
            ),
            "rental_listings_cells_by_rent",
        ),
        (
            format!(
                "SELECT id, latitude, longitude FROM rental_listings WHERE {cell_filters} AND map_cell = {cell} AND house_size IS NOT NULL AND house_size <= 60 ORDER BY house_size ASC LIMIT 38"
            ),
            "rental_listings_cells_by_size",
        ),
    ];
    // The planners choose by statistics: 20,000 published listings around the box (varied as wjdh
    // bench-rental seeds them; some hundreds pass the box and filters, as in a city at scale),
    // then ANALYZE, as a running platform has them.
    db.run(move |conn| -> Result<(), kit::db::DbError> {
        use diesel::connection::SimpleConnection;
        conn.batch_execute(
            "WITH RECURSIVE seq(n) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT n + 1 FROM seq WHERE n < 20000)
INSERT INTO rental_listings (owner_id, community_identifier, community_house_id, house_introduction, status, reason, platform_hold, owner_verified, longitude, latitude, house_rent_fen, house_size, rent_time_type, rent_room_type, details, praise_count, view_count, created_at, updated_at, released_at)
SELECT 1000 + n % 100, '10002', n, '', 1, '', false, true, 119.44 + (n * 65537 % 50021) * 0.0000064, 39.8 + (n * 40503 % 45007) * 0.0000058,
  100000 + (n * 7919 % 901) * 1000, 20 + n * 31 % 131, 1 + (n / 7) % 2, 1 + (n / 3) % 2, '{}', n * 37 % 53, n * 17 % 1009, n, n, 1760000000 + n * 7879 % 8000009
FROM seq",
        )?;
        // The cell read (39.90625–39.9375 N, 119.59375–119.625 E) as dense as a city's cell at
        // a million listings: 5,000 more in it.
        conn.batch_execute(
            "WITH RECURSIVE seq(n) AS (SELECT CAST(20001 AS BIGINT) UNION ALL SELECT n + 1 FROM seq WHERE n < 25000)
INSERT INTO rental_listings (owner_id, community_identifier, community_house_id, house_introduction, status, reason, platform_hold, owner_verified, longitude, latitude, house_rent_fen, house_size, rent_time_type, rent_room_type, details, praise_count, view_count, created_at, updated_at, released_at)
SELECT 1000 + n % 100, '10002', n, '', 1, '', false, true, 119.594 + (n * 65537 % 50021) * 0.0000006, 39.907 + (n * 40503 % 45007) * 0.0000006,
  100000 + (n * 7919 % 901) * 1000, 20 + n * 31 % 131, 1 + (n / 7) % 2, 1 + (n / 3) % 2, '{}', n * 37 % 53, n * 17 % 1009, n, n, 1760000000 + n * 7879 % 8000009
FROM seq",
        )?;
        conn.batch_execute(if postgres { "ANALYZE rental_listings" } else { "ANALYZE" })?;
        Ok(())
    })
    .await
    .unwrap();
    let queries = queries
        .into_iter()
        .map(|q| (q.to_owned(), None))
        .chain(search.into_iter().map(|(q, index)| (q, Some(index))));
    for (query, index) in queries {
        let explained = query.clone();
        let plan = db
            .run(move |conn| -> Result<Vec<String>, kit::db::DbError> {
                if postgres {
                    // The tables are small here: make the planner show whether an index serves.
                    diesel::sql_query("SET enable_seqscan = off").execute(conn)?;
                    let lines =
                        diesel::sql_query(format!("EXPLAIN {explained}")).load::<PgPlanLine>(conn);
                    diesel::sql_query("RESET enable_seqscan").execute(conn)?;
                    Ok(lines?.into_iter().map(|l| l.plan).collect())
                } else {
                    Ok(kit::db::sqlite_plan(conn, &explained)?)
                }
            })
            .await
            .unwrap();
        let scans = plan
            .iter()
            .filter(|line| line.starts_with("SCAN") || line.contains("Seq Scan"))
            .count();
        assert_eq!(
            scans, 0,
            "{query}: {plan:?} (a full scan grows with the table)"
        );
        if let Some(index) = index {
            assert!(
                plan.iter().any(|line| line.contains(index)),
                "{query}: {plan:?} (read through {index})"
            );
            // One key's listings: the box's latitudes are a range of the index after the key.
            if query.contains("house_rent_fen = 150000") && query.contains(" latitude BETWEEN") {
                let seeks_latitude = |line: &String| {
                    line.contains("latitude>?")
                        || (line.contains("Index Cond") && line.contains("latitude >="))
                };
                assert!(
                    plan.iter().any(seeks_latitude),
                    "{query}: {plan:?} (the latitudes sought, not checked on every tie)"
                );
            }
            assert!(
                !plan
                    .iter()
                    .any(|line| line.contains("TEMP B-TREE") || line.contains("Sort")),
                "{query}: {plan:?} (a sort reads every listing in the box)"
            );
        }
    }
    app.stop().await;
}

#[derive(diesel::QueryableByName)]
struct PgPlanLine {
    #[diesel(sql_type = diesel::sql_types::Text)]
    #[diesel(column_name = "QUERY PLAN")]
    plan: String,
}

#[tokio::test]
async fn seekers_open_listings_and_keep_favourites_which_the_attention_sort_reads() {
    let app = spawn_app().await;
    let BoundResident { token: a, house } = app.bound_resident(FU_YU).await;
    let b = app.bound_resident(WANG_FANG).await.token;
    let c = app.bound_resident(ZHAO_QIANG).await.token;
    let saved = app
        .post_form_token(
            "/api/v1/rental/create_userinfo",
            &[("nickname", "付女士"), ("user_type", "1")],
            &a,
        )
        .await;
    assert_eq!(saved.code(), 0, "{:?}", saved.body);

    let mut body = listing(house, "一号", 1500, 0.5);
    body["verification_code"] = json!("1101052026120300123");
    let first = app.create_listing(&a, body).await;
    let second = app
        .create_listing(&a, listing(house, "二号", 1600, 1.0))
        .await;
    let draft = app
        .create_listing(&a, listing(house, "三号", 1700, 1.5))
        .await;
    for id in [first, second] {
        assert_eq!(app.release(&a, id).await.code(), 0);
    }
    let attention = json!({"sort": 3});
    // Nobody looked yet: ties go to the nearer.
    assert_eq!(
        app.search_ids(&b, attention.clone()).await,
        vec![first, second]
    );
    const DETAIL: &str = "/api/v1/rental/house_detail";
    const KEEP: &str = "/api/v1/rental/favorite_house";
    const LET_GO: &str = "/api/v1/rental/unfavorite_house";
    const FAVOURITES: &str = "/api/v1/rental/my_favorites";
    async fn call(app: &TestApp, path: &str, token: &str, id: i64) -> crate::helpers::Answer {
        app.post(path, json!({"house_id": id}), Some(token)).await
    }

    // A seeker sees every field of 创建房源, the media, the landlord, the 核验码, but not which
    // flat it is.
    let seen = call(&app, DETAIL, &b, first).await;
    assert_eq!(seen.code(), 0, "{:?}", seen.body);
    let data = &seen.body["data"];
    assert_eq!(data["house_id"], first);
    assert_eq!(data["description_title"], "一号");
    assert_eq!(data["house_rent"], 1500);
    assert_eq!(data["verification_code"], "1101052026120300123");
    assert_eq!(data["landlord"]["nickname"], "付女士");
    assert_eq!(data["landlord"]["user_type"], 1);
    assert_eq!(data["landlord"]["identified"], false);
    assert_eq!(data["owner_verified"], true);
    assert_eq!(data["is_favorite"], false);
    assert_eq!(data["view_count"], 1);
    assert!(data.get("house_introduction").is_none(), "{data}");
    assert!(data.get("community_house_id").is_none(), "{data}");
    // Seen again by the same seeker: still one view; the landlord's own look counts nothing.
    assert_eq!(
        call(&app, DETAIL, &b, first).await.body["data"]["view_count"],
        1
    );
    let own = call(&app, DETAIL, &a, first).await;
    assert_eq!(own.body["data"]["view_count"], 1);
    assert!(own.body["data"]["house_introduction"].is_string());
    // Two seekers open the second: it leads the attention sort.
    for token in [&b, &c] {
        assert_eq!(call(&app, DETAIL, token, second).await.code(), 0);
    }
    assert_eq!(
        app.search_ids(&b, attention.clone()).await,
        vec![second, first]
    );
    // A draft is its landlord's alone; an unknown id is nobody's.
    assert_eq!(call(&app, DETAIL, &a, draft).await.code(), 0);
    assert_refused(&call(&app, DETAIL, &b, draft).await, 404, "house_id");
    assert_refused(&call(&app, DETAIL, &b, 999_999).await, 404, "house_id");

    // Favourites: kept once however often asked, counted in praise_count.
    let kept = call(&app, KEEP, &b, first).await;
    assert_eq!(kept.code(), 0, "{:?}", kept.body);
    assert_eq!(
        kept.body["data"],
        json!({"house_id": first, "praise_count": 1, "is_favorite": true})
    );
    assert_eq!(
        call(&app, KEEP, &b, first).await.body["data"]["praise_count"],
        1
    );
    assert_eq!(
        call(&app, KEEP, &c, first).await.body["data"]["praise_count"],
        2
    );
    assert_eq!(call(&app, KEEP, &c, second).await.code(), 0);
    assert_refused(&call(&app, KEEP, &a, first).await, 403, "house_id");
    assert_refused(&call(&app, KEEP, &b, draft).await, 404, "house_id");
    // Both now 3 (first: 1 view + 2 favourites; second: 2 + 1); C's look at the first tips it.
    assert_eq!(
        call(&app, DETAIL, &c, first).await.body["data"]["is_favorite"],
        true
    );
    assert_eq!(
        app.search_ids(&b, attention.clone()).await,
        vec![first, second]
    );
    let found = app
        .post(
            "/api/v1/rental/search_house",
            json!({"longitude": HERE.0, "latitude": HERE.1}),
            Some(&b),
        )
        .await;
    let row = &found.rows()[0];
    assert_eq!(row["praise_count"], 2);
    assert_eq!(row["landlord"]["nickname"], "付女士");
    assert!(row.get("house_introduction").is_none());

    let mine = call(&app, FAVOURITES, &c, 0).await;
    assert_eq!(mine.code(), 0, "{:?}", mine.body);
    let ids: Vec<i64> = mine
        .rows()
        .iter()
        .map(|r| r["house_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![second, first], "the latest kept first");
    // Pulled off, it stays among them with its status; deleted, it is gone.
    let pulled = app
        .post(
            "/api/v1/rental/pulloff_house",
            json!({"house_id": first}),
            Some(&a),
        )
        .await;
    assert_eq!(pulled.code(), 0, "{:?}", pulled.body);
    let rows = call(&app, FAVOURITES, &c, 0).await.rows().to_vec();
    assert_eq!(rows.len(), 2);
    assert_ne!(rows[1]["status"], 1);
    let deleted = app
        .post(
            "/api/v1/rental/delete_house_info",
            json!({"house_id": second}),
            Some(&a),
        )
        .await;
    assert_eq!(deleted.code(), 0, "{:?}", deleted.body);
    assert_eq!(call(&app, FAVOURITES, &c, 0).await.rows().len(), 1);
    // Let go twice: counted down once, and a listing no longer published can be let go.
    assert_eq!(
        call(&app, LET_GO, &b, first).await.body["data"],
        json!({"house_id": first, "praise_count": 1, "is_favorite": false})
    );
    assert_eq!(
        call(&app, LET_GO, &b, first).await.body["data"]["praise_count"],
        1
    );
    assert!(call(&app, FAVOURITES, &b, 0).await.rows().is_empty());

    // The 核验码 is checked like every field, at create and update.
    let mut body = listing(house, "四号", 1500, 0.5);
    body["verification_code"] = json!("核验码");
    let refused = app
        .post("/api/v1/rental/house_create", body, Some(&a))
        .await;
    assert_refused(&refused, 400, "verification_code");
    let updated = app
        .post(
            "/api/v1/rental/update_house_info",
            json!({"house_id": first, "attr_name": "verification_code", "attr_value": "SH-2026-0001"}),
            Some(&a),
        )
        .await;
    assert_eq!(updated.code(), 0, "{:?}", updated.body);
    assert_eq!(
        app.my_listing(&a, first).await.unwrap()["verification_code"],
        "SH-2026-0001"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_landlord_who_no_longer_holds_the_house_loses_the_listing() {
    let app = spawn_app_with(&[("rental.holding_check_seconds", "1")]).await;
    let BoundResident { token: b, house } = app.bound_resident(WANG_FANG).await;
    let c = app.bound_resident(ZHAO_QIANG).await.token;
    let id = app
        .create_listing(&b, listing(house, "王芳的房", 2000, 0.5))
        .await;
    assert_eq!(app.release(&b, id).await.code(), 0);
    assert_eq!(app.search_ids(&c, json!({})).await, vec![id]);

    // 业主解绑, approved by the platform: the registry no longer has her in the house.
    let binding = app.first_binding(&b).await;
    let filed = app
        .post(
            "/api/v1/weapp/unbindHouse",
            json!({"id": binding}),
            Some(&b),
        )
        .await;
    assert_eq!(filed.code(), 0, "{:?}", filed.body);
    let review = filed.body["data"]["shenhe_id"].as_i64().unwrap();
    let platform = app.platform().await;
    assert_eq!(app.approve(&platform, review).await.code(), 0);

    // The next check takes the listing down, with the reason she reads.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !app.search_ids(&c, json!({})).await.is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "still listed after 20 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let mine = app.my_listing(&b, id).await.unwrap();
    assert_eq!(mine["status"], 3);
    assert!(
        mine["reason"].as_str().unwrap().contains("不再持有该房屋"),
        "{mine}"
    );
    // Nor can she release it again.
    assert_refused(&app.release(&b, id).await, 403, "house_id");
    app.stop().await;
}

/// A seeded listing as the search sorts it.
#[derive(diesel::QueryableByName)]
struct Seeded {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    id: i64,
    #[diesel(sql_type = diesel::sql_types::Double)]
    latitude: f64,
    #[diesel(sql_type = diesel::sql_types::Double)]
    longitude: f64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    house_rent_fen: i64,
    #[diesel(sql_type = diesel::sql_types::Double)]
    house_size: f64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    attention: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    released_at: i64,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    rent_room_type: i32,
}

#[tokio::test]
async fn every_sort_pages_through_many_tied_listings_as_a_full_sort_would() {
    use diesel::RunQueryDsl;
    use diesel::connection::SimpleConnection;
    use svc_community::domain::rental::distance_km;
    let app = spawn_app().await;
    let b = app.bound_resident(WANG_FANG).await.token;
    // 400 listings within about 2.5 km, few rents, sizes, attentions and release times (ties
    // everywhere), every tenth waiting for the platform.
    let listings = app
        .stack
        .community_db
        .run(|conn| -> Result<Vec<Seeded>, kit::db::DbError> {
            conn.batch_execute(&format!(
                "WITH RECURSIVE seq(n) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT n + 1 FROM seq WHERE n < 400)
INSERT INTO rental_listings (owner_id, community_identifier, community_house_id, house_introduction, status, reason, platform_hold, owner_verified, longitude, latitude, house_rent_fen, house_size, rent_time_type, rent_room_type, details, praise_count, view_count, created_at, updated_at, released_at)
SELECT 1000, '10002', n, '', CASE WHEN n % 10 = 0 THEN 2 ELSE 1 END, '', false, true, {lon} + (n * 53 % 103 - 51) * 0.0004, {lat} + (n * 37 % 101 - 50) * 0.0004,
  100000 + (n % 5) * 50000, 20 + n % 7, 1, 1 + n % 2, '{{}}', n % 3, n % 4, n, n, 1760000000 + n % 9
FROM seq",
                lon = HERE.0,
                lat = HERE.1
            ))?;
            Ok(diesel::sql_query(
                "SELECT id, latitude, longitude, house_rent_fen, house_size, praise_count + view_count AS attention, released_at, rent_room_type FROM rental_listings WHERE status = 1",
            )
            .load::<Seeded>(conn)?)
        })
        .await
        .unwrap();
    assert_eq!(listings.len(), 360);
    // 3 and 1.5 km read their few map cells one by one; 10 km crosses too many and reads the
    // city in key order.
    for radius in [3.0, 1.5, 10.0] {
        for room in [None, Some(1)] {
            for sort in 1..=6 {
                let mut expected: Vec<(&Seeded, f64)> = listings
                    .iter()
                    .filter(|l| room.is_none_or(|r| l.rent_room_type == r))
                    .map(|l| (l, distance_km(HERE.1, HERE.0, l.latitude, l.longitude)))
                    .filter(|(_, d)| *d <= radius)
                    .collect();
                expected.sort_by(|(x, dx), (y, dy)| {
                    let first = match sort {
                        2 => y.released_at.cmp(&x.released_at),
                        3 => y.attention.cmp(&x.attention),
                        4 => x.house_rent_fen.cmp(&y.house_rent_fen),
                        5 => y.house_rent_fen.cmp(&x.house_rent_fen),
                        6 => x.house_size.total_cmp(&y.house_size),
                        _ => std::cmp::Ordering::Equal,
                    };
                    first.then(dx.total_cmp(dy)).then(y.id.cmp(&x.id))
                });
                let expected: Vec<i64> = expected.iter().map(|(l, _)| l.id).collect();
                let mut found = Vec::new();
                for shift in (0..expected.len() + 20).step_by(20) {
                    let mut body =
                        json!({"sort": sort, "radius": radius, "shift": shift, "count": 20});
                    if let Some(room) = room {
                        body["house_rent_room_type"] = json!(room.to_string());
                    }
                    found.extend(app.search_ids(&b, body).await);
                }
                assert_eq!(
                    found, expected,
                    "sort {sort}, radius {radius}, room {room:?}"
                );
            }
        }
    }
    app.stop().await;
}
