DROP TABLE car_transfers;
