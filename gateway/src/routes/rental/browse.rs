//! Beyond seed 004 (issue 12): a seeker opens a listing (`/house_detail`, counted among its
//! views) and keeps it among their favourites (`/favorite_house`, `/unfavorite_house`,
//! `/my_favorites`; `praise_count` counts them).
use actix_web::web;
use proto::rental as pb;
use serde_json::{Map, Value, json};

use super::{ListingIdInput, TAG, listing_json, listing_ref, media_url, ok, search_row};
use crate::auth::ResidentCaller;
use crate::envelope::{ApiError, ApiResult, DataResponse, Failure};
use crate::input::Input;
use crate::middleware::RequestId;
use crate::state::AppState;

/// What a listing shows of its landlord: nickname, portrait, kind (1 房东, 2 二房东, 3 中介)
/// and whether their name and number were checked against their ID card.
pub fn landlord_json(state: &AppState, l: &pb::Listing) -> Value {
    json!({
        "owner_id": l.owner_id,
        "nickname": (!l.landlord_nickname.is_empty()).then_some(&l.landlord_nickname),
        "headimgurl": (!l.landlord_portrait_key.is_empty())
            .then(|| media_url(state, &l.landlord_portrait_key)),
        "user_type": l.user_type,
        "identified": l.landlord_identified,
    })
}

/// The keys of a listing that place the flat itself or concern only its landlord and the
/// platform: a seeker sees the listing without them (the landlord tells the address when they
/// confirm a viewing).
const LANDLORD_ONLY: [&str; 4] = [
    "community_identifier",
    "community_house_id",
    "house_introduction",
    "reason",
];

/// A listing opened: every field for its landlord; for anyone else, all but [`LANDLORD_ONLY`].
fn detail_json(state: &AppState, detail: pb::ListingDetail, caller: i64) -> Value {
    let listing = detail.listing.unwrap_or_default();
    let own = listing.owner_id == caller;
    let landlord = landlord_json(state, &listing);
    let mut row = match listing_json(state, listing) {
        Value::Object(row) => row,
        _ => Map::new(),
    };
    if !own {
        for key in LANDLORD_ONLY {
            row.remove(key);
        }
    }
    row.insert("landlord".to_owned(), landlord);
    row.insert("is_favorite".to_owned(), json!(detail.favourite));
    Value::Object(row)
}

/// 房源详情: a published listing (or one of the caller's own, whatever its state) with every
/// field of 创建房源, its photos and videos, its landlord, its counts, and whether the caller keeps
/// it. The first time a resident other than the landlord opens it, `view_count` counts them.
#[utoipa::path(post, path = "/api/v1/rental/house_detail", tag = TAG,
    request_body = ListingIdInput,
    responses((status = 200, body = DataResponse), (status = 404, body = Failure, description = "没有找到该房源（未发布的房源只有房东本人能看到）")),
    security(("bearer" = [])))]
pub async fn detail(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<ListingIdInput>, ApiError>,
) -> ApiResult {
    let message = listing_ref(&resident, input?);
    let detail = state
        .call("community", state.rental().detail(request_id.grpc(message)))
        .await?;
    ok(
        "成功获取房源详情",
        detail_json(&state, detail, resident.user_id),
    )
}

async fn favourite(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Input<ListingIdInput>,
    keep: bool,
) -> ApiResult {
    let listing = listing_ref(&resident, input);
    let message = pb::FavouriteRequest {
        resident: listing.resident,
        house_id: listing.house_id,
        favourite: keep,
    };
    let detail = state
        .call(
            "community",
            state.rental().favourite(request_id.grpc(message)),
        )
        .await?;
    let listing = detail.listing.unwrap_or_default();
    ok(
        if keep {
            "收藏成功"
        } else {
            "已取消收藏"
        },
        json!({
            "house_id": listing.id,
            "praise_count": listing.praise_count,
            "is_favorite": detail.favourite,
        }),
    )
}

/// 收藏房源: kept among the caller's favourites (again: nothing changes); its `praise_count`
/// counts it. Not one's own listing (403); only a published one (404).
#[utoipa::path(post, path = "/api/v1/rental/favorite_house", tag = TAG,
    request_body = ListingIdInput,
    responses((status = 200, body = DataResponse), (status = 403, body = Failure, description = "不能收藏自己发布的房源"), (status = 404, body = Failure)),
    security(("bearer" = [])))]
pub async fn keep(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<ListingIdInput>, ApiError>,
) -> ApiResult {
    favourite(state, request_id, resident, input?, true).await
}

/// 取消收藏: let go, whatever became of the listing (again: nothing changes).
#[utoipa::path(post, path = "/api/v1/rental/unfavorite_house", tag = TAG,
    request_body = ListingIdInput,
    responses((status = 200, body = DataResponse), (status = 404, body = Failure)),
    security(("bearer" = [])))]
pub async fn let_go(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<ListingIdInput>, ApiError>,
) -> ApiResult {
    favourite(state, request_id, resident, input?, false).await
}

/// 我的收藏: the caller's favourites as search rows, the latest kept first (at most 200); a
/// listing pulled off or taken down stays, its `status` telling so; a deleted one is gone.
#[utoipa::path(post, path = "/api/v1/rental/my_favorites", tag = TAG,
    responses((status = 200, body = DataResponse)), security(("bearer" = [])))]
pub async fn my_favourites(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
) -> ApiResult {
    let message = pb::Caller {
        resident: Some(resident.reference()),
    };
    let reply = state
        .call(
            "community",
            state.rental().my_favourites(request_id.grpc(message)),
        )
        .await?;
    let rows = reply
        .listings
        .into_iter()
        .map(|l| {
            let mut row = search_row(&state, l);
            if let Value::Object(map) = &mut row {
                map.remove("distance");
            }
            row
        })
        .collect();
    ok("成功获取收藏列表", Value::Array(rows))
}
