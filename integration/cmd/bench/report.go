package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"
)

// report is one invocation's results.
type report struct {
	cfg      config
	started  time.Time
	machine  string
	versions []string
	results  []*result
	scp      *phaseResult // copy50m: scp of the same file, for reference
	// The machine's load average before and after the measurements: the
	// hosts share its cores with the controller and with anything else.
	load, loadAfter string
}

// key names the configuration, so that a later run of the same one replaces
// this section of the file.
func (r *report) key() string {
	key := fmt.Sprintf("n=%d delay=%v tools=%s", r.cfg.hosts, r.cfg.delay, strings.Join(r.cfg.tools, ","))
	if r.cfg.scenario != "mixed" {
		key += " scenario=" + r.cfg.scenario
	}
	return key
}

func (r *report) get(name string) *result {
	for _, res := range r.results {
		if res.tool.name == name {
			return res
		}
	}
	return nil
}

func (r *report) markdown() string {
	var b strings.Builder
	latency := "no added latency"
	if r.cfg.delay > 0 {
		latency = fmt.Sprintf("%v added each way", r.cfg.delay)
	}
	tasks := r.tasks()
	s, _ := findScenario(r.cfg.scenario)
	switch {
	case r.cfg.scenario == "copy50m":
		fmt.Fprintf(&b, "### A 50 MB copy to %d hosts, %s\n\n", r.cfg.hosts, latency)
	case tasks == 0:
		fmt.Fprintf(&b, "### %d hosts × %s, %s\n\n", r.cfg.hosts, s.title, latency)
	case s.title != "":
		fmt.Fprintf(&b, "### %d hosts × %d tasks (%s), %s\n\n", r.cfg.hosts, tasks, s.title, latency)
	default:
		fmt.Fprintf(&b, "### %d hosts × %d tasks, %s\n\n", r.cfg.hosts, tasks, latency)
	}
	fmt.Fprintf(&b, "- date: %s\n", r.started.UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(&b, "- machine: %s\n", r.machine)
	if r.load != "" {
		fmt.Fprintf(&b, "- load average (1, 5, 15 min) before and after: %s; %s\n", r.load, r.loadAfter)
	}
	fmt.Fprintf(&b, "- versions: %s\n", strings.Join(r.versions, "; "))
	var runs []string
	for _, res := range r.results {
		runs = append(runs, fmt.Sprintf("%s %d", res.tool.name, res.runs))
	}
	fmt.Fprintf(&b, "- runs (times are their median): %s\n", strings.Join(runs, ", "))
	scenario := ""
	if r.cfg.scenario != "mixed" {
		scenario = " -scenario " + r.cfg.scenario
	}
	if r.cfg.scenario == "hardening" {
		scenario += " -mirrors $MIRRORS"
	}
	if s.args != nil {
		fmt.Fprintf(&b, "- every tool's runs add: `%s`\n", strings.Join(s.args, " "))
	}
	fmt.Fprintf(&b, "- command: `go run ./integration/cmd/bench -n %d -delay %v -runs %d -slow-runs %d -tools %s%s`\n\n",
		r.cfg.hosts, r.cfg.delay, r.cfg.runs, r.cfg.slowRuns, strings.Join(r.cfg.tools, ","), scenario)

	b.WriteString("| run | tool | wall (median) | per host-task | ok runs | tend faster by | round trips per host | host processes per host | controller CPU | peak RSS | errors |\n")
	b.WriteString("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n")
	tend := r.get("tend")
	for ph := range nPhases {
		for _, res := range r.results {
			p := &res.phases[ph]
			wall, perTask, ratio, rt, procs, cpu := "—", "—", "—", "—", "—", "—"
			if c := median(p.cpu); c > 0 {
				cpu = seconds(c)
			}
			if m := p.median(); m > 0 {
				wall = seconds(m)
				if tasks > 0 {
					perTask = fmt.Sprintf("%.2f ms", float64(m)/float64(time.Millisecond)/float64(r.cfg.hosts*tasks))
				}
			}
			if p.procMax > 0 {
				procs = fmt.Sprint(p.procMax)
				if p.procMin != p.procMax {
					procs = fmt.Sprintf("%d–%d", p.procMin, p.procMax)
				}
			}
			if x, ok := r.ratio(res.tool.name, ph); ok && res != tend {
				ratio = fmt.Sprintf("%.1f×", x)
			}
			if res.tool.name == "tend" && p.rtMax > 0 {
				rt = fmt.Sprint(p.rtMax)
				if p.rtMin != p.rtMax {
					rt = fmt.Sprintf("%d–%d", p.rtMin, p.rtMax)
				}
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %d/%d | %s | %s | %s | %s | %.1f MB | %s |\n",
				phaseNames[ph], res.tool.name, wall, perTask, len(p.walls), res.runs, ratio, rt, procs, cpu,
				float64(p.maxRSSKB)/1024, escape(strings.Join(p.errs, "; ")))
		}
	}
	b.WriteString("\nRound trips are counted by tend after the SSH handshake. Host processes are those the run\n" +
		"started in each host's PID namespace, sshd's sessions included (lowest–highest over hosts and\n" +
		"runs). Controller CPU is user+system time of the controller and the children it waited for\n" +
		"(median); the hosts' own work is not in it. Peak RSS is wait4's ru_maxrss: the controller's\n" +
		"largest single process (Ansible forks a worker per host, so its total is larger).\n\n")
	if r.scp != nil {
		b.WriteString(r.scpMarkdown())
	}

	ts := r.goals()
	if len(ts) > 0 {
		b.WriteString("| target | wanted | measured | verdict |\n| --- | --- | --- | --- |\n")
		for _, t := range ts {
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", t.name, t.want, t.got, t.verdict)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// ratio is how many times longer other took than tend in phase ph.
func (r *report) ratio(other string, ph int) (float64, bool) {
	t, o := r.get("tend"), r.get(other)
	if t == nil || o == nil {
		return 0, false
	}
	tm, om := t.phases[ph].median(), o.phases[ph].median()
	if tm == 0 || om == 0 {
		return 0, false
	}
	return float64(om) / float64(tm), true
}

func seconds(d time.Duration) string {
	if d < 10*time.Second {
		return fmt.Sprintf("%.3f s", d.Seconds())
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

// escape keeps an error message from breaking the table.
func escape(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// writeSection puts md into path between markers naming key: in place of
// an earlier section of the same key, else at the end.
func writeSection(path, key, md string) error {
	begin, end := "<!-- bench "+key+" -->", "<!-- /bench "+key+" -->"
	section := begin + "\n" + md + end + "\n"
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		b, err = []byte("# Benchmarks\n\nWritten by `go run ./integration/cmd/bench` (see `make bench`).\n"), nil
	}
	if err != nil {
		return err
	}
	old := string(b)
	var next string
	if i := strings.Index(old, begin); i >= 0 && strings.Contains(old[i:], end) {
		j := i + strings.Index(old[i:], end) + len(end)
		next = old[:i] + strings.TrimSuffix(section, "\n") + old[j:]
	} else {
		next = strings.TrimRight(old, "\n") + "\n\n" + section
	}
	return os.WriteFile(path, []byte(next), 0o644)
}
