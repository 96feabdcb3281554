package modules

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
)

// fetchOpts is how get_url (and its checksum file) is downloaded on the
// host, with curl or wget: whichever is there. Credentials and headers
// never reach argv: curl reads them from a config on stdin (a here-document,
// which the shell feeds through a pipe or a private temporary file), GNU
// wget from a --config file written 0600 in a private temporary folder and
// removed after. Busybox wget takes credentials only on its command line,
// so it is refused for them.
type fetchOpts struct {
	url, agent, user, pass, cert, key string
	headers                           [][2]string // sorted by name
	ciphers                           []string
	timeout                           int
	insecure, noProxy, netrc          bool
	hasUser                           bool
}

// Tools the probe may find ($tend_tool).
const (
	toolCurl   = "curl"
	toolWget   = "wget"   // GNU wget
	toolBBWget = "bbwget" // busybox wget
	toolNone   = "none"
)

// detectTool sets tend_tool to the download tool the host has.
const detectTool = `if command -v curl >/dev/null 2>&1; then tend_tool=curl
elif command -v wget >/dev/null 2>&1; then
	case $(wget --version 2>/dev/null) in *'GNU Wget'*) tend_tool=wget ;; *) tend_tool=bbwget ;; esac
else tend_tool=none
fi
`

// checkTool says why a tool found cannot do the download.
func (f fetchOpts) checkTool(tool string) error {
	switch tool {
	case toolCurl, toolWget:
		return nil
	case toolBBWget:
		if f.hasUser {
			return fmt.Errorf("url_username/url_password need curl or GNU wget on the host: busybox wget takes credentials only on its command line, where other users could read them")
		}
		if len(f.ciphers) > 0 || f.cert != "" || f.key != "" {
			return fmt.Errorf("ciphers, client_cert and client_key need curl on the host (only busybox wget was found)")
		}
		return nil
	case toolNone:
		return fmt.Errorf("get_url needs curl or wget on the host: neither was found in PATH")
	}
	return fmt.Errorf("probe: unknown download tool %q", tool)
}

// heredoc returns a here-document feeding body to a command's stdin,
// with a random delimiter that the body cannot hold.
func heredoc(body string) (open, rest string) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	d := "TEND_EOF_" + hex.EncodeToString(b[:])
	return "<<'" + d + "'", "\n" + body + d + "\n"
}

// curlQuote quotes a value for a curl config file.
func curlQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\t", `\t`, "\r", `\r`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

// cmd returns sh text that downloads with tool to outWord (a shell word;
// "" for stdout) and sets tend_rc to its exit status and, for curl,
// tend_code to the HTTP status. errWord, when set, gets wget's messages.
func (f fetchOpts) cmd(tool, outWord, errWord string) string {
	switch tool {
	case toolCurl:
		var c strings.Builder
		c.WriteString("silent\nshow-error\nfail\nlocation\n")
		fmt.Fprintf(&c, "url = %s\n", curlQuote(f.url))
		fmt.Fprintf(&c, "user-agent = %s\n", curlQuote(f.agent))
		fmt.Fprintf(&c, "connect-timeout = %d\nspeed-time = %d\nspeed-limit = 1\n", f.timeout, f.timeout)
		if f.insecure {
			c.WriteString("insecure\n")
		}
		if f.noProxy {
			c.WriteString("noproxy = \"*\"\n")
		}
		if f.hasUser {
			fmt.Fprintf(&c, "user = %s\n", curlQuote(f.user+":"+f.pass))
		} else if f.netrc {
			c.WriteString("netrc-optional\n")
		}
		for _, h := range f.headers {
			fmt.Fprintf(&c, "header = %s\n", curlQuote(h[0]+": "+h[1]))
		}
		if f.cert != "" {
			fmt.Fprintf(&c, "cert = %s\n", curlQuote(f.cert))
		}
		if f.key != "" {
			fmt.Fprintf(&c, "key = %s\n", curlQuote(f.key))
		}
		if len(f.ciphers) > 0 {
			fmt.Fprintf(&c, "ciphers = %s\n", curlQuote(strings.Join(f.ciphers, ":")))
		}
		open, rest := heredoc(c.String())
		if outWord == "" {
			return "tend_code=; curl -K - " + open + rest + "tend_rc=$?"
		}
		errTo := ""
		if errWord != "" {
			errTo = "2>" + errWord + " "
		}
		return "tend_code=$(curl -K - -o " + outWord + " -w '%{http_code}' " + errTo + open + rest + "); tend_rc=$?"
	case toolWget:
		var c strings.Builder
		fmt.Fprintf(&c, "user_agent = %s\ntimeout = %d\ntries = 1\n", f.agent, f.timeout)
		if f.insecure {
			c.WriteString("check_certificate = off\n")
		}
		if f.noProxy {
			c.WriteString("use_proxy = off\n")
		}
		if !f.netrc {
			c.WriteString("netrc = off\n")
		}
		if f.hasUser {
			fmt.Fprintf(&c, "http_user = %s\nhttp_password = %s\nftp_user = %s\nftp_password = %s\nauth_no_challenge = on\n", f.user, f.pass, f.user, f.pass)
		}
		for _, h := range f.headers {
			fmt.Fprintf(&c, "header = %s: %s\n", h[0], h[1])
		}
		open, rest := heredoc(c.String())
		out := "-"
		if outWord != "" {
			out = outWord
		}
		errTo := ""
		if errWord != "" {
			errTo = " 2>" + errWord
		}
		return `tend_code=; tend_cf=$(umask 077; mktemp -d) || tend_die "mktemp failed"` + "\n" +
			`( umask 077; cat > "$tend_cf/wgetrc" ) ` + open + rest +
			`wget --config="$tend_cf/wgetrc" -nv -O ` + out + " -- " + q(f.url) + errTo + "; tend_rc=$?\n" +
			`rm -rf -- "$tend_cf"`
	case toolBBWget:
		// No -T: busybox 1.35's wget crashes with it (Debian 12). Its own
		// timeout is 900 seconds.
		args := []string{"wget", "-q", "-U", q(f.agent)}
		if f.insecure {
			args = append(args, "--no-check-certificate")
		}
		if f.noProxy {
			args = append(args, "-Y", "off")
		}
		for _, h := range f.headers {
			args = append(args, "--header", q(h[0]+": "+h[1]))
		}
		out := "-"
		if outWord != "" {
			out = outWord
		}
		args = append(args, "-O", out, "--", q(f.url))
		errTo := ""
		if errWord != "" {
			errTo = " 2>" + errWord
		}
		return "tend_code=; " + strings.Join(args, " ") + errTo + "; tend_rc=$?"
	}
	return "tend_rc=127"
}

// readHeaders turns get_url's headers into sorted name/value pairs. A
// line break in either would add a header of its own.
func readHeaders(v any) ([][2]string, error) {
	m, _ := v.(map[string]any)
	var out [][2]string
	for k, x := range m {
		val := fmt.Sprint(x)
		if strings.ContainsAny(k, "\r\n:") || strings.ContainsAny(val, "\r\n") || k == "" {
			return nil, fmt.Errorf("headers: %q is not a valid header name and value", k)
		}
		out = append(out, [2]string{k, val})
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out, nil
}

func init() {
	// tend_hash ALGO FILE: FILE's ALGO digest in hex, with ALGOsum, else
	// shasum, else openssl; status 2 when the host has none of them.
	helpers["tend_hash"] = `tend_hash() {
	if command -v "$1sum" >/dev/null 2>&1; then tend_v=$("$1sum" < "$2") || return 1
	elif [ "$1" != md5 ] && command -v shasum >/dev/null 2>&1; then tend_v=$(shasum -a "${1#sha}" < "$2") || return 1
	elif command -v openssl >/dev/null 2>&1; then tend_v=$(openssl dgst -"$1" -r < "$2") || return 1
	else return 2
	fi
	set -- $tend_v
	printf '%s\n' "$1"
}
`
}
