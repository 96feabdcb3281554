package modules

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// fileServer serves a few files on 127.0.0.1 and counts the requests for
// each path.
type fileServer struct {
	*httptest.Server
	mu   sync.Mutex
	hits map[string]int
}

const (
	gotContent = "payload $(id) `id`\n\x00binary\n"
	gotUser    = "bob"
	gotPass    = "s3cr3t 'quote\" $x"
)

func newFileServer(t *testing.T) *fileServer {
	fs := &fileServer{hits: map[string]int{}}
	sum := sha256.Sum256([]byte(gotContent))
	fs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fs.mu.Lock()
		fs.hits[r.URL.Path]++
		fs.mu.Unlock()
		switch r.URL.Path {
		case "/dir/file.bin":
			w.Write([]byte(gotContent))
		case "/sums.txt":
			fmt.Fprintf(w, "0000  other.bin\n%s *file.bin\n", hex.EncodeToString(sum[:]))
		case "/auth/file.bin":
			u, p, ok := r.BasicAuth()
			if !ok || u != gotUser || p != gotPass || r.Header.Get("X-Token") != "t 1" {
				w.Header().Set("WWW-Authenticate", `Basic realm="x"`)
				http.Error(w, "no", http.StatusUnauthorized)
				return
			}
			w.Write([]byte(gotContent))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(fs.Close)
	return fs
}

func (fs *fileServer) count(p string) int {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.hits[p]
}

// downloadShells are the shells with each download tool: dash with
// curl, busybox with its wget, and busybox with GNU wget when there is one.
func downloadShells(t *testing.T) []testShell {
	all := shells(t)
	out := []testShell{all[0], all[1]}
	if _, err := exec.LookPath("curl"); err != nil {
		t.Fatal("curl not found: apt-get install curl")
	}
	if w, err := exec.LookPath("wget"); err == nil {
		dir := t.TempDir()
		if err := os.Symlink(w, filepath.Join(dir, "wget")); err != nil {
			t.Fatal(err)
		}
		// dash: busybox sh would run its own wget applet first.
		bb := all[1].env[len(all[1].env)-1]
		gw := testShell{name: "gnu-wget", argv: []string{"dash"}, env: append(append([]string{}, all[1].env[:len(all[1].env)-1]...), "PATH="+dir+":"+strings.TrimPrefix(bb, "PATH="))}
		out = append(out, gw)
	}
	return out
}

func TestGetURLDownloads(t *testing.T) {
	t.Parallel()
	srv := newFileServer(t)
	sum := sha256.Sum256([]byte(gotContent))
	sha := hex.EncodeToString(sum[:])
	s1 := sha1.Sum([]byte(gotContent))
	for _, sh := range matrixOf(t, downloadShells(t)) {
		t.Run(sh.name, func(t *testing.T) {
			dir := hostileDir(t)
			dest := filepath.Join(dir, "out file")
			// Missing: downloaded, then kept without asking the server.
			m, task := mkTask(t, "get_url", map[string]any{"url": srv.URL + "/dir/file.bin", "dest": dest, "mode": "0640"})
			before := srv.count("/dir/file.bin")
			ch, res := converge(t, sh, m, task)
			if !hasDiff(ch, "state", "absent", "file") {
				t.Errorf("diffs %v", ch.Diffs)
			}
			if readFile(t, dest) != gotContent {
				t.Fatalf("content %q", readFile(t, dest))
			}
			wantMode(t, dest, 0o640)
			if res["changed"] != true || res["status_code"] != 200 || res["checksum_src"] != hex.EncodeToString(s1[:]) || res["dest"] != dest || res["checksum_dest"] != nil {
				t.Errorf("result %v", res)
			}
			if m5 := md5.Sum([]byte(gotContent)); res["md5sum"] != hex.EncodeToString(m5[:]) {
				t.Errorf("md5sum %v", res["md5sum"])
			}
			if src, _ := res["src"].(string); filepath.Dir(src) != dir {
				t.Errorf("src %v", res["src"])
			}
			wantPathInfo(t, res, dest)
			// converge ran the Apply twice: two downloads, no more.
			if n := srv.count("/dir/file.bin") - before; n != 2 {
				t.Errorf("%d downloads", n)
			}
			noLeftovers(t, dir)

			// A checksum that dest matches: nothing downloaded.
			before = srv.count("/dir/file.bin")
			m, task = mkTask(t, "get_url", map[string]any{"url": srv.URL + "/dir/file.bin", "dest": dest, "checksum": "sha256:" + strings.ToUpper(sha)})
			r := settled(t, sh, m, task)
			if r["msg"] != "file already exists" || r["md5sum"] != nil {
				t.Errorf("report %v", r)
			}
			wantPathInfo(t, r, dest)
			if srv.count("/dir/file.bin") != before {
				t.Error("downloaded although the checksum matched")
			}

			// A checksum dest does not match: downloaded again.
			writeFile(t, dest, "old\n", 0o600)
			ch, _ = converge(t, sh, m, task)
			if !hasDiff(ch, "checksum", "sha256:"+sha256hex("old\n"), "sha256:"+sha) {
				t.Errorf("diffs %v", ch.Diffs)
			}
			if readFile(t, dest) != gotContent {
				t.Error("not replaced")
			}
			wantMode(t, dest, 0o600) // the mode dest had

			// A checksum file, into a folder.
			os.Remove(dest)
			m, task = mkTask(t, "get_url", map[string]any{"url": srv.URL + "/dir/file.bin", "dest": dir + "/", "checksum": "sha256:" + srv.URL + "/sums.txt"})
			_, res = converge(t, sh, m, task)
			if readFile(t, dir+"/file.bin") != gotContent || res["dest"] != dir+"/file.bin" {
				t.Errorf("result %v", res)
			}
			noLeftovers(t, dir)
		})
	}
}

func sha256hex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func TestGetURLForce(t *testing.T) {
	t.Parallel()
	srv := newFileServer(t)
	sh := shells(t)[0]
	dir := hostileDir(t)
	dest := dir + "/f"
	writeFile(t, dest, gotContent, 0o644)
	m, task := mkTask(t, "get_url", map[string]any{"url": srv.URL + "/dir/file.bin", "dest": dest, "force": true})
	ch, _, err := probePlan(t, sh, m, task)
	if err != nil || ch == nil || !ch.CheckUnknown {
		t.Fatalf("plan %v %v", ch, err)
	}
	out := sh.run(t, ch.Apply)
	res, err := ch.Result(out)
	if err != nil || res["changed"] != false || out.ExitCode != 0 {
		t.Fatalf("same bytes: %v %v %s", res, err, out.Stderr)
	}
	writeFile(t, dest, "other", 0o644)
	out = sh.run(t, ch.Apply)
	if res, _ = ch.Result(out); res["changed"] != true || readFile(t, dest) != gotContent {
		t.Fatalf("different bytes: %v %s", res, out.Stderr)
	}
	noLeftovers(t, dir)
}

func TestGetURLFailures(t *testing.T) {
	t.Parallel()
	srv := newFileServer(t)
	for _, sh := range matrixOf(t, downloadShells(t)) {
		dir := hostileDir(t)
		dest := dir + "/f"
		m, task := mkTask(t, "get_url", map[string]any{"url": srv.URL + "/missing", "dest": dest})
		ch, _, err := probePlan(t, sh, m, task)
		if err != nil {
			t.Fatal(err)
		}
		res, err := ch.Result(sh.run(t, ch.Apply))
		if err != nil || res["failed"] != true || res["status_code"] != 404 || !strings.Contains(res["msg"].(string), "Request failed") {
			t.Errorf("%s: 404: %v %v", sh.name, res, err)
		}
		if _, err := os.Stat(dest); err == nil {
			t.Errorf("%s: dest made", sh.name)
		}
		noLeftovers(t, dir)

		// A wrong checksum: dest is left alone.
		writeFile(t, dest, "old", 0o644)
		m, task = mkTask(t, "get_url", map[string]any{"url": srv.URL + "/dir/file.bin", "dest": dest, "checksum": "sha1:" + strings.Repeat("ab", 20)})
		ch, _, _ = probePlan(t, sh, m, task)
		res, _ = ch.Result(sh.run(t, ch.Apply))
		if res["failed"] != true || !strings.Contains(res["msg"].(string), "did not match") || readFile(t, dest) != "old" {
			t.Errorf("%s: checksum: %v", sh.name, res)
		}
		noLeftovers(t, dir)

		m, task = mkTask(t, "get_url", map[string]any{"url": srv.URL + "/dir/file.bin", "dest": dir + "/nope/f"})
		planErr(t, sh, m, task, "Destination "+dir+"/nope does not exist")
		m, task = mkTask(t, "get_url", map[string]any{"url": srv.URL + "/dir/file.bin", "dest": dest, "checksum": "sha256:" + srv.URL + "/missing"})
		planErr(t, sh, m, task, "could not download the checksum file")
		m, task = mkTask(t, "get_url", map[string]any{"url": srv.URL + "/none.bin", "dest": dest, "checksum": "sha256:" + srv.URL + "/sums.txt"})
		planErr(t, sh, m, task, "Unable to find a checksum for file 'none.bin'")
	}
	sh := shells(t)[0]
	nothing := sh
	nothing.env = append(append([]string{}, nothing.env...), "PATH=/nonexistent")
	for _, c := range []struct {
		args map[string]any
		want string
	}{
		{map[string]any{"checksum": "sha256"}, "has to be in format <algorithm>:<checksum>"},
		{map[string]any{"checksum": "sha256:xyz"}, "The checksum format is invalid"},
		{map[string]any{"checksum": "crc:00"}, "unsupported algorithm"},
		{map[string]any{"use_gssapi": true}, "use_gssapi is not supported"},
		{map[string]any{"url": "gopher://x/y"}, "only http, https, ftp and file"},
		{map[string]any{"headers": map[string]any{"A": "b\nEvil: 1"}}, "not a valid header"},
	} {
		args := map[string]any{"url": srv.URL + "/dir/file.bin", "dest": "/tmp/x"}
		for k, v := range c.args {
			args[k] = v
		}
		m, task := mkTask(t, "get_url", args)
		if _, err := m.Probe(task); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.args, err, c.want)
		}
	}
	_ = nothing
}

// heredocBody matches the here-documents the scripts feed secrets through.
var heredocBody = regexp.MustCompile(`(?s)<<'(TEND_EOF_[0-9a-f]+)'.*?\n(TEND_EOF_[0-9a-f]+)\n`)

func TestGetURLCredentials(t *testing.T) {
	t.Parallel()
	srv := newFileServer(t)
	for _, sh := range matrixOf(t, downloadShells(t)) {
		dir := hostileDir(t)
		dest := dir + "/f"
		args := map[string]any{"url": srv.URL + "/auth/file.bin", "dest": dest, "url_username": gotUser, "url_password": gotPass, "headers": map[string]any{"X-Token": "t 1"}}
		m, task := mkTask(t, "get_url", args)
		if sh.name == "busybox" {
			planErr(t, sh, m, task, "need curl or GNU wget")
			continue
		}
		ch, _ := converge(t, sh, m, task)
		if readFile(t, dest) != gotContent {
			t.Errorf("%s: content %q", sh.name, readFile(t, dest))
		}
		// The password is in here-documents only: never a command's argument.
		if rest := heredocBody.ReplaceAllString(ch.Apply, ""); strings.Contains(rest, "s3cr3t") {
			t.Errorf("%s: the password is outside a here-document", sh.name)
		}
		for _, d := range ch.Diffs {
			if strings.Contains(d.Before+d.After, "s3cr3t") {
				t.Errorf("%s: the password is in a diff", sh.name)
			}
		}
		noLeftovers(t, dir)
	}
}
