package hostq

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

var recordKey = regexp.MustCompile(`^[a-z][a-z0-9_.]*$`)

// ParseRecords reads the records scripts print, strictly:
//
//	key=value\n        a value: one line of text
//	key:N\n<N bytes>\n a blob: N raw bytes
//
// Keys are lower-case words joined by '.' and '_'. Anything else, a key
// printed twice, or a blob whose length does not match is an error: output
// that is not understood must never read as "nothing to do".
func ParseRecords(out []byte) (vals map[string]string, blobs map[string][]byte, err error) {
	vals, blobs = map[string]string{}, map[string][]byte{}
	for len(out) > 0 {
		nl := bytes.IndexByte(out, '\n')
		if nl < 0 {
			return nil, nil, fmt.Errorf("unterminated line %q", Trunc(out))
		}
		line := string(out[:nl])
		out = out[nl+1:]
		eq := strings.IndexAny(line, "=:")
		if eq < 0 || !recordKey.MatchString(line[:eq]) {
			return nil, nil, fmt.Errorf("unexpected line %q", Trunc([]byte(line)))
		}
		key := line[:eq]
		_, dupV := vals[key]
		_, dupB := blobs[key]
		if dupV || dupB {
			return nil, nil, fmt.Errorf("%s printed twice", key)
		}
		if line[eq] == '=' {
			vals[key] = line[eq+1:]
			continue
		}
		// wc -c pads its count with blanks on some systems.
		n, err := strconv.Atoi(strings.TrimSpace(line[eq+1:]))
		if err != nil || n < 0 {
			return nil, nil, fmt.Errorf("bad length in %q", line)
		}
		if len(out) < n+1 || out[n] != '\n' {
			return nil, nil, fmt.Errorf("%s: length does not match (did it change while it was read?)", key)
		}
		blobs[key] = out[:n:n]
		out = out[n+1:]
	}
	return vals, blobs, nil
}

// Trunc cuts b for an error message.
func Trunc(b []byte) string {
	if len(b) > 80 {
		return string(b[:80]) + "..."
	}
	return string(b)
}
