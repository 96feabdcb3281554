package modules

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The file module's times, attributes and SELinux context: what the
// probe prints about them and the commands that set them. Times and flags
// apply to what the path links to (os.utime and chattr follow links, as
// Ansible's do).

// fileExtras are the task's modification_time, access_time, attributes
// and se* arguments, read.
type fileExtras struct {
	// mtime and atime are "" or "preserve" (leave alone), "now", or a
	// touch -t stamp (CCYYMMDDhhmm.SS, in the host's local time).
	mtime, atime string
	// attrOp is '=', '+' or '-'; attrs the flags (lsattr's letters).
	attrOp byte
	attrs  string
	hasSE  bool
}

const defaultTimeFormat = "%Y%m%d%H%M.%S"

// selinuxEnforce is there when SELinux is enabled.
const selinuxEnforce = "/sys/fs/selinux/enforce"

func fileExtraParams() []Param {
	return []Param{
		{Name: "modification_time", Kind: String},
		{Name: "modification_time_format", Kind: String, Default: defaultTimeFormat},
		{Name: "access_time", Kind: String},
		{Name: "access_time_format", Kind: String, Default: defaultTimeFormat},
		{Name: "attributes", Kind: String, Aliases: []string{"attr"}},
		{Name: "seuser", Kind: String},
		{Name: "serole", Kind: String},
		{Name: "setype", Kind: String},
		{Name: "selevel", Kind: String},
		// Files are always replaced atomically here; unsafe_writes only
		// allows a fallback tend never needs.
		{Name: "unsafe_writes", Kind: Bool, Default: false},
	}
}

func readFileExtras(a Args, state string) (fileExtras, error) {
	var fx fileExtras
	var err error
	// Ansible's keep_backward_compatibility_on_timestamps: touch means now,
	// the other states preserve.
	def := "preserve"
	if state == "touch" {
		def = "now"
	}
	for _, tm := range []struct {
		arg string
		dst *string
	}{{"modification", &fx.mtime}, {"access", &fx.atime}} {
		v := a.String(tm.arg + "_time")
		if !a.Has(tm.arg + "_time") {
			v = def
		}
		switch v {
		case "preserve", "now":
			*tm.dst = v
		default:
			if *tm.dst, err = touchStamp(v, a.String(tm.arg+"_time_format")); err != nil {
				return fx, fmt.Errorf("Error while obtaining timestamp for time %s using format %s: %v", v, a.String(tm.arg+"_time_format"), err)
			}
		}
	}
	if at := a.String("attributes"); at != "" {
		fx.attrOp = '='
		if at[0] == '+' || at[0] == '-' || at[0] == '=' {
			fx.attrOp, at = at[0], at[1:]
		}
		for _, c := range at {
			if c < 'A' || c > 'z' || (c > 'Z' && c < 'a') {
				return fx, fmt.Errorf("attributes %q: flags are lsattr's letters, such as +i or =ae", a.String("attributes"))
			}
		}
		fx.attrs = at
	}
	for _, k := range []string{"seuser", "serole", "setype", "selevel"} {
		fx.hasSE = fx.hasSE || a.String(k) != ""
	}
	return fx, nil
}

// compareTimes says whether the probe must print the times.
func (fx fileExtras) compareTimes() bool {
	return fx.mtime != "preserve" && fx.mtime != "now" || fx.atime != "preserve" && fx.atime != "now"
}

// probe adds what Plan needs: the times (stat's %y and %x, local wall
// clock with nanoseconds), the flags, whether SELinux is on.
func (fx fileExtras) probe(s *script, p string) {
	if fx.compareTimes() {
		s.add("if [ -e ", p, " ]; then tend_v=$(stat -L -c '%y|%x' -- ", p, " 2>/dev/null) || tend_v=none; printf 'times=%s\\n' \"$tend_v\"; fi")
	}
	if fx.attrOp != 0 {
		s.add("if [ -e ", p, " ] && command -v lsattr >/dev/null 2>&1 && command -v chattr >/dev/null 2>&1; then")
		s.add("	tend_v=$(lsattr -d -- ", p, " 2>/dev/null) && set -- $tend_v && printf 'lsattr=%s\\n' \"$1\" || echo lsattr=error")
		s.add("fi")
	}
	if fx.hasSE {
		s.add("if [ -e ", selinuxEnforce, " ]; then echo selinux=1; else echo selinux=0; fi")
	}
}

// extrasSeen is what the probe found about the path's times and flags and
// the host's SELinux (a module's answers tell only selinux: times and flags
// stay on the probe).
type extrasSeen struct {
	selinux   bool
	lsattr    string // lsattr's flags, "error", or "" with hasLsattr false: no lsattr
	hasLsattr bool
	times     string // stat's "%y|%x", "none"
	hasTimes  bool
}

func readExtrasSeen(r *records) extrasSeen {
	var x extrasSeen
	on, _ := r.opt("selinux")
	x.selinux = on == "1"
	x.lsattr, x.hasLsattr = r.opt("lsattr")
	x.times, x.hasTimes = r.opt("times")
	return x
}

// plan compares the path (which exists, or is created by the Apply) with
// the task and returns diffs and commands ($tend_p is the path).
func (fx fileExtras) plan(seen extrasSeen, p string, created bool) ([]Diff, []string, error) {
	var diffs []Diff
	var cmds []string
	if fx.hasSE && seen.selinux {
		return nil, nil, fmt.Errorf("seuser, serole, setype and selevel are not supported yet on a host where SELinux is enabled (Ansible ignores them only where it is disabled)")
	}
	if fx.attrOp != 0 {
		have, ok := seen.lsattr, seen.hasLsattr
		switch {
		case created:
			diffs = append(diffs, Diff{Path: p, Attr: "attributes", After: string(fx.attrOp) + fx.attrs})
			cmds = append(cmds, chattrCmd(fx))
		case !ok:
			// Ansible does nothing without lsattr and chattr.
		case have == "error":
			return nil, nil, fmt.Errorf("lsattr failed on %s (does its file system have attributes?)", p)
		default:
			have = strings.ReplaceAll(have, "-", "")
			if attrsDiffer(fx.attrOp, have, fx.attrs) {
				diffs = append(diffs, Diff{Path: p, Attr: "attributes", Before: have, After: string(fx.attrOp) + fx.attrs})
				cmds = append(cmds, chattrCmd(fx))
			}
		}
	}
	var curM, curA string
	if fx.compareTimes() && !created {
		if !seen.hasTimes {
			return nil, nil, fmt.Errorf("probe output lacks times")
		}
		m, a, ok := strings.Cut(seen.times, "|")
		if !ok {
			return nil, nil, fmt.Errorf("the host's stat has no -c: tend cannot compare modification_time or access_time there")
		}
		curM, curA = wallClock(m), wallClock(a)
	}
	for _, tm := range []struct{ attr, want, cur, flag string }{{"mtime", fx.mtime, curM, "-m"}, {"atime", fx.atime, curA, "-a"}} {
		switch {
		case tm.want == "preserve":
		case tm.want == "now" && fx.mtime == "now" && fx.atime == "now":
			if tm.flag == "-m" {
				diffs = append(diffs, Diff{Path: p, Attr: "times", After: "now"})
				cmds = append(cmds, `touch -c -- "$tend_p" || tend_die "Error while updating modification or access time of $tend_p"`)
			}
		case tm.want == "now":
			diffs = append(diffs, Diff{Path: p, Attr: tm.attr, After: "now"})
			cmds = append(cmds, `touch -c `+tm.flag+` -- "$tend_p" || tend_die "Error while updating modification or access time of $tend_p"`)
		case created || tm.cur != stampWallClock(tm.want):
			diffs = append(diffs, Diff{Path: p, Attr: tm.attr, Before: tm.cur, After: stampWallClock(tm.want)})
			cmds = append(cmds, `touch -c `+tm.flag+` -t `+tm.want+` -- "$tend_p" || tend_die "Error while updating modification or access time of $tend_p"`)
		}
	}
	return diffs, cmds, nil
}

func chattrCmd(fx fileExtras) string {
	return `chattr ` + q(string(fx.attrOp)+fx.attrs) + ` -- "$tend_p" || tend_die "chattr failed on $tend_p"`
}

// attrsDiffer: '=' wants exactly the flags, '+' all of them, '-' none.
// (Ansible compares the strings, so that + and - always report a change;
// tend changes only what differs.)
func attrsDiffer(op byte, have, want string) bool {
	switch op {
	case '+':
		for _, c := range want {
			if !strings.ContainsRune(have, c) {
				return true
			}
		}
		return false
	case '-':
		return strings.ContainsAny(have, want)
	}
	return sortedRunes(have) != sortedRunes(want)
}

func sortedRunes(s string) string {
	r := []rune(s)
	sort.Slice(r, func(i, j int) bool { return r[i] < r[j] })
	out := []rune{}
	for i, c := range r {
		if i == 0 || c != r[i-1] {
			out = append(out, c)
		}
	}
	return string(out)
}

// wallClock is stat's "2024-01-02 03:04:05.123456789 +0100" without its
// zone: the local time touch -t reads.
func wallClock(s string) string {
	f := strings.Fields(s)
	if len(f) < 2 {
		return s
	}
	return f[0] + " " + f[1]
}

// stampWallClock is a touch -t stamp as stat prints it.
func stampWallClock(stamp string) string {
	t, err := time.Parse("200601021504.05", stamp)
	if err != nil {
		return stamp
	}
	return t.Format("2006-01-02 15:04:05.000000000")
}

// touchStamp reads v with a Python strptime format and returns it as
// touch -t's CCYYMMDDhhmm.SS. The time is the host's local time, as
// Ansible's time.mktime takes it.
func touchStamp(v, format string) (string, error) {
	year, month, day, hour, min, sec := 1900, 1, 1, 0, 0, 0
	pm, twelve := -1, false
	num := func(max int) (int, error) {
		i := 0
		for i < len(v) && i < max && v[i] >= '0' && v[i] <= '9' {
			i++
		}
		if i == 0 {
			return 0, fmt.Errorf("time data %q does not match format %q", v, format)
		}
		n, _ := strconv.Atoi(v[:i])
		v = v[i:]
		return n, nil
	}
	var err error
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c == ' ' {
			v = strings.TrimLeft(v, " \t")
			continue
		}
		if c != '%' || i+1 == len(format) {
			if v == "" || v[0] != c {
				return "", fmt.Errorf("time data does not match format %q", format)
			}
			v = v[1:]
			continue
		}
		i++
		switch format[i] {
		case 'Y':
			year, err = num(4)
		case 'y':
			if year, err = num(2); err == nil {
				if year < 69 {
					year += 2000
				} else {
					year += 1900
				}
			}
		case 'm':
			month, err = num(2)
		case 'd':
			day, err = num(2)
		case 'H':
			hour, err = num(2)
		case 'I':
			hour, err = num(2)
			twelve = true
		case 'M':
			min, err = num(2)
		case 'S':
			sec, err = num(2)
		case 'p':
			switch {
			case len(v) >= 2 && strings.EqualFold(v[:2], "AM"):
				pm = 0
			case len(v) >= 2 && strings.EqualFold(v[:2], "PM"):
				pm = 1
			default:
				return "", fmt.Errorf("time data does not match %%p")
			}
			v = v[2:]
		case 'b', 'B', 'h':
			found := false
			for m := time.January; m <= time.December; m++ {
				for _, name := range []string{m.String(), m.String()[:3]} {
					if len(v) >= len(name) && strings.EqualFold(v[:len(name)], name) {
						month, v, found = int(m), v[len(name):], true
						break
					}
				}
				if found {
					break
				}
			}
			if !found {
				return "", fmt.Errorf("time data does not match %%%c", format[i])
			}
		case '%':
			if v == "" || v[0] != '%' {
				return "", fmt.Errorf("time data does not match format %q", format)
			}
			v = v[1:]
		default:
			return "", fmt.Errorf("tend does not read the directive %%%c", format[i])
		}
		if err != nil {
			return "", err
		}
	}
	if v != "" {
		return "", fmt.Errorf("unconverted data remains: %s", v)
	}
	if twelve && pm >= 0 {
		hour = hour%12 + 12*pm
	}
	t := time.Date(year, time.Month(month), day, hour, min, sec, 0, time.UTC)
	if t.Year() != year || int(t.Month()) != month || t.Day() != day || t.Hour() != hour || t.Minute() != min || t.Second() != sec {
		return "", fmt.Errorf("time data %q is out of range", v)
	}
	return t.Format("200601021504.05"), nil
}
