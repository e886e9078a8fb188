DROP INDEX payouts_of_community;
DROP TABLE payouts;
DROP TABLE alipay_users;
