// Command fleet starts an integration fleet of real sshd hosts on 127.0.0.1
// (see package tend/integration/fleet) for a command or for a person.
//
//	fleet [-n 3] [-dir D] [-keytype ed25519] [-keep] -- CMD ARGS...
//
// starts the hosts, runs CMD with TEND_FLEET_DIR, TEND_FLEET_INVENTORY,
// TEND_FLEET_KNOWN_HOSTS, TEND_FLEET_KEY and TEND_FLEET_SSH_CONFIG in its
// environment and the terminal passed through, then stops the hosts and exits
// with CMD's exit status. SIGTERM and SIGHUP are passed on to CMD; Ctrl-C
// reaches it from the terminal anyway. A second signal kills CMD.
//
//	fleet up [-n 3] [-dir D] [-keytype ed25519] [-keep]
//
// (or fleet without a command) starts the hosts, prints how to reach them and
// keeps them up until SIGINT or SIGTERM.
//
// The hosts are torn down on every exit path; should fleet itself be killed
// with SIGKILL, the kernel still kills them (only -dir is then left).
package main
