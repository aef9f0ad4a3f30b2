-- noa.portfolio and noa.allocate / noa.allocation_summary: the value type, the
-- aggregate, every objective on curves with known parameters, constraints,
-- the optimality conditions checked independently with noa.marginal_roas,
-- and bad input.
SET extra_float_digits = 0;

CREATE TABLE alloc_items (id text, role text, c noa.curve, spend float8, vpu float8, lo float8, hi float8, locked boolean);
INSERT INTO alloc_items VALUES
 -- S-shaped Hill (s = 2.2), concave Hill (s = 0.8), exponential, Michaelis-Menten
 ('search', 'conversion', 'v1:hill;status=converged;n=100;iterations=5;starts=3;converged_starts=3;flags=0;params=80,300,0.8;cov=4,2,0,2,100,0,0,0,0.0001;ssr=90;sigma=0.96;r2=0.95;aicc=10;x_min=10;x_max=1500;x_mean=400;y_mean=40', 500, 40, NULL, NULL, false),
 ('social', 'conversion', 'v1:exponential;status=converged;n=50;iterations=4;starts=2;converged_starts=2;flags=0;params=200,1000,0;cov=16,30,0,30,2500,0,0,0,0;ssr=48;sigma=1;r2=0.99;aicc=3.5;x_min=0;x_max=3000;x_mean=1200;y_mean=120', 800, 25, NULL, 2500, false),
 ('video', 'awareness', 'v1:hill;status=converged;n=100;iterations=7;starts=3;converged_starts=3;flags=0;params=120,800,2.2;cov=25,40,0.01,40,900,0.02,0.01,0.02,0.0004;ssr=180;sigma=1.3553;r2=0.97;aicc=65.2;x_min=50;x_max=2500;x_mean=900;y_mean=60', 1000, 30, NULL, NULL, false),
 ('display', 'awareness', 'v1:michaelis_menten;status=converged;n=60;iterations=6;starts=2;converged_starts=2;flags=0;params=90,600,0;cov=9,20,0,20,900,0,0,0,0;ssr=50;sigma=0.9;r2=0.96;aicc=5;x_min=100;x_max=1200;x_mean=500;y_mean=40', 400, 20, 100, NULL, false),
 -- excluded: no curve, a failed fit, no current spend, no value per unit
 ('email', 'conversion', NULL, 50, 40, NULL, NULL, false),
 ('podcast', 'awareness', 'v1:hill;status=insufficient_data;n=2;iterations=0;starts=0;converged_starts=0;flags=0;params=0,0,0;cov=0,0,0,0,0,0,0,0,0;ssr=0;sigma=0;r2=0;aicc=0;x_min=5;x_max=9;x_mean=7;y_mean=1', 120, 30, NULL, NULL, false),
 ('radio', 'awareness', 'v1:michaelis_menten;status=converged;n=60;iterations=6;starts=2;converged_starts=2;flags=0;params=50,400,0;cov=1,0,0,0,100,0,0,0,0;ssr=50;sigma=0.9;r2=0.96;aicc=5;x_min=100;x_max=1200;x_mean=500;y_mean=40', NULL, 20, NULL, NULL, false),
 ('print', 'awareness', 'v1:michaelis_menten;status=converged;n=60;iterations=6;starts=2;converged_starts=2;flags=0;params=50,400,0;cov=1,0,0,0,100,0,0,0,0;ssr=50;sigma=0.9;r2=0.96;aicc=5;x_min=100;x_max=1200;x_mean=500;y_mean=40', 200, NULL, NULL, NULL, false);

-- The portfolio value: built by the aggregate, sorted by key whatever the row order.
CREATE TABLE pf AS SELECT noa.portfolio(id, c, spend, lo, hi, role, vpu, locked) AS p FROM alloc_items;
SELECT (SELECT noa.portfolio(id, c, spend, lo, hi, role, vpu, locked ORDER BY id DESC) FROM alloc_items)::text
	= p::text AS row_order_irrelevant FROM pf;
SELECT jsonb_array_length(p::jsonb -> 'items') AS items, p::jsonb -> 'items' -> 0 ->> 'key' AS first_key,
	p::jsonb -> 'items' -> 0 ->> 'group' AS first_group FROM pf;
SELECT p::text::noa.portfolio::text = p::text AS text_round_trip FROM pf;
\copy pf TO 'results/portfolio.bin' WITH (FORMAT binary)
CREATE TABLE pf_back (p noa.portfolio);
\copy pf_back FROM 'results/portfolio.bin' WITH (FORMAT binary)
SELECT b.p::text = pf.p::text AS binary_round_trip FROM pf, pf_back b;
-- the short forms: value 1 per unit, and group + value
SELECT ((SELECT noa.portfolio(id, c, spend) FROM alloc_items WHERE id = 'search')::jsonb -> 'items' -> 0) - 'curve' AS item;
SELECT ((SELECT noa.portfolio(id, c, spend, role, vpu) FROM alloc_items WHERE id = 'search')::jsonb -> 'items' -> 0) - 'curve' AS item;
SELECT noa.portfolio(id, c, spend) IS NULL AS no_rows_no_portfolio FROM alloc_items WHERE false;

-- max_response: every row, then the money adds up to the budget.
SELECT key, group_name, status, current_spend, recommended_spend, delta_spend, round(delta_pct::numeric, 4) AS delta_pct,
	min_spend, max_spend, round(response_after::numeric, 3) AS resp, round(response_after_lo::numeric, 3) AS lo,
	round(response_after_hi::numeric, 3) AS hi, value_after, round(marginal_roas_after::numeric, 6) AS mroas,
	binding_constraint, extrapolated
FROM pf, noa.allocate(p, budget => 4000);
SELECT key, explanation FROM pf, noa.allocate(p, budget => 4000);
SELECT sum(recommended_spend) FILTER (WHERE row_type = 'item') AS items_sum,
	max(recommended_spend) FILTER (WHERE row_type = 'total') AS total_row
FROM pf, noa.allocate(p, budget => 4000);

-- KKT, checked with the curve accessors: every freely set item ends at the same
-- marginal ROAS (the total row's level), up to the rounding of spends to cents.
SELECT a.key, a.binding_constraint,
	round((noa.marginal_roas(i.c, a.recommended_spend::float8, i.vpu) / t.marginal_roas_after)::numeric, 4) AS ratio_to_level
FROM pf, noa.allocate(p, budget => 4000) a JOIN alloc_items i ON i.id = a.key,
	(SELECT marginal_roas_after FROM pf, noa.allocate(p, budget => 4000) WHERE row_type = 'total') t
WHERE a.status = 'allocated' ORDER BY a.key;

-- The summary: certificate and totals.
SELECT objective_name, status, method, budget_amount, items, items_allocated, items_locked, items_excluded, items_s_shaped,
	current_spend, recommended_spend, unspent_budget, value_now, value_after, value_gain,
	round(roas_after::numeric, 4) AS roas_after, round(marginal_level::numeric, 6) AS level,
	optimality_gap_rel <= 1e-9 AS gap_certified, dual_bound >= objective_value AS bound_above
FROM pf, noa.allocation_summary(p, budget => 4000);
SELECT explanation FROM pf, noa.allocation_summary(p, budget => 4000);

-- Several scenarios in one query (a Metabase question would pass {{budget}}).
SELECT b.budget, a.recommended_spend AS total, round(a.marginal_roas_after::numeric, 4) AS level, a.binding_constraint
FROM pf, (VALUES (100), (1000), (3000), (8000), (20000)) b(budget),
	LATERAL noa.allocate(p, budget => b.budget) a
WHERE a.row_type = 'total' ORDER BY b.budget;

-- Relative limits and locks: at most +30% / -30% per item, display locked.
UPDATE alloc_items SET locked = true WHERE id = 'display';
CREATE TABLE pf_locked AS SELECT noa.portfolio(id, c, spend, lo, hi, role, vpu, locked) AS p FROM alloc_items;
UPDATE alloc_items SET locked = false;
SELECT key, status, current_spend, recommended_spend, min_spend, max_spend, binding_constraint
FROM pf_locked, noa.allocate(p, budget => 3000, max_increase => 0.3, max_decrease => 0.3)
WHERE status <> 'excluded';
SELECT key, explanation FROM pf_locked, noa.allocate(p, budget => 3000, max_increase => 0.3, max_decrease => 0.3)
WHERE key IN ('display', 'search', 'video');

-- Group floors and caps: awareness keeps at least 50% of the budget, conversion at most 1200.
SELECT group_name, sum(recommended_spend) AS spend, string_agg(DISTINCT binding_constraint, ', ') AS binding
FROM pf, noa.allocate(p, budget => 4000, group_min_share => 'awareness=0.5')
WHERE status = 'allocated' GROUP BY group_name ORDER BY group_name;
SELECT group_name, sum(recommended_spend) AS spend, string_agg(DISTINCT binding_constraint, ', ') AS binding
FROM pf, noa.allocate(p, budget => 4000, group_max_spend => 'conversion=1200', group_min_spend => '"awareness"=500')
WHERE status = 'allocated' GROUP BY group_name ORDER BY group_name;
SELECT key, explanation FROM pf, noa.allocate(p, budget => 4000, group_min_share => 'awareness=50%') WHERE key = 'display';

-- A budget the maxima cannot absorb: spent up to the bounds, and said so.
SELECT status, unspent_budget, unspent_reason FROM pf, noa.allocation_summary(p, budget => 50000, max_increase => 0.5);

-- max_profit: each free item stops where marginal ROAS equals the target.
SELECT a.key, a.recommended_spend, a.binding_constraint,
	round(noa.marginal_roas(i.c, a.recommended_spend::float8, i.vpu)::numeric, 6) AS mroas
FROM pf, noa.allocate(p, objective => 'max_profit', target => 2) a JOIN alloc_items i ON i.id = a.key
WHERE a.status = 'allocated' ORDER BY a.key;
SELECT status, method, recommended_spend, unspent_budget, round(marginal_level::numeric, 6) AS level,
	round(optimality_gap_rel::numeric, 6) AS gap_rel
FROM pf, noa.allocation_summary(p, objective => 'max_profit', target => 2, budget => 2000);

-- min_spend: the least spend reaching a value of 10000; target_roas and target_cpa.
SELECT status, recommended_spend, value_after, round(marginal_level::numeric, 6) AS level, optimality_gap_rel <= 1e-9 AS certified
FROM pf, noa.allocation_summary(p, objective => 'min_spend', target => 10000);
SELECT status, method, recommended_spend, value_after, round(roas_after::numeric, 4) AS roas,
	round(optimality_gap_rel::numeric, 4) AS gap_rel
FROM pf, noa.allocation_summary(p, objective => 'target_roas', target => 3.5);
-- without the S-shaped video curve the same target is certified optimal
SELECT status, method, recommended_spend, value_after, round(roas_after::numeric, 4) AS roas,
	optimality_gap_rel <= 1e-9 AS certified
FROM (SELECT noa.portfolio(id, c, spend, lo, hi, role, vpu, locked) FILTER (WHERE id <> 'video') AS p FROM alloc_items) q,
	noa.allocation_summary(p, objective => 'target_roas', target => 3.5);
SELECT status, recommended_spend, cpa_after, optimality_gap_rel <= 1e-9 AS certified
FROM pf, noa.allocation_summary(p, objective => 'target_cpa', target => 12);
SELECT status, recommended_spend, explanation FROM pf, noa.allocation_summary(p, objective => 'target_roas', target => 50);
SELECT status, recommended_spend, explanation FROM pf, noa.allocation_summary(p, objective => 'min_spend', target => 30000, budget => 3000);

-- S-shaped curves only: branch and bound, certified optimal, never below a brute-force grid.
CREATE TABLE s_items AS
SELECT 's' || i AS id, format('v1:hill;status=converged;n=100;iterations=7;starts=3;converged_starts=3;flags=0;params=%s,%s,%s;cov=1,0,0,0,1,0,0,0,0.0001;ssr=1;sigma=1;r2=0.9;aicc=1;x_min=10;x_max=5000;x_mean=900;y_mean=60',
	100 + 40 * i, 400 + 150 * i, 1.5 + 0.5 * i)::noa.curve AS c, 100::float8 AS spend
FROM generate_series(1, 3) i;
SELECT key, recommended_spend, binding_constraint FROM (SELECT noa.portfolio(id, c, spend) p FROM s_items) q,
	noa.allocate(p, budget => 1500) WHERE row_type = 'item';
SELECT status, method, items_s_shaped, round(optimality_gap_rel::numeric, 4) AS gap_rel, dual_bound >= objective_value AS bound_above
FROM (SELECT noa.portfolio(id, c, spend) p FROM s_items) q, noa.allocation_summary(p, budget => 1500);
SELECT (SELECT value_after FROM (SELECT noa.portfolio(id, c, spend) p FROM s_items) q, noa.allocation_summary(p, budget => 1500))
	>= max(noa.response(a.c, x) + noa.response(b.c, y) + noa.response(d.c, 1500 - x - y))::numeric - 1e-6 AS beats_grid
FROM s_items a, s_items b, s_items d, generate_series(0, 1500, 10) x, generate_series(0, 1500, 10) y
WHERE a.id = 's1' AND b.id = 's2' AND d.id = 's3' AND x + y <= 1500;

-- Under parallel query the aggregate gives the same value.
CREATE TABLE many AS SELECT 'k' || lpad(i::text, 5, '0') AS id, c, spend * (1 + i % 7) AS spend
FROM generate_series(1, 3000) i, alloc_items WHERE id = 'search';
ANALYZE many;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2; SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT noa.portfolio(id, c, spend) FROM many;
CREATE TABLE pf_par AS SELECT noa.portfolio(id, c, spend) AS p FROM many;
RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather; RESET parallel_leader_participation;
SELECT (SELECT p::text FROM pf_par) = (SELECT noa.portfolio(id, c, spend)::text FROM many) AS parallel_same;
SELECT count(*) AS rows, sum(recommended_spend) FILTER (WHERE row_type = 'item') AS spent
FROM pf_par, noa.allocate(p, budget => 5000000);

-- Cancellable: a long solve (20,000 items, a third S-shaped, three group shares)
-- stops at statement_timeout.
CREATE TABLE big AS SELECT noa.portfolio('k' || i, format('v1:hill;status=converged;n=100;iterations=7;starts=3;converged_starts=3;flags=0;params=%s,%s,%s;cov=1,0,0,0,1,0,0,0,0.0001;ssr=1;sigma=1;r2=0.9;aicc=1;x_min=10;x_max=5000;x_mean=900;y_mean=60',
	100 + i % 97, 400 + i % 113, CASE WHEN i % 3 = 0 THEN 2.5 ELSE 0.6 END)::noa.curve, 100 + i % 50, 'g' || (i % 5), 1 + i % 7) AS p
FROM generate_series(1, 20000) i;
SET statement_timeout = '50ms';
SELECT status FROM big, noa.allocation_summary(p, objective => 'target_roas', target => 2,
	group_min_share => 'g1=0.3, g2=0.3', group_max_share => 'g0=0.1');
RESET statement_timeout;

-- A NULL portfolio gives no rows.
SELECT count(*) FROM noa.allocate(NULL, budget => 100);

-- Bad input: SQLSTATE 22023 (22004 for a NULL key) with a hint.
\set VERBOSITY default
SELECT noa.portfolio(v.k, c, spend) FROM (VALUES ('a'), ('a')) v(k), alloc_items WHERE id = 'search';
SELECT noa.portfolio(NULL::text, c, spend) FROM alloc_items WHERE id = 'search';
SELECT noa.portfolio(id, c, 'NaN') FROM alloc_items WHERE id = 'search';
SELECT noa.portfolio(id, c, spend, 500, 100, role, vpu, false) FROM alloc_items WHERE id = 'search';
SELECT noa.portfolio(id, c, spend, role, -1) FROM alloc_items WHERE id = 'search';
SELECT * FROM pf, noa.allocate(p, budget => -1);
SELECT * FROM pf, noa.allocate(p, budget => 'NaN');
SELECT * FROM pf, noa.allocate(p);
SELECT * FROM pf, noa.allocate(p, budget => 100, objective => 'max_revenue');
SELECT * FROM pf, noa.allocate(p, budget => 100, target => 2);
SELECT * FROM pf, noa.allocate(p, objective => 'target_roas');
SELECT * FROM pf, noa.allocate(p, budget => 50);
SELECT * FROM pf, noa.allocate(p, budget => 4000, group_min_share => 'awareness=0.7, conversion=0.5');
SELECT * FROM pf, noa.allocate(p, budget => 4000, group_min_share => 'brand=0.2');
SELECT * FROM pf, noa.allocate(p, budget => 4000, group_min_share => 'awareness=1.5');
SELECT * FROM pf, noa.allocate(p, budget => 4000, group_min_share => 'awareness');
SELECT * FROM pf, noa.allocate(p, budget => 4000, group_min_spend => 'conversion=3000', max_increase => 0.2);
SELECT * FROM pf, noa.allocate(p, budget => 4000, group_max_spend => 'awareness=50');
SELECT * FROM pf, noa.allocate(p, budget => 4000, max_decrease => 1.5);
SELECT * FROM (SELECT noa.portfolio(v.k, v.c::noa.curve, 100) AS p FROM (VALUES ('tv', 'v1:linear;status=converged;n=20;iterations=1;starts=1;converged_starts=1;flags=0;params=3,0,0;cov=1e-8,0,0,0,0,0,0,0,0;ssr=2;sigma=0.3244;r2=0.9;aicc=-40;x_min=100;x_max=900;x_mean=500;y_mean=2')) v(k, c)) q,
	noa.allocate(p, objective => 'max_profit', target => 2);
SELECT * FROM pf, noa.allocate(p, budget => 4000, level => 1);
SELECT * FROM (SELECT noa.portfolio(id, c, spend, 600, NULL, role, vpu, false) p FROM alloc_items WHERE id = 'search') q,
	noa.allocate(p, budget => 4000, max_increase => 0.1);
SELECT '{"version": 1, "items": [{"key": "a"}]}'::noa.portfolio;
SELECT '{"version": 2, "items": []}'::noa.portfolio;
SELECT 'not json'::noa.portfolio;
SELECT '{"version": 1, "items": []}'::noa.portfolio;
