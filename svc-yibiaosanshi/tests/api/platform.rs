//! The security platform's side (001 §1.2.2–§1.2.4): lists, one review, decisions.
use diesel::RunQueryDsl;
use kit::error::ErrorKind;
use proto::yibiaosanshi as pb;
use proto::yibiaosanshi::decide_review_request::Decision;
use serde_json::Value;

use crate::helpers::{TestService, error_of, platform};
use crate::registration::{
    ZHANG_SAN, ZHANG_SAN_ID, choice, decide, demo_service, house_id_of, my_houses, submit_first,
};

const APPLICANT_IDS: [&str; 3] = [
    "130302198506152349",
    "110105197603123451",
    "130302199511114560",
];

/// Three pending 业主绑定 reviews of 10002, by three applicants, oldest first.
async fn three_reviews(app: &mut TestService) -> Vec<i64> {
    let mut ids = Vec::new();
    let houses = [[1, 1, 3, 301], [1, 1, 3, 302], [1, 1, 4, 401]];
    for ((idcard, numbers), user) in APPLICANT_IDS.iter().zip(houses).zip(10..) {
        let house_id = house_id_of(app, "10002", numbers).await;
        let reply = submit_first(app, user, idcard, choice(house_id, "业主"))
            .await
            .unwrap();
        ids.push(reply.into_inner().review_id);
    }
    ids
}

fn list(communities: &[&str], query: pb::ListReviewsRequest) -> pb::ListReviewsRequest {
    pb::ListReviewsRequest {
        platform: platform(communities),
        ..query
    }
}

/// The `total` of a one-row page of 10002's reviews (a full page: the total is counted).
async fn total_of(
    app: &mut TestService,
    status: Option<pb::ReviewStatus>,
    kind: Option<pb::ReviewType>,
) -> i64 {
    app.registration
        .list_reviews(list(
            &["10002"],
            pb::ListReviewsRequest {
                community_identifier: "10002".to_owned(),
                status: status.map(Into::into),
                r#type: kind.map(Into::into),
                per_page: 1,
                ..pb::ListReviewsRequest::default()
            },
        ))
        .await
        .unwrap()
        .into_inner()
        .total
}

#[tokio::test]
async fn a_full_pages_total_follows_reviews_filed_decided_and_withdrawn() {
    let mut app = demo_service().await;
    let ids = three_reviews(&mut app).await;
    let (pending, approved, refused) = (
        Some(pb::ReviewStatus::Pending),
        Some(pb::ReviewStatus::Approved),
        Some(pb::ReviewStatus::Refused),
    );
    let owner = Some(pb::ReviewType::OwnerBind);
    assert_eq!(total_of(&mut app, None, None).await, 3);
    assert_eq!(total_of(&mut app, pending, owner).await, 3);

    decide(&mut app, ids[0], "1", "").await.unwrap();
    decide(&mut app, ids[1], "0", "资料不全").await.unwrap();
    assert_eq!(total_of(&mut app, None, None).await, 3);
    assert_eq!(total_of(&mut app, pending, None).await, 1);
    assert_eq!(total_of(&mut app, approved, owner).await, 1);
    assert_eq!(total_of(&mut app, refused, None).await, 1);
    assert_eq!(
        total_of(&mut app, None, Some(pb::ReviewType::TenantBind)).await,
        0
    );

    // The third applicant withdraws their pending review.
    app.registration
        .delete_review(pb::ReviewDetailRequest {
            resident: crate::helpers::resident(12),
            review_id: ids[2],
        })
        .await
        .unwrap();
    assert_eq!(total_of(&mut app, None, None).await, 2);
    assert_eq!(total_of(&mut app, pending, None).await, 0);
    app.stop().await;
}

/// 10002's first page of reviews, for a caller that kept the page of `known_version`.
async fn first_page(app: &mut TestService, known_version: Option<i64>) -> pb::ReviewPage {
    app.registration
        .list_reviews(list(
            &["10002"],
            pb::ListReviewsRequest {
                community_identifier: "10002".to_owned(),
                known_version,
                ..pb::ListReviewsRequest::default()
            },
        ))
        .await
        .unwrap()
        .into_inner()
}

#[tokio::test]
async fn a_kept_page_is_answered_unchanged_until_any_review_of_the_community_changes() {
    let mut app = demo_service().await;
    let ids = three_reviews(&mut app).await;
    let first = first_page(&mut app, None).await;
    assert!(first.version > 0 && !first.unchanged, "{first:?}");
    assert_eq!(first.reviews.len(), 3);
    let again = first_page(&mut app, Some(first.version)).await;
    assert!(again.unchanged, "{again:?}");
    assert_eq!((again.version, again.reviews.len()), (first.version, 0));

    // A decision: a greater version, and the page as it now is.
    decide(&mut app, ids[0], "1", "").await.unwrap();
    let decided = first_page(&mut app, Some(first.version)).await;
    assert!(
        !decided.unchanged && decided.version > first.version,
        "{decided:?}"
    );
    assert_eq!(decided.reviews[2].shenhe_status, 1);
    // A change no count sees.
    app.db
        .run(|conn| -> Result<_, kit::db::DbError> {
            Ok(
                diesel::sql_query("UPDATE reviews SET updated_at = updated_at + 60")
                    .execute(conn)?,
            )
        })
        .await
        .unwrap();
    let corrected = first_page(&mut app, Some(decided.version)).await;
    assert!(!corrected.unchanged && corrected.version > decided.version);
    assert_eq!(
        corrected.reviews[0].updated_at,
        decided.reviews[0].updated_at + 60
    );

    // An empty page has no version; the caller is checked before any version is compared.
    let empty = app
        .registration
        .list_reviews(list(
            &["10002"],
            pb::ListReviewsRequest {
                community_identifier: "10002".to_owned(),
                status: Some(pb::ReviewStatus::Refused.into()),
                ..pb::ListReviewsRequest::default()
            },
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!((empty.reviews.len(), empty.version), (0, 0));
    let foreign = error_of(
        app.registration
            .list_reviews(list(
                &["10003"],
                pb::ListReviewsRequest {
                    community_identifier: "10002".to_owned(),
                    known_version: Some(corrected.version),
                    ..pb::ListReviewsRequest::default()
                },
            ))
            .await,
    );
    assert_eq!(foreign.kind, ErrorKind::Forbidden);
    app.stop().await;
}

#[tokio::test]
async fn reviews_are_listed_newest_first_a_page_at_a_time() {
    let mut app = demo_service().await;
    let ids = three_reviews(&mut app).await;
    let page = app
        .registration
        .list_reviews(list(
            &["10002"],
            pb::ListReviewsRequest {
                community_identifier: "10002".to_owned(),
                page: 2,
                per_page: 1,
                ..pb::ListReviewsRequest::default()
            },
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!((page.total, page.page, page.per_page), (3, 2, 1));
    assert_eq!(page.reviews.len(), 1);
    assert_eq!(page.reviews[0].id, ids[1]);
    let review = &page.reviews[0];
    assert_eq!(review.shenhe_type, "业主绑定");
    assert_eq!(review.shenhe_status, 2);
    assert_eq!(review.shenhe_action_introduction, "业主正在申请：业主绑定");
    assert!(!review.has_refuse_reason);
    let content: Value = serde_json::from_str(&review.shenhe_content).unwrap();
    assert_eq!(
        content["people"]["people_idcard"], APPLICANT_IDS[1],
        "full to the platform"
    );
    assert_eq!(content["people"]["people_dibao"], "1");
    assert_eq!(content["house"]["community_identifier"], "10002");

    let all = app
        .registration
        .list_reviews(list(
            &["10002"],
            pb::ListReviewsRequest {
                community_identifier: "10002".to_owned(),
                ..pb::ListReviewsRequest::default()
            },
        ))
        .await
        .unwrap()
        .into_inner();
    let listed: Vec<i64> = all.reviews.iter().map(|r| r.id).collect();
    assert_eq!(listed, [ids[2], ids[1], ids[0]]);
    assert_eq!((all.page, all.per_page), (1, 20));

    decide(&mut app, ids[0], "0", "资料不全").await.unwrap();
    let filtered = |status: Option<pb::ReviewStatus>, kind: Option<pb::ReviewType>| {
        list(
            &["10002"],
            pb::ListReviewsRequest {
                community_identifier: "10002".to_owned(),
                status: status.map(Into::into),
                r#type: kind.map(Into::into),
                ..pb::ListReviewsRequest::default()
            },
        )
    };
    let pending = app
        .registration
        .list_reviews(filtered(Some(pb::ReviewStatus::Pending), None))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(pending.total, 2);
    let refused = app
        .registration
        .list_reviews(filtered(
            Some(pb::ReviewStatus::Refused),
            Some(pb::ReviewType::OwnerBind),
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(refused.total, 1);
    assert_eq!(refused.reviews[0].shenhe_refuse_reason, "资料不全");
    let none = app
        .registration
        .list_reviews(filtered(None, Some(pb::ReviewType::TenantBind)))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(none.total, 0);

    let error = error_of(
        app.registration
            .list_reviews(list(
                &["10002"],
                pb::ListReviewsRequest {
                    community_identifier: "10002".to_owned(),
                    per_page: 101,
                    ..pb::ListReviewsRequest::default()
                },
            ))
            .await,
    );
    assert!(error.msg.starts_with("per_page"), "{error:?}");
    app.stop().await;
}

#[tokio::test]
async fn a_platform_sees_only_its_communities() {
    let mut app = demo_service().await;
    let ids = three_reviews(&mut app).await;
    // The reviews of `community`, asked for by a credential managing `managed`: refused.
    let refused = |managed: &'static [&'static str], community: &str| {
        let mut registration = app.registration.clone();
        let request = list(
            managed,
            pb::ListReviewsRequest {
                community_identifier: community.to_owned(),
                ..pb::ListReviewsRequest::default()
            },
        );
        async move { error_of(registration.list_reviews(request).await) }
    };
    let error = refused(&["10003"], "10002").await;
    assert_eq!(error.kind, ErrorKind::Forbidden);
    assert_eq!(error.msg, "您没有权限管理该小区，请核对授权信息");
    assert_eq!(
        error.message,
        "该小区没有授权给该安防平台管理员权限，请联系万家灯火平台管理员（message编码Se104）"
    );
    let error = refused(&["10002"], "99999").await;
    assert_eq!(error.kind, ErrorKind::NotFound);
    assert_eq!(error.msg, "服务器开小差，请重试");
    assert_eq!(
        error.message,
        "没有根据community_identifier查找到小区，请核实社区的唯一标识是否有误"
    );
    // A credential granted a community not imported yet: not found either, not an empty page.
    let error = refused(&["99999"], "99999").await;
    assert_eq!(error.kind, ErrorKind::NotFound);
    assert_eq!(
        error.message,
        "没有根据community_identifier查找到小区，请核实社区的唯一标识是否有误"
    );

    let get = |communities: &[&str], id: i64| pb::PlatformReviewRequest {
        platform: platform(communities),
        id,
    };
    let review = app
        .registration
        .get_review(get(&["10002"], ids[0]))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(review.id, ids[0]);
    let error = error_of(app.registration.get_review(get(&["10003"], ids[0])).await);
    assert_eq!(error.kind, ErrorKind::Forbidden);
    assert_eq!(
        error.message,
        "该小区没有授权给该安防平台管理员权限，请联系万家灯火平台管理员（message编码Se160）"
    );
    let error = error_of(app.registration.get_review(get(&["10002"], 987_654)).await);
    assert_eq!(error.kind, ErrorKind::NotFound);
    let error = error_of(
        app.registration
            .decide_review(pb::DecideReviewRequest {
                platform: platform(&["10003"]),
                id: ids[0],
                decision: Some(Decision::Approve(pb::Approval {})),
                content: None,
            })
            .await,
    );
    assert_eq!(error.kind, ErrorKind::Forbidden);
    let error = error_of(
        app.registration
            .list_decisions(pb::ListDecisionsRequest {
                platform: platform(&["10003"]),
                community_identifier: Some("10002".to_owned()),
                ..pb::ListDecisionsRequest::default()
            })
            .await,
    );
    assert_eq!(error.kind, ErrorKind::Forbidden);
    app.stop().await;
}

#[tokio::test]
async fn a_corrected_content_is_checked_and_applied() {
    let mut app = demo_service().await;
    let house_202 = house_id_of(&app, "10002", [1, 1, 2, 202]).await;
    let review = submit_first(&mut app, ZHANG_SAN, ZHANG_SAN_ID, choice(house_202, "业主"))
        .await
        .unwrap()
        .into_inner();
    let stored = app
        .registration
        .get_review(pb::PlatformReviewRequest {
            platform: platform(&["10002"]),
            id: review.review_id,
        })
        .await
        .unwrap()
        .into_inner()
        .shenhe_content;
    let content: Value = serde_json::from_str(&stored).unwrap();
    let people = &content["people"];
    let text = |value: &Value| value.as_str().unwrap_or_default().to_owned();
    let mut correction = pb::CorrectedContent {
        user_id: ZHANG_SAN,
        house_id: house_202,
        person: Some(pb::PersonForm {
            phone: text(&people["people_phone"]),
            idcard: text(&people["people_idcard"]),
            name: "张叁".to_owned(),
            photo: text(&people["people_photo"]),
            sex: text(&people["people_sex"]),
            birth: text(&people["people_birth"]),
            nation: text(&people["people_nation"]),
            address: text(&people["people_address"]),
            zhengzhimianmao: text(&people["people_zhengzhimianmao"]),
            tuiyijunren: false,
            dibao: true,
            shangfang: false,
            job: text(&content["job"]["job_name"]),
            company: text(&content["company"]["company_name"]),
        }),
        fields: Some(pb::HouseFields {
            role: "业主".to_owned(),
            status: Some("闲置".to_owned()),
            ..pb::HouseFields::default()
        }),
    };
    let decide_with = |content: &pb::CorrectedContent| pb::DecideReviewRequest {
        platform: platform(&["10002"]),
        id: review.review_id,
        decision: Some(Decision::Approve(pb::Approval {})),
        content: Some(content.clone()),
    };

    // The house and the applicant are the review's.
    correction.house_id = 1;
    let error = error_of(
        app.registration
            .decide_review(decide_with(&correction))
            .await,
    );
    assert!(error.msg.starts_with("content"), "{error:?}");
    correction.house_id = house_202;

    let decided = app
        .registration
        .decide_review(decide_with(&correction))
        .await
        .unwrap()
        .into_inner();
    let applied: Value = serde_json::from_str(&decided.shenhe_content).unwrap();
    assert_eq!(applied["people"]["people_name"], "张叁");
    assert_eq!(applied["house"]["people_house_status"], "闲置");
    let house = crate::registration::detail(&mut app, ZHANG_SAN, house_202)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(house.yibangding[0].name, "张叁");
    assert_eq!(house.status, "闲置");
    app.stop().await;
}

#[tokio::test]
async fn an_approval_that_fails_halfway_leaves_the_review_pending() {
    let mut app = demo_service().await;
    let house_202 = house_id_of(&app, "10002", [1, 1, 2, 202]).await;
    let review = submit_first(&mut app, ZHANG_SAN, ZHANG_SAN_ID, choice(house_202, "业主"))
        .await
        .unwrap()
        .into_inner();
    // The person can be written, the binding cannot: the whole decision must be undone.
    app.db
        .run(|conn| -> Result<_, kit::db::DbError> {
            Ok(
                diesel::sql_query("ALTER TABLE people_houses RENAME TO people_houses_away")
                    .execute(conn)?,
            )
        })
        .await
        .unwrap();
    let error = error_of(decide(&mut app, review.review_id, "1", "").await);
    assert_eq!(error.kind, ErrorKind::Internal);
    app.db
        .run(|conn| -> Result<_, kit::db::DbError> {
            Ok(
                diesel::sql_query("ALTER TABLE people_houses_away RENAME TO people_houses")
                    .execute(conn)?,
            )
        })
        .await
        .unwrap();
    let again = app
        .registration
        .get_review(pb::PlatformReviewRequest {
            platform: platform(&["10002"]),
            id: review.review_id,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(again.shenhe_status, 2);
    let decisions = app
        .registration
        .list_decisions(pb::ListDecisionsRequest {
            platform: platform(&["10002"]),
            ..pb::ListDecisionsRequest::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(decisions.total, 0);
    // Nothing of the applicant was kept: approving now works from scratch.
    decide(&mut app, review.review_id, "1", "").await.unwrap();
    assert_eq!(my_houses(&mut app, ZHANG_SAN).await[0].status, "审核通过");
    app.stop().await;
}

#[tokio::test]
async fn decisions_are_listed_newest_first() {
    let mut app = demo_service().await;
    let ids = three_reviews(&mut app).await;
    decide(&mut app, ids[0], "1", "").await.unwrap();
    decide(&mut app, ids[2], "0", "照片不清晰").await.unwrap();
    let page = app
        .registration
        .list_decisions(pb::ListDecisionsRequest {
            platform: platform(&["10002", "10003"]),
            community_identifier: None,
            page: 1,
            per_page: 1,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(page.total, 2);
    assert_eq!(page.decisions.len(), 1);
    assert_eq!(page.decisions[0].review_id, ids[2]);
    assert_eq!(page.decisions[0].status, 0);
    assert_eq!(page.decisions[0].refuse_reason, "照片不清晰");
    app.stop().await;
}

#[tokio::test]
async fn of_two_decisions_at_once_one_wins_and_the_other_is_told() {
    let mut app = demo_service().await;
    let ids = three_reviews(&mut app).await;
    for id in ids {
        let mut first = app.registration.clone();
        let mut second = app.registration.clone();
        let request = |approve: bool| pb::DecideReviewRequest {
            platform: platform(&["10002"]),
            id,
            decision: Some(if approve {
                Decision::Approve(pb::Approval {})
            } else {
                Decision::Refuse(pb::Refusal {
                    reason: "重复提交".to_owned(),
                })
            }),
            content: None,
        };
        let (a, b) = tokio::join!(
            first.decide_review(request(true)),
            second.decide_review(request(false))
        );
        let outcomes = [a.is_ok(), b.is_ok()];
        assert_eq!(outcomes.iter().filter(|ok| **ok).count(), 1, "{outcomes:?}");
        let loser = if a.is_ok() { b } else { a };
        let error = error_of(loser);
        assert_eq!(error.kind, ErrorKind::Conflict, "{error:?}");
        assert_eq!(error.msg, "该审核已处理，不能重复处理");
    }
    let decisions = app
        .registration
        .list_decisions(pb::ListDecisionsRequest {
            platform: platform(&["10002"]),
            ..pb::ListDecisionsRequest::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(decisions.total, 3);
    app.stop().await;
}
