package modules

import (
	"fmt"
	"strconv"
	"strings"
)

// The service managers. Their probes print records (mgr= comes first, from
// the caller); $tend_r is the root, $tend_n the name, $tend_i the init
// script.

// systemctl is the command for unit file operations (enable, mask), which
// work on a root without a running systemd.
func systemctl(st svcTask, root string) string {
	c := "systemctl"
	if root != "" {
		c += " --root=" + q(root)
	}
	return c + systemctlOpts(st)
}

// systemctlOpts are Ansible's scope, force and no_block, which it passes
// to every systemctl command.
func systemctlOpts(st svcTask) string {
	o := scopeOpt(st)
	if st.force {
		o += " --force"
	}
	if st.noBlock {
		o += " --no-block"
	}
	return o
}

// scopeOpt is systemctl's option for a scope other than the system's.
func scopeOpt(st svcTask) string {
	if st.scope == "user" || st.scope == "global" {
		return " --" + st.scope
	}
	return ""
}

// userBus finds the user's manager as Ansible does: XDG_RUNTIME_DIR, else
// /run/user/UID.
const userBus = `[ -n "${XDG_RUNTIME_DIR-}" ] || { XDG_RUNTIME_DIR=/run/user/$(id -u); export XDG_RUNTIME_DIR; }`

var systemdBackend = svcBackend{
	name: "systemd",
	probe: func(s *script, st svcTask, root string) {
		useSvcVal(s)
		if st.scope == "user" {
			s.add(userBus)
		}
		if st.scope == "global" {
			// systemctl --global reads unit files only; there is nothing
			// running to show.
			s.add(`if false; then`)
		} else {
			s.add(`if [ -d "$tend_r/run/systemd/system" ]; then`)
		}
		s.add(`printf 'live=1\n'`)
		s.add(`tend_x=0; tend_o=$(systemctl`, scopeOpt(st), ` show -- "$tend_n" 2>&1) || tend_x=$?`)
		s.add(`printf 'show_rc=%s\n' "$tend_x"`)
		s.add(`tend_val show "$tend_o" || exit 1`)
		s.add(`else`)
		s.add(`printf 'live=0\n'`)
		s.add(`fi`)
		s.add(`tend_x=0; tend_o=$(`, systemctl(svcTask{scope: st.scope}, root), ` is-enabled -l -- "$tend_n" 2>/dev/null) || tend_x=$?`)
		s.add(`printf 'enabled_rc=%s\n' "$tend_x"`)
		s.add(`tend_val is_enabled "$tend_o" || exit 1`)
	},
	read: readSystemd,
	control: func(st svcTask, cur svcState, root, action string) []string {
		return []string{svcRun("Unable to "+action+" service "+st.name, "systemctl"+systemctlOpts(st)+" "+action+` -- "$tend_n"`)}
	},
	enable: func(st svcTask, cur svcState, root string, on bool) []string {
		action := "disable"
		if on {
			action = "enable"
		}
		return []string{svcRun("Unable to "+action+" service "+st.name, systemctl(st, root)+" "+action+` -- "$tend_n"`)}
	},
}

// unitFileStates are what systemctl is-enabled prints for a unit that
// exists (systemctl(1)).
var unitFileStates = map[string]bool{
	"enabled": true, "enabled-runtime": true, "linked": true, "linked-runtime": true,
	"masked": true, "masked-runtime": true, "static": true, "indirect": true,
	"disabled": true, "generated": true, "transient": true, "alias": true,
}

func readSystemd(r *records, st svcTask) (svcState, error) {
	var cur svcState
	var err error
	if cur.live, err = r.flag("live"); err != nil {
		return cur, err
	}
	rc, err := exitCode(r, "enabled_rc")
	if err != nil {
		return cur, err
	}
	if rc == 127 {
		return cur, fmt.Errorf("systemctl not found on the host (is it managed by systemd? set use or tend_service_mgr)")
	}
	ie, ok := r.blob("is_enabled")
	if !ok {
		return cur, fmt.Errorf("probe output lacks is_enabled")
	}
	word := firstLine(ie)
	cur.masked = word == "masked"
	// As Ansible: is-enabled's status, except that indirect and alias
	// units are not enabled themselves.
	cur.enabled = rc == 0 && word != "indirect" && word != "alias"
	found := unitFileStates[word]
	if cur.live {
		src, err := exitCode(r, "show_rc")
		if err != nil {
			return cur, err
		}
		show, ok := r.blob("show")
		if !ok {
			return cur, fmt.Errorf("probe output lacks show")
		}
		if src != 0 {
			return cur, fmt.Errorf("systemctl show %s failed (exit status %d): %s", st.name, src, strings.TrimSpace(string(show)))
		}
		cur.status = parseSystemctlShow(string(show))
		ls := cur.status["LoadState"]
		if ls != "" && ls != "not-found" {
			found = true
		}
		if found && ls != "masked" && cur.status["LoadError"] != "" {
			return cur, errorf("Error loading unit file '%s': %s", st.name, cur.status["LoadError"])
		}
		switch cur.status["ActiveState"] {
		case "active", "activating":
			cur.running = true
		case "deactivating":
			cur.stopping = true
		}
	}
	cur.exists = found
	if !found {
		cur.missing = "systemd knows no unit " + st.name
	}
	return cur, nil
}

// parseSystemctlShow reads systemctl show's Key=Value lines, as Ansible's
// parse_systemctl_show does: an Exec* value in braces may span lines.
func parseSystemctlShow(out string) map[string]string {
	parsed := map[string]string{}
	var multi []string
	k := ""
	for _, line := range strings.Split(out, "\n") {
		if k == "" {
			key, v, ok := strings.Cut(line, "=")
			if !ok {
				continue
			}
			if strings.HasPrefix(key, "Exec") && strings.HasPrefix(strings.TrimLeft(v, " \t"), "{") &&
				!strings.HasSuffix(strings.TrimRight(v, " \t"), "}") {
				k = key
				multi = append(multi[:0], v)
				continue
			}
			parsed[key] = strings.TrimSpace(v)
			continue
		}
		multi = append(multi, line)
		if strings.HasSuffix(strings.TrimRight(line, " \t"), "}") {
			parsed[k] = strings.TrimSpace(strings.Join(multi, "\n"))
			k = ""
		}
	}
	return parsed
}

var openrcBackend = svcBackend{
	name: "openrc",
	probe: func(s *script, st svcTask, root string) {
		useSvcVal(s)
		s.add(`tend_x=0; rc-service --exists "$tend_n" >/dev/null 2>&1 || tend_x=$?`)
		s.add(`printf 'exists_rc=%s\n' "$tend_x"`)
		if st.pattern != "" {
			psProbe(s)
		} else {
			s.add(`tend_x=0; tend_o=$(rc-service "$tend_n" status 2>&1) || tend_x=$?`)
			s.add(`printf 'status_rc=%s\n' "$tend_x"`)
			s.add(`tend_val status "$tend_o" || exit 1`)
		}
		s.add(`tend_x=0; tend_o=$(rc-update show 2>&1) || tend_x=$?`)
		s.add(`printf 'update_rc=%s\n' "$tend_x"`)
		s.add(`tend_val update "$tend_o" || exit 1`)
	},
	read: readOpenRC,
	control: func(st svcTask, cur svcState, root, action string) []string {
		var out []string
		msg := "Unable to " + action + " service " + st.name
		if action == "start" && cur.crashed {
			// A crashed service must be zapped (marked stopped) before it
			// starts, as Ansible does.
			out = append(out, svcRun(msg, `rc-service "$tend_n" zap`))
		}
		// All OpenRC services support restart.
		return append(out, svcRun(msg, `rc-service "$tend_n" `+action+argWords(st)))
	},
	enable: func(st svcTask, cur svcState, root string, on bool) []string {
		if on {
			return []string{svcRun("Unable to enable service "+st.name, `rc-update add "$tend_n" `+q(st.runlevel))}
		}
		return []string{svcRun("Unable to disable service "+st.name, `rc-update del "$tend_n" `+q(st.runlevel))}
	},
}

func readOpenRC(r *records, st svcTask) (svcState, error) {
	cur := svcState{live: true}
	rc, err := exitCode(r, "exists_rc")
	if err != nil {
		return cur, err
	}
	if rc == 127 {
		return cur, fmt.Errorf("rc-service not found on the host (is it managed by OpenRC? set use or tend_service_mgr)")
	}
	cur.exists = rc == 0
	if !cur.exists {
		cur.missing = "rc-service --exists " + st.name + " says no"
		return cur, nil
	}
	if st.pattern != "" {
		if cur.running, err = psRunning(r, st.pattern); err != nil {
			return cur, err
		}
	} else {
		src, err := exitCode(r, "status_rc")
		if err != nil {
			return cur, err
		}
		out, ok := r.blob("status")
		if !ok {
			return cur, fmt.Errorf("probe output lacks status")
		}
		// " * status: started" exits 0, stopped 3, crashed 32.
		cur.crashed = strings.Contains(string(out), "crashed")
		cur.running = src == 0 && !cur.crashed
	}
	urc, err := exitCode(r, "update_rc")
	if err != nil {
		return cur, err
	}
	out, ok := r.blob("update")
	if !ok {
		return cur, fmt.Errorf("probe output lacks update")
	}
	if urc != 0 {
		return cur, fmt.Errorf("rc-update show failed (exit status %d): %s", urc, strings.TrimSpace(string(out)))
	}
	// "            sshd | boot default" (Ansible's reading): enabled means
	// in the task's runlevel.
	for _, l := range strings.Split(string(out), "\n") {
		name, levels, ok := strings.Cut(l, "|")
		if !ok || strings.TrimSpace(name) != st.name {
			continue
		}
		for _, lv := range strings.Fields(levels) {
			if lv == st.runlevel {
				cur.enabled = true
			}
		}
		break
	}
	return cur, nil
}

// sysvTools enable and disable init scripts, in the order the probe looks
// for them; links, the last, needs nothing but ln.
var sysvTools = []struct {
	name   string
	enable func(st svcTask, cur svcState, on bool) []string
}{
	{"update-rc.d", func(st svcTask, cur svcState, on bool) []string {
		var out []string
		if !on {
			return []string{svcRun("Unable to disable service "+st.name, `update-rc.d "$tend_n" disable`)}
		}
		if !cur.links {
			// As Ansible: a script without links gets its defaults first.
			out = append(out, svcRun("Unable to enable service "+st.name, `update-rc.d "$tend_n" defaults`))
		}
		return append(out, svcRun("Unable to enable service "+st.name, `update-rc.d "$tend_n" enable`))
	}},
	{"chkconfig", func(st svcTask, cur svcState, on bool) []string {
		if !on {
			return []string{svcRun("Unable to disable service "+st.name, `chkconfig "$tend_n" off`)}
		}
		var out []string
		if !cur.links {
			out = append(out, svcRun("Unable to enable service "+st.name, `chkconfig --add "$tend_n"`))
		}
		return append(out, svcRun("Unable to enable service "+st.name, `chkconfig "$tend_n" on`))
	}},
	{"links", func(st svcTask, cur svcState, on bool) []string {
		if on {
			return []string{"tend_rclinks S"}
		}
		return []string{"tend_rclinks K"}
	}},
}

// rcLinks is tend_rclinks S|K: in /etc/rc[2-5].d, the service gets a link
// of that kind (S01NAME or K01NAME, as update-rc.d makes for a script
// without dependencies) and loses those of the other.
const rcLinks = `tend_rclinks() {
	for tend_v in 2 3 4 5; do
		tend_d=$tend_r/etc/rc$tend_v.d
		mkdir -p -- "$tend_d" || tend_die "cannot create $tend_d"
		tend_h=
		set +f
		for tend_f in "$tend_d"/[SK][0-9][0-9]"$tend_n"; do
			[ -e "$tend_f" ] || [ -L "$tend_f" ] || continue
			case ${tend_f##*/} in
			"$1"*) tend_h=1 ;;
			*) rm -f -- "$tend_f" || tend_die "cannot remove $tend_f" ;;
			esac
		done
		set -f
		[ -n "$tend_h" ] || ln -s "../init.d/$tend_n" "$tend_d/${1}01$tend_n" || tend_die "cannot link $tend_d/${1}01$tend_n"
	done
}
`

var sysvBackend = svcBackend{
	name: "sysvinit",
	probe: func(s *script, st svcTask, root string) {
		s.add(`if [ -f "$tend_i" ]; then`)
		s.add(`printf 'exists=1\n'`)
		s.add(`if [ -x "$tend_i" ]; then printf 'exec=1\n'; else printf 'exec=0\n'; fi`)
		switch {
		case st.pattern != "":
			psProbe(s)
		default:
			// A script without a status action (it does not mention one)
			// is asked of pidof instead: is a process of its name running?
			s.add(`if grep -q status "$tend_i" 2>/dev/null; then`)
			s.add(`tend_x=0; "$tend_i" status </dev/null >/dev/null 2>&1 || tend_x=$?`)
			s.add(`printf 'status_rc=%s\n' "$tend_x"`)
			s.add(`elif pidof "$tend_n" >/dev/null 2>&1; then printf 'pidof=1\n'`)
			s.add(`else printf 'pidof=0\n'; fi`)
		}
		s.add(`tend_e=0; tend_l=0`)
		s.add(`set +f`)
		s.add(`for tend_f in "$tend_r"/etc/rc[2345].d/S[0-9][0-9]"$tend_n"; do if [ -e "$tend_f" ] || [ -L "$tend_f" ]; then tend_e=1; fi; done`)
		s.add(`for tend_f in "$tend_r"/etc/rc[0-6S].d/[SK][0-9][0-9]"$tend_n"; do if [ -e "$tend_f" ] || [ -L "$tend_f" ]; then tend_l=1; fi; done`)
		s.add(`set -f`)
		s.add(`printf 'enabled=%s\nlinks=%s\n' "$tend_e" "$tend_l"`)
		if root != "" {
			// update-rc.d and chkconfig cannot be pointed at a root.
			s.add(`printf 'tool=links\n'`)
		} else {
			s.add(`tend_w=links`)
			for i, tl := range sysvTools[:len(sysvTools)-1] {
				kw := "elif"
				if i == 0 {
					kw = "if"
				}
				s.add(kw, ` command -v `, tl.name, ` >/dev/null 2>&1; then tend_w=`, tl.name)
			}
			s.add(`fi`)
			s.add(`printf 'tool=%s\n' "$tend_w"`)
		}
		s.add(`else`)
		s.add(`printf 'exists=0\n'`)
		s.add(`fi`)
	},
	read: readSysv,
	control: func(st svcTask, cur svcState, root, action string) []string {
		a := argWords(st)
		if action != "restart" {
			return []string{svcRun("Unable to "+action+" service "+st.name, `"$tend_i" `+action+a)}
		}
		// Not every init script has restart: stop, then start, as Ansible
		// does; a failed stop is forgiven when the start works.
		out := []string{`"$tend_i" stop` + a + ` </dev/null >/dev/null 2>&1 || :`}
		if st.sleep > 0 {
			out = append(out, "sleep "+strconv.Itoa(st.sleep))
		}
		return append(out, svcRun("Unable to restart service "+st.name, `"$tend_i" start`+a))
	},
	enable: func(st svcTask, cur svcState, root string, on bool) []string {
		for _, tl := range sysvTools {
			if tl.name == cur.tool {
				return tl.enable(st, cur, on)
			}
		}
		return nil // read refuses unknown tools
	},
}

func readSysv(r *records, st svcTask) (svcState, error) {
	cur := svcState{live: true}
	var err error
	if cur.exists, err = r.flag("exists"); err != nil || !cur.exists {
		cur.missing = "no /etc/init.d/" + st.name
		return cur, err
	}
	x, err := r.flag("exec")
	if err != nil {
		return cur, err
	}
	if !x {
		return cur, fmt.Errorf("/etc/init.d/%s is not executable", st.name)
	}
	switch {
	case st.pattern != "":
		cur.running, err = psRunning(r, st.pattern)
	default:
		if _, ok := r.opt("status_rc"); ok {
			var rc int
			rc, err = exitCode(r, "status_rc")
			// LSB: 0 is running; anything else (3 stopped, 1 dead with a
			// pid file, 4 unknown) is not.
			cur.running = rc == 0
		} else {
			cur.running, err = r.flag("pidof")
		}
	}
	if err != nil {
		return cur, err
	}
	if cur.enabled, err = r.flag("enabled"); err != nil {
		return cur, err
	}
	if cur.links, err = r.flag("links"); err != nil {
		return cur, err
	}
	if cur.tool, err = r.get("tool"); err != nil {
		return cur, err
	}
	for _, tl := range sysvTools {
		if tl.name == cur.tool {
			return cur, nil
		}
	}
	return cur, fmt.Errorf("probe: unknown tool %q", cur.tool)
}
