package modules

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"tend/modules/hostq"
)

// sysctl's questions: the live value is the key's file under /proc/sys
// (what `sysctl -e -n` prints, as Ansible reads it), then the file and
// whether there is a sysctl to run, as the probe prints them. A key
// written with slashes keeps the probe: sysctl's own reading of them
// (dots and slashes swapped) is not redone here.

// Questions asks what Probe prints (see Asker).
func (m sysctlModule) Questions(t *Task) ([]hostq.Question, error) {
	st, err := readSysctlTask(t.Args)
	if err != nil {
		return nil, err
	}
	live, ok := m.procFile(st.name)
	if !ok {
		return nil, nil
	}
	qs := []hostq.Question{
		hostq.Path{Path: live, Follow: true}, hostq.Content{Path: live},
		hostq.Path{Path: st.file, Follow: true}, hostq.Real{Path: st.file}, hostq.Content{Path: st.file},
	}
	if m.cmd != "" {
		return append(qs, hostq.Command{Name: m.cmd}), nil
	}
	// The probe looks on the PATH and in /usr/sbin and /sbin.
	return append(qs, hostq.Command{Name: "sysctl"}, hostq.Path{Path: "/usr/sbin/sysctl", Follow: true},
		hostq.Path{Path: "/sbin/sysctl", Follow: true}), nil
}

// procFile is the file of the key's live value, for a key of dotted
// words; ok is false for other keys.
func (m sysctlModule) procFile(name string) (string, bool) {
	for _, w := range strings.Split(name, ".") {
		if w == "" || w == ".." || strings.Trim(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != "" {
			return "", false
		}
	}
	root := m.procSys
	if root == "" {
		root = "/proc/sys"
	}
	return path.Join(root, strings.ReplaceAll(name, ".", "/")), true
}

// readAnswers reads the live value and the file from answers.
func (m sysctlModule) readAnswers(p *sysctlPlan, a hostq.Answers) error {
	p.answers = a
	if found, err := m.sysctlFound(a); err != nil {
		return err
	} else if !found {
		return errNoSysctl
	}
	p.procPath, _ = m.procFile(p.st.name)
	var err error
	if p.procInfo, err = a.Path(p.procPath, true); err != nil {
		return err
	}
	// sysctl -e -n prints nothing for a key the kernel lacks, or one it
	// may not read, and succeeds: Ansible then sees "".
	v := ""
	switch {
	case p.procInfo.Type == 'd':
		return errorf("%s is a folder of sysctl keys, not one key", p.st.name)
	case p.procInfo.Exists:
		if b, err := a.Content(p.procPath); err == nil {
			v = strings.TrimRight(string(b), "\n") // as $(...) strips them
		}
	}
	p.proc = &v
	if p.fi, err = a.Path(p.st.file, true); err != nil {
		return err
	}
	if p.real, err = a.Real(p.st.file); err != nil {
		return err
	} else if p.real == "" {
		p.real = p.st.file
	}
	if p.fi.Exists && p.fi.Type == '-' {
		c, err := a.Content(p.st.file)
		if errors.Is(err, hostq.ErrTooBig) {
			return fmt.Errorf("%s is bigger than tend reads (%d KiB)", p.st.file, hostq.ContentLimit>>10)
		} else if err != nil {
			return err
		}
		p.before = string(c)
	}
	return nil
}

// sysctlFound says whether a sysctl is there to run, as the probe's
// command -v with /usr/sbin and /sbin on the PATH.
func (m sysctlModule) sysctlFound(a hostq.Answers) (bool, error) {
	name := m.cmd
	if name == "" {
		name = "sysctl"
	}
	if ok, err := a.Command(name); err != nil || ok || m.cmd != "" {
		return ok, err
	}
	for _, p := range []string{"/usr/sbin/sysctl", "/sbin/sysctl"} {
		fi, err := a.Path(p, true)
		if err != nil {
			return false, err
		}
		if fi.Exists && fi.Type == '-' && fi.Perm&0o111 != 0 {
			return true, nil
		}
	}
	return false, nil
}

// effects is what the change leaves on the host, when planned from
// answers: the file written through its links, and the key's live value
// when it is set or the file reloaded with the key in it.
func (m sysctlModule) effects(p *sysctlPlan) []hostq.Effect {
	if p.answers == nil {
		return nil
	}
	var out []hostq.Effect
	if p.writeFile {
		w := hostq.WriteFile{Path: p.real, Data: []byte(p.after), Known: true, Perm: 0o644}
		if p.fi.Exists {
			w.Perm, w.Owner, w.Group = p.fi.Perm, p.fi.Owner, p.fi.Group
		}
		out = append(out, w)
	}
	if p.st.state == "present" && (p.setIt || p.st.reload) && p.procInfo.Exists {
		out = append(out, hostq.WriteFile{Path: p.procPath, Data: []byte(p.st.value + "\n"), Known: true,
			Perm: p.procInfo.Perm, Owner: p.procInfo.Owner, Group: p.procInfo.Group})
	}
	return out
}
