//! The gRPC face: unpack, run the action, answer.
use std::sync::Arc;

use kit::error::ServiceError;
use proto::orders::orders_server::Orders;
use proto::orders::*;
use tonic::{Request, Response, Status};

use crate::actions::{self, State};

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
        done(actions::create(&self.0, proto::caller::checked(r)?).await)
    }

    async fn list_orders(&self, r: Request<ListOrdersRequest>) -> Answer<OrderPage> {
        done(actions::list(&self.0, proto::caller::checked(r)?).await)
    }

    async fn resident_orders(&self, r: Request<ResidentOrdersRequest>) -> Answer<OrderPage> {
        done(actions::for_resident(&self.0, proto::caller::checked(r)?).await)
    }

    async fn pay(&self, r: Request<PayRequest>) -> Answer<PayReply> {
        done(crate::payment::pay(&self.0, proto::caller::checked(r)?).await)
    }

    async fn close_order(&self, r: Request<CloseOrderRequest>) -> Answer<Order> {
        done(crate::closing::close_order(&self.0, proto::caller::checked(r)?).await)
    }

    async fn resident_bills(&self, r: Request<ResidentOrdersRequest>) -> Answer<BillPage> {
        done(crate::bills::for_resident(&self.0, proto::caller::checked(r)?).await)
    }

    async fn list_bills(&self, r: Request<ListBillsRequest>) -> Answer<BillPage> {
        done(crate::bills::for_platform(&self.0, proto::caller::checked(r)?).await)
    }

    async fn payment_notification(
        &self,
        r: Request<NotificationRequest>,
    ) -> Answer<NotificationReply> {
        Ok(Response::new(
            crate::payment::notification(&self.0, proto::caller::checked(r)?).await,
        ))
    }
}
