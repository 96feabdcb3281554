// Command bench converges the same playbook with tend, Ansible and Ansible
// with Mitogen on a fleet of real sshd hosts (tend/integration/fleet), and
// writes what it measured as a markdown section of BENCHMARKS.md.
//
//	go run ./integration/cmd/bench [-n 50] [-delay 0ms] [-runs 3] [-slow-runs 0]
//	                               [-tools tend,ansible,mitogen] [-out BENCHMARKS.md]
//	                               [-scenario mixed] [-mirrors $MIRRORS]
//
// It needs root (the fleet uses namespaces), ansible-playbook, and for
// Mitogen Debian's ansible-mitogen. The default scenario (package
// tend/integration/bench) is 30 tasks of file, copy, template, lineinfile,
// command, group, user, cron and apt, without fact gathering, under
// /srv/bench on each host (and a user, a group and /etc/cron.d/bench).
// The others (scenarios.go): mixed15 and tasks200 (issue 14's 15 and 200
// tasks), hardening (dev-sec's os_hardening role, read from a mirror under
// -mirrors and skipped with a message when absent; fresh hosts before each
// run, since its changes are all over /etc) and copy50m (one 50 MB copy).
//
// For each tool and each run it undoes the scenario everywhere (tend exec),
// then times three runs of the playbook: the first converge (everything
// changes), a no-op converge (nothing does) and a check run. Every timed
// run must succeed on every host, with changes in the first converge and none
// after; anything else is recorded as an error, not as a time. Reported: the
// median wall time over the runs, how many times faster tend is than each
// other tool, tend's round trips per host (after the SSH handshake, from its
// recap with -v: tend runs with its text output, as an operator does), the
// processes each run started on each host (its PID namespace's last PID
// before and after, fleet.Host.LastPID), the machine's load average, and the
// controller's peak RSS as wait4 reports it (the largest single process of
// its tree: for Ansible's forked workers this understates the total).
//
// With -delay L every host sits behind a userspace TCP proxy that delays each
// chunk by L in each direction (tc netem needs privileges this machine lacks),
// so a round trip costs 2L as over a WAN.
//
// Ansible runs as it would be tuned for speed: pipelining, ControlPersist,
// forks = N, host key checking on with the fleet's keys; Mitogen uses its
// mitogen_linear strategy. -slow-runs sets how many runs Ansible and Mitogen
// get when that must be fewer than -runs (a 50-host run takes minutes).
//
// The section written to -out is delimited by HTML comments naming the
// configuration (hosts, delay, tools): running the same configuration again
// replaces it, another one is added, and text outside the sections is kept.
// The benchmark never runs under go test.
package main
