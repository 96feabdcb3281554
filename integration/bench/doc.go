// Package bench holds the pieces of tend's side-by-side benchmark against
// Ansible (the command is tend/integration/cmd/bench): the scenario both
// tools converge, and a TCP proxy that adds latency, so that round trips
// cost what they cost on a real network even though the hosts run on
// 127.0.0.1. Its _test.go files hold go test benchmarks of the controller's
// own work (planning over probe output); they start no hosts.
package bench
