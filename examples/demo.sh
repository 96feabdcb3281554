#!/bin/sh
# The quick-start demo, run by `make demo` inside a throwaway fleet that
# integration/cmd/fleet starts and tears down. It sets TEND_FLEET_INVENTORY,
# TEND_FLEET_KNOWN_HOSTS and TEND_FLEET_DIR.
set -e
tend=${1:-bin/tend}
here=$(dirname "$0")
inv=$TEND_FLEET_INVENTORY
conn="--known-hosts $TEND_FLEET_KNOWN_HOSTS"
# Reports of every run, as scheduled runs keep them: tend history reads them.
export TEND_REPORT_DIR="$TEND_FLEET_DIR/reports"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "tend ping: every host answers"
"$tend" ping -i "$inv" $conn

step "tend converge: the first run changes what differs"
"$tend" converge -i "$inv" $conn "$here/site.yml"

step "tend converge again: nothing to change"
"$tend" converge -i "$inv" $conn "$here/site.yml"

step "someone edits a file by hand on host02"
"$tend" exec -i "$inv" $conn host02 -- sh -c 'echo "listen = 0.0.0.0:9999" >> /srv/app/app.conf; chmod 0666 /srv/app/banner.txt'

step "tend plan: the drift, as a diff; nothing is changed"
"$tend" plan -i "$inv" $conn "$here/site.yml"

step "tend converge: the drift is corrected (and called corrective)"
"$tend" converge -i "$inv" $conn "$here/site.yml"

step "tend history: every run, with what drifted"
"$tend" history
