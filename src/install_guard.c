/*
 * install_guard.c — refuse to install into a schema noa that someone else
 * made (the CVE-2023-39417 class).
 *
 * noa.control names schema noa; when that schema already exists, CREATE
 * EXTENSION adopts it as it is.  A role that created it beforehand would keep
 * owning it and could add look-alike overloads (e.g. noa.marginal_roas with
 * other argument types) that a superuser's call then runs, or rename it and
 * put its own noa in its place.  The install script calls this check first.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_namespace.h"
#include "commands/extension.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

/* Whether the schema's ACL grants CREATE to a role other than its owner (or to PUBLIC). */
static bool
others_may_create(HeapTuple tup, Oid owner)
{
	bool		isnull;
	Datum		d = SysCacheGetAttr(NAMESPACEOID, tup, Anum_pg_namespace_nspacl, &isnull);
	Acl		   *acl;
	Oid		   *roles;
	int			n,
				i;

	if (isnull)
		return false;			/* default privileges: only the owner creates */
	acl = DatumGetAclP(d);
	if (aclmask(acl, ACL_ID_PUBLIC, owner, ACL_CREATE, ACLMASK_ANY) != 0)
		return true;
	n = aclmembers(acl, &roles);
	for (i = 0; i < n; i++)
		if (roles[i] != owner && aclmask(acl, roles[i], owner, ACL_CREATE, ACLMASK_ANY) != 0)
			return true;
	return false;
}

PG_FUNCTION_INFO_V1(noa_install_guard);

/*
 * Called by the install script: the extension's schema must be owned by the
 * role running CREATE EXTENSION, and no other role may create objects in it.
 */
Datum
noa_install_guard(PG_FUNCTION_ARGS)
{
	Oid			nsp;
	HeapTuple	tup;
	Form_pg_namespace form;
	const char *name;

	if (!creating_extension)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("noa's install guard runs only inside CREATE EXTENSION noa")));
	/* the guard is created in the extension's schema: that is the one to check */
	nsp = get_func_namespace(fcinfo->flinfo->fn_oid);
	tup = SearchSysCache1(NAMESPACEOID, ObjectIdGetDatum(nsp));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for schema %u", nsp);
	form = (Form_pg_namespace) GETSTRUCT(tup);
	name = pstrdup(NameStr(form->nspname));
	if (form->nspowner != GetUserId())
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_SCHEMA),
				 errmsg("schema \"%s\" already exists and is owned by role \"%s\", not by the role installing noa",
						name, GetUserNameFromId(form->nspowner, false)),
				 errdetail("Its owner could place look-alike functions in it that noa's callers would run."),
				 errhint("Check what schema \"%s\" holds, drop or rename it, then run CREATE EXTENSION noa "
						 "again: noa creates the schema itself.", name)));
	if (others_may_create(tup, form->nspowner))
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_SCHEMA),
				 errmsg("schema \"%s\" already exists and lets other roles create objects in it", name),
				 errdetail("Those roles could place look-alike functions in it that noa's callers would run."),
				 errhint("Check what schema \"%s\" holds, drop or rename it, then run CREATE EXTENSION noa "
						 "again: noa creates the schema itself.", name)));
	ReleaseSysCache(tup);
	PG_RETURN_VOID();
}
