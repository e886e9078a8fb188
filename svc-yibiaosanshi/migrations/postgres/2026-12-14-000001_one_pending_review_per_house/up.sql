-- A user waits for at most one review of a house (修改个人信息 aside): the rule submissions
-- check, now kept by the database too, so two requests filed at the same moment (a double tap,
-- two replicas) cannot both be written; the second is refused as the first is pending. A pair
-- that slipped in before is settled here: the oldest request waits, the later ones are refused.
UPDATE reviews
SET status = 0,
    refuse_reason = '重复提交：该房屋已有待审核的申请',
    updated_at = CAST(EXTRACT(EPOCH FROM now()) AS BIGINT)
WHERE status = 2
  AND shenhe_type <> '修改个人信息'
  AND house_id IS NOT NULL
  AND id NOT IN (
      SELECT MIN(id) FROM reviews
      WHERE status = 2 AND shenhe_type <> '修改个人信息' AND house_id IS NOT NULL
      GROUP BY user_id, house_id
  );
CREATE UNIQUE INDEX reviews_one_pending_per_house ON reviews (user_id, house_id)
    WHERE status = 2 AND shenhe_type <> '修改个人信息';
