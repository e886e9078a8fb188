//! The routes, with the paths of the seeds.
use actix_web::middleware::from_fn;
use actix_web::web;

use crate::middleware;

pub mod addresses;
pub mod community;
pub mod login;
pub mod notices;
pub mod ops;
pub mod orders;
pub mod pages;
pub mod photos;
pub mod platform;
pub mod registration;
pub mod rental;
pub mod reviews;
pub mod vehicles;

/// Registers every route; a known path asked with another method answers 405.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/healthz").route(web::get().to(ops::healthz)))
        .service(web::resource("/readyz").route(web::get().to(ops::readyz)))
        .service(web::resource("/metrics").route(web::get().to(ops::metrics)))
        .service(web::redirect("/api/docs", "/api/docs/"))
        // 000 §1
        .service(
            web::resource("/api/v1/verificationCodes/phone")
                .route(web::post().to(login::send_code)),
        )
        .service(web::resource("/api/v1/weapp/code").route(web::post().to(login::code_to_session)))
        .service(web::resource("/api/v1/weapp/users").route(web::post().to(login::register)))
        .service(
            web::resource("/api/v1/weapp/authorizations")
                .route(web::post().to(login::login_by_code)),
        )
        .service(
            web::resource("/api/v1/authorizations/current")
                .route(web::put().to(login::refresh_token)),
        )
        .service(
            web::resource("/api/v1/people/permissions").route(web::post().to(login::permissions)),
        )
        // Subscribe messages (DESIGN)
        .service(
            web::resource("/api/v1/weapp/subscriptions").route(web::post().to(notices::subscribe)),
        )
        .service(web::resource("/api/v1/weapp/messages").route(web::post().to(notices::messages)))
        // 000 §2.1
        .service(web::resource("/api/v1/communities").route(web::post().to(addresses::communities)))
        .service(web::resource("/api/v1/buildings").route(web::post().to(addresses::buildings)))
        .service(web::resource("/api/v1/units").route(web::post().to(addresses::units)))
        .service(web::resource("/api/v1/floors").route(web::post().to(addresses::floors)))
        .service(web::resource("/api/v1/houses").route(web::post().to(addresses::houses)))
        // 000 §2.2–§3.2
        .service(
            web::resource("/api/v1/security/phone")
                .route(web::post().to(registration::security_phone)),
        )
        .service(
            web::resource("/api/v1/security/yezhu")
                .route(web::post().to(registration::security_yezhu)),
        )
        .service(
            web::resource("/api/v1/security/yezhu-code")
                .route(web::post().to(registration::security_yezhu_code)),
        )
        .service(
            web::resource("/api/v1/weapp/yibiaosanshi")
                .route(web::post().to(registration::first_registration)),
        )
        .service(
            web::resource("/api/v1/weapp/bindHouse")
                .route(web::post().to(registration::bind_house)),
        )
        .service(
            web::resource("/api/v1/weapp/unbindHouse")
                .route(web::post().to(registration::unbind_house)),
        )
        .service(
            web::resource("/api/v1/weapp/modifyHouse")
                .route(web::post().to(registration::modify_house)),
        )
        .service(
            web::resource("/api/v1/weapp/modifyPerson")
                .route(web::post().to(registration::modify_person)),
        )
        .service(
            web::resource("/api/v1/user/housesList")
                .route(web::post().to(registration::houses_list)),
        )
        .service(
            web::resource("/api/v1/house/detail").route(web::post().to(registration::house_detail)),
        )
        .service(
            web::resource("/api/v1/shenhe/detail")
                .route(web::post().to(registration::review_detail))
                .route(web::delete().to(registration::delete_review)),
        )
        .service(
            web::resource("/api/v1/house/shouquan")
                .route(web::put().to(registration::toggle_manage))
                .route(web::delete().to(registration::unbind)),
        )
        .service(
            web::resource("/api/v1/house/charge").route(web::put().to(registration::toggle_charge)),
        )
        // 000 §2.3
        .service(
            web::resource("/api/v1/people/photo")
                .wrap(from_fn(photos::admit_image_body))
                .route(web::post().to(photos::upload_face_photo)),
        )
        .service(
            web::resource("/api/v1/idcard/photo")
                .wrap(from_fn(photos::admit_image_body))
                .route(web::post().to(photos::read_id_card)),
        )
        .service(web::resource("/api/v1/wjdh/shenheList").route(web::post().to(reviews::list)))
        .service(
            web::resource("/api/v1/wjdh/shenhe")
                .route(web::post().to(reviews::one))
                .route(web::put().to(reviews::decide)),
        )
        .service(web::resource("/api/v1/wjdh/shenheLog").route(web::post().to(reviews::decisions)))
        // 001 §1.2
        .service(
            web::resource("/api/v1/wjdh/secret")
                .wrap(from_fn(middleware::secret_rate_limit))
                .route(web::post().to(platform::secret)),
        );
    community_routes(cfg);
    rental_routes(cfg);
    order_routes(cfg);
    vehicle_routes(cfg);
    file_routes(cfg);
}

/// 001 §2.1 and 000 §4 (svc-orders); the platform's paths also without `wjdh/`, as 001 prints them.
fn order_routes(cfg: &mut web::ServiceConfig) {
    let post = web::post;
    cfg.service(web::resource("/api/v1/wjdh/order/new").route(post().to(orders::create)))
        .service(web::resource("/api/v1/order/new").route(post().to(orders::create)))
        .service(web::resource("/api/v1/wjdh/order/list").route(post().to(orders::list)))
        .service(web::resource("/api/v1/order/list").route(post().to(orders::list)))
        .service(web::resource("/api/v1/wjdh/order/close").route(post().to(orders::close)))
        .service(web::resource("/api/v1/order/close").route(post().to(orders::close)))
        .service(web::resource("/api/v1/wjdh/bill/list").route(post().to(orders::bills)))
        .service(web::resource("/api/v1/wjdh/bill/refund").route(post().to(orders::refund_bill)))
        .service(web::resource("/api/v1/wjdh/bill/refunds").route(post().to(orders::bill_refunds)))
        .service(web::resource("/api/v1/bill/list").route(post().to(orders::bills)))
        .service(web::resource("/api/v1/orders/list").route(post().to(orders::resident_list)))
        .service(web::resource("/api/v1/payments/list").route(post().to(orders::resident_bills)))
        .service(web::resource("/api/v1/weapp/payment").route(post().to(orders::pay)))
        .service(web::resource("/api/v1/weapp/payment/notify").route(post().to(orders::notify)))
        .service(
            web::resource("/api/v1/weapp/payment/refund_notify")
                .route(post().to(orders::refund_notify)),
        );
}

/// Cars and parking spots, the payers of 001 §2.1.1 `car_number` / `parking_number` orders.
fn vehicle_routes(cfg: &mut web::ServiceConfig) {
    use vehicles as v;
    let post = web::post;
    cfg.service(web::resource("/api/v1/weapp/cars").route(post().to(v::my_cars)))
        .service(web::resource("/api/v1/weapp/car/bind").route(post().to(v::bind_car)))
        .service(web::resource("/api/v1/weapp/car/unbind").route(post().to(v::unbind_car)))
        .service(web::resource("/api/v1/weapp/parking").route(post().to(v::my_spots)))
        .service(web::resource("/api/v1/wjdh/parking/list").route(post().to(v::list_spots)))
        .service(web::resource("/api/v1/wjdh/parking/assign").route(post().to(v::assign_spot)))
        .service(web::resource("/api/v1/wjdh/parking/release").route(post().to(v::release_spot)))
        .service(web::resource("/api/v1/weapp/car/transfer").route(post().to(v::request_transfer)))
        .service(web::resource("/api/v1/wjdh/car/transfers").route(post().to(v::list_transfers)))
        .service(
            web::resource("/api/v1/wjdh/car/transfer").route(web::put().to(v::decide_transfer)),
        );
}

/// Seed 004 under `/api/v1/rental/` (methods kept) and the platform's review (svc-community).
fn rental_routes(cfg: &mut web::ServiceConfig) {
    use rental as r;
    let (get, post) = (web::get, web::post);
    let image = || from_fn(photos::admit_image_body);
    let video = || from_fn(photos::admit_video_body);
    cfg.service(web::resource("/api/v1/rental/wx_fetch_userinfo").route(get().to(r::my_profile)))
        .service(
            web::resource("/api/v1/rental/create_userinfo")
                .wrap(image())
                .route(post().to(r::save_profile)),
        )
        .service(
            web::resource("/api/v1/rental/create_house_photo")
                .wrap(image())
                .route(post().to(r::media::add_photos)),
        )
        .service(
            web::resource("/api/v1/rental/update_house_photo")
                .wrap(image())
                .route(post().to(r::media::replace_photo)),
        )
        .service(
            web::resource("/api/v1/rental/create_house_video")
                .wrap(video())
                .route(post().to(r::media::add_video)),
        )
        .service(
            web::resource("/api/v1/rental/update_house_video")
                .wrap(video())
                .route(post().to(r::media::replace_video)),
        )
        .service(
            web::resource("/api/v1/rental/user_identification")
                .wrap(image())
                .route(post().to(r::identity::identify_user)),
        )
        .service(
            web::resource("/api/v1/rental/house_identification")
                .wrap(image())
                .route(post().to(r::identity::identify_house)),
        )
        .service(
            web::resource("/api/v1/rental/my_identifications")
                .route(post().to(r::identity::my_identifications)),
        )
        .service(
            web::resource("/api/v1/wjdh/rental/identifications")
                .route(post().to(r::identity::identifications)),
        )
        .service(
            web::resource("/api/v1/wjdh/rental/identification")
                .route(web::put().to(r::identity::decide_identification)),
        )
        .service(web::resource("/api/v1/rental/house_create").route(post().to(r::create_listing)))
        .service(web::resource("/api/v1/rental/house_release").route(post().to(r::release_listing)))
        .service(web::resource("/api/v1/rental/my_house_list").route(post().to(r::my_listings)))
        .service(
            web::resource("/api/v1/rental/update_house_info").route(post().to(r::update_listing)),
        )
        .service(
            web::resource("/api/v1/rental/pulloff_house").route(post().to(r::pull_off_listing)),
        )
        .service(
            web::resource("/api/v1/rental/delete_house_info").route(post().to(r::delete_listing)),
        )
        .service(web::resource("/api/v1/rental/search_house").route(post().to(r::search)))
        .service(
            web::resource("/api/v1/rental/order/create_preorder")
                .route(post().to(r::viewings::create)),
        )
        .service(
            web::resource("/api/v1/rental/order/my_preorders").route(post().to(r::viewings::mine)),
        )
        .service(
            web::resource("/api/v1/rental/order/get_preorder_paymenturl")
                .route(post().to(r::viewings::alipay_url)),
        )
        .service(
            web::resource("/api/v1/rental/payment/ali/notify")
                .route(post().to(r::viewings::alipay_notify)),
        )
        .service(
            web::resource("/api/v1/rental/payment/ali/get_auth_url")
                .route(post().to(r::alipay::auth_url)),
        )
        .service(
            web::resource("/api/v1/rental/payment/ali/auth_notify")
                .route(get().to(r::alipay::auth_notify)),
        )
        .service(
            web::resource("/api/v1/rental/payment/ali/binding_status")
                .route(post().to(r::alipay::binding_status)),
        )
        .service(
            web::resource("/api/v1/rental/payment/ali/zhima").route(post().to(r::alipay::zhima)),
        )
        .service(
            web::resource("/api/v1/rental/payment/ali/pay_to_customer")
                .route(post().to(r::alipay::pay_to_customer)),
        )
        .service(web::resource("/api/v1/wjdh/rental/payouts").route(post().to(r::alipay::payouts)))
        .service(
            web::resource("/api/v1/rental/order/owner_preorders")
                .route(post().to(r::viewings::of_owner)),
        )
        .service(
            web::resource("/api/v1/rental/order/pay_preorder")
                .route(post().to(r::viewings::wechat_pay)),
        )
        .service(
            web::resource("/api/v1/rental/order/confirm_preorder")
                .route(post().to(r::viewings::confirm)),
        )
        .service(
            web::resource("/api/v1/rental/order/decline_preorder")
                .route(post().to(r::viewings::decline)),
        )
        .service(web::resource("/api/v1/rental/house_detail").route(post().to(r::browse::detail)))
        .service(web::resource("/api/v1/rental/favorite_house").route(post().to(r::browse::keep)))
        .service(
            web::resource("/api/v1/rental/unfavorite_house").route(post().to(r::browse::let_go)),
        )
        .service(
            web::resource("/api/v1/rental/my_favorites").route(post().to(r::browse::my_favourites)),
        )
        .service(
            web::resource("/api/v1/rental/invitation/getcode").route(get().to(r::invite_codes)),
        )
        .service(
            web::resource("/api/v1/rental/invitation/setcode").route(get().to(r::set_invite_code)),
        )
        .service(web::resource("/api/v1/wjdh/rental/list").route(post().to(r::platform_listings)))
        .service(web::resource("/api/v1/wjdh/rental").route(web::put().to(r::review_listing)));
}

/// 001 §3–§6 and the resident's side of them (svc-community).
fn community_routes(cfg: &mut web::ServiceConfig) {
    use community as c;
    let post = web::post;
    cfg.service(web::resource("/api/v1/wjdh/modules").route(post().to(c::modules)))
        .service(web::resource("/api/v1/wjdh/module").route(web::put().to(c::change_module)))
        .service(web::resource("/api/v1/wjdh/modules/sync").route(post().to(c::sync_modules)))
        .service(web::resource("/api/v1/weapp/modules").route(post().to(c::resident_modules)))
        .service(web::resource("/api/v1/repair/categories").route(post().to(c::repair_categories)))
        .service(
            web::resource("/api/v1/wjdh/repair/category")
                .route(post().to(c::add_category))
                .route(web::delete().to(c::remove_category)),
        )
        .service(web::resource("/api/v1/wjdh/repair/pay_parts").route(post().to(c::pay_parts)))
        .service(web::resource("/api/v1/weapp/repair").route(post().to(c::file_repair)))
        .service(web::resource("/api/v1/weapp/repairs").route(post().to(c::my_repairs)))
        .service(web::resource("/api/v1/weapp/repair/detail").route(post().to(c::my_repair)))
        .service(web::resource("/api/v1/wjdh/repair/list").route(post().to(c::repair_list)))
        .service(
            web::resource("/api/v1/repair")
                .route(post().to(c::repair))
                .route(web::put().to(c::update_repair)),
        )
        .service(web::resource("/api/v1/announcement/new").route(post().to(c::create_announcement)))
        .service(
            web::resource("/api/v1/announcement")
                .route(web::put().to(c::edit_announcement))
                .route(web::delete().to(c::delete_announcement)),
        )
        .service(
            web::resource("/api/v1/wjdh/announcements").route(post().to(c::platform_announcements)),
        )
        .service(
            web::resource("/api/v1/weapp/announcements")
                .route(post().to(c::resident_announcements)),
        )
        .service(
            web::resource("/api/v1/weapp/announcement").route(post().to(c::resident_announcement)),
        )
        .service(web::resource("/api/v1/weapp/complaint").route(post().to(c::submit_complaint)))
        .service(web::resource("/api/v1/weapp/complaints").route(post().to(c::my_complaints)))
        .service(web::resource("/api/v1/weapp/complaint/detail").route(post().to(c::my_complaint)))
        .service(web::resource("/api/v1/wjdh/complaints").route(post().to(c::complaints)))
        .service(web::resource("/api/v1/wjdh/complaint").route(web::put().to(c::answer_complaint)))
        .service(
            web::resource("/api/v1/wjdh/emergency")
                .route(post().to(c::add_emergency))
                .route(web::delete().to(c::remove_emergency)),
        )
        .service(
            web::resource("/api/v1/wjdh/emergencies").route(post().to(c::platform_emergencies)),
        )
        .service(
            web::resource("/api/v1/weapp/emergencies").route(post().to(c::resident_emergencies)),
        )
        .service(web::resource("/api/v1/weapp/visitor").route(post().to(c::issue_pass)))
        .service(web::resource("/api/v1/weapp/visitors").route(post().to(c::my_passes)))
        .service(web::resource("/api/v1/wjdh/visitor/verify").route(post().to(c::verify_pass)))
        .service(
            web::resource("/api/v1/weapp/community/photo")
                .wrap(from_fn(photos::admit_image_body))
                .route(post().to(c::upload_photo)),
        );
}

/// The stored files, registered last: a path with a `{key:.*}` part is matched by a regular
/// expression, which every request would pay for while routes came after it.
fn file_routes(cfg: &mut web::ServiceConfig) {
    let get = web::get;
    cfg.service(web::resource("/api/v1/files/{key:.*}").route(get().to(photos::read_file)))
        .service(
            web::resource("/api/v1/rental/files/{key:.*}")
                .route(get().to(rental::media::read_file)),
        )
        .service(
            web::resource("/api/v1/community/files/{key:.*}")
                .route(get().to(community::read_photo)),
        );
}
