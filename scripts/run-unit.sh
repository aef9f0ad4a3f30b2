#!/usr/bin/env bash
# Runs the C unit-test binaries given as arguments and prints one summary line.
set -u
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
