//! The gRPC face: check the caller, run the action, turn its rows into messages.
mod convert;
pub mod viewings;

use std::sync::Arc;

use kit::error::ServiceError;
use proto::orders::orders_server::Orders;
use proto::orders::*;
use tonic::{Request, Response, Status};

use crate::actions::{State, bill_refunds, bills, closing, orders, payment, refunds};
use crate::db::refunds::RefundRow;

/// The service behind `OrdersServer`.
#[derive(Clone)]
pub struct OrdersService(Arc<State>);

impl OrdersService {
    pub fn new(state: Arc<State>) -> Self {
        Self(state)
    }
}

type Answer<T> = Result<Response<T>, Status>;

fn done<T>(result: Result<T, ServiceError>) -> Answer<T> {
    result.map(Response::new).map_err(Status::from)
}

#[tonic::async_trait]
impl Orders for OrdersService {
    async fn create_order(&self, r: Request<CreateOrderRequest>) -> Answer<CreateOrderReply> {
        let order_number = orders::create(&self.0, proto::caller::checked(r)?).await;
        done(order_number.map(|order_number| CreateOrderReply { order_number }))
    }

    async fn list_orders(&self, r: Request<ListOrdersRequest>) -> Answer<OrderPage> {
        let page = orders::list(&self.0, proto::caller::checked(r)?).await;
        done(page.map(convert::order_page))
    }

    async fn resident_orders(&self, r: Request<ResidentOrdersRequest>) -> Answer<OrderPage> {
        let page = orders::for_resident(&self.0, proto::caller::checked(r)?).await;
        done(page.map(convert::order_page))
    }

    async fn pay(&self, r: Request<PayRequest>) -> Answer<PayReply> {
        done(payment::pay(&self.0, proto::caller::checked(r)?).await)
    }

    async fn close_order(&self, r: Request<CloseOrderRequest>) -> Answer<Order> {
        let closed = closing::close_order(&self.0, proto::caller::checked(r)?).await;
        done(closed.map(convert::order))
    }

    async fn resident_bills(&self, r: Request<ResidentOrdersRequest>) -> Answer<BillPage> {
        let page = bills::for_resident(&self.0, proto::caller::checked(r)?).await;
        done(page.map(convert::bill_page))
    }

    async fn list_bills(&self, r: Request<ListBillsRequest>) -> Answer<BillPage> {
        let page = bills::for_platform(&self.0, proto::caller::checked(r)?).await;
        done(page.map(convert::bill_page))
    }

    async fn payment_notification(
        &self,
        r: Request<NotificationRequest>,
    ) -> Answer<NotificationReply> {
        Ok(Response::new(
            payment::notification(&self.0, proto::caller::checked(r)?).await,
        ))
    }

    async fn refund_bill(&self, r: Request<RefundBillRequest>) -> Answer<BillRefund> {
        done(
            bill_refunds::refund_bill(&self.0, proto::caller::checked(r)?)
                .await
                .map(bill_refund),
        )
    }

    async fn bill_refunds(&self, r: Request<BillRefundsRequest>) -> Answer<BillRefundList> {
        done(
            bill_refunds::list(&self.0, proto::caller::checked(r)?)
                .await
                .map(|rows| BillRefundList {
                    refunds: rows.into_iter().map(bill_refund).collect(),
                }),
        )
    }

    async fn refund_notification(
        &self,
        r: Request<NotificationRequest>,
    ) -> Answer<NotificationReply> {
        Ok(Response::new(
            refunds::wechat_notification(&self.0, proto::caller::checked(r)?).await,
        ))
    }
}

fn bill_refund(row: RefundRow) -> BillRefund {
    BillRefund {
        bill_id: row.bill_id.unwrap_or(0),
        refund_number: row.request_no.unwrap_or_default(),
        out_refund_no: row.out_refund_no,
        amount_fen: row.amount_fen,
        reason: row.reason,
        state: row.state,
        failure: row.failure,
        created_at: row.created_at,
        refunded_at: row.refunded_at.unwrap_or(0),
    }
}
