// Package integration holds tend's end-to-end tests: the tend binary and the
// transport package against a fleet of real OpenSSH servers on this machine
// (see the fleet package). They need root; without it they fail loudly unless
// TEND_SKIP_INTEGRATION=1.
package integration
