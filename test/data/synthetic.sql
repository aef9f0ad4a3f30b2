-- Seeded synthetic ad tables with planted faults and known truth, for the
-- alarm and waste tests (issue 12).  Same seed, same data, on every run.
--
--   noa_syn.ads(seed, n_days)     one row per day and campaign, Fivetran column names
--   noa_syn.campaigns(seed)       the campaigns: kind, noise and true Hill curve
--   noa_syn.truth(seed, n_days)   the planted faults with their true date ranges
--
-- Kinds: 'clean' (noise 'poisson', 'fractional', 'overdispersed' or
-- 'lowcount'; spend varies ±40% day to day), 'break_heal' (tracking lost from
-- day 100 to the end except one normal day at 130), 'break_short' (21 days
-- lost), 'spike' (one day reported at 12-20 times the campaign's usual
-- spend: a loader digit error; one such campaign swings ±60% day to day), 'promo' (steady spend,
-- ±5%, and one real day at 3 times it: not a fault), 'saturated' (spending far past saturation; average return below
-- the target of 1), 'overspend' (far past break-even on a curve that barely
-- bends in the observed range) and 'no_effect' (conversions unrelated to spend).
DROP SCHEMA IF EXISTS noa_syn CASCADE;
CREATE SCHEMA noa_syn;

-- A uniform number in (0, 1) from a text key.
CREATE FUNCTION noa_syn.u(key text) RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (('x' || substr(md5(key), 1, 8))::bit(32)::bigint + 0.5) / 4294967296.0;

-- A standard normal number from a text key (Box-Muller).
CREATE FUNCTION noa_syn.z(key text) RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN sqrt(-2 * ln(noa_syn.u(key || '|a'))) * cos(2 * pi() * noa_syn.u(key || '|b'));

-- A Poisson count with mean lambda from a text key (inversion; normal above 60).
CREATE FUNCTION noa_syn.poisson(lambda float8, key text) RETURNS float8 LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
	u float8 := noa_syn.u(key);
	p float8 := exp(-lambda);
	c float8 := p;
	k int := 0;
BEGIN
	IF lambda <= 0 THEN RETURN 0; END IF;
	IF lambda > 60 THEN RETURN greatest(0, round(lambda + sqrt(lambda) * noa_syn.z(key))); END IF;
	WHILE c < u AND k < 1000 LOOP
		k := k + 1;
		p := p * lambda / k;
		c := c + p;
	END LOOP;
	RETURN k;
END $$;

-- Hill curve b x^s / (x^s + k^s).
CREATE FUNCTION noa_syn.hill(x float8, b float8, k float8, s float8) RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN x <= 0 THEN 0 ELSE b / (1 + power(k / x, s)) END;

CREATE FUNCTION noa_syn.campaigns(seed int)
RETURNS TABLE (campaign_id text, platform text, kind text, noise text, level float8, spread float8,
               b float8, k float8, s float8, value_per_conversion float8)
LANGUAGE sql IMMUTABLE AS $$
	WITH c AS (
		SELECT i, 's' || seed || '-c' || lpad(i::text, 2, '0') AS id,
		       (ARRAY['google_ads', 'facebook_ads', 'tiktok_ads', 'microsoft_ads'])[1 + i % 4] AS platform,
		       CASE i WHEN 1 THEN 'break_heal' WHEN 2 THEN 'break_short' WHEN 3 THEN 'spike'
		              WHEN 4 THEN 'saturated' WHEN 5 THEN 'overspend' WHEN 6 THEN 'no_effect'
		              WHEN 31 THEN 'promo' WHEN 32 THEN 'spike' ELSE 'clean' END AS kind,
		       CASE WHEN i <= 6 THEN 'poisson'
		            WHEN i > 30 THEN 'poisson'
		            ELSE (ARRAY['poisson', 'fractional', 'overdispersed', 'lowcount'])[1 + i % 4] END AS noise,
		       -- typical daily spend 200 to 3,000, log-uniform
		       200 * exp(ln(15) * noa_syn.u(seed || '|' || i || '|level')) AS level0
		FROM generate_series(1, 32) AS i
	), p AS (
	SELECT c.id, c.platform, c.kind, c.noise,
	       CASE c.kind WHEN 'saturated' THEN 1000 WHEN 'overspend' THEN 2800 ELSE c.level0 END AS level,
	       CASE WHEN c.kind = 'overspend' THEN 0.15 WHEN c.kind = 'promo' THEN 0.05 WHEN c.i = 32 THEN 0.6
	            ELSE 0.4 END AS spread,
	       -- b: conversions a day at the typical spend (lowcount 0.5-3, else 5-50), scaled up by the curve
	       CASE c.kind
	            WHEN 'saturated' THEN 40
	            WHEN 'no_effect' THEN 0
	            WHEN 'overspend' THEN 30 * (2800 + 1500) / 2800.0
	            ELSE CASE WHEN c.noise = 'lowcount' THEN 0.5 + 2.5 * noa_syn.u(seed || '|' || c.i || '|b')
	                      ELSE 5 + 45 * noa_syn.u(seed || '|' || c.i || '|b') END
	                 * (1 + power(0.5 + 1.5 * noa_syn.u(seed || '|' || c.i || '|k'), 0.8 + 0.7 * noa_syn.u(seed || '|' || c.i || '|s')))
	       END AS b,
	       CASE c.kind WHEN 'saturated' THEN 1000 / 12.0 WHEN 'overspend' THEN 1500
	                   ELSE c.level0 * (0.5 + 1.5 * noa_syn.u(seed || '|' || c.i || '|k')) END AS k,
	       CASE c.kind WHEN 'saturated' THEN 2 WHEN 'overspend' THEN 1
	                   ELSE 0.8 + 0.7 * noa_syn.u(seed || '|' || c.i || '|s') END AS s,
	       c.i
	FROM c
	)
	SELECT p.id, p.platform, p.kind, p.noise, p.level, p.spread, p.b, p.k, p.s,
	       -- value per conversion: clean campaigns return 1.5 to 4 on average at their
	       -- typical spend; the saturated and over-spending ones 0.6, the one without effect 0.05
	       CASE p.kind WHEN 'no_effect' THEN 0.05 * p.level / 1.5
	                   WHEN 'saturated' THEN 0.6 * p.level / noa_syn.hill(p.level, p.b, p.k, p.s)
	                   WHEN 'overspend' THEN 0.6 * p.level / noa_syn.hill(p.level, p.b, p.k, p.s)
	                   ELSE (1.5 + 2.5 * noa_syn.u(seed || '|' || p.i || '|roas')) * p.level / noa_syn.hill(p.level, p.b, p.k, p.s) END
	FROM p
$$;

CREATE FUNCTION noa_syn.ads(seed int, n_days int DEFAULT 540)
RETURNS TABLE (date_day date, platform text, campaign_id text, campaign_role text, currency text,
               spend numeric, impressions numeric, clicks numeric, conversions numeric, conversions_value numeric)
LANGUAGE sql IMMUTABLE AS $$
	WITH d AS (
		SELECT c.*, t, c.campaign_id || '|' || t AS key,
		       -- spend: ±spread uniformly day to day, a mild weekly pattern
		       c.level * (1 - c.spread + 2 * c.spread * noa_syn.u(c.campaign_id || '|' || t || '|sp'))
		         * (1 + 0.08 * cos(2 * pi() * t / 7.0))
		         * CASE WHEN c.kind = 'promo' AND t = 200 THEN 3 ELSE 1 END AS true_spend
		FROM noa_syn.campaigns(seed) AS c, generate_series(0, n_days - 1) AS t
	), e AS (
		SELECT d.*,
		       CASE WHEN d.kind = 'no_effect' THEN 1.5 ELSE noa_syn.hill(d.true_spend, d.b, d.k, d.s) END AS lambda,
		       CASE WHEN d.kind = 'spike' AND d.t = 150
		            THEN d.level * (12 + 8 * noa_syn.u(d.campaign_id || '|spike')) ELSE d.true_spend END AS reported_spend,
		       CASE WHEN d.kind = 'break_heal' AND d.t >= 100 AND d.t <> 130 THEN 0.01
		            WHEN d.kind = 'break_short' AND d.t BETWEEN 200 AND 220 THEN 0.02
		            ELSE 1 END AS tracked
		FROM d
	), y AS (
		SELECT e.*,
		       CASE e.noise
		            WHEN 'poisson' THEN noa_syn.poisson(e.lambda * e.tracked, e.key || '|cv')
		            WHEN 'fractional' THEN round((e.lambda * e.tracked * exp(0.3 * noa_syn.z(e.key || '|cv') - 0.045))::numeric, 2)::float8
		            ELSE round((noa_syn.poisson(e.lambda * e.tracked * exp(0.8 * noa_syn.z(e.key || '|od') - 0.32), e.key || '|cv')
		                        * CASE WHEN e.noise = 'lowcount' THEN 0.9 + 0.2 * noa_syn.u(e.key || '|frac') ELSE 1 END)::numeric, 2)::float8
		       END AS conv
		FROM e
	)
	SELECT '2024-01-01'::date + y.t, y.platform, y.campaign_id, 'conversion', 'EUR',
	       round(y.reported_spend::numeric, 2), round((y.true_spend * 120)::numeric), round((y.true_spend * 3)::numeric),
	       y.conv::numeric, round((y.conv * y.value_per_conversion)::numeric, 2)
	FROM y
$$;

-- The planted faults: the days a finding must cover; for the saturated and
-- over-spending campaigns the true break-even spend (marginal return 1).
CREATE FUNCTION noa_syn.truth(seed int, n_days int DEFAULT 540)
RETURNS TABLE (campaign_id text, kind text, first_day date, last_day date, true_breakeven float8, spend_level float8)
LANGUAGE sql IMMUTABLE AS $$
	SELECT c.campaign_id, c.kind,
	       '2024-01-01'::date + CASE c.kind WHEN 'break_heal' THEN 100 WHEN 'break_short' THEN 200 WHEN 'spike' THEN 150 END,
	       '2024-01-01'::date + CASE c.kind WHEN 'break_heal' THEN n_days - 1 WHEN 'break_short' THEN 220 WHEN 'spike' THEN 150 END,
	       CASE WHEN c.kind IN ('saturated', 'overspend') THEN
	         -- v f'(x) = 1 by bisection on [1, level]
	         (WITH RECURSIVE bis(lo, hi, n) AS (
	            SELECT 1.0::float8, c.level, 0
	            UNION ALL
	            SELECT CASE WHEN f.m > 1 THEN f.mid ELSE bis.lo END, CASE WHEN f.m > 1 THEN bis.hi ELSE f.mid END, bis.n + 1
	            FROM bis, LATERAL (SELECT (bis.lo + bis.hi) / 2 AS mid,
	                                      c.value_per_conversion * c.b * c.s * power(c.k, c.s) * power((bis.lo + bis.hi) / 2, c.s - 1)
	                                        / power(power((bis.lo + bis.hi) / 2, c.s) + power(c.k, c.s), 2) AS m) AS f
	            WHERE bis.n < 60)
	          SELECT (lo + hi) / 2 FROM bis ORDER BY n DESC LIMIT 1) END,
	       c.level
	FROM noa_syn.campaigns(seed) AS c
	WHERE c.kind <> 'clean'
$$;
