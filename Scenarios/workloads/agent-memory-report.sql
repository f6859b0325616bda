-- One row per run of Scenarios/workloads/agent-memory.toml: what the records cost and how they read.
-- WAL = storage payments + write fees paid by the clients; USD at an assumed 0.40 USD per WAL.
WITH runs_ AS (
  SELECT run_id, CAST(json_extract(parameters_json, '$."workload.memory.quilt_batch"') AS INTEGER) AS quilt_batch FROM runs
), spent AS (
  SELECT run_id, sum(amount_frost) / 1e9 AS wal FROM flows WHERE kind IN ('storage_payment', 'write_fee') GROUP BY run_id
), stored AS (
  SELECT run_id, count(*) AS blobs, sum(records) AS records, sum(size_bytes) AS quilt_bytes, sum(encoded_size_bytes) AS encoded_bytes
  FROM blobs WHERE certified_ns IS NOT NULL GROUP BY run_id
), tx AS (
  SELECT run_id, max(CASE WHEN name = 'client_transactions' THEN value END) AS client_tx,
         max(CASE WHEN name = 'certified_record_bytes' THEN value END) AS record_bytes
  FROM metrics WHERE name IN ('client_transactions', 'certified_record_bytes') GROUP BY run_id
), reads AS (
  SELECT run_id, (end_ns - start_ns) / 1e9 AS s, bytes,
         row_number() OVER (PARTITION BY run_id ORDER BY end_ns - start_ns) AS k, count(*) OVER (PARTITION BY run_id) AS n
  FROM ops WHERE kind = 'read' AND outcome = 'success'
)
SELECT r.quilt_batch, s.blobs, s.records, t.client_tx,
       printf('%.3f', p.wal) AS wal,
       printf('%.2e', p.wal / s.records) AS wal_per_record,
       printf('%.2f', p.wal / (t.record_bytes / 1e9)) AS wal_per_gb,
       printf('%.2e', 0.40 * p.wal / s.records) AS usd_per_record,
       printf('%.1f', s.encoded_bytes * 1.0 / s.records / 1024) AS stored_kib_per_record,
       printf('%.3f', (SELECT s FROM reads q WHERE q.run_id = r.run_id AND q.k = (q.n + 1) / 2)) AS read_p50_s,
       printf('%.1f', (SELECT avg(bytes) FROM reads q WHERE q.run_id = r.run_id) / 1024) AS read_kib
FROM runs_ r JOIN spent p USING (run_id) JOIN stored s USING (run_id) JOIN tx t USING (run_id)
ORDER BY r.quilt_batch;
