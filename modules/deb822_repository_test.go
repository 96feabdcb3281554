package modules

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

func TestDeb822Names(t *testing.T) {
	t.Parallel()
	if got := deb822Slug("My Repo_x (beta) ü"); got != "my-repo-x-beta-" {
		t.Errorf("slug %q", got)
	}
	for in, want := range map[string]string{"by_hash": "By-Hash", "check_valid_until": "Check-Valid-Until", "uris": "URIs", "name": "X-Repolib-Name", "signed_by": "Signed-By"} {
		if got := deb822FieldName(in); got != want {
			t.Errorf("%s: %q", in, got)
		}
	}
}

const testArmored = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEZ\n\n=abcd\n-----END PGP PUBLIC KEY BLOCK-----\n"

func TestDeb822Repository(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/key.asc" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(testArmored))
	}))
	defer srv.Close()
	for _, sh := range matrixOf(t, shells(t)[:2]) {
		t.Run(sh.name, func(t *testing.T) {
			root := hostileDir(t)
			d := filepath.Join(root, "etc/apt/sources.list.d")
			if err := os.MkdirAll(d, 0o755); err != nil {
				t.Fatal(err)
			}
			m := deb822RepositoryModule{root: root}
			_, task := mkTask(t, "deb822_repository", map[string]any{
				"name": "Example Repo", "uris": "https://deb.example.com/debian", "suites": []any{"bookworm"},
				"components": []any{"main", "contrib"}, "signed_by": testArmored, "enabled": true,
			})
			ch, res := converge(t, sh, m, task)
			f := filepath.Join(d, "example-repo.sources")
			want := "Components: main contrib\nEnabled: yes\nX-Repolib-Name: Example Repo\nSigned-By:\n    -----BEGIN PGP PUBLIC KEY BLOCK-----\n    .\n    mDMEZ\n    .\n    =abcd\n    -----END PGP PUBLIC KEY BLOCK-----\nSuites: bookworm\nTypes: deb\nURIs: https://deb.example.com/debian\n"
			if got := readFile(t, f); got != want {
				t.Fatalf("content %q", got)
			}
			wantMode(t, f, 0o644)
			if res["dest"] != f || res["repo"] != want || !hasDiff(ch, "state", "absent", "file") {
				t.Errorf("result %v diffs %v", res, ch.Diffs)
			}

			// A key from a URL goes to /etc/apt/keyrings/SLUG.asc.
			_, task = mkTask(t, "deb822_repository", map[string]any{
				"name": "Example Repo", "uris": "https://deb.example.com/debian", "suites": "bookworm",
				"signed_by": srv.URL + "/key.asc", "mode": "0600",
			})
			_, res = converge(t, sh, m, task)
			k := filepath.Join(root, "etc/apt/keyrings/example-repo.asc")
			if readFile(t, k) != testArmored || res["key_filename"] != k {
				t.Errorf("key: result %v", res)
			}
			wantMode(t, k, 0o644)
			wantMode(t, f, 0o600)
			// The hostile root holds a line break: the path is folded.
			if got := readFile(t, f); got != "X-Repolib-Name: Example Repo\nSigned-By:"+deb822Multiline(k)+"\nSuites: bookworm\nTypes: deb\nURIs: https://deb.example.com/debian\n" {
				t.Errorf("content %q", got)
			}
			noLeftovers(t, d)

			_, task = mkTask(t, "deb822_repository", map[string]any{"name": "example repo", "signed_by": srv.URL + "/missing"})
			planErr(t, sh, m, task, "Could not fetch signed_by key")

			_, task = mkTask(t, "deb822_repository", map[string]any{"name": "Example Repo", "state": "absent"})
			ch, _ = converge(t, sh, m, task)
			if !hasDiff(ch, "state", "file", "absent") {
				t.Errorf("diffs %v", ch.Diffs)
			}
			for _, p := range []string{f, k} {
				if _, err := os.Stat(p); !os.IsNotExist(err) {
					t.Errorf("%s not removed", p)
				}
			}
		})
	}
}
