//! The `Viewings` service: unpack, run the action, convert.
use std::sync::Arc;

use kit::error::ServiceError;
use proto::viewings::viewings_server::Viewings;
use proto::viewings::*;
use tonic::{Request, Response, Status};

use crate::actions::State;
use crate::actions::alipay_users;
use crate::actions::payouts::{self, USER_ID};
use crate::actions::viewings::{self, CONFIRMED, DECLINED, PAID, REFUNDED, UNPAID};
use crate::db::payouts::{FAILED, PayoutRow, SUCCEEDED};
use crate::db::viewings::ViewingRow;

/// The service behind `ViewingsServer`.
#[derive(Clone)]
pub struct ViewingsService(Arc<State>);

impl ViewingsService {
    pub fn new(state: Arc<State>) -> Self {
        Self(state)
    }
}

type Answer<T> = Result<Response<T>, Status>;

fn done<T>(result: Result<T, ServiceError>) -> Answer<T> {
    result.map(Response::new).map_err(Status::from)
}

fn list(rows: Vec<ViewingRow>) -> ViewingList {
    ViewingList {
        viewings: rows.into_iter().map(viewing).collect(),
    }
}

#[tonic::async_trait]
impl Viewings for ViewingsService {
    async fn create(&self, r: Request<CreateViewingRequest>) -> Answer<Viewing> {
        done(
            viewings::create(&self.0, proto::caller::checked(r)?)
                .await
                .map(viewing),
        )
    }

    async fn mine(&self, r: Request<Caller>) -> Answer<ViewingList> {
        done(
            viewings::mine(&self.0, proto::caller::checked(r)?)
                .await
                .map(list),
        )
    }

    async fn alipay_payment_url(&self, r: Request<PaymentUrlRequest>) -> Answer<PaymentUrl> {
        done(
            viewings::alipay_url(&self.0, proto::caller::checked(r)?)
                .await
                .map(|payment_url| PaymentUrl { payment_url }),
        )
    }

    async fn alipay_notification(&self, r: Request<AlipayNotice>) -> Answer<AlipayAnswer> {
        let taken = viewings::alipay_notification(&self.0, proto::caller::checked(r)?).await;
        Ok(Response::new(AlipayAnswer { taken }))
    }

    async fn wechat_pay(&self, r: Request<WechatPayRequest>) -> Answer<WechatPayParams> {
        done(
            viewings::wechat_pay(&self.0, proto::caller::checked(r)?)
                .await
                .map(|p| WechatPayParams {
                    app_id: p.app_id,
                    time_stamp: p.time_stamp,
                    nonce_str: p.nonce_str,
                    package: p.package,
                    sign_type: p.sign_type,
                    pay_sign: p.pay_sign,
                }),
        )
    }

    async fn confirm(&self, r: Request<ConfirmViewingRequest>) -> Answer<Viewing> {
        done(
            viewings::confirm(&self.0, proto::caller::checked(r)?)
                .await
                .map(viewing),
        )
    }

    async fn decline(&self, r: Request<DeclineViewingRequest>) -> Answer<Viewing> {
        done(
            viewings::decline(&self.0, proto::caller::checked(r)?)
                .await
                .map(viewing),
        )
    }

    async fn of_owner(&self, r: Request<Caller>) -> Answer<ViewingList> {
        done(
            viewings::of_owner(&self.0, proto::caller::checked(r)?)
                .await
                .map(list),
        )
    }

    async fn alipay_auth_url(&self, r: Request<Caller>) -> Answer<AlipayAuthUrlReply> {
        done(
            alipay_users::auth_url(&self.0, proto::caller::checked(r)?)
                .await
                .map(|auth_url| AlipayAuthUrlReply { auth_url }),
        )
    }

    async fn alipay_authorized(&self, r: Request<AlipayAuthorization>) -> Answer<AlipayBinding> {
        done(
            alipay_users::authorized(&self.0, proto::caller::checked(r)?)
                .await
                .map(|()| AlipayBinding { bound: true }),
        )
    }

    async fn alipay_binding_status(&self, r: Request<Caller>) -> Answer<AlipayBinding> {
        done(
            alipay_users::is_bound(&self.0, proto::caller::checked(r)?)
                .await
                .map(|bound| AlipayBinding { bound }),
        )
    }

    async fn zhima(&self, r: Request<ZhimaRequest>) -> Answer<ZhimaScore> {
        done(
            alipay_users::zhima(&self.0, proto::caller::checked(r)?)
                .await
                .map(|(score, fetched_at)| ZhimaScore { score, fetched_at }),
        )
    }

    async fn pay_to_customer(&self, r: Request<PayoutRequest>) -> Answer<Payout> {
        done(
            payouts::pay(&self.0, proto::caller::checked(r)?)
                .await
                .map(payout),
        )
    }

    async fn payouts(&self, r: Request<PayoutsRequest>) -> Answer<PayoutList> {
        done(
            payouts::list(&self.0, proto::caller::checked(r)?)
                .await
                .map(|rows| PayoutList {
                    payouts: rows.into_iter().map(payout).collect(),
                }),
        )
    }
}

fn payout(row: PayoutRow) -> Payout {
    let state = match row.state.as_str() {
        SUCCEEDED => PayoutState::Succeeded,
        FAILED => PayoutState::Failed,
        _ => PayoutState::Pending,
    };
    let payee_type = if row.payee_type == USER_ID {
        PayeeType::UserId
    } else {
        PayeeType::LogonId
    };
    Payout {
        order_id: row.order_id,
        out_biz_no: row.out_biz_no,
        xiaoqu: row.community_identifier,
        owner_id: row.owner_id,
        payee_type: payee_type as i32,
        payee_account: row.payee_account,
        payee_name: row.payee_name,
        amount_fen: row.amount_fen,
        remark: row.remark,
        state: state as i32,
        alipay_order_id: row.alipay_order_id.unwrap_or_default(),
        failure: row.failure,
        created_at: row.created_at,
        paid_at: row.paid_at.unwrap_or(0),
    }
}

fn viewing(row: ViewingRow) -> Viewing {
    let status = match row.status.as_str() {
        UNPAID => ViewingStatus::Unpaid,
        PAID => ViewingStatus::Paid,
        CONFIRMED => ViewingStatus::Confirmed,
        DECLINED => ViewingStatus::Declined,
        REFUNDED => ViewingStatus::Refunded,
        _ => ViewingStatus::Unspecified,
    };
    Viewing {
        id: row.id,
        house_id: row.listing_id,
        owner_id: row.owner_id,
        seeker_id: row.seeker_id,
        house_title: row.house_title,
        status: status as i32,
        fee_fen: row.fee_fen,
        wished_times: serde_json::from_str(&row.wished_times).unwrap_or_default(),
        viewing_time: row.viewing_time.unwrap_or(0),
        reason: row.reason,
        created_at: row.created_at,
        paid_at: row.paid_at.unwrap_or(0),
    }
}
