package modules

import (
	"fmt"
	"regexp"
	"strings"
)

// timezoneModule is community.general.timezone on Linux. As Ansible
// chooses: where `timedatectl` runs, it reads `timedatectl status` and
// sets with set-timezone and set-local-rtc; elsewhere, on Debian (where
// dpkg-reconfigure is), /etc/timezone is edited, /etc/localtime linked to
// the zone file and tzdata reconfigured, and the hardware clock's UTC= in
// /etc/default/rcS set with hwclock --systohc. Other distributions without
// systemd (RHEL's /etc/sysconfig/clock, Alpine's setup-timezone) are an
// error that names them.
type timezoneModule struct {
	// root prefixes /etc and /usr/share/zoneinfo; the commands are run by
	// these names or paths ("" for the PATH's): tests give fakes, since
	// busybox sh would run its own hwclock applet.
	root                                  string
	timedatectl, hwclock, dpkgReconfigure string
}

func init() { Register("timezone", timezoneModule{}) }

func (timezoneModule) Spec() Spec {
	return Spec{
		Params: []Param{
			{Name: "hwclock", Kind: String, Choices: []string{"local", "UTC"}, Aliases: []string{"rtc"}},
			{Name: "name", Kind: String},
		},
		RequiredOneOf: [][]string{{"hwclock", "name"}},
	}
}

func cmdWord(path, dflt string) string {
	if path == "" {
		return dflt
	}
	return q(path)
}

func (m timezoneModule) tdc() string  { return cmdWord(m.timedatectl, "timedatectl") }
func (m timezoneModule) hwc() string  { return cmdWord(m.hwclock, "hwclock") }
func (m timezoneModule) dpkg() string { return cmdWord(m.dpkgReconfigure, "dpkg-reconfigure") }

type tzTask struct{ name, hwclock string }

func readTzTask(a Args) (tzTask, error) {
	t := tzTask{name: a.String("name"), hwclock: a.String("hwclock")}
	if a.Has("name") {
		if t.name == "" || strings.HasPrefix(t.name, "/") || strings.ContainsAny(t.name, " \t\n\x00") ||
			t.name == ".." || strings.HasPrefix(t.name, "../") || strings.Contains(t.name, "/../") || strings.HasSuffix(t.name, "/..") {
			return t, fmt.Errorf("name %q is not a time zone name", t.name)
		}
	}
	return t, nil
}

func (m timezoneModule) Probe(t *Task) (string, error) {
	tz, err := readTzTask(t.Args)
	if err != nil {
		return "", err
	}
	s := newScript()
	useSvcVal(s)
	s.add("tend_r=", q(m.root))
	if tz.name != "" {
		s.add(`if [ -f "$tend_r/usr/share/zoneinfo/"`, q(tz.name), ` ]; then echo zone=1; else echo zone=0; fi`)
	}
	// Ansible's test: timedatectl is there and runs.
	s.add(`if command -v `, m.tdc(), ` >/dev/null 2>&1 && `, m.tdc(), ` </dev/null >/dev/null 2>&1; then`)
	s.add(`echo mode=systemd`)
	s.add(`tend_x=0; tend_o=$(`, m.tdc(), ` status </dev/null 2>&1) || tend_x=$?; printf 'status_rc=%s\n' "$tend_x"; tend_val status "$tend_o" || exit 1`)
	s.add(`else`)
	s.add(`echo mode=files`)
	s.add(`if command -v `, m.dpkg(), ` >/dev/null 2>&1; then echo debian=1; else echo debian=0; fi`)
	s.add(`if command -v `, m.hwc(), ` >/dev/null 2>&1; then echo hwtool=1; else echo hwtool=0; fi`)
	confProbe(s, "tz", `"$tend_r/etc/timezone"`)
	if tz.hwclock != "" {
		confProbe(s, "rcs", `"$tend_r/etc/default/rcS"`)
		confProbe(s, "adj", `"$tend_r/etc/adjtime"`)
	}
	if tz.name != "" {
		s.add(`tend_l="$tend_r/etc/localtime"`)
		s.add(`if [ -L "$tend_l" ]; then echo lt=link; if [ -e "$tend_l" ]; then echo lt.ok=1; else echo lt.ok=0; fi; tend_o=$(readlink -- "$tend_l") || exit 1; tend_val lt.target "$tend_o" || exit 1`)
		s.add(`elif [ -e "$tend_l" ]; then echo lt=file; if cmp -s -- "$tend_l" "$tend_r/usr/share/zoneinfo/"`, q(tz.name), `; then echo lt.same=1; else echo lt.same=0; fi`)
		s.add(`else echo lt=absent; fi`)
	}
	s.add(`fi`)
	return s.String(), nil
}

var (
	tdcZone  = regexp.MustCompile(`(?m)^\s*Time ?zone\s*:\s*(\S+)`)
	tdcRTC   = regexp.MustCompile(`(?m)^\s*RTC in local TZ\s*:\s*(\S+)`)
	tzLine   = regexp.MustCompile(`^(\S+)`)
	rcsUTC   = regexp.MustCompile(`^UTC\s*=\s*(\S+)`)
	adjLine  = regexp.MustCompile(`(?m)^(UTC|LOCAL)$`)
	zoneLink = regexp.MustCompile(`/(?:usr/share|etc)/zoneinfo/(.*)`)
)

// tzPlan is the timezone's before and planned values, and how to get
// from one to the other.
type tzPlan struct {
	keys          []string // name, hwclock: those asked, in Ansible's order
	before, after map[string]string
	lines, msgs   []string
	files         []confEdit
}

// confEdit is a file rewritten by the apply.
type confEdit struct {
	c     confState
	after string
}

func (m timezoneModule) plan(t *Task, probe Output) (*tzPlan, error) {
	tz, err := readTzTask(t.Args)
	if err != nil {
		return nil, err
	}
	r, err := readProbe(probe)
	if err != nil {
		return nil, err
	}
	p := &tzPlan{before: map[string]string{}, after: map[string]string{}}
	if tz.hwclock != "" {
		p.keys = append(p.keys, "hwclock")
		p.after["hwclock"] = tz.hwclock
	}
	if tz.name != "" {
		p.keys = append(p.keys, "name")
		p.after["name"] = tz.name
	}
	mode, err := r.get("mode")
	if err != nil {
		return nil, err
	}
	if tz.name != "" {
		if ok, err := r.flag("zone"); err != nil {
			return nil, err
		} else if !ok {
			return nil, errorf("Error message:\ngiven timezone \"%s\" is not available", tz.name)
		}
	}
	if mode == "systemd" {
		return p, m.planSystemd(r, tz, p)
	}
	return p, m.planFiles(r, tz, p)
}

func (m timezoneModule) planSystemd(r *records, tz tzTask, p *tzPlan) error {
	rc, err := r.get("status_rc")
	if err != nil {
		return err
	}
	b, _ := r.blob("status")
	if rc != "0" {
		return errorf("timedatectl status failed (exit status %s): %s", rc, strings.TrimSpace(string(b)))
	}
	status := string(b)
	if tz.name != "" {
		mt := tdcZone.FindStringSubmatch(status)
		if mt == nil {
			return fmt.Errorf("timedatectl status shows no time zone")
		}
		p.before["name"] = mt[1]
	}
	if tz.hwclock != "" {
		mt := tdcRTC.FindStringSubmatch(status)
		if mt == nil {
			return fmt.Errorf("timedatectl status shows no RTC setting")
		}
		p.before["hwclock"] = "UTC"
		if b, _ := ToBool(mt[1]); b {
			p.before["hwclock"] = "local"
		}
	}
	for _, k := range p.keys {
		if p.before[k] == p.after[k] {
			continue
		}
		v := p.after[k]
		sub := "set-timezone"
		if k == "hwclock" {
			sub, v = "set-local-rtc", map[string]string{"local": "yes", "UTC": "no"}[v]
		}
		p.lines = append(p.lines, svcRun("timedatectl "+sub+" failed", m.tdc()+" "+sub+" "+q(v)))
		p.msgs = append(p.msgs, "executed `timedatectl "+sub+" "+v+"`")
	}
	return nil
}

// editConf is _edit_file: the lines matching re go, and line takes the
// place of the first (or the top).
func editConf(content string, re *regexp.Regexp, line string) (string, int) {
	lines := splitLines(content)
	var out []string
	at, n := -1, 0
	for _, l := range lines {
		if re.MatchString(l) {
			if at < 0 {
				at = len(out)
			}
			n++
			continue
		}
		out = append(out, l)
	}
	if at < 0 {
		at = 0
	}
	out = append(out[:at], append([]string{line}, out[at:]...)...)
	return strings.Join(out, ""), n
}

func (m timezoneModule) planFiles(r *records, tz tzTask, p *tzPlan) error {
	debian, err := r.flag("debian")
	if err != nil {
		return err
	}
	if !debian {
		return errorf("timezone: this host has no working timedatectl and is not Debian (no dpkg-reconfigure); tend sets the time zone without systemd on Debian only (RHEL's /etc/sysconfig/clock, Alpine's setup-timezone and Gentoo's are not supported yet)")
	}
	tzc, err := readConf(r, "tz", m.root+"/etc/timezone")
	if err != nil {
		return err
	}
	if tz.name != "" {
		cur := "n/a"
		for _, l := range splitLines(tzc.content) {
			if mt := tzLine.FindStringSubmatch(l); mt != nil {
				cur = mt[1]
				break
			}
		}
		if cur == tz.name {
			lt, err := r.get("lt")
			if err != nil {
				return err
			}
			switch lt {
			case "link":
				ok, err := r.flag("lt.ok")
				if err != nil {
					return err
				}
				target, _ := r.blob("lt.target")
				if mt := zoneLink.FindStringSubmatch(string(target)); !ok || mt == nil {
					cur = "n/a"
				} else if mt[1] != tz.name {
					cur = mt[1]
				}
			case "file":
				if same, err := r.flag("lt.same"); err != nil {
					return err
				} else if !same {
					cur = "n/a"
				}
			default:
				cur = "n/a"
			}
		}
		p.before["name"] = cur
		if cur != tz.name {
			after, n := editConf(tzc.content, tzLine, tz.name+"\n")
			p.files = append(p.files, confEdit{tzc, after})
			p.msgs = append(p.msgs, fmt.Sprintf("Added 1 line and deleted %d line(s) on /etc/timezone", n))
			// Once: a second run of the apply finds the link made.
			target := q(m.root + "/usr/share/zoneinfo/" + tz.name)
			p.lines = append(p.lines,
				`if [ "$(readlink -- "$tend_r/etc/localtime" 2>/dev/null)" != `+target+` ]; then`,
				`ln -sf `+target+` "$tend_r/etc/localtime" || tend_die "cannot link /etc/localtime"`,
				svcRun("dpkg-reconfigure tzdata failed", m.dpkg()+" --frontend noninteractive tzdata"),
				`fi`)
		}
	}
	if tz.hwclock != "" {
		hw, err := r.flag("hwtool")
		if err != nil {
			return err
		}
		rcs, err := readConf(r, "rcs", m.root+"/etc/default/rcS")
		if err != nil {
			return err
		}
		adj, err := readConf(r, "adj", m.root+"/etc/adjtime")
		if err != nil {
			return err
		}
		cur := "n/a"
		for _, l := range splitLines(rcs.content) {
			if mt := rcsUTC.FindStringSubmatch(l); mt != nil {
				cur = "local"
				if b, _ := ToBool(mt[1]); b {
					cur = "UTC"
				}
				break
			}
		}
		if cur == tz.hwclock {
			cur = "UTC"
			if mt := adjLine.FindStringSubmatch(adj.content); mt != nil && mt[1] != "UTC" {
				cur = strings.ToLower(mt[1])
			}
		}
		p.before["hwclock"] = cur
		if cur != tz.hwclock {
			if !hw {
				return errorf("Failed to find required executable hwclock in paths: /usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin")
			}
			utc, opt := "yes", "--utc"
			if tz.hwclock == "local" {
				utc, opt = "no", "--localtime"
			}
			after, n := editConf(rcs.content, rcsUTC, "UTC="+utc+"\n")
			p.files = append(p.files, confEdit{rcs, after})
			p.msgs = append(p.msgs, fmt.Sprintf("Added 1 line and deleted %d line(s) on /etc/default/rcS", n), "executed `hwclock --systohc "+opt+"`")
			p.lines = append(p.lines, svcRun("hwclock --systohc failed", m.hwc()+" --systohc "+opt))
		}
	}
	return nil
}

func (p *tzPlan) diffDict(after map[string]string) map[string]any {
	b, a := map[string]any{}, map[string]any{}
	for _, k := range p.keys {
		b[k], a[k] = p.before[k], after[k]
	}
	return map[string]any{"before": b, "after": a}
}

func (m timezoneModule) Plan(t *Task, probe Output) (*Change, error) {
	p, err := m.plan(t, probe)
	if err != nil {
		return nil, err
	}
	var diffs []Diff
	for _, k := range p.keys {
		if p.before[k] != p.after[k] {
			diffs = append(diffs, Diff{Path: "timezone", Attr: k, Before: p.before[k], After: p.after[k]})
		}
	}
	if len(diffs) == 0 {
		return nil, nil
	}
	s := newScript()
	s.use("tend_die")
	useSvcRun(s)
	s.add("tend_r=", q(m.root))
	for _, f := range p.files {
		if err := f.c.write(s, f.after, 0o644, false); err != nil {
			return nil, err
		}
	}
	for _, l := range p.lines {
		s.add(l)
	}
	res := Result{"changed": true, "diff": p.diffDict(p.after)}
	if len(p.msgs) > 0 {
		res["msg"] = strings.Join(p.msgs, "\n")
	}
	return &Change{Diffs: diffs, Apply: s.String(), Result: appliedResult(res)}, nil
}

func (m timezoneModule) Report(t *Task, probe Output) (Result, error) {
	p, err := m.plan(t, probe)
	if err != nil {
		return nil, err
	}
	return Result{"changed": false, "diff": p.diffDict(p.before)}, nil
}
