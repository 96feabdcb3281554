#!/bin/bash
# run.sh TEND_BINARY [CASE...]
#
# For every case (all of cases.tsv by default; names as in cases/):
#   1. syntax: tend converge --syntax-check and ansible-playbook --syntax-check
#   2. run: ansible-playbook on a fresh fleet host, then tend converge on
#      another fresh host (one 1-host fleet per tool run, torn down after it,
#      so daemons a run starts cannot meet the twin's), TIMEOUT s each
#   3. the markdown table of every case that has results (out/report.md)
# Raw logs: out/CASE/. Env: OUT (results dir, default out/; one run at a time per
# OUT), TIMEOUT (300), SYNTAX_ONLY=1 (skip step 2),
# FLEET (fleet binary; built from this repository's HEAD into $WORK/bin/fleet if absent),
# STUB_PACKAGES=1 (apt on the hosts installs stubrepo.sh's packages, built afresh
# into $OUT/stubrepo, so the roles run past their package installs),
# SECOND_RUN=1 (each tool runs twice on its host: the second run shows what a
# converged host still changes).
set -uo pipefail
if [ $# -lt 1 ]; then
	echo "usage: $0 TEND_BINARY [CASE...]" >&2
	exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
# Role checkouts, cases and results live outside the repository.
work=${COMPAT_WORK:-/tmp/tend-compat}
export COMPAT_WORK=$work
mkdir -p "$work"
tend=$(realpath "$1")
shift
limit=${TIMEOUT:-300}
runs=1
[ -z "${SECOND_RUN:-}" ] || runs=2
[ -x "$tend" ] || { echo "not executable: $tend" >&2; exit 2; }
command -v ansible-playbook >/dev/null || { echo "ansible-playbook missing" >&2; exit 2; }
[ -d "$work/cases" ] || "$here/setup.sh" >/dev/null

fleet=${FLEET:-$work/bin/fleet}
if [ ! -x "$fleet" ]; then
	src=$(mktemp -d)
	(cd "$here/../.." && git archive HEAD) | tar -x -C "$src" &&
		(cd "$src" && go build -o "$fleet" ./integration/cmd/fleet) || { echo "cannot build fleet" >&2; exit 2; }
	rm -rf "$src"
fi

if [ $# -gt 0 ]; then
	cases=("$@")
else
	mapfile -t cases < <(grep -v '^#' "$here/cases.tsv" | cut -f1 | grep .)
fi
for c in "${cases[@]}"; do
	[ -f "$work/cases/$c/site.yml" ] || { echo "no such case: $c (see cases.tsv)" >&2; exit 2; }
done

tend_sha=$(sha256sum "$tend" | cut -c1-12)


# Results go to $OUT (default out/); two runs on one OUT would clobber each other.
OUT=$(realpath -m "${OUT:-$work/out}")
export OUT
mkdir -p "$OUT"
exec 9>"$OUT/.lock"
if ! flock -n 9; then
	echo "another run.sh is writing $OUT: wait for it, or give this one OUT=/other/dir" >&2
	exit 2
fi

# One repository per OUT (under its lock): another run may be rebuilding its own.
if [ -n "${STUB_PACKAGES:-}" ]; then
	"$here/stubrepo.sh" "$OUT/stubrepo" >&2 || { echo "cannot build the stub repository" >&2; exit 2; }
	export STUB_REPO=$OUT/stubrepo # inner.sh points the hosts' apt at it
else
	unset STUB_REPO
fi

# The kernel settings a role could reach if a guard failed: checked after every run.
tripwire() { cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv4/conf/*/rp_filter /proc/sys/kernel/randomize_va_space 2>/dev/null | md5sum; }
wire=$(tripwire)

fpid=
cleanup() {
	# fleet passes SIGTERM to its command and tears its hosts down.
	[ -n "$fpid" ] && kill -TERM "$fpid" 2>/dev/null && wait "$fpid" 2>/dev/null
	exit 130
}
trap cleanup INT TERM HUP

head40() { { echo "exit $2"; head -n 40 "$1"; } }

run_tool() { # TOOL CASE OUTDIR: one run, and a second on a fresh host if the first was unreachable
	run_once "$@"
	if "$here/compat.py" parse-run "$1" "$3/$1.run.log" "$(cat "$3/$1.run.rc")" | grep -q '"stop": "[^"]*UNREACHABLE'; then
		mv "$3/$1.run.log" "$3/$1.run.log.unreachable"
		echo "$2: $1 found its host unreachable: once more on a fresh host" >&2
		run_once "$@"
	fi
}

run_once() {
	rm -f "$3/$1.run.rc" "$3/$1.run2.log" "$3/$1.run2.rc"
	timeout -k 15 $((limit * runs + 60)) "$fleet" -q -n 1 -- "$here/inner.sh" "$1" "$2" "$tend" "$3" "$limit" 9>&- \
		>"$3/$1.fleet.log" 2>&1 &
	fpid=$!
	wait "$fpid"
	fpid=
	[ -s "$3/$1.run.rc" ] || echo 125 >"$3/$1.run.rc"
	if [ "$(tripwire)" != "$wire" ]; then
		echo "TRIPWIRE: /proc/sys settings of the real machine changed during $1 on $2: stopping" >&2
		exit 3
	fi
}

for c in "${cases[@]}"; do
	out=$OUT/$c
	rm -rf "$out"
	mkdir -p "$out"
	cd "$work/cases/$c" || exit 1
	inv=$out/inventory.syntax
	{
		echo "twin ansible_host=127.0.0.1 ansible_user=root"
		for g in $(tr ',' ' ' <groups); do [ "$g" = - ] || printf '[%s]\ntwin\n' "$g"; done
	} >"$inv"
	ANSIBLE_COLLECTIONS_PATH="$work/collections" timeout -k 5 60 "$tend" converge --syntax-check -i "$inv" site.yml >"$out/tend.syntax.log" 2>&1 </dev/null
	trc=$?
	env HOME="$out/ansible-home" ANSIBLE_NOCOLOR=1 ANSIBLE_COLLECTIONS_PATH="$work/collections" \
		timeout -k 5 120 ansible-playbook --syntax-check -i "$inv" site.yml >"$out/ansible.syntax.log" 2>&1 </dev/null
	arc=$?
	{ echo "== tend"; head40 "$out/tend.syntax.log" $trc; echo "== ansible-playbook"; head40 "$out/ansible.syntax.log" $arc; } >"$out/syntax.txt"
	cd "$work"

	ajson=null tjson=null
	if [ -z "${SYNTAX_ONLY:-}" ]; then
		run_tool ansible "$c" "$out"
		ajson=$("$here/compat.py" parse-run ansible "$out/ansible.run.log" "$(cat "$out/ansible.run.rc")")
		if [ $trc -eq 0 ]; then # a load error stops tend before any host: nothing to run
			run_tool tend "$c" "$out"
			tjson=$("$here/compat.py" parse-run tend "$out/tend.run.log" "$(cat "$out/tend.run.rc")")
		fi
	fi
	commit=$(awk -F'\t' -v c="$c" '$1==c{print $4}' "$here/cases.tsv")
	printf '{"case":"%s","commit":"%s","tend_sha":"%s","stub_packages":%s,"ansible_syntax_rc":%d,"tend_syntax_rc":%d,"ansible":%s,"tend":%s}\n' \
		"$c" "$commit" "$tend_sha" "$([ -n "${STUB_REPO:-}" ] && echo true || echo false)" $arc $trc "$ajson" "$tjson" >"$out/result.json"
	echo "$c: tend load rc=$trc, ansible load rc=$arc; ansible: ${ajson:0:100}; tend: ${tjson:0:100}" >&2
done

"$here/compat.py" report | tee "$OUT/report.md"
