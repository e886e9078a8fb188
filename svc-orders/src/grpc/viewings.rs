//! The `Viewings` service: unpack, run the action, convert.
use std::sync::Arc;

use kit::error::ServiceError;
use proto::viewings::viewings_server::Viewings;
use proto::viewings::*;
use tonic::{Request, Response, Status};

use crate::actions::State;
use crate::actions::viewings::{self, CONFIRMED, DECLINED, PAID, REFUNDED, UNPAID};
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
