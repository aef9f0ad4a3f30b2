# noa — PGXS build.  `make && make install`, then `make installcheck` against a running server.
# Sources are grouped by subsystem (src/curve, src/planner, ...).  Each subsystem's numeric core
# lives in its core/ folder, never includes postgres.h, and `make unit` builds and tests it alone.

EXTENSION  = noa
EXTVERSION = 0.2.0
# The last released version: its install script is frozen in src/sql/released/ and
# the update from it to EXTVERSION is generated (see below).
PREVIOUS   = 0.1.0

MODULE_big = noa
SUBSYSTEMS = $(sort $(patsubst %/,%,$(dir $(wildcard src/*/*.c))))
CORE_DIRS  = $(sort $(patsubst %/,%,$(dir $(wildcard src/*/core/*.c))))
CORE_SRCS  = $(sort $(wildcard src/*/core/*.c))
CORE_HDRS  = $(wildcard src/*/core/*.h)
GLUE_SRCS  = $(sort $(wildcard src/*.c src/*/*.c))
OBJS       = $(GLUE_SRCS:.c=.o) $(CORE_SRCS:.c=.o)

# The install script is edited in src/sql/*.sql (one concern per file) and generated per version.
# The update script from PREVIOUS is generated from the same parts (all but the install-only
# preamble 00_base.sql) plus a small hand-written part for what CREATE OR REPLACE cannot do.
SQL_PARTS   = $(sort $(wildcard src/sql/*.sql))
UPDATE_PARTS = $(filter-out src/sql/00_base.sql,$(SQL_PARTS))
UPDATE_HAND = src/sql/update/$(PREVIOUS)--$(EXTVERSION).sql
RELEASED    = $(sort $(wildcard src/sql/released/$(EXTENSION)--*.sql src/sql/released/$(EXTENSION)--*.control))
DATA        = $(RELEASED)
DATA_built  = $(EXTENSION)--$(EXTVERSION).sql $(EXTENSION)--$(PREVIOUS)--$(EXTVERSION).sql
EXTRA_CLEAN = $(DATA_built) $(GLUE_SRCS:.c=.bc) $(CORE_SRCS:.c=.bc) test/unit/bin results regression.diffs regression.out

REGRESS      = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --load-extension=$(EXTENSION)

GSL_CFLAGS := $(shell gsl-config --cflags)
GSL_LIBS   := $(shell gsl-config --libs)
PG_CPPFLAGS = -Isrc $(addprefix -I,$(SUBSYSTEMS) $(CORE_DIRS)) $(GSL_CFLAGS) -DNOA_VERSION=\"$(EXTVERSION)\"
SHLIB_LINK  = $(GSL_LIBS)

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS tracks no header dependencies: rebuild every object when any header changes.
$(OBJS): $(wildcard src/*.h src/*/*.h src/*/core/*.h)
# noa.c compiles the version in (-DNOA_VERSION): rebuild it when the Makefile changes.
src/noa.o: Makefile

$(EXTENSION)--$(EXTVERSION).sql: $(SQL_PARTS)
	cat $(SQL_PARTS) > $@

$(EXTENSION)--$(PREVIOUS)--$(EXTVERSION).sql: scripts/update-script.py src/sql/released/$(EXTENSION)--$(PREVIOUS).sql $(UPDATE_HAND) $(UPDATE_PARTS)
	python3 scripts/update-script.py $(PREVIOUS) $(EXTVERSION) src/sql/released/$(EXTENSION)--$(PREVIOUS).sql $(UPDATE_HAND) $(UPDATE_PARTS) > $@.tmp
	mv $@.tmp $@

# ---- C unit tests of the numeric core (no PostgreSQL involved) ----
UNIT_CC      ?= cc
UNIT_CFLAGS  ?= -O2 -g -std=gnu99 -Wall -Wextra -fno-fast-math
UNIT_TESTS    = $(patsubst test/unit/%.c,test/unit/bin/%,$(sort $(wildcard test/unit/test_*.c)))

test/unit/bin/%: test/unit/%.c $(CORE_SRCS) $(CORE_HDRS) test/unit/unit.h
	@mkdir -p test/unit/bin
	$(UNIT_CC) $(UNIT_CFLAGS) $(addprefix -I,$(CORE_DIRS)) -Itest/unit $(GSL_CFLAGS) -o $@ $< $(CORE_SRCS) $(GSL_LIBS)

.PHONY: unit unit-valgrind
unit: $(UNIT_TESTS)
	@scripts/run-unit.sh $(UNIT_TESTS)

# The same binaries under valgrind memcheck: no memory errors, no leaks.
unit-valgrind: $(UNIT_TESTS)
	@scripts/run-unit.sh --valgrind $(UNIT_TESTS)
