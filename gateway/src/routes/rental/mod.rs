//! The rental marketplace (seed 004, DESIGN "Rental"): seed 004's paths under `/api/v1/rental/`
//! with their methods and field names, our envelope (`data` holds seed 004's `ans`) and login
//! (the Bearer token, or seed 004's `token` header with the same token); the platform's review
//! under `/api/v1/wjdh/rental`.
//!
//! Each route reads its fields into one input struct (its request schema), opened after the
//! caller is known.
pub mod alipay;
pub mod browse;
pub mod fields;
pub mod identity;
pub mod media;
pub mod viewings;

use std::sync::LazyLock;

use actix_web::{HttpRequest, web};
use kit::error::ServiceError;
use proto::rental as pb;
use serde::Deserialize;
use serde::de::{self, Deserializer};
use serde_json::{Map, Value, json};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{Schema, SchemaType, Type};
use utoipa::{PartialSchema, ToSchema};

use self::fields::{
    CodeSet, Decimal, Education, Latitude, Longitude, PaymentType, Range, VerificationCode, Words,
};
use crate::auth::{PlatformCaller, ResidentCaller};
use crate::envelope::{self, ApiError, ApiResult, DataResponse, Failure};
use crate::input::{
    Both, Code, Date, Digits, FilePart, Flag, Id, IdCard, Input, Int, Page, PerPage, Phone, Text,
    Xiaoqu, Yuan, invalid, one_of, string_schema,
};
use crate::middleware::RequestId;
use crate::routes::community::Hotline;
use crate::routes::pages;
use crate::state::AppState;

const TAG: &str = "004 租房（小程序）";
const TAG_PLATFORM: &str = "租房审核（安防平台）";

fn ok(sentence: &str, data: Value) -> ApiResult {
    Ok(envelope::ok_with(sentence, sentence, data))
}

/// A Beijing day `YYYY-MM-DD`.
fn day(unix: i64) -> String {
    kit::time::beijing_datetime(unix).chars().take(10).collect()
}

/// An amount in fen as a number of 元 (`2500`, `2500.5`), as seed 004 writes rents.
fn yuan_number(fen: i64) -> Value {
    if fen % 100 == 0 {
        Value::from(fen / 100)
    } else {
        Value::from(fen as f64 / 100.0)
    }
}

// ---- profile ----

/// The caller's own rental profile (seed 004 looks it up by `openid`; the platform answers only
/// the signed-in caller's own, and never a token).
#[utoipa::path(get, path = "/api/v1/rental/wx_fetch_userinfo", tag = TAG,
    responses((status = 200, body = DataResponse)), security(("bearer" = [])))]
pub async fn my_profile(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
) -> ApiResult {
    let message = pb::Caller {
        resident: Some(resident.reference()),
    };
    let profile = state
        .call(
            "community",
            state.rental().my_profile(request_id.grpc(message)),
        )
        .await?;
    ok("成功获取用户信息", profile_json(&state, profile))
}

fn profile_json(state: &AppState, profile: pb::Profile) -> Value {
    let f = profile.fields.unwrap_or_default();
    json!({
        "id": profile.id,
        "nickname": f.nickname,
        "sex": f.sex,
        "user_type": f.user_type,
        "self_description": f.self_description,
        "headimgurl": (!profile.portrait_key.is_empty()).then(|| media_url(state, &profile.portrait_key)),
        "addressProvince": f.address_province,
        "addressCity": f.address_city,
        "birthday": f.birthday,
        "constellations": f.constellations,
        "education": f.education,
        "occupation": f.occupation,
        "account_name": f.account_name,
        "account_number": f.account_number,
        // Masked like every ID number (the payout account may be another person's).
        "account_idcardnumber": f.account_idcardnumber.as_deref().map(kit::types::mask_idcard),
        "tel": f.tel,
        "virtual_tel_flag": f.virtual_tel_flag.map(i32::from),
        "virtual_tel": f.virtual_tel,
        "wechat": f.wechat,
        "qq": f.qq,
        "saved": profile.saved,
    })
}

/// Every field of seed 004's 用户信息录入; those sent are saved, the others keep their values.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ProfileInput {
    #[schema(example = "李先生")]
    nickname: Option<Text<32>>,
    /// 头像: a JPEG or PNG file (multipart).
    #[serde(default)]
    pub portrait: Option<FilePart>,
    /// 1 男, 2 女, 0 未知.
    sex: Option<Int<0, 2>>,
    /// 1 房东, 2 二房东, 3 中介.
    user_type: Option<Int<1, 3>>,
    self_description: Option<Text<500>>,
    #[serde(rename = "addressProvince")]
    #[schema(rename = "addressProvince")]
    address_province: Option<Text<32>>,
    #[serde(rename = "addressCity")]
    #[schema(rename = "addressCity")]
    address_city: Option<Text<32>>,
    /// 0000-00-00.
    birthday: Option<Date>,
    constellations: Option<Text<8>>,
    education: Option<Education>,
    occupation: Option<Text<32>>,
    /// 收款账户对应姓名.
    account_name: Option<Text<32>>,
    /// 收款账户账号.
    account_number: Option<Text<64>>,
    /// 收款账户对应身份证号.
    account_idcardnumber: Option<IdCard>,
    tel: Option<Phone>,
    /// 是否使用400短号, 仅限房东.
    virtual_tel_flag: Option<Flag>,
    /// 400短号, 仅限房东.
    virtual_tel: Option<Hotline>,
    wechat: Option<Text<32>>,
    qq: Option<Digits<12>>,
}

/// 用户信息录入: saves the fields sent (a 400 short number only for 房东 and 二房东); a
/// `portrait` file becomes the profile's `headimgurl`.
#[utoipa::path(post, path = "/api/v1/rental/create_userinfo", tag = TAG,
    request_body(content = ProfileInput, content_type = "multipart/form-data"),
    responses((status = 200, body = DataResponse), (status = 403, body = Failure)), security(("bearer" = [])))]
pub async fn save_profile(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<ProfileInput>, ApiError>,
) -> ApiResult {
    let input = input?;
    let portrait = input.file("portrait").map(|file| file.bytes.to_vec());
    let i = input.into_inner();
    let fields = pb::ProfileFields {
        nickname: i.nickname.map(Text::into_string),
        sex: i.sex.map(|v| v.get() as i32),
        user_type: i.user_type.map(|v| v.get() as i32),
        self_description: i.self_description.map(Text::into_string),
        address_province: i.address_province.map(Text::into_string),
        address_city: i.address_city.map(Text::into_string),
        birthday: i.birthday.map(|d| day(d.day_start())),
        constellations: i.constellations.map(Text::into_string),
        education: i.education.map(|e| e.word().to_owned()),
        occupation: i.occupation.map(Text::into_string),
        account_name: i.account_name.map(Text::into_string),
        account_number: i.account_number.map(Text::into_string),
        account_idcardnumber: i.account_idcardnumber.map(|n| n.0.as_str().to_owned()),
        tel: i.tel.map(|p| p.0.as_str().to_owned()),
        virtual_tel_flag: i.virtual_tel_flag.map(Flag::get),
        virtual_tel: i.virtual_tel.map(|h| h.0),
        wechat: i.wechat.map(Text::into_string),
        qq: i.qq.map(Digits::into_string),
    };
    let message = pb::SaveProfileRequest {
        resident: Some(resident.reference()),
        fields: Some(fields),
        portrait,
    };
    state
        .call(
            "community",
            state.rental().save_profile(request_id.grpc(message)),
        )
        .await?;
    ok("保存成功", json!({}))
}

// ---- listings ----

/// A region's code (province, city, county, 小区, subdistrict, subway station).
type RegionCode = Int<1, 999_999_999_999>;

/// Seed 004's listing fields (创建房源), each optional: a draft may be incomplete, and releasing
/// it needs a title, the rent, the size, both rent types and the coordinates.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ListingFieldsInput {
    province_name: Option<Text<20>>,
    province_code: Option<RegionCode>,
    city_name: Option<Text<20>>,
    city_code: Option<RegionCode>,
    county_name: Option<Text<20>>,
    county_code: Option<RegionCode>,
    /// 小区.
    district_name: Option<Text<50>>,
    district_code: Option<RegionCode>,
    /// 门牌号.
    house_number: Option<Int<1, 999_999>>,
    /// GCJ-02.
    longitude: Option<Longitude>,
    latitude: Option<Latitude>,
    /// 出租方式: 短租 1, 长租 2.
    rent_time_type: Option<Int<1, 2>>,
    /// 整租 1, 单间 2.
    rent_room_type: Option<Int<1, 2>>,
    /// 面积 (m²).
    house_size: Option<Decimal<99_999>>,
    /// 户型.
    #[schema(example = "2室1厅")]
    house_type: Option<Text<20>>,
    house_floor: Option<Text<20>>,
    /// 朝向.
    #[schema(example = "南")]
    house_direction: Option<Text<10>>,
    /// 装修程度.
    #[schema(example = "精装")]
    house_decoration: Option<Text<10>>,
    house_max_livein: Option<Int<1, 99>>,
    /// 租金 (元/月).
    house_rent: Option<Yuan>,
    /// 付款方式: 1|1 押一付一, 1|3 押一付三, 1|6 押一付六.
    payment_type: Option<PaymentType>,
    /// 物业费归属: 1 房东, 2 租客, 3 待定.
    property_management_fee: Option<Int<1, 3>>,
    /// 取暖费归属: 1 房东, 2 租客, 3 待定.
    heating_charge: Option<Int<1, 3>>,
    /// 介绍标题.
    #[schema(example = "南向两居 近地铁")]
    description_title: Option<Text<50>>,
    description: Option<Text<2000>>,
    traffic_condition: Option<Text<500>>,
    around_condition: Option<Text<500>>,
    /// 房屋设施 1–12: 1|2|3.
    facility: Option<CodeSet<1, 12>>,
    /// 卧室数量.
    house_rooms: Option<Int<0, 20>>,
    subdistrict_code: Option<RegionCode>,
    subway_station_code: Option<RegionCode>,
    /// 房源特色, 多个用 | 隔开.
    house_characteristic: Option<Words<10, 10>>,
    /// 房源类型: 1 房东直租, 2 二房东合租, 3 租客租期内转租.
    house_source: Option<Int<1, 3>>,
    all_floor: Option<Int<1, 200>>,
    earliest_checkin_time: Option<Date>,
    /// 额外费用 1–8: 1|2|3.
    extra_fee: Option<CodeSet<1, 8>>,
    /// 房源核验码 (where the city requires one), shown on the listing.
    verification_code: Option<VerificationCode>,
}

/// The fields `update_house_info` may name: those of [`ListingFieldsInput`].
const LISTING_ATTRS: [&str; 37] = [
    "province_name",
    "province_code",
    "city_name",
    "city_code",
    "county_name",
    "county_code",
    "district_name",
    "district_code",
    "house_number",
    "longitude",
    "latitude",
    "rent_time_type",
    "rent_room_type",
    "house_size",
    "house_type",
    "house_floor",
    "house_direction",
    "house_decoration",
    "house_max_livein",
    "house_rent",
    "payment_type",
    "property_management_fee",
    "heating_charge",
    "description_title",
    "description",
    "traffic_condition",
    "around_condition",
    "facility",
    "house_rooms",
    "subdistrict_code",
    "subway_station_code",
    "house_characteristic",
    "house_source",
    "all_floor",
    "earliest_checkin_time",
    "extra_fee",
    "verification_code",
];

impl ListingFieldsInput {
    fn proto(self) -> pb::ListingFields {
        let text = |t: Option<Text<20>>| t.map(Text::into_string);
        let code = |c: Option<Int<1, 3>>| c.map(|c| c.get() as i32);
        pb::ListingFields {
            province_name: text(self.province_name),
            province_code: self.province_code.map(Int::get),
            city_name: text(self.city_name),
            city_code: self.city_code.map(Int::get),
            county_name: text(self.county_name),
            county_code: self.county_code.map(Int::get),
            district_name: self.district_name.map(Text::into_string),
            district_code: self.district_code.map(Int::get),
            house_number: self.house_number.map(Int::get),
            longitude: self.longitude.map(|d| d.0),
            latitude: self.latitude.map(|d| d.0),
            rent_time_type: self.rent_time_type.map(|c| c.get() as i32),
            rent_room_type: self.rent_room_type.map(|c| c.get() as i32),
            house_size: self.house_size.map(Decimal::value),
            house_type: text(self.house_type),
            house_floor: text(self.house_floor),
            house_direction: self.house_direction.map(Text::into_string),
            house_decoration: self.house_decoration.map(Text::into_string),
            house_max_livein: self.house_max_livein.map(Int::get),
            house_rent_fen: self.house_rent.map(Yuan::fen),
            payment_type: self.payment_type.map(|p| p.0),
            property_management_fee: code(self.property_management_fee),
            heating_charge: code(self.heating_charge),
            description_title: self.description_title.map(Text::into_string),
            description: self.description.map(Text::into_string),
            traffic_condition: self.traffic_condition.map(Text::into_string),
            around_condition: self.around_condition.map(Text::into_string),
            facility: self.facility.map(|f| f.joined()),
            house_rooms: self.house_rooms.map(Int::get),
            subdistrict_code: self.subdistrict_code.map(Int::get),
            subway_station_code: self.subway_station_code.map(Int::get),
            house_characteristic: self.house_characteristic.map(|w| w.joined()),
            house_source: code(self.house_source),
            all_floor: self.all_floor.map(Int::get),
            earliest_checkin_time: self.earliest_checkin_time.map(|d| day(d.day_start())),
            extra_fee: self.extra_fee.map(|f| f.joined()),
            verification_code: self.verification_code.map(|c| c.0),
        }
    }
}

/// The house a listing lets: one of our address tree (DESIGN: `community_identifier` and
/// `community_house_id`, the house's `id` of 000 §2.1.5).
#[derive(Debug, Deserialize, ToSchema)]
pub struct ListedHouseInput {
    #[schema(example = "10002")]
    community_identifier: Xiaoqu,
    community_house_id: Id,
}

/// 创建房源: the house, and seed 004's fields beside it.
pub type CreateListingInput = Both<ListedHouseInput, ListingFieldsInput>;

/// [`CreateListingInput`]'s schema: both structs' fields hold.
pub struct CreateListingBody;

impl PartialSchema for CreateListingBody {
    fn schema() -> RefOr<Schema> {
        let reference = |name: std::borrow::Cow<'static, str>| {
            RefOr::Ref(utoipa::openapi::Ref::from_schema_name(name))
        };
        RefOr::T(Schema::AllOf(
            utoipa::openapi::schema::AllOfBuilder::new()
                .item(reference(ListedHouseInput::name()))
                .item(reference(ListingFieldsInput::name()))
                .build(),
        ))
    }
}

impl ToSchema for CreateListingBody {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        crate::input::register_input::<ListedHouseInput>(schemas);
        crate::input::register_input::<ListingFieldsInput>(schemas);
    }
}

/// 创建房源: a draft listing of a house the caller is the bound 业主 of.
#[utoipa::path(post, path = "/api/v1/rental/house_create", tag = TAG,
    request_body = CreateListingBody,
    responses((status = 200, body = DataResponse), (status = 403, body = Failure)), security(("bearer" = [])))]
pub async fn create_listing(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<CreateListingInput>, ApiError>,
) -> ApiResult {
    let Both(house, fields) = input?.into_inner();
    let message = pb::CreateListingRequest {
        resident: Some(resident.reference()),
        community_identifier: house.community_identifier.into_string(),
        community_house_id: house.community_house_id.get(),
        fields: Some(fields.proto()),
    };
    let listing = state
        .call(
            "community",
            state.rental().create_listing(request_id.grpc(message)),
        )
        .await?;
    ok("房源创建成功", json!({ "house_id": listing.id }))
}

/// A listing of the caller's, by seed 004's `house_id`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ListingIdInput {
    house_id: Id,
}

fn listing_ref(resident: &ResidentCaller, input: Input<ListingIdInput>) -> pb::ListingRef {
    pb::ListingRef {
        resident: Some(resident.reference()),
        house_id: input.into_inner().house_id.get(),
    }
}

/// 发布房源: published at once when the caller is the house's bound 业主 in the 一标三实
/// registry (unless the platform refused or took it down before); else waiting for the
/// platform. `data.status`: 1 published, 2 waiting.
#[utoipa::path(post, path = "/api/v1/rental/house_release", tag = TAG,
    request_body = ListingIdInput,
    responses((status = 200, body = DataResponse), (status = 403, body = Failure), (status = 409, body = Failure, description = "已发布，或缺少发布所需的字段")),
    security(("bearer" = [])))]
pub async fn release_listing(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<ListingIdInput>, ApiError>,
) -> ApiResult {
    let message = listing_ref(&resident, input?);
    let listing = state
        .call(
            "community",
            state.rental().release_listing(request_id.grpc(message)),
        )
        .await?;
    ok("房源发布成功", json!({ "status": listing.status }))
}

/// 房东房源列表: the caller's listings with every field, photos and videos, newest first.
#[utoipa::path(post, path = "/api/v1/rental/my_house_list", tag = TAG,
    responses((status = 200, body = DataResponse)), security(("bearer" = [])))]
pub async fn my_listings(
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
            state.rental().my_listings(request_id.grpc(message)),
        )
        .await?;
    let rows = reply
        .listings
        .into_iter()
        .map(|l| listing_json(&state, l))
        .collect();
    ok("成功获取房源列表", Value::Array(rows))
}

/// A whole rental file key: an object-store prefix, then the layout svc-community writes; any
/// other key names no file (404).
static RENTAL_FILE_KEY: LazyLock<regex::Regex> = LazyLock::new(|| {
    let pattern = format!(
        r"^{}/rental/[1-9][0-9]{{0,18}}/(portrait|house-photo|house-video|id-portrait|idcard-front|idcard-back|property-cert|lease)/[0-9]{{8}}/[A-Za-z0-9]{{1,64}}\.(jpg|png|mp4)$",
        crate::routes::photos::KEY_PREFIX
    );
    regex::Regex::new(&pattern).expect("RENTAL_FILE_KEY")
});

/// A listing's photo or video, as an absolute URL.
fn media_url(state: &AppState, key: &str) -> String {
    state.file_url(&format!("/api/v1/rental/files/{key}"))
}

/// A listing with every field, as its landlord and the platform see it.
fn listing_json(state: &AppState, l: pb::Listing) -> Value {
    let now = kit::time::now_unix();
    let f = l.fields.clone().unwrap_or_default();
    let photos: Vec<Value> = l
        .photos
        .iter()
        .map(|m| {
            json!({
                "id": m.id,
                "url": media_url(state, &m.key),
                "rooms_type": m.rooms_type,
                "rooms_area": (m.rooms_area > 0.0).then_some(m.rooms_area),
                "rooms_orientation": (!m.rooms_orientation.is_empty()).then_some(&m.rooms_orientation),
            })
        })
        .collect();
    let videos: Vec<Value> = l
        .videos
        .iter()
        .map(|m| json!({"id": m.id, "url": media_url(state, &m.key)}))
        .collect();
    let mut row = fields_json(&f);
    row.extend([
        ("id".to_owned(), json!(l.id)),
        ("house_id".to_owned(), json!(l.id)),
        ("owner_id".to_owned(), json!(l.owner_id)),
        (
            "community_identifier".to_owned(),
            json!(l.community_identifier),
        ),
        ("community_house_id".to_owned(), json!(l.community_house_id)),
        ("house_introduction".to_owned(), json!(l.house_introduction)),
        ("status".to_owned(), json!(l.status)),
        ("reason".to_owned(), json!(l.reason)),
        ("owner_verified".to_owned(), json!(l.owner_verified)),
        ("praise_count".to_owned(), json!(l.praise_count)),
        ("view_count".to_owned(), json!(l.view_count)),
        ("create_date".to_owned(), json!(day(l.created_at))),
        (
            "create_time_duration".to_owned(),
            json!((now - l.created_at).max(0)),
        ),
        (
            "release_time".to_owned(),
            json!((l.released_at > 0).then(|| kit::time::beijing_datetime(l.released_at))),
        ),
        ("house_photo".to_owned(), Value::Array(photos)),
        ("house_video".to_owned(), Value::Array(videos)),
    ]);
    Value::Object(row)
}

/// Seed 004's fields of a listing under their names (rent in 元).
fn fields_json(f: &pb::ListingFields) -> Map<String, Value> {
    let value = json!({
        "province_name": f.province_name,
        "province_code": f.province_code,
        "city_name": f.city_name,
        "city_code": f.city_code,
        "county_name": f.county_name,
        "county_code": f.county_code,
        "district_name": f.district_name,
        "district_code": f.district_code,
        "house_number": f.house_number,
        "longitude": f.longitude,
        "latitude": f.latitude,
        "rent_time_type": f.rent_time_type,
        "rent_room_type": f.rent_room_type,
        "house_size": f.house_size,
        "house_type": f.house_type,
        "house_floor": f.house_floor,
        "house_direction": f.house_direction,
        "house_decoration": f.house_decoration,
        "house_max_livein": f.house_max_livein,
        "house_rent": f.house_rent_fen.map(yuan_number),
        "payment_type": f.payment_type,
        "property_management_fee": f.property_management_fee,
        "heating_charge": f.heating_charge,
        "description_title": f.description_title,
        "description": f.description,
        "traffic_condition": f.traffic_condition,
        "around_condition": f.around_condition,
        "facility": f.facility,
        "house_rooms": f.house_rooms,
        "subdistrict_code": f.subdistrict_code,
        "subway_station_code": f.subway_station_code,
        "house_characteristic": f.house_characteristic,
        "house_source": f.house_source,
        "all_floor": f.all_floor,
        "earliest_checkin_time": f.earliest_checkin_time,
        "extra_fee": f.extra_fee,
        "verification_code": f.verification_code,
    });
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// A field name of 创建房源.
#[derive(Debug)]
pub struct ListingAttr(&'static str);

impl<'de> Deserialize<'de> for ListingAttr {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = Text::<32>::deserialize(deserializer)?;
        LISTING_ATTRS
            .iter()
            .find(|attr| **attr == name.as_str())
            .map(|attr| Self(attr))
            .ok_or_else(|| invalid("必须是创建房源的字段名，如house_rent"))
    }
}

impl PartialSchema for ListingAttr {
    fn schema() -> RefOr<Schema> {
        RefOr::T(Schema::Object(
            string_schema().enum_values(Some(LISTING_ATTRS)).build(),
        ))
    }
}

impl ToSchema for ListingAttr {}

/// A field's new value, text or a number; checked as 创建房源 checks that field.
#[derive(Debug)]
pub struct AttrValue(Value);

impl<'de> Deserialize<'de> for AttrValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Value::deserialize(deserializer)? {
            value @ (Value::String(_) | Value::Number(_)) => Ok(Self(value)),
            _ => Err(de::Error::custom("{field}必须是字符串或数字")),
        }
    }
}

impl PartialSchema for AttrValue {
    fn schema() -> RefOr<Schema> {
        one_of([
            Schema::Object(string_schema().max_length(Some(2000)).build()),
            Schema::Object(
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(SchemaType::Type(Type::Number))
                    .build(),
            ),
        ])
    }
}

impl ToSchema for AttrValue {}

/// 修改房源信息: one field of 创建房源 (`attr_name`) and its value (`attr_value`).
#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateListingInput {
    attr_name: ListingAttr,
    #[schema(example = "2600")]
    attr_value: AttrValue,
    house_id: Id,
}

/// [`UpdateListingInput`] with its rule: `attr_value` is what 创建房源 takes for `attr_name`.
pub struct UpdateListingBody;

impl PartialSchema for UpdateListingBody {
    fn schema() -> RefOr<Schema> {
        let RefOr::T(Schema::Object(fields)) = ListingFieldsInput::schema() else {
            return UpdateListingInput::schema();
        };
        let alternatives = fields.properties.into_iter().map(|(name, value)| {
            crate::input::field_is("attr_name", &name)
                .property("attr_value", value)
                .required("attr_value")
        });
        crate::input::schema_with_rule::<UpdateListingInput>(crate::input::exactly_one_of(
            alternatives,
        ))
    }
}

impl ToSchema for UpdateListingBody {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        crate::input::register_input::<UpdateListingInput>(schemas);
        ListingFieldsInput::schemas(schemas);
    }
}

/// 修改房源信息: the value is checked as 创建房源 checks that field; only the landlord.
#[utoipa::path(post, path = "/api/v1/rental/update_house_info", tag = TAG,
    request_body = UpdateListingBody,
    responses((status = 200, body = DataResponse), (status = 403, body = Failure)), security(("bearer" = [])))]
pub async fn update_listing(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<UpdateListingInput>, ApiError>,
) -> ApiResult {
    let i = input?.into_inner();
    let mut one = Map::new();
    one.insert(i.attr_name.0.to_owned(), i.attr_value.0);
    let fields: ListingFieldsInput = crate::input::parse(one)?;
    let message = pb::UpdateListingRequest {
        resident: Some(resident.reference()),
        house_id: i.house_id.get(),
        fields: Some(fields.proto()),
    };
    state
        .call(
            "community",
            state.rental().update_listing(request_id.grpc(message)),
        )
        .await?;
    ok("房源修改成功", json!({}))
}

/// 下架房源: off the market until released again.
#[utoipa::path(post, path = "/api/v1/rental/pulloff_house", tag = TAG,
    request_body = ListingIdInput,
    responses((status = 200, body = DataResponse), (status = 403, body = Failure), (status = 409, body = Failure, description = "未发布")),
    security(("bearer" = [])))]
pub async fn pull_off_listing(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<ListingIdInput>, ApiError>,
) -> ApiResult {
    let message = listing_ref(&resident, input?);
    state
        .call(
            "community",
            state.rental().pull_off_listing(request_id.grpc(message)),
        )
        .await?;
    ok("房源已下架", json!({}))
}

/// 删除房源: gone from every list and from search at once.
#[utoipa::path(post, path = "/api/v1/rental/delete_house_info", tag = TAG,
    request_body = ListingIdInput,
    responses((status = 200, body = DataResponse), (status = 403, body = Failure)), security(("bearer" = [])))]
pub async fn delete_listing(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<ListingIdInput>, ApiError>,
) -> ApiResult {
    let message = listing_ref(&resident, input?);
    state
        .call(
            "community",
            state.rental().delete_listing(request_id.grpc(message)),
        )
        .await?;
    ok("房源已删除", json!({}))
}

// ---- search ----

/// The radius when none is sent (km).
const DEFAULT_RADIUS_HUNDREDTHS: i64 = 500;
const DEFAULT_COUNT: i64 = 20;

/// 搜索房源: filters (multi-value ones joined by `|`), a point (GCJ-02), a radius and a sort.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SearchInput {
    longitude: Longitude,
    latitude: Latitude,
    /// 筛选距离半径 (km), 5 when absent.
    radius: Option<Decimal<50>>,
    /// 房屋介绍标题 contains.
    house_name: Option<Text<50>>,
    /// 户型.
    house_type: Option<Text<20>>,
    /// 1 短租, 2 长租: 1, 2 or 1|2.
    house_rent_time_type: Option<CodeSet<1, 2>>,
    /// 1 整租, 2 单间: 1, 2 or 1|2.
    house_rent_room_type: Option<CodeSet<1, 2>>,
    /// 租金区间 (元): [100,500] [,800] [1000,].
    house_rent_fee: Option<Range>,
    /// 来源 1–3: 1|2|3.
    house_source: Option<CodeSet<1, 3>>,
    /// 面积区间 (m²): [20,50] [,100] [100,].
    house_size: Option<Range>,
    /// 朝向, 多个用 | 隔开.
    house_direction: Option<Words<10, 10>>,
    /// 装修情况, 多个用 | 隔开.
    house_decoration: Option<Words<10, 10>>,
    /// 返回[shift:]区间内的结果, 默认0.
    shift: Option<Int<0, 10_000>>,
    /// 筛选数目, 默认20.
    count: Option<Int<1, 100>>,
    /// 1 距离升, 2 时间降, 3 关注度降, 4 租金升, 5 租金降, 6 面积升; 1 when absent.
    sort: Option<Int<1, 6>>,
    /// 卧室数量: 1, 1|3, 3|4|5.
    house_rooms: Option<CodeSet<0, 20>>,
    subdistrict_code: Option<RegionCode>,
    subway_station_code: Option<RegionCode>,
    /// 房源特色, 多个用 | 隔开 (all of them).
    house_characteristic: Option<Words<10, 10>>,
}

fn bounds(range: Option<Range>, scale: f64) -> Option<pb::Bounds> {
    range.map(|r| pb::Bounds {
        low: r.low.map(|v| v * scale),
        high: r.high.map(|v| v * scale),
    })
}

/// 搜索房源: published listings within `radius` km, each with its `distance` (km).
#[utoipa::path(post, path = "/api/v1/rental/search_house", tag = TAG,
    request_body = SearchInput,
    responses((status = 200, body = DataResponse)), security(("bearer" = [])))]
pub async fn search(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<SearchInput>, ApiError>,
) -> ApiResult {
    let i = input?.into_inner();
    let sort = match i.sort.map_or(1, Int::get) {
        2 => pb::Sort::Newest,
        3 => pb::Sort::Attention,
        4 => pb::Sort::RentAscending,
        5 => pb::Sort::RentDescending,
        6 => pb::Sort::SizeAscending,
        _ => pb::Sort::Distance,
    };
    let radius = i
        .radius
        .map_or(DEFAULT_RADIUS_HUNDREDTHS, Decimal::hundredths);
    let message = pb::SearchRequest {
        resident: Some(resident.reference()),
        longitude: i.longitude.0,
        latitude: i.latitude.0,
        radius_km: radius as f64 / 100.0,
        house_name: i.house_name.map(Text::into_string),
        house_type: i.house_type.map(Text::into_string),
        rent_time_types: i
            .house_rent_time_type
            .map(|s| s.codes())
            .unwrap_or_default(),
        rent_room_types: i
            .house_rent_room_type
            .map(|s| s.codes())
            .unwrap_or_default(),
        rent_fen: bounds(i.house_rent_fee, 100.0),
        house_sources: i.house_source.map(|s| s.codes()).unwrap_or_default(),
        house_size: bounds(i.house_size, 1.0),
        house_directions: i.house_direction.map(|w| w.0).unwrap_or_default(),
        house_decorations: i.house_decoration.map(|w| w.0).unwrap_or_default(),
        house_rooms: i.house_rooms.map(|s| s.codes()).unwrap_or_default(),
        subdistrict_code: i.subdistrict_code.map(Int::get),
        subway_station_code: i.subway_station_code.map(Int::get),
        house_characteristics: i.house_characteristic.map(|w| w.0).unwrap_or_default(),
        shift: i.shift.map_or(0, Int::get),
        count: i.count.map_or(DEFAULT_COUNT, Int::get),
        sort: sort as i32,
    };
    let reply = state
        .call("community", state.rental().search(request_id.grpc(message)))
        .await?;
    let rows = reply
        .listings
        .into_iter()
        .map(|l| search_row(&state, l))
        .collect();
    ok("搜索成功", Value::Array(rows))
}

/// A search row: seed 004's keys, what a seeker needs to choose, and nothing that places the
/// flat itself (its house id and introduction stay with the landlord and the platform).
fn search_row(state: &AppState, l: pb::Listing) -> Value {
    let now = kit::time::now_unix();
    let landlord = browse::landlord_json(state, &l);
    let f = l.fields.unwrap_or_default();
    let since = if l.released_at > 0 {
        l.released_at
    } else {
        l.created_at
    };
    json!({
        "house_id": l.id,
        "owner_id": l.owner_id,
        "status": l.status,
        "distance": l.distance_km,
        "house_rent": f.house_rent_fen.map(yuan_number),
        "house_size": f.house_size,
        "house_type": f.house_type,
        "payment_type": f.payment_type,
        "user_type": l.user_type,
        "praise_count": l.praise_count,
        "create_date": day(l.created_at),
        "duration": (now - since).max(0),
        "photos": l.photos.iter().map(|m| media_url(state, &m.key)).collect::<Vec<_>>(),
        "description_title": f.description_title,
        "rent_time_type": f.rent_time_type,
        "rent_room_type": f.rent_room_type,
        "house_rooms": f.house_rooms,
        "house_direction": f.house_direction,
        "house_decoration": f.house_decoration,
        "house_source": f.house_source,
        "house_characteristic": f.house_characteristic,
        "district_name": f.district_name,
        "longitude": f.longitude,
        "latitude": f.latitude,
        "owner_verified": l.owner_verified,
        "landlord": landlord,
    })
}

// ---- invitations ----

/// 获取邀请码: the caller's code and their friend's (null until set).
#[utoipa::path(get, path = "/api/v1/rental/invitation/getcode", tag = TAG,
    responses((status = 200, body = DataResponse)), security(("bearer" = [])))]
pub async fn invite_codes(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
) -> ApiResult {
    let message = pb::Caller {
        resident: Some(resident.reference()),
    };
    let codes = state
        .call(
            "community",
            state.rental().invite_codes(request_id.grpc(message)),
        )
        .await?;
    let friend = (!codes.friend_invite_code.is_empty()).then_some(codes.friend_invite_code);
    ok(
        "成功获取邀请码",
        json!({"friend_invite_code": friend, "my_invite_code": codes.my_invite_code}),
    )
}

/// An invitation code: 8 hex digits.
#[derive(Debug)]
pub struct InviteCode(String);

impl<'de> Deserialize<'de> for InviteCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = Text::<8>::deserialize(deserializer)?.into_string();
        if text.len() != 8 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(invalid("必须是8位邀请码，如00000006"));
        }
        Ok(Self(text.to_ascii_uppercase()))
    }
}

impl PartialSchema for InviteCode {
    fn schema() -> RefOr<Schema> {
        RefOr::T(Schema::Object(
            string_schema()
                .pattern(Some("^[0-9A-Fa-f]{8}$"))
                .examples(["00000006"])
                .build(),
        ))
    }
}

impl ToSchema for InviteCode {}

/// 填写邀请码.
#[derive(Debug, Deserialize, ToSchema)]
pub struct InviteCodeInput {
    invite_code: InviteCode,
}

/// 填写邀请码: once; not one's own, nor a code of someone the caller invited.
#[utoipa::path(get, path = "/api/v1/rental/invitation/setcode", tag = TAG,
    params(("invite_code" = inline(InviteCode), Query, description = "8位邀请码，如00000006")),
    responses((status = 200, body = DataResponse), (status = 404, body = Failure), (status = 409, body = Failure)),
    security(("bearer" = [])))]
pub async fn set_invite_code(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<InviteCodeInput>, ApiError>,
) -> ApiResult {
    let message = pb::SetInviteCodeRequest {
        resident: Some(resident.reference()),
        invite_code: input?.into_inner().invite_code.0,
    };
    state
        .call(
            "community",
            state.rental().set_invite_code(request_id.grpc(message)),
        )
        .await?;
    ok("邀请码填写成功", json!({}))
}

// ---- the platform ----

/// The platform's filters.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PlatformListingsInput {
    #[schema(example = "10002")]
    xiaoqu: Xiaoqu,
    /// 2 待审核, 1 已发布, 0 已拒绝, 3 已下架; all when absent.
    status: Option<Int<0, 3>>,
    page: Option<Page>,
    per_page: Option<PerPage>,
}

/// Listings of one of the platform's communities (drafts stay the landlord's), newest first.
#[utoipa::path(post, path = "/api/v1/wjdh/rental/list", tag = TAG_PLATFORM,
    request_body = PlatformListingsInput,
    responses((status = 200, body = DataResponse), (status = 403, body = Failure)), security(("bearer" = [])))]
pub async fn platform_listings(
    state: web::Data<AppState>,
    request: HttpRequest,
    request_id: RequestId,
    platform: PlatformCaller,
    input: Result<Input<PlatformListingsInput>, ApiError>,
) -> ApiResult {
    let i = input?.into_inner();
    let (page, per_page) = crate::input::paging(i.page, i.per_page);
    let message = pb::PlatformListingsRequest {
        platform: Some(platform.reference()),
        xiaoqu: i.xiaoqu.into_string(),
        status: i.status.map(|s| s.get() as i32),
        page,
        per_page,
    };
    let reply = state
        .call(
            "community",
            state.rental().platform_listings(request_id.grpc(message)),
        )
        .await?;
    let count = reply.listings.len();
    let rows: Vec<Value> = reply
        .listings
        .into_iter()
        .map(|l| listing_json(&state, l))
        .collect();
    let pages = pages::flat(&request, reply.page, reply.per_page, count, reply.total);
    ok("成功获取房源列表", json!({"houses": rows, "pages": pages}))
}

/// The platform's decision.
#[derive(Clone, Copy, Debug, Deserialize, ToSchema)]
pub enum ReviewStatus {
    /// 通过.
    #[serde(rename = "1")]
    Approve,
    /// 拒绝.
    #[serde(rename = "0")]
    Refuse,
    /// 下架.
    #[serde(rename = "3")]
    TakeDown,
}

/// 1 approve, 0 refuse, 3 take down; refusing or taking down needs `reason`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReviewListingInput {
    id: Id,
    status: Code<ReviewStatus>,
    /// 拒绝或下架的原因, 房东可见.
    reason: Option<Text<200>>,
}

/// [`ReviewListingInput`] with its rule: a reason unless approving.
pub struct ReviewListingBody;

impl PartialSchema for ReviewListingBody {
    fn schema() -> RefOr<Schema> {
        use crate::input::{any_of, requires};
        let approving = utoipa::openapi::schema::ObjectBuilder::new()
            .property(
                "status",
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(SchemaType::AnyValue)
                    .enum_values(Some([json!(1), json!("1")])),
            )
            .required("status");
        crate::input::schema_with_rule::<ReviewListingInput>(any_of([
            approving,
            requires(&["reason"]),
        ]))
    }
}

impl ToSchema for ReviewListingBody {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        crate::input::register_input::<ReviewListingInput>(schemas);
    }
}

/// The platform approves (1), refuses (0, with a reason) or takes down (3, with a reason) a
/// listing of one of its communities; the landlord sees the reason.
#[utoipa::path(put, path = "/api/v1/wjdh/rental", tag = TAG_PLATFORM,
    request_body = ReviewListingBody,
    responses((status = 200, body = DataResponse), (status = 403, body = Failure), (status = 409, body = Failure, description = "状态不允许")),
    security(("bearer" = [])))]
pub async fn review_listing(
    state: web::Data<AppState>,
    request_id: RequestId,
    platform: PlatformCaller,
    input: Result<Input<ReviewListingInput>, ApiError>,
) -> ApiResult {
    let i = input?.into_inner();
    let status = match i.status.get() {
        ReviewStatus::Approve => 1,
        ReviewStatus::Refuse => 0,
        ReviewStatus::TakeDown => 3,
    };
    let reason = i.reason.map(Text::into_string).unwrap_or_default();
    if status != 1 && reason.is_empty() {
        return Err(ServiceError::missing("reason").into());
    }
    let message = pb::ReviewListingRequest {
        platform: Some(platform.reference()),
        id: i.id.get(),
        status,
        reason,
    };
    let listing = state
        .call(
            "community",
            state.rental().review_listing(request_id.grpc(message)),
        )
        .await?;
    ok("处理成功", listing_json(&state, listing))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read<T: serde::de::DeserializeOwned>(fields: Value) -> Result<T, String> {
        crate::input::parse::<T>(fields.as_object().cloned().unwrap_or_default())
            .map_err(|error| error.message)
    }

    #[test]
    fn the_update_names_are_the_create_fields() {
        let schema = serde_json::to_value(ListingFieldsInput::schema()).expect("schema");
        let mut names: Vec<&str> = schema["properties"]
            .as_object()
            .expect("properties")
            .keys()
            .map(String::as_str)
            .collect();
        names.sort_unstable();
        let mut attrs = LISTING_ATTRS.to_vec();
        attrs.sort_unstable();
        assert_eq!(names, attrs);
    }

    #[test]
    fn a_listing_reads_the_house_and_seed_004s_fields_together() {
        let input = read::<CreateListingInput>(json!({
            "community_identifier": "10002", "community_house_id": 7,
            "house_rent": "2500", "payment_type": "1|3", "facility": "3|1",
            "longitude": 119.6, "latitude": "39.93", "house_size": 89.5,
        }))
        .expect("read");
        let fields = input.1.proto();
        assert_eq!(fields.house_rent_fen, Some(250_000));
        assert_eq!(fields.facility.as_deref(), Some("1|3"));
        assert_eq!(fields.house_size, Some(89.5));
        let refused = read::<CreateListingInput>(json!({
            "community_identifier": "10002", "community_house_id": 7, "rent_time_type": 3,
        }))
        .expect_err("refused");
        assert_eq!(refused, "rent_time_type必须在1到2之间");
        let refused = read::<CreateListingInput>(json!({"community_identifier": "10002"}))
            .expect_err("refused");
        assert_eq!(refused, "community_house_id参数未传送");
    }
}
