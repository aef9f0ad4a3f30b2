-- noa.allocate rows that agree with themselves, and rounding to cents that
-- keeps every limit (issue 15): each repro of the issue, then random
-- portfolios with non-cent bounds, relative limits and group floors and caps
-- under every objective, then a small S-curve portfolio certified optimal.
SET extra_float_digits = 0;

-- A Michaelis-Menten curve b·x/(k + x) as a value (known parameters).
CREATE FUNCTION mm(b float8, k float8) RETURNS noa.curve LANGUAGE sql IMMUTABLE AS $$
	SELECT format('v1:michaelis_menten;status=converged;n=60;iterations=6;starts=2;converged_starts=2;flags=0;'
		'params=%s,%s,0;cov=1,0,0,0,100,0,0,0,0;ssr=50;sigma=0.9;r2=0.96;aicc=5;x_min=1;x_max=5000;x_mean=500;y_mean=40',
		b, k)::noa.curve $$;
-- A Hill curve b·xˢ/(xˢ + kˢ) as a value.
CREATE FUNCTION hill(b float8, k float8, s float8) RETURNS noa.curve LANGUAGE sql IMMUTABLE AS $$
	SELECT format('v1:hill;status=converged;n=100;iterations=7;starts=3;converged_starts=3;flags=0;'
		'params=%s,%s,%s;cov=25,40,0.01,40,900,0.02,0.01,0.02,0.0004;ssr=180;sigma=1.3;r2=0.97;aicc=65;x_min=1;x_max=5000;x_mean=900;y_mean=60',
		b, k, s)::noa.curve $$;

-- 1. Three identical items share a budget of 100: 33.34, 33.33, 33.33.  Every
-- row's response_after is the response at its own recommended_spend (to 1e-12).
CREATE TABLE same3 (id text, c noa.curve, spend float8);
INSERT INTO same3 VALUES ('a', mm(100, 50), 30), ('b', mm(100, 50), 30), ('c', mm(100, 50), 30);
CREATE TABLE pf_same3 AS SELECT noa.portfolio(id, c, spend) AS p FROM same3;
SELECT a.key, a.recommended_spend,
	abs(a.response_after - noa.response(s.c, a.recommended_spend::float8))
		<= 1e-12 * abs(a.response_after) AS response_matches_spend
FROM pf_same3, noa.allocate(p, budget => 100) a JOIN same3 s ON s.id = a.key ORDER BY a.key;

-- noa.simulate with the recommended spends reproduces every row and the total.
CREATE TABLE alloc_same3 AS SELECT a.* FROM pf_same3, noa.allocate(p, budget => 100) a;
CREATE TABLE sim_same3 AS
SELECT s.* FROM pf_same3,
	(SELECT string_agg(format('set %s to %s', key, recommended_spend), '; ' ORDER BY key) AS changes
	 FROM alloc_same3 WHERE row_type = 'item') c,
	noa.simulate(pf_same3.p, c.changes) s;
SELECT a.row_type, a.key, a.recommended_spend = s.proposed_spend AS spend,
	abs(a.response_after - s.response_after) <= 1e-12 * abs(s.response_after) AS response,
	abs(a.response_after_lo - s.response_after_lo) <= 1e-12 * abs(s.response_after_lo) AS response_lo,
	abs(a.response_after_hi - s.response_after_hi) <= 1e-12 * abs(s.response_after_hi) AS response_hi,
	a.value_after = s.value_after AS value,
	abs(a.roas_after - s.roas_after) <= 1e-12 * abs(s.roas_after) AS roas,
	a.cpa_after = s.cpa_after AS cpa,
	a.row_type = 'total' OR abs(a.marginal_roas_after - s.marginal_roas_after) <= 1e-12 * abs(s.marginal_roas_after) AS mroas
FROM alloc_same3 a JOIN sim_same3 s ON s.row_type = a.row_type AND s.key IS NOT DISTINCT FROM a.key
ORDER BY a.row_type, a.key;
-- the total row is the sum of the item rows
SELECT sum(recommended_spend) FILTER (WHERE row_type = 'item') = max(recommended_spend) FILTER (WHERE row_type = 'total') AS spend_sums,
	sum(value_after) FILTER (WHERE row_type = 'item') = max(value_after) FILTER (WHERE row_type = 'total') AS value_sums,
	abs(sum(response_after) FILTER (WHERE row_type = 'item') - max(response_after) FILTER (WHERE row_type = 'total'))
		<= 1e-12 * max(response_after) FILTER (WHERE row_type = 'total') AS response_sums
FROM alloc_same3;

-- 2. A group floor of 100 out of a budget of 200.01 with three equal items in
-- the group: the group gets at least 100.00 after rounding, never 99.99.
CREATE TABLE five (id text, c noa.curve, spend float8, grp text);
INSERT INTO five VALUES ('g1a', mm(50, 500), 40, 'g1'), ('g1b', mm(50, 500), 40, 'g1'), ('g1c', mm(50, 500), 40, 'g1'),
	('g2a', mm(500, 50), 40, 'g2'), ('g2b', mm(500, 50), 40, 'g2');
CREATE TABLE pf_five AS SELECT noa.portfolio(id, c, spend, NULL, NULL, grp, 1, false) AS p FROM five;
SELECT group_name, sum(recommended_spend) AS spend, string_agg(recommended_spend::text, ', ' ORDER BY key) AS items
FROM pf_five, noa.allocate(p, budget => 200.01, group_min_spend => 'g1=100')
WHERE row_type = 'item' GROUP BY group_name ORDER BY group_name;

-- 3. A max_spend of 100.006 is recommended as 100.00, not 100.01; 4. a +25%
-- limit on a current spend of 80.005 (at most 100.00625) gives 100.00.
CREATE TABLE capped (id text, c noa.curve, spend float8, hi float8);
INSERT INTO capped VALUES ('strong', mm(5000, 50), 80.005, 100.006), ('weak', mm(10, 500), 80, NULL);
CREATE TABLE pf_capped AS SELECT noa.portfolio(id, c, spend, NULL, hi, NULL, 1, false) AS p FROM capped;
SELECT key, recommended_spend, max_spend, binding_constraint FROM pf_capped, noa.allocate(p, budget => 300)
WHERE row_type = 'item' ORDER BY key;
SELECT key, recommended_spend, round(100 * (recommended_spend / 80.005 - 1), 4) AS pct_above_current, binding_constraint
FROM pf_capped, noa.allocate(p, budget => 300, max_increase => 0.25) WHERE key = 'strong';

-- 5. Random portfolios (fixed seed): 150 items with non-cent currents and
-- bounds, relative limits, three groups with non-cent floors and caps.  For
-- every objective: no item bound, relative limit, group floor or cap, or
-- budget is broken after rounding.
SELECT setseed(0.15);
CREATE TABLE rnd (id text, c noa.curve, spend float8, lo float8, hi float8, grp text, vpu float8);
INSERT INTO rnd
SELECT format('i%s', lpad(i::text, 3, '0')), mm(b, k), cur, lo, CASE WHEN has_hi THEN cur * (1.2 + random()) + 0.0037 END,
	(ARRAY['g1', 'g2', 'g3', NULL])[1 + (i % 4)], vpu
FROM (SELECT i, 50 + 950 * random() AS b, 20 + 480 * random() AS k, 10 + 300 * random() + 0.0041 AS cur,
		random() < 0.5 AS has_hi, 1 + 3 * random() AS vpu
	  FROM generate_series(1, 150) i) r,
	LATERAL (SELECT CASE WHEN random() < 0.3 THEN cur * 0.6 + 0.0033 END AS lo) l;
CREATE TABLE pf_rnd AS SELECT noa.portfolio(id, c, spend, lo, hi, grp, vpu, false) AS p FROM rnd;
CREATE TABLE limits (grp text, floor_amount float8, cap_amount float8);
INSERT INTO limits VALUES ('g1', 4321.0067, NULL), ('g2', NULL, 5210.0049), ('g3', 2000.0051, 5600.0093);
CREATE TABLE runs (objective text, budget float8, target float8);
INSERT INTO runs VALUES ('max_response', 20000.0071, NULL), ('max_profit', 25000.0049, 1.3), ('min_spend', NULL, 25000),
	('target_roas', NULL, 2.2), ('target_cpa', NULL, 0.6);
CREATE TABLE rnd_out AS
SELECT r.objective, r.budget, a.*
FROM pf_rnd, runs r,
	LATERAL noa.allocate(p, budget => r.budget, objective => r.objective, target => r.target,
		max_increase => 0.4003, max_decrease => 0.3507,
		group_min_spend => 'g1=4321.0067, g3=2000.0051', group_max_spend => 'g2=5210.0049, g3=5600.0093') a;
-- item bounds and relative limits, from the inputs (not the rounded columns)
SELECT o.objective, count(*) AS items,
	count(*) FILTER (WHERE o.recommended_spend < greatest(coalesce(i.lo, 0), i.spend * (1 - 0.3507)) - 1e-9) AS below_min,
	count(*) FILTER (WHERE o.recommended_spend > least(coalesce(i.hi, 'Infinity'), i.spend * (1 + 0.4003)) + 1e-9) AS above_max,
	count(*) FILTER (WHERE o.recommended_spend <> round(o.recommended_spend, 2)) AS not_cents
FROM rnd_out o JOIN rnd i ON i.id = o.key GROUP BY o.objective ORDER BY o.objective;
-- group floors and caps, the budget, and the total row against the sum of the rows
SELECT o.objective, o.group_name, sum(o.recommended_spend) >= coalesce(l.floor_amount, 0) - 1e-9 AS floor_kept,
	sum(o.recommended_spend) <= coalesce(l.cap_amount, 'Infinity') + 1e-9 AS cap_kept
FROM rnd_out o JOIN limits l ON l.grp = o.group_name WHERE o.row_type = 'item'
GROUP BY o.objective, o.group_name, l.floor_amount, l.cap_amount ORDER BY o.objective, o.group_name;
SELECT objective, sum(recommended_spend) FILTER (WHERE row_type = 'item') <= coalesce(max(budget), 'Infinity') AS budget_kept,
	sum(recommended_spend) FILTER (WHERE row_type = 'item') = max(recommended_spend) FILTER (WHERE row_type = 'total') AS total_is_sum,
	bool_and(row_type = 'total' OR abs(response_after - noa.response(i.c, recommended_spend::float8)) <= 1e-12 * abs(response_after))
		AS rows_consistent
FROM rnd_out o LEFT JOIN rnd i ON i.id = o.key GROUP BY objective ORDER BY objective;

-- 6. A small S-curve portfolio (eight Hill curves of shape 1.5 to 3): certified
-- optimal by branch and bound.
SELECT setseed(0.6);
CREATE TABLE scurves AS
SELECT format('s%s', i) AS id, hill(500 + 4500 * random(), cur * (0.5 + random()), 1.5 + 1.5 * random()) AS c, cur AS spend,
	3 * cur AS hi, 1 + 3 * random() AS vpu
FROM (SELECT i, 100 + 900 * random() AS cur FROM generate_series(1, 8) i) r;
SELECT status, method, items_s_shaped, optimality_gap_rel <= 1e-9 AS certified
FROM (SELECT noa.portfolio(id, c, spend, 0, hi, NULL, vpu, false) AS p, sum(spend) AS budget FROM scurves) q,
	noa.allocation_summary(q.p, budget => q.budget);
