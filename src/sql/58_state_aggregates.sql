
-- ---------------------------------------------------------------------------
-- Internal aggregates of the campaign state (noa._campaign_state)
-- ---------------------------------------------------------------------------
--
-- Neither depends on the order of the rows, the plan or the parallel split,
-- and unlike ordered-set aggregates they need no sorted input, so the
-- per-campaign pass can group by hashing.  Combine, serial and deserial make
-- them partial / parallel aggregates.  noa._repeated_days keeps the set of
-- days seen as a bitmap and counts the rows whose day was already in it
-- (src/state/day_set_agg.c); its small state of known size (SSPACE) lets the
-- planner hash the groups.  noa._p10_p90 keeps every non-NULL value and sorts
-- a copy at the end.
CREATE FUNCTION @extschema@._value_list_sfunc(internal, float8) RETURNS internal
	AS 'MODULE_PATHNAME', 'noa_value_list_add' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@._value_list_combine(internal, internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'noa_value_list_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@._value_list_serial(internal) RETURNS bytea
	AS 'MODULE_PATHNAME', 'noa_value_list_serial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@._value_list_deserial(bytea, internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'noa_value_list_deserial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@._day_set_sfunc(internal, date) RETURNS internal
	AS 'MODULE_PATHNAME', 'noa_day_set_add' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@._day_set_combine(internal, internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'noa_day_set_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@._day_set_serial(internal) RETURNS bytea
	AS 'MODULE_PATHNAME', 'noa_day_set_serial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@._day_set_deserial(bytea, internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'noa_day_set_deserial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@._repeated_days_final(internal) RETURNS bigint
	AS 'MODULE_PATHNAME', 'noa_repeated_days_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@._p10_p90_final(internal) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'noa_p10_p90_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- the rows of the group whose day another row of the group already has
-- (0: one row per day)
CREATE AGGREGATE @extschema@._repeated_days(date) (
	SFUNC = @extschema@._day_set_sfunc,
	STYPE = internal,
	SSPACE = 200,               -- the state and a bitmap of two years, with allocation headers
	FINALFUNC = @extschema@._repeated_days_final,
	COMBINEFUNC = @extschema@._day_set_combine,
	SERIALFUNC = @extschema@._day_set_serial,
	DESERIALFUNC = @extschema@._day_set_deserial,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@._repeated_days(date) IS
	'internal (used by noa._campaign_state): the rows whose day another row of the group already has';

-- {percentile_cont(0.1), percentile_cont(0.9)} of the values, bit for bit
CREATE AGGREGATE @extschema@._p10_p90(float8) (
	SFUNC = @extschema@._value_list_sfunc,
	STYPE = internal,
	FINALFUNC = @extschema@._p10_p90_final,
	COMBINEFUNC = @extschema@._value_list_combine,
	SERIALFUNC = @extschema@._value_list_serial,
	DESERIALFUNC = @extschema@._value_list_deserial,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@._p10_p90(float8) IS
	'internal (used by noa._campaign_state): the 10th and 90th percentiles of the values as percentile_cont computes them';
