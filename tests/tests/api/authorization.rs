//! The authorisation matrix (OWASP): every route of the gateway × {no token, resident A, resident
//! B of the same community, a resident of another community, credential 10002, credential 10003}
//! → allowed or refused, end to end. A route the gateway registers and this table lacks fails the
//! test, so a new route cannot skip it. Every answer is also scanned for personal data: a full
//! phone or ID number reaches only its owner and the platform managing that community.
use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{
    BoundResident, FU_YU, TINY_PNG, TestApp, WANG_FANG, ZHAO_QIANG, spawn_app_with,
};
use crate::privacy::captured_logs;

/// Who calls, in the order of a row's `allowed` string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    Nobody,
    /// 付钰, 业主 of 10002 1-1-1-101 (with family).
    A,
    /// 王芳, 业主 of 10002 1-1-2-201.
    B,
    /// 赵强, 业主 of 10003 1-1-1-101.
    C,
    /// The credential managing 10002.
    P2,
    /// The credential managing 10003.
    P3,
}

const EVERYONE: [Who; 6] = [Who::Nobody, Who::A, Who::B, Who::C, Who::P2, Who::P3];

/// What the fixture made, for the rows' requests.
struct World {
    tokens: [String; 6],
    house_a: i64,
    building_10002: i64,
    binding_a: i64,
    member_binding: i64,
    review_a: i64,
    repair_a: i64,
    complaint_a: i64,
    announcement: i64,
    emergency: i64,
    category: i64,
    order_a: i64,
    order_to_close: i64,
    /// A's paid bill (its order is the fixture's third).
    bill_a: i64,
    pass_code: String,
    /// B's claim on A's plate, waiting for 10002's platform.
    transfer: i64,
    face_photo: String,
    community_photo: String,
    /// A's draft listing of her house, complete enough to release.
    listing_a: i64,
    /// A's published listing, for the platform to take down.
    listing_review: i64,
    /// A's landlord id (`owner_id` on her listings).
    owner_a: i64,
    /// B's viewing request of `listing_review`.
    preorder_b: i64,
    /// B's invitation code.
    invite_b: String,
    /// A photo and a video of `listing_a`, and the photo's path.
    listing_photo: i64,
    listing_video: i64,
    listing_photo_path: String,
    /// B's claim to let A's house, waiting for 10002's platform.
    claim_b: i64,
}

impl World {
    fn token(&self, who: Who) -> Option<&str> {
        let index = EVERYONE.iter().position(|w| *w == who).unwrap();
        (who != Who::Nobody).then(|| self.tokens[index].as_str())
    }
}

type Request = fn(&World, Who) -> (String, Value);

/// One route: method, the path as the gateway registers it, who may call it (six characters in
/// the order of [`EVERYONE`]: `y` allowed, `-` refused) and the request each caller sends.
struct Row {
    method: &'static str,
    route: &'static str,
    allowed: &'static str,
    request: Request,
}

const fn row(
    method: &'static str,
    route: &'static str,
    allowed: &'static str,
    request: Request,
) -> Row {
    Row {
        method,
        route,
        allowed,
        request,
    }
}

fn at(path: &str, body: Value) -> (String, Value) {
    (path.to_owned(), body)
}

/// A plate for each resident (bound by each, so none takes another's).
fn plate(who: Who) -> &'static str {
    match who {
        Who::A => "冀C12345",
        Who::B => "冀C22345",
        Who::C => "冀C32345",
        _ => "冀C42345",
    }
}

const PUBLIC: &str = "yyyyyy";
const RESIDENTS: &str = "-yyy--";
const RESIDENT_A: &str = "-y----";
const RESIDENTS_OF_10002: &str = "-yy---";
const PLATFORM_10002_ONLY: &str = "----y-";
const A_AND_HER_PLATFORM: &str = "-y--y-";

/// The table, in the order it runs: reads before the writes that would change them, the
/// destructive ones last.
fn table() -> Vec<Row> {
    vec![
        // Operations and documentation.
        row("GET", "/healthz", PUBLIC, |_, _| at("/healthz", json!({}))),
        row("GET", "/readyz", PUBLIC, |_, _| at("/readyz", json!({}))),
        row("GET", "/metrics", PUBLIC, |_, _| at("/metrics", json!({}))),
        row("GET", "/api/openapi.json", PUBLIC, |_, _| {
            at("/api/openapi.json", json!({}))
        }),
        // 000 §1 and 001 §1.2.1: signing in.
        row("POST", "/api/v1/verificationCodes/phone", PUBLIC, |_, _| {
            at(
                "/api/v1/verificationCodes/phone",
                json!({"phone": "13912345678", "type": "register"}),
            )
        }),
        row("POST", "/api/v1/weapp/code", PUBLIC, |_, _| {
            at("/api/v1/weapp/code", json!({"code": "sandbox:o-matrix"}))
        }),
        row("POST", "/api/v1/weapp/users", PUBLIC, |_, _| {
            at("/api/v1/weapp/users", json!({}))
        }),
        row("POST", "/api/v1/weapp/authorizations", PUBLIC, |_, _| {
            at("/api/v1/weapp/authorizations", json!({}))
        }),
        row("POST", "/api/v1/people/permissions", RESIDENTS, |_, _| {
            at("/api/v1/people/permissions", json!({}))
        }),
        // Subscribe messages: each resident answers and reads their own.
        row("POST", "/api/v1/weapp/subscriptions", RESIDENTS, |_, _| {
            at(
                "/api/v1/weapp/subscriptions",
                json!({"results": {"sandbox-review": "reject"}}),
            )
        }),
        row("POST", "/api/v1/weapp/messages", RESIDENTS, |_, _| {
            at("/api/v1/weapp/messages", json!({}))
        }),
        row("POST", "/api/v1/wjdh/secret", PUBLIC, |_, _| {
            at(
                "/api/v1/wjdh/secret",
                json!({"secret_id": "123456", "secret_key": "123456"}),
            )
        }),
        // 000 §2.1: the address tree, for anyone registering anywhere.
        row("POST", "/api/v1/communities", PUBLIC, |_, _| {
            at("/api/v1/communities", json!({}))
        }),
        row("POST", "/api/v1/buildings", RESIDENTS, |_, _| {
            at("/api/v1/buildings", json!({"id": "10002"}))
        }),
        row("POST", "/api/v1/units", RESIDENTS, |w, _| {
            at("/api/v1/units", json!({"id": w.building_10002}))
        }),
        row("POST", "/api/v1/floors", RESIDENTS, |_, _| {
            at("/api/v1/floors", json!({"id": 1}))
        }),
        row("POST", "/api/v1/houses", RESIDENTS, |_, _| {
            at("/api/v1/houses", json!({"id": 1}))
        }),
        // 000 §2.2–§2.4: registration.
        row("POST", "/api/v1/security/phone", RESIDENTS, |_, _| {
            at(
                "/api/v1/security/phone",
                json!({"verification_key": "k", "verification_code": "000000", "id": "10002"}),
            )
        }),
        row("POST", "/api/v1/security/yezhu", RESIDENTS, |w, _| {
            at("/api/v1/security/yezhu", json!({"id": w.house_a}))
        }),
        row("POST", "/api/v1/security/yezhu-code", RESIDENTS, |_, _| {
            at(
                "/api/v1/security/yezhu-code",
                json!({"verification_key": "k", "verification_code": "000000"}),
            )
        }),
        row("POST", "/api/v1/weapp/yibiaosanshi", RESIDENTS, |_, _| {
            at("/api/v1/weapp/yibiaosanshi", json!({}))
        }),
        row("POST", "/api/v1/weapp/bindHouse", RESIDENTS, |_, _| {
            at("/api/v1/weapp/bindHouse", json!({}))
        }),
        row("POST", "/api/v1/weapp/modifyPerson", RESIDENTS, |_, _| {
            at("/api/v1/weapp/modifyPerson", json!({}))
        }),
        row("POST", "/api/v1/weapp/modifyHouse", RESIDENT_A, |w, _| {
            at(
                "/api/v1/weapp/modifyHouse",
                json!({
                    "id": w.binding_a, "house_id": w.house_a, "role": "业主", "status": "自用", "use": "住宅",
                    "xingzhi": "私有", "type": "业主", "choice": 1,
                }),
            )
        }),
        row("POST", "/api/v1/weapp/unbindHouse", RESIDENT_A, |w, _| {
            at("/api/v1/weapp/unbindHouse", json!({"id": w.binding_a}))
        }),
        row("POST", "/api/v1/people/photo", RESIDENTS, |_, _| {
            at("/api/v1/people/photo", json!({}))
        }),
        row("POST", "/api/v1/idcard/photo", RESIDENTS, |_, _| {
            at("/api/v1/idcard/photo", json!({"image": "bm90IGFuIGltYWdl"}))
        }),
        row(
            "GET",
            "/api/v1/files/{key:.*}",
            A_AND_HER_PLATFORM,
            |w, _| at(&w.face_photo, json!({})),
        ),
        // 000 §3: houses, reviews, family rights.
        row("POST", "/api/v1/user/housesList", RESIDENTS, |_, _| {
            at("/api/v1/user/housesList", json!({}))
        }),
        row("POST", "/api/v1/house/detail", RESIDENT_A, |w, _| {
            at("/api/v1/house/detail", json!({"id": w.house_a}))
        }),
        row("POST", "/api/v1/shenhe/detail", RESIDENT_A, |w, _| {
            at("/api/v1/shenhe/detail", json!({"id": w.review_a}))
        }),
        row("PUT", "/api/v1/house/shouquan", RESIDENT_A, |w, _| {
            at("/api/v1/house/shouquan", json!({"id": w.member_binding}))
        }),
        row("PUT", "/api/v1/house/charge", RESIDENT_A, |w, _| {
            at("/api/v1/house/charge", json!({"id": w.member_binding}))
        }),
        // 001 §1.2.2–§1.2.4: reviews, decided by the platform of the community.
        row(
            "POST",
            "/api/v1/wjdh/shenheList",
            PLATFORM_10002_ONLY,
            |_, _| {
                at(
                    "/api/v1/wjdh/shenheList",
                    json!({"community_identifier": "10002"}),
                )
            },
        ),
        row(
            "POST",
            "/api/v1/wjdh/shenhe",
            PLATFORM_10002_ONLY,
            |w, _| at("/api/v1/wjdh/shenhe", json!({"id": w.review_a})),
        ),
        row(
            "POST",
            "/api/v1/wjdh/shenheLog",
            PLATFORM_10002_ONLY,
            |_, _| {
                at(
                    "/api/v1/wjdh/shenheLog",
                    json!({"community_identifier": "10002"}),
                )
            },
        ),
        row("PUT", "/api/v1/wjdh/shenhe", PLATFORM_10002_ONLY, |w, _| {
            at(
                "/api/v1/wjdh/shenhe",
                json!({"id": w.review_a, "status": "0", "refuse_reason": "资料不全"}),
            )
        }),
        row("DELETE", "/api/v1/shenhe/detail", RESIDENT_A, |w, _| {
            at("/api/v1/shenhe/detail", json!({"id": w.review_a}))
        }),
        // 001 §3: modules.
        row(
            "POST",
            "/api/v1/wjdh/modules",
            PLATFORM_10002_ONLY,
            |_, _| at("/api/v1/wjdh/modules", json!({"xiaoqu": "10002"})),
        ),
        row("PUT", "/api/v1/wjdh/module", PLATFORM_10002_ONLY, |_, _| {
            at(
                "/api/v1/wjdh/module",
                json!({"xiaoqu": "10002", "module_name": "访客通行", "module_status": 1}),
            )
        }),
        row(
            "POST",
            "/api/v1/weapp/modules",
            RESIDENTS_OF_10002,
            |_, _| at("/api/v1/weapp/modules", json!({"xiaoqu": "10002"})),
        ),
        // 001 §4 and the resident's repairs.
        row("POST", "/api/v1/repair/categories", "-yy-y-", |_, _| {
            at("/api/v1/repair/categories", json!({"xiaoqu": "10002"}))
        }),
        row(
            "POST",
            "/api/v1/wjdh/repair/category",
            PLATFORM_10002_ONLY,
            |_, _| {
                at(
                    "/api/v1/wjdh/repair/category",
                    json!({"name": "门窗", "xiaoqu": "10002"}),
                )
            },
        ),
        row("POST", "/api/v1/wjdh/repair/pay_parts", "----yy", |_, _| {
            at("/api/v1/wjdh/repair/pay_parts", json!({}))
        }),
        row("POST", "/api/v1/weapp/repair", RESIDENT_A, |w, _| {
            at(
                "/api/v1/weapp/repair",
                json!({"house_id": w.house_a, "possion": "厨房", "description": "漏水"}),
            )
        }),
        row("POST", "/api/v1/weapp/repairs", RESIDENTS, |_, _| {
            at("/api/v1/weapp/repairs", json!({}))
        }),
        row("POST", "/api/v1/weapp/repair/detail", RESIDENT_A, |w, _| {
            at("/api/v1/weapp/repair/detail", json!({"id": w.repair_a}))
        }),
        row(
            "POST",
            "/api/v1/wjdh/repair/list",
            PLATFORM_10002_ONLY,
            |_, _| at("/api/v1/wjdh/repair/list", json!({"xiaoqu": "10002"})),
        ),
        row("POST", "/api/v1/repair", PLATFORM_10002_ONLY, |w, _| {
            at("/api/v1/repair", json!({"id": w.repair_a}))
        }),
        row("PUT", "/api/v1/repair", PLATFORM_10002_ONLY, |w, _| {
            at(
                "/api/v1/repair",
                json!({"id": w.repair_a, "action": "RECEIVE", "staff": "王师傅"}),
            )
        }),
        row(
            "POST",
            "/api/v1/weapp/community/photo",
            RESIDENTS,
            |_, _| at("/api/v1/weapp/community/photo", json!({})),
        ),
        row(
            "GET",
            "/api/v1/community/files/{key:.*}",
            A_AND_HER_PLATFORM,
            |w, _| at(&w.community_photo, json!({})),
        ),
        // 001 §5: announcements.
        row(
            "POST",
            "/api/v1/announcement/new",
            PLATFORM_10002_ONLY,
            |_, _| {
                at(
                    "/api/v1/announcement/new",
                    json!({"xiaoqu": "10002", "title": "停水通知", "content": "c"}),
                )
            },
        ),
        row(
            "PUT",
            "/api/v1/announcement",
            PLATFORM_10002_ONLY,
            |w, _| {
                at(
                    "/api/v1/announcement",
                    json!({"id": w.announcement, "title": "停水通知（更新）"}),
                )
            },
        ),
        row(
            "POST",
            "/api/v1/wjdh/announcements",
            PLATFORM_10002_ONLY,
            |_, _| at("/api/v1/wjdh/announcements", json!({"xiaoqu": "10002"})),
        ),
        row(
            "POST",
            "/api/v1/weapp/announcements",
            RESIDENTS_OF_10002,
            |_, _| at("/api/v1/weapp/announcements", json!({"xiaoqu": "10002"})),
        ),
        row(
            "POST",
            "/api/v1/weapp/announcement",
            RESIDENTS_OF_10002,
            |w, _| at("/api/v1/weapp/announcement", json!({"id": w.announcement})),
        ),
        // Complaints and suggestions.
        row("POST", "/api/v1/weapp/complaint", RESIDENT_A, |w, _| {
            at(
                "/api/v1/weapp/complaint",
                json!({"type": "投诉", "content": "楼道太吵", "house_id": w.house_a}),
            )
        }),
        row("POST", "/api/v1/weapp/complaints", RESIDENTS, |_, _| {
            at("/api/v1/weapp/complaints", json!({}))
        }),
        row(
            "POST",
            "/api/v1/weapp/complaint/detail",
            RESIDENT_A,
            |w, _| {
                at(
                    "/api/v1/weapp/complaint/detail",
                    json!({"id": w.complaint_a}),
                )
            },
        ),
        row(
            "POST",
            "/api/v1/wjdh/complaints",
            PLATFORM_10002_ONLY,
            |_, _| at("/api/v1/wjdh/complaints", json!({"xiaoqu": "10002"})),
        ),
        row(
            "PUT",
            "/api/v1/wjdh/complaint",
            PLATFORM_10002_ONLY,
            |w, _| {
                at(
                    "/api/v1/wjdh/complaint",
                    json!({"id": w.complaint_a, "reply": "已提醒"}),
                )
            },
        ),
        // The rental marketplace (seed 004) and the platform's review of listings.
        row(
            "GET",
            "/api/v1/rental/wx_fetch_userinfo",
            RESIDENTS,
            |_, _| at("/api/v1/rental/wx_fetch_userinfo", json!({})),
        ),
        row(
            "POST",
            "/api/v1/rental/create_userinfo",
            RESIDENTS,
            |_, _| {
                at(
                    "/api/v1/rental/create_userinfo",
                    json!({"nickname": "房东", "user_type": 1}),
                )
            },
        ),
        // B may draft a listing of A's house while B's claim on it waits (`claim_b`).
        row(
            "POST",
            "/api/v1/rental/house_create",
            RESIDENTS_OF_10002,
            |w, _| {
                at(
                    "/api/v1/rental/house_create",
                    json!({"community_identifier": "10002", "community_house_id": w.house_a}),
                )
            },
        ),
        row(
            "POST",
            "/api/v1/rental/house_release",
            RESIDENT_A,
            |w, _| {
                at(
                    "/api/v1/rental/house_release",
                    json!({"house_id": w.listing_a}),
                )
            },
        ),
        row(
            "POST",
            "/api/v1/rental/create_house_photo",
            RESIDENT_A,
            |w, _| {
                at(
                    "/api/v1/rental/create_house_photo",
                    json!({"house_id": w.listing_a, "rooms_type": 3}),
                )
            },
        ),
        row(
            "POST",
            "/api/v1/rental/update_house_photo",
            RESIDENT_A,
            |w, _| {
                at(
                    "/api/v1/rental/update_house_photo",
                    json!({"photo_id": w.listing_photo}),
                )
            },
        ),
        row(
            "POST",
            "/api/v1/rental/create_house_video",
            RESIDENT_A,
            |w, _| {
                at(
                    "/api/v1/rental/create_house_video",
                    json!({"house_id": w.listing_a}),
                )
            },
        ),
        row(
            "POST",
            "/api/v1/rental/update_house_video",
            RESIDENT_A,
            |w, _| {
                at(
                    "/api/v1/rental/update_house_video",
                    json!({"video_id": w.listing_video}),
                )
            },
        ),
        row("GET", "/api/v1/rental/files/{key:.*}", PUBLIC, |w, _| {
            at(&w.listing_photo_path, json!({}))
        }),
        row(
            "POST",
            "/api/v1/rental/user_identification",
            RESIDENTS,
            |_, _| {
                at(
                    "/api/v1/rental/user_identification",
                    json!({"realname": "李先生"}),
                )
            },
        ),
        row(
            "POST",
            "/api/v1/rental/house_identification",
            RESIDENTS,
            |w, _| {
                at(
                    "/api/v1/rental/house_identification",
                    json!({"community_identifier": "10002", "community_house_id": w.house_a}),
                )
            },
        ),
        row(
            "POST",
            "/api/v1/rental/my_identifications",
            RESIDENTS,
            |_, _| at("/api/v1/rental/my_identifications", json!({})),
        ),
        row(
            "POST",
            "/api/v1/wjdh/rental/identifications",
            PLATFORM_10002_ONLY,
            |_, _| {
                at(
                    "/api/v1/wjdh/rental/identifications",
                    json!({"xiaoqu": "10002"}),
                )
            },
        ),
        row(
            "PUT",
            "/api/v1/wjdh/rental/identification",
            PLATFORM_10002_ONLY,
            |w, _| {
                at(
                    "/api/v1/wjdh/rental/identification",
                    json!({"id": w.claim_b, "status": 0, "reason": "材料不清"}),
                )
            },
        ),
        row("POST", "/api/v1/rental/my_house_list", RESIDENTS, |_, _| {
            at("/api/v1/rental/my_house_list", json!({}))
        }),
        row(
            "POST",
            "/api/v1/rental/update_house_info",
            RESIDENT_A,
            |w, _| {
                at(
                    "/api/v1/rental/update_house_info",
                    json!({"house_id": w.listing_a, "attr_name": "house_rent", "attr_value": "2600"}),
                )
            },
        ),
        row("POST", "/api/v1/rental/search_house", RESIDENTS, |_, _| {
            at(
                "/api/v1/rental/search_house",
                json!({"longitude": 119.6, "latitude": 39.93, "radius": 3}),
            )
        }),
        row(
            "GET",
            "/api/v1/rental/invitation/getcode",
            RESIDENTS,
            |_, _| at("/api/v1/rental/invitation/getcode", json!({})),
        ),
        row(
            "GET",
            "/api/v1/rental/invitation/setcode",
            RESIDENTS,
            |w, _| {
                at(
                    &format!(
                        "/api/v1/rental/invitation/setcode?invite_code={}",
                        w.invite_b
                    ),
                    json!({}),
                )
            },
        ),
        row(
            "POST",
            "/api/v1/wjdh/rental/list",
            PLATFORM_10002_ONLY,
            |_, _| at("/api/v1/wjdh/rental/list", json!({"xiaoqu": "10002"})),
        ),
        // Before the platform takes `listing_review` down: anyone signed in opens and keeps it,
        // but not its landlord (A) keeps her own.
        row("POST", "/api/v1/rental/house_detail", RESIDENTS, |w, _| {
            at(
                "/api/v1/rental/house_detail",
                json!({"house_id": w.listing_review}),
            )
        }),
        row("POST", "/api/v1/rental/favorite_house", "--yy--", |w, _| {
            at(
                "/api/v1/rental/favorite_house",
                json!({"house_id": w.listing_review}),
            )
        }),
        row(
            "POST",
            "/api/v1/rental/order/create_preorder",
            "--yy--",
            |w, _| {
                at(
                    "/api/v1/rental/order/create_preorder",
                    json!({"owner_id": w.owner_a, "house_id": w.listing_review}),
                )
            },
        ),
        // Only the caller's own request: B's (made with the world) is hers, nobody else's.
        row(
            "POST",
            "/api/v1/rental/order/get_preorder_paymenturl",
            "--y---",
            |w, _| {
                at(
                    "/api/v1/rental/order/get_preorder_paymenturl",
                    json!({"pre_order_id": w.preorder_b, "return_url": "https://m.example.com/paid"}),
                )
            },
        ),
        row(
            "POST",
            "/api/v1/rental/order/pay_preorder",
            "--y---",
            |w, _| {
                at(
                    "/api/v1/rental/order/pay_preorder",
                    json!({"pre_order_id": w.preorder_b}),
                )
            },
        ),
        // Only the landlord (A) answers B's request: unpaid, it cannot be confirmed (409, past
        // the authorisation), then A declines it.
        row(
            "POST",
            "/api/v1/rental/order/confirm_preorder",
            RESIDENT_A,
            |w, _| {
                let tomorrow = kit::time::beijing_minute_text(kit::time::now_unix() + 86_400);
                at(
                    "/api/v1/rental/order/confirm_preorder",
                    json!({"pre_order_id": w.preorder_b, "viewing_time": tomorrow}),
                )
            },
        ),
        row(
            "POST",
            "/api/v1/rental/order/decline_preorder",
            RESIDENT_A,
            |w, _| {
                at(
                    "/api/v1/rental/order/decline_preorder",
                    json!({"pre_order_id": w.preorder_b, "reason": "这周没空"}),
                )
            },
        ),
        // Alipay's notification carries its own proof (the signature), no token: anyone reaches
        // it, and an unsigned one is refused in Alipay's format.
        row(
            "POST",
            "/api/v1/rental/payment/ali/notify",
            PUBLIC,
            |_, _| at("/api/v1/rental/payment/ali/notify", json!({})),
        ),
        // Seed 004's Alipay user: a resident's own page, binding and score; Alipay sends the
        // browser back without a token (an unknown state: 400 naming it, past the
        // authorisation).
        row(
            "POST",
            "/api/v1/rental/payment/ali/get_auth_url",
            RESIDENTS,
            |_, _| at("/api/v1/rental/payment/ali/get_auth_url", json!({})),
        ),
        row(
            "GET",
            "/api/v1/rental/payment/ali/auth_notify",
            PUBLIC,
            |_, _| {
                at(
                    "/api/v1/rental/payment/ali/auth_notify?auth_code=c&state=0123456789abcdef0123456789abcdef",
                    json!({}),
                )
            },
        ),
        row(
            "POST",
            "/api/v1/rental/payment/ali/binding_status",
            RESIDENTS,
            |_, _| at("/api/v1/rental/payment/ali/binding_status", json!({})),
        ),
        row(
            "POST",
            "/api/v1/rental/payment/ali/zhima",
            RESIDENTS,
            |_, _| at("/api/v1/rental/payment/ali/zhima", json!({"refresh": "N"})),
        ),
        // Internal: only the platform managing 10002 pays A out, and never more than the ledger
        // owes her (nothing yet: 400 naming amount, past the authorisation).
        row(
            "POST",
            "/api/v1/rental/payment/ali/pay_to_customer",
            PLATFORM_10002_ONLY,
            |w, _| {
                at(
                    "/api/v1/rental/payment/ali/pay_to_customer",
                    json!({
                        "xiaoqu": "10002", "owner_id": w.owner_a, "order_id": "matrix-1",
                        "payee_type": "ALIPAY_LOGONID", "payee_acount": "landlord@example.com",
                        "amount": "1.00",
                    }),
                )
            },
        ),
        row(
            "POST",
            "/api/v1/wjdh/rental/payouts",
            PLATFORM_10002_ONLY,
            |_, _| at("/api/v1/wjdh/rental/payouts", json!({"xiaoqu": "10002"})),
        ),
        row(
            "POST",
            "/api/v1/rental/order/my_preorders",
            RESIDENTS,
            |_, _| at("/api/v1/rental/order/my_preorders", json!({})),
        ),
        row(
            "POST",
            "/api/v1/rental/order/owner_preorders",
            RESIDENTS,
            |_, _| at("/api/v1/rental/order/owner_preorders", json!({})),
        ),
        row("POST", "/api/v1/rental/my_favorites", RESIDENTS, |_, _| {
            at("/api/v1/rental/my_favorites", json!({}))
        }),
        row(
            "POST",
            "/api/v1/rental/unfavorite_house",
            RESIDENTS,
            |w, _| {
                at(
                    "/api/v1/rental/unfavorite_house",
                    json!({"house_id": w.listing_review}),
                )
            },
        ),
        row("PUT", "/api/v1/wjdh/rental", PLATFORM_10002_ONLY, |w, _| {
            at(
                "/api/v1/wjdh/rental",
                json!({"id": w.listing_review, "status": 3, "reason": "图片与实际不符"}),
            )
        }),
        row(
            "POST",
            "/api/v1/rental/pulloff_house",
            RESIDENT_A,
            |w, _| {
                at(
                    "/api/v1/rental/pulloff_house",
                    json!({"house_id": w.listing_a}),
                )
            },
        ),
        row(
            "POST",
            "/api/v1/rental/delete_house_info",
            RESIDENT_A,
            |w, _| {
                at(
                    "/api/v1/rental/delete_house_info",
                    json!({"house_id": w.listing_a}),
                )
            },
        ),
        // Emergency numbers and visitor passes.
        row(
            "POST",
            "/api/v1/wjdh/emergency",
            PLATFORM_10002_ONLY,
            |_, _| {
                at(
                    "/api/v1/wjdh/emergency",
                    json!({"xiaoqu": "10002", "name": "物业值班", "phone": "03358888888"}),
                )
            },
        ),
        row(
            "POST",
            "/api/v1/wjdh/emergencies",
            PLATFORM_10002_ONLY,
            |_, _| at("/api/v1/wjdh/emergencies", json!({"xiaoqu": "10002"})),
        ),
        row(
            "POST",
            "/api/v1/weapp/emergencies",
            RESIDENTS_OF_10002,
            |_, _| at("/api/v1/weapp/emergencies", json!({"xiaoqu": "10002"})),
        ),
        row("POST", "/api/v1/weapp/visitor", RESIDENT_A, |w, _| {
            at(
                "/api/v1/weapp/visitor",
                json!({
                    "house_id": w.house_a, "visitor_name": "李四", "visitor_phone": "13800000002",
                    "valid_until": tomorrow(),
                }),
            )
        }),
        row("POST", "/api/v1/weapp/visitors", RESIDENTS, |_, _| {
            at("/api/v1/weapp/visitors", json!({}))
        }),
        row(
            "POST",
            "/api/v1/wjdh/visitor/verify",
            PLATFORM_10002_ONLY,
            |w, _| at("/api/v1/wjdh/visitor/verify", json!({"code": w.pass_code})),
        ),
        // 001 §2.1 and 000 §4: orders and payments.
        row(
            "POST",
            "/api/v1/wjdh/order/new",
            PLATFORM_10002_ONLY,
            |_, _| new_order("/api/v1/wjdh/order/new"),
        ),
        row("POST", "/api/v1/order/new", PLATFORM_10002_ONLY, |_, _| {
            new_order("/api/v1/order/new")
        }),
        row(
            "POST",
            "/api/v1/wjdh/order/list",
            PLATFORM_10002_ONLY,
            |_, _| at("/api/v1/wjdh/order/list", json!({"xiaoqu": "10002"})),
        ),
        row("POST", "/api/v1/order/list", PLATFORM_10002_ONLY, |_, _| {
            at("/api/v1/order/list", json!({"xiaoqu": "10002"}))
        }),
        row(
            "POST",
            "/api/v1/wjdh/bill/list",
            PLATFORM_10002_ONLY,
            |_, _| at("/api/v1/wjdh/bill/list", json!({"xiaoqu": "10002"})),
        ),
        row("POST", "/api/v1/bill/list", PLATFORM_10002_ONLY, |_, _| {
            at("/api/v1/bill/list", json!({"xiaoqu": "10002"}))
        }),
        row(
            "POST",
            "/api/v1/wjdh/bill/refund",
            PLATFORM_10002_ONLY,
            |w, _| {
                at(
                    "/api/v1/wjdh/bill/refund",
                    json!({"xiaoqu": "10002", "bill_id": w.bill_a, "amount": "0.01", "refund_number": "matrix-1"}),
                )
            },
        ),
        row(
            "POST",
            "/api/v1/wjdh/bill/refunds",
            PLATFORM_10002_ONLY,
            |_, _| at("/api/v1/wjdh/bill/refunds", json!({"xiaoqu": "10002"})),
        ),
        row(
            "POST",
            "/api/v1/wjdh/order/close",
            PLATFORM_10002_ONLY,
            |w, _| {
                at(
                    "/api/v1/wjdh/order/close",
                    json!({"xiaoqu": "10002", "id": w.order_to_close}),
                )
            },
        ),
        row(
            "POST",
            "/api/v1/order/close",
            PLATFORM_10002_ONLY,
            |w, _| {
                at(
                    "/api/v1/order/close",
                    json!({"xiaoqu": "10002", "id": w.order_to_close}),
                )
            },
        ),
        row("POST", "/api/v1/orders/list", RESIDENTS, |_, _| {
            at("/api/v1/orders/list", json!({}))
        }),
        row("POST", "/api/v1/payments/list", RESIDENTS, |_, _| {
            at("/api/v1/payments/list", json!({}))
        }),
        row("POST", "/api/v1/weapp/payment", RESIDENT_A, |w, _| {
            at(
                "/api/v1/weapp/payment",
                json!({"ids": w.order_a.to_string()}),
            )
        }),
        row("POST", "/api/v1/weapp/payment/notify", PUBLIC, |_, _| {
            at("/api/v1/weapp/payment/notify", json!({}))
        }),
        // WeChat Pay's refund notification proves itself (signature, encryption): no token.
        row(
            "POST",
            "/api/v1/weapp/payment/refund_notify",
            PUBLIC,
            |_, _| at("/api/v1/weapp/payment/refund_notify", json!({})),
        ),
        // Cars and parking spots.
        row("POST", "/api/v1/weapp/car/bind", RESIDENTS, |_, who| {
            at("/api/v1/weapp/car/bind", json!({"number": plate(who)}))
        }),
        row("POST", "/api/v1/weapp/cars", RESIDENTS, |_, _| {
            at("/api/v1/weapp/cars", json!({}))
        }),
        row("POST", "/api/v1/weapp/parking", RESIDENTS, |_, _| {
            at("/api/v1/weapp/parking", json!({}))
        }),
        row(
            "POST",
            "/api/v1/wjdh/parking/assign",
            PLATFORM_10002_ONLY,
            |_, _| {
                at(
                    "/api/v1/wjdh/parking/assign",
                    json!({"xiaoqu": "10002", "number": "M-001", "phone": FU_YU.0}),
                )
            },
        ),
        row(
            "POST",
            "/api/v1/wjdh/parking/list",
            PLATFORM_10002_ONLY,
            |_, _| at("/api/v1/wjdh/parking/list", json!({"xiaoqu": "10002"})),
        ),
        row(
            "POST",
            "/api/v1/wjdh/parking/release",
            PLATFORM_10002_ONLY,
            |_, _| {
                at(
                    "/api/v1/wjdh/parking/release",
                    json!({"xiaoqu": "10002", "number": "M-001"}),
                )
            },
        ),
        // A plate another resident holds moves only when its community's platform confirms.
        row("POST", "/api/v1/weapp/car/transfer", RESIDENTS, |_, _| {
            at(
                "/api/v1/weapp/car/transfer",
                json!({"number": plate(Who::A), "reason": "我的车"}),
            )
        }),
        row(
            "POST",
            "/api/v1/wjdh/car/transfers",
            PLATFORM_10002_ONLY,
            |_, _| at("/api/v1/wjdh/car/transfers", json!({"xiaoqu": "10002"})),
        ),
        row(
            "PUT",
            "/api/v1/wjdh/car/transfer",
            PLATFORM_10002_ONLY,
            |w, _| {
                at(
                    "/api/v1/wjdh/car/transfer",
                    json!({"id": w.transfer, "status": 0, "reason": "证据不足"}),
                )
            },
        ),
        row("POST", "/api/v1/weapp/car/unbind", RESIDENT_A, |_, _| {
            at("/api/v1/weapp/car/unbind", json!({"number": plate(Who::A)}))
        }),
        // Destructive, last (a sync turns 访客通行 off again, as the security platform has it).
        row("POST", "/api/v1/wjdh/modules/sync", "----yy", |_, _| {
            at("/api/v1/wjdh/modules/sync", json!({}))
        }),
        row(
            "DELETE",
            "/api/v1/announcement",
            PLATFORM_10002_ONLY,
            |w, _| at("/api/v1/announcement", json!({"id": w.announcement})),
        ),
        row(
            "DELETE",
            "/api/v1/wjdh/emergency",
            PLATFORM_10002_ONLY,
            |w, _| at("/api/v1/wjdh/emergency", json!({"id": w.emergency})),
        ),
        row(
            "DELETE",
            "/api/v1/wjdh/repair/category",
            PLATFORM_10002_ONLY,
            |w, _| at("/api/v1/wjdh/repair/category", json!({"id": w.category})),
        ),
        row("DELETE", "/api/v1/house/shouquan", RESIDENT_A, |w, _| {
            at("/api/v1/house/shouquan", json!({"id": w.member_binding}))
        }),
        // Refreshing rotates the token: the old one dies, so this goes last of all.
        row(
            "PUT",
            "/api/v1/authorizations/current",
            RESIDENTS,
            |_, _| at("/api/v1/authorizations/current", json!({})),
        ),
    ]
}

/// A visitor pass's end: a day from now, in Unix seconds.
fn tomorrow() -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    i64::try_from(now.as_secs()).unwrap() + 24 * 3600
}

fn new_order(path: &str) -> (String, Value) {
    at(
        path,
        json!({
            "xiaoqu": "10002", "type": "house", "title": "物业费", "amount": "1.00",
            "identifier": {"louhao": 1, "danyuan": 1, "louceng": 1, "fangjian": 101},
        }),
    )
}

/// Every `(METHOD, path)` the gateway registers, read from where it registers them.
fn registered_routes() -> BTreeSet<(String, String)> {
    let source = include_str!("../../../gateway/src/routes/mod.rs");
    let mut routes = BTreeSet::new();
    for chunk in source.split("resource(\"").skip(1) {
        let (path, rest) = chunk.split_once('"').unwrap();
        let rest = rest.split(".service(").next().unwrap_or(rest);
        for method in ["get", "post", "put", "delete", "patch"] {
            let calls = rest.matches(&format!("{method}().to(")).count();
            if calls > 0 {
                routes.insert((method.to_uppercase(), path.to_owned()));
            }
        }
    }
    routes
}

/// A person whose full phone and ID number must not reach strangers.
struct Person {
    phone: String,
    idcard: String,
    community: &'static str,
    /// The signed-in caller who is this person, if any.
    is: Option<Who>,
}

/// The people of the security platform's fixture, household members included.
fn people() -> Vec<Person> {
    let fixture: Value = serde_json::from_str(include_str!(
        "../../../sandbox/fixtures/security-platform.json"
    ))
    .unwrap();
    let mut people = Vec::new();
    for person in fixture["people"].as_array().unwrap() {
        let phone = person["people_phone"].as_str().unwrap().to_owned();
        let is = [
            (FU_YU.0, Who::A),
            (WANG_FANG.0, Who::B),
            (ZHAO_QIANG.0, Who::C),
        ]
        .into_iter()
        .find_map(|(known, who)| (known == phone).then_some(who));
        for house in person["houses"].as_array().unwrap() {
            let community = if house["xiaoqu"] == "10003" {
                "10003"
            } else {
                "10002"
            };
            for member in house["members"].as_array().unwrap() {
                let member_phone = member["member_phone"].as_str().unwrap_or_default();
                if member_phone.is_empty() || member_phone == phone {
                    continue;
                }
                people.push(Person {
                    phone: member_phone.to_owned(),
                    idcard: member["member_idcard"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    community,
                    is: None,
                });
            }
            people.push(Person {
                phone: phone.clone(),
                idcard: person["people_idcard"].as_str().unwrap().to_owned(),
                community,
                is,
            });
        }
    }
    people
}

/// May `who` see `person`'s full phone and ID number?
fn may_see(who: Who, person: &Person) -> bool {
    person.is == Some(who)
        || (who == Who::P2 && person.community == "10002")
        || (who == Who::P3 && person.community == "10003")
}

async fn call(
    app: &TestApp,
    world: &World,
    who: Who,
    method: &str,
    path: &str,
    body: &Value,
) -> (u16, String) {
    let method = Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = app
        .client
        .request(method.clone(), format!("{}{path}", app.base));
    if method != Method::GET {
        request = request.json(body);
    }
    if let Some(token) = world.token(who) {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

#[test]
fn the_matrix_has_a_row_for_every_route_the_gateway_registers_and_no_other() {
    let registered = registered_routes();
    assert!(
        registered.len() > 50,
        "routes read from the gateway: {registered:?}"
    );
    let listed: BTreeSet<(String, String)> = table()
        .iter()
        .map(|row| (row.method.to_owned(), row.route.to_owned()))
        .collect();
    let missing: Vec<_> = registered.difference(&listed).collect();
    assert!(
        missing.is_empty(),
        "routes missing from the authorisation matrix: {missing:?}"
    );
    let unknown: Vec<_> = listed
        .iter()
        .filter(|route| !registered.contains(*route) && route.1 != "/api/openapi.json")
        .collect();
    assert!(
        unknown.is_empty(),
        "rows for routes the gateway does not have: {unknown:?}"
    );
}

#[tokio::test]
async fn every_route_admits_exactly_who_it_should_and_shows_personal_data_only_to_those_entitled() {
    let logs = captured_logs();
    let app = spawn_app_with(&[("gateway.rate_limit_per_minute", "100000")]).await;
    let world = build_world(&app).await;
    let people = people();
    assert!(people.len() >= 5, "the fixture's people");

    let mut wrong = Vec::new();
    for row in &table() {
        assert_eq!(row.allowed.len(), EVERYONE.len(), "{}", row.route);
        // Refused callers first: an allowed write must not change what they are refused.
        let mut order: Vec<(Who, bool)> = EVERYONE
            .iter()
            .zip(row.allowed.chars())
            .map(|(who, allowed)| (*who, allowed == 'y'))
            .collect();
        order.sort_by_key(|(_, allowed)| *allowed);
        for (who, allowed) in order {
            let (path, body) = (row.request)(&world, who);
            let (status, text) = call(&app, &world, who, row.method, &path, &body).await;
            let refused = matches!(status, 401 | 403 | 404);
            let verdict = if allowed {
                (!refused && status != 500).then_some(())
            } else if who == Who::Nobody {
                let code_nine = serde_json::from_str::<Value>(&text)
                    .is_ok_and(|body| body["code"] == 9 && body["token_expired"] == 0);
                (status == 401 && code_nine).then_some(())
            } else {
                refused.then_some(())
            };
            if verdict.is_none() {
                let expected = if allowed { "allowed" } else { "refused" };
                wrong.push(format!(
                    "{} {} as {who:?}: expected {expected}, got {status} {}",
                    row.method,
                    row.route,
                    text.chars().take(160).collect::<String>()
                ));
            }
            // The document's examples are the seeds' (one is a fixture phone), not anybody's data.
            let data = row.route != "/api/openapi.json";
            for person in people.iter().filter(|person| data && !may_see(who, person)) {
                for secret in [&person.phone, &person.idcard] {
                    if text.contains(secret.as_str()) {
                        wrong.push(format!(
                            "{} {} as {who:?} shows {} unmasked",
                            row.method,
                            row.route,
                            kit::types::mask_phone(secret)
                        ));
                    }
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong answers:\n{}",
        wrong.len(),
        wrong.join("\n")
    );

    let logged = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    assert!(logged.len() > 1000, "the logs were captured");
    for person in &people {
        for secret in [&person.phone, &person.idcard] {
            assert!(
                !logged.contains(secret.as_str()),
                "a full phone or ID number ({}) reached the logs",
                kit::types::mask_phone(secret)
            );
        }
    }
    app.stop().await;
}

/// Three fixture residents, the demo credentials, and one of everything A owns.
async fn build_world(app: &TestApp) -> World {
    let p2 = app.platform().await;
    let p3 = app.platform_10003().await;
    let BoundResident {
        token: a,
        house: house_a,
    } = app.bound_resident(FU_YU).await;
    let b = app.bound_resident(WANG_FANG).await.token;
    let c = app.bound_resident(ZHAO_QIANG).await.token;
    let buildings = app
        .post("/api/v1/buildings", json!({"id": "10002"}), Some(&a))
        .await;
    let building_10002 = buildings.body["data"][0]["id"].as_i64().unwrap();

    let detail = app
        .post("/api/v1/house/detail", json!({"id": house_a}), Some(&a))
        .await;
    let member_id = |name: &str| {
        detail.body["data"]["yibangding"]
            .as_array()
            .and_then(|members| members.iter().find(|m| m["name"] == name))
            .unwrap_or_else(|| panic!("{name} in {:?}", detail.body))["id"]
            .as_i64()
            .unwrap()
    };
    let binding_a = member_id("付钰");
    let member_binding = member_id("付文生");

    let review = app
        .post(
            "/api/v1/weapp/unbindHouse",
            json!({"id": binding_a}),
            Some(&a),
        )
        .await;
    assert_eq!(review.code(), 0, "{:?}", review.body);
    let review_a = review.body["data"]["shenhe_id"].as_i64().unwrap();

    app.set_module(&p2, "访客通行", "1").await;

    let repair = app
        .post(
            "/api/v1/weapp/repair",
            json!({"house_id": house_a, "possion": "卫生间", "description": "漏水"}),
            Some(&a),
        )
        .await;
    assert_eq!(repair.code(), 0, "{:?}", repair.body);
    let complaint = app
        .post(
            "/api/v1/weapp/complaint",
            json!({"type": "投诉", "content": "噪音", "house_id": house_a}),
            Some(&a),
        )
        .await;
    assert_eq!(complaint.code(), 0, "{:?}", complaint.body);
    let pass = app
        .post(
            "/api/v1/weapp/visitor",
            json!({"house_id": house_a, "visitor_name": "李四", "visitor_phone": "13800000002", "valid_until": tomorrow()}),
            Some(&a),
        )
        .await;
    assert_eq!(pass.code(), 0, "{:?}", pass.body);
    let announcement = app
        .post(
            "/api/v1/announcement/new",
            json!({"xiaoqu": "10002", "title": "通知", "content": "c"}),
            Some(&p2),
        )
        .await;
    assert_eq!(announcement.code(), 0, "{:?}", announcement.body);
    let emergency = app
        .post(
            "/api/v1/wjdh/emergency",
            json!({"xiaoqu": "10002", "name": "物业", "phone": "03358888888"}),
            Some(&p2),
        )
        .await;
    assert_eq!(emergency.code(), 0, "{:?}", emergency.body);
    let category = app
        .post(
            "/api/v1/wjdh/repair/category",
            json!({"name": "水电", "xiaoqu": "10002"}),
            Some(&p2),
        )
        .await;
    assert_eq!(category.code(), 0, "{:?}", category.body);

    let mut orders = Vec::new();
    for _ in 0..3 {
        let (path, body) = new_order("/api/v1/wjdh/order/new");
        let order = app.post(&path, body, Some(&p2)).await;
        assert_eq!(order.code(), 0, "{:?}", order.body);
        orders.push(order.str("data").to_owned());
    }
    let listed = app
        .post("/api/v1/orders/list", json!({"per_page": 100}), Some(&a))
        .await;
    let id_of = |number: &str| {
        listed.body["data"]
            .as_array()
            .and_then(|rows| rows.iter().find(|row| row["number"] == number))
            .unwrap_or_else(|| panic!("order {number} in {:?}", listed.body))["id"]
            .as_i64()
            .unwrap()
    };

    // The third order paid: a bill for the platform to refund.
    let paying = app.pay(&a, &id_of(&orders[2]).to_string()).await;
    assert_eq!(paying.code(), 0, "{:?}", paying.body);
    let paid = app
        .sandbox("/wxpay/pay", json!({"prepay_id": paying.prepay_id()}))
        .await;
    assert_eq!(paid["delivered"], true, "{paid}");
    let bills = app
        .post(
            "/api/v1/wjdh/bill/list",
            json!({"xiaoqu": "10002"}),
            Some(&p2),
        )
        .await;
    let bill_a = bills.body["data"][0]["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("a bill: {:?}", bills.body));

    let bound = app.bind_car(&a, plate(Who::A)).await;
    assert_eq!(bound.code(), 0, "{:?}", bound.body);
    let claimed = app
        .post(
            "/api/v1/weapp/car/transfer",
            json!({"number": plate(Who::A), "reason": "行驶证在物业核验"}),
            Some(&b),
        )
        .await;
    assert_eq!(claimed.code(), 0, "{:?}", claimed.body);

    let face = reqwest::multipart::Form::new()
        .text("community_identifier", "10002")
        .text("building_number", "1")
        .text("unit_number", "1")
        .text("floor_number", "1")
        .text("house_number", "101")
        .part(
            "file",
            reqwest::multipart::Part::bytes(TINY_PNG).file_name("face.png"),
        );
    let face = app.post_multipart("/api/v1/people/photo", face, &a).await;
    assert_eq!(face.code(), 0, "{:?}", face.body);
    let photo = reqwest::multipart::Form::new()
        .text("xiaoqu", "10002")
        .part(
            "file",
            reqwest::multipart::Part::bytes(TINY_PNG).file_name("a.png"),
        );
    let photo = app
        .post_multipart("/api/v1/weapp/community/photo", photo, &a)
        .await;
    assert_eq!(photo.code(), 0, "{:?}", photo.body);
    let listing = |title: &str| {
        json!({
            "community_identifier": "10002", "community_house_id": house_a,
            "description_title": title, "house_rent": 2500, "house_size": 89.5,
            "rent_time_type": 2, "rent_room_type": 1, "longitude": 119.6, "latitude": 39.93,
        })
    };
    let listing_a = app
        .post("/api/v1/rental/house_create", listing("南向两居"), Some(&a))
        .await;
    assert_eq!(listing_a.code(), 0, "{:?}", listing_a.body);
    let listing_review = app
        .post("/api/v1/rental/house_create", listing("近地铁"), Some(&a))
        .await;
    assert_eq!(listing_review.code(), 0, "{:?}", listing_review.body);
    let listing_review = listing_review.body["data"]["house_id"].as_i64().unwrap();
    let released = app
        .post(
            "/api/v1/rental/house_release",
            json!({"house_id": listing_review}),
            Some(&a),
        )
        .await;
    assert_eq!(released.code(), 0, "{:?}", released.body);
    let owner_a = app.landlord_id(&a).await;
    let preorder_b = app
        .post(
            "/api/v1/rental/order/create_preorder",
            json!({"owner_id": owner_a, "house_id": listing_review}),
            Some(&b),
        )
        .await;
    assert_eq!(preorder_b.code(), 0, "{:?}", preorder_b.body);
    let preorder_b = preorder_b.body["data"].as_i64().unwrap();
    let media = |name: &str, bytes: &'static [u8]| {
        reqwest::multipart::Form::new()
            .text("house_id", listing_a.body["data"]["house_id"].to_string())
            .text("rooms_type", "3")
            .part(
                name.to_owned(),
                reqwest::multipart::Part::bytes(bytes).file_name("f"),
            )
    };
    let photo_added = app
        .post_multipart(
            "/api/v1/rental/create_house_photo",
            media("house_photo", TINY_PNG),
            &a,
        )
        .await;
    assert_eq!(photo_added.code(), 0, "{:?}", photo_added.body);
    let video_added = app
        .post_multipart(
            "/api/v1/rental/create_house_video",
            media("house_video", crate::helpers::TINY_MP4),
            &a,
        )
        .await;
    assert_eq!(video_added.code(), 0, "{:?}", video_added.body);
    let claim = reqwest::multipart::Form::new()
        .text("community_identifier", "10002")
        .text("community_house_id", house_a.to_string())
        .text("certname", "王芳")
        .text("idcardnumber", "110101199003071233")
        .text("property_cert_number", "冀2020不动产权第0002号")
        .part(
            "property_cert_photo",
            reqwest::multipart::Part::bytes(TINY_PNG).file_name("cert.png"),
        );
    let claim = app
        .post_multipart("/api/v1/rental/house_identification", claim, &b)
        .await;
    assert_eq!(claim.code(), 0, "{:?}", claim.body);
    let claims = app
        .post(
            "/api/v1/wjdh/rental/identifications",
            json!({"xiaoqu": "10002", "status": 2}),
            Some(&p2),
        )
        .await;
    let claim_b = claims.body["data"]["identifications"][0]["id"]
        .as_i64()
        .unwrap();
    let invite_b = app.get_as("/api/v1/rental/invitation/getcode", &b).await;
    assert_eq!(invite_b.code(), 0, "{:?}", invite_b.body);
    let path_of = |url: &str| {
        let at = url
            .find("/api/")
            .unwrap_or_else(|| panic!("a file URL: {url}"));
        url[at..].to_owned()
    };

    World {
        tokens: [String::new(), a, b, c, p2, p3],
        house_a,
        building_10002,
        binding_a,
        member_binding,
        review_a,
        repair_a: repair.body["data"]["id"].as_i64().unwrap(),
        complaint_a: complaint.body["data"]["id"].as_i64().unwrap(),
        announcement: announcement.body["data"].as_i64().unwrap(),
        emergency: emergency.body["data"]["id"].as_i64().unwrap(),
        category: category.body["data"]["id"].as_i64().unwrap(),
        order_a: id_of(&orders[0]),
        order_to_close: id_of(&orders[1]),
        bill_a,
        transfer: claimed.body["data"]["id"].as_i64().unwrap(),
        pass_code: pass.body["data"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        face_photo: path_of(face.str("data").to_owned().as_str()),
        community_photo: path_of(photo.str("data")),
        listing_a: listing_a.body["data"]["house_id"].as_i64().unwrap(),
        listing_review,
        owner_a,
        preorder_b,
        claim_b,
        listing_photo: photo_added.body["data"]["id"][0].as_i64().unwrap(),
        listing_video: video_added.body["data"]["id"].as_i64().unwrap(),
        listing_photo_path: path_of(photo_added.body["data"]["url"][0].as_str().unwrap()),
        invite_b: invite_b.body["data"]["my_invite_code"]
            .as_str()
            .unwrap()
            .to_owned(),
    }
}
