//! The routes, with the paths of the seeds.
use actix_web::web;

pub mod addresses;
pub mod login;
pub mod ops;
pub mod platform;

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
        // 000 §2.1
        .service(web::resource("/api/v1/communities").route(web::post().to(addresses::communities)))
        .service(web::resource("/api/v1/buildings").route(web::post().to(addresses::buildings)))
        .service(web::resource("/api/v1/units").route(web::post().to(addresses::units)))
        .service(web::resource("/api/v1/floors").route(web::post().to(addresses::floors)))
        .service(web::resource("/api/v1/houses").route(web::post().to(addresses::houses)))
        // 001 §1.2
        .service(web::resource("/api/v1/wjdh/secret").route(web::post().to(platform::secret)));
}
