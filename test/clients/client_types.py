"""noa's client type test through psycopg2 (Debian python3-psycopg2).

Runs every query of test/clients/queries.sql and checks that each column has a
plain PostgreSQL type (integer, float8, numeric, text, date, boolean), that
psycopg2 hands back int, float, Decimal, str, date, bool or None, and that no
number is NaN or infinite.  Also checks that queries.sql calls every
analyst-facing function in schema noa, so a new function cannot be missed.
Connection from the libpq environment (PGHOST, PGPORT, PGDATABASE, PGUSER).
Prints one line per check and, last, "psycopg2: N passed, M failed".
"""
import datetime
import decimal
import math
import re
import sys

import psycopg2

# bool, int8, int2, int4, text, float4, float8, varchar, date, numeric
PLAIN_OIDS = {16, 20, 21, 23, 25, 700, 701, 1043, 1082, 1700}
PLAIN_PY = (bool, int, float, decimal.Decimal, str, datetime.date)


def read_queries(path):
    """The (name, sql) pairs of queries.sql, split on its "-- query: NAME" headers."""
    queries, name, lines = [], None, []
    for line in open(path, encoding="utf-8"):
        m = re.match(r"-- query: (.+)", line)
        if m:
            if name:
                queries.append((name, "".join(lines)))
            name, lines = m.group(1).strip(), []
        elif name:
            lines.append(line)
    if name:
        queries.append((name, "".join(lines)))
    return queries


def bad_value(value):
    """Why a value is not a plain, finite one (None when it is)."""
    if value is None:
        return None
    if not isinstance(value, PLAIN_PY) or isinstance(value, datetime.datetime):
        return "Python type %s" % type(value).__name__
    if isinstance(value, float) and not math.isfinite(value):
        return "float %r" % value
    if isinstance(value, decimal.Decimal) and not value.is_finite():
        return "numeric %s" % value
    return None


def check_query(cur, sql):
    """Problems of one query's result: non-plain column types, values; (rows, problems)."""
    cur.execute(sql)
    problems = ["column %s has type oid %d" % (d.name, d.type_code)
                for d in cur.description if d.type_code not in PLAIN_OIDS]
    rows = cur.fetchall()
    for row in rows:
        for d, value in zip(cur.description, row):
            why = bad_value(value)
            if why:
                problems.append("column %s: %s" % (d.name, why))
    return len(rows), problems[:5]


def uncovered_functions(cur, query_text):
    """Analyst-facing functions of schema noa that queries.sql never calls."""
    cur.execute("""
        SELECT DISTINCT p.proname
        FROM pg_proc p
        WHERE p.pronamespace = 'noa'::regnamespace AND p.proname NOT LIKE '\\_%'
          AND p.prorettype NOT IN ('internal'::regtype, 'cstring'::regtype, 'bytea'::regtype, 'jsonb'::regtype)
          AND NOT EXISTS (SELECT 1 FROM pg_type t WHERE p.oid IN (t.typinput, t.typoutput, t.typreceive, t.typsend))
          AND NOT EXISTS (SELECT 1 FROM pg_aggregate a WHERE p.oid = a.aggfinalfn)
        ORDER BY 1""")
    return [name for (name,) in cur.fetchall() if "noa.%s(" % name not in query_text]


def main(path):
    conn = psycopg2.connect("")
    conn.set_session(readonly=True, autocommit=True)
    cur = conn.cursor()
    passed = failed = 0
    missing = uncovered_functions(cur, open(path, encoding="utf-8").read())
    if missing:
        failed += 1
        print("not ok psycopg2 coverage: queries.sql never calls noa.%s" % ", noa.".join(missing))
    else:
        passed += 1
        print("ok psycopg2 coverage: every analyst-facing function is called")
    for name, sql in read_queries(path):
        try:
            nrows, problems = check_query(cur, sql)
        except psycopg2.Error as e:
            nrows, problems = 0, ["%s %s" % (e.pgcode, str(e).splitlines()[0])]
        if problems or nrows == 0:
            failed += 1
            print("not ok psycopg2 %s: %s" % (name, "; ".join(problems) or "no rows"))
        else:
            passed += 1
            print("ok psycopg2 %s (%d rows)" % (name, nrows))
    print("psycopg2: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "test/clients/queries.sql"))
