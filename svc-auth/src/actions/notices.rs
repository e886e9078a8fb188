//! Subscribe messages (订阅消息): the resident's answers to `wx.requestSubscribeMessage` (one
//! accept = one message of that template), events handed over by the other services (recorded
//! once per (source, event id), one accept taken in the same transaction), their delivery to
//! WeChat through svc-auth's outbox, and the resident's list of what became of them.
use kit::db::AnyConnection;
use kit::error::{ServiceError, ServiceResult};
use kit::outbox::{self, NoticeKind};
use kit::paging::Paging;
use kit::time::now_unix;

use crate::actions::State;
use crate::clients::wechat::{Delivery, SubscribeMessage};
use crate::db::notices::{self, NewNotice, NoticeRow};
use crate::db::users;
use crate::domain::notices::{Answer, Status, Values};

/// The outbox topic of notices on their way to WeChat (payload: the notice's id).
pub const TO_WECHAT: &str = "wechat_subscribe";

type Result<T> = std::result::Result<T, kit::db::WorkError>;

/// The openid of user `user_id`, or a refusal when they never signed in with WeChat.
fn openid_of(conn: &mut AnyConnection, user_id: i64) -> Result<String> {
    users::find_by_id(conn, user_id)?
        .and_then(|user| user.openid)
        .ok_or_else(|| {
            ServiceError::forbidden(Status::NoWechat.reason(), "the user has no WeChat openid")
                .into()
        })
}

/// Records the resident's answers; the quota left of each template answered.
pub async fn subscribe(
    state: &State,
    user_id: i64,
    answers: Vec<(String, Answer)>,
) -> ServiceResult<Vec<(String, i64)>> {
    if answers.is_empty() {
        return Err(ServiceError::missing("results"));
    }
    let now = now_unix();
    let quotas = state
        .db
        .write(move |conn| -> Result<_> {
            let openid = openid_of(conn, user_id)?;
            let mut templates = Vec::new();
            for (template_id, answer) in &answers {
                let (add, empty) = match answer {
                    Answer::Accept => (1, false),
                    Answer::Ban => (0, true),
                    Answer::Reject | Answer::Filter => (0, false),
                };
                notices::answer(conn, &openid, template_id, answer.as_str(), add, empty, now)?;
                templates.push(template_id.clone());
            }
            Ok(notices::quotas(conn, &openid, &templates)?)
        })
        .await?;
    tracing::info!(
        user_id,
        templates = quotas.len(),
        "subscribe answers recorded"
    );
    Ok(quotas)
}

/// An event another service handed over.
pub struct Event {
    pub source: String,
    pub event_id: i64,
    pub user_id: i64,
    pub kind: NoticeKind,
    pub values: Values,
}

/// Records an event once: as a message on its way to WeChat when the resident has an accept
/// left for its template (taken now), or as not sent and why. False when it was recorded before.
pub async fn notify(state: &State, event: Event) -> ServiceResult<bool> {
    if event.source.is_empty() || event.source.len() > 64 || event.event_id <= 0 {
        return Err(ServiceError::invalid(
            "source",
            "an event names its source and id",
        ));
    }
    let Some(template) = state.templates.of(event.kind).cloned() else {
        // Residents are not told of this kind of event.
        return Ok(false);
    };
    let rendered = template.render(&event.values);
    let data = serde_json::to_string(&rendered.data)
        .map_err(|error| ServiceError::internal(format!("notice data: {error}")))?;
    let recording = state
        .db
        .write(move |conn| -> Result<(i64, Status)> {
            // An event handed over before is refused by the insert (its unique key), which
            // undoes the accept taken here with the transaction: no read for it first.
            let openid = users::find_by_id(conn, event.user_id)?.and_then(|user| user.openid);
            let status = match &openid {
                None => Status::NoWechat,
                Some(openid) if notices::take_one(conn, openid, &template.template_id)? => {
                    Status::Pending
                }
                Some(_) => Status::Unsubscribed,
            };
            let row = notices::insert(
                conn,
                &NewNotice {
                    source: &event.source,
                    event_id: event.event_id,
                    user_id: event.user_id,
                    kind: event.kind.as_str(),
                    template_id: &template.template_id,
                    openid: openid.as_deref(),
                    page: &rendered.page,
                    data: &data,
                    status: status.as_str(),
                    reason: status.reason(),
                    created_at: now_unix(),
                },
            )?;
            if status == Status::Pending {
                outbox::enqueue(conn, TO_WECHAT, &row.id.to_string())?;
            }
            Ok((row.id, status))
        })
        .await;
    // The event was handed over before (or twice at once): its row is there already.
    let recorded = match recording {
        Err(kit::db::WorkError::Db(kit::db::DbError::Query(error)))
            if crate::db::is_unique_violation(&error) =>
        {
            None
        }
        other => Some(other?),
    };
    match recorded {
        Some((id, status)) => {
            tracing::info!(
                notice = id,
                kind = event.kind.as_str(),
                status = status.as_str(),
                "notice recorded"
            );
            Ok(true)
        }
        None => Ok(false),
    }
}

/// A resident's notices, newest first.
pub async fn list(
    state: &State,
    user_id: i64,
    paging: Paging,
) -> ServiceResult<(Vec<NoticeRow>, i64)> {
    Ok(state
        .db
        .run(move |conn| -> Result<_> { Ok(notices::page_of_user(conn, user_id, paging)?) })
        .await?)
}

/// Sends notice `id` (a message of the [`TO_WECHAT`] topic) to WeChat. `Ok` once it is settled
/// (sent, or refused for good and recorded so, the accept given back); `Err` to try again later.
pub async fn deliver(state: &State, payload: &str) -> std::result::Result<(), String> {
    let id: i64 = payload
        .parse()
        .map_err(|_| format!("notice id {payload:?}"))?;
    let found = state
        .db
        .run(move |conn| -> Result<_> { Ok(notices::find(conn, id)?) })
        .await
        .map_err(|error: kit::db::WorkError| error.to_string())?;
    let Some(notice) = found.filter(|notice| notice.status == Status::Pending.as_str()) else {
        return Ok(());
    };
    let Some(openid) = notice.openid.clone() else {
        return settle(state, &notice, Status::NoWechat, false).await;
    };
    let pairs: Vec<(String, String)> =
        serde_json::from_str(&notice.data).map_err(|error| format!("notice data: {error}"))?;
    let data = pairs
        .into_iter()
        .map(|(key, value)| (key, serde_json::json!({ "value": value })))
        .collect();
    let message = SubscribeMessage {
        touser: &openid,
        template_id: &notice.template_id,
        page: &notice.page,
        miniprogram_state: &state.templates.miniprogram_state,
        lang: &state.templates.lang,
        data,
    };
    match state.wechat.send_subscribe_message(&message).await {
        Ok(Delivery::Sent) => settle(state, &notice, Status::Sent, false).await,
        Ok(Delivery::NotSubscribed) => {
            tracing::info!(
                notice = id,
                "WeChat says the resident has not subscribed (43101)"
            );
            settle(state, &notice, Status::Refused, true).await
        }
        Ok(Delivery::Unsendable(errcode)) => {
            tracing::warn!(notice = id, errcode, template = %notice.template_id, "WeChat refused the subscribe message; dropped");
            settle(state, &notice, Status::Dropped, true).await
        }
        Err(error) => {
            let _ = state
                .db
                .run(move |conn| -> Result<_> {
                    Ok(notices::set_reason(conn, id, "微信暂时无法发送，稍后重试")?)
                })
                .await;
            Err(error.to_string())
        }
    }
}

/// Records what became of a pending notice; `give_back` returns its accept (WeChat sent nothing).
async fn settle(
    state: &State,
    notice: &NoticeRow,
    status: Status,
    give_back: bool,
) -> std::result::Result<(), String> {
    let (id, openid, template) = (notice.id, notice.openid.clone(), notice.template_id.clone());
    state
        .db
        .write(move |conn| -> Result<()> {
            let sent_at = (status == Status::Sent).then(now_unix);
            let settled = notices::settle(conn, id, status.as_str(), status.reason(), sent_at)?;
            if settled
                && give_back
                && let Some(openid) = openid
            {
                notices::give_back(conn, &openid, &template)?;
            }
            Ok(())
        })
        .await
        .map_err(|error: kit::db::WorkError| error.to_string())?;
    tracing::info!(notice = id, status = status.as_str(), "notice settled");
    Ok(())
}
