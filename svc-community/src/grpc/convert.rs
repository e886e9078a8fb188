//! Requests' typed fields → domain values, and rows → messages.
use kit::error::ServiceResult;
use kit::paging::Paging;
use proto::community::*;

use super::page_of;
use crate::db::content::{AnnouncementRow, ComplaintRow, EmergencyPhoneRow, VisitorPassRow};
use crate::db::repairs::{CategoryRow, RepairRow};
use crate::domain::repair::{self, Stage};

/// The page a request asks for (0 is the default), bounded.
pub fn paging(request: Option<PageRequest>) -> ServiceResult<Paging> {
    let request = request.unwrap_or_default();
    Paging::requested(request.page, request.per_page)
}

/// A stage filter (`None`: every stage).
pub fn stage(stage: RepairStage) -> Option<Stage> {
    match stage {
        RepairStage::Unspecified => None,
        RepairStage::New => Some(Stage::New),
        RepairStage::Receive => Some(Stage::Receive),
        RepairStage::Repair => Some(Stage::Repair),
        RepairStage::Done => Some(Stage::Done),
    }
}

/// The stage an action leads to (`None`: no action).
pub fn action(action: RepairAction) -> Option<Stage> {
    match action {
        RepairAction::Unspecified => None,
        RepairAction::Receive => Some(Stage::Receive),
        RepairAction::Repair => Some(Stage::Repair),
        RepairAction::Done => Some(Stage::Done),
    }
}

pub fn pay_part(part: PayPart) -> Option<repair::PayPart> {
    match part {
        PayPart::Unspecified => None,
        PayPart::OwnerSett => Some(repair::PayPart::Owner),
        PayPart::TenantSett => Some(repair::PayPart::Tenant),
        PayPart::AllSettle => Some(repair::PayPart::RepairFund),
        PayPart::OtherSett => Some(repair::PayPart::Other),
    }
}

/// 投诉 or 建议 as a complaint keeps it (`None`: either).
pub fn complaint_kind(kind: ComplaintKind) -> Option<&'static str> {
    match kind {
        ComplaintKind::Unspecified => None,
        ComplaintKind::Complaint => Some("投诉"),
        ComplaintKind::Suggestion => Some("建议"),
    }
}

/// A complaint's status as it keeps it (`None`: any).
pub fn complaint_status(status: ComplaintStatus) -> Option<&'static str> {
    use crate::actions::complaints::{CLOSED, PENDING, REPLIED};
    match status {
        ComplaintStatus::Unspecified => None,
        ComplaintStatus::Pending => Some(PENDING),
        ComplaintStatus::Replied => Some(REPLIED),
        ComplaintStatus::Closed => Some(CLOSED),
    }
}

fn split(images: &str) -> Vec<String> {
    images
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

pub fn category(row: CategoryRow) -> RepairCategory {
    RepairCategory {
        id: row.id,
        parent_id: row.parent_id.unwrap_or(0),
        level: row.level,
        name: row.name,
        children: Vec::new(),
        community_identifier: row.community_identifier.unwrap_or_default(),
    }
}

/// The flat rows as a tree under their level-1 roots.
pub fn category_tree(rows: Vec<CategoryRow>) -> CategoryTree {
    fn children_of(parent: i64, rows: &[CategoryRow]) -> Vec<RepairCategory> {
        rows.iter()
            .filter(|r| r.parent_id == Some(parent))
            .map(|r| RepairCategory {
                children: children_of(r.id, rows),
                ..category(r.clone())
            })
            .collect()
    }
    let categories = rows
        .iter()
        .filter(|r| r.parent_id.is_none())
        .map(|r| RepairCategory {
            children: children_of(r.id, &rows),
            ..category(r.clone())
        })
        .collect();
    CategoryTree { categories }
}

pub fn repair(row: RepairRow) -> Repair {
    let mut steps = Vec::new();
    for (action, by, at) in [
        ("RECEIVE", &row.received_by, row.received_at),
        ("REPAIR", &row.repairing_by, row.repairing_at),
        ("DONE", &row.done_by, row.done_at),
    ] {
        if let (Some(by), Some(at)) = (by, at) {
            steps.push(RepairStep {
                action: action.to_owned(),
                by: by.clone(),
                at,
            });
        }
    }
    Repair {
        id: row.id,
        community_identifier: row.community_identifier,
        house_id: row.house_id,
        house_introduction: row.house_introduction,
        possion: row.possion,
        description: row.description,
        status: row.status,
        stage: row.stage,
        has_reply: row.reply.is_some(),
        reply: row.reply.unwrap_or_default(),
        name: row.name,
        phone: row.phone,
        images: split(&row.images),
        category_id: row.category_id.unwrap_or(0),
        category: row.category,
        steps,
        pay_part: row.pay_part.unwrap_or_default(),
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

pub fn repair_page(
    (rows, total, paging): (Vec<RepairRow>, i64, kit::paging::Paging),
) -> RepairPage {
    let (page, per_page, total) = page_of(paging, total);
    RepairPage {
        repairs: rows.into_iter().map(repair).collect(),
        page,
        per_page,
        total,
    }
}

pub fn announcement(row: AnnouncementRow) -> Announcement {
    Announcement {
        id: row.id,
        community_identifier: row.community_identifier,
        title: row.title,
        content: row.content,
        order: row.weight,
        top: row.top,
        status: row.enabled,
        manager: row.manager,
        logo: row.logo,
        images: split(&row.images),
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

pub fn announcement_page(
    (rows, total, paging): (Vec<AnnouncementRow>, i64, kit::paging::Paging),
) -> AnnouncementPage {
    let (page, per_page, total) = page_of(paging, total);
    AnnouncementPage {
        announcements: rows.into_iter().map(announcement).collect(),
        page,
        per_page,
        total,
    }
}

pub fn complaint(row: ComplaintRow) -> Complaint {
    Complaint {
        id: row.id,
        community_identifier: row.community_identifier,
        r#type: row.kind,
        content: row.content,
        images: split(&row.images),
        house_id: row.house_id.unwrap_or(0),
        house_introduction: row.house_introduction,
        status: row.status,
        has_reply: row.reply.is_some(),
        reply: row.reply.unwrap_or_default(),
        replied_by: row.replied_by.unwrap_or_default(),
        replied_at: row.replied_at.unwrap_or(0),
        phone: row.phone,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

pub fn complaint_page(
    (rows, total, paging): (Vec<ComplaintRow>, i64, kit::paging::Paging),
) -> ComplaintPage {
    let (page, per_page, total) = page_of(paging, total);
    ComplaintPage {
        complaints: rows.into_iter().map(complaint).collect(),
        page,
        per_page,
        total,
    }
}

pub fn phone(row: EmergencyPhoneRow) -> EmergencyPhone {
    EmergencyPhone {
        id: row.id,
        community_identifier: row.community_identifier,
        name: row.name,
        phone: row.phone,
        order: row.weight,
    }
}

pub fn phones(rows: Vec<EmergencyPhoneRow>) -> EmergencyPhoneList {
    EmergencyPhoneList {
        phones: rows.into_iter().map(phone).collect(),
    }
}

/// A pass; the code only for the resident who issued it.
pub fn pass(row: VisitorPassRow, with_code: bool) -> VisitorPass {
    VisitorPass {
        id: row.id,
        community_identifier: row.community_identifier,
        house_id: row.house_id,
        house_introduction: row.house_introduction,
        visitor_name: row.visitor_name,
        visitor_phone: row.visitor_phone,
        code: if with_code { row.code } else { String::new() },
        valid_from: row.valid_from,
        valid_until: row.valid_until,
        used_at: row.used_at.unwrap_or(0),
        created_at: row.created_at,
    }
}
