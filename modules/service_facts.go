package modules

import (
	"tend/modules/hostq"

	"fmt"
	"regexp"
	"slices"
	"strings"
)

// serviceFactsModule is Ansible's service_facts: it only reads. The probe
// runs the tools Ansible's scanners run (service --status-all; initctl,
// chkconfig, rc-status and rc-update where they exist; systemctl
// list-units and list-unit-files when PID 1 is systemd) and Go reads
// their output as Ansible's regular expressions do. The units that
// list-units does not show are asked for their state in one systemctl
// show, not one each.
type serviceFactsModule struct{}

func init() { Register("service_facts", serviceFactsModule{}) }

func (serviceFactsModule) Spec() Spec { return Spec{} }

// serviceFactsScript prints sections "== tend:NAME", the tool's output,
// "== tend:rc STATUS".
const serviceFactsScript = `tend_has() { command -v "$1" >/dev/null 2>&1; }
tend_sec() { printf '== tend:%s\n' "$1"; }
tend_end() { printf '\n== tend:rc %s\n' "$1"; }
tend_chk=; tend_has chkconfig && tend_chk=1
tend_rcs=; tend_has rc-status && tend_rcs=1
if tend_has service && [ -z "$tend_chk" ] && [ -z "$tend_rcs" ]; then
	tend_sec sysv; service --status-all 2>/dev/null; tend_x=$?
	if [ -e /etc/init.d ]; then tend_end "$tend_x"; else tend_end "$tend_x noinitd"; fi
fi
if tend_has initctl && [ -z "$tend_chk" ]; then
	tend_sec upstart; initctl list 2>/dev/null; tend_end $?
elif [ -n "$tend_chk" ]; then
	tend_o=$(chkconfig --list 2>/dev/null); tend_x=$?
	tend_sec chkconfig; printf '%s' "$tend_o"; tend_end "$tend_x"
	tend_sec rhstatus
	printf '%s\n' "$tend_o" | while read -r tend_n tend_r; do
		case $tend_r in *0:on*|*0:off*) service "$tend_n" status >/dev/null 2>&1; printf '%s %s\n' "$?" "$tend_n" ;; esac
	done
	tend_end 0
elif [ -n "$tend_rcs" ] && tend_has rc-update; then
	tend_sec rcstatus; rc-status -a -s -m 2>&1; tend_end $?
	tend_sec rcupdate; rc-update show -v 2>&1; tend_end $?
fi
tend_p1=
if [ -r /proc/1/comm ]; then read -r tend_p1 </proc/1/comm; fi
case $tend_p1 in *systemd*)
	tend_sc=$(command -v systemctl) || tend_sc=
	for tend_d in /usr/bin /usr/local/bin; do
		if [ -z "$tend_sc" ] && [ -x "$tend_d/systemctl" ]; then tend_sc=$tend_d/systemctl; fi
	done
	if [ -n "$tend_sc" ]; then
		tend_u=$("$tend_sc" list-units --no-pager --type service --all 2>/dev/null); tend_x=$?
		tend_sec units; printf '%s' "$tend_u"; tend_end "$tend_x"
		tend_f=$("$tend_sc" list-unit-files --no-pager --type service --all 2>/dev/null); tend_x=$?
		tend_sec unitfiles; printf '%s' "$tend_f"; tend_end "$tend_x"
		tend_n=
		while read -r tend_a tend_b; do
			case $tend_a in *.service*) case $tend_u in *" $tend_a "*) ;; *) tend_n="$tend_n $tend_a" ;; esac ;; esac
		done <<TEND_EOF
$tend_f
TEND_EOF
		if [ -n "$tend_n" ]; then
			tend_sec show; printf '%s\n' "$tend_n"; "$tend_sc" show --property=Id --property=ActiveState -- $tend_n 2>/dev/null; tend_end $?
		fi
	fi
	;;
esac
`

func (serviceFactsModule) Probe(*Task) (string, error) {
	return prelude + serviceFactsScript, nil
}

func (serviceFactsModule) Plan(*Task, Output) (*Change, error) { return nil, nil }

func (serviceFactsModule) Read(_ *Task, probe Output) (Result, error) {
	if probe.ExitCode != 0 {
		return nil, fmt.Errorf("probe failed (exit status %d): %s", probe.ExitCode, strings.TrimSpace(string(probe.Stderr)))
	}
	services, err := parseServiceFacts(probe.Stdout)
	if err != nil {
		return nil, fmt.Errorf("probe printed something unexpected: %v", err)
	}
	if len(services) == 0 {
		return Result{"changed": false, "skipped": true,
			"msg": "Failed to find any services. This can be due to privileges or some other configuration issue."}, nil
	}
	return Result{"changed": false, "ansible_facts": map[string]any{"services": services}}, nil
}

type svcSection struct {
	body string
	rc   string
}

// splitSections reads the probe's "== tend:NAME" ... "== tend:rc X"
// sections. Each body ends with the newline printed before its rc line.
func splitSections(out string) (map[string]svcSection, error) {
	secs := map[string]svcSection{}
	for out != "" {
		head, rest, ok := strings.Cut(out, "\n")
		name, isHead := strings.CutPrefix(head, "== tend:")
		if !ok || !isHead || strings.HasPrefix(name, "rc ") {
			return nil, fmt.Errorf("unexpected line %q", hostq.Trunc([]byte(head)))
		}
		end := strings.Index(rest, "\n== tend:rc ")
		if end < 0 {
			return nil, fmt.Errorf("section %s not terminated", name)
		}
		body := rest[:end]
		rest = rest[end+len("\n== tend:rc "):]
		rc, rest, ok := strings.Cut(rest, "\n")
		if !ok {
			return nil, fmt.Errorf("section %s not terminated", name)
		}
		if _, dup := secs[name]; dup {
			return nil, fmt.Errorf("section %s printed twice", name)
		}
		secs[name] = svcSection{body: body, rc: rc}
		out = rest
	}
	return secs, nil
}

var (
	sysvLine     = regexp.MustCompile(`(?m)^\s*\[ (\+|\-) \]\s+(.+)$`)
	upstartLine  = regexp.MustCompile(`^\s?(.*)\s(\w+)/(\w+)(,\sprocess\s([0-9]+))?\s*$`)
	chkconfigRE  = regexp.MustCompile(`^(.*?)\s+[0-9]:(on|off)\s+[0-9]:(on|off)\s+[0-9]:(on|off)\s+[0-9]:(on|off)\s+[0-9]:(on|off)\s+[0-9]:(on|off)\s+[0-9]:(on|off)`)
	svcBadStates = []string{"not-found", "masked", "failed"}
)

// parseServiceFacts turns the sections into Ansible's services dictionary:
// sysv, upstart, chkconfig or OpenRC first, then systemd's units, which
// win for the same name.
func parseServiceFacts(out []byte) (map[string]any, error) {
	secs, err := splitSections(string(out))
	if err != nil {
		return nil, err
	}
	services := map[string]any{}
	// Ansible ignores service's answer only for status 4 without /etc/init.d.
	if s, ok := secs["sysv"]; ok && s.rc != "4 noinitd" {
		for _, m := range sysvLine.FindAllStringSubmatch(s.body, -1) {
			name := m[2]
			state := "stopped"
			if m[1] == "+" {
				state = "running"
			}
			services[name] = map[string]any{"name": name, "state": state, "source": "sysv"}
		}
	}
	if s, ok := secs["upstart"]; ok && s.rc == "0" {
		for _, line := range strings.Split(strings.ReplaceAll(s.body, "\r", ""), "\n") {
			if m := upstartLine.FindStringSubmatch(line); m != nil {
				services[m[1]] = map[string]any{"name": m[1], "state": m[3], "goal": m[2], "source": "upstart"}
			}
		}
	}
	if s, ok := secs["chkconfig"]; ok {
		running := map[string]bool{}
		if st, ok := secs["rhstatus"]; ok {
			for _, line := range strings.Split(st.body, "\n") {
				if rc, name, ok := strings.Cut(line, " "); ok {
					running[name] = rc == "0"
				}
			}
		}
		for _, line := range strings.Split(s.body, "\n") {
			m := chkconfigRE.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			status, state := "disabled", "stopped"
			if m[5] == "on" { // runlevel 3
				status = "enabled"
			}
			if running[m[1]] {
				state = "running"
			}
			services[m[1]] = map[string]any{"name": m[1], "state": state, "status": status, "source": "sysv"}
		}
	}
	if s, ok := secs["rcstatus"]; ok {
		levels := map[string]any{}
		if u, ok := secs["rcupdate"]; ok {
			for _, line := range strings.Split(u.body, "\n") {
				f := strings.Split(line, "|")
				if len(f) < 2 {
					continue
				}
				name, rl := strings.TrimSpace(f[0]), strings.TrimSpace(f[1])
				if rl == "" {
					levels[name] = nil
				} else {
					l := []any{}
					for _, x := range strings.Fields(rl) {
						l = append(l, x)
					}
					levels[name] = l
				}
			}
		}
		for _, line := range strings.Split(s.body, "\n") {
			if !strings.HasPrefix(line, " ") {
				continue
			}
			f := strings.Fields(strings.NewReplacer("[", "", "]", "").Replace(line))
			if len(f) < 2 {
				continue
			}
			services[f[0]] = map[string]any{"name": f[0], "runlevels": levels[f[0]], "state": f[1], "source": "openrc"}
		}
	}
	systemdFacts(secs, services)
	return services, nil
}

// systemdFacts reads list-units, then list-unit-files and the states of
// the units list-units did not show, as Ansible's SystemctlScanService.
func systemdFacts(secs map[string]svcSection, services map[string]any) {
	units := map[string]map[string]any{}
	if s, ok := secs["units"]; ok && s.rc == "0" {
		for _, line := range strings.Split(s.body, "\n") {
			if !strings.Contains(line, ".service") {
				continue
			}
			f := strings.Fields(line)
			status := ""
			for _, bad := range svcBadStates {
				if slices.Contains(f, bad) {
					status, f = bad, f[1:]
					break
				}
			}
			if len(f) < 4 {
				continue
			}
			if status == "" {
				status = f[2]
			}
			state := "stopped"
			if f[3] == "running" {
				state = "running"
			}
			units[f[0]] = map[string]any{"name": f[0], "state": state, "status": status, "source": "systemd"}
		}
	}
	if s, ok := secs["unitfiles"]; ok && s.rc == "0" {
		shown := showStates(secs["show"])
		for _, line := range strings.Split(s.body, "\n") {
			if !strings.Contains(line, ".service") {
				continue
			}
			f := strings.Fields(line)
			if len(f) < 2 {
				continue
			}
			name, status := f[0], f[1]
			if u, ok := units[name]; !ok {
				state, ok := shown[name]
				if !ok {
					state = "unknown"
				}
				units[name] = map[string]any{"name": name, "state": state, "status": status, "source": "systemd"}
			} else if !slices.Contains(svcBadStates, u["status"].(string)) {
				u["status"] = status
			}
		}
	}
	for k, v := range units {
		services[k] = v
	}
}

// showStates reads systemctl show's answer: the units asked for (first
// line), then a block of Id= and ActiveState= per unit, in the order asked
// when every unit answered (an alias answers with its unit's Id), else
// matched by Id.
func showStates(s svcSection) map[string]string {
	out := map[string]string{}
	asked, body, _ := strings.Cut(s.body, "\n")
	names := strings.Fields(asked)
	var blocks []map[string]string
	for _, blk := range strings.Split(body, "\n\n") {
		d := map[string]string{}
		for _, line := range strings.Split(blk, "\n") {
			if k, v, ok := strings.Cut(line, "="); ok {
				d[k] = v
			}
		}
		if _, ok := d["ActiveState"]; ok {
			blocks = append(blocks, d)
		}
	}
	if s.rc == "0" && len(blocks) == len(names) {
		for i, n := range names {
			out[n] = strings.TrimRight(blocks[i]["ActiveState"], " \t\r")
		}
		return out
	}
	for _, d := range blocks {
		if id := d["Id"]; id != "" {
			out[id] = strings.TrimRight(d["ActiveState"], " \t\r")
		}
	}
	return out
}
