package main

import (
	"io"
	"os"
	"syscall"
)

// cronLogCap is the size above which a scheduled run's log is rotated.
const cronLogCap = 10 << 20

// capCronLog keeps the log of a scheduled run (tend cron's entry appends
// stdout and stderr to one file with >>) from growing for ever: when the
// file behind stdout is larger than cronLogCap, it is copied to FILE.1
// (replacing the last one) and emptied in place. Truncating through the
// descriptor keeps the shell's O_APPEND redirection valid, so the run's
// output goes on at the start of the emptied file.
func capCronLog() {
	st, err := os.Stdout.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() <= cronLogCap {
		return
	}
	path, err := os.Readlink("/proc/self/fd/1")
	if err != nil {
		return
	}
	src, err := os.Open(path)
	if err != nil {
		return
	}
	defer src.Close()
	if same, err := src.Stat(); err != nil || !os.SameFile(same, st) {
		return // the path names another file now
	}
	dst, err := os.OpenFile(path+".1", os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return
	}
	_, err = io.Copy(dst, src)
	if cerr := dst.Close(); err != nil || cerr != nil {
		return
	}
	_ = syscall.Ftruncate(int(os.Stdout.Fd()), 0)
}
