//! Domain rows → messages.
use proto::orders as pb;

use crate::actions::bills::BillPage;
use crate::actions::orders::OrderPage;
use crate::db::orders::{self, OrderRow, ShownOrder};

pub fn order(row: OrderRow) -> pb::Order {
    shown(ShownOrder::from(row))
}

/// An order as the lists show it.
pub fn shown(row: ShownOrder) -> pb::Order {
    pb::Order {
        id: row.id,
        number: row.order_number,
        title: row.title,
        amount_fen: row.amount_fen,
        open: row.status == orders::OPEN,
        paied: row.paied,
        remark: row.remark,
        extra: row.extra,
        house: row.house_introduction,
        manager: row.manager,
        shop_number: String::new(),
        house_id: row.house_id.unwrap_or_default(),
    }
}

pub fn order_page(page: OrderPage) -> pb::OrderPage {
    pb::OrderPage {
        orders: page
            .rows
            .into_iter()
            .map(|(row, shop)| pb::Order {
                shop_number: shop,
                ..shown(row)
            })
            .collect(),
        page: page.paging.page,
        per_page: page.paging.per_page,
        total: page.total,
        version: page.version,
        unchanged: page.unchanged,
    }
}

/// Each bill with the orders it paid, which show the bill's 商户单号.
pub fn bill_page(page: BillPage) -> pb::BillPage {
    pb::BillPage {
        bills: page
            .bills
            .into_iter()
            .map(|(bill, paid)| pb::Bill {
                id: bill.id,
                total_amount_fen: bill.total_amount_fen,
                paid_at: bill.paid_at,
                orders: paid
                    .into_iter()
                    .map(|row| pb::Order {
                        shop_number: bill.payment_shop_number.clone(),
                        ..order(row)
                    })
                    .collect(),
                payment_number: bill.payment_number,
                payment_shop_number: bill.payment_shop_number,
            })
            .collect(),
        page: page.paging.page,
        per_page: page.paging.per_page,
        total: page.total,
    }
}
