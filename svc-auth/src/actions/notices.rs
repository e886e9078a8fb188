//! Subscribe messages (订阅消息): the resident's answers to `wx.requestSubscribeMessage` (one
//! accept = one message of that template), events handed over by the other services (recorded
//! once per (source, event id), one accept taken in the same transaction), their delivery to
//! WeChat through svc-auth's outbox, and the resident's list of what became of them.
use std::collections::{HashMap, HashSet};

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

/// The most events one [`notify_all`] takes (an outbox pass hands over 64 at most).
pub const MOST_EVENTS: usize = 256;

/// Records an event once ([`notify_all`]); false when it was recorded before.
pub async fn notify(state: &State, event: Event) -> ServiceResult<bool> {
    Ok(notify_all(state, vec![event]).await?.first() == Some(&true))
}

/// An event ready to be recorded: its template rendered.
struct Ready {
    index: usize,
    event: Event,
    template_id: String,
    page: String,
    data: String,
}

/// Records each event once, all in one transaction: as a message on its way to WeChat when the
/// resident has an accept left for its template (taken now), or as not sent and why. For each
/// event, in order, false when it was recorded before or residents are not told of its kind.
/// An outbox's pass comes as one call: one transaction and one read of the events recorded
/// before and of the residents' openids, however many events it carries.
pub async fn notify_all(state: &State, events: Vec<Event>) -> ServiceResult<Vec<bool>> {
    if events.len() > MOST_EVENTS {
        return Err(ServiceError::invalid(
            "events",
            format!("at most {MOST_EVENTS} events at once"),
        ));
    }
    if events
        .iter()
        .any(|event| event.source.is_empty() || event.source.len() > 64 || event.event_id <= 0)
    {
        return Err(ServiceError::invalid(
            "source",
            "an event names its source and id",
        ));
    }
    let count = events.len();
    let mut ready = Vec::with_capacity(count);
    for (index, event) in events.into_iter().enumerate() {
        // Residents are not told of every kind of event.
        let Some(template) = state.templates.of(event.kind) else {
            continue;
        };
        let rendered = template.render(&event.values);
        let data = serde_json::to_string(&rendered.data)
            .map_err(|error| ServiceError::internal(format!("notice data: {error}")))?;
        ready.push(Ready {
            index,
            template_id: template.template_id.clone(),
            page: rendered.page,
            data,
            event,
        });
    }
    let mut answers = vec![false; count];
    if ready.is_empty() {
        return Ok(answers);
    }
    let ready = std::sync::Arc::new(ready);
    // Another replica recording some of these at the same moment makes the insert hit the
    // unique key and undoes this transaction: once more, the read finds what it recorded.
    let mut tries = 0;
    let recorded = loop {
        tries += 1;
        let batch = std::sync::Arc::clone(&ready);
        match state.db.write(move |conn| record(conn, &batch)).await {
            Err(kit::db::WorkError::Db(kit::db::DbError::Query(error)))
                if tries < 2 && kit::db::is_unique_violation(&error) => {}
            other => break other?,
        }
    };
    for (index, id, status) in recorded {
        tracing::info!(
            notice = id,
            kind = ready[index].event.kind.as_str(),
            status = status.as_str(),
            "notice recorded"
        );
        if let Some(answer) = answers.get_mut(ready[index].index) {
            *answer = true;
        }
    }
    Ok(answers)
}

/// Records those of `ready` not recorded before; for each one recorded, its place in `ready`,
/// its notice id and status.
fn record(conn: &mut AnyConnection, ready: &[Ready]) -> Result<Vec<(usize, i64, Status)>> {
    // A pass comes from one service's outbox: one read per source, usually one in all.
    let mut by_source: std::collections::BTreeMap<&str, Vec<i64>> = Default::default();
    for r in ready {
        by_source
            .entry(r.event.source.as_str())
            .or_default()
            .push(r.event.event_id);
    }
    let mut seen = HashSet::new();
    for (source, ids) in by_source {
        for id in notices::recorded_events(conn, source, &ids)? {
            seen.insert((source, id));
        }
    }
    let user_ids: Vec<i64> = ready.iter().map(|r| r.event.user_id).collect();
    let openids = users::openids_of(conn, &user_ids)?;
    // Recorded before, or earlier in this call: left out.
    let fresh: Vec<(usize, &Ready)> = ready
        .iter()
        .enumerate()
        .filter(|(_, r)| seen.insert((r.event.source.as_str(), r.event.event_id)))
        .collect();
    if fresh.is_empty() {
        return Ok(Vec::new());
    }
    // One read tells which residents have an accept left of which template; an accept is taken
    // (one conditional update each) only for those, so a resident who subscribed to nothing
    // costs no statement of their own.
    let reached: Vec<&str> = fresh
        .iter()
        .filter_map(|(_, r)| openids.get(&r.event.user_id).map(String::as_str))
        .collect();
    let with_quota = if reached.is_empty() {
        Vec::new()
    } else {
        notices::with_quota(conn, &reached)?
    };
    let may_send: HashSet<(&str, &str)> = with_quota
        .iter()
        .map(|(openid, template)| (openid.as_str(), template.as_str()))
        .collect();
    let now = now_unix();
    let mut statuses = Vec::with_capacity(fresh.len());
    let mut rows = Vec::with_capacity(fresh.len());
    for (_, r) in &fresh {
        let openid = openids.get(&r.event.user_id).map(String::as_str);
        let status = match openid {
            None => Status::NoWechat,
            Some(openid)
                if may_send.contains(&(openid, r.template_id.as_str()))
                    && notices::take_one(conn, openid, &r.template_id)? =>
            {
                Status::Pending
            }
            Some(_) => Status::Unsubscribed,
        };
        statuses.push(status);
        rows.push(NewNotice {
            source: &r.event.source,
            event_id: r.event.event_id,
            user_id: r.event.user_id,
            kind: r.event.kind.as_str(),
            template_id: &r.template_id,
            openid,
            page: &r.page,
            data: &r.data,
            status: status.as_str(),
            reason: status.reason(),
            created_at: now,
        });
    }
    let inserted = notices::insert_all(conn, &rows)?;
    let ids: HashMap<(&str, i64), i64> = inserted
        .iter()
        .map(|(source, event_id, id)| ((source.as_str(), *event_id), *id))
        .collect();
    let mut recorded = Vec::with_capacity(fresh.len());
    let mut to_wechat = Vec::new();
    for ((place, r), status) in fresh.into_iter().zip(statuses) {
        let id = ids
            .get(&(r.event.source.as_str(), r.event.event_id))
            .copied()
            .ok_or_else(|| ServiceError::internal("a notice inserted without its id"))?;
        if status == Status::Pending {
            to_wechat.push((TO_WECHAT, id.to_string()));
        }
        recorded.push((place, id, status));
    }
    // The pending ones go to WeChat through the outbox, all in one statement.
    outbox::enqueue_all(conn, &to_wechat)?;
    Ok(recorded)
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
