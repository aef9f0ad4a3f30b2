
-- ---------------------------------------------------------------------------
-- Short errors for the public PL/pgSQL functions
-- ---------------------------------------------------------------------------

-- Internal: raise an error with the given SQLSTATE, message, detail and hint
-- (empty ones left out) and nothing else; the public PL/pgSQL functions
-- re-raise what they catch through it, so no internal query text travels
-- in the error's context.
CREATE FUNCTION @extschema@._reraise(sqlstate text, message text, detail text, hint text)
	RETURNS void
	AS 'MODULE_PATHNAME', 'noa_reraise_sql'
	LANGUAGE C VOLATILE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._reraise(text, text, text, text) IS
	'internal (used by noa.data_quality, noa.waste, noa.recommendations): raise an error with only SQLSTATE, message, detail and hint';
