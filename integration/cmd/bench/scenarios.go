package main

import (
	"path/filepath"
	"strings"

	"tend/integration/bench"
)

// scenario is one playbook the tools converge (package
// tend/integration/bench holds the playbooks).
type scenario struct {
	name  string
	tasks int    // tasks per host, for the per host-task column; 0: not a fixed number
	title string // what the section's heading calls it
	// clean undoes the scenario on a host (a shell command line run with
	// tend exec); "" when nothing simpler than new hosts does (the fleet is
	// then started again before every run).
	clean string
	args  []string // added to every tool's runs of the playbook
	// write writes the scenario into dir: the playbook, and for copy50m
	// the file it copies.
	write func(c config, dir string) (playbook, bigFile string, err error)
	help  string
}

var scenarios = []scenario{
	{name: "mixed", tasks: bench.Tasks, clean: bench.CleanScript,
		help: "the 30-task playbook (files, templates, user, group, cron, apt)",
		write: func(_ config, dir string) (string, string, error) {
			p, err := bench.Write(dir)
			return p, "", err
		}},
	{name: "mixed15", tasks: bench.Mixed15Tasks, clean: bench.CleanScript, title: "the mixed 15-task playbook",
		help: "issue 14's mixed 15 tasks, a role with handlers among them",
		write: func(_ config, dir string) (string, string, error) {
			p, err := bench.WriteMixed15(dir)
			return p, "", err
		}},
	{name: "tasks200", tasks: bench.Tasks200, clean: bench.CleanScript, title: "the 200-task playbook",
		help: "200 tasks of ten usual kinds",
		write: func(_ config, dir string) (string, string, error) {
			p, err := bench.WriteTasks200(dir)
			return p, "", err
		}},
	{name: "hardening", args: []string{"--skip-tags", bench.HardeningSkipTags}, title: "dev-sec's os_hardening role (package, sysctl and mount parts off)",
		help: "the public role os_hardening from a mirror (-mirrors); skipped without it",
		write: func(c config, dir string) (string, string, error) {
			p, err := bench.WriteHardening(dir, c.mirrors)
			return p, "", err
		}},
	{name: "copy50m", tasks: 1, clean: bench.CleanScript, title: "a 50 MB copy",
		help: "one copy of a 50 MB file, with scp beside it",
		write: func(_ config, dir string) (string, string, error) {
			return bench.WriteBigCopy(dir)
		}},
}

func findScenario(name string) (scenario, bool) {
	for _, s := range scenarios {
		if s.name == name {
			return s, true
		}
	}
	return scenario{}, false
}

// scenarioHelp lists the scenarios for -h.
func scenarioHelp() string {
	var b strings.Builder
	for _, s := range scenarios {
		b.WriteString("\n  " + s.name + ": " + s.help)
	}
	return b.String()
}

// writeScenario writes c's scenario into the work folder.
func writeScenario(c config, work string) (playbook, bigFile string, err error) {
	s, _ := findScenario(c.scenario)
	return s.write(c, filepath.Join(work, "scenario"))
}

// tasks is the number of tasks of the report's scenario (0: not fixed).
func (r *report) tasks() int {
	s, _ := findScenario(r.cfg.scenario)
	return s.tasks
}
