-- noa.simulate: scenarios on a portfolio (move, cut, raise, set, scale), with
-- responses, value, CPA, ROAS and marginal ROAS before and after, intervals
-- of the change, extrapolation flags, and bad input.
SET extra_float_digits = 0;

CREATE TABLE sim_items (id text, role text, c noa.curve, spend float8, vpu float8);
INSERT INTO sim_items VALUES
 ('brand search', 'conversion', 'v1:hill;status=converged;n=100;iterations=5;starts=3;converged_starts=3;flags=0;params=80,300,0.8;cov=4,2,0,2,100,0,0,0,0.0001;ssr=90;sigma=0.96;r2=0.95;aicc=10;x_min=10;x_max=1500;x_mean=400;y_mean=40', 500, 40),
 ('social', 'conversion', 'v1:exponential;status=converged;n=50;iterations=4;starts=2;converged_starts=2;flags=0;params=200,1000,0;cov=16,30,0,30,2500,0,0,0,0;ssr=48;sigma=1;r2=0.99;aicc=3.5;x_min=0;x_max=3000;x_mean=1200;y_mean=120', 800, 25),
 ('video', 'awareness', 'v1:hill;status=converged;n=100;iterations=7;starts=3;converged_starts=3;flags=0;params=120,800,2.2;cov=25,40,0.01,40,900,0.02,0.01,0.02,0.0004;ssr=180;sigma=1.3553;r2=0.97;aicc=65.2;x_min=50;x_max=2500;x_mean=900;y_mean=60', 1000, 30),
 ('display', 'awareness', 'v1:michaelis_menten;status=converged;n=60;iterations=6;starts=2;converged_starts=2;flags=0;params=90,600,0;cov=9,20,0,20,900,0,0,0,0;ssr=50;sigma=0.9;r2=0.96;aicc=5;x_min=100;x_max=1200;x_mean=500;y_mean=40', 400, 20),
 ('email', 'conversion', NULL, 50, 40);
CREATE TABLE sim AS SELECT noa.portfolio(id, c, spend, role, vpu) AS p FROM sim_items;

-- No change: every item unchanged, the delta is exactly zero.
SELECT key, status, current_spend, proposed_spend, round(response_now::numeric, 4) AS resp, round(response_now_lo::numeric, 4) AS lo,
	round(response_now_hi::numeric, 4) AS hi, delta_response, value_now, cpa_now, round(roas_now::numeric, 4) AS roas,
	round(marginal_roas_now::numeric, 4) AS mroas, extrapolated
FROM sim, noa.simulate(p);
SELECT key, explanation FROM sim, noa.simulate(p) WHERE key IN ('display', 'email') OR key IS NULL;

-- A transfer: 20% of social to video.  Spend is conserved; the response change
-- of each item has its own interval (both responses share the curve's parameters).
SELECT key, status, current_spend, proposed_spend, delta_spend, round(delta_pct::numeric, 4) AS pct,
	round(response_after::numeric, 4) AS resp, round(delta_response::numeric, 4) AS d,
	round(delta_response_lo::numeric, 4) AS d_lo, round(delta_response_hi::numeric, 4) AS d_hi,
	value_after, delta_value, cpa_after, round(roas_after::numeric, 4) AS roas, round(marginal_roas_after::numeric, 4) AS mroas
FROM sim, noa.simulate(p, 'move 20% from social to video');
SELECT key, explanation FROM sim, noa.simulate(p, 'move 20% from social to video') WHERE status <> 'unchanged';
-- the projection agrees with the curve accessors
SELECT bool_and(abs(s.response_after - noa.response(i.c, s.proposed_spend::float8)) < 1e-9) AS agrees
FROM sim, noa.simulate(p, 'move 20% from social to video') s JOIN sim_items i ON i.id = s.key;

-- Several statements, applied in order; quoted keys; amounts with k and currency signs.
SELECT key, current_spend, proposed_spend, extrapolated
FROM sim, noa.simulate(p, 'cut "brand search" by €100; raise display by 1k
	set video to 3000; scale group conversion by 1.1;  move 50 from display to social') WHERE row_type = 'item';
SELECT key, explanation FROM sim, noa.simulate(p, 'set video to 3000') WHERE key = 'video';
SELECT status, current_spend, proposed_spend, delta_spend, round(delta_response::numeric, 3) AS d,
	round(delta_response_lo::numeric, 3) AS lo, round(delta_response_hi::numeric, 3) AS hi, extrapolated, explanation
FROM sim, noa.simulate(p, 'scale all by 1.1') WHERE row_type = 'total';
SELECT key, proposed_spend FROM sim, noa.simulate(p, 'move 10% from group conversion to group awareness; cut video by 0')
WHERE row_type = 'item' AND status <> 'excluded';

-- Scenarios side by side, one query.
SELECT sc.name, s.proposed_spend, round(s.response_after::numeric, 3) AS resp, round(s.roas_after::numeric, 4) AS roas
FROM sim, (VALUES ('now', NULL), ('shift', 'move 20% from social to video'), ('cut', 'scale all by 0.8')) sc(name, changes),
	LATERAL noa.simulate(p, sc.changes) s
WHERE s.row_type = 'total' ORDER BY sc.name;

-- A NULL portfolio gives no rows; a NULL or empty change list changes nothing.
SELECT count(*) FROM noa.simulate(NULL, 'scale all by 2');
SELECT count(*) FILTER (WHERE status = 'changed') AS changed FROM sim, noa.simulate(p, ' ; ');

-- Bad input: SQLSTATE 22023 with the grammar in the hint.
\set VERBOSITY default
SELECT * FROM sim, noa.simulate(p, 'move 20% from social');
SELECT * FROM sim, noa.simulate(p, 'move 20% from tiktok to video');
SELECT * FROM sim, noa.simulate(p, 'cut email by 10');
SELECT * FROM sim, noa.simulate(p, 'cut social by 5000');
SELECT * FROM sim, noa.simulate(p, 'double video');
SELECT * FROM sim, noa.simulate(p, 'set video to 10%');
SELECT * FROM sim, noa.simulate(p, 'scale group brand by 2');
SELECT * FROM sim, noa.simulate(p, 'cut "brand search by 10');
SELECT * FROM sim, noa.simulate(p, 'raise video by 10 please');
SELECT * FROM sim, noa.simulate(p, level => 0);
