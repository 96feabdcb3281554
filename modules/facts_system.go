package modules

import (
	"strconv"
	"strings"
	"time"
)

// systemFacts are Ansible's small system collectors: env, user, date_time,
// lsb, selinux, apparmor, cmdline, fips, chroot, capabilities, local.
func systemFacts(r *factsRaw, f map[string]any) {
	env := envFacts(r)
	f["env"] = env
	userFacts(r, env, f)
	if dt := dateTimeFacts(r); dt != nil {
		f["date_time"] = dt
	}
	f["lsb"] = lsbFacts(r)
	f["selinux"] = selinuxFacts(r)
	status := "disabled"
	if r.exists["/sys/kernel/security/apparmor"] {
		status = "enabled"
	}
	f["apparmor"] = map[string]any{"status": status}
	if s, ok := r.file("/proc/cmdline"); ok {
		f["cmdline"], f["proc_cmdline"] = parseCmdline(s)
	}
	fips, _ := r.file("/proc/sys/crypto/fips_enabled")
	f["fips"] = fips == "1"
	f["is_chroot"] = isChroot(r, env)
	f["system_capabilities_enforced"] = capsEnforced(r)
	// tend runs no fact scripts: /etc/ansible/facts.d is not read.
	f["local"] = map[string]any{}
}

// envFacts is the login environment: /proc/self/environ of the head the
// script started, which inherits exactly what the shell exports.
func envFacts(r *factsRaw) map[string]any {
	env := map[string]any{}
	for _, kv := range strings.Split(r.files["/proc/self/environ"], "\x00") {
		if k, v, ok := strings.Cut(kv, "="); ok && k != "" {
			env[k] = v
		}
	}
	return env
}

// userFacts is Ansible's user collector: the name from the environment
// (LOGNAME, USER, LNAME, USERNAME, as getpass.getuser reads them), else
// the real uid's passwd entry; ids from /proc/self/status. Entries come
// from /etc/passwd only: a user known only to NSS (LDAP, sssd) gets $HOME
// and $SHELL instead, and an empty gecos.
func userFacts(r *factsRaw, env map[string]any, f map[string]any) {
	ids := func(field string) (int, int, bool) {
		v, ok := statusField(r, field)
		w := strings.Fields(v)
		if !ok || len(w) < 2 {
			return 0, 0, false
		}
		real, e1 := strconv.Atoi(w[0])
		eff, e2 := strconv.Atoi(w[1])
		return real, eff, e1 == nil && e2 == nil
	}
	uid, euid, okU := ids("Uid")
	gid, _, okG := ids("Gid")
	name := ""
	for _, k := range []string{"LOGNAME", "USER", "LNAME", "USERNAME"} {
		if v, _ := env[k].(string); v != "" {
			name = v
			break
		}
	}
	var byName, byUID []string
	for _, l := range strings.Split(r.files["/etc/passwd"], "\n") {
		p := strings.Split(l, ":")
		if len(p) != 7 {
			continue
		}
		if byName == nil && name != "" && p[0] == name {
			byName = p
		}
		if byUID == nil && okU && p[2] == strconv.Itoa(uid) {
			byUID = p
		}
	}
	pw := byName
	if pw == nil {
		pw = byUID
	}
	if name == "" && byUID != nil {
		name = byUID[0]
	}
	f["user_id"] = name
	if pw != nil {
		f["user_uid"], f["user_gid"] = atoiOr(pw[2], -1), atoiOr(pw[3], -1)
		f["user_gecos"], f["user_dir"], f["user_shell"] = pw[4], pw[5], pw[6]
	} else {
		home, _ := env["HOME"].(string)
		sh, _ := env["SHELL"].(string)
		f["user_uid"], f["user_gid"], f["user_gecos"], f["user_dir"], f["user_shell"] = uid, gid, "", home, sh
	}
	if okU {
		f["real_user_id"], f["effective_user_id"] = uid, euid
	}
	if okG {
		// Ansible reports the real gid as effective_group_id too.
		f["real_group_id"], f["effective_group_id"] = gid, gid
	}
}

// dateTimeFacts is Ansible's date_time from `date +'%s %N %z %Z'`: the
// same instant, the offset and zone name in force, printed as Python's
// strftime does. tz_dst is the zone's daylight-saving name (time.tzname[1])
// from /etc/localtime; the standard name when it has none.
func dateTimeFacts(r *factsRaw) map[string]any {
	line, _ := r.line("date")
	w := strings.Fields(line)
	if len(w) < 3 {
		return nil
	}
	epoch, err := strconv.ParseInt(w[0], 10, 64)
	if err != nil || epoch < 0 || epoch > 1<<40 {
		return nil
	}
	nanos, err := strconv.ParseInt(w[1], 10, 64)
	if err != nil || nanos < 0 || nanos >= 1e9 {
		nanos = 0 // busybox date prints %N as is
	}
	off := w[2]
	if len(off) != 5 || (off[0] != '+' && off[0] != '-') || !isDigits(off[1:]) {
		return nil
	}
	h, _ := strconv.Atoi(off[1:3])
	m, _ := strconv.Atoi(off[3:5])
	secs := h*3600 + m*60
	if off[0] == '-' {
		secs = -secs
	}
	name := ""
	if len(w) > 3 {
		name = w[3]
	}
	t := time.Unix(epoch, nanos).In(time.FixedZone(name, secs))
	u := t.UTC()
	micro := t.Format(".000000")[1:]
	dt := map[string]any{
		"year": t.Format("2006"), "month": t.Format("01"), "weekday": t.Weekday().String(),
		"weekday_number": strconv.Itoa(int(t.Weekday())), "weeknumber": mondayWeek(t),
		"day": t.Format("02"), "hour": t.Format("15"), "minute": t.Format("04"), "second": t.Format("05"),
		"epoch": w[0], "epoch_int": w[0], "date": t.Format("2006-01-02"), "time": t.Format("15:04:05"),
		"iso8601_micro": u.Format("2006-01-02T15:04:05.000000Z"), "iso8601": u.Format("2006-01-02T15:04:05Z"),
		"iso8601_basic": t.Format("20060102T150405") + micro, "iso8601_basic_short": t.Format("20060102T150405"),
		"tz": name, "tz_dst": dstName(r, t, name), "tz_offset": off,
	}
	return dt
}

// mondayWeek is strftime's %W: weeks starting on Monday, days before the
// year's first Monday in week 00.
func mondayWeek(t time.Time) string {
	yday := t.YearDay() - 1
	wday := (int(t.Weekday()) + 6) % 7 // Monday 0
	return twoDigits((yday + 7 - wday) / 7)
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// dstName is glibc's tzname[1] for the zone of /etc/localtime (TZ unset):
// the name of its daylight-saving time this year, else the standard name.
func dstName(r *factsRaw, t time.Time, std string) string {
	data, ok := r.files["/etc/localtime"]
	if !ok {
		return std
	}
	if tz, _ := envFacts(r)["TZ"].(string); tz != "" {
		return std
	}
	loc, err := time.LoadLocationFromTZData("localtime", []byte(data))
	if err != nil {
		return std
	}
	for m := time.January; m <= time.December; m++ {
		at := time.Date(t.Year(), m, 1, 12, 0, 0, 0, loc)
		if at.IsDST() {
			n, _ := at.Zone()
			return n
		}
	}
	return std
}

// lsbFacts is Ansible's lsb collector: lsb_release -a's fields when it is
// installed (see lsbInfo), else /etc/lsb-release.
func lsbFacts(r *factsRaw) map[string]any {
	lsb := map[string]any{}
	if info := lsbInfo(r); info != nil {
		for k, name := range map[string]string{"distributor_id": "id", "description": "description", "release": "release", "codename": "codename"} {
			lsb[name] = info[k]
		}
	} else if s, ok := r.files["/etc/lsb-release"]; ok {
		for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
			_, v, ok := strings.Cut(l, "=")
			if !ok {
				continue
			}
			v = strings.TrimSpace(v)
			switch {
			case strings.Contains(l, "DISTRIB_ID"):
				lsb["id"] = v
			case strings.Contains(l, "DISTRIB_RELEASE"):
				lsb["release"] = v
			case strings.Contains(l, "DISTRIB_DESCRIPTION"):
				lsb["description"] = v
			case strings.Contains(l, "DISTRIB_CODENAME"):
				lsb["codename"] = v
			}
		}
	}
	if rel, ok := lsb["release"].(string); ok {
		major, _, _ := strings.Cut(rel, ".")
		lsb["major_release"] = major
	}
	for k, v := range lsb {
		if s, _ := v.(string); s != "" {
			lsb[k] = strings.Trim(s, `'"\`)
		}
	}
	return lsb
}

// selinuxFacts is Ansible's selinux collector as it runs with the Python
// selinux bindings, read from selinuxfs and /etc/selinux/config.
func selinuxFacts(r *factsRaw) map[string]any {
	enforce, ok := r.file("/sys/fs/selinux/enforce")
	if !ok {
		return map[string]any{"status": "disabled"}
	}
	modes := map[string]string{"1": "enforcing", "0": "permissive", "-1": "disabled"}
	s := map[string]any{"status": "enabled", "mode": "unknown", "config_mode": "unknown", "type": "unknown", "policyvers": "unknown"}
	if m, ok := modes[enforce]; ok {
		s["mode"] = m
	}
	if v, ok := r.file("/sys/fs/selinux/policyvers"); ok {
		if n, err := strconv.Atoi(v); err == nil {
			s["policyvers"] = n
		}
	}
	for _, l := range strings.Split(r.files["/etc/selinux/config"], "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(l), "=")
		if !ok {
			continue
		}
		switch k {
		case "SELINUX":
			if v == "enforcing" || v == "permissive" || v == "disabled" {
				s["config_mode"] = v
			}
		case "SELINUXTYPE":
			s["type"] = v
		}
	}
	return s
}

// parseCmdline is Ansible's cmdline and proc_cmdline: shlex (non-POSIX)
// words, key=value or a bare key (true); proc_cmdline keeps every value
// of a repeated key in a list.
func parseCmdline(s string) (map[string]any, map[string]any) {
	cmd, proc := map[string]any{}, map[string]any{}
	for _, piece := range shlexNonPOSIX(s) {
		k, v, ok := strings.Cut(piece, "=")
		if !ok {
			cmd[k], proc[k] = true, true
			continue
		}
		cmd[k] = v
		switch old := proc[k].(type) {
		case []any:
			proc[k] = append(old, v)
		case string:
			proc[k] = []any{old, v}
		default:
			proc[k] = v
		}
	}
	return cmd, proc
}

// shlexNonPOSIX splits like shlex.split(s, posix=False): a quote that
// starts a word makes a word of its own up to the closing quote, quotes
// included; a quote inside a word is a plain character; an unclosed
// quote makes the whole split fail (Ansible then reports nothing).
func shlexNonPOSIX(s string) []string {
	var words []string
	var w strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			if w.Len() > 0 {
				words = append(words, w.String())
				w.Reset()
			}
		case (c == '"' || c == '\'') && w.Len() == 0:
			j := strings.IndexByte(s[i+1:], c)
			if j < 0 {
				return nil
			}
			words = append(words, s[i:i+j+2])
			i += j + 1
		default:
			w.WriteByte(c)
		}
	}
	if w.Len() > 0 {
		words = append(words, w.String())
	}
	return words
}

// isChroot is Ansible's is_chroot: debian_chroot set, else / against
// PID 1's root, else (when /proc/1/root is out of reach) the root
// folder's inode against the file system's usual root inode.
func isChroot(r *factsRaw, env map[string]any) bool {
	if v, _ := env["debian_chroot"].(string); v != "" {
		return true
	}
	if v, ok := r.line("chroot"); ok {
		return v == "1"
	}
	ino, _ := r.line("rootino")
	w := strings.Fields(ino)
	if len(w) == 0 {
		return false
	}
	fs, _ := r.line("rootfs")
	want := "2"
	if strings.Contains(fs, "btrfs") {
		want = "256"
	} else if strings.Contains(fs, "xfs") {
		want = "128"
	}
	return w[0] != want
}

// capsEnforced is system_capabilities_enforced: "N/A" without capsh,
// "False" when capsh --print's Current line would be "=ep" (every
// capability the kernel has is effective and permitted, none inheritable),
// else "True". tend reads the sets from /proc/self/status, which capsh
// would print from.
func capsEnforced(r *factsRaw) string {
	if !r.binPath("capsh") {
		return "N/A"
	}
	last, ok := r.file("/proc/sys/kernel/cap_last_cap")
	n, err := strconv.Atoi(last)
	if !ok || err != nil || n < 0 || n > 63 {
		return "NA"
	}
	all := uint64(1)<<uint(n+1) - 1
	get := func(k string) (uint64, bool) {
		v, ok := statusField(r, k)
		if !ok {
			return 0, false
		}
		x, err := strconv.ParseUint(v, 16, 64)
		return x, err == nil
	}
	eff, ok1 := get("CapEff")
	prm, ok2 := get("CapPrm")
	inh, ok3 := get("CapInh")
	if !ok1 || !ok2 || !ok3 {
		return "NA"
	}
	if eff&all == all && prm&all == all && inh&all == 0 {
		return "False"
	}
	return "True"
}
