//! The gRPC face: unpack, run the action, convert.
pub(crate) mod convert;
pub mod rental;

use std::sync::Arc;

use kit::error::ServiceError;
use proto::community::community_server::Community;
use proto::community::*;
use tonic::{Request, Response, Status};

use crate::actions::{self, State};

/// Largest message either way: a photo under the object store's cap, with room.
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024 * 1024;

/// The service behind `CommunityServer`.
#[derive(Clone)]
pub struct CommunityService(Arc<State>);

impl CommunityService {
    pub fn new(state: Arc<State>) -> Self {
        Self(state)
    }
}

type Answer<T> = Result<Response<T>, Status>;

fn done<T>(result: Result<T, ServiceError>) -> Answer<T> {
    result.map(Response::new).map_err(Status::from)
}

pub(crate) fn page_of(p: kit::paging::Paging, total: i64) -> (i64, i64, i64) {
    (p.page, p.per_page, total)
}

#[tonic::async_trait]
impl Community for CommunityService {
    async fn list_modules(&self, r: Request<PlatformCommunity>) -> Answer<ModuleList> {
        done(actions::modules::list(&self.0, proto::caller::checked(r)?).await)
    }

    async fn change_module(&self, r: Request<ChangeModuleRequest>) -> Answer<Module> {
        done(actions::modules::change(&self.0, proto::caller::checked(r)?).await)
    }

    async fn sync_modules(&self, r: Request<SyncModulesRequest>) -> Answer<SyncReply> {
        done(actions::modules::sync_on_demand(&self.0, proto::caller::checked(r)?).await)
    }

    async fn resident_modules(&self, r: Request<ResidentCommunity>) -> Answer<ModuleList> {
        done(actions::modules::for_resident(&self.0, proto::caller::checked(r)?).await)
    }

    async fn module_enabled(&self, r: Request<ModuleEnabledRequest>) -> Answer<ModuleEnabledReply> {
        let r = proto::caller::checked(r)?;
        let enabled =
            actions::modules::is_enabled(&self.0.db, &r.community_identifier, &r.module_name).await;
        done(enabled.map(|enabled| ModuleEnabledReply {
            enabled,
            msg: if enabled {
                String::new()
            } else {
                crate::domain::modules::closed_msg(&r.module_name)
            },
        }))
    }

    async fn repair_categories(&self, r: Request<CategoriesRequest>) -> Answer<CategoryTree> {
        done(
            actions::repairs::categories(&self.0, proto::caller::checked(r)?)
                .await
                .map(convert::category_tree),
        )
    }

    async fn add_repair_category(&self, r: Request<AddCategoryRequest>) -> Answer<RepairCategory> {
        done(
            actions::repairs::add_category(&self.0, proto::caller::checked(r)?)
                .await
                .map(convert::category),
        )
    }

    async fn remove_repair_category(&self, r: Request<RemoveCategoryRequest>) -> Answer<Empty> {
        done(
            actions::repairs::remove_category(&self.0, proto::caller::checked(r)?)
                .await
                .map(|()| Empty {}),
        )
    }

    async fn file_repair(&self, r: Request<FileRepairRequest>) -> Answer<Repair> {
        done(
            actions::repairs::file(&self.0, proto::caller::checked(r)?)
                .await
                .map(convert::repair),
        )
    }

    async fn my_repairs(&self, r: Request<MyRepairsRequest>) -> Answer<RepairPage> {
        done(
            actions::repairs::mine(&self.0, proto::caller::checked(r)?)
                .await
                .map(convert::repair_page),
        )
    }

    async fn my_repair(&self, r: Request<ResidentRecord>) -> Answer<Repair> {
        done(
            actions::repairs::my_one(&self.0, proto::caller::checked(r)?)
                .await
                .map(convert::repair),
        )
    }

    async fn list_repairs(&self, r: Request<ListRepairsRequest>) -> Answer<RepairPage> {
        done(
            actions::repairs::list(&self.0, proto::caller::checked(r)?)
                .await
                .map(convert::repair_page),
        )
    }

    async fn get_repair(&self, r: Request<PlatformRecord>) -> Answer<Repair> {
        done(
            actions::repairs::get(&self.0, proto::caller::checked(r)?)
                .await
                .map(convert::repair),
        )
    }

    async fn update_repair(&self, r: Request<UpdateRepairRequest>) -> Answer<Repair> {
        done(
            actions::repairs::update(&self.0, proto::caller::checked(r)?)
                .await
                .map(convert::repair),
        )
    }

    async fn create_announcement(
        &self,
        r: Request<CreateAnnouncementRequest>,
    ) -> Answer<Announcement> {
        done(
            actions::announcements::create(&self.0, proto::caller::checked(r)?)
                .await
                .map(convert::announcement),
        )
    }

    async fn edit_announcement(&self, r: Request<EditAnnouncementRequest>) -> Answer<Announcement> {
        done(
            actions::announcements::edit(&self.0, proto::caller::checked(r)?)
                .await
                .map(convert::announcement),
        )
    }

    async fn delete_announcement(&self, r: Request<PlatformRecord>) -> Answer<Empty> {
        done(
            actions::announcements::delete(&self.0, proto::caller::checked(r)?)
                .await
                .map(|()| Empty {}),
        )
    }

    async fn platform_announcements(
        &self,
        r: Request<PlatformAnnouncementsRequest>,
    ) -> Answer<AnnouncementPage> {
        done(
            actions::announcements::platform_list(&self.0, proto::caller::checked(r)?)
                .await
                .map(convert::announcement_page),
        )
    }

    async fn resident_announcements(
        &self,
        r: Request<ResidentAnnouncementsRequest>,
    ) -> Answer<AnnouncementPage> {
        done(
            actions::announcements::resident_list(&self.0, proto::caller::checked(r)?)
                .await
                .map(convert::announcement_page),
        )
    }

    async fn resident_announcement(&self, r: Request<ResidentRecord>) -> Answer<Announcement> {
        done(
            actions::announcements::resident_one(&self.0, proto::caller::checked(r)?)
                .await
                .map(convert::announcement),
        )
    }

    async fn submit_complaint(&self, r: Request<SubmitComplaintRequest>) -> Answer<Complaint> {
        done(
            actions::complaints::submit(&self.0, proto::caller::checked(r)?)
                .await
                .map(convert::complaint),
        )
    }

    async fn my_complaints(&self, r: Request<MyComplaintsRequest>) -> Answer<ComplaintPage> {
        done(
            actions::complaints::mine(&self.0, proto::caller::checked(r)?)
                .await
                .map(convert::complaint_page),
        )
    }

    async fn my_complaint(&self, r: Request<ResidentRecord>) -> Answer<Complaint> {
        done(
            actions::complaints::my_one(&self.0, proto::caller::checked(r)?)
                .await
                .map(convert::complaint),
        )
    }

    async fn list_complaints(&self, r: Request<ListComplaintsRequest>) -> Answer<ComplaintPage> {
        done(
            actions::complaints::list(&self.0, proto::caller::checked(r)?)
                .await
                .map(convert::complaint_page),
        )
    }

    async fn answer_complaint(&self, r: Request<AnswerComplaintRequest>) -> Answer<Complaint> {
        done(
            actions::complaints::answer(&self.0, proto::caller::checked(r)?)
                .await
                .map(convert::complaint),
        )
    }

    async fn save_emergency_phone(
        &self,
        r: Request<SaveEmergencyPhoneRequest>,
    ) -> Answer<EmergencyPhone> {
        done(
            actions::extras::save_phone(&self.0, proto::caller::checked(r)?)
                .await
                .map(convert::phone),
        )
    }

    async fn remove_emergency_phone(&self, r: Request<PlatformRecord>) -> Answer<Empty> {
        done(
            actions::extras::remove_phone(&self.0, proto::caller::checked(r)?)
                .await
                .map(|()| Empty {}),
        )
    }

    async fn platform_emergency_phones(
        &self,
        r: Request<PlatformCommunity>,
    ) -> Answer<EmergencyPhoneList> {
        done(
            actions::extras::platform_phones(&self.0, proto::caller::checked(r)?)
                .await
                .map(convert::phones),
        )
    }

    async fn resident_emergency_phones(
        &self,
        r: Request<ResidentCommunity>,
    ) -> Answer<EmergencyPhoneList> {
        done(
            actions::extras::resident_phones(&self.0, proto::caller::checked(r)?)
                .await
                .map(convert::phones),
        )
    }

    async fn issue_visitor_pass(&self, r: Request<IssueVisitorPassRequest>) -> Answer<VisitorPass> {
        done(
            actions::extras::issue_pass(&self.0, proto::caller::checked(r)?)
                .await
                .map(|row| convert::pass(row, true)),
        )
    }

    async fn my_visitor_passes(
        &self,
        r: Request<MyVisitorPassesRequest>,
    ) -> Answer<VisitorPassList> {
        done(
            actions::extras::my_passes(&self.0, proto::caller::checked(r)?)
                .await
                .map(|rows| VisitorPassList {
                    passes: rows
                        .into_iter()
                        .map(|row| convert::pass(row, true))
                        .collect(),
                }),
        )
    }

    async fn verify_visitor_pass(
        &self,
        r: Request<VerifyVisitorPassRequest>,
    ) -> Answer<VisitorPass> {
        done(
            actions::extras::verify_pass(&self.0, proto::caller::checked(r)?)
                .await
                .map(|row| convert::pass(row, false)),
        )
    }

    async fn upload_photo(&self, r: Request<UploadPhotoRequest>) -> Answer<UploadPhotoReply> {
        done(
            actions::extras::upload_photo(&self.0, proto::caller::checked(r)?)
                .await
                .map(|key| UploadPhotoReply {
                    url: format!("{}{key}", crate::domain::photo_key::FILES_PATH),
                    key,
                }),
        )
    }

    async fn read_photo(&self, r: Request<ReadPhotoRequest>) -> Answer<ReadPhotoReply> {
        done(
            actions::extras::read_photo(&self.0, proto::caller::checked(r)?)
                .await
                .map(|(content_type, content)| ReadPhotoReply {
                    content_type,
                    content,
                }),
        )
    }
}
