//! The transactional outbox every service shares. A message is written with [`enqueue`] in the
//! same transaction as the change it reports; [`run`] hands the messages of one topic to their
//! receiver until each is acknowledged: oldest first, exponential backoff with jitter after a
//! failure. The rows are the queue, so a restart loses nothing, and a message is claimed for a
//! while before it is handed over, so two replicas do not hand it over at once. An acknowledged
//! message is removed: the table holds what is still to hand over.
//!
//! Each service's migrations create the table (`migrations/*/…outbox…`): the same columns in
//! every service database.
use std::future::Future;
use std::time::{Duration, Instant};

use diesel::prelude::*;
use futures::StreamExt;
use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::db::{AnyConnection, Database, DbError};
use crate::metrics::ServiceMetrics;
use crate::time::now_unix;

diesel::table! {
    /// Messages written with the change they report, handed over until acknowledged, then
    /// removed. `delivered_at` is no longer set (see [`delivered`]).
    outbox (id) {
        id -> BigInt,
        topic -> Text,
        payload -> Text,
        attempts -> Integer,
        next_attempt_at -> BigInt,
        delivered_at -> Nullable<BigInt>,
        last_error -> Nullable<Text>,
        created_at -> BigInt,
    }
}

/// The topic of a subscribe-message event handed to svc-auth (payload: [`Notice`]).
pub const NOTICE: &str = "notice";

/// How often due messages are looked for.
const TICK: Duration = Duration::from_millis(500);
/// Messages handed over per pass and topic.
const BATCH: i64 = 64;
const BATCH_ROWS: usize = BATCH as usize;
/// Longest wait between two attempts, seconds.
const MAX_BACKOFF_SECS: i64 = 600;
/// How long a message claimed for delivery is left alone by other replicas, seconds.
const CLAIM_SECS: i64 = 60;

/// Seconds to wait after the `attempts`-th failure: 1, 2, 4 … capped, times 0.5–1.5.
pub fn backoff_secs(attempts: i32, jitter: f64) -> i64 {
    let base = 1_i64 << attempts.clamp(0, 10);
    let capped = base.min(MAX_BACKOFF_SECS) as f64;
    ((capped * jitter.clamp(0.5, 1.5)).round() as i64).max(1)
}

/// One stored message.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = outbox)]
pub struct Message {
    pub id: i64,
    pub topic: String,
    pub payload: String,
    pub attempts: i32,
    pub next_attempt_at: i64,
    pub delivered_at: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: i64,
}

/// Writes a message of `topic`, due now. Call it inside the transaction of the change.
pub fn enqueue(conn: &mut AnyConnection, topic: &str, payload: &str) -> QueryResult<()> {
    let now = now_unix();
    diesel::insert_into(outbox::table)
        .values((
            outbox::topic.eq(topic),
            outbox::payload.eq(payload),
            outbox::attempts.eq(0),
            outbox::next_attempt_at.eq(now),
            outbox::created_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Writes each of `messages` (topic, payload), due now, in one statement. Call it inside the
/// transaction of the change.
pub fn enqueue_all(conn: &mut AnyConnection, messages: &[(&str, String)]) -> QueryResult<()> {
    match messages {
        [] => Ok(()),
        // One row: the statement PostgreSQL keeps prepared.
        [(topic, payload)] => enqueue(conn, topic, payload),
        many => {
            let now = now_unix();
            let rows: Vec<_> = many
                .iter()
                .map(|(topic, payload)| {
                    (
                        outbox::topic.eq(*topic),
                        outbox::payload.eq(payload.as_str()),
                        outbox::attempts.eq(0),
                        outbox::next_attempt_at.eq(now),
                        outbox::created_at.eq(now),
                    )
                })
                .collect();
            crate::db::insert_rows(conn, outbox::table, &rows).map(|_| ())
        }
    }
}

/// The [`NOTICE`] messages of `notice`: one per resident, so each is one event svc-auth records
/// once.
pub fn notice_messages(notice: &Notice) -> QueryResult<Vec<(&'static str, String)>> {
    notice
        .users
        .iter()
        .map(|user_id| {
            let one = Notice {
                users: vec![*user_id],
                ..notice.clone()
            };
            serde_json::to_string(&one)
                .map(|payload| (NOTICE, payload))
                .map_err(|error| diesel::result::Error::SerializationError(Box::new(error)))
        })
        .collect()
}

/// Stands for the id of a row not yet written in the messages written with it: the messages
/// are made first, with [`RowMark::text`] where the id goes, and the row's id takes its place
/// as the two are written ([`RowMark::fill`], [`RowMark::split`]). Random per row, so nothing
/// a user wrote into a message can hold it.
pub struct RowMark(String);

impl Default for RowMark {
    fn default() -> Self {
        Self(format!("wjdh-row-id-{}", uuid::Uuid::new_v4().simple()))
    }
}

impl RowMark {
    pub fn text(&self) -> &str {
        &self.0
    }

    /// `messages` with row `id` in place of the mark.
    pub fn fill(
        &self,
        messages: &[(&'static str, String)],
        id: i64,
    ) -> Vec<(&'static str, String)> {
        let id = id.to_string();
        messages
            .iter()
            .map(|(topic, payload)| (*topic, payload.replace(&self.0, &id)))
            .collect()
    }

    /// `messages` cut where the mark stands (once in each), for [`WithMessages`].
    pub fn split(&self, messages: &[(&'static str, String)]) -> QueryResult<SplitMessages> {
        let mut split = SplitMessages::default();
        for (topic, payload) in messages {
            let (before, Some(after)) = self.cut(payload)? else {
                return Err(diesel::result::Error::QueryBuilderError(
                    "a message about a row names its id once".into(),
                ));
            };
            split.push(topic, before, after);
        }
        Ok(split)
    }

    /// `payload` before the mark and after it (`None`: no mark); an error if it is there twice.
    fn cut<'p>(&self, payload: &'p str) -> QueryResult<(&'p str, Option<&'p str>)> {
        let mut parts = payload.split(&self.0);
        match (parts.next(), parts.next(), parts.next()) {
            (Some(before), after, None) => Ok((before, after)),
            _ => Err(diesel::result::Error::QueryBuilderError(
                "a message names its row's id twice".into(),
            )),
        }
    }
}

/// Messages cut where a row's id goes ([`RowMark::split`]): topic, text before, text after.
#[derive(Debug, Default)]
pub struct SplitMessages {
    topics: Vec<String>,
    before: Vec<String>,
    after: Vec<String>,
}

impl SplitMessages {
    fn push(&mut self, topic: &str, before: &str, after: &str) {
        self.topics.push(topic.to_owned());
        self.before.push(before.to_owned());
        self.after.push(after.to_owned());
    }

    /// PostgreSQL: `INSERT INTO outbox … SELECT m.topic, m.before || <id> || m.after … FROM
    /// <from>, unnest(…) AS m (topic, before, after)`, for a data-modifying `WITH` part. `id` is
    /// the row's id as `from` names it. The SQL is the same whatever the messages (they are
    /// bound as arrays), so the statement stays prepared.
    pub fn walk_insert<'b>(
        &'b self,
        out: &mut diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
        id: &str,
        from: &str,
        now: &'b i64,
    ) -> QueryResult<()> {
        use diesel::sql_types::{Array, BigInt, Text};
        out.push_sql(
            "INSERT INTO outbox (topic, payload, attempts, next_attempt_at, created_at) \
             SELECT m.topic, m.before || ",
        );
        out.push_sql(id);
        out.push_sql(" || m.after, 0, ");
        out.push_bind_param::<BigInt, _>(now)?;
        out.push_sql(", ");
        out.push_bind_param::<BigInt, _>(now)?;
        out.push_sql(" FROM ");
        out.push_sql(from);
        out.push_sql(", unnest(");
        out.push_bind_param::<Array<Text>, _>(&self.topics)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.before)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.after)?;
        out.push_sql(") AS m (topic, before, after)");
        Ok(())
    }
}

/// PostgreSQL: an `INSERT … RETURNING` and the outbox messages about the row it writes, in one
/// statement (atomic without a transaction: no BEGIN and COMMIT round trips, and the row's locks
/// held for one statement only):
/// `WITH written AS (<insert>), messages AS (INSERT INTO outbox … SELECT topic,
/// before || written.id || after … FROM written, unnest(…)) SELECT * FROM written`.
/// The SQL is the same whatever the messages (they are bound as arrays), so it is kept prepared.
/// The insert must return the row's `id`.
pub struct WithMessages<I> {
    insert: I,
    messages: SplitMessages,
    now: i64,
}

impl<I> WithMessages<I> {
    pub fn new(insert: I, messages: SplitMessages) -> Self {
        Self {
            insert,
            messages,
            now: now_unix(),
        }
    }
}

impl<I> diesel::query_builder::QueryId for WithMessages<I> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<I: diesel::query_builder::Query> diesel::query_builder::Query for WithMessages<I> {
    type SqlType = I::SqlType;
}

impl<I, Conn> RunQueryDsl<Conn> for WithMessages<I> {}

impl<I> diesel::query_builder::QueryFragment<diesel::pg::Pg> for WithMessages<I>
where
    I: diesel::query_builder::QueryFragment<diesel::pg::Pg>,
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> QueryResult<()> {
        out.push_sql("WITH written AS (");
        self.insert.walk_ast(out.reborrow())?;
        out.push_sql("), messages AS (");
        self.messages
            .walk_insert(&mut out, "written.id", "written", &self.now)?;
        out.push_sql(") SELECT * FROM written");
        Ok(())
    }
}

/// Writes the [`NOTICE`] messages of `notice` (see [`notice_messages`]) in one statement.
pub fn enqueue_notice(conn: &mut AnyConnection, notice: &Notice) -> QueryResult<()> {
    enqueue_all(conn, &notice_messages(notice)?)
}

/// Takes up to `limit` undelivered messages of `topic` due by `now`, oldest first, for
/// [`CLAIM_SECS`], in one statement (read and claimed together: one round trip a pass). The
/// read walks the topic's undelivered in their order (`outbox_due`) and stops at the batch; the
/// claim finds each row by its id. On PostgreSQL the rows read are locked and those another
/// replica is taking are skipped, so two replicas never take one message; SQLite has one writer.
pub fn take_due(
    conn: &mut AnyConnection,
    topic: &str,
    now: i64,
    limit: i64,
) -> QueryResult<Vec<Message>> {
    let until = now + CLAIM_SECS;
    let mut taken: Vec<Message> = match conn {
        AnyConnection::Postgresql(conn) => TakeDue {
            topic,
            now,
            limit,
            until,
            columns: Message::as_select(),
        }
        .get_results(conn)?,
        AnyConnection::Sqlite(conn) => {
            // The read names the table under another name: diesel takes no subselect of the
            // table being updated itself.
            let read = diesel::alias!(outbox as due);
            let due = read
                .filter(read.field(outbox::topic).eq(topic))
                .filter(read.field(outbox::delivered_at).is_null())
                .filter(read.field(outbox::next_attempt_at).le(now))
                .order(read.field(outbox::id).asc())
                .limit(limit)
                .select(read.field(outbox::id));
            diesel::update(outbox::table.filter(outbox::id.eq_any(due)))
                .set(outbox::next_attempt_at.eq(until))
                .returning(Message::as_returning())
                .get_results(conn)?
        }
    };
    // RETURNING keeps no order.
    taken.sort_unstable_by_key(|message| message.id);
    Ok(taken)
}

/// [`take_due`] on PostgreSQL: `UPDATE outbox … WHERE id = ANY(ARRAY(SELECT id … ORDER BY id
/// LIMIT … FOR UPDATE SKIP LOCKED)) RETURNING …`. The ids read become one array before the
/// update (an InitPlan), so each row is found by its primary key whatever the planner guesses
/// of the batch's size: as `id IN (SELECT …)`, one plan for any limit joined the batch to a
/// scan of the whole table.
struct TakeDue<'a> {
    topic: &'a str,
    now: i64,
    limit: i64,
    until: i64,
    /// What it returns: a [`Message`]'s columns.
    columns: diesel::dsl::AsSelect<Message, diesel::pg::Pg>,
}

/// Its text never varies, so diesel finds its prepared statement by type.
impl diesel::query_builder::QueryId for TakeDue<'_> {
    type QueryId = TakeDue<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl diesel::query_builder::Query for TakeDue<'_> {
    type SqlType = diesel::dsl::SqlTypeOf<diesel::dsl::AsSelect<Message, diesel::pg::Pg>>;
}

impl<Conn> RunQueryDsl<Conn> for TakeDue<'_> {}

impl diesel::query_builder::QueryFragment<diesel::pg::Pg> for TakeDue<'_> {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> QueryResult<()> {
        use diesel::sql_types::{BigInt, Text};
        out.push_sql("UPDATE outbox SET next_attempt_at = ");
        out.push_bind_param::<BigInt, _>(&self.until)?;
        out.push_sql(" WHERE id = ANY(ARRAY(SELECT id FROM outbox WHERE topic = ");
        out.push_bind_param::<Text, _>(self.topic)?;
        out.push_sql(" AND delivered_at IS NULL AND next_attempt_at <= ");
        out.push_bind_param::<BigInt, _>(&self.now)?;
        out.push_sql(" ORDER BY id LIMIT ");
        out.push_bind_param::<BigInt, _>(&self.limit)?;
        out.push_sql(" FOR UPDATE SKIP LOCKED)) RETURNING ");
        self.columns.walk_ast(out.reborrow())
    }
}

/// Messages written and not yet acknowledged, every topic.
pub fn backlog(conn: &mut AnyConnection) -> QueryResult<i64> {
    outbox::table
        .filter(outbox::delivered_at.is_null())
        .count()
        .get_result(conn)
}

/// Removes the messages their receivers took. A delivered message is of no further use: what it
/// reported is in the tables of the change (a bill, a review) and, once received, in the
/// receiver's. Removing it is one small record where marking it rewrote the row and added an
/// entry to the primary key's index (the marked row could not be updated in place, because
/// `delivered_at` bounds `outbox_due`), and it keeps the table as small as its backlog.
fn delivered(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<usize> {
    if ids.is_empty() {
        return Ok(0);
    }
    diesel::delete(outbox::table.filter(outbox::id.eq_any(ids))).execute(conn)
}

fn failed(
    conn: &mut AnyConnection,
    id: i64,
    next_attempt_at: i64,
    error: &str,
) -> QueryResult<usize> {
    diesel::update(outbox::table.find(id))
        .set((
            outbox::attempts.eq(outbox::attempts + 1),
            outbox::next_attempt_at.eq(next_attempt_at),
            outbox::last_error.eq(error),
        ))
        .execute(conn)
}

/// Hands the messages of `topic` to `deliver` until the task is aborted. `deliver` answers
/// `Ok` once the receiver has the message for good (acknowledged, or refused for good and
/// recorded), `Err` with the reason when it should be tried again later.
///
/// A pass that found a whole batch due is followed at once by the next: a burst (a community's
/// monthly fees, an order per house) drains as fast as the receiver takes it, and the relay
/// waits [`TICK`] only once it has caught up.
pub async fn run<F, Fut>(
    db: Database,
    topic: &'static str,
    metrics: Option<ServiceMetrics>,
    deliver: F,
) where
    F: Fn(Message) -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    run_concurrently(db, topic, metrics, 1, deliver).await;
}

/// [`run`] with up to `at_once` messages of a pass in flight together: for a topic whose
/// messages stand alone (each resident's notice), where handing them over one after another
/// would leave the receiver waiting on each round trip and commit in turn.
pub async fn run_concurrently<F, Fut>(
    db: Database,
    topic: &'static str,
    metrics: Option<ServiceMetrics>,
    at_once: usize,
    deliver: F,
) where
    F: Fn(Message) -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    let deliver = &deliver;
    run_batched(
        db,
        topic,
        metrics,
        move |messages: Vec<Message>| async move {
            futures::stream::iter(messages)
                .map(deliver)
                .buffered(at_once.max(1))
                .collect::<Vec<_>>()
                .await
        },
    )
    .await;
}

/// [`run`] handing each pass's messages over together: `deliver` gets up to a batch (oldest
/// first) and answers each one's outcome, in the same order. For a receiver that takes many
/// in one call (svc-auth records a pass of notices in one transaction).
pub async fn run_batched<F, Fut>(
    db: Database,
    topic: &'static str,
    metrics: Option<ServiceMetrics>,
    deliver: F,
) where
    F: Fn(Vec<Message>) -> Fut,
    Fut: Future<Output = Vec<Result<(), String>>>,
{
    let mut counted_at: Option<Instant> = None;
    loop {
        // The backlog gauge is counted at most once a tick, however fast a burst drains.
        let count = metrics.is_some() && counted_at.is_none_or(|at| at.elapsed() >= TICK);
        let taken = match deliver_due(&db, topic, count, &deliver).await {
            Ok(pass) => {
                if let (Some(metrics), Some(backlog)) = (&metrics, pass.backlog) {
                    metrics.set_outbox_backlog(backlog);
                    counted_at = Some(Instant::now());
                }
                pass.taken
            }
            Err(error) => {
                tracing::warn!(%error, topic, "outbox pass failed");
                0
            }
        };
        if taken < BATCH_ROWS {
            tokio::time::sleep(TICK).await;
        }
    }
}

/// What one pass of [`run`] found.
struct Pass {
    /// Messages taken (a whole batch: more may be waiting).
    taken: usize,
    /// Messages not yet acknowledged, when counted.
    backlog: Option<i64>,
}

/// One pass: the due messages taken in one statement ([`take_due`]), handed over (oldest
/// first), and their outcomes written in one transaction. A replica that stops mid-pass leaves
/// its claimed messages to be handed over again after [`CLAIM_SECS`] (delivery is at least
/// once).
async fn deliver_due<F, Fut>(
    db: &Database,
    topic: &'static str,
    count_backlog: bool,
    deliver: &F,
) -> Result<Pass, DbError>
where
    F: Fn(Vec<Message>) -> Fut,
    Fut: Future<Output = Vec<Result<(), String>>>,
{
    let now = now_unix();
    let (taken, backlog) = db
        .run(move |conn| -> Result<_, DbError> {
            let taken = take_due(conn, topic, now, BATCH)?;
            let backlog = if count_backlog {
                Some(backlog(conn)?)
            } else {
                None
            };
            Ok((taken, backlog))
        })
        .await?;
    let pass = Pass {
        taken: taken.len(),
        backlog,
    };
    if taken.is_empty() {
        return Ok(pass);
    }
    let tried: Vec<(i64, i32)> = taken
        .iter()
        .map(|message| (message.id, message.attempts + 1))
        .collect();
    let mut outcomes = deliver(taken).await.into_iter();
    let mut handed = Vec::with_capacity(tried.len());
    let mut refused = Vec::new();
    for (id, attempts) in tried {
        // A receiver that answered fewer outcomes than it got messages did not take the rest.
        let outcome = outcomes
            .next()
            .unwrap_or_else(|| Err("no outcome answered".to_owned()));
        match outcome {
            Ok(()) => handed.push(id),
            Err(error) => {
                tracing::warn!(id, topic, attempts, %error, "outbox message not delivered; will retry");
                let jitter = rand::rng().random_range(0.5..1.5);
                refused.push((id, backoff_secs(attempts, jitter), error));
            }
        }
    }
    db.run(move |conn| -> Result<_, DbError> {
        if refused.is_empty() {
            // One statement: nothing to make atomic with it.
            delivered(conn, &handed)?;
            return Ok(());
        }
        let now = now_unix();
        crate::db::write_transaction(conn, |conn| -> Result<_, DbError> {
            delivered(conn, &handed)?;
            for (id, backoff, error) in &refused {
                failed(conn, *id, now + backoff, error)?;
            }
            Ok(())
        })
    })
    .await?;
    Ok(pass)
}

/// What a resident should hear of (a subscribe message, 订阅消息), as the service where it
/// happened writes it: who, which event, and the values a template may show. svc-auth maps the
/// kind to a template and keeps only the values that template names.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// The residents (user ids) to tell; one outbox message is written per resident.
    pub users: Vec<i64>,
    pub kind: NoticeKind,
    /// What it is about (物业费, 房屋登记 晨曦家园1-1-101, the repair's words).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The outcome in a few Chinese characters (通过, 已受理, 已确认).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// A reason or a reply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remark: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_fen: Option<i64>,
    /// An order or trade number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// Whom or what it concerns (a house, a plate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// A phone (masked before it is shown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// When it happened (or the time it names, such as a viewing time), unix seconds.
    pub time: i64,
    /// Appended to the template's page (`id=42`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_query: Option<String>,
}

impl Notice {
    /// The notice of a [`NOTICE`] message's payload.
    pub fn from_payload(payload: &str) -> Result<Self, String> {
        serde_json::from_str(payload).map_err(|error| format!("notice payload: {error}"))
    }
}

/// The events residents may subscribe to, one template each.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// A registration's review decided.
    #[default]
    Review,
    /// A new order to pay.
    Order,
    /// A payment received.
    Paid,
    /// A repair's state changed or it was replied to.
    Repair,
    /// A complaint replied to.
    Complaint,
    /// A viewing request confirmed, declined or refunded.
    Viewing,
    /// An announcement published.
    Announcement,
}

impl NoticeKind {
    pub const ALL: [NoticeKind; 7] = [
        Self::Review,
        Self::Order,
        Self::Paid,
        Self::Repair,
        Self::Complaint,
        Self::Viewing,
        Self::Announcement,
    ];

    /// `review`, `order` …: the name in settings and answers.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Review => "review",
            Self::Order => "order",
            Self::Paid => "paid",
            Self::Repair => "repair",
            Self::Complaint => "complaint",
            Self::Viewing => "viewing",
            Self::Announcement => "announcement",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_mark_becomes_the_rows_id_and_is_cut_out_once() {
        let mark = RowMark::default();
        assert_ne!(mark.text(), RowMark::default().text(), "random per row");
        let notice = Notice {
            users: vec![7, 8],
            kind: NoticeKind::Order,
            // What a user wrote cannot stand for the id: only the mark is replaced.
            title: Some("wjdh-row-id-".to_owned()),
            time: 1,
            page_query: Some(format!("id={}", mark.text())),
            ..Notice::default()
        };
        let messages = notice_messages(&notice).expect("serialises");
        let filled = mark.fill(&messages, 42);
        for (topic, payload) in &filled {
            assert_eq!(*topic, NOTICE);
            let read = Notice::from_payload(payload).expect("a notice");
            assert_eq!(read.page_query.as_deref(), Some("id=42"));
            assert_eq!(read.title.as_deref(), Some("wjdh-row-id-"));
        }
        let split = mark.split(&messages).expect("one mark each");
        assert_eq!(split.topics, [NOTICE, NOTICE]);
        let joined = format!("{}42{}", split.before[0], split.after[0]);
        assert_eq!(joined, filled[0].1);
        // A message without the mark, or with it twice, is refused, not written wrong.
        let without = [(NOTICE, "{}".to_owned())];
        assert!(mark.split(&without).is_err());
        let twice = [(NOTICE, format!("{0}{0}", mark.text()))];
        assert!(mark.split(&twice).is_err());
    }

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        assert_eq!(backoff_secs(1, 1.0), 2);
        assert_eq!(backoff_secs(3, 1.0), 8);
        assert_eq!(backoff_secs(30, 1.0), MAX_BACKOFF_SECS);
        assert_eq!(backoff_secs(0, 0.5), 1);
        assert!(backoff_secs(5, 1.49) > 32);
    }

    #[test]
    fn a_notice_round_trips_and_kinds_have_one_name_each() {
        let notice = Notice {
            users: vec![7],
            kind: NoticeKind::Repair,
            title: Some("水管漏水".into()),
            time: 1,
            ..Notice::default()
        };
        let text = serde_json::to_string(&notice).expect("json");
        assert_eq!(serde_json::from_str::<Notice>(&text).expect("back"), notice);
        for kind in NoticeKind::ALL {
            assert_eq!(NoticeKind::parse(kind.as_str()), Some(kind));
        }
    }
}
