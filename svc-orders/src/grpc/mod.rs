//! The gRPC face: check the caller, run the action, turn its rows into messages.
mod convert;
pub mod viewings;

use std::sync::Arc;

use kit::error::ServiceError;
use proto::orders::orders_server::Orders;
use proto::orders::*;
use tonic::{Request, Response, Status};

use crate::actions::{State, bills, closing, orders, payment, refunds};

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

    async fn refund_notification(
        &self,
        r: Request<NotificationRequest>,
    ) -> Answer<NotificationReply> {
        Ok(Response::new(
            refunds::wechat_notification(&self.0, proto::caller::checked(r)?).await,
        ))
    }
}
