-- noa.curve as a value: text and binary round trips, validation, jsonb cast,
-- and the accessors on curves with known parameters (no fitting involved).
SET extra_float_digits = 0;

CREATE TABLE known_curves (name text PRIMARY KEY, c noa.curve);
INSERT INTO known_curves VALUES
 ('hill_s', 'v1:hill;status=converged;n=100;iterations=7;starts=3;converged_starts=3;flags=0;params=120,800,2.2;cov=25,40,0.01,40,900,0.02,0.01,0.02,0.0004;ssr=180;sigma=1.3553;r2=0.97;aicc=65.2;x_min=50;x_max=2500;x_mean=900;y_mean=60'),
 ('hill_c', 'v1:hill;status=converged;n=100;iterations=5;starts=3;converged_starts=3;flags=0;params=80,300,0.8;cov=4,2,0,2,100,0,0,0,0.0001;ssr=90;sigma=0.96;r2=0.95;aicc=10;x_min=10;x_max=1500;x_mean=400;y_mean=40'),
 ('exponential', 'v1:exponential;status=converged;n=50;iterations=4;starts=2;converged_starts=2;flags=0;params=200,1000,0;cov=16,30,0,30,2500,0,0,0,0;ssr=48;sigma=1;r2=0.99;aicc=3.5;x_min=0;x_max=3000;x_mean=1200;y_mean=120'),
 ('linear', 'v1:linear;status=converged;n=20;iterations=1;starts=1;converged_starts=1;flags=0;params=0.004,0,0;cov=1e-8,0,0,0,0,0,0,0,0;ssr=2;sigma=0.3244;r2=0.9;aicc=-40;x_min=100;x_max=900;x_mean=500;y_mean=2'),
 ('too_few', 'v1:hill;status=insufficient_data;n=2;iterations=0;starts=0;converged_starts=0;flags=0;params=0,0,0;cov=0,0,0,0,0,0,0,0,0;ssr=0;sigma=0;r2=0;aicc=0;x_min=5;x_max=9;x_mean=7;y_mean=1');

-- Text output round-trips bit for bit, whatever extra_float_digits says.
SELECT name, c::text::noa.curve::text = c::text AS text_round_trip FROM known_curves ORDER BY name;
SELECT c FROM known_curves WHERE name = 'hill_s';
SET extra_float_digits = 3;
SELECT c FROM known_curves WHERE name = 'hill_s';
SET extra_float_digits = 0;

-- Binary round trip through COPY (FORMAT binary), which uses send and recv.
\copy known_curves TO 'results/known_curves.bin' WITH (FORMAT binary)
CREATE TABLE curves_back (LIKE known_curves);
\copy curves_back FROM 'results/known_curves.bin' WITH (FORMAT binary)
SELECT count(*) AS identical FROM known_curves k JOIN curves_back b USING (name) WHERE k.c::text = b.c::text;

-- jsonb cast: named parameters and standard errors.
SELECT jsonb_pretty(c::jsonb) FROM known_curves WHERE name = 'hill_c';
SELECT name, c::jsonb -> 'params' AS params, c::jsonb ->> 'status' AS status FROM known_curves ORDER BY name;

-- Malformed literals.
SELECT 'v1:hill;status=converged'::noa.curve;
SELECT 'v1:hill;status=converged;n=100;iterations=7;starts=3;converged_starts=3;flags=0;params=NaN,800,2.2;cov=0,0,0,0,0,0,0,0,0;ssr=1;sigma=1;r2=1;aicc=1;x_min=0;x_max=1;x_mean=1;y_mean=1'::noa.curve;
SELECT 'v1:hill;status=converged;n=100;iterations=7;starts=3;converged_starts=3;flags=0;params=-5,800,2.2;cov=0,0,0,0,0,0,0,0,0;ssr=1;sigma=1;r2=1;aicc=1;x_min=0;x_max=1;x_mean=1;y_mean=1'::noa.curve;
SELECT 'v1:linear;status=converged;n=100;iterations=7;starts=3;converged_starts=3;flags=0;params=5,800,0;cov=0,0,0,0,0,0,0,0,0;ssr=1;sigma=1;r2=1;aicc=1;x_min=0;x_max=1;x_mean=1;y_mean=1'::noa.curve;
SELECT 'v1:hill;status=converged;n=100;iterations=7;starts=3;converged_starts=3;flags=0;params=5,800,2;cov=0,0,0,0,0,0,0,0,0;ssr=1;sigma=1;r2=1;aicc=1;x_min=0;x_max=1;x_mean=1;y_mean=1 trailing'::noa.curve;
SELECT 'v3:hill'::noa.curve;

-- Accessors on known curves: values are checkable by hand.
-- hill_s: f(x) = 120 x^2.2 / (x^2.2 + 800^2.2); f(800) = 60.
SELECT name,
	round(noa.response(c, 800)::numeric, 6) AS response_800,
	round(noa.marginal_roas(c, 800)::numeric, 8) AS slope_800,
	round(noa.marginal_roas(c, 800, 25)::numeric, 6) AS mroas_800_at_25,
	round(noa.breakeven_spend(c, 1, 25)::numeric, 4) AS breakeven_at_25,
	round(noa.saturation_spend(c)::numeric, 4) AS sat_90,
	round(noa.saturation_spend(c, 0.5)::numeric, 4) AS half_sat,
	noa.breakeven_note(c, 1, 25) AS note
FROM known_curves ORDER BY name;

-- At the break-even spend, marginal ROAS equals the target.
SELECT name, round(noa.marginal_roas(c, noa.breakeven_spend(c, 2, 25), 25)::numeric, 9) AS mroas_at_breakeven
FROM known_curves WHERE noa.breakeven_spend(c, 2, 25) > 0 ORDER BY name;

-- Intervals bracket the estimate and widen with the level.
SELECT name,
	noa.response_lo(c, 800) <= noa.response(c, 800) AND noa.response(c, 800) <= noa.response_hi(c, 800) AS response_bracketed,
	noa.response_hi(c, 800, 0.99) - noa.response_lo(c, 800, 0.99) > noa.response_hi(c, 800, 0.5) - noa.response_lo(c, 800, 0.5) AS wider_at_99,
	noa.marginal_roas_lo(c, 800) <= noa.marginal_roas(c, 800) AND noa.marginal_roas(c, 800) <= noa.marginal_roas_hi(c, 800) AS mroas_bracketed,
	noa.breakeven_spend_lo(c, 1, 25) <= noa.breakeven_spend(c, 1, 25) AND noa.breakeven_spend(c, 1, 25) <= noa.breakeven_spend_hi(c, 1, 25) AS breakeven_bracketed,
	round(noa.response_hi(c, 800)::numeric - noa.response(c, 800)::numeric, 6) AS response_half_width
FROM known_curves WHERE name <> 'too_few' ORDER BY name;

-- A curve without usable parameters answers NULL, and says why.
SELECT noa.response(c, 10) IS NULL AS response_null, noa.curve_status(c), noa.breakeven_note(c)
FROM known_curves WHERE name = 'too_few';

-- The summary row and the chart points.
SELECT * FROM noa.curve_summary((SELECT c FROM known_curves WHERE name = 'hill_s'), 1, 25, currency => 'EUR', response_unit => 'orders');
SELECT point_no, spend, round(response::numeric, 4) AS response, round(response_lo::numeric, 4) AS lo,
	round(response_hi::numeric, 4) AS hi, round(marginal_roas::numeric, 6) AS mroas, in_observed_range
FROM noa.curve_points((SELECT c FROM known_curves WHERE name = 'hill_s'), 3000, 7);
SELECT count(*) AS points_of_unusable_curve FROM noa.curve_points((SELECT c FROM known_curves WHERE name = 'too_few'), 100);
-- The spend grid is round: steps of 1, 2 or 5 times a power of ten, at most
-- `points` values, from 0 to the first grid value at or above max_spend, and
-- each value is the shortest decimal (0.3, not 0.30000000000000004); near the
-- largest double the grid stops at its last finite value.
SET extra_float_digits = 1;
SELECT max_spend, points, count(*) AS values_on_grid, min(p.spend) AS first, max(p.spend) AS last,
	string_agg(p.spend::text, ' ' ORDER BY p.point_no) FILTER (WHERE p.point_no <= 4) AS first_four,
	bool_and(length(p.spend::text) <= 10) AS all_short_decimals
FROM (VALUES (3000::float8, 50), (3000, 7), (3001, 7), (61.3, 10), (0.7, 8), (0.07, 8), (12345, 100),
	(1e-4, 3), (2.5e9, 6), (0, 50), (100, 2), (1.5e308, 3)) AS a(max_spend, points),
	noa.curve_points((SELECT c FROM known_curves WHERE name = 'hill_c'), a.max_spend, a.points) p
GROUP BY max_spend, points ORDER BY max_spend, points;
SET extra_float_digits = 0;
-- Many curves chart from one query: a function in FROM may read the columns of
-- the tables before it (no LATERAL keyword needed), and the same max_spend and
-- points give every curve the same grid, ready to pivot or plot as series.
SELECT p.spend, string_agg(k.name || '=' || round(p.response::numeric, 1), ' ' ORDER BY k.name) AS response_by_curve
FROM known_curves k, noa.curve_points(k.c, 2000, 5) p
GROUP BY p.spend ORDER BY p.spend;
SELECT noa.curve_param(c, 'k') AS k, noa.curve_param(c, 'm') AS no_m, noa.curve_model(c) FROM known_curves WHERE name = 'hill_s';
