package modules

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"path"
	"regexp"
	"strings"
)

// cronModule is Ansible's cron. A user's crontab is read with
// `crontab [-u USER] -l` and installed with `crontab [-u USER] -` (the
// content on stdin, so no temporary file has to be readable by USER); a
// cron_file is edited like lineinfile's files. Plan runs Ansible's
// algorithm (lib/ansible/modules/cron.py) on the lines in Go, so crontabs
// written by Ansible ("#Ansible: NAME" before each job) are recognised and
// the other way round.
type cronModule struct {
	// crontab is the command, as words, that reads and installs user
	// crontabs; tests point it at `busybox crontab -c DIR`.
	crontab []string
	// cronD is the folder of relative cron_file names.
	cronD string
}

func init() { Register("cron", cronModule{crontab: []string{"crontab"}, cronD: "/etc/cron.d"}) }

// Every field is written as (part of) one crontab line: a line break in one
// would add a line of its own, a job nobody asked for, so it is refused
// (Ansible only warns about the job's).
func (cronModule) Spec() Spec {
	return Spec{
		Params: []Param{
			{Name: "name", Kind: String, Required: true, OneLine: true},
			{Name: "user", Kind: String, OneLine: true},
			{Name: "job", Kind: String, Aliases: []string{"value"}, OneLine: true},
			{Name: "cron_file", Kind: Path},
			{Name: "state", Kind: String, Default: "present", Choices: []string{"present", "absent"}},
			{Name: "backup", Kind: Bool, Default: false},
			{Name: "minute", Kind: String, Default: "*", OneLine: true},
			{Name: "hour", Kind: String, Default: "*", OneLine: true},
			{Name: "day", Kind: String, Default: "*", Aliases: []string{"dom"}, OneLine: true},
			{Name: "month", Kind: String, Default: "*", OneLine: true},
			{Name: "weekday", Kind: String, Default: "*", Aliases: []string{"dow"}, OneLine: true},
			{Name: "special_time", Kind: String, Choices: []string{"reboot", "yearly", "annually", "monthly", "weekly", "daily", "hourly"}},
			{Name: "disabled", Kind: Bool, Default: false},
			{Name: "env", Kind: Bool, Default: false},
			{Name: "insertafter", Kind: String, OneLine: true},
			{Name: "insertbefore", Kind: String, OneLine: true},
		},
		Exclusive: [][]string{{"insertafter", "insertbefore"}},
	}
}

// crontabEmpty says how each known crontab command reports, with exit
// status 1, that a user has no crontab yet. Any other failure to read is
// an error: installing over a crontab that could not be read would lose it.
var crontabEmpty = []struct {
	tool string
	msg  *regexp.Regexp
}{
	{"vixie cron (Debian's cron, cronie, the BSDs)", regexp.MustCompile(`^no crontab for `)},
	{"busybox", regexp.MustCompile(`^crontab: can't open '[^']*': No such file or directory`)},
}

type cronTask struct {
	name, user, job, cronFile, cronFileArg, state string
	minute, hour, day, month, weekday, special    string
	insAfter, insBefore                           string
	hasJob, backup, disabled, env                 bool
	warnings                                      []string
}

var cronFileName = regexp.MustCompile(`(?i)^[A-Z0-9_-]+$`)

func (m cronModule) readTask(t *Task) (cronTask, error) {
	a := t.Args
	// Line breaks at the ends are dropped, as Ansible drops the job's.
	line := func(name string) string { return strings.Trim(a.String(name), "\r\n") }
	ct := cronTask{
		name: line("name"), user: line("user"), job: a.String("job"), hasJob: a.Has("job"),
		cronFileArg: a.String("cron_file"), state: a.String("state"),
		minute: line("minute"), hour: line("hour"), day: line("day"),
		month: line("month"), weekday: line("weekday"), special: a.String("special_time"),
		insAfter: line("insertafter"), insBefore: line("insertbefore"),
		backup: a.Bool("backup"), disabled: a.Bool("disabled"), env: a.Bool("env"),
	}
	if ct.state == "" {
		ct.state = "present"
	}
	if ct.cronFileArg != "" {
		if ct.cronFileArg == "/etc/crontab" {
			return ct, errorf("Will not manage /etc/crontab via cron_file, see documentation.")
		}
		ct.cronFile = ct.cronFileArg
		if !path.IsAbs(ct.cronFile) {
			ct.cronFile = path.Join(m.cronD, ct.cronFile)
		}
		if err := checkAbs("cron_file", ct.cronFile); err != nil {
			return ct, err
		}
		if base := path.Base(ct.cronFile); !cronFileName.MatchString(base) {
			ct.warnings = append(ct.warnings, fmt.Sprintf("Filename portion of cron_file (%q) should consist solely of upper- and lower-case letters, digits, underscores, and hyphens", base))
		}
	}
	if ct.special != "" {
		for _, f := range []string{ct.minute, ct.hour, ct.day, ct.month, ct.weekday} {
			if f != "*" {
				return ct, errorf("You must specify time and date fields or special time.")
			}
		}
	}
	if ct.state == "present" {
		if ct.cronFile != "" && ct.user == "" {
			return ct, errorf("To use cron_file=... parameter you must specify user=... as well")
		}
		if !ct.hasJob {
			return ct, errorf("You must specify 'job' to install a new cron job or variable")
		}
		if (ct.insAfter != "" || ct.insBefore != "") && !ct.env {
			return ct, errorf("Insertafter and insertbefore parameters are valid only with env=yes")
		}
	}
	if ct.env && strings.Contains(ct.name, " ") {
		return ct, errorf("Invalid name for environment variable")
	}
	return ct, nil
}

// userArgs sets "$@" to crontab's -u USER, left out when USER is the user
// the script runs as (as Ansible does: a user may not name itself with -u
// in every crontab).
func (ct cronTask) userArgs(s *script) {
	if ct.user == "" {
		s.add("set --")
		return
	}
	s.add(`if [ "$(id -un 2>/dev/null)" = `, q(ct.user), ` ]; then set --; else set -- -u `, q(ct.user), `; fi`)
}

func (m cronModule) cmd() string {
	w := make([]string, len(m.crontab))
	for i, x := range m.crontab {
		w[i] = q(x)
	}
	return strings.Join(w, " ")
}

func (m cronModule) Probe(t *Task) (string, error) {
	ct, err := m.readTask(t)
	if err != nil {
		return "", err
	}
	if ct.cronFile != "" {
		return textProbe(ct.cronFile, ownership{}), nil
	}
	s := newScript()
	s.add("command -v ", q(m.crontab[0]), " >/dev/null 2>&1 || { echo tool=none; exit 0; }")
	ct.userArgs(s)
	// The "." keeps the output's last newlines from $(...).
	c := m.cmd()
	s.add(`tend_o=$(`, c, ` "$@" -l 2>/dev/null; tend_r=$?; echo .; exit $tend_r) && tend_r=0 || tend_r=$?`)
	s.add(`tend_o=${tend_o%.}`)
	s.add(`printf 'rc=%s\n' "$tend_r"`)
	s.add(`if [ "$tend_r" -ne 0 ]; then printf 'err=%s\n' "$(`, c, ` "$@" -l 2>&1 >/dev/null | head -n 1)"; fi`)
	s.add(`printf 'out:%s\n%s\n' "$(printf '%s' "$tend_o" | wc -c)" "$tend_o"`)
	return s.String(), nil
}

// crontab is Ansible's CronTab: the lines, and the text they came from.
type crontab struct {
	lines    []string
	existing string // n_existing: what the diff starts from
	cronFile bool
	user     string
}

const ansibleMark = "#Ansible: "

var (
	crontabHeaders = []*regexp.Regexp{
		regexp.MustCompile(`^# DO NOT EDIT THIS FILE - edit the master and reinstall.`),
		regexp.MustCompile(`^# \(/tmp/.*installed on.*\)`),
		regexp.MustCompile(`^# \(.*version.*\)`),
	}
	envLine = regexp.MustCompile(`^\S+=`)
)

// readUserCrontab is CronTab.read for `crontab -l` output: the header
// old crontabs print in their first three lines is dropped.
func readUserCrontab(out string) *crontab {
	c := &crontab{existing: out}
	for i, l := range pySplitLines(out) {
		header := false
		if i <= 2 {
			for _, re := range crontabHeaders {
				header = header || re.MatchString(l)
			}
		}
		if !header {
			c.lines = append(c.lines, l)
			continue
		}
		if j := strings.Index(c.existing, l); j >= 0 {
			end := j + len(l)
			if end < len(c.existing) && (c.existing[end] == '\r' || c.existing[end] == '\n') {
				end++
			}
			c.existing = c.existing[:j] + c.existing[end:]
		}
	}
	return c
}

func (c *crontab) comment(name string) string { return ansibleMark + name }

// findJob is CronTab.find_job: the job under "#Ansible: NAME", else a line
// that is exactly job (then the header is put in, and the third result is
// true).
func (c *crontab) findJob(name, job string) (found bool, line string, fixed bool) {
	var comment *string
	for _, l := range c.lines {
		if comment != nil {
			if *comment == name {
				return true, l, false
			}
			comment = nil
		} else if strings.HasPrefix(l, ansibleMark) {
			s := strings.ReplaceAll(l, ansibleMark, "")
			comment = &s
		}
	}
	if job == "" {
		return false, "", false
	}
	for i, l := range c.lines {
		if l != job {
			continue
		}
		// Python's lines[i - 1] is the last line when i is 0.
		prev := c.lines[(i-1+len(c.lines))%len(c.lines)]
		if !strings.HasPrefix(prev, ansibleMark) {
			c.lines = append(c.lines[:i], append([]string{c.comment(name)}, c.lines[i:]...)...)
			return true, l, true
		}
		if name != "" && prev == c.comment("None") {
			c.lines[(i-1+len(c.lines))%len(c.lines)] = c.comment(name)
			return true, l, true
		}
	}
	return false, "", false
}

// updateJob is CronTab._update_job: every "#Ansible: NAME" line and the
// line after it are replaced by the header and job, or dropped when job
// is "" (remove_job).
func (c *crontab) updateJob(name, job string, remove bool) {
	var out []string
	header := c.comment(name)
	inJob := false
	for _, l := range c.lines {
		switch {
		case inJob:
			if !remove {
				out = append(out, header, job)
			}
			inJob = false
		case l == header:
			inJob = true
		default:
			out = append(out, l)
		}
	}
	c.lines = out
}

func envRegexp(name string) (*regexp.Regexp, error) { return pyRegexp("name", "^"+name+"=") }

// findEnv is CronTab.find_env: the first declaration of name.
func (c *crontab) findEnv(re *regexp.Regexp) (int, string) {
	for i, l := range c.lines {
		if re.MatchString(l) {
			return i, l
		}
	}
	return -1, ""
}

// setEnv is CronTab._update_env: every declaration is replaced by decl,
// or dropped when remove.
func (c *crontab) setEnv(re *regexp.Regexp, decl string, remove bool) {
	var out []string
	for _, l := range c.lines {
		if !re.MatchString(l) {
			out = append(out, l)
		} else if !remove {
			out = append(out, decl)
		}
	}
	c.lines = out
}

func (c *crontab) isEmpty() bool {
	for _, l := range c.lines {
		if strings.TrimSpace(l) != "" {
			return false
		}
	}
	return true
}

// render is CronTab.render.
func (c *crontab) render() string {
	r := strings.Join(c.lines, "\n")
	if r != "" {
		r = strings.TrimRight(r, "\r\n") + "\n"
	}
	return r
}

func (c *crontab) jobNames() []string {
	out := []string{}
	for _, l := range c.lines {
		if strings.HasPrefix(l, ansibleMark) {
			out = append(out, strings.ReplaceAll(l, ansibleMark, ""))
		}
	}
	return out
}

func (c *crontab) envNames() []string {
	out := []string{}
	for _, l := range c.lines {
		if envLine.MatchString(l) {
			out = append(out, strings.SplitN(l, "=", 2)[0])
		}
	}
	return out
}

// cronLine is CronTab.get_cron_job.
func (ct cronTask) cronLine() string {
	job := strings.Trim(ct.job, "\r\n")
	prefix := ""
	if ct.disabled {
		prefix = "#"
	}
	when := strings.Join([]string{ct.minute, ct.hour, ct.day, ct.month, ct.weekday}, " ")
	if ct.special != "" {
		when = "@" + ct.special
	}
	if ct.cronFile != "" {
		return prefix + when + " " + ct.user + " " + job
	}
	return prefix + when + " " + job
}

// apply is the body of Ansible's main() on c: whether it changed, and
// whether the cron_file is to be removed.
func (ct cronTask) apply(c *crontab) (changed, removeFile bool, err error) {
	present := ct.state == "present"
	if ct.env {
		re, err := envRegexp(ct.name)
		if err != nil {
			return false, false, err
		}
		decl := ct.name + `="` + ct.job + `"`
		i, old := c.findEnv(re)
		switch {
		case present && i < 0:
			if err := c.addEnv(decl, ct.insAfter, ct.insBefore); err != nil {
				return false, false, err
			}
			changed = true
		case present && old != decl:
			c.setEnv(re, decl, false)
			changed = true
		case !present && i >= 0:
			c.setEnv(re, "", true)
			changed = true
		}
	} else if present {
		job := ct.cronLine()
		found, line, fixed := c.findJob(ct.name, job)
		if !found {
			c.lines = append(c.lines, c.comment(ct.name), job)
			changed = true
		}
		if found && (line != job || fixed) {
			c.updateJob(ct.name, job, false)
			changed = true
		}
	} else if found, _, _ := c.findJob(ct.name, ""); found {
		c.updateJob(ct.name, "", true)
		changed = true
		if ct.cronFile != "" && c.isEmpty() {
			return true, true, nil
		}
	}
	if !changed && c.existing != "" && !strings.HasSuffix(c.existing, "\n") && !strings.HasSuffix(c.existing, "\r") {
		changed = true
	}
	return changed, false, nil
}

// addEnv is CronTab.add_env: on top, or next to another variable.
func (c *crontab) addEnv(decl, after, before string) error {
	if after == "" && before == "" {
		c.lines = append([]string{decl}, c.lines...)
		return nil
	}
	other := after
	if other == "" {
		other = before
	}
	re, err := envRegexp(other)
	if err != nil {
		return err
	}
	i, _ := c.findEnv(re)
	if i < 0 {
		return errorf("Variable named '%s' not found.", other)
	}
	if after != "" {
		i++
	}
	c.lines = append(c.lines[:i], append([]string{decl}, c.lines[i:]...)...)
	return nil
}

// cronState is what Plan and Report work out.
type cronState struct {
	tab        *crontab
	before     string // the content as read, for the change check
	tf         textFile
	changed    bool
	removeFile bool
	old        string // rendered before the change (the backup)
}

func (m cronModule) state(ct cronTask, probe Output) (*cronState, error) {
	st := &cronState{}
	if ct.cronFile != "" {
		tf, err := readTextProbe(ct.cronFile, probe)
		if err != nil {
			return nil, err
		}
		st.tf = tf
		st.tab = &crontab{existing: string(tf.before), lines: pySplitLines(string(tf.before)), cronFile: true, user: ct.user}
		st.before = string(tf.before)
	} else {
		r, err := readProbe(probe)
		if err != nil {
			return nil, err
		}
		if v, _ := r.opt("tool"); v == "none" {
			return nil, errorf("Failed to find required executable %q", m.crontab[0])
		}
		rc, err := r.get("rc")
		if err != nil {
			return nil, err
		}
		out, ok := r.blob("out")
		if !ok {
			return nil, fmt.Errorf("probe output lacks out")
		}
		msg, _ := r.opt("err")
		switch rc {
		case "0":
		case "1":
			empty := len(out) == 0
			if empty {
				empty = false
				for _, t := range crontabEmpty {
					empty = empty || t.msg.MatchString(msg)
				}
			}
			if !empty {
				return nil, errorf("Unable to read crontab: %s", msg)
			}
		default:
			return nil, errorf("Unable to read crontab (exit status %s): %s", rc, msg)
		}
		st.tab = readUserCrontab(string(out))
		st.tab.user = ct.user
		st.before = string(out)
	}
	st.old = st.tab.render()
	var err error
	st.changed, st.removeFile, err = ct.apply(st.tab)
	if err != nil {
		return nil, err
	}
	return st, nil
}

func (ct cronTask) header() string {
	switch {
	case ct.cronFile != "":
		return ct.cronFile
	case ct.user != "":
		return fmt.Sprintf("crontab for user %q", ct.user)
	}
	return "crontab"
}

func (m cronModule) Plan(t *Task, probe Output) (*Change, error) {
	ct, err := m.readTask(t)
	if err != nil {
		return nil, err
	}
	st, err := m.state(ct, probe)
	if err != nil || !st.changed {
		return nil, err
	}
	after := st.tab.render()
	s := newScript()
	s.use("tend_die", "tend_sum")
	backupFile := ""
	if ct.backup {
		backupFile = "/tmp/crontab" + randomWord()
	}
	// backup writes what Ansible's backup holds: the crontab as read.
	backup := func() {
		if backupFile != "" {
			s.add(`( umask 077; set -C; `, printfAll([]byte(st.old)), ` > `, q(backupFile), ` ) || tend_die `, q("cannot write the backup "+backupFile))
		}
	}
	diffs := []Diff{{Path: ct.header(), Attr: "content", Before: st.tab.existing, After: after}}
	switch {
	case st.removeFile:
		diffs = []Diff{{Path: ct.cronFile, Attr: "content", Before: st.tab.existing}, stateDiff(ct.cronFile, "file", "absent")}
		backup()
		s.add("tend_d=", q(ct.cronFile))
		s.add(`tend_c=none; if [ -f "$tend_d" ]; then tend_c=$(tend_sum < "$tend_d") || tend_c=unreadable; fi`)
		s.add("case $tend_c in none) ;; ", sumsOf([]byte(st.before)).pattern(), `) rm -f -- "$tend_d" || tend_die "cannot remove $tend_d" ;;`)
		s.add(`*) tend_die "$tend_d changed since it was read; run the task again" ;; esac`)
	case ct.cronFile != "":
		if !st.tf.exists {
			diffs = append(diffs, stateDiff(ct.cronFile, "absent", "file"))
		}
		backup()
		// Ansible writes with umask 022: a new file is 0644, an old one
		// keeps its mode and owner.
		w := fileWrite{Path: ct.cronFile, Content: []byte(after), Mode: 0o644, Follow: true,
			CheckOld: true, Old: st.tf.before, OldAbsent: !st.tf.exists}
		if st.tf.exists {
			w.Mode, w.KeepUID, w.KeepGID = st.tf.fi.Perm, st.tf.fi.UID, st.tf.fi.GID
		}
		if err := s.write(w); err != nil {
			return nil, err
		}
	default:
		ct.userArgs(s)
		c := m.cmd()
		s.add(`tend_c=$(`, c, ` "$@" -l 2>/dev/null | tend_sum)`)
		s.add("case $tend_c in ", sumsOf([]byte(after)).pattern(), ") ;;")
		s.add("*)")
		s.add("case $tend_c in ", sumsOf([]byte(st.before)).pattern(), `) ;; *) tend_die `, q("the "+ct.header()+" changed since it was read; run the task again"), " ;; esac")
		backup()
		s.add(`tend_v=$( { `, printfAll([]byte(after)), ` | `, c, ` "$@" -; } 2>&1) || tend_die "$tend_v"`)
		s.add(";;")
		s.add("esac")
	}
	res := Result{"changed": true}
	if st.removeFile {
		res["cron_file"], res["state"] = ct.cronFileArg, ct.state
	} else {
		res["jobs"], res["envs"], res["warnings"] = st.tab.jobNames(), st.tab.envNames(), ct.warnings
		if ct.cronFileArg != "" {
			res["cron_file"] = ct.cronFileArg
		}
		if backupFile != "" {
			res["backup_file"] = backupFile
		}
	}
	return &Change{
		Diffs:  diffs,
		Apply:  s.String(),
		Result: appliedResult(res),
	}, nil
}

// Report is the result when nothing changes.
func (m cronModule) Report(t *Task, probe Output) (Result, error) {
	ct, err := m.readTask(t)
	if err != nil {
		return nil, err
	}
	st, err := m.state(ct, probe)
	if err != nil {
		return nil, err
	}
	res := Result{"changed": false, "jobs": st.tab.jobNames(), "envs": st.tab.envNames(), "warnings": ct.warnings}
	if ct.cronFileArg != "" {
		res["cron_file"] = ct.cronFileArg
	}
	return res, nil
}

// randomWord is 8 random characters for a temporary name, as Python's
// mkstemp makes.
func randomWord() string {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}
