//! The OpenAPI 3 document (`/api/openapi.json`) and its browsable page (`/api/docs/`).
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

use crate::routes::{
    addresses, community, login, ops, orders, photos, platform, registration, reviews, vehicles,
};

/// Where the document is served.
pub const DOCUMENT_PATH: &str = "/api/openapi.json";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "万家灯火 API",
        description = "The mini-program API (seed 000) and the security platform API (seed 001). \
            Every response is the envelope {code, token_expired, msg, message, ...}: code 0 done, \
            1 refused, 2 nothing found, 3 not registered, 9 token missing/invalid/expired \
            (token_expired 0, HTTP 401). Fields may be sent as JSON, form, multipart or query string."
    ),
    paths(
        login::send_code,
        login::code_to_session,
        login::register,
        login::login_by_code,
        login::refresh_token,
        login::permissions,
        addresses::communities,
        addresses::buildings,
        addresses::units,
        addresses::floors,
        addresses::houses,
        registration::security_phone,
        registration::security_yezhu,
        registration::security_yezhu_code,
        registration::first_registration,
        registration::bind_house,
        registration::unbind_house,
        registration::modify_house,
        registration::modify_person,
        registration::houses_list,
        registration::house_detail,
        registration::review_detail,
        registration::delete_review,
        registration::toggle_manage,
        registration::toggle_charge,
        registration::unbind,
        photos::upload_face_photo,
        photos::read_id_card,
        photos::read_file,
        reviews::list,
        reviews::one,
        reviews::decide,
        reviews::decisions,
        platform::secret,
        orders::create,
        orders::list,
        orders::resident_list,
        orders::close,
        orders::bills,
        orders::resident_bills,
        orders::pay,
        orders::notify,
        vehicles::my_cars,
        vehicles::bind_car,
        vehicles::unbind_car,
        vehicles::my_spots,
        vehicles::list_spots,
        vehicles::assign_spot,
        vehicles::release_spot,
        vehicles::request_transfer,
        vehicles::list_transfers,
        vehicles::decide_transfer,
        community::modules,
        community::change_module,
        community::sync_modules,
        community::resident_modules,
        community::repair_categories,
        community::add_category,
        community::remove_category,
        community::pay_parts,
        community::file_repair,
        community::my_repairs,
        community::my_repair,
        community::repair_list,
        community::repair,
        community::update_repair,
        community::create_announcement,
        community::edit_announcement,
        community::delete_announcement,
        community::platform_announcements,
        community::resident_announcements,
        community::resident_announcement,
        community::submit_complaint,
        community::my_complaints,
        community::my_complaint,
        community::complaints,
        community::answer_complaint,
        community::add_emergency,
        community::remove_emergency,
        community::platform_emergencies,
        community::resident_emergencies,
        community::issue_pass,
        community::my_passes,
        community::verify_pass,
        community::upload_photo,
        community::read_photo,
        ops::healthz,
        ops::readyz,
        ops::metrics,
    ),
    modifiers(&BearerToken)
)]
struct ApiDoc;

/// The `bearer` security scheme the protected routes name.
struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The document.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// Serves the document at [`DOCUMENT_PATH`] and Swagger UI under `/api/docs/`.
pub fn swagger_ui(document: utoipa::openapi::OpenApi) -> SwaggerUi {
    SwaggerUi::new("/api/docs/{_:.*}").url(DOCUMENT_PATH, document)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_lists_every_route() {
        let value = serde_json::to_value(document()).expect("json");
        let paths = value["paths"].as_object().expect("paths");
        for (path, method) in [
            ("/api/v1/verificationCodes/phone", "post"),
            ("/api/v1/weapp/code", "post"),
            ("/api/v1/weapp/users", "post"),
            ("/api/v1/weapp/authorizations", "post"),
            ("/api/v1/authorizations/current", "put"),
            ("/api/v1/people/permissions", "post"),
            ("/api/v1/wjdh/secret", "post"),
            ("/api/v1/people/photo", "post"),
            ("/api/v1/idcard/photo", "post"),
            ("/api/v1/files/{key}", "get"),
            ("/api/v1/weapp/car/bind", "post"),
            ("/api/v1/wjdh/parking/assign", "post"),
            ("/api/v1/weapp/car/transfer", "post"),
            ("/api/v1/wjdh/car/transfers", "post"),
            ("/api/v1/wjdh/car/transfer", "put"),
            ("/api/v1/repair/categories", "post"),
            ("/api/v1/wjdh/repair/category", "delete"),
            ("/healthz", "get"),
            ("/readyz", "get"),
            ("/metrics", "get"),
        ] {
            assert!(
                paths.get(path).and_then(|p| p.get(method)).is_some(),
                "{method} {path}"
            );
        }
        assert!(value["components"]["schemas"]["LoginResponse"].is_object());
        assert!(value["components"]["securitySchemes"]["bearer"].is_object());
    }
}
