package debrepo

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBuildRepo builds a repository and reads it with the real apt-get,
// under a private state folder (this machine's sources and packages are
// left alone).
func TestBuildRepo(t *testing.T) {
	for _, tool := range []string{"dpkg-deb", "apt-get", "apt-cache"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skip(tool + " not here")
		}
	}
	tmp := t.TempDir()
	if err := os.Chmod(tmp, 0o755); err != nil { // apt's file method may read as _apt
		t.Fatal(err)
	}
	repo := filepath.Join(tmp, "repo")
	pkgs := []Pkg{
		{Name: "tend-a", Version: "1.0", Files: map[string]string{"/usr/share/tend-a/hello": "hello\n"}},
		{Name: "tend-b", Version: "1:2.0-1", Depends: "tend-a (>= 1.0)"},
	}
	if err := BuildRepo(repo, pkgs); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("dpkg-deb", "-f", filepath.Join(repo, pkgs[1].DebName()), "Package", "Version", "Depends").Output()
	if err != nil || string(out) != "Package: tend-b\nVersion: 1:2.0-1\nDepends: tend-a (>= 1.0)\n" {
		t.Fatalf("dpkg-deb -f: %q %v", out, err)
	}
	out, err = exec.Command("dpkg-deb", "-c", filepath.Join(repo, pkgs[0].DebName())).Output()
	if err != nil || !strings.Contains(string(out), "./usr/share/tend-a/hello") || !strings.Contains(string(out), "root/root") {
		t.Fatalf("dpkg-deb -c: %s %v", out, err)
	}

	state := filepath.Join(tmp, "state")
	for _, d := range []string{"lists/partial", "cache/archives/partial", "parts", "prefs"} {
		if err := os.MkdirAll(filepath.Join(state, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	src := filepath.Join(state, "sources.list")
	if err := os.WriteFile(src, []byte("deb [trusted=yes] file:"+repo+" ./\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	status := filepath.Join(state, "status")
	if err := os.WriteFile(status, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	opts := []string{
		"-o", "Dir::Etc::SourceList=" + src,
		"-o", "Dir::Etc::SourceParts=" + filepath.Join(state, "parts"),
		"-o", "Dir::Etc::PreferencesParts=" + filepath.Join(state, "prefs"),
		"-o", "Dir::State::Lists=" + filepath.Join(state, "lists"),
		"-o", "Dir::State::status=" + status,
		"-o", "Dir::Cache=" + filepath.Join(state, "cache"),
		"-o", "Debug::NoLocking=1",
		"-o", "APT::Sandbox::User=" + map[bool]string{true: "root", false: os.Getenv("USER")}[os.Geteuid() == 0],
	}
	apt := func(tool string, args ...string) string {
		t.Helper()
		cmd := exec.Command(tool, append(append([]string{}, opts...), args...)...)
		cmd.Env = append(os.Environ(), "LC_ALL=C")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %v: %v\n%s", tool, args, err, out)
		}
		return string(out)
	}
	if out := apt("apt-get", "update"); strings.Contains(out, "W: ") || strings.Contains(out, "E: ") {
		t.Errorf("apt-get update complained:\n%s", out)
	}
	if out := apt("apt-cache", "policy", "tend-b"); !strings.Contains(out, "Candidate: 1:2.0-1") {
		t.Errorf("policy:\n%s", out)
	}
	sim := apt("apt-get", "-s", "install", "tend-b")
	if !strings.Contains(sim, "Inst tend-a (1.0 ") || !strings.Contains(sim, "Inst tend-b (1:2.0-1 ") {
		t.Errorf("install -s:\n%s", sim)
	}
}

func TestBuildRepoRefusesBadNames(t *testing.T) {
	for _, p := range []Pkg{{Name: "Bad_Name", Version: "1"}, {Name: "ok", Version: "x y"}, {Name: "ok", Version: "1", Files: map[string]string{"rel": ""}}} {
		if err := BuildRepo(t.TempDir(), []Pkg{p}); err == nil {
			t.Errorf("%+v: no error", p)
		}
	}
}
