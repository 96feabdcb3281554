package modules

import (
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// uriResponse is what the apply read of the response.
type uriResponse struct {
	rc, status    int
	redirects     int
	elapsed       float64
	ctype, final  string
	reason        string
	headers       map[string]string // lower-case names, repeats joined by ", "
	order         []string
	cookies       [][2]string
	body          []byte
	hasBody       bool
	same, hasSame bool
	curlErr       string
}

func parseURIResponse(r *records) (*uriResponse, error) {
	resp := &uriResponse{headers: map[string]string{}}
	rc, err := r.get("rc")
	if err != nil {
		return nil, err
	}
	if resp.rc, err = strconv.Atoi(rc); err != nil {
		return nil, fmt.Errorf("apply: rc=%q", rc)
	}
	w, _ := r.blob("w")
	lines := strings.Split(string(w), "\n")
	for len(lines) < 5 {
		lines = append(lines, "")
	}
	resp.status, _ = strconv.Atoi(lines[0])
	resp.redirects, _ = strconv.Atoi(lines[1])
	resp.elapsed, _ = strconv.ParseFloat(strings.Replace(lines[2], ",", ".", 1), 64)
	resp.ctype, resp.final = lines[3], lines[4]
	e, _ := r.blob("err")
	resp.curlErr = strings.TrimSpace(string(e))
	resp.body, resp.hasBody = r.blob("body")
	if v, ok := r.opt("same"); ok {
		resp.same, resp.hasSame = v == "1", true
	}
	h, _ := r.blob("hdr")
	resp.parseHeaders(string(h))
	return resp, nil
}

// parseHeaders reads the last response's headers from curl's dump (one
// block per response when redirects were followed, and 100 Continue).
func (resp *uriResponse) parseHeaders(dump string) {
	var block []string
	for _, l := range strings.Split(strings.ReplaceAll(dump, "\r\n", "\n"), "\n") {
		if strings.HasPrefix(l, "HTTP/") {
			block = nil
		}
		if l != "" {
			block = append(block, l)
		}
	}
	if len(block) == 0 {
		return
	}
	if f := strings.SplitN(block[0], " ", 3); len(f) == 3 {
		resp.reason = strings.TrimSpace(f[2])
	}
	for _, l := range block[1:] {
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
		if k == "set-cookie" {
			if c, _, _ := strings.Cut(v, ";"); strings.Contains(c, "=") {
				n, val, _ := strings.Cut(c, "=")
				resp.cookies = append(resp.cookies, [2]string{strings.TrimSpace(n), strings.TrimSpace(val)})
			}
		}
		if old, dup := resp.headers[k]; dup {
			resp.headers[k] = old + ", " + v
		} else {
			resp.headers[k] = v
			resp.order = append(resp.order, k)
		}
	}
}

// maybeJSON is uri's test of the content type: json or javascript, as
// the subtype or its +suffix.
func maybeJSON(ctype string) bool {
	mt, _, err := mime.ParseMediaType(ctype)
	if err != nil {
		return false
	}
	_, sub, _ := strings.Cut(mt, "/")
	if _, suffix, ok := strings.Cut(sub, "+"); ok {
		sub = suffix
	}
	sub = strings.ToLower(sub)
	return sub == "json" || sub == "javascript"
}

// absoluteLocation is Ansible's absolute_location.
func absoluteLocation(base, loc string) string {
	switch {
	case strings.Contains(loc, "://"):
		return loc
	case strings.HasPrefix(loc, "/"):
		u, err := url.Parse(base)
		if err != nil {
			return loc
		}
		return strings.Replace(base, u.Path, "", 1) + loc
	}
	i := strings.LastIndexByte(base, '/')
	if i < 0 {
		return base + "/" + loc
	}
	return base[:i] + "/" + loc
}

func pyIntList(l []int) string {
	s := make([]string, len(l))
	for i, n := range l {
		s[i] = strconv.Itoa(n)
	}
	return "[" + strings.Join(s, ", ") + "]"
}

// result turns the apply's output into uri's result.
func (ut uriTask) result(target string, attrs bool) func(Output) (Result, error) {
	return func(o Output) (Result, error) {
		r, err := parseRecords(o.Stdout)
		if err != nil || r.vals["rc"] == "" {
			if o.ExitCode != 0 {
				return failedApply(o), nil
			}
			return nil, fmt.Errorf("apply printed something unexpected: %v", err)
		}
		resp, err := parseURIResponse(r)
		if err != nil {
			return nil, err
		}
		res := Result{}
		for _, k := range resp.order {
			res[strings.ReplaceAll(k, "-", "_")] = resp.headers[k]
		}
		if loc, ok := res["location"].(string); ok {
			res["location"] = absoluteLocation(ut.url, loc)
		}
		status := resp.status
		var msg string
		switch {
		case resp.rc != 0:
			status = -1
			msg = "Request failed: " + resp.curlErr
		case status >= 200 && status < 300:
			n := resp.headers["content-length"]
			if n == "" {
				n = "unknown"
			}
			msg = "OK (" + n + " bytes)"
		default:
			reason := resp.reason
			if reason == "" {
				reason = http.StatusText(status)
			}
			msg = fmt.Sprintf("HTTP Error %d: %s", status, reason)
		}
		final := ut.url
		if resp.redirects > 0 && resp.final != "" {
			final = resp.final
		}
		cookies := map[string]any{}
		var cs []string
		for _, c := range resp.cookies {
			cookies[c[0]] = c[1]
			cs = append(cs, c[0]+"="+c[1])
		}
		for k, v := range map[string]any{
			"url": final, "status": status, "msg": msg, "redirected": final != ut.url,
			"elapsed": int(resp.elapsed), "changed": false,
		} {
			res[k] = v
		}
		if resp.rc == 0 {
			res["cookies"], res["cookies_string"] = cookies, strings.Join(cs, "; ")
			if target != "" {
				res["path"] = target
			}
		}
		if resp.hasSame {
			res["changed"] = !resp.same || attrs
		}
		var content any
		if resp.hasBody {
			content = string(resp.body)
			if maybeJSON(resp.ctype) {
				if v, err := jsonValue(resp.body); err == nil {
					res["json"] = v
				}
			}
		}
		if ut.returnContent {
			res["content"] = content
		}
		ok := false
		for _, c := range ut.status {
			ok = ok || c == status
		}
		if !ok {
			res["failed"] = true
			res["msg"] = fmt.Sprintf("Status code was %d and not %s: %s", status, pyIntList(ut.status), msg)
		} else if o.ExitCode != 0 {
			// The response was fine, writing dest was not.
			f := failedApply(o)
			for k, v := range f {
				res[k] = v
			}
		}
		return res, nil
	}
}

// Report is the result when creates or removes skip the request.
func (uriModule) Report(t *Task, probe Output) (Result, error) {
	ut, err := readURITask(t)
	if err != nil {
		return nil, err
	}
	r, err := readProbe(probe)
	if err != nil {
		return nil, err
	}
	skip, err := uriSkip(ut, r)
	if err != nil {
		return nil, err
	}
	return Result{"changed": false, "stdout": skip}, nil
}
