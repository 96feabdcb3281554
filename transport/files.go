package transport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

	"tend/modules/shell"
)

// uploadChunk is how many bytes of a file travel in one command. Contents are
// sent inside the script itself (see shell.Printf), which works through sudo
// and on servers without sftp and costs no extra channel; a small file is one
// round trip, a large one a round trip per chunk.
const uploadChunk = 1 << 20

// runner is the one method the file helpers need from a connection.
type runner interface {
	Run(ctx context.Context, cmd Cmd) (Result, error)
}

// runChecked runs script and turns a non-zero exit into an error that carries
// what the script printed on stderr.
func runChecked(ctx context.Context, c runner, script string, stdout io.Writer) error {
	var stderr bytes.Buffer
	res, err := c.Run(ctx, Cmd{Script: script, Stdout: stdout, Stderr: &stderr})
	if err != nil {
		return err
	}
	if res.ExitCode != 0 {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = "no message"
		}
		return fmt.Errorf("exit status %d: %s", res.ExitCode, msg)
	}
	return nil
}

// uploadViaShell implements Conn.Upload on top of Run.
func uploadViaShell(ctx context.Context, c runner, r io.Reader, dst string, mode fs.FileMode) error {
	if !path.IsAbs(dst) {
		return fmt.Errorf("upload: %q is not an absolute path", dst)
	}
	tmp := path.Join(path.Dir(dst), "."+path.Base(dst)+".tend-"+string(newMarker()[5:13])+".tmp")
	vars := "tmp=" + shell.Quote(tmp) + "; dst=" + shell.Quote(dst) + "\n"
	cleanup := `|| { rm -f -- "$tmp"; exit 1; }` + "\n"

	buf := make([]byte, uploadChunk)
	redirect := ">"
	for first := true; ; first = false {
		n, rerr := io.ReadFull(r, buf)
		last := errors.Is(rerr, io.EOF) || errors.Is(rerr, io.ErrUnexpectedEOF)
		if rerr != nil && !last {
			if !first {
				_ = runChecked(ctx, c, vars+`rm -f -- "$tmp"`, nil)
			}
			return fmt.Errorf("upload %s: reading the source: %w", dst, rerr)
		}
		var s strings.Builder
		s.WriteString(vars)
		if first {
			// Keep the contents private until the final mode is set.
			s.WriteString(`[ -d "$dst" ] && { echo "$dst is a directory" >&2; exit 1; }` + "\numask 077\n")
		}
		s.WriteString(shell.Printf(buf[:n]) + " " + redirect + ` "$tmp" ` + cleanup)
		if last {
			s.WriteString(fmt.Sprintf("chmod %04o \"$tmp\" %s", unixMode(mode), cleanup))
			// sync FILE flushes one file where supported; elsewhere it
			// flushes everything, which is slower but as safe.
			s.WriteString(`sync "$tmp" 2>/dev/null || sync` + "\n")
			s.WriteString(`mv -f -- "$tmp" "$dst" ` + cleanup)
		}
		if err := runChecked(ctx, c, s.String(), nil); err != nil {
			return fmt.Errorf("upload %s: %w", dst, err)
		}
		if last {
			return nil
		}
		redirect = ">>"
	}
}

// downloadViaShell implements Conn.Download on top of Run.
func downloadViaShell(ctx context.Context, c runner, src string, w io.Writer) error {
	if err := runChecked(ctx, c, "cat -- "+shell.Quote(src), w); err != nil {
		return fmt.Errorf("download %s: %w", src, err)
	}
	return nil
}

// unixMode converts Go's mode bits to the octal number chmod takes.
func unixMode(m fs.FileMode) uint32 {
	u := uint32(m.Perm())
	if m&fs.ModeSetuid != 0 {
		u |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		u |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		u |= 0o1000
	}
	return u
}
