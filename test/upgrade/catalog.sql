-- Every member of extension noa, one line each, described by what it is and
-- does but not by its OID: functions by their full definition (arguments with
-- names and defaults, result, language, labels, settings, body), aggregates by
-- their support functions and options, types, casts, plus comments and
-- privileges.  Run on an updated and on a freshly installed database, the two
-- outputs must be identical.
\pset format unaligned
\pset tuples_only on
WITH member AS (
	SELECT d.classid, d.objid
	FROM pg_catalog.pg_depend d
	JOIN pg_catalog.pg_extension e ON d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.refobjid = e.oid
	WHERE e.extname = 'noa' AND d.deptype = 'e'
)
SELECT line FROM (
	SELECT 'function ' || p.oid::pg_catalog.regprocedure::text || E'\n'
	       || CASE WHEN p.prokind = 'a' THEN
	            pg_catalog.format('aggregate result %s; args %s; sfunc %s stype %s sspace %s final %s extra %s modify %s combine %s serial %s deserial %s msfunc %s minv %s mstype %s mfinal %s initcond %s minitcond %s sortop %s kind %s direct %s; parallel %s',
	              pg_catalog.pg_get_function_result(p.oid), pg_catalog.pg_get_function_arguments(p.oid),
	              a.aggtransfn::pg_catalog.regprocedure, a.aggtranstype::pg_catalog.regtype, a.aggtransspace,
	              a.aggfinalfn::pg_catalog.regprocedure, a.aggfinalextra, a.aggfinalmodify,
	              a.aggcombinefn::pg_catalog.regprocedure, a.aggserialfn::pg_catalog.regprocedure,
	              a.aggdeserialfn::pg_catalog.regprocedure, a.aggmtransfn::pg_catalog.regprocedure,
	              a.aggminvtransfn::pg_catalog.regprocedure, a.aggmtranstype::pg_catalog.regtype,
	              a.aggmfinalfn::pg_catalog.regprocedure, a.agginitval, a.aggminitval,
	              a.aggsortop::pg_catalog.regoperator, a.aggkind, a.aggnumdirectargs, p.proparallel)
	          ELSE pg_catalog.pg_get_functiondef(p.oid) END
	       || E'\ncomment ' || coalesce(pg_catalog.quote_literal(pg_catalog.obj_description(p.oid, 'pg_proc')), 'none')
	       || E'\nacl ' || coalesce(p.proacl::text, 'default') AS line
	FROM member m JOIN pg_catalog.pg_proc p ON m.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND p.oid = m.objid
	LEFT JOIN pg_catalog.pg_aggregate a ON a.aggfnoid = p.oid
	UNION ALL
	SELECT pg_catalog.format(E'type %s: type %s len %s byval %s align %s storage %s in %s out %s recv %s send %s typmod_in %s analyze %s elem %s category %s delim %s\nattributes %s\ncomment %s\nacl %s',
	         t.oid::pg_catalog.regtype, t.typtype, t.typlen, t.typbyval, t.typalign, t.typstorage,
	         t.typinput::pg_catalog.regprocedure, t.typoutput::pg_catalog.regprocedure,
	         t.typreceive::pg_catalog.regprocedure, t.typsend::pg_catalog.regprocedure,
	         t.typmodin::pg_catalog.regprocedure, t.typanalyze::pg_catalog.regprocedure,
	         t.typelem::pg_catalog.regtype, t.typcategory, t.typdelim,
	         (SELECT pg_catalog.string_agg(pg_catalog.format('%s %s', at.attname, pg_catalog.format_type(at.atttypid, at.atttypmod)), ', ' ORDER BY at.attnum)
	            FROM pg_catalog.pg_attribute at WHERE at.attrelid = t.typrelid AND at.attnum > 0 AND NOT at.attisdropped),
	         coalesce(pg_catalog.quote_literal(pg_catalog.obj_description(t.oid, 'pg_type')), 'none'),
	         coalesce(t.typacl::text, 'default'))
	FROM member m JOIN pg_catalog.pg_type t ON m.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND t.oid = m.objid
	UNION ALL
	SELECT pg_catalog.format('cast %s -> %s via %s context %s method %s',
	         c.castsource::pg_catalog.regtype, c.casttarget::pg_catalog.regtype,
	         c.castfunc::pg_catalog.regprocedure, c.castcontext, c.castmethod)
	FROM member m JOIN pg_catalog.pg_cast c ON m.classid = 'pg_catalog.pg_cast'::pg_catalog.regclass AND c.oid = m.objid
	UNION ALL
	SELECT pg_catalog.format('other member %s', pg_catalog.pg_describe_object(m.classid, m.objid, 0))
	FROM member m
	WHERE m.classid NOT IN ('pg_catalog.pg_proc'::pg_catalog.regclass, 'pg_catalog.pg_type'::pg_catalog.regclass, 'pg_catalog.pg_cast'::pg_catalog.regclass)
	UNION ALL
	SELECT pg_catalog.format('extension %s version %s schema %s relocatable %s config %s',
	         e.extname, e.extversion, e.extnamespace::pg_catalog.regnamespace, e.extrelocatable, e.extconfig)
	FROM pg_catalog.pg_extension e WHERE e.extname = 'noa'
	UNION ALL
	SELECT pg_catalog.format('schema %s owner-is-extension-owner %s acl %s', n.nspname,
	         n.nspowner = e.extowner, coalesce(n.nspacl::text, 'default'))
	FROM pg_catalog.pg_namespace n JOIN pg_catalog.pg_extension e ON e.extnamespace = n.oid WHERE e.extname = 'noa'
) s
ORDER BY line COLLATE "C";
