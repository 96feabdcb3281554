package modules

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// curlShells are dash, and busybox sh with curl added to its PATH.
func curlShells(t *testing.T) []testShell {
	all := shells(t)
	c, err := exec.LookPath("curl")
	if err != nil {
		t.Fatal("curl not found: apt-get install curl")
	}
	dir := t.TempDir()
	if err := os.Symlink(c, filepath.Join(dir, "curl")); err != nil {
		t.Fatal(err)
	}
	bb := all[1]
	env := append([]string{}, bb.env[:len(bb.env)-1]...)
	env = append(env, "PATH="+dir+":"+strings.TrimPrefix(bb.env[len(bb.env)-1], "PATH="))
	return []testShell{all[0], {name: "busybox+curl", argv: bb.argv, env: env}}
}

type uriServer struct {
	*httptest.Server
	mu   sync.Mutex
	last *http.Request
	body string
}

func newURIServer(t *testing.T) *uriServer {
	s := &uriServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.last, s.body = r, string(b)
		s.mu.Unlock()
		switch r.URL.Path {
		case "/json":
			w.Header().Set("Content-Type", "application/vnd.api+json; charset=utf-8")
			w.Header().Add("X-Multi", "a")
			w.Header().Add("X-Multi", "b")
			http.SetCookie(w, &http.Cookie{Name: "sid", Value: "42"})
			fmt.Fprint(w, `{"a": [1, 2.5, "x"], "b": null}`)
		case "/post":
			u, p, ok := r.BasicAuth()
			if !ok || u != gotUser || p != gotPass {
				w.Header().Set("WWW-Authenticate", `Basic realm="x"`)
				http.Error(w, "who are you", http.StatusUnauthorized)
				return
			}
			w.Header().Set("Location", "/things/1")
			w.WriteHeader(http.StatusCreated)
			fmt.Fprintf(w, "%s %s %s", r.Method, r.Header.Get("Content-Type"), b)
		case "/redirect":
			http.Redirect(w, r, "/json", http.StatusFound)
		case "/file":
			fmt.Fprint(w, gotContent)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *uriServer) seen() (*http.Request, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last, s.body
}

// uriRun probes, plans and applies a uri task, and returns its result.
func uriRun(t *testing.T, sh testShell, raw map[string]any) (*Change, Result) {
	t.Helper()
	m, task := mkTask(t, "uri", raw)
	ch, _, err := probePlan(t, sh, m, task)
	if err != nil {
		t.Fatalf("%s: plan: %v", sh.name, err)
	}
	if ch == nil || !ch.CheckUnknown {
		t.Fatalf("%s: change %v: want a request, unknown in check mode", sh.name, ch)
	}
	out := sh.run(t, ch.Apply)
	res, err := ch.Result(out)
	if err != nil {
		t.Fatalf("%s: result: %v\n%s", sh.name, err, out.Stdout)
	}
	return ch, res
}

func TestURI(t *testing.T) {
	t.Parallel()
	srv := newURIServer(t)
	for _, sh := range matrixOf(t, curlShells(t)) {
		t.Run(sh.name, func(t *testing.T) {
			_, res := uriRun(t, sh, map[string]any{"url": srv.URL + "/json"})
			js, _ := json.Marshal(res["json"])
			if res["status"] != 200 || res["changed"] != false || res["failed"] != nil || string(js) != `{"a":[1,2.5,"x"],"b":null}` ||
				res["x_multi"] != "a, b" || res["content_type"] != "application/vnd.api+json; charset=utf-8" ||
				res["redirected"] != false || res["url"] != srv.URL+"/json" || res["msg"] != "OK (31 bytes)" || res["content"] != nil {
				t.Errorf("result %v", res)
			}
			if c, _ := res["cookies"].(map[string]any); c["sid"] != "42" || res["cookies_string"] != "sid=42" {
				t.Errorf("cookies %v %v", res["cookies"], res["cookies_string"])
			}

			// POST with JSON, credentials and another status.
			_, res = uriRun(t, sh, map[string]any{"url": srv.URL + "/post", "method": "post", "body_format": "json",
				"body": map[string]any{"name": "é x", "n": 1}, "url_username": gotUser, "url_password": gotPass,
				"force_basic_auth": true, "status_code": []any{201, "200"}, "return_content": true})
			if res["status"] != 201 || res["content"] != `POST application/json {"n": 1, "name": "\u00e9 x"}` || res["location"] != srv.URL+"/things/1" {
				t.Errorf("result %v", res)
			}
			// Without force_basic_auth the credentials go when asked for.
			_, res = uriRun(t, sh, map[string]any{"url": srv.URL + "/post", "method": "PUT", "body_format": "form-urlencoded",
				"body": map[string]any{"a": "1 2", "b": []any{"x", "y&"}}, "user": gotUser, "password": gotPass, "status_code": 201})
			if r, body := srv.seen(); res["status"] != 201 || r.Method != "PUT" || body != "a=1+2&b=x&b=y%26" || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
				t.Errorf("result %v, %s %q", res, r.Method, body)
			}

			_, res = uriRun(t, sh, map[string]any{"url": srv.URL + "/json", "method": "HEAD", "return_content": true})
			if r, _ := srv.seen(); res["status"] != 200 || r.Method != "HEAD" || res["content"] != "" {
				t.Errorf("HEAD: result %v", res)
			}
			// A status not in status_code fails, with the body.
			_, res = uriRun(t, sh, map[string]any{"url": srv.URL + "/nothing"})
			if res["failed"] != true || res["status"] != 404 || res["msg"] != "Status code was 404 and not [200]: HTTP Error 404: Not Found" {
				t.Errorf("result %v", res)
			}
			// Redirects: followed for GET (safe), not for POST.
			_, res = uriRun(t, sh, map[string]any{"url": srv.URL + "/redirect"})
			if res["status"] != 200 || res["redirected"] != true || res["url"] != srv.URL+"/json" {
				t.Errorf("result %v", res)
			}
			_, res = uriRun(t, sh, map[string]any{"url": srv.URL + "/redirect", "method": "POST", "status_code": 302})
			if res["status"] != 302 || res["redirected"] != false || res["location"] != srv.URL+"/json" || res["msg"] != "HTTP Error 302: Found" {
				t.Errorf("result %v", res)
			}
			// Nobody listening.
			_, res = uriRun(t, sh, map[string]any{"url": "http://127.0.0.1:1/", "timeout": 2})
			if res["failed"] != true || res["status"] != -1 || !strings.Contains(res["msg"].(string), "Status code was -1 and not [200]: Request failed: curl: (7)") {
				t.Errorf("result %v", res)
			}

			// dest: written when the bytes differ, with If-Modified-Since
			// once it is a file.
			dir := hostileDir(t)
			dest := filepath.Join(dir, "got")
			raw := map[string]any{"url": srv.URL + "/file", "dest": dest, "mode": "0600"}
			_, res = uriRun(t, sh, raw)
			if readFile(t, dest) != gotContent || res["changed"] != true || res["path"] != dest {
				t.Fatalf("result %v", res)
			}
			wantMode(t, dest, 0o600)
			_, res = uriRun(t, sh, raw)
			if r, _ := srv.seen(); res["changed"] != false || r.Header.Get("If-Modified-Since") == "" {
				t.Errorf("result %v, headers %v", res, r.Header)
			}
			noLeftovers(t, dir)

			// creates: nothing sent.
			m, task := mkTask(t, "uri", map[string]any{"url": srv.URL + "/json", "creates": dest})
			if r := settled(t, sh, m, task); r["stdout"] != "skipped, since '"+dest+"' exists" {
				t.Errorf("report %v", r)
			}
		})
	}
	t.Run("no curl", func(t *testing.T) {
		sh := shells(t)[1]
		m, task := mkTask(t, "uri", map[string]any{"url": srv.URL + "/json"})
		planErr(t, sh, m, task, "uri needs curl on the host")
	})
}

func TestURIRefuses(t *testing.T) {
	t.Parallel()
	for _, raw := range []map[string]any{
		{"url": "http://x/", "method": "GET X"},
		{"url": "gopher://x/"},
		{"url": "http://x/", "body_format": "form-multipart", "body": map[string]any{"a": "b"}},
		{"url": "http://x/", "body": map[string]any{"a": "b"}},
		{"url": "http://x/", "url_password": "a\nb"},
	} {
		m, task := mkTask(t, "uri", raw)
		if _, err := m.Probe(task); err == nil {
			t.Errorf("%v: no error", raw)
		}
	}
	// The password is in the script's text (curl's stdin), never in argv.
	m, task := mkTask(t, "uri", map[string]any{"url": "http://x/", "url_password": "pw-secret", "url_username": "u"})
	ut, err := readURITask(task)
	if err != nil {
		t.Fatal(err)
	}
	script := ut.applyScript("", attrPlan{})
	if i := strings.Index(script, "pw-secret"); i < 0 || !strings.Contains(script[:i], "curl -K -") && !strings.Contains(script[:i], "<<'TEND_EOF_") {
		t.Errorf("password not in the here-document:\n%s", script)
	}
	_ = m
}
