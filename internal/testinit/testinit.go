// Package testinit holds the sysvinit script tend's tests manage as a
// service, in one place for the unit and the fleet tests.
package testinit

import (
	"fmt"

	"tend/modules/shell"
)

// HTTPD is a tiny LSB init script around busybox httpd, as a small daemon
// packaged for Debian would have: the modules' tests run it in a temp dir,
// the fleet's integration test installs it as /etc/init.d/tend-httpd.
// status exits 0 when the pid in the pid file is an httpd, 3 otherwise;
// stop waits until the process is gone, so the port is free when it
// returns.
func HTTPD(port int, pidfile, docroot string) string {
	return `#!/bin/sh
### BEGIN INIT INFO
# Provides:          tend-httpd
# Required-Start:
# Required-Stop:
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: busybox httpd for tend's tests
### END INIT INFO
PORT=` + fmt.Sprint(port) + `
PIDFILE=` + shell.Quote(pidfile) + `
DOCROOT=` + shell.Quote(docroot) + `

running() {
	[ -f "$PIDFILE" ] || return 1
	pid=$(cat "$PIDFILE") || return 1
	[ -n "$pid" ] || return 1
	grep -q httpd "/proc/$pid/cmdline" 2>/dev/null
}

case "$1" in
start)
	running && exit 0
	mkdir -p "$DOCROOT" || exit 1
	busybox httpd -f -p "127.0.0.1:$PORT" -h "$DOCROOT" </dev/null >/dev/null 2>&1 &
	echo $! >"$PIDFILE"
	;;
stop)
	if running; then
		pid=$(cat "$PIDFILE")
		kill "$pid"
		i=0
		while grep -q httpd "/proc/$pid/cmdline" 2>/dev/null && [ "$i" -lt 100 ]; do
			sleep 0.1
			i=$((i + 1))
		done
	fi
	rm -f "$PIDFILE"
	;;
restart|force-reload|reload)
	"$0" stop && "$0" start
	;;
status)
	if running; then echo "tend-httpd is running"; exit 0; fi
	echo "tend-httpd is not running"
	exit 3
	;;
*)
	echo "Usage: $0 {start|stop|restart|reload|force-reload|status}" >&2
	exit 3
	;;
esac
`
}
