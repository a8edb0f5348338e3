// Package exhibit keeps exhibits' files on disk. A file is streamed in
// (never held whole in memory) under a size limit, typed by its first
// bytes rather than by what the device says it is, hashed with SHA-256 as it
// arrives, written to a temporary file that is synced and renamed into a
// content-addressed path before anyone is told it is stored, and hashed
// again whenever it is read back.
//
// Files live under Dir/FORCE/AB/ABCDEF… (the SHA-256 in hex): one force's
// files never share a path with another's, and the same file logged twice
// in a force is kept once.
package exhibit

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/bluelamp/bluelamp"
)

// DefaultMaxBytes is the default limit on an exhibit's file: 25 MiB, room
// for a phone photo or a minute of video.
const DefaultMaxBytes = 25 << 20

// staleUpload is how old a temporary file must be before Open removes it:
// an upload that old was cut off by a crash or a restart.
const staleUpload = 24 * time.Hour

// Files stores exhibit files under Dir.
type Files struct {
	Dir      string
	MaxBytes int64 // the largest file accepted
	Logger   *slog.Logger
	Now      func() time.Time
}

// New returns Files keeping files under dir, with defaults set.
func New(dir string) *Files {
	return &Files{Dir: dir, MaxBytes: DefaultMaxBytes, Logger: slog.Default(), Now: time.Now}
}

// Open creates the directories and removes temporary files left by uploads
// a crash cut off (none of them was ever acknowledged).
func (f *Files) Open() error {
	if f.Dir == "" || f.MaxBytes <= 0 {
		return errors.New("exhibit files: a directory and a positive size limit are required")
	}
	if err := os.MkdirAll(f.tmpDir(), 0o750); err != nil {
		return fmt.Errorf("create exhibit directory: %w", err)
	}
	entries, err := os.ReadDir(f.tmpDir())
	if err != nil {
		return fmt.Errorf("read exhibit uploads: %w", err)
	}
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || f.Now().Sub(info.ModTime()) < staleUpload {
			continue // another node sharing the directory may be writing it
		}
		if err := os.Remove(filepath.Join(f.tmpDir(), e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			f.Logger.Warn("stale exhibit upload not removed", "file", e.Name(), "err", err)
		}
	}
	return nil
}

func (f *Files) tmpDir() string { return filepath.Join(f.Dir, "uploads") }

// path is where a force's file with hash sum lives.
func (f *Files) path(force bluelamp.ForceID, sum bluelamp.Hash) string {
	h := sum.String()
	return filepath.Join(f.Dir, string(force), h[:2], h)
}

// Stored is what Put found out about a file it stored.
type Stored struct {
	SHA256      bluelamp.Hash
	Size        int64
	ContentType string
}

// Put reads a file from r to its end and stores it for force: Receive,
// then Commit.
func (f *Files) Put(force bluelamp.ForceID, r io.Reader, declared, filename string) (*Stored, error) {
	u, err := f.Receive(force, r, declared, filename)
	if err != nil {
		return nil, err
	}
	if err := u.Commit(); err != nil {
		return nil, err
	}
	return &u.Stored, nil
}

// Upload is a file received and synced to a temporary file, not yet in
// its place: Commit puts it there, Abort drops it.
type Upload struct {
	Stored
	f    *Files
	tmp  string
	dst  string
	done bool
}

// Receive reads a file from r to its end into a synced temporary file.
// declared is the media type the device sent it as and filename its name;
// either may be empty, but what they claim must agree with the content.
// Errors: KindTooLarge over MaxBytes; KindInvalid with code
// unsupported_media_type for content of a type not accepted or disagreeing
// with declared or filename's extension; KindInvalid for an empty file. On
// any error nothing is left behind.
func (f *Files) Receive(force bluelamp.ForceID, r io.Reader, declared, filename string) (*Upload, error) {
	if !force.Valid() {
		return nil, fmt.Errorf("store exhibit: bad force %q", force)
	}
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(r, head)
	switch {
	case errors.Is(err, io.EOF):
		return nil, bluelamp.InvalidFields(map[string]string{"file": "is empty"})
	case err != nil && !errors.Is(err, io.ErrUnexpectedEOF):
		return nil, fmt.Errorf("read exhibit: %w", err)
	}
	head = head[:n]
	k, err := Check(head, declared, filename)
	if err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(f.tmpDir(), "upload-*")
	if err != nil {
		return nil, fmt.Errorf("create exhibit upload: %w", err)
	}
	kept := false
	defer func() {
		if !kept {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	var w io.Writer = io.MultiWriter(tmp, h)
	var text *textCheck
	if k.MIME == "text/plain" {
		text = &textCheck{}
		w = io.MultiWriter(w, text)
	}
	if _, err := w.Write(head); err != nil {
		return nil, fmt.Errorf("write exhibit: %w", err)
	}
	// One byte past the limit shows the file is over it.
	copied, err := io.Copy(w, io.LimitReader(r, f.MaxBytes-int64(n)+1))
	size := int64(n) + copied
	switch {
	case errors.Is(err, errNotText):
		return nil, unsupported(fmt.Sprintf("the file starts as plain text but holds binary data by byte %d: send it as what it is", text.at))
	case err != nil:
		return nil, fmt.Errorf("receive exhibit: %w", err)
	case size > f.MaxBytes:
		return nil, &bluelamp.Error{Kind: bluelamp.KindTooLarge, Code: "exhibit_too_large",
			Message: fmt.Sprintf("the file is over the %s limit for an exhibit", Size(f.MaxBytes))}
	case text != nil && !text.complete():
		return nil, unsupported("the file starts as plain text but ends part-way through a character")
	}
	if err := tmp.Sync(); err != nil {
		return nil, fmt.Errorf("sync exhibit: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("close exhibit: %w", err)
	}
	kept = true
	u := &Upload{Stored: Stored{SHA256: h.Sum(nil), Size: size, ContentType: k.MIME}, f: f, tmp: tmp.Name()}
	u.dst = f.path(force, u.SHA256)
	return u, nil
}

// Commit moves the upload into its content-addressed place, durably: once
// it returns nil the file survives a crash.
func (u *Upload) Commit() error {
	if u.done {
		return errors.New("exhibit upload already committed or aborted")
	}
	u.done = true
	if err := u.f.commit(u.tmp, u.dst, u.SHA256); err != nil {
		os.Remove(u.tmp)
		return err
	}
	return nil
}

// Abort drops an upload not committed.
func (u *Upload) Abort() {
	if !u.done {
		u.done = true
		os.Remove(u.tmp)
	}
}

// commit renames the synced upload tmp to dst and syncs the directories, so
// the rename survives a crash. A file already at dst that still hashes to
// sum is the same file: the upload is dropped. One that does not is moved
// aside, kept for whoever investigates, and replaced.
func (f *Files) commit(tmp, dst string, sum bluelamp.Hash) error {
	dir := filepath.Dir(dst)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("create exhibit directory: %w", err)
	}
	if got, err := hashFile(dst); err == nil {
		if bytes.Equal(got, sum) {
			return os.Remove(tmp)
		}
		aside := fmt.Sprintf("%s.corrupt-%d", dst, f.Now().UnixNano())
		f.Logger.Error("exhibit file no longer matched its hash; moved aside and replaced by a new upload of it",
			"path", dst, "aside", aside, "got", bluelamp.Hash(got).String())
		if err := os.Rename(dst, aside); err != nil {
			return fmt.Errorf("move corrupt exhibit aside: %w", err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("check stored exhibit: %w", err)
	}
	if err := os.Chmod(tmp, 0o440); err != nil {
		return fmt.Errorf("protect exhibit: %w", err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		return fmt.Errorf("store exhibit: %w", err)
	}
	for _, d := range []string{dir, filepath.Dir(dir), filepath.Dir(filepath.Dir(dir))} {
		if err := syncDir(d); err != nil {
			return err
		}
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open exhibit directory: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync exhibit directory: %w", err)
	}
	return nil
}

func hashFile(path string) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	return hashOf(fh)
}

func hashOf(r io.Reader) ([]byte, error) {
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}

// IntegrityError says a stored file no longer hashes to what was recorded
// when it was received, or is missing (Got is nil). It unwraps to
// bluelamp.ErrExhibitIntegrity.
type IntegrityError struct {
	Path      string
	Want, Got bluelamp.Hash
}

func (e *IntegrityError) Error() string {
	if e.Got == nil {
		return fmt.Sprintf("exhibit file %s is missing", e.Path)
	}
	return fmt.Sprintf("exhibit file %s hashes to %s, not %s", e.Path, e.Got, e.Want)
}

func (e *IntegrityError) Unwrap() error { return bluelamp.ErrExhibitIntegrity }

// Read opens force's file with hash sum, having hashed it again: the file
// returned, at its start, held exactly what was received when it was
// checked. The caller closes it. An *IntegrityError if it is missing or
// changed.
func (f *Files) Read(force bluelamp.ForceID, sum bluelamp.Hash) (*os.File, error) {
	if !force.Valid() || len(sum) != sha256.Size {
		return nil, fmt.Errorf("read exhibit: bad force %q or hash %q", force, sum)
	}
	path := f.path(force, sum)
	fh, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &IntegrityError{Path: path, Want: sum}
	}
	if err != nil {
		return nil, fmt.Errorf("open exhibit: %w", err)
	}
	got, err := hashOf(fh)
	if err != nil {
		fh.Close()
		return nil, fmt.Errorf("hash exhibit: %w", err)
	}
	if !bytes.Equal(got, sum) {
		fh.Close()
		return nil, &IntegrityError{Path: path, Want: sum, Got: got}
	}
	if _, err := fh.Seek(0, io.SeekStart); err != nil {
		fh.Close()
		return nil, fmt.Errorf("rewind exhibit: %w", err)
	}
	return fh, nil
}

// Size formats a byte count as people read limits: "25 MiB", "512 KiB".
func Size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// ParseSize reads a size such as "25MiB", "512 KiB", "10MB" or "1048576".
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	units := []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"B", 1}}
	mult := int64(1)
	for _, u := range units {
		if rest, ok := strings.CutSuffix(t, u.suffix); ok {
			t, mult = strings.TrimSpace(rest), u.mult
			break
		}
	}
	var n int64
	if _, err := fmt.Sscan(t, &n); err != nil || n <= 0 || n > (1<<40)/mult || fmt.Sprint(n) != t {
		return 0, fmt.Errorf("%q is not a size such as 25MiB", s)
	}
	return n * mult, nil
}
