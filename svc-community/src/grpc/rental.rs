//! The `Rental` service: unpack, run the action, convert.
use std::sync::Arc;

use kit::error::ServiceError;
use proto::rental::rental_server::Rental;
use proto::rental::*;
use tonic::{Request, Response, Status};

use crate::actions::State;
use crate::actions::rental::{Shown, browse, identity, listings, media as files, profiles, search};
use crate::db::rental::{IdentificationRow, MediaRow, ProfileRow};
use crate::domain::rental::invite_code;

/// The service behind `RentalServer`.
#[derive(Clone)]
pub struct RentalService(Arc<State>);

impl RentalService {
    pub fn new(state: Arc<State>) -> Self {
        Self(state)
    }
}

type Answer<T> = Result<Response<T>, Status>;

fn done<T>(result: Result<T, ServiceError>) -> Answer<T> {
    result.map(Response::new).map_err(Status::from)
}

fn listings_of(rows: Vec<Shown>) -> Vec<Listing> {
    rows.into_iter().map(listing).collect()
}

fn detail((shown, favourite): (Shown, bool)) -> ListingDetail {
    ListingDetail {
        listing: Some(listing(shown)),
        favourite,
    }
}

#[tonic::async_trait]
impl Rental for RentalService {
    async fn my_profile(&self, r: Request<Caller>) -> Answer<Profile> {
        done(
            profiles::mine(&self.0, proto::caller::checked(r)?)
                .await
                .map(profile),
        )
    }

    async fn save_profile(&self, r: Request<SaveProfileRequest>) -> Answer<Profile> {
        done(
            profiles::save(&self.0, proto::caller::checked(r)?)
                .await
                .map(profile),
        )
    }

    async fn create_listing(&self, r: Request<CreateListingRequest>) -> Answer<Listing> {
        done(
            listings::create(&self.0, proto::caller::checked(r)?)
                .await
                .map(listing),
        )
    }

    async fn release_listing(&self, r: Request<ListingRef>) -> Answer<Listing> {
        done(
            listings::release(&self.0, proto::caller::checked(r)?)
                .await
                .map(listing),
        )
    }

    async fn my_listings(&self, r: Request<Caller>) -> Answer<ListingList> {
        done(
            listings::mine(&self.0, proto::caller::checked(r)?)
                .await
                .map(|rows| ListingList {
                    listings: listings_of(rows),
                }),
        )
    }

    async fn update_listing(&self, r: Request<UpdateListingRequest>) -> Answer<Listing> {
        done(
            listings::update(&self.0, proto::caller::checked(r)?)
                .await
                .map(listing),
        )
    }

    async fn pull_off_listing(&self, r: Request<ListingRef>) -> Answer<Listing> {
        done(
            listings::pull_off(&self.0, proto::caller::checked(r)?)
                .await
                .map(listing),
        )
    }

    async fn delete_listing(&self, r: Request<ListingRef>) -> Answer<Empty> {
        done(
            listings::delete(&self.0, proto::caller::checked(r)?)
                .await
                .map(|()| Empty {}),
        )
    }

    async fn search(&self, r: Request<SearchRequest>) -> Answer<SearchReply> {
        done(
            search::search(&self.0, proto::caller::checked(r)?)
                .await
                .map(|rows| SearchReply {
                    listings: listings_of(rows),
                }),
        )
    }

    async fn detail(&self, r: Request<ListingRef>) -> Answer<ListingDetail> {
        done(
            browse::detail(&self.0, proto::caller::checked(r)?)
                .await
                .map(detail),
        )
    }

    async fn favourite(&self, r: Request<FavouriteRequest>) -> Answer<ListingDetail> {
        done(
            browse::favourite(&self.0, proto::caller::checked(r)?)
                .await
                .map(detail),
        )
    }

    async fn viewable(&self, r: Request<ListingRef>) -> Answer<ViewableListing> {
        done(
            browse::viewable(&self.0, proto::caller::checked(r)?)
                .await
                .map(|(shown, inviter)| ViewableListing {
                    listing: Some(listing(shown)),
                    landlord_inviter_id: inviter.unwrap_or(0),
                }),
        )
    }

    async fn payout_account(&self, r: Request<PayoutAccountRequest>) -> Answer<PayoutAccountReply> {
        let request = proto::caller::from_service(r)?;
        done(
            profiles::payout_account(&self.0, request.user_id)
                .await
                .map(|(account_number, account_name)| PayoutAccountReply {
                    account_number,
                    account_name,
                }),
        )
    }

    async fn my_favourites(&self, r: Request<Caller>) -> Answer<ListingList> {
        done(
            browse::my_favourites(&self.0, proto::caller::checked(r)?)
                .await
                .map(|rows| ListingList {
                    listings: listings_of(rows),
                }),
        )
    }

    async fn identify_user(&self, r: Request<IdentifyUserRequest>) -> Answer<Identity> {
        done(
            identity::identify_user(&self.0, proto::caller::checked(r)?)
                .await
                .map(|row| Identity {
                    realname: row.realname.unwrap_or_default(),
                    idcardnumber: row.idcardnumber.unwrap_or_default(),
                }),
        )
    }

    async fn identify_house(
        &self,
        r: Request<IdentifyHouseRequest>,
    ) -> Answer<HouseIdentification> {
        done(
            identity::identify_house(&self.0, proto::caller::checked(r)?)
                .await
                .map(identification),
        )
    }

    async fn platform_identifications(
        &self,
        r: Request<PlatformListingsRequest>,
    ) -> Answer<HouseIdentificationPage> {
        done(
            identity::platform_list(&self.0, proto::caller::checked(r)?)
                .await
                .map(|(rows, total, paging)| HouseIdentificationPage {
                    identifications: rows.into_iter().map(identification).collect(),
                    page: paging.page,
                    per_page: paging.per_page,
                    total,
                }),
        )
    }

    async fn my_identifications(&self, r: Request<Caller>) -> Answer<HouseIdentificationPage> {
        done(
            identity::mine(&self.0, proto::caller::checked(r)?)
                .await
                .map(|rows| HouseIdentificationPage {
                    total: rows.len() as i64,
                    per_page: identity::MY_CLAIMS_LIMIT,
                    page: 1,
                    identifications: rows.into_iter().map(identification).collect(),
                }),
        )
    }

    async fn review_identification(
        &self,
        r: Request<ReviewListingRequest>,
    ) -> Answer<HouseIdentification> {
        done(
            identity::review(&self.0, proto::caller::checked(r)?)
                .await
                .map(identification),
        )
    }

    async fn add_media(&self, r: Request<AddMediaRequest>) -> Answer<MediaList> {
        done(
            files::add(&self.0, proto::caller::checked(r)?)
                .await
                .map(|rows| MediaList {
                    media: rows.into_iter().map(media).collect(),
                }),
        )
    }

    async fn replace_media(&self, r: Request<ReplaceMediaRequest>) -> Answer<Media> {
        done(
            files::replace(&self.0, proto::caller::checked(r)?)
                .await
                .map(media),
        )
    }

    async fn read_file(&self, r: Request<ReadFileRequest>) -> Answer<StoredFile> {
        done(files::read(&self.0, proto::caller::checked(r)?).await.map(
            |(is_public, content_type, content)| StoredFile {
                content_type,
                content,
                is_public,
            },
        ))
    }

    async fn invite_codes(&self, r: Request<Caller>) -> Answer<InviteCodesReply> {
        done(
            profiles::codes(&self.0, proto::caller::checked(r)?)
                .await
                .map(|(mine, friend)| InviteCodesReply {
                    my_invite_code: mine,
                    friend_invite_code: friend,
                }),
        )
    }

    async fn set_invite_code(&self, r: Request<SetInviteCodeRequest>) -> Answer<Empty> {
        done(
            profiles::set_code(&self.0, proto::caller::checked(r)?)
                .await
                .map(|()| Empty {}),
        )
    }

    async fn platform_listings(&self, r: Request<PlatformListingsRequest>) -> Answer<ListingPage> {
        done(
            listings::platform_list(&self.0, proto::caller::checked(r)?)
                .await
                .map(|(rows, total, paging)| ListingPage {
                    listings: listings_of(rows),
                    page: paging.page,
                    per_page: paging.per_page,
                    total,
                }),
        )
    }

    async fn review_listing(&self, r: Request<ReviewListingRequest>) -> Answer<Listing> {
        done(
            listings::review(&self.0, proto::caller::checked(r)?)
                .await
                .map(listing),
        )
    }
}

fn profile(row: ProfileRow) -> Profile {
    Profile {
        id: row.user_id,
        saved: row.saved_at.is_some(),
        friend_invite_code: row.inviter_id.map(invite_code).unwrap_or_default(),
        portrait_key: row.portrait_key.clone().unwrap_or_default(),
        realname: row.realname.clone().unwrap_or_default(),
        idcardnumber: row.idcardnumber.clone().unwrap_or_default(),
        fields: Some(ProfileFields {
            nickname: row.nickname,
            sex: row.sex,
            user_type: row.user_type,
            self_description: row.self_description,
            address_province: row.address_province,
            address_city: row.address_city,
            birthday: row.birthday,
            constellations: row.constellations,
            education: row.education,
            occupation: row.occupation,
            account_name: row.account_name,
            account_number: row.account_number,
            account_idcardnumber: row.account_idcardnumber,
            tel: row.tel,
            virtual_tel_flag: row.virtual_tel_flag,
            virtual_tel: row.virtual_tel,
            wechat: row.wechat,
            qq: row.qq,
        }),
    }
}

fn identification(row: IdentificationRow) -> HouseIdentification {
    HouseIdentification {
        id: row.id,
        user_id: row.user_id,
        community_identifier: row.community_identifier,
        community_house_id: row.community_house_id,
        house_introduction: row.house_introduction,
        certname: row.certname,
        idcardnumber: row.idcardnumber,
        property_cert_number: row.property_cert_number,
        property_cert_key: row.property_cert_key,
        house_type: row.house_type,
        lease_key: row.lease_key.unwrap_or_default(),
        status: row.status,
        reason: row.reason,
        created_at: row.created_at,
        decided_at: row.decided_at.unwrap_or(0),
    }
}

fn media(row: MediaRow) -> Media {
    Media {
        id: row.id,
        key: row.object_key,
        rooms_type: row.rooms_type.unwrap_or(0),
        rooms_area: row.rooms_area.unwrap_or(0.0),
        rooms_orientation: row.rooms_orientation.unwrap_or_default(),
    }
}

fn listing(shown: Shown) -> Listing {
    let Shown {
        row,
        media: files,
        landlord,
        distance_km,
    } = shown;
    // A landlord who never saved a profile shows nothing of it.
    let landlord = landlord.unwrap_or_default();
    let (videos, photos): (Vec<MediaRow>, Vec<MediaRow>) =
        files.into_iter().partition(|m| m.kind == "video");
    Listing {
        id: row.id,
        owner_id: row.owner_id,
        fields: Some(crate::actions::rental::fields::of_row(&row)),
        community_identifier: row.community_identifier,
        community_house_id: row.community_house_id,
        house_introduction: row.house_introduction,
        status: row.status,
        reason: row.reason,
        owner_verified: row.owner_verified,
        praise_count: row.praise_count,
        view_count: row.view_count,
        created_at: row.created_at,
        updated_at: row.updated_at,
        released_at: row.released_at.unwrap_or(0),
        photos: photos.into_iter().map(media).collect(),
        videos: videos.into_iter().map(media).collect(),
        user_type: landlord.user_type.unwrap_or(0),
        distance_km,
        landlord_nickname: landlord.nickname.unwrap_or_default(),
        landlord_portrait_key: landlord.portrait_key.unwrap_or_default(),
        landlord_identified: landlord.identified_at.is_some(),
    }
}
