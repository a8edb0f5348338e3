package exhibit

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
)

func newFiles(t *testing.T) *Files {
	t.Helper()
	f := New(t.TempDir())
	f.Logger = slog.New(slog.DiscardHandler)
	if err := f.Open(); err != nil {
		t.Fatal(err)
	}
	return f
}

func sample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// files lists every file under dir, relative to it.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func wantCode(t *testing.T, err error, kind bluelamp.Kind, code string, parts ...string) {
	t.Helper()
	e, ok := errors.AsType[*bluelamp.Error](err)
	if !ok || e.Kind != kind || e.CodeOrKind() != code {
		t.Fatalf("got %v, want a %s error with code %s", err, kind, code)
	}
	for _, p := range parts {
		if !strings.Contains(e.Message, p) {
			t.Errorf("message %q does not mention %q", e.Message, p)
		}
	}
}

func TestSniff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		mime string // "" for refused
		seem string // what a refused file is said to be
	}{
		{"photo.jpg", "image/jpeg", ""},
		{"image.png", "image/png", ""},
		{"image.webp", "image/webp", ""},
		{"image.heic", "image/heic", ""},
		{"iphone.heic", "image/heic", ""},
		{"doc.pdf", "application/pdf", ""},
		{"video.mp4", "video/mp4", ""},
		{"video.mov", "video/quicktime", ""},
		{"note.txt", "text/plain", ""},
		{"image.avif", "", "AVIF image"},
		{"program.exe", "", "Windows program"},
		{"image.gif", "", "GIF image"},
		{"binary.txt", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			k, seems, ok := Sniff(sample(t, tc.file))
			if ok != (tc.mime != "") || k.MIME != tc.mime || !ok && seems != tc.seem {
				t.Fatalf("Sniff = %q, %q, %v; want %q (%q)", k.MIME, seems, ok, tc.mime, tc.seem)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	jpeg := sample(t, "photo.jpg")
	tests := []struct {
		name     string
		head     []byte
		declared string
		filename string
		refused  []string // what the message must say; nil for accepted
	}{
		{"OK", jpeg, "image/jpeg", "IMG_0042.JPG", nil},
		{"OKAlias", jpeg, "image/jpg", "photo.jpeg", nil},
		{"OKNoClaims", jpeg, "", "", nil},
		{"OKOctetStream", jpeg, "application/octet-stream", "blob", nil},
		{"OKParameters", sample(t, "note.txt"), "text/plain; charset=utf-8", "statement.txt", nil},
		{"OKDottedDate", jpeg, "image/jpeg", "Photo 12.05.2026", nil},
		{"OKPathStripped", jpeg, "image/jpeg", `C:\fakepath\photo.jpg`, nil},
		{"DeclaredTypeLies", jpeg, "application/pdf", "photo.jpg", []string{`"application/pdf"`, "JPEG image (image/jpeg)"}},
		{"ExtensionLies", jpeg, "image/jpeg", "report.pdf", []string{`"*.pdf"`, "JPEG image (image/jpeg)"}},
		{"ExecutableAsPhoto", sample(t, "program.exe"), "image/jpeg", "photo.jpg", []string{"Windows program, a type not accepted"}},
		{"UnknownContent", []byte{0, 1, 2, 3}, "", "", []string{"of a type not accepted"}},
		{"MalformedType", jpeg, "image/", "", []string{"malformed media type", "JPEG image"}},
		{"TextAsJPEG", sample(t, "note.txt"), "image/jpeg", "", []string{`"image/jpeg"`, "plain text (text/plain)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, err := Check(tc.head, tc.declared, tc.filename)
			if tc.refused == nil {
				if err != nil || k.MIME == "" {
					t.Fatalf("Check = %q, %v", k.MIME, err)
				}
				return
			}
			wantCode(t, err, bluelamp.KindInvalid, "unsupported_media_type", tc.refused...)
		})
	}
}

func TestPut(t *testing.T) {
	t.Parallel()
	t.Run("OK", func(t *testing.T) {
		f := newFiles(t)
		data := sample(t, "photo.jpg")
		st, err := f.Put("alpha", bytes.NewReader(data), "image/jpeg", "photo.jpg")
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		if !bytes.Equal(st.SHA256, sum[:]) || st.Size != int64(len(data)) || st.ContentType != "image/jpeg" {
			t.Fatalf("stored %+v", st)
		}
		h := hex.EncodeToString(sum[:])
		want := []string{filepath.Join("alpha", h[:2], h)}
		if got := files(t, f.Dir); !equal(got, want) {
			t.Fatalf("files = %v, want %v (no upload left behind)", got, want)
		}
		if info, err := os.Stat(filepath.Join(f.Dir, want[0])); err != nil || info.Mode().Perm() != 0o440 {
			t.Fatalf("stored file mode %v, %v", info.Mode(), err)
		}
		// The same file again, and in another force.
		if _, err := f.Put("alpha", bytes.NewReader(data), "", ""); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Put("bravo", bytes.NewReader(data), "", ""); err != nil {
			t.Fatal(err)
		}
		want = append(want, filepath.Join("bravo", h[:2], h))
		if got := files(t, f.Dir); !equal(got, want) {
			t.Fatalf("files = %v, want %v", got, want)
		}
		fh, err := f.Read("alpha", st.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		defer fh.Close()
		if got, _ := io.ReadAll(fh); !bytes.Equal(got, data) {
			t.Fatal("read back differs")
		}
	})
	t.Run("ErrTooLarge", func(t *testing.T) {
		f := newFiles(t)
		f.MaxBytes = 1024
		data := append(sample(t, "note.txt"), bytes.Repeat([]byte("x"), 2000)...)
		if _, err := f.Put("alpha", bytes.NewReader(data[:1024]), "text/plain", "a.txt"); err != nil {
			t.Fatalf("a file at the limit: %v", err)
		}
		_, err := f.Put("alpha", bytes.NewReader(data[:1025]), "text/plain", "b.txt")
		wantCode(t, err, bluelamp.KindTooLarge, "exhibit_too_large", "over the 1 KiB limit")
		if got := files(t, f.Dir); len(got) != 1 {
			t.Fatalf("files after a refused upload = %v, want only the first", got)
		}
	})
	t.Run("ErrRefusedBeforeWriting", func(t *testing.T) {
		f := newFiles(t)
		_, err := f.Put("alpha", bytes.NewReader(sample(t, "photo.jpg")), "application/pdf", "")
		wantCode(t, err, bluelamp.KindInvalid, "unsupported_media_type")
		_, err = f.Put("alpha", bytes.NewReader(nil), "", "")
		wantCode(t, err, bluelamp.KindInvalid, "invalid_fields")
		if got := files(t, f.Dir); len(got) != 0 {
			t.Fatalf("files = %v", got)
		}
	})
	t.Run("ErrTextTurnsBinary", func(t *testing.T) {
		f := newFiles(t)
		data := append(bytes.Repeat([]byte("a line of a statement\n"), 100), 0, 1, 2)
		_, err := f.Put("alpha", bytes.NewReader(data), "text/plain", "s.txt")
		wantCode(t, err, bluelamp.KindInvalid, "unsupported_media_type", "binary data by byte 2200")
		_, err = f.Put("alpha", bytes.NewReader([]byte("caf\xc3")), "text/plain", "s.txt")
		wantCode(t, err, bluelamp.KindInvalid, "unsupported_media_type", "part-way through a character")
		if got := files(t, f.Dir); len(got) != 0 {
			t.Fatalf("files = %v", got)
		}
	})
	t.Run("OKTextSplitCharacters", func(t *testing.T) {
		// A multi-byte character split between reads is still text.
		f := newFiles(t)
		data := []byte(strings.Repeat("é—😀 ", 500))
		if _, err := f.Put("alpha", iotestOneByte{bytes.NewReader(data)}, "text/plain", "s.txt"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ErrReadFails", func(t *testing.T) {
		f := newFiles(t)
		r := io.MultiReader(bytes.NewReader(sample(t, "photo.jpg")), errReader{})
		if _, err := f.Put("alpha", r, "", ""); err == nil || bluelamp.KindOf(err) != bluelamp.KindInternal {
			t.Fatalf("got %v", err)
		}
		if got := files(t, f.Dir); len(got) != 0 {
			t.Fatalf("files = %v", got)
		}
	})
	t.Run("OKStreams", func(t *testing.T) {
		// 20 MiB pass through in a small, fixed amount of memory.
		f := newFiles(t)
		const size = 20 << 20
		r := io.MultiReader(bytes.NewReader(sample(t, "video.mp4")), io.LimitReader(pattern{}, size))
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		st, err := f.Put("alpha", r, "video/mp4", "clip.mp4")
		runtime.ReadMemStats(&after)
		if err != nil {
			t.Fatal(err)
		}
		if st.Size < size {
			t.Fatalf("size %d", st.Size)
		}
		// Buffering would allocate the 20 MiB at least; the bound leaves
		// room for the race detector and tests running beside this one.
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > size/2 {
			t.Fatalf("storing 20 MiB allocated %d bytes: the file was buffered", alloc)
		}
	})
}

func equal(a, b []string) bool {
	return strings.Join(a, "\n") == strings.Join(b, "\n")
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

// pattern is an endless reader of bytes that are not text.
type pattern struct{}

func (pattern) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(i)
	}
	return len(p), nil
}

// iotestOneByte reads one byte at a time.
type iotestOneByte struct{ r io.Reader }

func (o iotestOneByte) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return o.r.Read(p[:1])
}

func TestRead(t *testing.T) {
	t.Parallel()
	f := newFiles(t)
	data := sample(t, "doc.pdf")
	st, err := f.Put("alpha", bytes.NewReader(data), "application/pdf", "doc.pdf")
	if err != nil {
		t.Fatal(err)
	}
	path := f.path("alpha", st.SHA256)
	if _, err := f.Read("bravo", st.SHA256); !errors.Is(err, bluelamp.ErrExhibitIntegrity) {
		t.Fatalf("another force's file: %v", err)
	}

	// Changed behind bluelamp's back.
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(data, '!'), 0o640); err != nil {
		t.Fatal(err)
	}
	_, err = f.Read("alpha", st.SHA256)
	ie, ok := errors.AsType[*IntegrityError](err)
	if !ok || !errors.Is(err, bluelamp.ErrExhibitIntegrity) || bluelamp.KindOf(err) != bluelamp.KindUnavailable {
		t.Fatalf("a changed file: %v", err)
	}
	if sum := sha256.Sum256(append(data, '!')); !bytes.Equal(ie.Got, sum[:]) || !bytes.Equal(ie.Want, st.SHA256) {
		t.Fatalf("integrity error = %+v", ie)
	}

	// Received again: the changed file is kept aside and replaced.
	if _, err := f.Put("alpha", bytes.NewReader(data), "", ""); err != nil {
		t.Fatal(err)
	}
	fh, err := f.Read("alpha", st.SHA256)
	if err != nil {
		t.Fatalf("after receiving it again: %v", err)
	}
	fh.Close()
	if got := files(t, f.Dir); len(got) != 2 || !strings.Contains(got[1], ".corrupt-") && !strings.Contains(got[0], ".corrupt-") {
		t.Fatalf("files = %v, want the file and the corrupt one kept aside", got)
	}

	// Gone.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	_, err = f.Read("alpha", st.SHA256)
	if ie, ok := errors.AsType[*IntegrityError](err); !ok || ie.Got != nil {
		t.Fatalf("a missing file: %v", err)
	}
}

func TestOpenSweepsStaleUploads(t *testing.T) {
	t.Parallel()
	f := newFiles(t)
	old, fresh := filepath.Join(f.tmpDir(), "upload-old"), filepath.Join(f.tmpDir(), "upload-fresh")
	for _, p := range []string{old, fresh} {
		if err := os.WriteFile(p, []byte("partial"), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	long := time.Now().Add(-25 * time.Hour)
	if err := os.Chtimes(old, long, long); err != nil {
		t.Fatal(err)
	}
	if err := f.Open(); err != nil {
		t.Fatal(err)
	}
	if got := files(t, f.Dir); !equal(got, []string{filepath.Join("uploads", "upload-fresh")}) {
		t.Fatalf("files after Open = %v", got)
	}
}

// TestKillAfterAcknowledge runs Put in a child process that is killed with
// SIGKILL the moment it says the file is stored, and one killed part-way
// through an upload: the first file is there and whole, the second is not
// served.
func TestKillAfterAcknowledge(t *testing.T) {
	if dir := os.Getenv("EXHIBIT_CHILD_DIR"); dir != "" {
		f := New(dir)
		if err := f.Open(); err != nil {
			fmt.Println("ERR", err)
			os.Exit(1)
		}
		st, err := f.Put("alpha", os.Stdin, "", "")
		if err != nil {
			fmt.Println("ERR", err)
			os.Exit(1)
		}
		fmt.Println("STORED", st.SHA256)
		select {} // wait to be killed
	}
	t.Parallel()
	dir := t.TempDir()
	run := func(send func(w io.Writer), wait bool) string {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKillAfterAcknowledge$")
		cmd.Env = append(os.Environ(), "EXHIBIT_CHILD_DIR="+dir)
		in, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer cmd.Wait()
		send(in)
		line := ""
		if wait {
			in.Close()
			sc := bufio.NewScanner(out)
			if !sc.Scan() {
				t.Fatalf("child said nothing: %v", sc.Err())
			}
			line = sc.Text()
		}
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		return line
	}
	data := append(sample(t, "video.mp4"), bytes.Repeat([]byte{7}, 1<<20)...)
	line := run(func(w io.Writer) { w.Write(data) }, true)
	sum, ok := strings.CutPrefix(line, "STORED ")
	if !ok {
		t.Fatalf("child: %s", line)
	}
	want := sha256.Sum256(data)
	if sum != hex.EncodeToString(want[:]) {
		t.Fatalf("child stored %s, want %x", sum, want)
	}
	f := New(dir)
	fh, err := f.Read("alpha", want[:])
	if err != nil {
		t.Fatalf("the acknowledged file after kill -9: %v", err)
	}
	fh.Close()

	partial := sample(t, "photo.jpg")
	run(func(w io.Writer) {
		w.Write(partial)
		// Wait until the child has its upload open, then kill it mid-way.
		deadline := time.Now().Add(10 * time.Second)
		for len(files(t, filepath.Join(dir, "uploads"))) == 0 && time.Now().Before(deadline) {
			runtime.Gosched()
		}
	}, false)
	sum2 := sha256.Sum256(partial)
	if _, err := f.Read("alpha", sum2[:]); !errors.Is(err, bluelamp.ErrExhibitIntegrity) {
		t.Fatalf("a cut-off upload is served: %v", err)
	}
}

func TestSize(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want int64
	}{{"25MiB", 25 << 20}, {"512 KiB", 512 << 10}, {"10MB", 10e6}, {"1048576", 1 << 20}, {"3 GiB", 3 << 30}} {
		if got, err := ParseSize(tc.in); err != nil || got != tc.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "0", "-1MiB", "25 MB MiB", "1.5MiB", "lots", "2000 GiB", "0x10"} {
		if n, err := ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) = %d, want an error", bad, n)
		}
	}
	for n, want := range map[int64]string{25 << 20: "25 MiB", 1024: "1 KiB", 1000: "1000 bytes"} {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
}

// FuzzCheck feeds Check any first bytes, declared type and name: it never
// panics, accepts only a listed kind, accepts what it sniffs when nothing
// is claimed, and refuses with the 415 code.
func FuzzCheck(f *testing.F) {
	entries, err := os.ReadDir("testdata")
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join("testdata", e.Name()))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, "", e.Name())
		f.Add(b, "image/jpeg", "x.jpg")
	}
	f.Add([]byte("\x00\x00\x00\x08ftyp"), "video/mp4", "")
	f.Add([]byte("\xff\xff\xff\xffftypmif1"), "image/heic; x=\"", "a.HEIC")
	f.Fuzz(func(t *testing.T, head []byte, declared, filename string) {
		if len(head) > sniffLen {
			head = head[:sniffLen]
		}
		k, err := Check(head, declared, filename)
		if err != nil {
			if e, ok := errors.AsType[*bluelamp.Error](err); !ok || e.Code != "unsupported_media_type" || e.Message == "" {
				t.Fatalf("refusal %v", err)
			}
			return
		}
		if _, ok := kindOf(k.MIME); !ok {
			t.Fatalf("accepted unlisted %q", k.MIME)
		}
		if k2, err := Check(head, "", ""); err != nil || k2.MIME != k.MIME {
			t.Fatalf("accepted as %q with claims but %q, %v without", k.MIME, k2.MIME, err)
		}
	})
}
