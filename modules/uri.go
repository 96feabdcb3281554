package modules

import (
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
)

// uriModule is Ansible's uri. The host sends the request with curl; its
// configuration (URL, credentials, headers) reaches curl on stdin, never
// in argv, and the body from a private temporary file. The request is
// sent by the apply only: a probe may run more than once, and a request
// may change the server. So check mode reports the task as skipped (as
// Ansible does: uri does not support check mode), creates and removes
// aside.
//
// The result is Ansible's: status, url, redirected, elapsed, msg, the
// response's headers (lower-cased, '-' as '_'), cookies, content when
// asked for (or when the status is not one of status_code), json when the
// response is JSON. changed is false unless dest is written: tend writes
// dest only when the bytes differ (Ansible reports changed whenever it
// gets the file, and sends If-Modified-Since, as tend does).
//
// Where tend differs: when dest is a folder, the file is named after the
// requested URL (Ansible: the response's Content-Disposition, then the
// final URL); form-multipart, use_gssapi and unredirected_headers are
// refused; decompress has no effect (curl does not ask for compression).
type uriModule struct{}

func init() { Register("uri", uriModule{}) }

func (uriModule) Spec() Spec {
	return Spec{
		Params: []Param{
			{Name: "url", Kind: String, Required: true},
			{Name: "dest", Kind: Path},
			{Name: "url_username", Kind: String, Aliases: []string{"user"}},
			{Name: "url_password", Kind: String, Aliases: []string{"password"}, NoLog: true},
			{Name: "body", Kind: Any},
			{Name: "body_format", Kind: String, Default: "raw", Choices: []string{"form-urlencoded", "json", "raw", "form-multipart"}},
			{Name: "src", Kind: Path},
			{Name: "method", Kind: String, Default: "GET"},
			{Name: "return_content", Kind: Bool, Default: false},
			{Name: "follow_redirects", Kind: String, Default: "safe", Choices: []string{"all", "no", "none", "safe", "urllib2", "yes"}},
			{Name: "creates", Kind: Path},
			{Name: "removes", Kind: Path},
			// Any: Ansible's list also takes one number.
			{Name: "status_code", Kind: Any, Default: []any{200}},
			{Name: "timeout", Kind: Int, Default: 30},
			{Name: "headers", Kind: Dict},
			{Name: "unix_socket", Kind: Path},
			{Name: "remote_src", Kind: Bool, Default: false},
			{Name: "ca_path", Kind: Path},
			{Name: "unredirected_headers", Kind: List},
			{Name: "decompress", Kind: Bool, Default: true},
			{Name: "ciphers", Kind: List},
			{Name: "use_netrc", Kind: Bool, Default: true},
			{Name: "force", Kind: Bool, Default: false},
			{Name: "http_agent", Kind: String, Default: "ansible-httpget"},
			{Name: "use_proxy", Kind: Bool, Default: true},
			{Name: "validate_certs", Kind: Bool, Default: true},
			{Name: "force_basic_auth", Kind: Bool, Default: false},
			{Name: "client_cert", Kind: Path},
			{Name: "client_key", Kind: Path},
			{Name: "use_gssapi", Kind: Bool, Default: false},
			{Name: "mode", Kind: Mode},
			{Name: "owner", Kind: String},
			{Name: "group", Kind: String},
		},
		Exclusive: [][]string{{"body", "src"}},
	}
}

type uriTask struct {
	url, method, dest, creates, removes string
	mode                                string
	own                                 ownership
	body                                []byte
	hasBody                             bool
	remoteSrc                           string // a file on the host to send
	config                              string // curl's configuration
	status                              []int
	returnContent, force                bool
}

var uriMethod = regexp.MustCompile(`^[A-Z]+$`)

func readURITask(t *Task) (uriTask, error) {
	a := t.Args
	ut := uriTask{
		url: a.String("url"), method: strings.ToUpper(a.String("method")),
		dest: a.String("dest"), creates: a.String("creates"), removes: a.String("removes"),
		mode: a.String("mode"), own: ownership{a.String("owner"), a.String("group")},
		returnContent: a.Bool("return_content"), force: a.Bool("force"),
	}
	if ut.method == "" {
		ut.method = "GET"
	}
	if !uriMethod.MatchString(ut.method) {
		return ut, fmt.Errorf("Parameter 'method' needs to be a single word in uppercase, like GET or POST.")
	}
	for _, p := range []struct{ name, v string }{{"dest", ut.dest}, {"creates", ut.creates}, {"removes", ut.removes}} {
		if p.v != "" {
			if err := checkAbs(p.name, p.v); err != nil {
				return ut, err
			}
		}
	}
	if a.Bool("use_gssapi") {
		return ut, fmt.Errorf("use_gssapi is not supported: tend sends requests with curl on the host")
	}
	if len(a.List("unredirected_headers")) > 0 {
		return ut, fmt.Errorf("unredirected_headers is not supported: curl sends headers on redirects")
	}
	u, err := url.Parse(ut.url)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "ftp" && u.Scheme != "file") {
		return ut, fmt.Errorf("url %q: only http, https, ftp and file URLs are supported", ut.url)
	}
	codes, ok := a["status_code"].([]any)
	if !ok {
		codes = []any{a["status_code"]}
		if s, isStr := a["status_code"].(string); isStr {
			codes = nil
			for _, c := range strings.Split(s, ",") {
				codes = append(codes, c)
			}
		}
	}
	for _, c := range codes {
		n, ok := toInt(c)
		if !ok {
			return ut, fmt.Errorf("status_code: %v is not a number", c)
		}
		ut.status = append(ut.status, n)
	}
	headers, err := readHeaders(a["headers"])
	if err != nil {
		return ut, err
	}
	format := strings.ToLower(a.String("body_format"))
	var ctype string
	if a.Has("body") {
		if ut.body, ctype, err = uriBody(a["body"], format); err != nil {
			return ut, err
		}
		ut.hasBody = true
	} else if format == "form-multipart" {
		return ut, fmt.Errorf("body_format form-multipart is not supported by tend's uri")
	}
	if src := a.String("src"); src != "" {
		if a.Bool("remote_src") {
			if err := checkAbs("src", src); err != nil {
				return ut, err
			}
			ut.remoteSrc = src
		} else {
			if t.Files == nil {
				return ut, fmt.Errorf("src: no controller files to read %s from", src)
			}
			if ut.body, err = t.Files.ReadFile(src); err != nil {
				return ut, fmt.Errorf("Unable to open source file %s: %v", src, err)
			}
			ut.hasBody = true
		}
	}
	if format == "json" || format == "form-urlencoded" {
		has := false
		for _, h := range headers {
			has = has || strings.EqualFold(h[0], "content-type")
		}
		if !has && ctype != "" {
			headers = append(headers, [2]string{"Content-Type", ctype})
		}
	}
	user, pass := a.String("url_username"), a.String("url_password")
	for _, v := range []string{ut.url, user, pass, a.String("http_agent")} {
		if strings.ContainsAny(v, "\r\n\x00") {
			return ut, fmt.Errorf("url, http_agent, url_username and url_password must be one line")
		}
	}
	var c strings.Builder
	c.WriteString("silent\nshow-error\n")
	fmt.Fprintf(&c, "url = %s\n", curlQuote(ut.url))
	agent := a.String("http_agent")
	if !a.Has("http_agent") {
		agent = "ansible-httpget"
	}
	fmt.Fprintf(&c, "user-agent = %s\n", curlQuote(agent))
	timeout := a.Int("timeout")
	if !a.Has("timeout") {
		timeout = 30
	}
	fmt.Fprintf(&c, "connect-timeout = %d\nspeed-time = %d\nspeed-limit = 1\n", timeout, timeout)
	// follow_redirects: safe follows for GET and HEAD only; urllib2, all
	// and yes for any method (a POST turned into a GET on 301, 302 and
	// 303, as curl and urllib2 both do); no and none never.
	switch fr := a.String("follow_redirects"); {
	case fr == "all" || fr == "yes" || fr == "urllib2" || (fr == "safe" || fr == "") && (ut.method == "GET" || ut.method == "HEAD"):
		c.WriteString("location\nmax-redirs = 10\n")
	}
	switch {
	case ut.method == "HEAD":
		c.WriteString("head\n")
	case ut.method == "POST" && (ut.hasBody || ut.remoteSrc != ""):
		// curl posts the data: no request line, so that a redirect turns
		// it into a GET as urllib2 does.
	case ut.method == "POST":
		c.WriteString("data-binary = \"\"\n")
	case ut.method != "GET" || ut.hasBody || ut.remoteSrc != "":
		fmt.Fprintf(&c, "request = %s\n", curlQuote(ut.method))
	}
	if ut.remoteSrc != "" {
		fmt.Fprintf(&c, "data-binary = %s\n", curlQuote("@"+ut.remoteSrc))
	}
	if a.Has("validate_certs") && !a.Bool("validate_certs") {
		c.WriteString("insecure\n")
	}
	if a.Has("use_proxy") && !a.Bool("use_proxy") {
		c.WriteString("noproxy = \"*\"\n")
	}
	if user != "" || pass != "" {
		fmt.Fprintf(&c, "user = %s\n", curlQuote(user+":"+pass))
		if a.Bool("force_basic_auth") {
			c.WriteString("basic\n")
		} else {
			// Credentials are sent when the server asks (urllib's
			// handlers), Basic or Digest.
			c.WriteString("anyauth\n")
		}
	} else if !a.Has("use_netrc") || a.Bool("use_netrc") {
		c.WriteString("netrc-optional\n")
	}
	if ut.force {
		headers = append(headers, [2]string{"Cache-Control", "no-cache"})
	}
	for _, h := range headers {
		fmt.Fprintf(&c, "header = %s\n", curlQuote(h[0]+": "+h[1]))
	}
	for _, o := range []struct{ arg, opt string }{{"ca_path", "cacert"}, {"client_cert", "cert"}, {"client_key", "key"}, {"unix_socket", "unix-socket"}} {
		if v := a.String(o.arg); v != "" {
			if strings.ContainsAny(v, "\r\n\x00") {
				return ut, fmt.Errorf("%s must be one line", o.arg)
			}
			fmt.Fprintf(&c, "%s = %s\n", o.opt, curlQuote(v))
		}
	}
	if l := a.List("ciphers"); len(l) > 0 {
		fmt.Fprintf(&c, "ciphers = %s\n", curlQuote(strings.Join(l, ":")))
	}
	ut.config = c.String()
	return ut, nil
}

// target is the file dest names: in dest when it is a folder.
func (ut uriTask) target(into bool) string {
	if into {
		return path.Join(ut.dest, urlFilename(ut.url))
	}
	return cleanPath(ut.dest)
}

func (uriModule) Probe(t *Task) (string, error) {
	ut, err := readURITask(t)
	if err != nil {
		return "", err
	}
	s := newScript()
	for _, c := range []struct{ key, path string }{{"creates", ut.creates}, {"removes", ut.removes}} {
		if c.path != "" {
			s.add("if [ -e ", q(c.path), " ] || [ -L ", q(c.path), " ]; then echo ", c.key, "=1; else echo ", c.key, "=0; fi")
		}
	}
	s.add("if command -v curl >/dev/null 2>&1; then echo curl=1; else echo curl=0; fi")
	if ut.dest != "" {
		d := q(ut.dest)
		s.add("if [ -d ", d, " ]; then echo into=1; tend_f=", q(ut.target(true)), "; else echo into=0; tend_f=", q(ut.target(false)), "; fi")
		s.stat("t", `"$tend_f"`, true, ut.own.Owner, ut.own.Group)
		s.add("if [ -d ", q(path.Dir(ut.target(false))), " ]; then echo up=1; else echo up=0; fi")
	}
	s.umask()
	return s.String(), nil
}

// uriSkip says why the request is not sent (creates, removes), or "".
func uriSkip(ut uriTask, r *records) (string, error) {
	if ut.creates != "" {
		if v, err := r.flag("creates"); err != nil {
			return "", err
		} else if v {
			return "skipped, since '" + ut.creates + "' exists", nil
		}
	}
	if ut.removes != "" {
		if v, err := r.flag("removes"); err != nil {
			return "", err
		} else if !v {
			return "skipped, since '" + ut.removes + "' does not exist", nil
		}
	}
	return "", nil
}

func (m uriModule) Plan(t *Task, probe Output) (*Change, error) {
	ut, err := readURITask(t)
	if err != nil {
		return nil, err
	}
	r, err := readProbe(probe)
	if err != nil {
		return nil, err
	}
	if skip, err := uriSkip(ut, r); err != nil || skip != "" {
		return nil, err
	}
	if ok, err := r.flag("curl"); err != nil {
		return nil, err
	} else if !ok {
		return nil, errorf("uri needs curl on the host: it was not found in PATH")
	}
	umask, err := r.umask()
	if err != nil {
		return nil, err
	}
	var target string
	var ap attrPlan
	if ut.dest != "" {
		into, err := r.flag("into")
		if err != nil {
			return nil, err
		}
		target = ut.target(into)
		fi, err := r.stat("t")
		if err != nil {
			return nil, err
		}
		if fi.Exists && fi.Type == 'd' {
			return nil, errorf("dest %s is a directory", target)
		}
		if up, err := r.flag("up"); err != nil {
			return nil, err
		} else if !up && !into {
			return nil, errorf("Destination %s does not exist", path.Dir(target))
		}
		if fi.Exists {
			ap, err = planAttrs(target, fi, ut.mode, ut.own, umask, `"$tend_d"`, false)
		} else {
			ap, err = newAttrs(target, false, ut.mode, ut.own, umask, `"$tend_d"`)
		}
		if err != nil {
			return nil, err
		}
	}
	diffs := []Diff{{Path: ut.url, Attr: "request", After: ut.method}}
	if target != "" {
		diffs = append(diffs, Diff{Path: target, Attr: "content", Before: "(written if the response differs)", After: ut.url})
	}
	return &Change{
		Diffs:        diffs,
		Apply:        ut.applyScript(target, ap),
		CheckUnknown: true,
		Result:       ut.result(target, len(ap.Diffs) > 0),
	}, nil
}

// applyScript sends the request and prints what the result is made of:
// rc (curl's status), w (curl's write-out: status, redirects, time,
// content type, final URL), hdr (the response headers), err (curl's
// messages), body (when needed), and for dest: same=1|0.
func (ut uriTask) applyScript(target string, ap attrPlan) string {
	s := newScript()
	s.use("tend_die", "tend_blob")
	s.add(`tend_k=$(umask 077; mktemp -d) || tend_die "mktemp failed"`)
	s.add(`trap 'rm -rf -- "$tend_k"' EXIT`)
	data := ""
	if ut.hasBody {
		s.add(`( umask 077; `, printfAll(ut.body), ` > "$tend_k/body" ) || tend_die "cannot write the request body"`)
		data = ` --data-binary "@$tend_k/body"`
	}
	open, rest := heredoc(ut.config)
	cond := ""
	if target != "" && !ut.force {
		// Ansible sends If-Modified-Since when dest is a file.
		cond = "[ ! -f " + q(target) + " ] || printf '%s\\n' " + q("time-cond = "+curlQuote(target))
	}
	s.add(`{ cat `, open, rest, cond)
	s.add(`} | curl -K - -o "$tend_k/out" -D "$tend_k/hdr"`, data,
		` -w '%{http_code}\n%{num_redirects}\n%{time_total}\n%{content_type}\n%{url_effective}\n' > "$tend_k/w" 2> "$tend_k/err"; tend_rc=$?`)
	s.add(`echo rc=$tend_rc`)
	s.add(`for tend_x in w hdr err; do [ -f "$tend_k/$tend_x" ] || : > "$tend_k/$tend_x"; tend_blob "$tend_x" "$tend_k/$tend_x" || exit 1; done`)
	s.add(`tend_c=; tend_ct=; { read -r tend_c; read -r tend_x; read -r tend_x; read -r tend_ct; } < "$tend_k/w"`)
	if ut.method == "HEAD" {
		s.add(`: > "$tend_k/out"`)
	}
	okCase := make([]string, 0, len(ut.status))
	for _, c := range ut.status {
		okCase = append(okCase, strconv.Itoa(c))
	}
	// The body is read when it is asked for, JSON, or an error's.
	s.add(`tend_p=`, map[bool]string{true: "1", false: "0"}[ut.returnContent])
	s.add(`tend_ok=1; case $tend_c in `, strings.Join(okCase, "|"), `) ;; *) tend_ok=0; tend_p=1 ;; esac`)
	s.add(`[ "$tend_rc" = 0 ] || { tend_ok=0; tend_p=0; }`)
	s.add(`case $tend_ct in *[Jj][Ss][Oo][Nn]*|*[Jj][Aa][Vv][Aa][Ss][Cc][Rr][Ii][Pp][Tt]*) [ "$tend_rc" != 0 ] || tend_p=1 ;; esac`)
	s.add(`if [ "$tend_p" = 1 ] && [ -f "$tend_k/out" ]; then tend_blob body "$tend_k/out" || exit 1; fi`)
	if target != "" {
		s.add(`if [ "$tend_ok" = 1 ] && [ "$tend_c" != 304 ] && [ -f "$tend_k/out" ]; then`)
		s.add(`tend_d=`, q(target))
		s.add(`if [ -f "$tend_d" ] && cmp -s -- "$tend_k/out" "$tend_d"; then`)
		s.add(`	echo same=1`)
		for _, c := range ap.Cmds {
			s.add("	", c, " || exit 1")
		}
		s.add("else")
		s.add(`	tend_t=`, q(tempName(target)))
		w := fileWrite{Mode: ap.Mode}
		s.fillTemp(w, `cat -- "$tend_k/out"`)
		for _, c := range ut.own.cmds(`"$tend_t"`, false) {
			s.add("	", c)
		}
		if !w.modeFirst() {
			s.add(w.chmodTemp())
		}
		s.add(`	mv -f -- "$tend_t" "$tend_d" || tend_die "failed to copy $tend_t to $tend_d"`)
		s.add(`	tend_t=; echo same=0`)
		s.add("fi")
		s.add("fi")
	}
	return s.String()
}
