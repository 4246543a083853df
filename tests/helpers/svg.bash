# Helpers of the --svg tests (timeline-*.bats): the drawing checked by
# tests/helpers/svg_check.py, and rendered by rsvg-convert.
# shellcheck shell=bash
# shellcheck disable=SC2154 # $output, $status, $stderr: set by bats run

SVG_CHECK="$BATS_TEST_DIRNAME/helpers/svg_check.py"

# svg_in_order FILE REGEX...: FILE is a well-formed, self-contained SVG
# whose texts match the REGEXes in that order (svg_check.py svg).
svg_in_order() {
	run python3 "$SVG_CHECK" svg "$@"
	echo "$output"
	[ "$status" -eq 0 ]
}

# svg_renders FILE: rsvg-convert draws FILE without a complaint, and the
# PNG is not blank (svg_check.py png).
svg_renders() {
	need_cmd rsvg-convert
	run -0 --separate-stderr rsvg-convert -f png -o "$1.png" "$1"
	[ -z "$stderr" ]
	run python3 "$SVG_CHECK" png "$1.png"
	echo "$output"
	[ "$status" -eq 0 ]
}
