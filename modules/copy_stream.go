package modules

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
)

// Large contents. A copy's content travels inside its apply script as printf
// escapes (up to 4 bytes a byte, parsed by the host's shell), which is what a
// small file should cost: one round trip. Above streamLimit the apply reads
// the content on its standard input instead (Change.Stdin): the runner
// streams it, a controller file straight from disk, on a channel of its own
// (through sudo when the task becomes another user, so the file is written
// by that user, beside the target). The apply writes it to a temporary file,
// checks its size and digest against what was planned, and moves it into
// place exactly as the small path does (fileWrite); whatever fails removes
// the temporary file.
//
// The probe compares by digest first: a host file of the same size is
// digested on the host, and the controller file once per version (cached),
// so an unchanged 50 MB file is never sent. The controller digests what it
// sends as it sends it, and only when that is the planned content (and all
// of it) does it send a trailer after it (sentMark and the digest): the host
// installs nothing without it. So a broken connection, a read error or a
// controller file changed since the plan leave the target as it was, and
// the host digests nothing it received.

// streamLimit is the size above which contents are streamed.
const streamLimit = 1 << 20

// sentMark starts the trailer that follows a content sent whole and right.
const sentMark = "tend-sent:sha1:"

// diskFile is a large controller file: copy's src, not read into memory.
// It is comparable, and names one version of the file (the digest cache's
// key).
type diskFile struct {
	path  string
	size  int64
	mtime int64 // nanoseconds
}

// readCopySrc reads a controller file, or returns it as a diskFile when it
// is large and the FileSource can say where it is.
func readCopySrc(files FileSource, name string) ([]byte, *diskFile, error) {
	if fp, ok := files.(FilePather); ok {
		if p, err := fp.Path(name); err == nil {
			if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Size() > streamLimit {
				return nil, &diskFile{path: p, size: st.Size(), mtime: st.ModTime().UnixNano()}, nil
			}
		}
	}
	b, err := files.ReadFile(name)
	return b, nil, err
}

// streamed says whether the content goes on the apply's stdin.
func (ct copyTask) streamed() bool { return ct.big != nil || len(ct.content) > streamLimit }

// size is the content's length.
func (ct copyTask) size() int64 {
	if ct.big != nil {
		return ct.big.size
	}
	return int64(len(ct.content))
}

// open reads the content from the start.
func (ct copyTask) open() (io.ReadCloser, error) {
	if ct.big == nil {
		return io.NopCloser(bytes.NewReader(ct.content)), nil
	}
	return os.Open(ct.big.path)
}

// hasSum says whether sum, a tend_sum output (ALGORITHM:HEX), is the
// content's. A large content is digested only with the algorithm asked.
func (ct copyTask) hasSum(sum string) (bool, error) {
	if !ct.streamed() {
		return sumsOf(ct.content).has(sum), nil
	}
	alg, _, _ := strings.Cut(sum, ":")
	if alg == "sha1" || alg == "md5" {
		d, err := ct.digests()
		return sum == "sha1:"+d.sha1 || sum == "md5:"+d.md5, err
	}
	r, err := ct.open()
	if err != nil {
		return false, err
	}
	defer r.Close()
	got, err := digestOf(alg, r)
	return err == nil && got == sum, err
}

// fileDigests are what copy reports of a content (checksum, md5sum), in hex.
type fileDigests struct{ sha1, md5 string }

// digests returns the content's SHA-1 and MD5, read once per version of a
// controller file: every host of a run compares with the same file.
func (ct copyTask) digests() (fileDigests, error) {
	if ct.big == nil {
		s, m := sha1.Sum(ct.content), md5.Sum(ct.content)
		return fileDigests{hex.EncodeToString(s[:]), hex.EncodeToString(m[:])}, nil
	}
	digestCache.Lock()
	if digestCache.m == nil || len(digestCache.m) >= 64 {
		digestCache.m = map[diskFile]*digestEntry{}
	}
	e := digestCache.m[*ct.big]
	if e == nil {
		e = &digestEntry{}
		digestCache.m[*ct.big] = e
	}
	digestCache.Unlock()
	e.once.Do(func() { e.d, e.err = ct.big.digest() })
	return e.d, e.err
}

var digestCache struct {
	sync.Mutex
	m map[diskFile]*digestEntry
}

type digestEntry struct {
	once sync.Once
	d    fileDigests
	err  error
}

func (f *diskFile) digest() (fileDigests, error) {
	r, err := os.Open(f.path)
	if err != nil {
		return fileDigests{}, err
	}
	defer r.Close()
	s, m := sha1.New(), md5.New()
	n, err := io.Copy(io.MultiWriter(s, m), r)
	if err != nil {
		return fileDigests{}, fmt.Errorf("reading %s: %v", f.path, err)
	}
	if n != f.size {
		return fileDigests{}, fmt.Errorf("%s changed while it was read (%d bytes, then %d); run the task again", f.path, f.size, n)
	}
	return fileDigests{hex.EncodeToString(s.Sum(nil)), hex.EncodeToString(m.Sum(nil))}, nil
}

// digestOf reads r and returns its digest as tend_sum prints it ("" for an
// algorithm tend_sum never prints).
func digestOf(alg string, r io.Reader) (string, error) {
	var h hash.Hash
	var ck cksum
	switch alg {
	case "sha1":
		h = sha1.New()
	case "sha256":
		h = sha256.New()
	case "md5":
		h = md5.New()
	case "cksum":
		n, err := io.Copy(&ck, r)
		if err != nil {
			return "", err
		}
		return "cksum:" + strconv.FormatUint(uint64(ck.sum(n)), 10) + "." + strconv.FormatInt(n, 10), nil
	default:
		return "", nil
	}
	if _, err := io.Copy(h, r); err != nil {
		return "", err
	}
	return alg + ":" + hex.EncodeToString(h.Sum(nil)), nil
}

// cksum is POSIX cksum's CRC, a byte at a time through a table (posixCksum
// goes bit by bit: fine for a small content, slow for 50 MB).
type cksum struct{ crc uint32 }

var cksumTable = func() (t [256]uint32) {
	for i := range t {
		c := uint32(i) << 24
		for range 8 {
			if c&0x80000000 != 0 {
				c = c<<1 ^ 0x04C11DB7
			} else {
				c <<= 1
			}
		}
		t[i] = c
	}
	return t
}()

func (c *cksum) Write(p []byte) (int, error) {
	for _, b := range p {
		c.crc = c.crc<<8 ^ cksumTable[byte(c.crc>>24)^b]
	}
	return len(p), nil
}

// sum ends the CRC with the length n, as cksum does.
func (c *cksum) sum(n int64) uint32 {
	crc := c.crc
	for ; n > 0; n >>= 8 {
		crc = crc<<8 ^ cksumTable[byte(crc>>24)^byte(n)]
	}
	return ^crc
}

// streamWrite adds to s the apply of w whose content arrives on stdin, and
// returns the sender the Change opens as its Stdin.
func (ct copyTask) streamWrite(s *script, w fileWrite) (*sender, error) {
	if w.CheckOld {
		return nil, fmt.Errorf("a streamed write cannot check the old content")
	}
	d, err := ct.digests()
	if err != nil {
		return nil, err
	}
	what := ct.src
	if what == "" {
		what = "the content"
	}
	size := strconv.FormatInt(ct.size(), 10)
	s.use("tend_die", "tend_sum")
	s.add("tend_d=", q(w.Path))
	s.add("tend_t=${tend_d%/*}/", tempBase())
	s.add(`if [ -d "$tend_d" ]; then tend_t=; tend_die "$tend_d is a directory"; fi`)
	// A signal (the connection gone) must not leave the file behind.
	s.add(`trap '[ -z "${tend_t-}" ] || rm -f -- "$tend_t"; exit 1' HUP INT TERM PIPE`)
	s.fillTemp(w, "cat")
	// What arrived must end with the trailer, which the sender adds only
	// after the whole planned content; the trailer is then cut off (dd
	// truncates at seek=). tr keeps NULs of a broken end out of the shell.
	trailer := sentMark + d.sha1
	broken := q(what + " arrived incomplete or changed: the connection broke, or it changed while it was sent")
	s.add(`tend_z=$(wc -c < "$tend_t") || tend_die "cannot read the temporary file beside $tend_d"`)
	s.add(`[ $tend_z -eq `, strconv.FormatInt(ct.size()+int64(len(trailer)), 10), ` ] || tend_die `, broken)
	s.add(`tend_z=$(tail -c `, strconv.Itoa(len(trailer)), ` -- "$tend_t" | tr -d '\000')`)
	s.add(`[ "$tend_z" = `, q(trailer), ` ] || tend_die `, broken)
	s.add(`dd if=/dev/null of="$tend_t" bs=1 seek=`, size, ` 2>/dev/null || tend_die "cannot cut the temporary file beside $tend_d"`)
	// The target may have got the content since the probe: then only its
	// attributes are set, as fileWrite's IfSame. It is digested only when
	// its size says it may be the same.
	s.add(`tend_c=`)
	s.add(`if [ -f "$tend_d" ] && tend_z=$(wc -c < "$tend_d") && [ $tend_z -eq `, size, ` ]; then tend_c=$(tend_sum < "$tend_d") || tend_c=; fi`)
	s.add(`case $tend_c in `, q("sha1:"+d.sha1), "|", q("md5:"+d.md5), `)`)
	s.add(`	rm -f -- "$tend_t"; tend_t=`)
	for _, c := range w.IfSame {
		s.add("	", c)
	}
	s.add(`;;`)
	s.add(`*)`)
	if err := s.finishWrite(w); err != nil {
		return nil, err
	}
	s.add(`;;`)
	s.add(`esac`)
	s.add(`tend_t=`)
	s.add(`trap - HUP INT TERM PIPE`)
	return &sender{ct: ct, what: what, want: d.sha1}, nil
}

// sender opens the content for the runner and digests it as it is read.
type sender struct {
	ct   copyTask
	what string
	want string // the SHA-1 planned

	mu     sync.Mutex
	opened bool
	n      int64
	h      hash.Hash
	err    error
}

// open is the Change's Stdin.
func (s *sender) open() (io.ReadCloser, error) {
	r, err := s.ct.open()
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.opened, s.n, s.h, s.err = true, 0, sha1.New(), nil
	s.mu.Unlock()
	return &sending{r: r, s: s}, nil
}

// sending is the content as it is read, then the trailer when it was the
// planned content.
type sending struct {
	r       io.ReadCloser
	s       *sender
	trailer []byte // set at the content's end, when it was right
	done    bool
}

func (x *sending) Read(p []byte) (int, error) {
	if x.done {
		n := copy(p, x.trailer)
		x.trailer = x.trailer[n:]
		if len(x.trailer) == 0 {
			return n, io.EOF
		}
		return n, nil
	}
	n, err := x.r.Read(p)
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	x.s.h.Write(p[:n])
	x.s.n += int64(n)
	if err != nil && err != io.EOF && x.s.err == nil {
		x.s.err = err
	}
	if err == io.EOF {
		x.done = true
		if x.s.right() {
			x.trailer = []byte(sentMark + x.s.want)
		}
		return n, nil
	}
	return n, err
}

// right says whether what was read is the planned content (mu held).
func (s *sender) right() bool {
	return s.err == nil && s.n == s.ct.size() && hex.EncodeToString(s.h.Sum(nil)) == s.want
}

func (x *sending) Close() error { return x.r.Close() }

// problem says what went wrong on the controller's side of the sending:
// a read error, or content other than the planned one (the host refused
// it for want of the trailer; this says why). A short content with the
// apply failed is the host's to explain: it may have stopped reading.
func (s *sender) problem(exitCode int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	size := s.ct.size()
	switch {
	case !s.opened:
		return nil
	case s.err != nil:
		return fmt.Errorf("reading %s: %v", s.what, s.err)
	case s.n > size || s.n == size && !s.right() || exitCode == 0 && !s.right():
		return fmt.Errorf("%s changed since the plan (%d bytes read, %d planned, or another digest); run the task again", s.what, s.n, size)
	}
	return nil
}
