DROP TABLE viewing_requests;
