DROP TRIGGER orders_counted_delete ON orders;
DROP TRIGGER orders_counted_update ON orders;
DROP TRIGGER orders_counted_insert ON orders;
DROP FUNCTION orders_counted_delete();
DROP FUNCTION orders_counted_update();
DROP FUNCTION orders_counted_insert();
DROP TABLE order_counts;
