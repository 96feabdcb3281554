package playbooks

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"tend/modules"
	"tend/playbooks/load"
)

// fetchModule is Ansible's fetch: src on the host is copied to dest on
// the controller (dest/HOSTNAME/SRC, or dest itself with flat), in one
// round trip that carries the bytes only when they differ from the
// controller's copy. Check mode says whether it would change and writes
// nothing (Ansible skips the task).
func fetchModule(ctx context.Context, h *hostRun, t *load.Task, raw, _ map[string]any, _ string) outcome {
	args, err := checkArgs("fetch", raw)
	if err != nil {
		return failf("%v", err)
	}
	src, dest := args.String("src"), args.String("dest")
	if src == "" || dest == "" {
		return failf("src and dest are required")
	}
	if !strings.HasPrefix(src, "/") {
		return failf("fetch: src must be an absolute path, not %q", src)
	}
	src = path.Clean(src)
	failOnMissing := !args.Has("fail_on_missing") || args.Bool("fail_on_missing")
	validate := !args.Has("validate_checksum") || args.Bool("validate_checksum")
	if args.Bool("flat") {
		if strings.HasSuffix(dest, "/") {
			dest += path.Base(src)
		} else if st, err := os.Stat(h.playbookPath(dest)); err == nil && st.IsDir() {
			return failf("dest is an existing directory, use a trailing slash if you want to fetch src into that directory")
		}
		dest = h.playbookPath(dest)
	} else {
		host := h.hs.host.Name
		if host == "" || host == "." || host == ".." || strings.ContainsAny(host, "/\x00") {
			return failf("fetch: the host name %q cannot name a folder", host)
		}
		dest = filepath.Join(h.playbookPath(dest), host, src)
	}
	dest = filepath.Clean(dest)

	local, err := os.ReadFile(dest)
	if errors.Is(err, fs.ErrNotExist) {
		local = nil
	} else if err != nil {
		return failf("fetch: %v", err)
	} else if local == nil {
		local = []byte{}
	}
	script, err := modules.FetchScript(src, local)
	if err != nil {
		return failf("fetch: %v", err)
	}
	out, err := h.exec(ctx, script, h.becomeUser(t))
	h.hs.recap.Probes++
	if err != nil {
		return h.connectionLost(err)
	}
	f, err := modules.ReadFetch(src, out)
	if err != nil {
		return failf("fetch: %v", err)
	}
	if f.Err != "" {
		msg := f.Err
		switch {
		case f.Missing:
			msg = "the remote file does not exist, not transferring, ignored"
		case f.IsDir:
			msg = "remote file is a directory, fetch cannot work on directories"
			if !failOnMissing {
				msg += ", not transferring, ignored"
			}
		}
		if failOnMissing {
			return outcome{status: StatusFailed, msg: msg, result: modules.Result{"msg": msg}}
		}
		return outcome{status: StatusOK, msg: msg, result: modules.Result{"changed": false, "file": src, "msg": msg}}
	}
	if f.Same {
		return outcome{status: StatusOK, result: modules.Result{"changed": false, "md5sum": md5Hex(local), "file": src,
			"dest": dest, "checksum": sha1Hex(local)}}
	}
	if validate && f.Mismatch {
		return outcome{status: StatusFailed, msg: "checksum mismatch", result: modules.Result{"msg": "checksum mismatch",
			"file": src, "dest": dest, "checksum": f.SHA1, "remote_checksum": nil, "md5sum": nil, "remote_md5sum": nil}}
	}
	before := ""
	if local != nil {
		before = sha1Hex(local)
	}
	diffs := []modules.Diff{{Path: dest, Attr: "checksum", Before: before, After: f.SHA1}}
	res := modules.Result{"changed": true, "md5sum": md5Hex(f.Content), "dest": dest, "remote_md5sum": nil,
		"checksum": f.SHA1, "remote_checksum": f.SHA1}
	if h.checkMode(t) {
		return outcome{status: StatusChanged, diffs: diffs, result: res}
	}
	if err := writeLocal(dest, f.Content); err != nil {
		return failf("Failed to fetch the file: %v", err)
	}
	return outcome{status: StatusChanged, diffs: diffs, result: res}
}

// playbookPath resolves a controller path as Ansible's path_dwim does:
// relative to the playbook's folder.
func (h *hostRun) playbookPath(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(h.p.r.pb.Dir, p)
}

// writeLocal replaces dest atomically, keeping its mode; a new file gets
// 0666 less the umask, as Python's open() gives it.
func writeLocal(dest string, b []byte) error {
	dir := filepath.Dir(dest)
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return err
	}
	tmp := filepath.Join(dir, "."+filepath.Base(dest)+".tend-fetch")
	os.Remove(tmp)
	fh, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
	if err != nil {
		return err
	}
	_, err = fh.Write(b)
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	if st, serr := os.Stat(dest); err == nil && serr == nil {
		err = os.Chmod(tmp, st.Mode().Perm())
	}
	if err == nil {
		err = os.Rename(tmp, dest)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

func sha1Hex(b []byte) string { s := sha1.Sum(b); return hex.EncodeToString(s[:]) }
func md5Hex(b []byte) string  { s := md5.Sum(b); return hex.EncodeToString(s[:]) }
