//! The resident's 一标三实 flows over gRPC (000 §2.2–§3.2), with a fake svc-auth and the sandbox's
//! security platform.
use kit::error::{ErrorKind, ServiceError};
use proto::yibiaosanshi as pb;
use proto::yibiaosanshi::submit_request::Kind;
use svc_yibiaosanshi::actions::addresses::demo::ensure_demo_dataset;
use svc_yibiaosanshi::db::addresses::find_house_at;

use crate::helpers::{TestService, error_of, platform, resident, spawn_service};

/// 付钰 in the security platform's records: owner of 10002 1-1-1-101 (with three family
/// members) and of 1-1-1-102.
pub const FU_YU: (i64, &str) = (1, "15131512234");
/// An applicant the security platform does not know.
pub const ZHANG_SAN: i64 = 2;
pub const ZHANG_SAN_ID: &str = "130302199001011238";

pub async fn demo_service() -> TestService {
    let app = spawn_service().await;
    ensure_demo_dataset(&app.db).await.unwrap();
    app
}

pub async fn house_id_of(app: &TestService, community: &str, numbers: [i64; 4]) -> i64 {
    let address = secplat::HouseAddress {
        community_identifier: community.to_owned(),
        building_number: numbers[0],
        unit_number: numbers[1],
        floor_number: numbers[2],
        house_number: numbers[3],
    };
    app.db
        .run(move |conn| -> Result<_, kit::db::DbError> { Ok(find_house_at(conn, &address)?) })
        .await
        .unwrap()
        .expect("the demo tree has the house")
}

pub async fn import(
    app: &mut TestService,
    user_id: i64,
    phone: &str,
) -> Result<tonic::Response<pb::ImportReply>, tonic::Status> {
    let key = format!("verify-{user_id}");
    app.auth.issue(&key, "123456", "verify", phone);
    app.registration
        .import_from_security_platform(pb::ImportRequest {
            resident: resident(user_id),
            verification_key: key,
            verification_code: "123456".to_owned(),
            community_identifier: "10002".to_owned(),
        })
        .await
}

pub fn person_form(idcard: &str, phone: &str, name: &str) -> pb::PersonForm {
    pb::PersonForm {
        phone: phone.to_owned(),
        idcard: idcard.to_owned(),
        name: name.to_owned(),
        photo: "https://objects.example/face/1.png".to_owned(),
        sex: "男".to_owned(),
        birth: idcard[6..14].to_owned(),
        nation: "汉族".to_owned(),
        address: "河北省秦皇岛市海港区".to_owned(),
        zhengzhimianmao: "群众".to_owned(),
        tuiyijunren: false,
        dibao: true,
        shangfang: false,
        job: "程序员".to_owned(),
        company: "万家灯火".to_owned(),
    }
}

pub fn choice(house_id: i64, role: &str) -> pb::HouseChoice {
    pb::HouseChoice {
        house_id,
        fields: Some(pb::HouseFields {
            role: role.to_owned(),
            status: Some("租用".to_owned()),
            r#use: Some("住宅".to_owned()),
            xingzhi: Some("私有".to_owned()),
            r#type: Some("租户".to_owned()),
        }),
        replace_owner: false,
    }
}

pub async fn submit_first(
    app: &mut TestService,
    user_id: i64,
    idcard: &str,
    house: pb::HouseChoice,
) -> Result<tonic::Response<pb::SubmitReply>, tonic::Status> {
    app.registration
        .submit(pb::SubmitRequest {
            resident: resident(user_id),
            kind: Some(Kind::First(pb::FirstRegistration {
                person: Some(person_form(idcard, "13900000002", "张三")),
                house: Some(house),
            })),
        })
        .await
}

pub async fn decide(
    app: &mut TestService,
    review_id: i64,
    status: &str,
    reason: &str,
) -> Result<tonic::Response<pb::Review>, tonic::Status> {
    use pb::decide_review_request::Decision;
    let decision = match status {
        "1" => Decision::Approve(pb::Approval {}),
        _ => Decision::Refuse(pb::Refusal {
            reason: reason.to_owned(),
        }),
    };
    app.registration
        .decide_review(pb::DecideReviewRequest {
            platform: platform(&["10002"]),
            id: review_id,
            decision: Some(decision),
            content: None,
        })
        .await
}

pub async fn my_houses(app: &mut TestService, user_id: i64) -> Vec<pb::MyHouseItem> {
    app.registration
        .list_my_houses(pb::MyHousesRequest {
            resident: resident(user_id),
        })
        .await
        .unwrap()
        .into_inner()
        .items
}

pub async fn detail(
    app: &mut TestService,
    user_id: i64,
    house_id: i64,
) -> Result<tonic::Response<pb::HouseDetailReply>, tonic::Status> {
    app.registration
        .house_detail(pb::HouseDetailRequest {
            resident: resident(user_id),
            house_id,
        })
        .await
}

/// Looks the owner of `house_id` up and proves the owner's code, as the applicant.
pub async fn verify_owner_of(
    app: &mut TestService,
    user_id: i64,
    house_id: i64,
    owner_phone: &str,
) {
    app.registration
        .look_up_owner(pb::LookUpOwnerRequest {
            resident: resident(user_id),
            house_id,
        })
        .await
        .unwrap();
    let key = format!("yezhu-{user_id}-{house_id}");
    app.auth.issue(&key, "654321", "yezhu", owner_phone);
    app.registration
        .verify_owner(pb::VerifyOwnerRequest {
            resident: resident(user_id),
            verification_key: key,
            verification_code: "654321".to_owned(),
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn importing_binds_the_person_their_houses_and_their_family() {
    let mut app = demo_service().await;
    let (user, phone) = FU_YU;
    let reply = import(&mut app, user, phone).await.unwrap().into_inner();
    assert_eq!(
        reply,
        pb::ImportReply {
            already_registered: false,
            houses: 2,
            members: 3,
        }
    );
    assert_eq!(app.auth.state_of(user).as_deref(), Some("HouseMember"));

    let items = my_houses(&mut app, user).await;
    let bound: Vec<(&str, &str, &str, i32)> = items
        .iter()
        .map(|i| {
            (
                i.status.as_str(),
                i.role.as_str(),
                i.introduction.as_str(),
                i.not_register,
            )
        })
        .collect();
    assert_eq!(
        bound,
        [
            ("审核通过", "业主", "晨曦家园1栋1单元1楼101号", 3),
            ("审核通过", "业主", "晨曦家园1栋1单元1楼102号", 0),
        ]
    );
    assert!(
        items
            .iter()
            .all(|i| i.id > 0 && i.house_id > 0 && i.shenhe_id == 0)
    );

    // 2.2.1 example 2: a second time nothing changes.
    let again = import(&mut app, user, phone).await.unwrap().into_inner();
    assert!(again.already_registered);
    assert_eq!((again.houses, again.members), (0, 0));
    assert_eq!(my_houses(&mut app, user).await.len(), 2);
    app.stop().await;
}

#[tokio::test]
async fn a_phone_the_platform_does_not_know_is_code_two() {
    let mut app = demo_service().await;
    let error = error_of(import(&mut app, ZHANG_SAN, "13900000002").await);
    assert_eq!(error.kind, ErrorKind::Nothing);
    assert_eq!(error.kind.envelope_code(), 2);
    assert_eq!(error.msg, "该手机号还未绑定业主");
    assert_eq!(
        error.message,
        "安防平台没有查找到该手机号绑定的数据,message编码Yi658-message编码SeApi57"
    );
    assert!(app.auth.state_of(ZHANG_SAN).is_none());
    app.stop().await;
}

#[tokio::test]
async fn an_expired_code_is_svc_auths_answer() {
    let mut app = demo_service().await;
    let error = error_of(
        app.registration
            .import_from_security_platform(pb::ImportRequest {
                resident: resident(1),
                verification_key: "verificationCode_gone".to_owned(),
                verification_code: "123456".to_owned(),
                community_identifier: "10002".to_owned(),
            })
            .await,
    );
    assert_eq!(
        (error.msg.as_str(), error.message.as_str()),
        ("验证码已失效", "验证码已失效")
    );
    app.stop().await;
}

#[tokio::test]
async fn an_unknown_community_is_refused_before_the_code_is_used() {
    let mut app = demo_service().await;
    app.auth.issue("k", "123456", "verify", FU_YU.1);
    for (community, kind) in [("99999", ErrorKind::NotFound), ("abc", ErrorKind::NotFound)] {
        let error = error_of(
            app.registration
                .import_from_security_platform(pb::ImportRequest {
                    resident: resident(1),
                    verification_key: "k".to_owned(),
                    verification_code: "123456".to_owned(),
                    community_identifier: community.to_owned(),
                })
                .await,
        );
        assert_eq!(error.kind, kind, "{community:?}");
        assert!(
            error.msg.starts_with("id") || error.message.contains("id"),
            "{error:?}"
        );
    }
    // The code is still good.
    let reply = app
        .registration
        .import_from_security_platform(pb::ImportRequest {
            resident: resident(1),
            verification_key: "k".to_owned(),
            verification_code: "123456".to_owned(),
            community_identifier: "10002".to_owned(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(reply.houses, 2);
    app.stop().await;
}

#[tokio::test]
async fn a_failing_security_platform_is_the_seeds_example_four() {
    let mut app = demo_service().await;
    app.fail_security_platform(10).await;
    let error = error_of(import(&mut app, FU_YU.0, FU_YU.1).await);
    assert_eq!(error.kind, ErrorKind::Upstream);
    assert_eq!(error.msg, "系统开小差，请重试或联系工作人员");
    assert_eq!(
        error.message,
        "安防平台接口出现故障，请检查配置信息如安防平台url，message编码Yi652-message编码SeApi55"
    );
    assert!(my_houses(&mut app, FU_YU.0).await.is_empty());
    app.stop().await;
}

#[tokio::test]
async fn the_owner_is_looked_up_masked_and_their_code_opens_the_house() {
    let mut app = demo_service().await;
    import(&mut app, FU_YU.0, FU_YU.1).await.unwrap();
    let house_101 = house_id_of(&app, "10002", [1, 1, 1, 101]).await;

    let owner = app
        .registration
        .look_up_owner(pb::LookUpOwnerRequest {
            resident: resident(ZHANG_SAN),
            house_id: house_101,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(owner.masked_phone, "151****2234");
    assert_eq!(owner.community_house_name, "晨曦家园1栋1单元1楼101号");
    // The house's data stays hidden until the owner's code is verified (000 §2.2.2).
    assert_eq!(
        (owner.people_house_role, owner.people_house_use),
        (None, None)
    );
    assert_eq!(
        app.auth.remembered.lock().unwrap().clone(),
        [(
            ZHANG_SAN,
            "晨曦家园1栋1单元1楼101号".to_owned(),
            FU_YU.1.to_owned()
        )]
    );

    // Without the owner's code a tenant cannot apply.
    let error =
        error_of(submit_first(&mut app, ZHANG_SAN, ZHANG_SAN_ID, choice(house_101, "租客")).await);
    assert_eq!(error.kind, ErrorKind::Forbidden);
    assert_eq!(error.kind.http_status(), 403);
    assert_eq!(error.msg, "请先验证业主手机号");

    // A wrong code is svc-auth's answer.
    app.auth.issue("y", "654321", "yezhu", FU_YU.1);
    let error = error_of(
        app.registration
            .verify_owner(pb::VerifyOwnerRequest {
                resident: resident(ZHANG_SAN),
                verification_key: "y".to_owned(),
                verification_code: "000000".to_owned(),
            })
            .await,
    );
    assert_eq!(error.message, "验证码错误");
    let verified = app
        .registration
        .verify_owner(pb::VerifyOwnerRequest {
            resident: resident(ZHANG_SAN),
            verification_key: "y".to_owned(),
            verification_code: "654321".to_owned(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(verified.house_id, house_101);
    assert_eq!(verified.people_house_status, "自用");
    let again = app
        .registration
        .look_up_owner(pb::LookUpOwnerRequest {
            resident: resident(ZHANG_SAN),
            house_id: house_101,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (
            again.people_house_role.as_deref(),
            again.people_house_use.as_deref()
        ),
        (Some("业主"), Some("住宅"))
    );

    let submitted = submit_first(&mut app, ZHANG_SAN, ZHANG_SAN_ID, choice(house_101, "租客"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(submitted.shenhe_type, "租客绑定");
    assert_eq!(app.auth.state_of(ZHANG_SAN).as_deref(), Some("Shenheing"));
    app.stop().await;
}

#[tokio::test]
async fn walking_the_house_ids_for_owners_phones_is_bounded() {
    let mut app = demo_service().await;
    import(&mut app, FU_YU.0, FU_YU.1).await.unwrap();
    let house_101 = house_id_of(&app, "10002", [1, 1, 1, 101]).await;
    let mut refused = None;
    for attempt in 1..=30 {
        let result = app
            .registration
            .look_up_owner(pb::LookUpOwnerRequest {
                resident: resident(ZHANG_SAN),
                house_id: house_101,
            })
            .await;
        if let Err(status) = result {
            refused = Some((attempt, ServiceError::from_status(&status)));
            break;
        }
    }
    let (attempt, error) = refused.expect("look-ups are bounded");
    assert_eq!(attempt, 21, "twenty look-ups a day, then refused");
    assert_eq!(error.kind, ErrorKind::RateLimited);
    assert_eq!(error.kind.http_status(), 429);
    app.stop().await;
}

#[tokio::test]
async fn registrations_obey_the_switches_svc_community_told() {
    let mut app = demo_service().await;
    let house_202 = house_id_of(&app, "10002", [1, 1, 2, 202]).await;
    let switch = |module: &str, enabled: bool| pb::ModuleSwitchesRequest {
        switches: vec![pb::ModuleSwitch {
            community_identifier: "10002".to_owned(),
            module_name: module.to_owned(),
            enabled,
        }],
    };
    let tell = |enabled: bool| switch("绑定房屋", enabled);
    let stored = app
        .registration
        .set_module_switches(tell(false))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(stored.stored, 1);
    let error =
        error_of(submit_first(&mut app, ZHANG_SAN, ZHANG_SAN_ID, choice(house_202, "业主")).await);
    assert_eq!(error.kind, ErrorKind::Forbidden);
    assert_eq!(error.msg, "该小区的绑定房屋功能已关闭");

    app.registration
        .set_module_switches(tell(true))
        .await
        .unwrap();
    submit_first(&mut app, ZHANG_SAN, ZHANG_SAN_ID, choice(house_202, "业主"))
        .await
        .unwrap();

    // Family are bound under 绑定家属: off, a family member is refused.
    app.registration
        .set_module_switches(switch("绑定家属", false))
        .await
        .unwrap();
    let house_201 = house_id_of(&app, "10002", [1, 1, 2, 201]).await;
    let family =
        error_of(submit_first(&mut app, 3, "130302198506152349", choice(house_201, "家属")).await);
    assert_eq!(family.kind, ErrorKind::Forbidden);
    assert_eq!(family.msg, "该小区的绑定家属功能已关闭");
    // 绑定房屋 is on again: an owner still files.
    submit_first(&mut app, 3, "130302198506152349", choice(house_201, "业主"))
        .await
        .unwrap();

    let other = error_of(
        app.registration
            .set_module_switches(switch("访客通行", false))
            .await,
    );
    assert!(other.msg.starts_with("module_name:"), "{other:?}");
    app.stop().await;
}

#[tokio::test]
async fn an_owner_unknown_here_is_asked_of_the_security_platform() {
    let mut app = demo_service().await;
    let house_201 = house_id_of(&app, "10002", [1, 1, 2, 201]).await;
    let owner = app
        .registration
        .look_up_owner(pb::LookUpOwnerRequest {
            resident: resident(ZHANG_SAN),
            house_id: house_201,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(owner.masked_phone, "176****1130");
    assert_eq!(owner.community_house_name, "晨曦家园1栋1单元2楼201号");
    // The owner is not bound here, yet a tenant needs their consent.
    let error =
        error_of(submit_first(&mut app, ZHANG_SAN, ZHANG_SAN_ID, choice(house_201, "租客")).await);
    assert_eq!(error.kind, ErrorKind::Forbidden);
    assert_eq!(error.msg, "请先验证业主手机号");

    let house_202 = house_id_of(&app, "10002", [1, 1, 2, 202]).await;
    let error = error_of(
        app.registration
            .look_up_owner(pb::LookUpOwnerRequest {
                resident: resident(ZHANG_SAN),
                house_id: house_202,
            })
            .await,
    );
    assert_eq!(error.kind, ErrorKind::Nothing);
    assert_eq!(error.msg, "该房屋尚未绑定业主");
    assert_eq!(
        error.message,
        "安防平台没有查找到该房屋下的业主数据,message编码Yi1149-message编码SeApi87"
    );
    let error = error_of(
        app.registration
            .look_up_owner(pb::LookUpOwnerRequest {
                resident: resident(ZHANG_SAN),
                house_id: 987_654,
            })
            .await,
    );
    assert_eq!(error.kind, ErrorKind::NotFound);
    app.stop().await;
}

#[tokio::test]
async fn a_first_form_needs_a_house_of_the_tree_and_a_kind() {
    let mut app = demo_service().await;
    let error =
        error_of(submit_first(&mut app, ZHANG_SAN, ZHANG_SAN_ID, choice(987_654, "业主")).await);
    assert_eq!(error.kind, ErrorKind::NotFound);
    let error = error_of(
        app.registration
            .submit(pb::SubmitRequest {
                resident: resident(ZHANG_SAN),
                kind: None,
            })
            .await,
    );
    assert!(error.msg.starts_with("kind"));
    let error = error_of(
        app.registration
            .submit(pb::SubmitRequest {
                resident: None,
                kind: Some(Kind::Unbind(1)),
            })
            .await,
    );
    assert_eq!(error.kind, ErrorKind::Unauthenticated);
    app.stop().await;
}

#[tokio::test]
async fn approving_a_first_registration_binds_the_applicant() {
    let mut app = demo_service().await;
    let house_202 = house_id_of(&app, "10002", [1, 1, 2, 202]).await;
    let review = submit_first(&mut app, ZHANG_SAN, ZHANG_SAN_ID, choice(house_202, "业主"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(review.shenhe_type, "业主绑定");

    // Pending: the resident sees it, cannot file it twice, and it is not a binding yet.
    let items = my_houses(&mut app, ZHANG_SAN).await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].shenhe_id, review.review_id);
    assert_eq!(items[0].status, "待审核");
    assert_eq!(items[0].action, "业主正在申请：业主绑定");
    assert_eq!(
        items[0].introduction,
        "晨曦家园1栋1单元2楼202号的业主正在申请：业主绑定"
    );
    let error =
        error_of(submit_first(&mut app, ZHANG_SAN, ZHANG_SAN_ID, choice(house_202, "业主")).await);
    assert_eq!(error.msg, "该房屋已有待审核的申请");

    let decided = decide(&mut app, review.review_id, "1", "")
        .await
        .unwrap()
        .into_inner();
    assert_eq!(decided.shenhe_status, 1);
    assert!(!decided.has_refuse_reason);
    assert_eq!(app.auth.state_of(ZHANG_SAN).as_deref(), Some("HouseMember"));

    let items = my_houses(&mut app, ZHANG_SAN).await;
    assert_eq!(items.len(), 1);
    assert_eq!(
        (
            items[0].status.as_str(),
            items[0].role.as_str(),
            items[0].house_id
        ),
        ("审核通过", "业主", house_202)
    );
    let house = detail(&mut app, ZHANG_SAN, house_202)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(house.yibangding.len(), 1);
    assert_eq!(house.yibangding[0].shouquan, "管理员");
    assert_eq!(
        house.yibangding[0].phone, "13900000002",
        "the viewer's own phone"
    );
    assert_eq!(
        (house.status.as_str(), house.r#use.as_str()),
        ("租用", "住宅")
    );

    // Decided once only.
    let error = error_of(decide(&mut app, review.review_id, "0", "重复").await);
    assert_eq!(error.kind, ErrorKind::Conflict);
    assert_eq!(error.msg, "该审核已处理，不能重复处理");

    // Registered: a second first form is refused.
    let house_201 = house_id_of(&app, "10002", [1, 1, 2, 201]).await;
    let error =
        error_of(submit_first(&mut app, ZHANG_SAN, ZHANG_SAN_ID, choice(house_201, "业主")).await);
    assert_eq!(error.msg, "您已录入个人信息，请使用绑定更多房屋");

    let decisions = app
        .registration
        .list_decisions(pb::ListDecisionsRequest {
            platform: platform(&["10002"]),
            ..pb::ListDecisionsRequest::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(decisions.total, 1);
    assert_eq!(decisions.decisions[0].review_id, review.review_id);
    assert_eq!(decisions.decisions[0].secret_id, "123456");
    assert_eq!(decisions.decisions[0].shenhe_type, "业主绑定");
    assert_eq!(
        decisions.decisions[0].shenhe_house_introduction,
        "晨曦家园1栋1单元2楼202号"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_refused_review_shows_its_reason_and_can_no_longer_be_deleted() {
    let mut app = demo_service().await;
    let house_202 = house_id_of(&app, "10002", [1, 1, 2, 202]).await;
    let review = submit_first(&mut app, ZHANG_SAN, ZHANG_SAN_ID, choice(house_202, "业主"))
        .await
        .unwrap()
        .into_inner();
    let refused = decide(&mut app, review.review_id, "0", "照片不清晰")
        .await
        .unwrap()
        .into_inner();
    assert_eq!(refused.shenhe_status, 0);
    assert_eq!(refused.shenhe_refuse_reason, "照片不清晰");
    assert!(refused.has_refuse_reason);
    assert_eq!(app.auth.state_of(ZHANG_SAN).as_deref(), Some("NewMember"));

    let items = my_houses(&mut app, ZHANG_SAN).await;
    assert_eq!(items[0].status, "未通过");
    let detail = app
        .registration
        .review_detail(pb::ReviewDetailRequest {
            resident: resident(ZHANG_SAN),
            review_id: review.review_id,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(detail.shenhe_status, 0);
    assert_eq!(detail.shenhe_refuse_reason, "照片不清晰");
    assert_eq!(
        detail.idcard, ZHANG_SAN_ID,
        "the applicant sees their own number"
    );
    assert_eq!(detail.birth, "19900101");
    assert_eq!(
        detail.dibao, "",
        "the platform's flags are not shown to residents"
    );
    assert_eq!(
        (detail.tuiyijunren.as_str(), detail.shangfang.as_str()),
        ("", "")
    );
    assert_eq!(detail.shenhe_house_introduction, "晨曦家园1栋1单元2楼202号");

    let error = error_of(
        app.registration
            .delete_review(pb::ReviewDetailRequest {
                resident: resident(ZHANG_SAN),
                review_id: review.review_id,
            })
            .await,
    );
    assert_eq!(
        (error.msg.as_str(), error.message.as_str()),
        ("删除失败", "审核删除失败,message编程1879")
    );
    app.stop().await;
}

#[tokio::test]
async fn only_the_applicant_sees_and_withdraws_a_review() {
    let mut app = demo_service().await;
    let house_202 = house_id_of(&app, "10002", [1, 1, 2, 202]).await;
    let review = submit_first(&mut app, ZHANG_SAN, ZHANG_SAN_ID, choice(house_202, "业主"))
        .await
        .unwrap()
        .into_inner();
    let error = error_of(
        app.registration
            .review_detail(pb::ReviewDetailRequest {
                resident: resident(99),
                review_id: review.review_id,
            })
            .await,
    );
    assert_eq!(error.kind, ErrorKind::NotFound);
    assert_eq!(
        (error.msg.as_str(), error.message.as_str()),
        ("未查找到审核信息", "未查找到审核信息。message编码Yi1815")
    );
    let error = error_of(
        app.registration
            .delete_review(pb::ReviewDetailRequest {
                resident: resident(99),
                review_id: review.review_id,
            })
            .await,
    );
    assert_eq!(error.message, "审核删除失败,message编程1879");

    app.registration
        .delete_review(pb::ReviewDetailRequest {
            resident: resident(ZHANG_SAN),
            review_id: review.review_id,
        })
        .await
        .unwrap();
    assert!(my_houses(&mut app, ZHANG_SAN).await.is_empty());
    assert_eq!(app.auth.state_of(ZHANG_SAN).as_deref(), Some("NewMember"));
    app.stop().await;
}

#[tokio::test]
async fn the_house_detail_lists_members_for_those_bound_only() {
    let mut app = demo_service().await;
    import(&mut app, FU_YU.0, FU_YU.1).await.unwrap();
    let house_101 = house_id_of(&app, "10002", [1, 1, 1, 101]).await;
    let house = detail(&mut app, FU_YU.0, house_101)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(house.introduction, "晨曦家园1栋1单元1楼101号");
    assert_eq!(house.house_type, "单元楼");
    assert_eq!(
        (
            house.r#use.as_str(),
            house.xingzhi.as_str(),
            house.status.as_str(),
            house.zhuhuleixing.as_str()
        ),
        ("住宅", "私有", "自用", "业主")
    );
    let members: Vec<(&str, &str, &str, &str)> = house
        .yibangding
        .iter()
        .map(|m| {
            (
                m.name.as_str(),
                m.role.as_str(),
                m.shouquan.as_str(),
                m.charge.as_str(),
            )
        })
        .collect();
    assert_eq!(
        members,
        [
            ("付钰", "业主", "管理员", ""),
            ("付文生", "父亲", "邀请激活", "授权支付"),
            ("李娜", "妻子", "邀请激活", "授权支付"),
            ("付聪", "儿子", "邀请激活", "授权支付"),
        ]
    );
    assert_eq!(house.yibangding[0].phone, FU_YU.1);
    assert_eq!(house.yibangding[1].phone, "139****2001");
    assert_eq!(house.yijihuo.len(), 1);
    assert_eq!(house.weijihuo.len(), 3);
    assert!(house.weibangding.is_empty());

    let error = error_of(detail(&mut app, ZHANG_SAN, house_101).await);
    assert_eq!(error.kind, ErrorKind::Forbidden);
    app.stop().await;
}

#[tokio::test]
async fn the_owner_grants_and_withdraws_rights_and_removes_members() {
    let mut app = demo_service().await;
    import(&mut app, FU_YU.0, FU_YU.1).await.unwrap();
    let house_101 = house_id_of(&app, "10002", [1, 1, 1, 101]).await;
    let members = detail(&mut app, FU_YU.0, house_101)
        .await
        .unwrap()
        .into_inner()
        .yibangding;
    let owner = members[0].id;
    let wife = members[2].id;
    let son = members[3].id;
    let toggle = |binding: i64, grant: pb::Grant, user: i64| pb::ToggleGrantRequest {
        resident: resident(user),
        binding_id: binding,
        grant: grant.into(),
    };

    let reply = app
        .registration
        .toggle_grant(toggle(wife, pb::Grant::Manage, FU_YU.0))
        .await
        .unwrap()
        .into_inner();
    assert_eq!((reply.button.as_str(), reply.granted), ("禁止管理", true));
    let reply = app
        .registration
        .toggle_grant(toggle(wife, pb::Grant::Manage, FU_YU.0))
        .await
        .unwrap()
        .into_inner();
    assert_eq!((reply.button.as_str(), reply.granted), ("授权管理", false));
    let reply = app
        .registration
        .toggle_grant(toggle(wife, pb::Grant::Pay, FU_YU.0))
        .await
        .unwrap()
        .into_inner();
    assert_eq!((reply.button.as_str(), reply.granted), ("禁止支付", true));
    let reply = app
        .registration
        .toggle_grant(toggle(wife, pb::Grant::Pay, FU_YU.0))
        .await
        .unwrap()
        .into_inner();
    assert_eq!((reply.button.as_str(), reply.granted), ("授权支付", false));

    // Nobody else may, and the owner's binding is nobody's to change.
    let error = error_of(
        app.registration
            .toggle_grant(toggle(wife, pb::Grant::Manage, ZHANG_SAN))
            .await,
    );
    assert_eq!(error.kind, ErrorKind::Forbidden);
    let error = error_of(
        app.registration
            .toggle_grant(toggle(owner, pb::Grant::Pay, FU_YU.0))
            .await,
    );
    assert_eq!(error.kind, ErrorKind::Forbidden);
    let error = error_of(
        app.registration
            .toggle_grant(toggle(wife, pb::Grant::Unspecified, FU_YU.0))
            .await,
    );
    assert!(error.msg.starts_with("grant"));

    app.registration
        .unbind(pb::UnbindRequest {
            resident: resident(FU_YU.0),
            binding_id: son,
        })
        .await
        .unwrap();
    let error = error_of(
        app.registration
            .unbind(pb::UnbindRequest {
                resident: resident(ZHANG_SAN),
                binding_id: wife,
            })
            .await,
    );
    assert_eq!(error.kind, ErrorKind::Forbidden);
    let house = detail(&mut app, FU_YU.0, house_101)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(house.yibangding.len(), 3);
    assert_eq!(my_houses(&mut app, FU_YU.0).await[0].not_register, 2);
    app.stop().await;
}

#[tokio::test]
async fn replacing_the_owner_is_a_review_of_its_own() {
    let mut app = demo_service().await;
    import(&mut app, FU_YU.0, FU_YU.1).await.unwrap();
    let house_102 = house_id_of(&app, "10002", [1, 1, 1, 102]).await;
    let error =
        error_of(submit_first(&mut app, ZHANG_SAN, ZHANG_SAN_ID, choice(house_102, "业主")).await);
    assert_eq!(error.msg, "该房屋已有业主");
    let mut replace = choice(house_102, "业主");
    replace.replace_owner = true;
    let review = submit_first(&mut app, ZHANG_SAN, ZHANG_SAN_ID, replace)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(review.shenhe_type, "替换业主");
    // The house's members see the application.
    let house = detail(&mut app, FU_YU.0, house_102)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(house.weibangding.len(), 1);
    assert_eq!(house.weibangding[0].action, "业主正在申请：替换业主");
    assert_eq!(house.weibangding[0].status, "待审核");

    decide(&mut app, review.review_id, "1", "").await.unwrap();
    let house = detail(&mut app, ZHANG_SAN, house_102)
        .await
        .unwrap()
        .into_inner();
    let names: Vec<&str> = house.yibangding.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["张三"]);
    let error = error_of(detail(&mut app, FU_YU.0, house_102).await);
    assert_eq!(error.kind, ErrorKind::Forbidden);
    assert_eq!(
        app.auth.state_of(FU_YU.0).as_deref(),
        Some("HouseMember"),
        "still owns 101"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_registered_resident_binds_unbinds_and_corrects_through_reviews() {
    let mut app = demo_service().await;
    import(&mut app, FU_YU.0, FU_YU.1).await.unwrap();
    let house_201 = house_id_of(&app, "10002", [1, 1, 2, 201]).await;
    // 201's owner is known to the security platform only; their consent is needed all the same.
    verify_owner_of(&mut app, FU_YU.0, house_201, "17600381130").await;
    let bind = |house: pb::HouseChoice| pb::SubmitRequest {
        resident: resident(FU_YU.0),
        kind: Some(Kind::Bind(house)),
    };
    let told = app.auth.states.lock().unwrap().len();
    let review = app
        .registration
        .submit(bind(choice(house_201, "租客")))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(review.shenhe_type, "租客绑定");
    assert_eq!(
        app.auth.states.lock().unwrap().len(),
        told,
        "a house member filing a binding stays one: svc-auth is not called"
    );
    assert_eq!(app.auth.state_of(FU_YU.0).as_deref(), Some("HouseMember"));
    decide(&mut app, review.review_id, "1", "").await.unwrap();
    let binding = my_houses(&mut app, FU_YU.0)
        .await
        .into_iter()
        .find(|i| i.house_id == house_201)
        .expect("bound to 201");
    assert_eq!(binding.role, "租客");

    // A house already bound cannot be bound again.
    let error = error_of(
        app.registration
            .submit(bind(choice(house_201, "租客")))
            .await,
    );
    assert_eq!(error.kind, ErrorKind::Conflict);

    // 修改房屋数据.
    let modify = pb::SubmitRequest {
        resident: resident(FU_YU.0),
        kind: Some(Kind::ModifyHouse(pb::HouseChange {
            binding_id: binding.id,
            status: Some("闲置".to_owned()),
            ..pb::HouseChange::default()
        })),
    };
    let review = app.registration.submit(modify).await.unwrap().into_inner();
    assert_eq!(review.shenhe_type, "修改房屋数据");
    decide(&mut app, review.review_id, "1", "").await.unwrap();
    let house = detail(&mut app, FU_YU.0, house_201)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (house.status.as_str(), house.zhuhuleixing.as_str()),
        ("闲置", "租户")
    );

    // 修改个人信息.
    let mut form = person_form("130302198705041019", FU_YU.1, "付钰");
    form.job = "架构师".to_owned();
    let review = app
        .registration
        .submit(pb::SubmitRequest {
            resident: resident(FU_YU.0),
            kind: Some(Kind::ModifyPerson(pb::PersonChange {
                person: Some(form),
                house_id: None,
            })),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(review.shenhe_type, "修改个人信息");
    decide(&mut app, review.review_id, "1", "").await.unwrap();

    // 租客解绑 of someone else's binding is not the caller's to ask.
    let error = error_of(
        app.registration
            .submit(pb::SubmitRequest {
                resident: resident(ZHANG_SAN),
                kind: Some(Kind::Unbind(binding.id)),
            })
            .await,
    );
    assert_eq!(error.kind, ErrorKind::Conflict, "{error:?}");
    let review = app
        .registration
        .submit(pb::SubmitRequest {
            resident: resident(FU_YU.0),
            kind: Some(Kind::Unbind(binding.id)),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(review.shenhe_type, "租客解绑");
    let detail_reply = app
        .registration
        .review_detail(pb::ReviewDetailRequest {
            resident: resident(FU_YU.0),
            review_id: review.review_id,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        detail_reply.job, "架构师",
        "the review carries the person as now stored"
    );
    decide(&mut app, review.review_id, "1", "").await.unwrap();
    assert!(
        my_houses(&mut app, FU_YU.0)
            .await
            .iter()
            .all(|i| i.house_id != house_201)
    );
    app.stop().await;
}

#[tokio::test]
async fn an_imported_family_member_activates_by_registering() {
    let mut app = demo_service().await;
    import(&mut app, FU_YU.0, FU_YU.1).await.unwrap();
    let house_101 = house_id_of(&app, "10002", [1, 1, 1, 101]).await;
    // 李娜 (妻子) was imported, not activated; she registers herself.
    let li_na = 5;
    verify_owner_of(&mut app, li_na, house_101, FU_YU.1).await;
    let review = app
        .registration
        .submit(pb::SubmitRequest {
            resident: resident(li_na),
            kind: Some(Kind::First(pb::FirstRegistration {
                person: Some(person_form("130302198807163025", "13931512002", "李娜")),
                house: Some(choice(house_101, "妻子")),
            })),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(review.shenhe_type, "家属绑定");
    decide(&mut app, review.review_id, "1", "").await.unwrap();
    let house = detail(&mut app, li_na, house_101)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(house.yibangding.len(), 4, "no second binding for her");
    assert_eq!(house.yijihuo.len(), 2);
    let her = house
        .yibangding
        .iter()
        .find(|m| m.name == "李娜")
        .expect("listed");
    assert_eq!(her.shouquan, "授权管理");
    assert_eq!(her.phone, "13931512002");
    app.stop().await;
}
