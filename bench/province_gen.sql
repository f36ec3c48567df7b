-- bench/province_gen.sql - province-scale tickets and assignments, generated
-- in PostgreSQL with set-based SQL for bench/province.sh.
--
--   psql URL -v tickets=N -v t_now=EPOCH -v prefix=62 -v msgs=FILE -f bench/province_gen.sql
--
-- prepares schema xt_bench (helper tables and functions) in a database the
-- xietong CLI has already migrated and loaded with the province's units,
-- calendar, categories and departments. Then bench/province.sh calls, each
-- in its own transaction:
--
--   SELECT xt_bench.drop_indexes();     secondary indexes and the foreign key off
--   SELECT xt_bench.gen(LO, HI);        tickets LO..HI (ids) and one assignment each
--   SELECT xt_bench.restore_indexes();  the same definitions back, as saved
--   SELECT xt_bench.finish();           identity sequences, ticket_counters
--   DROP SCHEMA xt_bench CASCADE;
--
-- What the data look like (deterministic: every draw is a hash of the id):
--   - N tickets over the 365 local days ending at t_now - 1 h, 07:00-22:00
--     (UTC+8, as the engine's days), fewer on weekends (0.75) and holidays
--     (0.6) of the calendar table; numbers YYYYMMDD-NNNNN in time order,
--     ticket_counters set to each day's last sequence number.
--   - located on a village drawn uniformly among the province's villages
--     (so a township gets tickets in proportion to its villages); category
--     drawn with fixed weights (45 % route "local" = the village's
--     township, 55 % a department of its county, as the routing table
--     resolves them); request type, channel, urgency drawn with fixed
--     shares.
--   - dispatched 5-60 min after creation to that unit (lead = handler), one
--     assignment row per ticket with the same times; deadlines approximated
--     by the clock (sign-for 2 h or the category's minutes, urgent 30 min;
--     resolution working days x 7/5 calendar days, urgent 24 h), not by
--     office hours.
--   - state by age: < 1 day dispatched/signed/replied, < 15 days also closed
--     and returned, older ones closed (98.5 %), merged or still signed.
--     Each handling unit has its own on-time, resolution and satisfaction
--     propensities (a hash of its code), so rates differ and the ranking
--     means something. Late signing or reply, and open tickets past their
--     deadline, are escalated as the server's sweep would have done.
--   - texts: the real citizen messages of data/demo/messages.csv; no sealed
--     contact (no key in SQL): only the masked name and phone are filled.
--   - no timeline events and no audit rows are generated.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS xt_bench CASCADE;
CREATE SCHEMA xt_bench;

CREATE TABLE xt_bench.param AS
SELECT :tickets::bigint AS tickets, :t_now::bigint AS t_now, :'prefix'::text AS prefix;

-- The days: local (UTC+8) midnights as Unix seconds; tickets between 07:00
-- and 22:00 and before t_now - 1 h.
CREATE TABLE xt_bench.day AS
WITH p AS (
    SELECT tickets, t_now - 3600 AS t_end,
           ((t_now - 3600 + 28800) / 86400)::int AS end_day FROM xt_bench.param
), d AS (
    SELECT p.end_day - k AS dn, p.t_end, p.tickets
    FROM p, generate_series(0, 364) k
), w AS (
    SELECT d.dn, date '1970-01-01' + d.dn AS day, d.tickets,
           d.dn::bigint * 86400 - 28800 + 25200 AS w0,
           least(d.dn::bigint * 86400 - 28800 + 79200, d.t_end) AS w1
    FROM d
), x AS (
    SELECT w.*,
           greatest(w.w1 - w.w0, 0)::float8 / 54000 *
               CASE c.kind WHEN 'holiday' THEN 0.6 WHEN 'workday' THEN 1.0
                   ELSE CASE WHEN extract(isodow FROM w.day) IN (6, 7) THEN 0.75 ELSE 1.0 END
               END AS weight
    FROM w LEFT JOIN calendar c ON c.day = to_char(w.day, 'YYYY-MM-DD')
), c AS (
    SELECT x.*, round(x.tickets * sum(x.weight) OVER (ORDER BY x.dn)
                      / sum(x.weight) OVER ())::bigint AS cum
    FROM x
)
SELECT dn, day, to_char(day, 'YYYYMMDD') AS daystr,
       to_char(day, 'YYYYMM')::int AS month, w0, w1,
       cum - coalesce(lag(cum) OVER (ORDER BY dn), 0) AS cnt,
       coalesce(lag(cum) OVER (ORDER BY dn), 0) + 1 AS first_i
FROM c;

-- The places: every village of the province, numbered 0..n-1.
CREATE TABLE xt_bench.place AS
SELECT (row_number() OVER (ORDER BY v.code) - 1)::int AS pn, v.code AS village,
       t.code AS township, t.parent AS county
FROM units v JOIN units t ON t.code = v.parent
WHERE v.level = 5 AND t.level = 4 AND v.code LIKE (SELECT prefix FROM xt_bench.param) || '%';
CREATE UNIQUE INDEX ON xt_bench.place(pn);

-- The county departments by route key, as `xietong import departments` made them.
CREATE TABLE xt_bench.dept AS
SELECT parent AS county, dept_key AS key, code FROM units WHERE level = 7 AND dept_key IS NOT NULL;

-- Categories in 200 slots (weights in half-percent): 45 % "local".
CREATE TABLE xt_bench.catslot AS
WITH w(code, n) AS (VALUES ('C16', 50), ('C08', 24), ('C11', 16), ('C01', 24), ('C05', 16),
                           ('C02', 14), ('C09', 12), ('C07', 10), ('C03', 8), ('C06', 8),
                           ('C10', 6), ('C12', 4), ('C04', 4), ('C15', 2), ('C13', 1), ('C14', 1))
SELECT (row_number() OVER (ORDER BY w.code, k) - 1)::int AS slot, c.code, c.route,
       c.sign_minutes, c.resolve_days
FROM w JOIN categories c ON c.code = w.code, generate_series(1, w.n) k;

-- Request types in 20 slots: consult 15 %, help 35 %, complaint 35 %,
-- report 5 %, suggestion 10 %; resolution working days as reqtype.h.
CREATE TABLE xt_bench.typeslot AS
WITH w(type, n, days) AS (VALUES (0, 3, 1), (1, 7, 3), (2, 7, 10), (3, 1, 10), (4, 2, 15))
SELECT (row_number() OVER (ORDER BY w.type, k) - 1)::int AS slot, w.type, w.days
FROM w, generate_series(1, w.n) k;

-- Each handling unit's propensities, fixed by a hash of its code.
CREATE TABLE xt_bench.unitq AS
SELECT code,
       0.70 + 0.29 * ((hashtext(code || '/sign') & 2147483647) % 10000) / 10000.0::float8 AS qs,
       0.65 + 0.33 * ((hashtext(code || '/reply') & 2147483647) % 10000) / 10000.0::float8 AS qr,
       0.60 + 0.38 * ((hashtext(code || '/resolve') & 2147483647) % 10000) / 10000.0::float8 AS qv,
       0.55 + 0.43 * ((hashtext(code || '/satisfied') & 2147483647) % 10000) / 10000.0::float8 AS qsat
FROM units WHERE level IN (4, 7) AND code LIKE (SELECT prefix FROM xt_bench.param) || '%';
CREATE UNIQUE INDEX ON xt_bench.unitq(code);

-- Real citizen messages for the texts.
CREATE TABLE xt_bench.msg_raw (source text, id text, title text, text text, category text, type text);
-- (\copy does not expand variables: build the command in one.)
\set copy_msgs '\\copy xt_bench.msg_raw FROM ' :'msgs' ' WITH (FORMAT csv, HEADER true)'
:copy_msgs
CREATE TABLE xt_bench.msg AS
SELECT (row_number() OVER (ORDER BY source, id) - 1)::int AS mn, text FROM xt_bench.msg_raw
WHERE length(text) > 0;
CREATE UNIQUE INDEX ON xt_bench.msg(mn);

CREATE TABLE xt_bench.counts AS
SELECT (SELECT count(*) FROM xt_bench.place)::int AS places,
       (SELECT count(*) FROM xt_bench.msg)::int AS msgs;
ANALYZE xt_bench.day, xt_bench.place, xt_bench.dept, xt_bench.catslot, xt_bench.typeslot,
        xt_bench.unitq, xt_bench.msg, xt_bench.counts;

-- Secondary indexes and the assignments -> tickets foreign key are dropped
-- for the load and rebuilt afterwards from their saved definitions
-- (primary keys and the unique ticket number stay: ids and numbers grow
-- in load order, so they are appended to).
CREATE TABLE xt_bench.saved (kind text, tbl text, name text, def text);

CREATE FUNCTION xt_bench.drop_indexes() RETURNS int LANGUAGE plpgsql AS $$
DECLARE r record; n int := 0;
BEGIN
    INSERT INTO xt_bench.saved
    SELECT 'fk', conrelid::regclass::text, conname, pg_get_constraintdef(oid)
    FROM pg_constraint WHERE contype = 'f' AND conrelid IN ('tickets'::regclass, 'assignments'::regclass)
        AND confrelid = 'tickets'::regclass;
    INSERT INTO xt_bench.saved
    SELECT 'index', i.tablename, i.indexname, i.indexdef
    FROM pg_indexes i JOIN pg_class c ON c.relname = i.indexname
        JOIN pg_index x ON x.indexrelid = c.oid
    WHERE i.schemaname = 'public' AND i.tablename IN ('tickets', 'assignments')
        AND NOT x.indisunique AND NOT x.indisprimary;
    FOR r IN SELECT * FROM xt_bench.saved WHERE kind = 'fk' LOOP
        EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', r.tbl, r.name);
        n := n + 1;
    END LOOP;
    FOR r IN SELECT * FROM xt_bench.saved WHERE kind = 'index' LOOP
        EXECUTE format('DROP INDEX %I', r.name);
        n := n + 1;
    END LOOP;
    RETURN n;
END $$;

CREATE FUNCTION xt_bench.restore_index(idx text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
    SELECT * INTO r FROM xt_bench.saved WHERE kind = 'index' AND name = idx;
    EXECUTE r.def;
    RETURN r.def;
END $$;

CREATE FUNCTION xt_bench.restore_fks() RETURNS int LANGUAGE plpgsql AS $$
DECLARE r record; n int := 0;
BEGIN
    FOR r IN SELECT * FROM xt_bench.saved WHERE kind = 'fk' LOOP
        EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I %s', r.tbl, r.name, r.def);
        n := n + 1;
    END LOOP;
    RETURN n;
END $$;

-- A ticket number as the store makes it: "%.4s%.2s%.2s-%05ld".
CREATE FUNCTION xt_bench.number(daystr text, seq bigint) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT daystr || '-' || CASE WHEN seq < 100000 THEN lpad(seq::text, 5, '0') ELSE seq::text END $$;

-- Tickets with ids lo..hi (1-based, in time order) and their assignments.
-- (jit off: compiling this plan's expressions takes LLVM half a minute.)
CREATE FUNCTION xt_bench.gen(lo bigint, hi bigint) RETURNS bigint LANGUAGE sql SET jit = off AS $fn$
-- (Each step ends in OFFSET 0 so that the planner does not fold the steps
-- into one projection that recomputes every expression where it is used.)
WITH g AS (
    SELECT d.daystr, d.month, s AS seq, d.first_i + s - 1 AS i,
           d.w0 + (d.w1 - d.w0) * (2 * s - 1) / (2 * d.cnt) AS created_at
    FROM xt_bench.day d
    CROSS JOIN LATERAL generate_series(greatest(1, lo - d.first_i + 1),
                                       least(d.cnt, hi - d.first_i + 1)) s
    WHERE d.cnt > 0 AND d.first_i <= hi AND d.first_i + d.cnt - 1 >= lo
), h AS (
    SELECT g.*,
           hashint8extended(g.i, 1) & 9223372036854775807 AS h1,
           hashint8extended(g.i, 2) & 9223372036854775807 AS h2,
           hashint8extended(g.i, 3) & 9223372036854775807 AS h3,
           hashint8extended(g.i, 4) & 9223372036854775807 AS h4,
           hashint8extended(g.i, 5) & 9223372036854775807 AS h5,
           hashint8extended(g.i, 6) & 9223372036854775807 AS h6
    FROM g
), b AS (
    SELECT h.daystr, h.month, h.seq, h.i, h.created_at, h.h5,
           (h.h1 & 1048575) % n.places AS r_place,
           ((h.h1 >> 20) & 1048575) % 200 AS r_cat,
           ((h.h1 >> 40) & 1048575) % 20 AS r_type,
           (h.h2 & 1048575) % n.msgs AS r_msg,
           ((h.h2 >> 20) & 1048575)::float8 / 1048576 AS u_chan,
           ((h.h2 >> 40) & 1048575)::float8 / 1048576 AS u_urgent,
           (h.h3 & 1048575)::float8 / 1048576 AS u_state,
           ((h.h3 >> 20) & 1048575)::float8 / 1048576 AS u_sign,
           ((h.h3 >> 40) & 1048575)::float8 / 1048576 AS u_reply,
           (h.h4 & 1048575)::float8 / 1048576 AS u_res,
           ((h.h4 >> 20) & 1048575)::float8 / 1048576 AS u_sat,
           ((h.h4 >> 40) & 1048575)::float8 / 1048576 AS u_call,
           (h.h5 & 1048575)::float8 / 1048576 AS f1,
           ((h.h5 >> 20) & 1048575)::float8 / 1048576 AS f2,
           ((h.h5 >> 40) & 1048575)::float8 / 1048576 AS f3,
           (h.h6 & 1048575)::float8 / 1048576 AS u_resolved,
           ((h.h6 >> 20) & 1048575)::float8 / 1048576 AS f4
    FROM h, xt_bench.counts n OFFSET 0
), j AS (
    SELECT b.*, pl.village, pl.township, c.code AS category, ty.type,
           CASE WHEN c.route = 'local' THEN pl.township ELSE coalesce(dp.code, pl.township) END AS lead,
           CASE WHEN c.sign_minutes > 0 THEN c.sign_minutes ELSE 120 END AS sign_min,
           CASE WHEN c.resolve_days > 0 THEN c.resolve_days ELSE ty.days END AS days,
           m.text,
           CASE WHEN b.u_chan < 0.70 THEN 0 WHEN b.u_chan < 0.90 THEN 1
                WHEN b.u_chan < 0.98 THEN 2 ELSE 3 END AS channel,
           (b.u_urgent < 0.02) AS urgent,
           p.t_now
    FROM b
    JOIN xt_bench.place pl ON pl.pn = b.r_place
    JOIN xt_bench.catslot c ON c.slot = b.r_cat
    JOIN xt_bench.typeslot ty ON ty.slot = b.r_type
    JOIN xt_bench.msg m ON m.mn = b.r_msg
    LEFT JOIN xt_bench.dept dp ON dp.county = pl.county AND dp.key = c.route
    CROSS JOIN xt_bench.param p OFFSET 0
), k AS (
    SELECT j.*, q.qs, q.qr, q.qv, q.qsat,
           j.created_at + 300 + (j.f1 * 3300)::bigint AS dispatched_at,
           j.t_now - j.created_at AS age
    FROM j JOIN xt_bench.unitq q ON q.code = j.lead OFFSET 0
), s AS (
    SELECT k.*,
           k.dispatched_at + CASE WHEN k.urgent THEN 1800 ELSE k.sign_min * 60 END AS sign_by,
           k.dispatched_at + CASE WHEN k.urgent THEN 86400 ELSE k.days * 86400 * 7 / 5 END AS resolve_by,
           CASE WHEN k.age < 86400 THEN
                    CASE WHEN k.u_state < 0.15 THEN 1 WHEN k.u_state < 0.55 THEN 2 ELSE 3 END
                WHEN k.age < 15 * 86400 THEN
                    CASE WHEN k.u_state < 0.10 THEN 2 WHEN k.u_state < 0.35 THEN 3
                         WHEN k.u_state < 0.37 THEN 5 ELSE 4 END
                ELSE CASE WHEN k.u_state < 0.005 THEN 2 WHEN k.u_state < 0.015 AND k.seq > 1 THEN 6
                          ELSE 4 END
           END AS state
    FROM k OFFSET 0
), t1 AS (
    SELECT s.*,
           CASE WHEN s.state IN (2, 3, 4, 6) THEN
               least(CASE WHEN s.u_sign < s.qs
                          THEN s.dispatched_at + (s.f2 * (s.sign_by - s.dispatched_at))::bigint
                          ELSE s.sign_by + 60 + (s.f2 * 21600)::bigint END, s.t_now - 2)
           END AS signed_at
    FROM s OFFSET 0
), t2 AS (
    SELECT t1.*,
           CASE WHEN t1.state IN (3, 4) THEN
               greatest(least(CASE WHEN t1.u_reply < t1.qr
                                   THEN t1.signed_at + 600 + (t1.f3 * t1.f3 *
                                        greatest(t1.resolve_by - t1.signed_at - 600, 0))::bigint
                                   ELSE t1.resolve_by + 3600 + (t1.f3 * 259200)::bigint END,
                              t1.t_now - 1), t1.signed_at)
           END AS replied_at
    FROM t1 OFFSET 0
), t3 AS (
    SELECT t2.*,
           CASE WHEN t2.state IN (3, 4) THEN
               CASE WHEN t2.u_res < 0.82 THEN 1 WHEN t2.u_res < 0.97 THEN 2 ELSE 3 END
           ELSE 0 END AS result,
           CASE WHEN t2.state = 4 THEN least(t2.replied_at + 3600 + (t2.f4 * 172800)::bigint, t2.t_now) END
               AS closed_at,
           (t2.state = 4 AND t2.u_call >= 0.92) AS unreachable
    FROM t2 OFFSET 0
), t4 AS (
    SELECT t3.*,
           CASE WHEN t3.state = 4 AND NOT t3.unreachable THEN
               (t3.u_resolved < t3.qv * CASE t3.result WHEN 1 THEN 1.0 WHEN 2 THEN 0.75 ELSE 0.2 END)::int
           END AS resolved
    FROM t3 OFFSET 0
), t5 AS (
    SELECT t4.*,
           CASE WHEN t4.resolved IS NULL THEN 0
                WHEN t4.u_sat < t4.qsat * CASE WHEN t4.resolved = 1 THEN 1.0 ELSE 0.35 END THEN 3
                WHEN t4.u_sat < t4.qsat * CASE WHEN t4.resolved = 1 THEN 1.0 ELSE 0.35 END
                                + (1 - t4.qsat) * 0.6 THEN 2
                ELSE 1 END AS satisfaction,
           ((t4.state = 1 AND t4.sign_by < t4.t_now)
            OR coalesce(t4.signed_at > t4.sign_by, false)
            OR coalesce(t4.replied_at > t4.resolve_by, false)
            OR (t4.state IN (1, 2, 5) AND t4.resolve_by < t4.t_now))::int AS escalated
    FROM t4 OFFSET 0
), ins AS (
    INSERT INTO tickets(id, number, state, type, channel, urgent, category, text, address, lat, lon,
                        grid, lead, handler, cohandlers, sign_by, resolve_by, created_at, updated_at,
                        dispatched_at, signed_at, replied_at, closed_at, result, reply, resolved,
                        satisfaction, unreachable, ext_pending, ext_days, escalated, returns, reopens,
                        merged_into, creator_id, assignment_id, contact_name, contact_phone,
                        phone_index, suggested_category, suggested_handler, suggested_confidence,
                        contact_name_masked, contact_phone_masked)
    SELECT t5.i, xt_bench.number(t5.daystr, t5.seq),
           t5.state, t5.type, t5.channel, t5.urgent::int, t5.category, t5.text, NULL, NULL, NULL,
           t5.village, t5.lead, t5.lead, NULL, t5.sign_by, t5.resolve_by, t5.created_at,
           greatest(t5.created_at, t5.dispatched_at, t5.signed_at, t5.replied_at, t5.closed_at),
           t5.dispatched_at, t5.signed_at, t5.replied_at, t5.closed_at, t5.result,
           CASE t5.result WHEN 1 THEN '已派员现场核实，问题已处理完毕。'
                          WHEN 2 THEN '已向来电人解释说明相关政策和办理流程。'
                          WHEN 3 THEN '经核实不属于本单位职责范围，暂无法解决，已向来电人说明原因。' END,
           t5.resolved, t5.satisfaction, t5.unreachable::int, 0, 0, t5.escalated,
           (t5.state = 5)::int, 0,
           CASE WHEN t5.state = 6 THEN xt_bench.number(t5.daystr, t5.seq - 1) END,
           NULL, t5.i, NULL, NULL, NULL, t5.category, t5.lead, 1.0,
           (ARRAY['张', '王', '李', '赵', '刘', '陈', '杨', '马', '黄', '周'])[1 + (t5.h5 >> 50) % 10]
               || CASE WHEN (t5.h5 >> 55) % 4 = 0 THEN '*' ELSE '**' END,
           '1' || (ARRAY['38', '39', '58', '80', '86', '99', '37', '51'])[1 + (t5.h5 >> 45) % 8]
               || '****' || lpad(((t5.h5 >> 30) % 10000)::text, 4, '0')
    FROM t5
    RETURNING id, lead, dispatched_at, sign_by, signed_at, resolve_by, replied_at, state,
              unreachable, resolved, satisfaction, channel, escalated, created_at
), a AS (
    INSERT INTO assignments(id, ticket_id, unit, month, dispatched_at, sign_by, signed_at,
                            resolve_by, replied_at, returned, called_back, resolved, satisfaction,
                            repeat, proactive, escalated)
    SELECT ins.id, ins.id, ins.lead,
           to_char(date '1970-01-01' + ((ins.dispatched_at + 28800) / 86400)::int, 'YYYYMM')::int,
           ins.dispatched_at, ins.sign_by, ins.signed_at, ins.resolve_by, ins.replied_at,
           (ins.state = 5)::int, (ins.state = 4 AND ins.unreachable = 0)::int,
           coalesce(ins.resolved, -1), ins.satisfaction, 0, (ins.channel = 2)::int, ins.escalated
    FROM ins
    RETURNING 1
)
SELECT count(*) FROM a
$fn$;

-- After the load: identity sequences past the generated ids, and each
-- day's counter at its last generated sequence number, so that tickets
-- created through the API get the next numbers.
CREATE FUNCTION xt_bench.finish() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
    PERFORM setval(pg_get_serial_sequence('tickets', 'id'), (SELECT max(id) FROM tickets));
    PERFORM setval(pg_get_serial_sequence('assignments', 'id'), (SELECT max(id) FROM assignments));
    INSERT INTO ticket_counters(day, seq)
    SELECT to_char(day, 'YYYY-MM-DD'), cnt FROM xt_bench.day WHERE cnt > 0
    ON CONFLICT (day) DO UPDATE SET seq = greatest(ticket_counters.seq, excluded.seq);
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;
