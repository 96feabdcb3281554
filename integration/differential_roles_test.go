package integration

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"tend/integration/fleet"
)

// rolesDiff is a differential test over a fixture tree (a playbook with its
// roles, files and templates) under testdata/roles: Ansible converges one
// set of fresh fleet hosts, tend their twins, and the end states must match,
// host by host and on the controller, where each tool works in its own copy
// of the tree (delegate_to localhost and lookups write there). tend's second
// converge must then change nothing.
type rolesDiff struct {
	fixture string   // folder under testdata/roles, holding site.yml
	hosts   []string // inventory names, all in group "web" (default: twin)
	// setup runs on every host (both tools') before the runs.
	setup string
	// files are more files for the tree, made by the test (a tarball).
	files map[string][]byte
	// vars are extra vars for both tools; ctl_dir, the controller-side
	// folder inside each tool's own tree, is added.
	vars map[string]string
	env  []string // more environment for both tools
	// state describes a host (the compared part of it); its keys are
	// compared between the twins.
	state func(h *fleet.Host) map[string]string
}

func (d rolesDiff) run(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("ansible-playbook"); err != nil {
		t.Fatal("ansible-playbook not found: apt-get install ansible-core ansible (.ci/run does)")
	}
	if len(d.hosts) == 0 {
		d.hosts = []string{"twin"}
	}
	f := startFleet(t, 2*len(d.hosts))
	if d.setup != "" {
		if r := tend(t, nil, "exec", "-i", f.Inventory, "--known-hosts", f.KnownHosts, "all", "--", d.setup); r.code != 0 {
			t.Fatalf("setup: %v", r)
		}
	}
	base := t.TempDir()
	trees := map[string]string{}
	for _, tool := range []string{"ansible", "tend"} {
		tree := filepath.Join(base, tool)
		copyTree(t, filepath.Join("testdata", "roles", d.fixture), tree)
		for name, data := range d.files {
			p := filepath.Join(tree, name)
			os.MkdirAll(filepath.Dir(p), 0o755)
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.MkdirAll(filepath.Join(tree, "ctl"), 0o755); err != nil {
			t.Fatal(err)
		}
		trees[tool] = tree
	}
	// The same inventory names for both tools, so that templates and
	// run_once pick alike; Ansible's hosts first, then tend's.
	inventory := func(tool string, hosts []*fleet.Host) string {
		var b strings.Builder
		b.WriteString("[web]\n")
		for i, h := range hosts {
			fmt.Fprintf(&b, "%s ansible_host=127.0.0.1 ansible_port=%d ansible_user=root ansible_ssh_private_key_file=%s "+
				"ansible_ssh_common_args='-o UserKnownHostsFile=%s' ansible_python_interpreter=/usr/bin/python3\n",
				d.hosts[i], h.Port, f.ClientKey, f.KnownHosts)
		}
		p := filepath.Join(base, "inv-"+tool)
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	n := len(d.hosts)
	ansibleHosts, tendHosts := f.Hosts[:n], f.Hosts[n:]
	extra := func(tool string) []string {
		vars := map[string]string{"ctl_dir": filepath.Join(trees[tool], "ctl")}
		for k, v := range d.vars {
			vars[k] = v
		}
		data, _ := json.Marshal(vars)
		return []string{"-e", string(data)}
	}

	ansible := exec.Command("ansible-playbook", append([]string{"-i", inventory("ansible", ansibleHosts)}, append(extra("ansible"), "site.yml")...)...)
	ansible.Dir = trees["ansible"]
	ansible.Env = append(os.Environ(), "ANSIBLE_HOST_KEY_CHECKING=True", "ANSIBLE_PIPELINING=True", "ANSIBLE_NOCOLOR=1",
		"ANSIBLE_LOCAL_TEMP="+filepath.Join(base, "ansible-tmp"), "HOME="+base)
	ansible.Env = append(ansible.Env, d.env...)
	start := time.Now()
	out, err := ansible.CombinedOutput()
	t.Logf("ansible-playbook took %v", time.Since(start).Round(time.Millisecond))
	if err != nil {
		t.Fatalf("ansible-playbook: %v\n%s", err, out)
	}
	if testing.Verbose() {
		t.Logf("ansible-playbook:\n%s", out)
	}

	tendInv := inventory("tend", tendHosts)
	conv := func(args ...string) (result, []event) {
		all := append([]string{"converge", "-i", tendInv, "--known-hosts", f.KnownHosts, "--format", "json"}, extra("tend")...)
		return tendIn(t, trees["tend"], d.env, append(append(all, args...), "site.yml")...)
	}
	start = time.Now()
	r, _ := conv()
	t.Logf("tend took %v", time.Since(start).Round(time.Millisecond))
	if r.code != 0 { // the states still say how far it got
		t.Errorf("tend: %v", r)
	} else if r.stderr != "" {
		t.Logf("tend's stderr:\n%s", r.stderr)
	}

	var diffs []string
	for i := range d.hosts {
		diffs = append(diffs, compareStates(d.hosts[i], d.state(ansibleHosts[i]), d.state(tendHosts[i]))...)
	}
	diffs = append(diffs, compareStates("controller", localState(t, filepath.Join(trees["ansible"], "ctl")),
		localState(t, filepath.Join(trees["tend"], "ctl")))...)
	if len(diffs) > 0 {
		t.Errorf("end states differ:\n%s", strings.Join(diffs, "\n"))
	}

	if t.Failed() && r.code != 0 {
		return
	}
	r, second := conv("--detailed-exitcode")
	var changed []string
	for _, h := range d.hosts {
		for _, c := range changedTasks(second, h) {
			changed = append(changed, h+": "+c)
		}
	}
	if r.code != 0 || len(changed) > 0 {
		t.Errorf("tend's second converge is not a no-op (exit %d): changed %v\n%v", r.code, changed, r)
	}
}

// tendIn runs tend in dir (where ./ansible.cfg is read, as ansible-playbook
// does) and returns the result and its task events.
func tendIn(t *testing.T, dir string, env []string, args ...string) (result, []event) {
	t.Helper()
	cmd := exec.Command(tendBin, args...)
	cmd.Dir = dir
	cmd.Env = append([]string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH"), "NO_COLOR=1"}, env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	r := result{stdout: o.String(), stderr: e.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running tend: %v", err)
	}
	var events []event
	sc := bufio.NewScanner(strings.NewReader(r.stdout))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var ev event
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("bad JSON event %q: %v", sc.Text(), err)
		}
		if ev.Kind == "task" {
			events = append(events, ev)
		}
	}
	return r, events
}

// compareStates lists the differences between Ansible's state a and
// tend's b, prefixed with where.
func compareStates(where string, a, b map[string]string) []string {
	var diffs []string
	if len(a) == 0 {
		diffs = append(diffs, where+": Ansible left no state to compare")
	}
	for p, want := range a {
		if got, ok := b[p]; !ok || got != want {
			diffs = append(diffs, fmt.Sprintf("%s %s:\n  ansible: %s\n  tend:    %s", where, p, want, got))
		}
	}
	for p, got := range b {
		if _, ok := a[p]; !ok {
			diffs = append(diffs, fmt.Sprintf("%s %s: only tend made it: %s", where, p, got))
		}
	}
	sort.Strings(diffs)
	return diffs
}

// localState describes every path under root on this machine as endState
// does on a host, named relative to root.
func localState(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		st, err := os.Lstat(p)
		if err != nil {
			return err
		}
		sys := st.Sys().(*syscall.Stat_t)
		desc := fmt.Sprintf("%s uid=%d gid=%d", st.Mode(), sys.Uid, sys.Gid)
		switch {
		case st.Mode()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			desc += " -> " + target
		case st.Mode().IsRegular():
			data, _ := os.ReadFile(p)
			desc += fmt.Sprintf(" %q", data)
		}
		rel, _ := filepath.Rel(root, p)
		out["ctl/"+rel] = desc
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// copyTree copies the fixture folder src to dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if de.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// statesUnder joins endState of each root on h.
func statesUnder(t *testing.T, h *fleet.Host, roots ...string) map[string]string {
	out := map[string]string{}
	for _, root := range roots {
		for k, v := range endState(t, h, root) {
			out[k] = v
		}
	}
	return out
}

// TestDifferentialRolesWebapp: a geerlingguy-style role (OS-specific vars
// found by with_first_found, setup-{{ ansible_os_family }}.yml, defaults,
// vars/main.yml, set_fact when not defined, handlers by name and listen, a
// meta dependency with params, until/retries) and the ways a play reuses
// roles (import_role tasks_from, include_role in a loop, with apply, private
// and public); a role found through ansible.cfg's roles_path and a role of a
// collection beside the playbook; what the roles leave visible to the play.
func TestDifferentialRolesWebapp(t *testing.T) {
	rolesDiff{
		fixture: "webapp",
		state:   func(h *fleet.Host) map[string]string { return statesUnder(t, h, "/srv/roles") },
	}.run(t)
}

// TestDifferentialRolesControl: on two hosts, run_once (its registered
// result shared), delegate_to localhost (compared on the controller, where
// each tool writes in its own folder) and to the other host, environment
// from play, block and task into shell, with_dict, with_subelements,
// with_nested, with_fileglob, loop_control extended, templated
// ignore_errors, include_tasks in a loop, and a role's lookups.
func TestDifferentialRolesControl(t *testing.T) {
	rolesDiff{
		fixture: "control",
		hosts:   []string{"web1", "web2"},
		env:     []string{"DIFF_ROLES_ENV=hello env"},
		state:   func(h *fleet.Host) map[string]string { return statesUnder(t, h, "/srv/ctl") },
	}.run(t)
}

// differentialModulesSetup gives both twins a user and files to edit.
const differentialModulesSetup = `useradd -m -s /bin/sh deploy && mkdir -p /srv/mods/sysctl.d /home/deploy/.ssh &&
printf 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDold old@host\n# keep this comment\n' > /home/deploy/.ssh/authorized_keys &&
chown -R deploy:deploy /home/deploy/.ssh && chmod 700 /home/deploy/.ssh && chmod 600 /home/deploy/.ssh/authorized_keys &&
printf 'user www\nlisten   80\n# begin\nhost localhost\n# end\nfallback localhost\n' > /srv/mods/app.conf &&
printf '127.0.0.1 localhost\n10.0.0.1   old.example.com old\n10.0.0.2 old.example.com\n' > /srv/mods/hosts &&
printf '[old]\nx = 1\n\n[server]\ndebug = true\nport=80\n' > /srv/mods/app.ini &&
printf 'tend.diff.old = 1\ntend.diff.swappiness=60\n' > /srv/mods/sysctl.d/99-tend.conf`

// TestDifferentialRolesModules: get_url from a web server on this machine
// (the fleet hosts share its network), unarchive of a tarball and a zip sent
// from the controller, replace, ini_file, authorized_key, sysctl into a file
// (sysctl_set and reload off: the hosts share this machine's kernel) and
// getent, from a role, registered values written out.
func TestDifferentialRolesModules(t *testing.T) {
	served := map[string]string{
		"/files/hello.txt": "hello from the web server\n",
		"/files/tool.sh":   "#!/bin/sh\necho tool\n",
		"/files/other.txt": "other\n",
	}
	sum := sha256.Sum256([]byte(served["/files/tool.sh"]))
	served["/files/SHA256SUMS"] = fmt.Sprintf("%x  tool.sh\n%x  hello.txt\n", sum, sha256.Sum256([]byte(served["/files/hello.txt"])))
	modTime := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := served[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		http.ServeContent(w, r, path.Base(r.URL.Path), modTime, strings.NewReader(body))
	}))
	defer srv.Close()

	rolesDiff{
		fixture: "modules",
		setup:   differentialModulesSetup,
		files: map[string][]byte{
			"roles/server/files/app.tar.gz": testTarball(t, modTime),
			"roles/server/files/data.zip":   testZip(t, modTime),
		},
		vars: map[string]string{"dl_url": srv.URL},
		state: func(h *fleet.Host) map[string]string {
			return statesUnder(t, h, "/srv/mods", "/home/deploy/.ssh")
		},
	}.run(t)
}

// testTarball is app/ with a script, a config, a private file and a
// symbolic link, as a release tarball holds.
func testTarball(t *testing.T, mtime time.Time) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	entries := []tar.Header{
		{Name: "app/", Typeflag: tar.TypeDir, Mode: 0o755},
		{Name: "app/bin/", Typeflag: tar.TypeDir, Mode: 0o755},
		{Name: "app/bin/run.sh", Typeflag: tar.TypeReg, Mode: 0o755},
		{Name: "app/etc/", Typeflag: tar.TypeDir, Mode: 0o750},
		{Name: "app/etc/app.conf", Typeflag: tar.TypeReg, Mode: 0o644},
		{Name: "app/etc/secret", Typeflag: tar.TypeReg, Mode: 0o600},
		{Name: "app/current", Typeflag: tar.TypeSymlink, Linkname: "bin/run.sh", Mode: 0o777},
	}
	for _, h := range entries {
		h.ModTime, h.Uname, h.Gname, h.Format = mtime, "root", "root", tar.FormatGNU
		body := ""
		if h.Typeflag == tar.TypeReg {
			body = "content of " + h.Name + "\n"
			h.Size = int64(len(body))
		}
		if err := tw.WriteHeader(&h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// testZip is a small zip with a folder and files of two modes.
func testZip(t *testing.T, mtime time.Time) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range []struct {
		name string
		mode fs.FileMode
	}{{"data/", fs.ModeDir | 0o755}, {"data/a.csv", 0o644}, {"data/run", 0o755}} {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate, Modified: mtime}
		h.SetMode(e.mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if !e.mode.IsDir() {
			fmt.Fprintf(w, "content of %s\n", e.name)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
