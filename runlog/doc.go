// Package runlog keeps the record of converge runs: one JSON report per run,
// the state store that tells a corrective change (the host drifted from
// what tend applied before) from an intentional one (the playbook asks for
// something new), the lock that lets one run at a time work on an inventory
// and playbook, and the history read back from the reports (as a table,
// JSON or a self-contained HTML page).
//
// # Files
//
// A report directory holds:
//
//	RUNID.json          one report per run (mode 0600), RUNID sorts by start time
//	state/RUNKEY.json   per host and task, the desired-state digest last applied
//
// The digests are keyed with tend's digest key (digest.key in tend's state
// directory, shared with saved plans), which the caller passes in Config.
//
// RUNKEY identifies an inventory and playbook pair by their real paths
// (symlinks resolved).
// Directories are created 0700. Locks live apart from reports (see
// DefaultLockDir), so that runs with and without reports exclude each other.
//
// Reports hold what the runner reported: diffs and messages of no_log tasks
// were already replaced by the runner, and registered results are not kept.
package runlog
