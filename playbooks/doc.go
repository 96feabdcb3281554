// Package playbooks turns inventory hosts into transport connections and runs
// work across hosts in parallel, bounded by --forks. It is the layer between the
// CLI and the inventory, modules and transport packages.
package playbooks
