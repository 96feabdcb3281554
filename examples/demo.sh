#!/bin/sh
# The quick-start demo, run by `make demo` inside a throwaway fleet that
# integration/cmd/fleet starts and tears down. It sets TEND_FLEET_INVENTORY,
# TEND_FLEET_KNOWN_HOSTS and TEND_FLEET_KEY.
set -e
tend=${1:-bin/tend}
inv=$TEND_FLEET_INVENTORY
conn="--known-hosts $TEND_FLEET_KNOWN_HOSTS"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

step tend inventory -i "$inv" --graph
"$tend" inventory -i "$inv" --graph

step tend ping -i "$inv" -v
"$tend" ping -i "$inv" $conn -v

step tend exec -i "$inv" all -- 'echo "$(hostname) runs $(uname -s), uptime: $(cut -d" " -f1 /proc/uptime)s"'
"$tend" exec -i "$inv" $conn all -- 'echo "$(hostname) runs $(uname -s), uptime: $(cut -d" " -f1 /proc/uptime)s"'

step tend exec -i "$inv" 'fleet[0]' -- touch "/tmp/only on host01"
"$tend" exec -i "$inv" $conn 'fleet[0]' -- touch "/tmp/only on host01"

step tend exec -i "$inv" all -- ls "/tmp/only on host01"
"$tend" exec -i "$inv" $conn all -- ls "/tmp/only on host01" || echo "(exit $?: as expected, only host01 has the file: each host has its own overlay root)"
