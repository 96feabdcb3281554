// Package cronjob writes, lists and removes tend's scheduled runs in cron:
// as root one file per entry in /etc/cron.d (tend-NAME), otherwise a marked
// block per entry in the user's crontab, edited through `crontab -`.
//
// It knows cron's rules, not tend's: schedules (validated before anything is
// written), entry names that run-parts accepts, the escaping of % in
// command lines. Each entry carries a comment line with its metadata (JSON)
// so that `tend cron list` can find its reports without parsing the shell
// command.
package cronjob

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"tend/internal/privfile"
	"time"
)

// Meta is what tend records about an entry beside its cron line.
type Meta struct {
	Name      string   `json:"name"`
	Schedule  string   `json:"schedule"`
	Check     bool     `json:"check,omitempty"`
	Playbook  string   `json:"playbook"`
	Inventory []string `json:"inventory"`
	ReportDir string   `json:"report_dir"`
	Log       string   `json:"log"`
	Dir       string   `json:"dir"` // working directory
}

// Entry is one scheduled run.
type Entry struct {
	Meta
	User    string // the user the command runs as (cron.d lines name it)
	Command string // the sh command line, unescaped
	// Line is the cron line as written (or read).
	Line string
	// Where is the file (cron.d) or "crontab of USER".
	Where string
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// ValidName checks an entry name: run-parts ignores cron.d files with
// other characters (a dot, notably), so only letters, digits, - and _.
func ValidName(name string) error {
	if !nameRE.MatchString(name) {
		return fmt.Errorf("entry name %q: use letters, digits, - and _ only (cron ignores cron.d files with other characters)", name)
	}
	return nil
}

// Every turns an interval into a schedule. It must divide an hour or a day
// evenly, so that runs are evenly spaced (cron restarts the count each hour
// or day); other schedules need --schedule.
func Every(d time.Duration) (string, error) {
	if d <= 0 || d%time.Minute != 0 {
		return "", fmt.Errorf("--every %s: want a whole number of minutes (e.g. 30m, 2h)", d)
	}
	m := int(d / time.Minute)
	switch {
	case m == 1:
		return "* * * * *", nil
	case m < 60 && 60%m == 0:
		return fmt.Sprintf("*/%d * * * *", m), nil
	case m == 60:
		return "0 * * * *", nil
	case m%60 == 0 && m < 24*60 && (24*60)%m == 0:
		return fmt.Sprintf("0 */%d * * *", m/60), nil
	case m == 24*60:
		return "0 0 * * *", nil
	}
	return "", fmt.Errorf("--every %s does not divide an hour or a day evenly: give a cron expression with --schedule", d)
}

var macros = map[string]bool{"@hourly": true, "@daily": true, "@midnight": true, "@weekly": true, "@monthly": true, "@yearly": true, "@annually": true}

type field struct {
	name     string
	min, max int
	names    []string // names for min, min+1, ...
}

var fields = []field{
	{name: "minute", min: 0, max: 59},
	{name: "hour", min: 0, max: 23},
	{name: "day of month", min: 1, max: 31},
	{name: "month", min: 1, max: 12, names: []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}},
	{name: "day of week", min: 0, max: 7, names: []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}},
}

// Validate checks a schedule as Debian's cron reads it: five fields
// (numbers, names, *, ranges, lists, steps) or a macro such as @hourly.
func Validate(expr string) error {
	f := strings.Fields(expr)
	if len(f) == 1 && macros[f[0]] {
		return nil
	}
	if len(f) == 1 && strings.HasPrefix(f[0], "@") {
		return fmt.Errorf("schedule %q: unknown macro (use @hourly, @daily, @weekly, @monthly or @yearly)", expr)
	}
	if len(f) != 5 {
		return fmt.Errorf("schedule %q: want 5 fields (minute hour day-of-month month day-of-week), got %d", expr, len(f))
	}
	for i, s := range f {
		if err := fields[i].check(s); err != nil {
			return fmt.Errorf("schedule %q: %s: %v", expr, fields[i].name, err)
		}
	}
	return nil
}

func (fd field) value(s string) (int, error) {
	for i, n := range fd.names {
		if strings.EqualFold(s, n) {
			return fd.min + i, nil
		}
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < fd.min || v > fd.max {
		return 0, fmt.Errorf("%q is not in %d-%d", s, fd.min, fd.max)
	}
	return v, nil
}

func (fd field) check(s string) error {
	for _, part := range strings.Split(s, ",") {
		rng, step, hasStep := strings.Cut(part, "/")
		if hasStep {
			n, err := strconv.Atoi(step)
			if err != nil || n < 1 || n > fd.max {
				return fmt.Errorf("step %q", step)
			}
		}
		if rng == "*" {
			continue
		}
		lo, hi, isRange := strings.Cut(rng, "-")
		a, err := fd.value(lo)
		if err != nil {
			return err
		}
		if isRange {
			b, err := fd.value(hi)
			if err != nil {
				return err
			}
			if b < a {
				return fmt.Errorf("range %q runs backwards", rng)
			}
		} else if hasStep {
			return fmt.Errorf("%q: a step needs * or a range", part)
		}
	}
	return nil
}

// escape makes a command line safe in a crontab: cron turns an unescaped %
// into a newline (and what follows into stdin).
func escape(cmd string) string { return strings.ReplaceAll(cmd, "%", `\%`) }

// ParseLine splits a cron line into schedule, user (cron.d lines) and the
// command as cron runs it: up to the first unescaped %, with \% made %.
func ParseLine(line string, withUser bool) (schedule, user, command string, err error) {
	rest := strings.TrimLeft(line, " \t")
	n := 5
	if strings.HasPrefix(rest, "@") {
		n = 1
	}
	if withUser {
		n++
	}
	var parts []string
	for range n {
		i := strings.IndexAny(rest, " \t")
		if i < 0 {
			return "", "", "", fmt.Errorf("cron line %q: too few fields", line)
		}
		parts = append(parts, rest[:i])
		rest = strings.TrimLeft(rest[i:], " \t")
	}
	if withUser {
		user = parts[len(parts)-1]
		parts = parts[:len(parts)-1]
	}
	schedule = strings.Join(parts, " ")
	if err := Validate(schedule); err != nil {
		return "", "", "", err
	}
	var b strings.Builder
	for i := 0; i < len(rest); i++ {
		switch {
		case rest[i] == '\\' && i+1 < len(rest) && rest[i+1] == '%':
			b.WriteByte('%')
			i++
		case rest[i] == '%':
			i = len(rest)
		default:
			b.WriteByte(rest[i])
		}
	}
	if strings.TrimSpace(b.String()) == "" {
		return "", "", "", fmt.Errorf("cron line %q: no command", line)
	}
	return schedule, user, b.String(), nil
}

const metaPrefix = "# tend-cron: "

func (e *Entry) metaLine() string {
	data, _ := json.Marshal(e.Meta)
	return metaPrefix + string(data)
}

// Target is where entries go: a cron.d directory, or (Dir empty) the
// user's crontab.
type Target struct {
	Dir string
	// Crontab is the crontab command (default "crontab").
	Crontab string
}

func (t Target) crontab() string {
	if t.Crontab != "" {
		return t.Crontab
	}
	return "crontab"
}

// Install writes e, replacing an entry of the same name. Schedule, User
// and Command must be set.
func (t Target) Install(e *Entry) error {
	if err := ValidName(e.Name); err != nil {
		return err
	}
	if err := Validate(e.Schedule); err != nil {
		return err
	}
	if strings.ContainsAny(e.Command, "\n\r") {
		return fmt.Errorf("the command line holds a newline, which cron cannot run")
	}
	if t.Dir != "" {
		e.Line = fmt.Sprintf("%s %s %s", e.Schedule, e.User, escape(e.Command))
		e.Where = filepath.Join(t.Dir, "tend-"+e.Name)
		text := fmt.Sprintf("# Written by `tend cron install %s`; `tend cron remove %s` deletes it.\n%s\nSHELL=/bin/sh\nPATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n%s\n",
			e.Name, e.Name, e.metaLine(), e.Line)
		return writeFile(e.Where, text)
	}
	e.Line = fmt.Sprintf("%s %s", e.Schedule, escape(e.Command))
	cur, err := t.readCrontab()
	if err != nil {
		return err
	}
	kept := removeBlock(cur, e.Name)
	block := fmt.Sprintf("# BEGIN tend-cron %s (tend cron remove %s deletes it)\n%s\n%s\n# END tend-cron %s\n", e.Name, e.Name, e.metaLine(), e.Line, e.Name)
	if kept != "" && !strings.HasSuffix(kept, "\n") {
		kept += "\n"
	}
	e.Where = "crontab"
	return t.writeCrontab(kept + block)
}

// writeFile writes a cron.d file: 0600, since the command line may carry
// -e values (cron ignores group- or world-writable files, and reads this
// one as root), through a temporary name with a dot, which cron skips.
func writeFile(path, text string) error { return privfile.Write(path, []byte(text)) }

func (t Target) readCrontab() (string, error) {
	cmd := exec.Command(t.crontab(), "-l")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee) && strings.Contains(errb.String(), "no crontab"):
		return "", nil
	case errors.Is(err, exec.ErrNotFound):
		return "", fmt.Errorf("no crontab command: install cron (apt-get install cron)")
	case err != nil:
		return "", fmt.Errorf("crontab -l: %v: %s", err, strings.TrimSpace(errb.String()))
	}
	return out.String(), nil
}

func (t Target) writeCrontab(text string) error {
	cmd := exec.Command(t.crontab(), "-")
	cmd.Stdin = strings.NewReader(text)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("crontab -: %v: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

// removeBlock drops the named entry's block from a crontab.
func removeBlock(text, name string) string {
	var out []string
	skip := false
	for _, l := range strings.SplitAfter(text, "\n") {
		switch {
		case strings.HasPrefix(l, "# BEGIN tend-cron "+name+" ") || strings.TrimSpace(l) == "# BEGIN tend-cron "+name:
			skip = true
			continue
		case skip && strings.TrimSpace(l) == "# END tend-cron "+name:
			skip = false
			continue
		}
		if !skip {
			out = append(out, l)
		}
	}
	return strings.Join(out, "")
}

// parse reads the entries of a cron.d file or crontab text: each is a meta
// line followed by its cron line.
func parse(text string, withUser bool, where string) []*Entry {
	var out []*Entry
	var cur *Entry
	for _, l := range strings.Split(text, "\n") {
		switch {
		case strings.HasPrefix(l, metaPrefix):
			cur = &Entry{Where: where}
			if json.Unmarshal([]byte(strings.TrimPrefix(l, metaPrefix)), &cur.Meta) != nil {
				cur = nil
			}
		case cur != nil && strings.TrimSpace(l) != "" && !strings.HasPrefix(strings.TrimSpace(l), "#") && !strings.Contains(strings.Fields(l)[0], "="):
			cur.Line = l
			cur.Schedule, cur.User, cur.Command, _ = ParseLine(l, withUser)
			out = append(out, cur)
			cur = nil
		}
	}
	return out
}

// List returns the entries tend installed, by name.
func (t Target) List() ([]*Entry, error) {
	var out []*Entry
	if t.Dir != "" {
		files, err := filepath.Glob(filepath.Join(t.Dir, "tend-*"))
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				return nil, err
			}
			out = append(out, parse(string(data), true, f)...)
		}
	} else {
		text, err := t.readCrontab()
		if err != nil {
			return nil, err
		}
		out = parse(text, false, "crontab")
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Remove deletes the named entry; false if there was none.
func (t Target) Remove(name string) (bool, error) {
	if err := ValidName(name); err != nil {
		return false, err
	}
	if t.Dir != "" {
		err := os.Remove(filepath.Join(t.Dir, "tend-"+name))
		if errors.Is(err, os.ErrNotExist) {
			return false, nil
		}
		return err == nil, err
	}
	text, err := t.readCrontab()
	if err != nil {
		return false, err
	}
	kept := removeBlock(text, name)
	if kept == text {
		return false, nil
	}
	return true, t.writeCrontab(kept)
}
