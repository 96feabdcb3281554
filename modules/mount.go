package modules

import (
	"fmt"
	"path"
	"strconv"
	"strings"
)

// mountModule is ansible.posix.mount on Linux. fstab is read and rewritten
// in Go with the module's exact line format (_set_mount_save_old,
// unset_mount); whether the path is mounted is Ansible's answer too:
// os.path.ismount (the path's device or inode against its parent's, from
// stat) or a /proc/self/mountinfo entry (with the source, for mounted).
// mount and umount run on the host; a failed mount puts fstab back and
// removes the folders the task made, as Ansible does.
type mountModule struct {
	// root prefixes fstab and the mount point's folders; mountCmd,
	// umountCmd and mountinfo replace mount, umount and
	// /proc/self/mountinfo: tests give fakes (busybox sh would run its
	// own mount applet before any on the PATH).
	root, mountCmd, umountCmd, mountinfo string
}

func init() {
	Register("mount", mountModule{})
}

var mountStates = []string{"absent", "absent_from_fstab", "mounted", "present", "unmounted", "remounted", "ephemeral"}

func (mountModule) Spec() Spec {
	return Spec{Params: []Param{
		{Name: "boot", Kind: Bool, Default: true},
		{Name: "dump", Kind: String, Default: "0"},
		{Name: "fstab", Kind: String},
		{Name: "fstype", Kind: String},
		{Name: "path", Kind: Path, Required: true, Aliases: []string{"name"}},
		{Name: "opts", Kind: String},
		{Name: "passno", Kind: String, Default: "0"},
		{Name: "src", Kind: Path},
		{Name: "backup", Kind: Bool, Default: false},
		{Name: "state", Kind: String, Required: true, Choices: mountStates},
	}}
}

// mountArgs are main()'s args: the values a line is made of, defaults
// filled in, and what the result reports.
type mountArgs struct {
	name, src, fstype, opts, dump, passno, fstab, boot, state string
	hasSrc, fstabGiven, backup                                bool
	warnings                                                  []string
}

func readMountArgs(a Args) (mountArgs, error) {
	m := mountArgs{name: a.String("path"), opts: "defaults", dump: a.String("dump"), passno: a.String("passno"),
		fstab: "/etc/fstab", boot: "yes", state: a.String("state"), backup: a.Bool("backup"),
		src: a.String("src"), fstype: a.String("fstype"), hasSrc: a.Has("src")}
	if a.Has("opts") {
		m.opts = a.String("opts")
	}
	if a.Has("fstab") {
		m.fstab, m.fstabGiven = a.String("fstab"), true
	}
	switch m.state {
	case "mounted", "present", "ephemeral":
		var missing []string
		for _, k := range []string{"src", "fstype"} {
			if !a.Has(k) {
				missing = append(missing, k)
			}
		}
		if len(missing) > 0 {
			return m, fmt.Errorf("state is %s but all of the following are missing: %s", m.state, strings.Join(missing, ", "))
		}
	}
	// A swap line's mount point is "none", which only fstab's states take.
	if !(m.name == "none" && (m.state == "present" || m.state == "absent_from_fstab")) {
		if err := checkAbs("path", m.name); err != nil {
			return m, err
		}
	}
	if err := checkAbs("fstab", m.fstab); err != nil {
		return m, err
	}
	for _, f := range []struct{ k, v string }{{"path", m.name}, {"src", m.src}, {"fstype", m.fstype}, {"opts", m.opts}, {"dump", m.dump}, {"passno", m.passno}} {
		if strings.ContainsAny(f.v, "\n\t\x00") {
			return m, fmt.Errorf("%s must not hold a tab, a newline or a NUL byte", f.k)
		}
	}
	for _, f := range []struct{ k, v string }{{"fstype", m.fstype}, {"opts", m.opts}, {"dump", m.dump}, {"passno", m.passno}} {
		if strings.Contains(f.v, " ") || (f.v == "" && (f.k != "fstype" || m.state == "mounted" || m.state == "present" || m.state == "ephemeral")) {
			return m, fmt.Errorf("%s %q cannot be an fstab field", f.k, f.v)
		}
	}
	// noauto and boot, as main() reconciles them.
	opts := strings.Split(m.opts, ",")
	switch {
	case hasWord(opts, "noauto"):
		m.warnings = append(m.warnings, "Ignore the 'boot' due to 'opts' contains 'noauto'.")
	case !a.Bool("boot"):
		m.boot = "no"
		if hasWord(opts, "defaults") {
			m.warnings = append(m.warnings, "Ignore the 'boot' due to 'opts' contains 'defaults'.")
		} else {
			m.opts += ",noauto"
		}
	}
	return m, nil
}

// fstabEscape is _escape_fstab.
func fstabEscape(v string) string {
	return strings.NewReplacer(`\`, `\134`, " ", `\040`, "&", `\046`).Replace(v)
}

// fstabSet is _set_mount_save_old: fstab with the mount's line, and
// whether it changed. Lines without their newline get one; a matching
// line that differs (and every matching line after it) is written in the
// module's format, "src name fstype opts dump passno".
func fstabSet(content string, m mountArgs) (string, bool) {
	esc := func(v string) string { return fstabEscape(v) }
	want := map[string]string{"src": esc(m.src), "name": esc(m.name), "fstype": esc(m.fstype), "opts": esc(m.opts), "dump": esc(m.dump), "passno": esc(m.passno)}
	format := func(ld map[string]string) string {
		return ld["src"] + " " + ld["name"] + " " + ld["fstype"] + " " + ld["opts"] + " " + ld["dump"] + " " + ld["passno"] + "\n"
	}
	var out strings.Builder
	exists, changed := false, false
	for _, line := range splitLines(content) {
		if !strings.HasSuffix(line, "\n") {
			line += "\n"
		}
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "#") {
			out.WriteString(line)
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 || len(f) > 6 {
			out.WriteString(line)
			continue
		}
		// A missing dump or passno is Python's int 0, never equal to a
		// string: such a line is always rewritten.
		ld := map[string]string{"dump": "\x00", "passno": "\x00"}
		for i, k := range []string{"src", "name", "fstype", "opts", "dump", "passno"}[:len(f)] {
			ld[k] = f[i]
		}
		if ld["name"] != want["name"] || (m.hasSrc && ld["name"] == "none" && ld["fstype"] == "swap" && ld["src"] != m.src) {
			out.WriteString(line)
			continue
		}
		exists = true
		for _, k := range []string{"src", "fstype", "opts", "dump", "passno"} {
			if ld[k] != want[k] {
				ld[k] = want[k]
				changed = true
			}
		}
		if changed {
			out.WriteString(format(ld))
		} else {
			out.WriteString(line)
		}
	}
	if !exists {
		out.WriteString(format(want))
		changed = true
	}
	return out.String(), changed
}

// fstabUnset is unset_mount: the mount's 6-field lines go.
func fstabUnset(content string, m mountArgs) (string, bool) {
	var out strings.Builder
	changed := false
	name := fstabEscape(m.name)
	for _, line := range splitLines(content) {
		t := strings.TrimSpace(line)
		f := strings.Fields(line)
		if t == "" || strings.HasPrefix(t, "#") || len(f) != 6 ||
			f[1] != name || (m.hasSrc && f[1] == "none" && f[2] == "swap" && f[0] != m.src) {
			out.WriteString(line)
			continue
		}
		changed = true
	}
	return out.String(), changed
}

// mountEntry is one /proc/self/mountinfo mount as get_linux_mounts reads
// it: a bind mount's src is the folder it shows.
type mountEntry struct {
	src, fs string
	// whole is a mount of a file system's root (not a bind mount of a
	// folder in it): its mount point has another device than its parent,
	// so os.path.ismount says true.
	whole bool
}

// parseMountinfo is get_linux_mounts. Mount points are unescaped (\040),
// which Ansible does not do: a path with a blank is found too.
func parseMountinfo(text string) map[string]mountEntry {
	type rec struct {
		id, parent         int
		root, dst, fs, src string
	}
	byID := map[int]*rec{}
	var order []*rec
	for _, l := range strings.Split(text, "\n") {
		f := strings.Fields(l)
		if len(f) < 10 {
			continue
		}
		id, err1 := strconv.Atoi(f[0])
		parent, err2 := strconv.Atoi(f[1])
		if err1 != nil || err2 != nil {
			continue
		}
		r := &rec{id: id, parent: parent, root: f[3], dst: mountinfoUnescape(f[4]), fs: f[len(f)-3], src: f[len(f)-2]}
		byID[id] = r
		order = append(order, r)
	}
	out := map[string]mountEntry{}
	for _, r := range order {
		src := r.src
		if p, ok := byID[r.parent]; ok && r.parent != 1 {
			root := r.root
			if len(p.root) > 1 && strings.HasPrefix(root, p.root+"/") {
				root = root[len(p.root):]
			}
			if p.dst != "/" {
				root = p.dst + root
			}
			src = root
		}
		out[r.dst] = mountEntry{src: src, fs: r.fs, whole: r.root == "/"}
	}
	return out
}

// mountinfoUnescape undoes the kernel's \ooo escapes in mountinfo.
func mountinfoUnescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func (m mountModule) mnt() string  { return cmdWord(m.mountCmd, "mount") }
func (m mountModule) umnt() string { return cmdWord(m.umountCmd, "umount") }

func (m mountModule) Probe(t *Task) (string, error) {
	a, err := readMountArgs(t.Args)
	if err != nil {
		return "", err
	}
	s := newScript()
	s.use("tend_blob")
	if a.state != "ephemeral" {
		confProbe(s, "f", q(m.root+a.fstab))
	}
	p := q(m.root + a.name)
	s.add(`if [ -L `, p, ` ]; then echo path=link; elif [ -d `, p, ` ]; then echo path=dir; elif [ -e `, p, ` ]; then echo path=other; else echo path=absent; fi`)
	// os.path.ismount: another device than the parent, or the same inode.
	s.add(`if [ -d `, p, ` ] && [ ! -L `, p, ` ] && tend_o=$(stat -c '%d:%i' -- `, p, ` `, q(m.root+a.name+"/.."), ` 2>/dev/null); then set -- $tend_o; printf 'ismount.self=%s\nismount.parent=%s\n' "$1" "$2"; fi`)
	s.add(`if [ -r `, q(m.info()), ` ]; then tend_blob mountinfo `, q(m.info()), ` || exit 1; fi`)
	return s.String(), nil
}

// mountPlan is what main() would do.
type mountPlan struct {
	a             mountArgs
	fstab         confState
	newFstab      string
	fstabChanged  bool
	mounted       bool // ismount or in mountinfo
	pathState     string
	changed       bool
	mkdirs        []string // folders to make, top down (on the host, without the root)
	umount, mount bool
	remount       bool
	rmdir         bool
}

func (m mountModule) plan(t *Task, probe Output) (*mountPlan, error) {
	a, err := readMountArgs(t.Args)
	if err != nil {
		return nil, err
	}
	r, err := readProbe(probe)
	if err != nil {
		return nil, err
	}
	p := &mountPlan{a: a}
	if a.state != "ephemeral" {
		if p.fstab, err = readConf(r, "f", m.root+a.fstab); err != nil {
			return nil, err
		}
	}
	if p.pathState, err = r.get("path"); err != nil {
		return nil, err
	}
	self, ok1 := r.opt("ismount.self")
	parent, ok2 := r.opt("ismount.parent")
	if ok1 && ok2 {
		sd, si, _ := strings.Cut(self, ":")
		pd, pi, _ := strings.Cut(parent, ":")
		p.mounted = sd != pd || si == pi
	}
	var mounts map[string]mountEntry
	if b, ok := r.blob("mountinfo"); ok {
		mounts = parseMountinfo(string(b))
	} else {
		p.a.warnings = append(p.a.warnings, "Cannot open file /proc/self/mountinfo. Bind mounts might be misinterpreted.")
	}
	e, inInfo := mounts[a.name]
	p.mounted = p.mounted || (inInfo && e.whole)
	switch a.state {
	case "absent_from_fstab", "present", "absent":
		if a.state == "present" {
			p.newFstab, p.fstabChanged = fstabSet(p.fstab.content, a)
		} else {
			p.newFstab, p.fstabChanged = fstabUnset(p.fstab.content, a)
		}
		p.changed = p.fstabChanged
		if a.state == "absent" && p.fstabChanged {
			p.umount = p.mounted || inInfo
			p.rmdir = p.pathState != "absent"
		}
	case "unmounted":
		p.umount = p.mounted || inInfo
		p.changed = p.umount
	case "remounted":
		p.remount, p.changed = true, true
	case "mounted", "ephemeral":
		if p.pathState == "absent" {
			p.mkdirs = append(p.mkdirs, parentDirs(a.name)...)
		}
		if a.state == "mounted" {
			p.newFstab, p.fstabChanged = fstabSet(p.fstab.content, a)
			p.changed = p.fstabChanged
		}
		if p.mounted || (inInfo && e.src == a.src) {
			p.remount = p.fstabChanged
			if a.state == "ephemeral" {
				// _is_same_mount_src: a bind mount of src, else mount -v's
				// first field (the device) as mountinfo has it.
				if !(inInfo && e.src == a.src) && !(inInfo && mountSource(string(mustBlob(r, "mountinfo")), a.name) == a.src) {
					return nil, errorf("Ephemeral mount point is already mounted with a different source than the specified one. Failing in order to prevent an unwanted unmount or override operation. Try replacing this command with a \"state: unmounted\" followed by a \"state: ephemeral\", or use a different destination path.")
				}
				p.remount, p.changed = true, true
			}
		} else {
			p.mount, p.changed = true, true
		}
	}
	return p, nil
}

func mustBlob(r *records, k string) []byte { b, _ := r.blob(k); return b }

// mountSource is the device mountinfo names for a mount point (what
// mount -v prints first).
func mountSource(info, dst string) string {
	src := ""
	for _, l := range strings.Split(info, "\n") {
		f := strings.Fields(l)
		if len(f) >= 10 && mountinfoUnescape(f[4]) == dst {
			src = f[len(f)-2]
		}
	}
	return src
}

func (m mountModule) Plan(t *Task, probe Output) (*Change, error) {
	p, err := m.plan(t, probe)
	if err != nil || !p.changed {
		return nil, err
	}
	a := p.a
	var diffs []Diff
	s := newScript()
	s.use("tend_die")
	useSvcRun(s)
	hostName := q(m.root + a.name)
	// The folders made and the fstab before, for undoing a failed mount.
	s.add(`tend_undo() {`)
	s.add(`	[ -z "${tend_keep-}" ] || mv -f -- "$tend_keep" `, q(m.root+a.fstab), ` || :`)
	for i := len(p.mkdirs) - 1; i >= 0; i-- {
		s.add(`	[ -z "${tend_m`, strconv.Itoa(i), `-}" ] || rmdir -- `, q(m.root+p.mkdirs[i]), ` 2>/dev/null || :`)
	}
	s.add(`	:`)
	s.add(`}`)
	for i, d := range p.mkdirs {
		if i == len(p.mkdirs)-1 {
			diffs = append(diffs, Diff{Path: a.name, Attr: "state", Before: "absent", After: "directory"})
		}
		hd := q(m.root + d)
		s.add(`if [ ! -d `, hd, ` ]; then mkdir -- `, hd, ` || { tend_undo; tend_die `, q("Error making dir "+a.name), `; }; tend_m`, strconv.Itoa(i), `=1; fi`)
	}
	if p.fstabChanged {
		diffs = append(diffs, Diff{Path: a.fstab, Attr: "content", Before: p.fstab.content, After: p.newFstab})
		if !p.fstab.dirExists {
			s.add(`mkdir -p -- "$(dirname -- `, q(m.root+a.fstab), `)" || tend_die `, q("cannot create the folder of "+a.fstab))
		}
		if a.state == "mounted" && p.fstab.fi.Exists {
			// Kept until the mount worked.
			s.add(`tend_keep=`, q(m.root+path.Dir(a.fstab)+"/"+tempBase()))
			s.add(`cp -p -- `, q(m.root+a.fstab), ` "$tend_keep" || tend_die "cannot keep a copy of `, a.fstab, `"`)
		}
		if err := p.fstab.write(s, p.newFstab, 0o644, a.backup); err != nil {
			return nil, err
		}
	}
	fstabArgs := ""
	if a.state != "ephemeral" && a.fstab != "/etc/fstab" {
		fstabArgs = " -T " + q(m.root+a.fstab)
	}
	ephemeral := ""
	if a.state == "ephemeral" {
		ephemeral = " -t " + q(a.fstype)
		if a.opts != "defaults" {
			ephemeral += " -o " + q(a.opts)
		}
		ephemeral += " " + q(a.src)
	}
	mountCmd := m.mnt() + fstabArgs + ephemeral + " " + hostName
	fail := func(what string) string {
		return `{ tend_undo; tend_die "Error ` + what + ` "` + q(a.name) + `": $tend_o"; }`
	}
	// tend_try CMD...: runs CMD; its output is in $tend_o. tend_ismnt:
	// whether the path is a mount point now (the apply may run twice).
	s.add(`tend_try() { tend_o=$("$@" </dev/null 2>&1); }`)
	s.add(`tend_q=`, q(mountinfoEscape(a.name)), `; export tend_q`)
	s.add(`tend_ismnt() { [ -r `, q(m.info()), ` ] || return 0; awk '$5 == ENVIRON["tend_q"] { f = 1 } END { exit !f }' `, q(m.info()), `; }`)
	if p.umount {
		diffs = append(diffs, Diff{Path: a.name, Attr: "mounted", Before: "yes", After: "no"})
		s.add(`! tend_ismnt || tend_try `, m.umnt(), ` `, hostName, ` || `, fail("unmounting"))
	}
	if p.rmdir {
		s.add(`if [ -e `, hostName, ` ]; then rmdir -- `, hostName, ` 2>/dev/null || tend_die `, q("Error rmdir "+a.name+": directory not empty or not a directory"), `; fi`)
	}
	if p.mount {
		diffs = append(diffs, Diff{Path: a.name, Attr: "mounted", Before: "no", After: "yes"})
		s.add(`tend_ismnt || tend_try `, mountCmd, ` || `, fail("mounting"))
	}
	if p.remount {
		diffs = append(diffs, Diff{Path: a.name, Attr: "mounted", Before: "yes", After: "remounted"})
		opt := "remount"
		if a.state == "remounted" && a.opts != "defaults" {
			opt += "," + a.opts
		}
		what := "mounting"
		if a.state == "remounted" {
			what = "remounting"
		}
		s.add(`if ! tend_try `, m.mnt(), ` -o `, q(opt), fstabArgs, ephemeral, ` `, hostName, `; then`)
		if a.state == "remounted" && a.opts != "defaults" {
			s.add(`tend_die 'Options were specified with remounted, but the remount command failed. Failing in order to prevent an unexpected mount result. Try replacing this command with a "state: unmounted" followed by a "state: mounted" using the full desired mount options instead.'`)
		} else {
			// Remount unsupported: unmount, then mount.
			s.add(`tend_try `, m.umnt(), ` `, hostName, ` || `, fail(what))
			s.add(`tend_try `, mountCmd, ` || `, fail(what))
		}
		s.add(`fi`)
	}
	s.add(`[ -z "${tend_keep-}" ] || rm -f -- "$tend_keep"`)
	res := m.result(p)
	res["changed"] = true
	return &Change{Diffs: diffs, Apply: s.String(), Result: whenApplied(func(o Output) (Result, error) {
		out := Result{}
		for k, v := range res {
			out[k] = v
		}
		if a.backup && p.fstabChanged {
			r, err := parseRecords(o.Stdout)
			if err != nil {
				return nil, fmt.Errorf("apply printed something unexpected: %v", err)
			}
			if b, err := backupPath(a.fstab, r); err != nil {
				return nil, err
			} else if b != "" {
				out["backup_file"] = b
			}
		}
		return out, nil
	})}, nil
}

// result is main()'s exit_json(**args).
func (m mountModule) result(p *mountPlan) Result {
	a := p.a
	res := Result{"name": a.name, "opts": a.opts, "dump": a.dump, "passno": a.passno, "fstab": a.fstab, "boot": a.boot, "backup_file": ""}
	if a.hasSrc {
		res["src"] = a.src
	}
	if a.fstype != "" {
		res["fstype"] = a.fstype
	}
	if len(a.warnings) > 0 {
		res["warnings"] = append([]string(nil), a.warnings...)
	}
	return res
}

func (m mountModule) Report(t *Task, probe Output) (Result, error) {
	p, err := m.plan(t, probe)
	if err != nil {
		return nil, err
	}
	res := m.result(p)
	res["changed"] = false
	return res, nil
}

func hasWord(l []string, w string) bool {
	for _, x := range l {
		if x == w {
			return true
		}
	}
	return false
}

func (m mountModule) info() string {
	if m.mountinfo != "" {
		return m.mountinfo
	}
	return "/proc/self/mountinfo"
}

// mountinfoEscape is a path as the kernel writes it in mountinfo.
func mountinfoEscape(p string) string {
	return strings.NewReplacer(" ", `\040`, "\t", `\011`, "\n", `\012`, `\`, `\134`).Replace(p)
}
