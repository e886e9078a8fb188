//! Rows of the address tree as their protobuf messages.
use proto::yibiaosanshi as pb;

use crate::db::addresses::{Building, Community, Floor, House, Unit};

impl From<Community> for pb::Community {
    fn from(row: Community) -> Self {
        Self {
            id: row.id,
            community_name: row.community_name,
            community_identifier: row.community_identifier,
            community_pinyin: row.community_pinyin,
            community_type: row.community_type,
            community_order: row.community_order,
        }
    }
}

impl From<Building> for pb::Building {
    fn from(row: Building) -> Self {
        Self {
            id: row.id,
            community_identifier: row.community_identifier,
            building_number: row.building_number,
            building_name: row.building_name,
        }
    }
}

impl From<Unit> for pb::Unit {
    fn from(row: Unit) -> Self {
        Self {
            id: row.id,
            building_id: row.building_id,
            community_identifier: row.community_identifier,
            unit_number: row.unit_number,
            unit_name: row.unit_name,
        }
    }
}

impl From<Floor> for pb::Floor {
    fn from(row: Floor) -> Self {
        Self {
            id: row.id,
            unit_id: row.unit_id,
            community_identifier: row.community_identifier,
            floor_number: row.floor_number,
            floor_name: row.floor_name,
        }
    }
}

impl From<House> for pb::House {
    fn from(row: House) -> Self {
        Self {
            id: row.id,
            floor_id: row.floor_id,
            community_identifier: row.community_identifier,
            house_number: row.house_number,
            house_name: row.house_name,
            house_type: row.house_type,
        }
    }
}

// ---- 一标三实 ----

use kit::error::ServiceError;

use crate::actions::Page;
use crate::actions::registration::houses::{
    HouseDetail, HouseReview, Member, MyHouseRow, ReviewDetail,
};
use crate::actions::registration::owner::{OwnerLookUp, VerifiedHouse};
use crate::actions::registration::platform::{Correction, ReviewPage};
use crate::db::reviews::{DecisionRow, Review};
use crate::domain::house::{HouseChange, HouseChoice, HouseFields};
use crate::domain::person::PersonData;

impl From<pb::PersonForm> for PersonData {
    fn from(form: pb::PersonForm) -> Self {
        Self {
            phone: form.phone,
            name: form.name,
            sex: form.sex,
            nation: form.nation,
            birth: form.birth,
            address: form.address,
            idcard: form.idcard,
            photo: form.photo,
            zhengzhimianmao: form.zhengzhimianmao,
            tuiyijunren: form.tuiyijunren,
            dibao: form.dibao,
            shangfang: form.shangfang,
            job_name: form.job,
            company_name: form.company,
        }
    }
}

impl From<pb::HouseFields> for HouseFields {
    fn from(fields: pb::HouseFields) -> Self {
        Self {
            role: fields.role,
            status: fields.status.unwrap_or_default(),
            house_use: fields.r#use.unwrap_or_default(),
            xingzhi: fields.xingzhi.unwrap_or_default(),
            household_type: fields.r#type.unwrap_or_default(),
        }
    }
}

impl TryFrom<pb::HouseChoice> for HouseChoice {
    type Error = ServiceError;

    fn try_from(choice: pb::HouseChoice) -> Result<Self, ServiceError> {
        Ok(Self {
            house_id: choice.house_id,
            fields: choice
                .fields
                .ok_or_else(|| ServiceError::missing("role"))?
                .into(),
            replace_owner: choice.replace_owner,
        })
    }
}

impl From<pb::HouseChange> for HouseChange {
    fn from(change: pb::HouseChange) -> Self {
        Self {
            house_id: change.house_id,
            role: change.role,
            status: change.status,
            house_use: change.r#use,
            xingzhi: change.xingzhi,
            household_type: change.r#type,
        }
    }
}

impl TryFrom<pb::CorrectedContent> for Correction {
    type Error = ServiceError;

    fn try_from(content: pb::CorrectedContent) -> Result<Self, ServiceError> {
        Ok(Self {
            user_id: content.user_id,
            house_id: content.house_id,
            person: content
                .person
                .ok_or_else(|| ServiceError::missing("content.people"))?
                .into(),
            fields: content
                .fields
                .ok_or_else(|| ServiceError::missing("content.house"))?
                .into(),
        })
    }
}

impl From<OwnerLookUp> for pb::LookUpOwnerReply {
    fn from(owner: OwnerLookUp) -> Self {
        let fields = owner.fields;
        Self {
            masked_phone: owner.masked_phone,
            people_house_use: fields.as_ref().map(|f| f.house_use.clone()),
            people_house_xingzhi: fields.as_ref().map(|f| f.xingzhi.clone()),
            people_house_status: fields.as_ref().map(|f| f.status.clone()),
            people_house_role: fields.as_ref().map(|f| f.role.clone()),
            people_house_type: fields.map(|f| f.household_type),
            community_house_name: owner.community_house_name,
        }
    }
}

impl From<VerifiedHouse> for pb::VerifyOwnerReply {
    fn from(house: VerifiedHouse) -> Self {
        Self {
            house_id: house.house_id,
            people_house_use: house.fields.house_use,
            people_house_xingzhi: house.fields.xingzhi,
            people_house_status: house.fields.status,
            people_house_type: house.fields.household_type,
        }
    }
}

impl From<MyHouseRow> for pb::MyHouseItem {
    fn from(row: MyHouseRow) -> Self {
        match row {
            MyHouseRow::Bound {
                binding_id,
                house_id,
                role,
                introduction,
                not_register,
            } => Self {
                id: binding_id,
                house_id,
                shenhe_id: 0,
                status: "审核通过".to_owned(),
                role,
                introduction,
                action: String::new(),
                not_register,
            },
            MyHouseRow::Review {
                review_id,
                house_id,
                status,
                role,
                introduction,
                action,
            } => Self {
                id: 0,
                house_id,
                shenhe_id: review_id,
                status: status.resident_label().to_owned(),
                role,
                introduction,
                action,
                not_register: 0,
            },
        }
    }
}

impl From<Member> for pb::HouseMember {
    fn from(member: Member) -> Self {
        Self {
            id: member.binding_id,
            name: member.name,
            role: member.role,
            shouquan: member.shouquan.to_owned(),
            charge: member.charge.to_owned(),
            phone: member.phone,
        }
    }
}

impl From<HouseReview> for pb::HouseReviewRow {
    fn from(review: HouseReview) -> Self {
        Self {
            id: review.review_id,
            introduction: review.introduction,
            action: review.action,
            status: review.status.resident_label().to_owned(),
            r#type: review.shenhe_type,
        }
    }
}

impl From<HouseDetail> for pb::HouseDetailReply {
    fn from(house: HouseDetail) -> Self {
        let (activated, waiting): (Vec<Member>, Vec<Member>) =
            house.members.iter().cloned().partition(|m| m.activated);
        Self {
            introduction: house.introduction,
            house_type: house.house_type,
            r#use: house.fields.house_use,
            xingzhi: house.fields.xingzhi,
            status: house.fields.status,
            zhuhuleixing: house.fields.household_type,
            yibangding: house.members.into_iter().map(Into::into).collect(),
            weibangding: house.reviews.into_iter().map(Into::into).collect(),
            yijihuo: activated.into_iter().map(Into::into).collect(),
            weijihuo: waiting.into_iter().map(Into::into).collect(),
        }
    }
}

impl From<ReviewDetail> for pb::ReviewDetailReply {
    /// The applicant sees their own data in full, but not the flags only the platform may see
    /// (低保, 上访, 退役军人).
    fn from(detail: ReviewDetail) -> Self {
        let ReviewDetail { review, content } = detail;
        let people = content.people;
        let house = content.house;
        Self {
            shenhe_type: review.shenhe_type,
            shenhe_status: review.status,
            shenhe_action_introduction: review.action_introduction,
            shenhe_house_introduction: review.house_introduction,
            shenhe_refuse_reason: review.refuse_reason.unwrap_or_default(),
            name: people.people_name,
            sex: people.people_sex,
            birth: people.people_birth,
            nation: people.people_nation,
            address: people.people_address,
            idcard: people.people_idcard,
            photo: people.people_photo,
            zhengzhimianmao: people.people_zhengzhimianmao,
            tuiyijunren: String::new(),
            shangfang: String::new(),
            dibao: String::new(),
            job: content.job.job_name,
            company: content.company.company_name,
            house_role: house.people_house_role,
            house_status: house.people_house_status,
            r#use: house.people_house_use,
            xingzhi: house.people_house_xingzhi,
            zhuhuleixing: house.people_house_type,
        }
    }
}

impl From<Review> for pb::Review {
    /// The platform's view: the content in full (it manages the community).
    fn from(review: Review) -> Self {
        Self {
            id: review.id,
            shenhe_type: review.shenhe_type,
            shenhe_content: review.content,
            shenhe_status: review.status,
            shenhe_house_introduction: review.house_introduction,
            shenhe_action_introduction: review.action_introduction,
            has_refuse_reason: review.refuse_reason.is_some(),
            shenhe_refuse_reason: review.refuse_reason.unwrap_or_default(),
            created_at: review.created_at,
            updated_at: review.updated_at,
        }
    }
}

impl From<ReviewPage> for pb::ReviewPage {
    fn from(listed: ReviewPage) -> Self {
        let Some(page) = listed.page else {
            return Self {
                version: listed.version,
                unchanged: true,
                ..Self::default()
            };
        };
        Self {
            reviews: page.rows.into_iter().map(Into::into).collect(),
            total: page.total,
            page: page.paging.page,
            per_page: page.paging.per_page,
            version: listed.version,
            unchanged: false,
        }
    }
}

impl From<DecisionRow> for pb::Decision {
    fn from(row: DecisionRow) -> Self {
        Self {
            id: row.id,
            review_id: row.review_id,
            secret_id: row.secret_id,
            status: row.status,
            refuse_reason: row.refuse_reason.unwrap_or_default(),
            decided_at: row.decided_at,
            shenhe_type: row.shenhe_type,
            shenhe_house_introduction: row.house_introduction,
        }
    }
}

impl From<Page<DecisionRow>> for pb::DecisionPage {
    fn from(page: Page<DecisionRow>) -> Self {
        Self {
            decisions: page.rows.into_iter().map(Into::into).collect(),
            total: page.total,
            page: page.paging.page,
            per_page: page.paging.per_page,
        }
    }
}

use crate::db::cars::Car;
use crate::db::parking::SpotView;

impl From<Car> for pb::Car {
    fn from(car: Car) -> Self {
        Self {
            id: car.id,
            number: car.plate,
            created_at: car.created_at,
        }
    }
}

impl From<SpotView> for pb::Spot {
    fn from(view: SpotView) -> Self {
        let (name, phone) = view.assignee.unwrap_or_default();
        Self {
            id: view.spot.id,
            community_identifier: view.spot.community_identifier,
            community_name: view.community_name,
            number: view.spot.number,
            assigned: view.spot.user_id.is_some(),
            name,
            phone,
            assigned_at: view.spot.assigned_at.unwrap_or_default(),
            created_at: view.spot.created_at,
            updated_at: view.spot.updated_at,
        }
    }
}

impl From<Page<SpotView>> for pb::SpotPage {
    fn from(page: Page<SpotView>) -> Self {
        Self {
            spots: page.rows.into_iter().map(Into::into).collect(),
            total: page.total,
            page: page.paging.page,
            per_page: page.paging.per_page,
        }
    }
}

use crate::actions::car_transfers::TransferView;

impl From<TransferView> for pb::CarTransfer {
    fn from(view: TransferView) -> Self {
        let transfer = view.transfer;
        Self {
            id: transfer.id,
            community_identifier: transfer.community_identifier,
            number: transfer.plate,
            status: transfer.status,
            claimant_name: view.claimant_name,
            claimant_phone: view.claimant_phone,
            holder_phone: view.holder_phone_masked,
            reason: transfer.reason,
            decision_reason: transfer.decision_reason.unwrap_or_default(),
            created_at: transfer.created_at,
            decided_at: transfer.decided_at.unwrap_or_default(),
        }
    }
}

impl From<Page<TransferView>> for pb::CarTransferPage {
    fn from(page: Page<TransferView>) -> Self {
        Self {
            transfers: page.rows.into_iter().map(Into::into).collect(),
            total: page.total,
            page: page.paging.page,
            per_page: page.paging.per_page,
        }
    }
}
