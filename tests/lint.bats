#!/usr/bin/env bats
# The layers of src/ (make lint runs the same check): wire includes only
# wire; core no wire, capture or cmd; capture no cmd; headers included.

load helpers/common

LAYERS="$BATS_TEST_DIRNAME/helpers/layers.py"

@test "lint: every .c and .h file of src/ keeps to its layer" {
	run -0 python3 "$LAYERS" "$BATS_TEST_DIRNAME/../src"
	assert_output ''
}

@test "lint: the layer check names each broken rule, in headers too" {
	local s=$BATS_TEST_TMPDIR/src
	mkdir -p "$s"/{wire,core,capture,cmd}
	echo '#include "../sockx.h"' >"$s/wire/ip.h"
	printf '#include "addr2.h"\n#include "../wire/ip.h"\n' >"$s/core/addr.h"
	echo '#include "../cmd/cmd.h"' >"$s/capture/cap.c"
	echo '#include "../main.c"' >"$s/cmd/x.c"
	echo '#include "../../outside.h"' >"$s/cmd/y.h"
	: >"$s/sockx.h"
	: >"$s/main.c"
	: >"$s/cmd/cmd.h"
	run -1 python3 "$LAYERS" "$s"
	assert_line "wire/ip.h:1: wire/ may not include the top level (../sockx.h)"
	assert_line "core/addr.h:2: core/ may not include wire (../wire/ip.h)"
	assert_line "capture/cap.c:1: capture/ may not include cmd (../cmd/cmd.h)"
	assert_line "cmd/x.c:1: includes a .c file (../main.c)"
	assert_line "cmd/y.h:1: includes ../../outside.h, outside src/"
	[[ ${#lines[@]} -eq 5 ]]
}

# The objects of the sockx under test: build/ beside ./sockx, or the
# folder of build-san/sockx.
objdir() {
	local d
	d=$(dirname "$SOCKX")
	[[ -f $d/src/main.o ]] || d=$d/build
	[[ -f $d/src/main.o && -f $d/libsockx.a ]] || skip "no build tree beside $SOCKX"
	printf '%s' "$d"
}

@test "lint: main.c defines nothing another file uses (main only)" {
	local d defined used
	d=$(objdir)
	defined=$(nm -g --defined-only "$d/src/main.o" | awk '{print $3}')
	[[ $defined == main ]] || fail "main.o defines more than main: $defined"
	used=$(nm -u "$d/libsockx.a" | awk '{print $2}' | grep -xF -f <(echo "$defined") || true)
	[[ -z $used ]] || fail "the library uses main.c's $used"
}
