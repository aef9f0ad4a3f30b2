#!/usr/bin/env bash
# Runs the C unit-test binaries given as arguments and prints one summary line.
# With --valgrind first, runs each binary under valgrind's memcheck instead and
# counts one check per binary: no memory error and no leak.
set -u
if [ "${1:-}" = "--valgrind" ]; then
	shift
	passed=0; failed=0
	for t in "$@"; do
		if valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
			--error-exitcode=99 "$t" >/dev/null 2>"$t.valgrind.log"; then
			passed=$((passed + 1)); echo "ok - $(basename "$t") is valgrind-clean"
		else
			failed=$((failed + 1)); echo "not ok - $(basename "$t") under valgrind"; cat "$t.valgrind.log"
		fi
	done
	echo "valgrind: $passed passed, $failed failed"
	[ $failed -eq 0 ]
	exit
fi
passed=0; failed=0; status=0
for t in "$@"; do
	out=$("$t" 2>&1); rc=$?
	p=$(printf '%s\n' "$out" | grep -c '^ok ')
	f=$(printf '%s\n' "$out" | grep -c '^not ok ')
	passed=$((passed + p)); failed=$((failed + f))
	if [ $rc -ne 0 ] || [ "$f" -ne 0 ]; then
		status=1
		printf '%s\n' "$out" | grep -E '^(not ok|#)' | sed "s|^|$(basename "$t"): |"
	fi
	printf '  %-28s %4d passed, %d failed\n' "$(basename "$t")" "$p" "$f"
done
echo "unit: $passed passed, $failed failed"
exit $status
