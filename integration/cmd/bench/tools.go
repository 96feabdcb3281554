package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// tool is one configuration management tool under test.
type tool struct {
	name string
	slow bool     // Ansible-based: gets config.slowRuns runs
	env  []string // the whole environment of its runs
	c    config
}

// newTools prepares the tools of c. Each runs with a home of its own and no
// ssh-agent, so only the fleet's key and known_hosts are used.
func newTools(c config, work string) ([]*tool, error) {
	var out []*tool
	for _, name := range c.tools {
		home := filepath.Join(work, "home-"+name)
		if err := os.MkdirAll(home, 0o700); err != nil {
			return nil, err
		}
		env := []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "LANG=C.UTF-8", "NO_COLOR=1"}
		tl := &tool{name: name, c: c}
		if name != "tend" {
			tl.slow = true
			ansibleEnv, err := ansibleEnv(c, name, home, filepath.Join(work, "known_hosts"))
			if err != nil {
				return nil, err
			}
			env = append(env, ansibleEnv...)
		}
		tl.env = env
		out = append(out, tl)
	}
	return out, nil
}

// ansibleEnv configures Ansible as tuned for speed: pipelining, one
// ControlPersist master per host, a fork per host. Host keys are checked
// against the same known_hosts as tend's.
func ansibleEnv(c config, name, home, knownHosts string) ([]string, error) {
	if _, err := exec.LookPath("ansible-playbook"); err != nil {
		return nil, fmt.Errorf("%s: ansible-playbook not found (apt-get install ansible-core)", name)
	}
	env := []string{
		"ANSIBLE_LOCAL_TEMP=" + filepath.Join(home, "tmp"),
		"ANSIBLE_SSH_CONTROL_PATH_DIR=" + filepath.Join(home, "cp"),
		"ANSIBLE_PIPELINING=True",
		"ANSIBLE_HOST_KEY_CHECKING=True",
		"ANSIBLE_SSH_ARGS=-o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=" + knownHosts +
			" -o GlobalKnownHostsFile=/dev/null -o IdentitiesOnly=yes",
		"ANSIBLE_FORKS=" + strconv.Itoa(c.hosts),
		"ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3",
		"ANSIBLE_RETRY_FILES_ENABLED=False",
		"ANSIBLE_NOCOLOR=True",
		"ANSIBLE_TIMEOUT=" + strings.TrimSuffix(handshakeTimeout, "s"),
	}
	if name == "mitogen" {
		dir, err := mitogenStrategies()
		if err != nil {
			return nil, err
		}
		env = append(env, "ANSIBLE_STRATEGY_PLUGINS="+dir, "ANSIBLE_STRATEGY=mitogen_linear")
	}
	return env, nil
}

// mitogenStrategies finds the folder of Mitogen's strategy plugins as
// Debian's ansible-mitogen installs it.
func mitogenStrategies() (string, error) {
	out, err := exec.Command("dpkg", "-L", "ansible-mitogen").Output()
	if err != nil {
		return "", fmt.Errorf("mitogen: dpkg -L ansible-mitogen: %v (apt-get install ansible-mitogen)", err)
	}
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasSuffix(l, "/ansible_mitogen/plugins/strategy/mitogen_linear.py") {
			return filepath.Dir(l), nil
		}
	}
	return "", errors.New("mitogen: no mitogen_linear.py in dpkg -L ansible-mitogen")
}

// handshakeTimeout is every tool's connect and handshake deadline: with
// hundreds of hosts on a 2-core machine, all handshaking at once, the usual
// 10 s is too short for some of them (Ansible gets ANSIBLE_TIMEOUT=60).
const handshakeTimeout = "60s"

// command is one run of the playbook on every host.
func (tl *tool) command(ctx context.Context, t *target, playbook string, check bool) *exec.Cmd {
	var cmd *exec.Cmd
	s, _ := findScenario(tl.c.scenario)
	playbookArgs := append(slices.Clone(s.args), playbook)
	if tl.name == "tend" {
		args := []string{"converge", "-i", t.inventory, "--known-hosts", t.knownHosts, "--ssh-config", "none",
			"-f", strconv.Itoa(tl.c.hosts), "-T", handshakeTimeout, "-v"}
		if check {
			args = append(args, "--check")
		}
		cmd = exec.CommandContext(ctx, tl.c.tendBin, append(args, playbookArgs...)...)
	} else {
		args := []string{"-i", t.inventory}
		if check {
			args = append(args, "--check")
		}
		cmd = exec.CommandContext(ctx, "ansible-playbook", append(args, playbookArgs...)...)
	}
	cmd.Env = tl.env
	return cmd
}

// version says which release of the tool was measured.
func (tl *tool) version(ctx context.Context) string {
	first := func(name string, args ...string) string {
		out, err := exec.CommandContext(ctx, name, args...).Output()
		if err != nil {
			return "unknown (" + err.Error() + ")"
		}
		return strings.TrimSpace(strings.SplitN(string(out), "\n", 2)[0])
	}
	switch tl.name {
	case "tend":
		return first(tl.c.tendBin, "version")
	case "ansible":
		return first("ansible-playbook", "--version")
	default:
		return "mitogen " + first("dpkg-query", "-W", "-f", "${Version}", "ansible-mitogen")
	}
}

// recap is one host's counts at the end of a run.
type recap struct {
	changed, failed, unreachable int
	roundTrips                   int64 // tend only
}

// recaps reads the per-host counts from a run's output: tend's recap, or
// Ansible's PLAY RECAP.
func (tl *tool) recaps(stdout string) (map[string]recap, error) {
	if tl.name == "tend" {
		return tendRecaps(stdout)
	}
	return ansibleRecaps(stdout)
}

// tendRecapLine is a host's line of tend's RECAP in its text output, as
// an operator runs it, with -v for the round trips. (The JSON output would
// cost the hosts more: its results are whole, see
// playbooks.Options.StatusOnly.)
var tendRecapLine = regexp.MustCompile(`(?m)^(\S+)\s+ok=\d+\s+changed=(\d+)\s+failed=(\d+)\s+skipped=\d+\s+unreachable=(\d+)\b.*\((\d+) round trips?,`)

func tendRecaps(stdout string) (map[string]recap, error) {
	out := map[string]recap{}
	for _, m := range tendRecapLine.FindAllStringSubmatch(stdout, -1) {
		n := func(s string) int { v, _ := strconv.Atoi(s); return v }
		out[m[1]] = recap{changed: n(m[2]), failed: n(m[3]), unreachable: n(m[4]), roundTrips: int64(n(m[5]))}
	}
	if len(out) == 0 {
		return nil, errors.New("no RECAP with round trips in tend's output")
	}
	return out, nil
}

var recapLine = regexp.MustCompile(`(?m)^(\S+)\s+:\s+ok=\d+\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)`)

func ansibleRecaps(stdout string) (map[string]recap, error) {
	out := map[string]recap{}
	for _, m := range recapLine.FindAllStringSubmatch(stdout, -1) {
		n := func(s string) int { v, _ := strconv.Atoi(s); return v }
		out[m[1]] = recap{changed: n(m[2]), unreachable: n(m[3]), failed: n(m[4])}
	}
	if len(out) == 0 {
		return nil, errors.New("no PLAY RECAP in ansible-playbook's output")
	}
	return out, nil
}
