DROP TABLE bills;
DROP TABLE payments;
DROP TABLE orders;
