-- Response curves recover the demo's ground truth.  Runs after demo_data
-- (same database), on the clean campaigns without carryover: every fit
-- converges, and the 90% intervals of b, k and s cover the true values at
-- about the nominal rate.
SET extra_float_digits = 0;

CREATE TEMP TABLE demo_fits AS
SELECT g.campaign_id, g.b::float8 AS true_b, g.k::float8 AS true_k, g.s::float8 AS true_s,
	noa.fit_curve(a.spend::float8, a.conversions::float8) AS c
FROM noa_demo.ad_spend a JOIN noa_demo.ground_truth g USING (campaign_id)
WHERE NOT g.has_carryover AND g.planted_problem IS NULL
GROUP BY g.campaign_id, g.b, g.k, g.s;

CREATE TEMP TABLE demo_cover AS
SELECT f.campaign_id, s.status,
	f.true_b BETWEEN s.b - t.q * s.b_se AND s.b + t.q * s.b_se AS b_covered,
	f.true_k BETWEEN s.k - t.q * s.k_se AND s.k + t.q * s.k_se AS k_covered,
	f.true_s BETWEEN s.s - t.q * s.s_se AND s.s + t.q * s.s_se AS s_covered,
	-- the response at the true half-saturation spend, against its interval
	f.true_b / 2 BETWEEN noa.response_lo(f.c, f.true_k) AND noa.response_hi(f.c, f.true_k) AS response_covered
FROM demo_fits f, noa.curve_summary(f.c) s,
	-- two-sided 90% Student-t quantile for ~700 degrees of freedom
	(SELECT 1.6470 AS q) t;

SELECT count(*) AS campaigns, count(*) FILTER (WHERE status = 'converged') AS converged FROM demo_cover;

-- Nominal 90%: with 3 x ~18 parameters, a rate between 0.75 and 1 is "about nominal".
SELECT round(avg(b_covered::int + k_covered::int + s_covered::int) / 3, 2) AS parameter_coverage,
	avg(b_covered::int + k_covered::int + s_covered::int) / 3 BETWEEN 0.75 AND 1 AS about_nominal,
	round(avg(response_covered::int), 2) AS response_coverage
FROM demo_cover;

-- S-shaped and concave campaigns alike: the fitted shape says which is which.
SELECT count(*) FILTER (WHERE (noa.curve_param(c, 's') > 1) = (true_s > 1)) AS shape_class_right, count(*) AS campaigns
FROM demo_fits;
