package modules

import (
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
)

// getURLModule is Ansible's get_url. The host downloads with curl or wget
// (whichever it has) into a temporary file beside dest, the checksum is
// verified, and the file is renamed over dest. The controller never sees
// the content.
//
// When it downloads, as Ansible (force=no): when dest is missing; when a
// checksum is given and dest does not match it. With force=yes it
// downloads every time and replaces dest only when the bytes differ; check
// mode cannot know that without downloading, so it reports the task as
// skipped. Where tend differs: with force=no and no checksum, an existing
// dest is kept without asking the server (Ansible sends If-Modified-Since
// and replaces dest when the server has something newer); and when dest is
// a folder, the file name is the URL's (Ansible asks the server first,
// for a Content-Disposition name).
type getURLModule struct{}

func init() { Register("get_url", getURLModule{}) }

func (getURLModule) Spec() Spec {
	return Spec{
		Params: []Param{
			{Name: "url", Kind: String, Required: true},
			{Name: "dest", Kind: Path, Required: true},
			{Name: "checksum", Kind: String, Default: ""},
			{Name: "force", Kind: Bool, Default: false},
			{Name: "backup", Kind: Bool, Default: false},
			{Name: "timeout", Kind: Int, Default: 10},
			{Name: "headers", Kind: Dict},
			{Name: "tmp_dest", Kind: Path},
			{Name: "url_username", Kind: String, Aliases: []string{"username"}},
			{Name: "url_password", Kind: String, Aliases: []string{"password"}, NoLog: true},
			{Name: "force_basic_auth", Kind: Bool, Default: false},
			{Name: "http_agent", Kind: String, Default: "ansible-httpget"},
			{Name: "use_proxy", Kind: Bool, Default: true},
			{Name: "validate_certs", Kind: Bool, Default: true},
			{Name: "use_netrc", Kind: Bool, Default: true},
			{Name: "decompress", Kind: Bool, Default: true},
			{Name: "unredirected_headers", Kind: List},
			{Name: "ciphers", Kind: List},
			{Name: "client_cert", Kind: Path},
			{Name: "client_key", Kind: Path},
			{Name: "use_gssapi", Kind: Bool, Default: false},
			{Name: "mode", Kind: Mode},
			{Name: "owner", Kind: String},
			{Name: "group", Kind: String},
		},
	}
}

// digestLen is the hex length of each algorithm Ansible's get_url takes
// (those of Python's hashlib that hosts have tools for).
var digestLen = map[string]int{"md5": 32, "sha1": 40, "sha224": 56, "sha256": 64, "sha384": 96, "sha512": 128}

type getURLTask struct {
	fetchOpts
	dest, tmpDest, mode string
	algo, sum, sumURL   string // sum is hex, lower-case
	own                 ownership
	force, backup       bool
}

var nonWord = regexp.MustCompile(`\W+`)

func readGetURLTask(t *Task) (getURLTask, error) {
	a := t.Args
	gt := getURLTask{
		fetchOpts: fetchOpts{
			url: a.String("url"), agent: a.String("http_agent"),
			user: a.String("url_username"), pass: a.String("url_password"),
			cert: a.String("client_cert"), key: a.String("client_key"),
			ciphers: a.List("ciphers"), timeout: a.Int("timeout"),
			insecure: a.Has("validate_certs") && !a.Bool("validate_certs"),
			noProxy:  a.Has("use_proxy") && !a.Bool("use_proxy"),
			netrc:    !a.Has("use_netrc") || a.Bool("use_netrc"),
		},
		dest:    a.String("dest"),
		tmpDest: a.String("tmp_dest"),
		mode:    a.String("mode"),
		own:     ownership{a.String("owner"), a.String("group")},
		force:   a.Bool("force"),
		backup:  a.Bool("backup"),
	}
	if !a.Has("http_agent") {
		gt.agent = "ansible-httpget"
	}
	if !a.Has("timeout") {
		gt.timeout = 10
	}
	gt.hasUser = gt.user != "" || gt.pass != ""
	if err := checkAbs("dest", gt.dest); err != nil {
		return gt, err
	}
	gt.dest = cleanPath(gt.dest)
	if gt.tmpDest != "" {
		if err := checkAbs("tmp_dest", gt.tmpDest); err != nil {
			return gt, err
		}
	}
	if a.Bool("use_gssapi") {
		return gt, fmt.Errorf("use_gssapi is not supported: tend downloads with curl or wget on the host")
	}
	if len(a.List("unredirected_headers")) > 0 {
		return gt, fmt.Errorf("unredirected_headers is not supported: curl and wget send headers on redirects")
	}
	for _, v := range []string{gt.url, gt.agent, gt.user, gt.pass} {
		if strings.ContainsAny(v, "\r\n\x00") {
			return gt, fmt.Errorf("url, http_agent, url_username and url_password must be one line")
		}
	}
	u, err := url.Parse(gt.url)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "ftp" && u.Scheme != "file") {
		return gt, fmt.Errorf("url %q: only http, https, ftp and file URLs are supported", gt.url)
	}
	if gt.headers, err = readHeaders(a["headers"]); err != nil {
		return gt, err
	}
	if c := a.String("checksum"); c != "" {
		algo, sum, ok := strings.Cut(c, ":")
		if !ok {
			return gt, fmt.Errorf("The checksum parameter has to be in format <algorithm>:<checksum>")
		}
		if _, known := digestLen[algo]; !known {
			return gt, fmt.Errorf("checksum: unsupported algorithm %q: use one of md5, sha1, sha224, sha256, sha384, sha512", algo)
		}
		gt.algo = algo
		if su, err := url.Parse(sum); err == nil && (su.Scheme == "http" || su.Scheme == "https" || su.Scheme == "ftp" || su.Scheme == "file") {
			if strings.ContainsAny(sum, "\r\n\x00") {
				return gt, fmt.Errorf("checksum URL must be one line")
			}
			gt.sumURL = sum
		} else if gt.sum, err = cleanDigest(algo, sum); err != nil {
			return gt, err
		}
	}
	return gt, nil
}

// cleanDigest is Ansible's: non-word characters dropped (a zero-width
// space pasted from a web page), lower-case, hexadecimal.
func cleanDigest(algo, s string) (string, error) {
	s = strings.ToLower(nonWord.ReplaceAllString(s, ""))
	if s == "" || strings.Trim(s, "0123456789abcdef") != "" {
		return "", fmt.Errorf("The checksum format is invalid")
	}
	if len(s) != digestLen[algo] {
		return "", fmt.Errorf("The checksum format is invalid: a %s checksum has %d hex digits, not %d", algo, digestLen[algo], len(s))
	}
	return s, nil
}

// urlFilename is Ansible's url_filename: the last part of the URL's path.
func urlFilename(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "index.html"
	}
	p := u.EscapedPath()
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		p = p[i+1:]
	}
	if p == "" {
		return "index.html"
	}
	return p
}

func (m getURLModule) Probe(t *Task) (string, error) {
	gt, err := readGetURLTask(t)
	if err != nil {
		return "", err
	}
	s := newScript()
	dest := q(gt.dest)
	s.stat("d", dest, true, "", "")
	s.add("if [ -d ", dest, " ]; then echo into=1; tend_f=", q(path.Join(gt.dest, urlFilename(gt.url))), "; else echo into=0; tend_f=", dest, "; fi")
	s.stat("t", `"$tend_f"`, true, gt.own.Owner, gt.own.Group)
	s.add("if [ -d ", q(path.Dir(gt.dest)), " ]; then echo up=1; else echo up=0; fi")
	s.add(detectTool, "echo tool=$tend_tool")
	if gt.algo != "" {
		s.use("tend_hash")
		s.add(`if [ -f "$tend_f" ]; then tend_v=$(tend_hash `, gt.algo, ` "$tend_f"); case $? in 0) echo "t.digest=$tend_v" ;; 2) echo t.digest=notool ;; *) echo t.digest=error ;; esac; fi`)
	}
	if gt.sumURL != "" {
		// Ansible reads the checksum file every run: it may have changed.
		f := gt.fetchOpts
		f.url = gt.sumURL
		s.use("tend_die")
		s.add("case $tend_tool in")
		for _, tool := range []string{toolCurl, toolWget, toolBBWget} {
			if f.checkTool(tool) != nil {
				continue
			}
			s.add(tool, ")")
			s.add("tend_s=$(", f.cmd(tool, "", ""), "\n", `printf '\n%s' "$tend_rc")`)
			s.add(`tend_rc=${tend_s##*"
"}; tend_s=${tend_s%"
"*}`)
			s.add(`printf 'sumfile_rc=%s\nsumfile:%s\n%s\n' "$tend_rc" ${#tend_s} "$tend_s"`)
			s.add(";;")
		}
		s.add("esac")
	}
	s.umask()
	return s.String(), nil
}

// getURLProbe is what the probe found.
type getURLProbe struct {
	gt     getURLTask
	target string
	fi     fileInfo
	into   bool
	up     bool // the folder dest goes in exists
	tool   string
	digest string // dest's digest with gt.algo, when it is a file
	sum    string // the expected checksum (from the checksum file too)
	umask  uint32
}

func readGetURLProbe(gt getURLTask, probe Output) (*getURLProbe, error) {
	r, err := readProbe(probe)
	if err != nil {
		return nil, err
	}
	p := &getURLProbe{gt: gt, sum: gt.sum}
	if p.umask, err = r.umask(); err != nil {
		return nil, err
	}
	if p.into, err = r.flag("into"); err != nil {
		return nil, err
	}
	if p.up, err = r.flag("up"); err != nil {
		return nil, err
	}
	if p.fi, err = r.stat("t"); err != nil {
		return nil, err
	}
	if p.tool, err = r.get("tool"); err != nil {
		return nil, err
	}
	p.target = gt.dest
	if p.into {
		p.target = path.Join(gt.dest, urlFilename(gt.url))
		p.up = true
	}
	if p.fi.Exists && p.fi.Type == 'd' {
		return nil, errorf("dest %s is a directory", p.target)
	}
	if gt.algo != "" && p.fi.Exists {
		switch d, _ := r.opt("t.digest"); d {
		case "notool":
			return nil, errorf("cannot checksum %s: the host has no %ssum, shasum or openssl", p.target, gt.algo)
		case "error", "":
			return nil, errorf("cannot read %s to checksum it", p.target)
		default:
			p.digest = d
		}
	}
	if gt.sumURL != "" {
		if err := gt.checkTool(p.tool); err != nil {
			return nil, errorf("%v", err)
		}
		rc, _ := r.opt("sumfile_rc")
		body, ok := r.blob("sumfile")
		if !ok {
			return nil, fmt.Errorf("probe output lacks sumfile")
		}
		if rc != "0" {
			return nil, errorf("Request failed: could not download the checksum file %s (%s exited with status %s)", gt.sumURL, toolName(p.tool), rc)
		}
		if p.sum, err = sumFromFile(string(body), gt.url, gt.sumURL); err != nil {
			return nil, err
		}
		if p.sum, err = cleanDigest(gt.algo, p.sum); err != nil {
			return nil, errorf("%v", err)
		}
	}
	return p, nil
}

func toolName(tool string) string {
	if tool == toolBBWget {
		return "busybox wget"
	}
	return tool
}

// sumFromFile finds url's checksum in a checksum file, as Ansible does:
// a lone word is the checksum; else lines "CHECKSUM [ *]NAME" whose NAME
// (without leading "./") is the URL's file name.
func sumFromFile(body, rawURL, sumURL string) (string, error) {
	lines := strings.Split(strings.TrimRight(body, "\n"), "\n")
	name := urlFilename(rawURL)
	if len(lines) == 1 && len(strings.Fields(lines[0])) == 1 {
		return lines[0], nil
	}
	for _, l := range lines {
		sum, file, ok := strings.Cut(l, " ")
		if !ok {
			continue
		}
		if strings.HasPrefix(file, " ") || strings.HasPrefix(file, "*") {
			file = file[1:]
		}
		if strings.TrimLeft(file, "./") == name {
			return sum, nil
		}
	}
	return "", errorf("Unable to find a checksum for file '%s' in '%s'", name, sumURL)
}

// keep says whether dest stays as it is (only its attributes may change).
func (p *getURLProbe) keep() bool {
	if !p.fi.Exists || p.gt.force {
		return false
	}
	return p.sum == "" || p.digest == p.sum
}

func (m getURLModule) Plan(t *Task, probe Output) (*Change, error) {
	gt, err := readGetURLTask(t)
	if err != nil {
		return nil, err
	}
	p, err := readGetURLProbe(gt, probe)
	if err != nil {
		return nil, err
	}
	var ap attrPlan
	if p.fi.Exists {
		ap, err = planAttrs(p.target, p.fi, gt.mode, gt.own, p.umask, `"$tend_d"`, false)
	} else {
		ap, err = newAttrs(p.target, false, gt.mode, gt.own, p.umask, `"$tend_d"`)
	}
	if err != nil {
		return nil, err
	}
	if p.keep() {
		if len(ap.Diffs) == 0 {
			return nil, nil
		}
		s := newScript()
		s.use("tend_die")
		s.add("tend_d=", q(p.target))
		for _, c := range ap.Cmds {
			s.add(c)
		}
		s.stat("r", `"$tend_d"`, true, "", "")
		return &Change{Diffs: ap.Diffs, Apply: s.String(), Result: p.result("file already exists but file attributes changed", true, "")}, nil
	}
	if !p.up {
		return nil, errorf("Destination %s does not exist", path.Dir(p.target))
	}
	if err := gt.checkTool(p.tool); err != nil {
		return nil, errorf("%v", err)
	}
	var diffs []Diff
	switch {
	case !p.fi.Exists:
		diffs = append(diffs, stateDiff(p.target, "absent", "file"))
		diffs = append(diffs, Diff{Path: p.target, Attr: "url", After: gt.url})
		if p.sum != "" {
			diffs = append(diffs, Diff{Path: p.target, Attr: "checksum", After: gt.algo + ":" + p.sum})
		}
	case p.sum != "" && p.digest != p.sum:
		diffs = append(diffs, Diff{Path: p.target, Attr: "checksum", Before: gt.algo + ":" + p.digest, After: gt.algo + ":" + p.sum})
	default:
		diffs = append(diffs, Diff{Path: p.target, Attr: "url", Before: "(force: downloaded again, replaced if it differs)", After: gt.url})
	}
	diffs = append(diffs, ap.Diffs...)
	apply, src, err := p.applyScript(ap)
	if err != nil {
		return nil, err
	}
	return &Change{
		Diffs: diffs,
		Apply: apply,
		// force=yes: whether the bytes differ is known only once downloaded.
		CheckUnknown: p.fi.Exists && gt.force && (p.sum == "" || p.digest == p.sum),
		Result:       p.result("", len(ap.Diffs) > 0, src),
	}, nil
}

// applyScript downloads into a temporary file, checks it, and renames it
// over dest unless dest holds the same bytes. It prints status=CODE,
// src_sum=SHA1, dest_sum=SHA1, same=1|0, elapsed=SECONDS, dest's stat and
// md5sum=MD5 (Ansible's "backwards compat" key; none without a tool).
// src is the temporary file the download lands in.
func (p *getURLProbe) applyScript(ap attrPlan) (apply, src string, err error) {
	gt := p.gt
	s := newScript()
	s.use("tend_die", "tend_hash")
	s.add("tend_d=", q(p.target))
	src = tempName(p.target)
	s.add("tend_u=", q(src))
	if gt.tmpDest != "" {
		td := q(gt.tmpDest)
		s.add("if [ ! -d ", td, " ]; then if [ -e ", td, " ]; then tend_die ", q(gt.tmpDest+" is a file but should be a directory."), "; else tend_die ", q(gt.tmpDest+" directory does not exist."), "; fi; fi")
		src = path.Join(gt.tmpDest, tempBase())
		s.add("tend_t=", q(src))
	} else {
		s.add(`tend_t=$tend_u`)
	}
	s.add(`tend_e=${tend_u%.tmp}.err`)
	s.add(`tend_s0=$(date +%s 2>/dev/null) || tend_s0=`)
	// The temporary file is made private and empty first (set -C: never
	// through a file someone else put there); the tool then writes it.
	s.add(`( umask 077; set -C; : > "$tend_t" ) || { tend_t=; tend_die "cannot create a temporary file $tend_t"; }`)
	s.add(`( umask 077; set -C; : > "$tend_e" ) || tend_die "cannot create a temporary file $tend_e"`)
	s.add(gt.fetchOpts.cmd(p.tool, `"$tend_t"`, `"$tend_e"`))
	s.add(`printf 'status=%s\nrc=%s\n' "$tend_code" "$tend_rc"`)
	s.add(`if [ "$tend_rc" != 0 ]; then tend_v=$(cat -- "$tend_e" 2>/dev/null); rm -f -- "$tend_e"; tend_die "$tend_v"; fi`)
	s.add(`rm -f -- "$tend_e"`)
	s.add(`[ -z "$tend_s0" ] || printf 'elapsed=%s\n' $(( $(date +%s) - tend_s0 ))`)
	s.add(`tend_v=$(wc -c < "$tend_t") && printf 'size=%s\n' $tend_v`)
	if p.sum != "" {
		s.add(`tend_v=$(tend_hash `, gt.algo, ` "$tend_t") || tend_die `, q("cannot checksum the download: the host has no "+gt.algo+"sum, shasum or openssl"))
		s.add(`[ "$tend_v" = `, p.sum, ` ] || tend_die "The checksum for $tend_d did not match `, p.sum, `; it was $tend_v."`)
	}
	s.add(`tend_v=$(tend_hash sha1 "$tend_t") && printf 'src_sum=%s\n' "$tend_v"`)
	s.add(`if [ -f "$tend_d" ]; then tend_v=$(tend_hash sha1 "$tend_d") && printf 'dest_sum=%s\n' "$tend_v"; fi`)
	s.add(`if [ -f "$tend_d" ] && cmp -s -- "$tend_t" "$tend_d"; then`)
	s.add(`	rm -f -- "$tend_t"; tend_t=; echo same=1`)
	for _, c := range ap.Cmds {
		s.add("	", c)
	}
	s.add("else")
	if gt.tmpDest != "" {
		// From another file system maybe: copied beside dest first, so
		// that the last step is a rename.
		s.add(`	( umask 077; set -C; cat -- "$tend_t" > "$tend_u" ) || tend_die "cannot copy the download beside $tend_d"`)
		s.add(`	rm -f -- "$tend_t"; tend_t=$tend_u`)
	}
	for _, c := range gt.own.cmds(`"$tend_t"`, false) {
		s.add("	", c)
	}
	if p.fi.Exists {
		if gt.own.Owner == "" && gt.own.Group == "" {
			s.add(`	chown -- `, p.fi.UID, `:`, p.fi.GID, ` "$tend_t" 2>/dev/null || chgrp -- `, p.fi.GID, ` "$tend_t" 2>/dev/null || :`)
		} else if gt.own.Owner == "" {
			s.add(`	chown -- `, p.fi.UID, ` "$tend_t" 2>/dev/null || :`)
		} else if gt.own.Group == "" {
			s.add(`	chgrp -- `, p.fi.GID, ` "$tend_t" 2>/dev/null || :`)
		}
	}
	s.add(`	chmod `, chmodArg(ap.Mode), ` "$tend_t" || tend_die "chmod failed on a temporary file beside $tend_d"`)
	if gt.backup {
		s.add(`	if [ -e "$tend_d" ]; then`)
		s.add(`		tend_b=$$.$(date +%Y-%m-%d@%H:%M:%S)~`)
		s.add(`		cp -p -- "$tend_d" "$tend_d.$tend_b" || tend_die "backup of $tend_d failed"`)
		s.add(`		printf 'backup=%s\n' "$tend_b"`)
		s.add(`	fi`)
	}
	s.add(`	mv -f -- "$tend_t" "$tend_d" || tend_die "failed to copy $tend_t to $tend_d"`)
	s.add(`	tend_t=; echo same=0`)
	s.add("fi")
	s.stat("r", `"$tend_d"`, true, "", "")
	s.add(`if tend_v=$(tend_hash md5 "$tend_d"); then printf 'md5sum=%s\n' "$tend_v"; fi`)
	return s.String(), src, nil
}

var httpStatus = regexp.MustCompile(`(?:ERROR |HTTP/[0-9.]+ )([0-9]{3})`)

// result turns the Apply's output into get_url's result. msg is set when
// only attributes were changed; attrs says whether they change; src is the
// download's temporary file.
func (p *getURLProbe) result(msg string, attrs bool, src string) func(Output) (Result, error) {
	gt, target := p.gt, p.target
	return func(o Output) (Result, error) {
		r, err := parseRecords(o.Stdout)
		if err != nil && o.ExitCode == 0 {
			return nil, fmt.Errorf("apply printed something unexpected: %v", err)
		}
		if r == nil {
			r = &records{vals: map[string]string{}}
		}
		res := Result{"url": gt.url, "dest": target, "checksum_src": nil, "checksum_dest": nil, "elapsed": 0}
		if e, ok := r.opt("elapsed"); ok {
			res["elapsed"], _ = strconv.Atoi(e)
		}
		code, _ := r.opt("status")
		status := 0
		if n, err := strconv.Atoi(code); err == nil && n != 0 {
			status = n
		}
		if o.ExitCode != 0 {
			f := failedApplyWith(o, res)
			if rc, ok := r.opt("rc"); ok && rc != "0" {
				// The download itself failed.
				if status == 0 {
					if m := httpStatus.FindStringSubmatch(string(o.Stderr)); m != nil {
						status, _ = strconv.Atoi(m[1])
					}
				}
				f["response"] = f["msg"]
				f["msg"] = "Request failed"
				if status == 0 {
					f["status_code"] = -1
					f["msg"] = strings.TrimSpace(string(o.Stderr))
				} else {
					f["status_code"] = status
					f["msg"] = fmt.Sprintf("Request failed: HTTP Error %d", status)
				}
			}
			return f, nil
		}
		fi, err := r.stat("r")
		if err != nil {
			return nil, err
		}
		for k, v := range pathInfo(fi) {
			res[k] = v
		}
		if msg != "" {
			res["msg"], res["changed"] = msg, true
			return res, nil
		}
		if status == 0 {
			status = 200
		}
		res["status_code"] = status
		if v, ok := r.opt("src_sum"); ok {
			res["checksum_src"] = v
		}
		if v, ok := r.opt("dest_sum"); ok {
			res["checksum_dest"] = v
		}
		// Ansible's: None where md5 is unavailable (FIPS).
		res["md5sum"], res["src"] = nil, src
		if v, ok := r.opt("md5sum"); ok {
			res["md5sum"] = v
		}
		size, _ := r.opt("size")
		res["msg"] = "OK (" + strings.TrimSpace(size) + " bytes)"
		same, _ := r.opt("same")
		res["changed"] = same != "1" || attrs
		if b, err := backupPath(target, r); err != nil {
			return nil, err
		} else if b != "" {
			res["backup_file"] = b
		}
		return res, nil
	}
}

// Report is the result when dest is kept.
func (m getURLModule) Report(t *Task, probe Output) (Result, error) {
	gt, err := readGetURLTask(t)
	if err != nil {
		return nil, err
	}
	p, err := readGetURLProbe(gt, probe)
	if err != nil {
		return nil, err
	}
	res := Result{"changed": false, "url": gt.url, "dest": p.target, "msg": "file already exists",
		"checksum_src": nil, "checksum_dest": nil, "elapsed": 0}
	for k, v := range pathInfo(p.fi) {
		res[k] = v
	}
	return res, nil
}
