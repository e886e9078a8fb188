//! svc-yibiaosanshi as the other services ask it: community names, whom an order is for, a
//! resident's houses, the module switches it keeps.
use std::time::Duration;

use kit::cache::{SharedCache, keys};
use kit::caller::CallerChannel;
use kit::error::{ServiceError, ServiceResult};

use crate::caller::ResidentRef;
use crate::yibiaosanshi::addresses_client::AddressesClient;
use crate::yibiaosanshi::photos_client::PhotosClient;
use crate::yibiaosanshi::registration_client::RegistrationClient;
use crate::yibiaosanshi::{
    FindHouseRequest, FindPayerReply, FindPayerRequest, FoundHouse, IdCardFields,
    ListCommunitiesRequest, ModuleSwitch, ModuleSwitchesRequest, ReadIdCardRequest, ResidentHouse,
    ResidentHousesRequest,
};

/// The largest message to and from the OCR call: an ID-card photo, with room.
const PHOTO_MESSAGE_BYTES: usize = 16 * 1024 * 1024;

fn failed(status: tonic::Status) -> ServiceError {
    ServiceError::from_status(&status)
}

/// The client (its channel connects on first use).
#[derive(Clone, Debug)]
pub struct Registry {
    registration: RegistrationClient<CallerChannel>,
    addresses: AddressesClient<CallerChannel>,
    photos: PhotosClient<CallerChannel>,
    houses: Option<RememberedHouses>,
}

/// How long a resident's houses are remembered at most, should a change's new version not
/// reach the cache (svc-yibiaosanshi could not write it).
const HOUSES_REMEMBERED_FOR: Duration = Duration::from_secs(60);
/// The most residents whose houses are remembered (least recently used leave first).
const HOUSES_REMEMBERED_MOST: u64 = 20_000;

/// Residents' houses as svc-yibiaosanshi last answered, each beside the version of
/// [`keys::resident_houses`] read before asking: a list whose version changed since is asked
/// again, so a right taken away ends at the next call (issue 14: the hop to the registry was
/// most of a resident's order list).
#[derive(Clone)]
struct RememberedHouses {
    cache: SharedCache,
    local: moka::sync::Cache<i64, (Option<String>, Vec<ResidentHouse>)>,
}

impl std::fmt::Debug for RememberedHouses {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RememberedHouses")
            .field("entries", &self.local.entry_count())
            .finish()
    }
}

impl Registry {
    pub fn new(channel: CallerChannel) -> Self {
        Self {
            registration: RegistrationClient::new(channel.clone()),
            addresses: AddressesClient::new(channel.clone()),
            photos: PhotosClient::new(channel)
                .max_decoding_message_size(PHOTO_MESSAGE_BYTES)
                .max_encoding_message_size(PHOTO_MESSAGE_BYTES),
            houses: None,
        }
    }

    /// Remembers residents' houses between calls when `cache` is the one svc-yibiaosanshi
    /// announces changes in ([`kit::cache::Cache::shared`]); otherwise asks every time.
    pub fn remembering_houses(mut self, cache: SharedCache) -> Self {
        if cache.shared() {
            self.houses = Some(RememberedHouses {
                cache,
                local: moka::sync::Cache::builder()
                    .max_capacity(HOUSES_REMEMBERED_MOST)
                    .time_to_live(HOUSES_REMEMBERED_FOR)
                    .build(),
            });
        }
        self
    }

    /// House `id` of the address tree (its community and introduction), if there is one.
    pub async fn house(&self, id: i64) -> ServiceResult<Option<FoundHouse>> {
        let found = self
            .addresses
            .clone()
            .find_house(FindHouseRequest { id })
            .await
            .map_err(failed)?
            .into_inner();
        Ok(found.found.then_some(found))
    }

    /// The fields OCR reads on the front of `resident`'s ID card.
    pub async fn read_id_card(
        &self,
        resident: ResidentRef,
        image: Vec<u8>,
    ) -> ServiceResult<IdCardFields> {
        Ok(self
            .photos
            .clone()
            .read_id_card(ReadIdCardRequest {
                resident: Some(resident),
                image,
            })
            .await
            .map_err(failed)?
            .into_inner())
    }

    /// The name of a community (晨曦家园), if the address tree has it.
    pub async fn community_name(&self, identifier: &str) -> ServiceResult<Option<String>> {
        let reply = self
            .addresses
            .clone()
            .list_communities(ListCommunitiesRequest {
                community_identifier: Some(identifier.to_owned()),
            })
            .await
            .map_err(failed)?
            .into_inner();
        Ok(reply
            .communities
            .into_iter()
            .find(|c| c.community_identifier == identifier)
            .map(|c| c.community_name))
    }

    /// The house or person an order is for, within the request's community.
    pub async fn find_payer(&self, request: FindPayerRequest) -> ServiceResult<FindPayerReply> {
        Ok(self
            .registration
            .clone()
            .find_payer(request)
            .await
            .map_err(failed)?
            .into_inner())
    }

    /// The resident's activated bindings.
    pub async fn houses(&self, user_id: i64) -> ServiceResult<Vec<ResidentHouse>> {
        let Some(memory) = &self.houses else {
            return self.ask_houses(user_id).await;
        };
        // The version is read before asking: a change committed while the answer travels
        // leaves a newer version behind it, and the next call asks again.
        let Ok(version) = memory.cache.get(&keys::resident_houses(user_id)).await else {
            return self.ask_houses(user_id).await;
        };
        if let Some((seen, houses)) = memory.local.get(&user_id)
            && seen == version
        {
            return Ok(houses);
        }
        let houses = self.ask_houses(user_id).await?;
        memory.local.insert(user_id, (version, houses.clone()));
        Ok(houses)
    }

    async fn ask_houses(&self, user_id: i64) -> ServiceResult<Vec<ResidentHouse>> {
        let reply = self
            .registration
            .clone()
            .resident_houses(ResidentHousesRequest { user_id })
            .await
            .map_err(failed)?
            .into_inner();
        Ok(reply.houses.into_iter().filter(|h| h.activated).collect())
    }

    /// The signed-up residents of `community` (an announcement's readers).
    pub async fn community_residents(&self, community: &str) -> ServiceResult<Vec<i64>> {
        Ok(self
            .registration
            .clone()
            .community_residents(crate::yibiaosanshi::CommunityResidentsRequest {
                community_identifier: community.to_owned(),
            })
            .await
            .map_err(failed)?
            .into_inner()
            .user_ids)
    }

    /// Tells the registry the switches that gate registrations (绑定房屋, 绑定家属): it keeps
    /// them, so it never has to ask the service that owns them.
    pub async fn tell_switches(&self, switches: Vec<ModuleSwitch>) -> ServiceResult<()> {
        if switches.is_empty() {
            return Ok(());
        }
        self.registration
            .clone()
            .set_module_switches(ModuleSwitchesRequest { switches })
            .await
            .map_err(failed)?;
        Ok(())
    }
}

/// svc-auth as the other services hand it their residents' notices (subscribe messages).
#[derive(Clone, Debug)]
pub struct Notices(crate::auth::auth_client::AuthClient<CallerChannel>);

impl Notices {
    pub fn new(channel: CallerChannel) -> Self {
        Self(crate::auth::auth_client::AuthClient::new(channel))
    }

    /// Hands every `notice` message of `db`'s outbox to svc-auth as `source`, a pass at a time
    /// (one call, one transaction there), until the task running it is aborted.
    pub async fn run(self, db: kit::db::Database, source: &'static str) {
        kit::outbox::run_batched(db, kit::outbox::NOTICE, None, move |messages| {
            let notices = self.clone();
            async move { notices.hand_over(source, messages).await }
        })
        .await;
    }

    /// Hands over the `notice` messages of a pass of `source`'s outbox in one call (each
    /// message's id is its event's id, so one handed over twice is recorded once): for each,
    /// `Err` with the reason when svc-auth did not take it, so the outbox tries again later.
    pub async fn hand_over(
        &self,
        source: &str,
        messages: Vec<kit::outbox::Message>,
    ) -> Vec<Result<(), String>> {
        let mut outcomes = Vec::with_capacity(messages.len());
        let mut events = Vec::with_capacity(messages.len());
        // Where each event's outcome goes among the messages'.
        let mut sent = Vec::with_capacity(messages.len());
        for message in &messages {
            match event(source, message) {
                Ok(Some(event)) => {
                    sent.push(outcomes.len());
                    events.push(event);
                    outcomes.push(Ok(()));
                }
                // Nobody to tell: taken as it is.
                Ok(None) => outcomes.push(Ok(())),
                Err(error) => outcomes.push(Err(error)),
            }
        }
        if events.is_empty() {
            return outcomes;
        }
        let answered = self
            .0
            .clone()
            .notify_all(crate::auth::NotifyAllRequest { events })
            .await
            .map_err(|status| format!("svc-auth: {} {}", status.code(), status.message()));
        if let Err(error) = answered {
            for place in sent {
                outcomes[place] = Err(error.clone());
            }
        }
        outcomes
    }
}

/// The event a `notice` message of `source`'s outbox tells svc-auth of; `None` when it names
/// nobody.
fn event(
    source: &str,
    message: &kit::outbox::Message,
) -> Result<Option<crate::auth::NotifyRequest>, String> {
    use crate::auth::{NoticeFields, NoticeKind, NotifyRequest};
    use kit::outbox::NoticeKind as Kind;
    let notice = kit::outbox::Notice::from_payload(&message.payload)?;
    let kind = match notice.kind {
        Kind::Review => NoticeKind::Review,
        Kind::Order => NoticeKind::Order,
        Kind::Paid => NoticeKind::Paid,
        Kind::Repair => NoticeKind::Repair,
        Kind::Complaint => NoticeKind::Complaint,
        Kind::Viewing => NoticeKind::Viewing,
        Kind::Announcement => NoticeKind::Announcement,
    };
    let Some(&user_id) = notice.users.first() else {
        return Ok(None);
    };
    Ok(Some(NotifyRequest {
        source: source.to_owned(),
        event_id: message.id,
        user_id,
        kind: kind.into(),
        fields: Some(NoticeFields {
            title: notice.title,
            status: notice.status,
            remark: notice.remark,
            amount_fen: notice.amount_fen,
            number: notice.number,
            subject: notice.subject,
            phone: notice.phone,
            time: notice.time,
            page_query: notice.page_query,
        }),
    }))
}
